"""The REST API at /api/: OpenAPI at /api/docs and /api/openapi.json.

Two ways in: the browser session (CSRF enforced on writes) and personal API tokens
(``Authorization: Bearer ka_…``, created in the user menu, stored hashed).
Every route reads through the same selectors and writes through the same services as the pages.
"""

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

import keyaccount

from . import api_errors


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from keyaccount.org.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
            # Answers in the token owner's language, as the session does for the browser
            # (``UserLanguageMiddleware`` ran before the token was known).
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser session, for active users only; CSRF is checked on unsafe methods."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Nobody signed in: a 401 like any other unauthenticated call, not a CSRF 403.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return super()._get_key(request)

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
        "follows the same visibility rule as the pages: a record you may not see is a 404.\n\n"
        'Errors have one shape, `{"detail": message, "errors": {field: [messages]}}`, with '
        "messages in your language: 422 bad input, 403 an action you may not take on a record you "
        "can see, 404 missing or not visible, 409 a conflict (a stale `version`: someone saved "
        "since you read the record; `current_version` says what it is now)."
    ),
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
)
api_errors.install(api)


def _register_routers() -> None:
    from keyaccount.contacts.api import router as contacts_router
    from keyaccount.customers.api import router as customers_router
    from keyaccount.org.api import router as org_router
    from keyaccount.pipeline.api import router as pipeline_router
    from keyaccount.pipeline.api_gate import router as pipeline_gate_router
    from keyaccount.pipeline.api_work import router as pipeline_work_router
    from keyaccount.process.api import router as process_router

    api.add_router("/", org_router)
    api.add_router("/process/", process_router)
    api.add_router("/customers/", customers_router)
    api.add_router("/contacts/", contacts_router)
    api.add_router("/pipeline/", pipeline_router)
    api.add_router("/pipeline/", pipeline_gate_router)
    api.add_router("/pipeline/", pipeline_work_router)


_register_routers()
