"""The pipeline over REST: opportunity lists, totals, the board and the major-project list;
opening, reading, editing and reassigning an opportunity; its forecast changes.

Three routers share the prefix ``/api/pipeline/``: this one, ``api_gate`` (the gate, moves,
outcomes, contract and milestones) and ``api_work`` (elements, competitors, buying roles and
the power map, team, follow-ups, risk assessments); the lookups and conversions they share are
here. Every route reads through ``pipeline.selectors`` (built on ``visible_to(user)``: an
opportunity outside it is a 404, the same answer as a missing one) and writes through one
``pipeline.services`` call, which decides everything, the gate and the risk decision
included: the API only parses, calls and reports. Errors are mapped in ``core.api_errors``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from keyaccount.core.api_errors import errors, remap_errors
from keyaccount.core.lookup import get_or_404
from keyaccount.core.schemas import RefOut, UserRef
from keyaccount.customers import selectors as customer_selectors
from keyaccount.org.models import User
from keyaccount.process.models import Stage, Step

from . import rules, selectors, services
from .models import ForecastChange, KeyElement, Opportunity
from .schemas import (
    BoardColumnOut,
    BoardOut,
    BoardQuery,
    CurrencyTotal,
    DealPermissions,
    ElementOut,
    FilterQuery,
    ForecastChangeOut,
    MajorProjectPage,
    MajorQuery,
    OpportunityDetail,
    OpportunityIn,
    OpportunityListItem,
    OpportunityPage,
    OpportunityPatch,
    OpportunityQuery,
    ReassignIn,
    StageRef,
    StepRef,
    TotalsOut,
    TotalsQuery,
)

router = Router(tags=["pipeline"])

#: Service error keys (model fields) → the API's field names.
ERROR_NAMES = {
    "customer": "customer_id",
    "owner": "owner_id",
    "user": "user_id",
    "contact": "contact_id",
    "criterion": "criterion_id",
    "winner": "winner_id",
}
#: Deal fields whose ``null`` means empty text.
_TEXT_FIELDS = frozenset(
    {"name", "products", "source", "strategic_note", "probability_reason", "currency"}
)
CENT = Decimal("0.01")


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


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


# --- conversions ----------------------------------------------------------------------------


def user_ref(user: Any) -> UserRef:
    return UserRef(id=user.pk, username=user.username, name=str(user))


def maybe_user(user: Any) -> UserRef | None:
    return user_ref(user) if user is not None else None


def ref(obj: Any) -> RefOut | None:
    return RefOut(id=obj.pk, name=str(obj)) if obj is not None else None


def stage_ref(stage: Stage) -> StageRef:
    return StageRef(id=stage.pk, code=stage.code, order=stage.order, name=stage.name)


def step_ref(step: Step | None, stage: Stage | None) -> StepRef | None:
    """``stage`` is the step's own (already loaded): its order numbers the step."""
    if step is None:
        return None
    order = stage.order if stage is not None else step.stage.order
    return StepRef(id=step.pk, code=step.code, number=f"{order}.{step.order}", name=step.name)


def cents(value: Decimal | None) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def norms() -> dict[int, int]:
    return dict(selectors.stage_norms())


def _item_fields(o: Opportunity, stage_norms: dict[int, int], now: datetime) -> dict[str, Any]:
    probability = int(getattr(o, "prob", o.probability))
    flags = selectors.health_flags(o, stage_norms, now)
    return {
        "id": o.pk,
        "name": o.name,
        "customer": RefOut(id=o.customer_id, name=o.customer.name),
        "owner": user_ref(o.owner),
        "amount": o.amount,
        "currency": o.currency,
        "expected_signing": o.expected_signing,
        "stage": stage_ref(o.stage),
        "step": step_ref(o.step, o.stage),
        "stage_entered_at": o.stage_entered_at,
        "days_in_stage": max(0, (now - o.stage_entered_at).days),
        "status": o.status,
        "status_label": str(o.get_status_display()),
        "probability": probability,
        "weighted": rules.weighted_amount(o.amount, probability),
        "health": flags,
        "health_labels": [str(rules.HEALTH_LABELS[rules.Health(f)]) for f in flags],
        "risk_level": o.risk_level or None,
        "risk_decision": o.risk_decision or None,
        "version": o.version,
        "updated_at": o.updated_at,
    }


def list_item(o: Opportunity, stage_norms: dict[int, int], now: datetime) -> OpportunityListItem:
    return OpportunityListItem(**_item_fields(o, stage_norms, now))


def element_out(row: KeyElement) -> ElementOut:
    return ElementOut(
        element=cast(Any, row.element),
        label=str(row.get_element_display()),
        status=cast(Any, row.status),
        status_label=str(row.get_status_display()),
        notes=row.notes,
        updated_by=maybe_user(row.updated_by),
        updated_at=row.updated_at,
    )


def elements_of(opp: Opportunity) -> list[KeyElement]:
    """The six key evaluation elements in the playbook's order (unknown where never set)."""
    rows = {
        r.element: r
        for r in KeyElement.objects.filter(opportunity=opp).select_related("updated_by")
    }
    return [rows.get(e) or KeyElement(opportunity=opp, element=e) for e in rules.Element.values]


def permissions_out(user: Any, opp: Opportunity) -> DealPermissions:
    return DealPermissions(**services.access(user, opp).as_dict())


def opportunity_detail(opp: Opportunity, user: Any) -> OpportunityDetail:
    return OpportunityDetail(
        **_item_fields(opp, norms(), timezone.now()),
        products=opp.products,
        source=cast(Any, opp.source or None),
        source_label=str(opp.get_source_display()) if opp.source else "",
        strategic_fit=opp.strategic_fit,
        strategic_note=opp.strategic_note,
        probability_override=opp.probability_override,
        probability_reason=opp.probability_reason,
        stage_probability=opp.stage.probability,
        closed_at=opp.closed_at,
        loss_reason=ref(opp.loss_reason),
        winner=ref(opp.winner),
        close_reason=opp.close_reason,
        signing_slips=opp.signing_slips,
        elements=[element_out(e) for e in elements_of(opp)],
        permissions=permissions_out(user, opp),
        created_at=opp.created_at,
    )


# --- lookups --------------------------------------------------------------------------------


def deal(request: HttpRequest, opportunity_id: int) -> Opportunity:
    """A visible opportunity, or 404."""
    return get_or_404(selectors.detail_queryset(user=_user(request)), pk=opportunity_id)


def id_in_text(value: str) -> int | None:
    """A stage id given as text (``"7"``), or None for a code."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def stage_ids(values: list[str]) -> list[int]:
    """Stages given by id or code → ids; an unknown one is a 422 on ``stage``."""
    if not values:
        return []
    numbers = {n for v in values if (n := id_in_text(v)) is not None}
    found = list(
        Stage.objects.filter(Q(pk__in=numbers) | Q(code__in=values)).values_list("id", "code")
    )
    ids, codes = {i for i, _c in found}, {c for _i, c in found}
    unknown = [v for v in values if v not in codes and id_in_text(v) not in ids]
    if unknown:
        raise ValidationError(
            {"stage": [_("There is no such stage: %(stages)s") % {"stages": ", ".join(unknown)}]}
        )
    return sorted(ids)


def filters_of(
    query: FilterQuery, *, status: str = rules.Status.OPEN, sort: str = "signing"
) -> selectors.OpportunityFilters:
    return selectors.OpportunityFilters(
        q=query.q,
        status="" if status == "all" else status,
        stages=stage_ids(query.stage),
        owner=query.owner,
        team=query.team,
        region=query.region,
        industry=query.industry,
        grades=list(query.grade),
        customer=query.customer,
        signing_from=query.signing_from,
        signing_to=query.signing_to,
        amount_min=query.amount_min,
        amount_max=query.amount_max,
        health=list(query.health),
        risk=query.risk or "",
        sort=sort,
    )


def deal_data(payload: OpportunityIn | OpportunityPatch, *, partial: bool) -> dict[str, Any]:
    """The service's ``data``: the deal fields sent, ``null`` text as empty text."""
    sent = payload.model_dump(exclude_unset=partial)
    data: dict[str, Any] = {}
    for field in services.DEAL_FIELDS:
        if field not in sent:
            continue
        value = sent[field]
        if value is None and field in _TEXT_FIELDS:
            value = ""
        elif value is None and field == "strategic_fit":
            value = False
        data[field] = value
    return data


# --- lists, totals, board -------------------------------------------------------------------


@router.get(
    "/opportunities",
    response={200: OpportunityPage, **errors(422)},
    summary="Opportunities visible to me, filtered, sorted and paginated",
)
def opportunity_list(request: HttpRequest, query: Query[OpportunityQuery]) -> OpportunityPage:
    """The same list and filters as the pipeline page; open deals unless `status` says
    otherwise. Each item carries its probability, weighted amount and health flags; `count`
    is the total over all pages (`GET /pipeline/opportunities/totals` sums them). Paginate
    with `limit`/`offset` or `page`/`page_size` (50 rows unless told otherwise)."""
    qs = selectors.opportunity_list(
        user=_user(request), filters=filters_of(query, status=query.status, sort=query.sort)
    )
    offset, limit = query.window()
    stage_norms, now = norms(), timezone.now()
    return OpportunityPage(
        count=qs.count(),
        offset=offset,
        limit=limit,
        items=[list_item(o, stage_norms, now) for o in qs[offset : offset + limit]],
    )


@router.get(
    "/opportunities/totals",
    response={200: TotalsOut, **errors(422)},
    summary="Count, amount and weighted amount of the filtered list, per currency",
)
def opportunity_totals(request: HttpRequest, query: Query[TotalsQuery]) -> TotalsOut:
    """Same filters as the list. Amounts of different currencies are never added up."""
    qs = selectors.opportunity_list(
        user=_user(request), filters=filters_of(query, status=query.status)
    )
    totals = selectors.totals(qs)
    return TotalsOut(
        count=totals.count,
        by_currency=[CurrencyTotal(**row) for row in totals.by_currency],
    )


@router.get(
    "/board",
    response={200: BoardOut, **errors(422)},
    summary="The pipeline board: open opportunities by stage",
)
def board(request: HttpRequest, query: Query[BoardQuery]) -> BoardOut:
    """One column per stage of the playbook: how many open deals, their amount and weighted
    amount, and the first `per_column` cards by signing date. Same filters as the list. Moving
    a card is a gate request: `POST /pipeline/opportunities/{id}/move`."""
    columns = selectors.board(
        user=_user(request), filters=filters_of(query), per_column=query.per_column
    )
    stage_norms = {c.stage.pk: c.stage.norm_days for c in columns}
    now = timezone.now()
    return BoardOut(
        columns=[
            BoardColumnOut(
                stage=stage_ref(c.stage),
                count=c.count,
                amount=cents(c.amount),
                weighted=cents(c.weighted),
                cards=[list_item(o, stage_norms, now) for o in c.cards],
            )
            for c in columns
        ]
    )


@router.get(
    "/major-projects",
    response={200: MajorProjectPage, **errors(422)},
    summary="The major-project list (大项目名单): open or won deals above the threshold",
)
def major_projects(request: HttpRequest, query: Query[MajorQuery]) -> MajorProjectPage:
    """Visible open and won opportunities of at least the policy's amount (`threshold`),
    largest first unless `sort` says otherwise."""
    threshold = services.policy().major_project_amount
    qs = selectors.major_projects(
        user=_user(request),
        filters=selectors.OpportunityFilters(status="", sort=query.sort),
        threshold=threshold,
    )
    offset, limit = query.window()
    stage_norms, now = norms(), timezone.now()
    return MajorProjectPage(
        count=qs.count(),
        offset=offset,
        limit=limit,
        threshold=threshold,
        items=[list_item(o, stage_norms, now) for o in qs[offset : offset + limit]],
    )


# --- one opportunity ------------------------------------------------------------------------


@router.post(
    "/opportunities",
    response={201: OpportunityDetail, **errors(403, 404, 422)},
    summary="Open an opportunity on a registered customer",
)
def opportunity_create(request: HttpRequest, payload: OpportunityIn) -> Status[OpportunityDetail]:
    """The deal starts in the playbook's first stage and step, with the key evaluation
    elements unknown. The customer's owner and their managers open deals on it (else 403);
    a customer you cannot see is a 404. A probability override needs its reason."""
    user = _user(request)
    customer = get_or_404(
        customer_selectors.customer_detail_queryset(user=user), pk=payload.customer_id
    )
    with service_errors():
        opp = services.opportunity_create(
            actor=user, customer=customer, data=deal_data(payload, partial=False)
        )
    return Status(201, opportunity_detail(deal(request, opp.pk), user))


@router.get(
    "/opportunities/{opportunity_id}",
    response={200: OpportunityDetail, **errors(404, 422)},
    summary="One opportunity: the deal, its forecast, health and key evaluation elements",
)
def opportunity_get(request: HttpRequest, opportunity_id: int) -> OpportunityDetail:
    """`permissions` says what you may do to it. Send `version` back when you change it."""
    return opportunity_detail(deal(request, opportunity_id), _user(request))


@router.patch(
    "/opportunities/{opportunity_id}",
    response={200: OpportunityDetail, **errors(403, 404, 409, 422)},
    summary="Change the deal's fields",
)
def opportunity_patch(
    request: HttpRequest, opportunity_id: int, payload: OpportunityPatch
) -> OpportunityDetail:
    """Only the fields sent change. Amount, expected signing date and probability changes are
    recorded with `reason` (`GET …/forecast-changes`); a later signing date counts as a slip.
    `version` is the one you read: if someone saved since, the answer is 409 naming who."""
    user = _user(request)
    opp = deal(request, opportunity_id)
    with service_errors():
        services.opportunity_update(
            actor=user,
            opportunity=opp,
            data=deal_data(payload, partial=True),
            expected_version=payload.version,
            reason=payload.reason,
        )
    return opportunity_detail(deal(request, opportunity_id), user)


@router.post(
    "/opportunities/{opportunity_id}/reassign",
    response={200: OpportunityDetail, **errors(403, 404, 422)},
    summary="Hand the deal to another manager",
)
def opportunity_reassign(
    request: HttpRequest, opportunity_id: int, payload: ReassignIn
) -> OpportunityDetail:
    """The owner's managers (team manager, department head, sales director) decide, with a
    reason kept in the deal's history."""
    user = _user(request)
    opp = deal(request, opportunity_id)
    owner = User.objects.filter(pk=payload.owner_id).first()
    if owner is None:
        raise no_such("owner_id", payload.owner_id)
    with service_errors():
        services.opportunity_reassign(
            actor=user, opportunity=opp, owner=owner, reason=payload.reason
        )
    return opportunity_detail(deal(request, opportunity_id), user)


@router.get(
    "/opportunities/{opportunity_id}/forecast-changes",
    response={200: list[ForecastChangeOut], **errors(404, 422)},
    summary="Changes of amount, expected signing date and probability, newest first",
)
def forecast_changes(request: HttpRequest, opportunity_id: int) -> list[ForecastChangeOut]:
    opp = deal(request, opportunity_id)
    rows = ForecastChange.objects.filter(opportunity=opp).select_related("changed_by")
    return [
        ForecastChangeOut(
            id=r.pk,
            field=cast(Any, r.field),
            field_label=str(r.get_field_display()),
            old_value=r.old_value,
            new_value=r.new_value,
            changed_by=maybe_user(r.changed_by),
            changed_at=r.changed_at,
            reason=r.reason,
        )
        for r in rows
    ]
