"""Demo data: a realistic key-account department, loaded only into an empty database.

The orchestration knows every app, so it lives in the top package: the organisation first,
then each app adds its part in layer order, through the same services the product uses. Never
runs in production mode.
"""

from django.conf import settings
from django.db import transaction

from keyaccount.contacts import demo as contacts_demo
from keyaccount.customers import demo as customers_demo
from keyaccount.org import demo as org_demo
from keyaccount.org import notifications
from keyaccount.org.models import User
from keyaccount.pipeline import demo as pipeline_demo
from keyaccount.transfer import demo as transfer_demo

USERS = org_demo.USERS


class DemoRefusedError(Exception):
    pass


def database_is_empty() -> bool:
    return not User.objects.exists()


def load_demo(*, password: str) -> list[org_demo.DemoUser]:
    """Create the demo company. Refuses in production mode and on a non-empty database. The
    demo's people are told of what happens to them in the app, never by e-mail."""
    with notifications.without_emails():
        return _load(password=password)


@transaction.atomic
def _load(*, password: str) -> list[org_demo.DemoUser]:
    if settings.PRODUCTION:
        raise DemoRefusedError("Demo data is never loaded in production mode.")
    if not database_is_empty():
        raise DemoRefusedError(
            "The database already has users: demo data goes only into an empty one."
        )
    users = org_demo.load(password=password)
    customers_demo.load(password=password)
    contacts_demo.load()
    pipeline_demo.load()
    transfer_demo.load()
    return users
