"""The REST API at /api/: OpenAPI at /api/docs and /api/openapi.json.

Two ways in: the browser session (CSRF enforced on writes) and personal API tokens
(``Authorization: Bearer ka_…``, created in the user menu, stored hashed).
Every route reads through the same selectors and writes through the same services as the pages.
"""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

import keyaccount
from keyaccount.contacts.api import customer_router as contacts_customer_router
from keyaccount.contacts.api import router as contacts_router
from keyaccount.core import api_errors
from keyaccount.core.api import router as core_router
from keyaccount.customers.api import router as customers_router
from keyaccount.org.api import router as org_router
from keyaccount.org.api_auth import ActiveSessionAuth, TokenAuth
from keyaccount.org.api_notifications import router as org_notifications_router
from keyaccount.org.api_people import router as org_people_router
from keyaccount.pipeline.api import router as pipeline_router
from keyaccount.process.api import router as process_router
from keyaccount.transfer.api import router as transfer_router
from keyaccount.transfer.api_mapping import router as transfer_mapping_router


class KeyaccountAPI(NinjaAPI):
    """The product's API object: short, stable operation ids (the view's name: ``customer_list``,
    not a module path), and the answers every operation may give documented on each: 401 for
    any without credentials, 400 for a body that is not JSON."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(*args, **kwargs)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                if operation.get("security"):
                    responses.setdefault(
                        "401",
                        {
                            "description": "No valid credentials (token or session).",
                            "content": error,
                        },
                    )
                if "requestBody" in operation:
                    responses.setdefault(
                        "400", {"description": "The body cannot be parsed.", "content": error}
                    )
        return schema


api = KeyaccountAPI(
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
        "since you read the record; `current_version` says what it is now).\n\n"
        "Every integer is bounded and its range documented: a record id runs from 1 to "
        "9223372036854775807 (2^63 − 1, the largest database key), a list has a maximum "
        "length. A value outside its range, in the path, the query string or the body, is a "
        "422 like any malformed value, and is never looked up; an id within range that names "
        "no record you can see is a 404."
    ),
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
)
api_errors.install(api)

# The routers of every app, assembled here (the top package): no app knows the others' routes.
api.add_router("/", core_router)
api.add_router("/", org_router)
api.add_router("/", org_notifications_router)
api.add_router("/", org_people_router)
api.add_router("/process/", process_router)
api.add_router("/customers/", customers_router)
api.add_router("/contacts/", contacts_router)
api.add_router("/customers/", contacts_customer_router)
api.add_router("/pipeline/", pipeline_router)
api.add_router("/", transfer_router)
api.add_router("/", transfer_mapping_router)
