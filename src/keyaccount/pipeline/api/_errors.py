"""How the pipeline routes report a refusal: a service's ``ValidationError`` under the API's
field names, a 422 for an id or code that names nothing, and the gate's 409."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Status

from keyaccount.core.api_errors import remap_errors

from .. import services
from ..schemas import GateRefusedOut

#: Service error keys (model fields) → the API's field names.
ERROR_NAMES = {
    "customer": "customer_id",
    "owner": "owner_id",
    "user": "user_id",
    "contact": "contact_id",
    "criterion": "criterion_id",
    "winner": "winner_id",
}

#: How a gate's refusal is answered, for the descriptions of the routes that pass a gate.
GATE_DOC = (
    " A move the gate refuses answers **409** with `missing`, the list of what is missing "
    "(one sentence each), and changes nothing. 403: you may not move this deal (only its "
    "owner and their managers do)."
)


@contextmanager
def service_errors() -> Iterator[None]:
    """A service's ``ValidationError`` under the API's field names (a refused gate passes)."""
    try:
        yield
    except services.GateRefused:
        raise
    except ValidationError as exc:
        raise remap_errors(exc, ERROR_NAMES) from exc


def no_such(field: str, value: object) -> ValidationError:
    """422 on ``field``: the id or code it names does not exist."""
    if isinstance(value, int):
        message = _("There is no such entry (id %(id)s).") % {"id": value}
    else:
        message = _("There is no such entry (%(value)s).") % {"value": value}
    return ValidationError({field: [message]})


def refused(exc: services.GateRefused) -> Status[GateRefusedOut]:
    """409 with the gate's list of what is missing."""
    detail = _("The gate refuses this move: %(missing)s") % {"missing": " ".join(exc.problems)}
    return Status(409, GateRefusedOut(detail=detail, missing=exc.problems))
