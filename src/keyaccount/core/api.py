"""The REST API at /api/: OpenAPI at /api/docs and /api/openapi.json.

Two ways in: the browser session (CSRF enforced on writes) and personal API tokens
(``Authorization: Bearer ka_…``, created in the user menu, stored hashed).
Every route reads through the same selectors and writes through the same services as the pages.
"""

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

import keyaccount


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from keyaccount.org.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser session, for active users only; CSRF is checked on unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and getattr(user, "is_active", False):
            return user
        return None


api = NinjaAPI(
    title="keyaccount API",
    version=keyaccount.__version__,
    description=(
        "Key-account sales process management. Authenticate with a personal API token "
        "(`Authorization: Bearer ka_…`, create one under *API tokens* in the user menu) or with "
        "the browser session (send the `X-CSRFToken` header on writes). Every list and object "
        "follows the same visibility rule as the pages: a record you may not see is a 404."
    ),
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
)


def _register_routers() -> None:
    from keyaccount.contacts.api import router as contacts_router
    from keyaccount.customers.api import router as customers_router
    from keyaccount.org.api import router as org_router
    from keyaccount.process.api import router as process_router

    api.add_router("/", org_router)
    api.add_router("/process/", process_router)
    api.add_router("/customers/", customers_router)
    api.add_router("/contacts/", contacts_router)


_register_routers()
