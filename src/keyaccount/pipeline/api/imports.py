"""Deals brought in from another system, with their stage, owner, dates and outcome."""

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Status

from keyaccount.core.api_errors import errors
from keyaccount.customers.models import Customer
from keyaccount.org.models import User
from keyaccount.org.requests import AuthenticatedRequest
from keyaccount.process.models import Stage, Step

from .. import permissions, rules, services
from ..models import Competitor, LossReason
from ..schemas import ImportedDealIn, OpportunitiesImportIn, OpportunitiesImportOut
from ._errors import no_such

router = Router()


@router.post(
    "/opportunities/import",
    response={201: OpportunitiesImportOut, **errors(403, 422)},
    summary="Bring in deals from another system at their stage, with their dates and outcome",
)
def opportunities_import(
    request: AuthenticatedRequest, payload: OpportunitiesImportIn
) -> Status[OpportunitiesImportOut]:
    """For an administrator, or the sales director covering the owners' units (else 403):
    each deal stands at the stage and status given, with one *imported* transition dated
    `created_on` that says no gate was run; a won deal gets its contract (signed on
    `closed_on`), a lost one its loss reason and winner. All the deals or none: a 422 names
    each refused deal by its position (`deals.3.closed_on`). A customer you cannot see is
    refused like a missing one. Up to 1,000 deals per request."""
    user = request.auth
    if not permissions.may_import_deals(permissions.capabilities_for(user)):
        raise PermissionDenied(services.import_refusal())
    deals = _resolved(user, payload.deals)
    try:
        ids = services.opportunities_import(actor=user, deals=deals, source=payload.source)
    except ValidationError as exc:
        raise ValidationError({_where(k): v for k, v in exc.message_dict.items()}) from exc
    return Status(201, OpportunitiesImportOut(ids=ids))


_API_NAMES = {"loss_reason_id": "loss_reason"}


def _where(key: str) -> str:
    """The service's ``<position>.<field>`` (positions from 1) as the body's path."""
    position, _dot, field = key.partition(".")
    field = _API_NAMES.get(field, field)
    return f"deals.{int(position) - 1}" + (f".{field}" if field else "")


def _resolved(user: User, items: list[ImportedDealIn]) -> list[rules.ImportedDeal]:
    """The deals with their references checked in a fixed number of queries."""
    customers = dict(
        Customer.objects.visible_to(user)
        .filter(pk__in={d.customer_id for d in items})
        .values_list("pk", "owner_id")
    )
    steps = dict(Step.objects.values_list("pk", "stage_id"))
    stages = set(Stage.objects.values_list("pk", flat=True))
    reasons = dict(LossReason.objects.filter(is_active=True).values_list("code", "pk"))
    winners = set(
        Competitor.objects.filter(pk__in={d.winner_id for d in items if d.winner_id}).values_list(
            "pk", flat=True
        )
    )
    owners = set(
        User.objects.filter(
            pk__in={d.owner_id for d in items if d.owner_id}, is_active=True
        ).values_list("pk", flat=True)
    )
    problems: dict[str, list[str]] = {}
    deals = []
    for position, d in enumerate(items):

        def refuse(field: str, value: object, at: int = position) -> None:
            problems.update(no_such(f"deals.{at}.{field}", value).message_dict)

        if d.customer_id not in customers:
            refuse("customer_id", d.customer_id)
        if d.stage_id not in stages:
            refuse("stage_id", d.stage_id)
        if d.step_id is not None and steps.get(d.step_id) != d.stage_id:
            refuse("step_id", d.step_id)
        if d.owner_id is not None and d.owner_id not in owners:
            refuse("owner_id", d.owner_id)
        if d.loss_reason is not None and d.loss_reason not in reasons:
            refuse("loss_reason", d.loss_reason)
        if d.winner_id is not None and d.winner_id not in winners:
            refuse("winner_id", d.winner_id)
        if problems:
            continue
        deals.append(
            rules.ImportedDeal(
                customer_id=d.customer_id,
                name=d.name,
                amount=d.amount,
                currency=d.currency,
                expected_signing=d.expected_signing or d.closed_on,
                owner_id=d.owner_id or customers[d.customer_id],
                stage_id=d.stage_id,
                step_id=d.step_id,
                status=d.status,
                created_on=d.created_on,
                closed_on=d.closed_on,
                products=d.products,
                contract_number=" ".join(d.contract_number.split()),
                signed_amount=d.signed_amount,
                loss_reason_id=reasons.get(d.loss_reason or ""),
                winner_id=d.winner_id,
                close_reason=d.close_reason,
            )
        )
    if problems:
        raise ValidationError(problems)
    return deals
