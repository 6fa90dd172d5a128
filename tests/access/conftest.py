"""The cast and signed-in clients of ``tests/conftest.py``, made once per module, not per test.

The matrix runs hundreds of requests (every route × every role) and grows with every route the
product gains; building the org and its eleven users and signing each in for every one of them
would dominate the run. So ``cast`` and ``client_for`` are overridden in this folder:

- the module-scoped ``_shared_cast`` runs the very same fixture function as
  ``tests.conftest.cast``, once, inside a transaction that is rolled back when the module is done;
  ``_shared_sessions`` signs each user of the cast in once (``Client.force_login``) inside it;
- each test runs inside its own savepoint (pytest-django's ``db``), which is rolled back after the
  test, and gets fresh instances of the cast's users and units: nothing a test changes (a revoked
  token, a changed password, a deleted session) leaks into the next;
- ``client_for(user)`` is a client carrying that user's session cookie, as if freshly signed in.
"""

import inspect
from collections.abc import Callable, Iterator
from dataclasses import fields

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from keyaccount.org.models import OrgUnit, User

from .. import conftest as root
from ..conftest import Cast


@pytest.fixture(scope="module")
def _shared_cast(django_db_setup, django_db_blocker) -> Iterator[dict[str, int]]:
    build = inspect.unwrap(root.cast)  # the plain function behind the ``cast`` fixture
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # type: ignore[attr-defined]
        outer.__enter__()
        try:
            built: Cast = build(None)
            yield {f.name: getattr(built, f.name).pk for f in fields(Cast)}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _shared_sessions(_shared_cast: dict[str, int], django_db_blocker) -> dict[int, str]:
    """User id → session key of a session signed in as that user (inside ``_shared_cast``)."""
    keys: dict[int, str] = {}
    with django_db_blocker.unblock():
        for user in User.objects.filter(pk__in=_shared_cast.values()):
            client = Client()
            client.force_login(user)
            keys[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


@pytest.fixture
def cast(_shared_cast: dict[str, int], db) -> Cast:
    """The role cast (same org, users and roles as ``tests/conftest.py``), fresh per test."""
    kinds = {f.name: f.type for f in fields(Cast)}
    users = User.objects.in_bulk([pk for n, pk in _shared_cast.items() if kinds[n] is User])
    units = OrgUnit.objects.in_bulk([pk for n, pk in _shared_cast.items() if kinds[n] is OrgUnit])
    return Cast(
        **{name: (users if kinds[name] is User else units)[pk] for name, pk in _shared_cast.items()}
    )


@pytest.fixture
def client_for(_shared_sessions: dict[int, str], db) -> Callable[[User | None], Client]:
    """A test client signed in as the given user (anonymous for None)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            if user.pk in _shared_sessions:
                client.cookies[settings.SESSION_COOKIE_NAME] = _shared_sessions[user.pk]
            else:
                client.force_login(user)
        return client

    return make
