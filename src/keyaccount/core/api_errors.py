"""One error shape for the whole REST API, and the exception handlers that produce it.

Routes never build error responses themselves: services raise Django's ``ValidationError`` and
``PermissionDenied``, ``core.versioning`` raises ``StaleEditError``, lookups raise ``Http404``,
and the handlers installed on the API object by ``install`` turn them into

- 422 ``{"detail": "…", "errors": {"field": ["message", …]}}`` (bad input: services and request
  parsing alike; ``__all__`` holds errors that belong to no field),
- 403 ``{"detail": "…"}`` (the record is visible but the action is not allowed),
- 404 ``{"detail": "…"}`` (missing, or outside the user's visibility: the same answer),
- 409 ``{"detail": "…", "current_version": n}`` (someone saved since the client read it).

Messages are in the requester's language (session: ``UserLanguageMiddleware``; token: the token
authenticator activates the user's language).
"""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from .versioning import StaleEditError

if TYPE_CHECKING:
    from ninja import NinjaAPI


class ErrorOut(Schema):
    """Every error answer of the API."""

    detail: str
    errors: dict[str, list[str]] | None = None
    current_version: int | None = None


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """``response={200: X, **errors(404, 422)}``: document the error answers of a route."""
    return dict.fromkeys(codes, ErrorOut)


def _field_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


def _detail(field_errors: dict[str, list[str]]) -> str:
    messages = list(dict.fromkeys(m for ms in field_errors.values() for m in ms))
    return " ".join(messages) if messages else _("The request is not valid.")


def _request_error_key(loc: Any) -> str:
    """Where in the request: ``("body", "payload", "name")`` → ``name``, ``("query", "limit")``
    → ``limit``, ``("query", "query", "grade", 0)`` → ``grade.0``.

    ninja's ``loc`` is the source, then (unless ninja flattened it) the name of the view's
    parameter, then the path inside it; the parameter's name is no part of the request."""
    rest = list(loc or ())[1:]
    if len(rest) > 1 and isinstance(rest[1], str):
        rest = rest[1:]
    return ".".join(str(p) for p in rest) or NON_FIELD_ERRORS


def remap_errors(exc: DjangoValidationError, names: dict[str, str]) -> DjangoValidationError:
    """The same errors under the API's field names (``region`` → ``region_id``)."""
    if not hasattr(exc, "error_dict"):
        return exc
    return DjangoValidationError(
        {names.get(field, field): messages for field, messages in exc.message_dict.items()}
    )


def install(api: "NinjaAPI") -> None:
    def validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        field_errors = _field_errors(exc)
        body = {"detail": _detail(field_errors), "errors": field_errors}
        return api.create_response(request, body, status=422)

    def request_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        field_errors: dict[str, list[str]] = {}
        for error in exc.errors:
            key = _request_error_key(error.get("loc"))
            field_errors.setdefault(key, []).append(str(error.get("msg", "")))
        body = {"detail": _("The request is not valid."), "errors": field_errors}
        return api.create_response(request, body, status=422)

    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = str(exc) or _("You may not do this.")
        return api.create_response(request, {"detail": detail}, status=403)

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found")}, status=404)

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        """ninja's own answers (an unreadable body, no credentials), in the requester's
        language and the one error shape."""
        detail = {
            400: _("The body of the request cannot be read: send valid JSON."),
            401: _("Sign in, or send a valid API token (Authorization: Bearer ka_…)."),
        }.get(exc.status_code, str(exc))
        return api.create_response(request, {"detail": detail}, status=exc.status_code)

    def stale_edit(request: HttpRequest, exc: StaleEditError) -> HttpResponse:
        body = {"detail": exc.message, "current_version": exc.current_version}
        return api.create_response(request, body, status=409)

    handlers: list[tuple[type[Exception], Any]] = [
        (DjangoValidationError, validation_error),
        (NinjaValidationError, request_error),
        (PermissionDenied, permission_denied),
        (Http404, not_found),
        (StaleEditError, stale_edit),
        (HttpError, http_error),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
