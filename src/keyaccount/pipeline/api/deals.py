"""The deal itself over REST: opportunity lists, totals, the board and the major-project list;
opening, reading, editing and reassigning an opportunity; its forecast changes."""

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from keyaccount.core import events
from keyaccount.core.api_errors import errors
from keyaccount.core.schemas import Id
from keyaccount.customers.access import customer_for
from keyaccount.org.models import User
from keyaccount.org.requests import AuthenticatedRequest
from keyaccount.process.models import Stage

from .. import aggregates, rules, selectors, services
from ..access import opportunity_for
from ..models import ForecastChange
from ..schemas import (
    BoardColumnOut,
    BoardOut,
    BoardQuery,
    CurrencyTotal,
    FilterQuery,
    ForecastChangeOut,
    MajorProjectPage,
    MajorQuery,
    OpportunityDetail,
    OpportunityIn,
    OpportunityPage,
    OpportunityPatch,
    OpportunityQuery,
    ReassignIn,
    TotalsOut,
    TotalsQuery,
)
from ._convert import (
    PageRefs,
    cents,
    id_in_text,
    list_item,
    maybe_user,
    norms,
    opportunity_detail,
    stage_ref,
)
from ._errors import no_such, service_errors

router = Router()

#: Deal fields whose ``null`` means empty text.
_TEXT_FIELDS = frozenset(
    {"name", "products", "source", "strategic_note", "probability_reason", "currency"}
)


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
def opportunity_list(
    request: AuthenticatedRequest, query: Query[OpportunityQuery]
) -> OpportunityPage:
    """The same list and filters as the pipeline page; open deals unless `status` says
    otherwise. Each item carries its probability, weighted amount and health flags; `count`
    is the total over all pages (`GET /pipeline/opportunities/totals` sums them). Paginate
    with `limit`/`offset` or `page`/`page_size` (50 rows unless told otherwise)."""
    filters = filters_of(query, status=query.status, sort=query.sort)
    qs = selectors.opportunity_list(user=request.auth, filters=filters)
    offset, limit = query.window()
    stage_norms, now, refs = norms(), timezone.now(), PageRefs()
    return OpportunityPage(
        count=aggregates.count_for(user=request.auth, filters=filters, queryset=qs),
        offset=offset,
        limit=limit,
        items=[list_item(o, stage_norms, now, refs) for o in qs[offset : offset + limit]],
    )


@router.get(
    "/opportunities/totals",
    response={200: TotalsOut, **errors(422)},
    summary="Count, amount and weighted amount of the filtered list, per currency",
)
def opportunity_totals(request: AuthenticatedRequest, query: Query[TotalsQuery]) -> TotalsOut:
    """Same filters as the list. Amounts of different currencies are never added up."""
    filters = filters_of(query, status=query.status)
    totals = aggregates.totals_for(user=request.auth, filters=filters)
    return TotalsOut(
        count=totals.count,
        by_currency=[CurrencyTotal(**row) for row in totals.by_currency],
    )


@router.get(
    "/board",
    response={200: BoardOut, **errors(422)},
    summary="The pipeline board: open opportunities by stage",
)
def board(request: AuthenticatedRequest, query: Query[BoardQuery]) -> BoardOut:
    """One column per stage of the playbook: how many open deals, their amount and weighted
    amount, and the first `per_column` cards by signing date. Same filters as the list. Moving
    a card is a gate request: `POST /pipeline/opportunities/{id}/move`."""
    columns = aggregates.board(
        user=request.auth, filters=filters_of(query), per_column=query.per_column
    )
    stage_norms = {c.stage.pk: c.stage.norm_days for c in columns}
    now, refs = timezone.now(), PageRefs()
    return BoardOut(
        columns=[
            BoardColumnOut(
                stage=stage_ref(c.stage),
                count=c.count,
                amount=cents(c.amount),
                weighted=cents(c.weighted),
                cards=[list_item(o, stage_norms, now, refs) for o in c.cards],
            )
            for c in columns
        ]
    )


@router.get(
    "/major-projects",
    response={200: MajorProjectPage, **errors(422)},
    summary="The major-project list (大项目名单): open or won deals above the threshold",
)
def major_projects(request: AuthenticatedRequest, query: Query[MajorQuery]) -> MajorProjectPage:
    """Visible open and won opportunities of at least the policy's amount (`threshold`),
    largest first unless `sort` says otherwise."""
    threshold = services.policy().major_project_amount
    qs = selectors.major_projects(
        user=request.auth,
        filters=selectors.OpportunityFilters(status="", sort=query.sort),
        threshold=threshold,
    )
    offset, limit = query.window()
    stage_norms, now, refs = norms(), timezone.now(), PageRefs()
    return MajorProjectPage(
        count=qs.count(),
        offset=offset,
        limit=limit,
        threshold=threshold,
        items=[list_item(o, stage_norms, now, refs) for o in qs[offset : offset + limit]],
    )


# --- one opportunity ------------------------------------------------------------------------


@router.post(
    "/opportunities",
    response={201: OpportunityDetail, **errors(403, 404, 422)},
    summary="Open an opportunity on a registered customer",
)
def opportunity_create(
    request: AuthenticatedRequest, payload: OpportunityIn
) -> Status[OpportunityDetail]:
    """The deal starts in the playbook's first stage and step, with the key evaluation
    elements unknown. The customer's owner and their managers open deals on it (else 403);
    a customer you cannot see is a 404. A probability override needs its reason."""
    user = request.auth
    customer = customer_for(user, payload.customer_id)
    with service_errors():
        opp = services.opportunity_create(
            actor=user, customer=customer, data=deal_data(payload, partial=False)
        )
    return Status(201, opportunity_detail(opportunity_for(user, opp.pk), user))


@router.get(
    "/opportunities/{opportunity_id}",
    response={200: OpportunityDetail, **errors(404, 422)},
    summary="One opportunity: the deal, its forecast, health and key evaluation elements",
)
def opportunity_get(request: AuthenticatedRequest, opportunity_id: Id) -> OpportunityDetail:
    """`permissions` says what you may do to it. Send `version` back when you change it."""
    return opportunity_detail(opportunity_for(request.auth, opportunity_id), request.auth)


@router.patch(
    "/opportunities/{opportunity_id}",
    response={200: OpportunityDetail, **errors(403, 404, 409, 422)},
    summary="Change the deal's fields",
)
def opportunity_patch(
    request: AuthenticatedRequest, opportunity_id: Id, payload: OpportunityPatch
) -> OpportunityDetail:
    """Only the fields sent change. Amount, expected signing date and probability changes are
    recorded with `reason` (`GET …/forecast-changes`); a later signing date counts as a slip.
    `version` is the one you read: if someone saved since, the answer is 409 naming who."""
    user = request.auth
    opp = opportunity_for(user, opportunity_id)
    with service_errors():
        services.opportunity_update(
            actor=user,
            opportunity=opp,
            data=deal_data(payload, partial=True),
            expected_version=payload.version,
            reason=payload.reason,
        )
    return opportunity_detail(opportunity_for(user, opportunity_id), user)


@router.post(
    "/opportunities/{opportunity_id}/reassign",
    response={200: OpportunityDetail, **errors(403, 404, 422)},
    summary="Hand the deal to another manager",
)
def opportunity_reassign(
    request: AuthenticatedRequest, opportunity_id: Id, payload: ReassignIn
) -> OpportunityDetail:
    """The owner's managers (team manager, department head, sales director) decide, with a
    reason kept in the deal's history."""
    user = request.auth
    opp = opportunity_for(user, opportunity_id)
    owner = User.objects.filter(pk=payload.owner_id).first()
    if owner is None:
        raise no_such("owner_id", payload.owner_id)
    with service_errors():
        services.opportunity_reassign(
            actor=user, opportunity=opp, owner=owner, reason=payload.reason
        )
    return opportunity_detail(opportunity_for(user, opportunity_id), user)


@router.get(
    "/opportunities/{opportunity_id}/forecast-changes",
    response={200: list[ForecastChangeOut], **errors(404, 422)},
    summary="Changes of amount, expected signing date and probability, newest first",
)
def forecast_changes(request: AuthenticatedRequest, opportunity_id: Id) -> list[ForecastChangeOut]:
    opp = opportunity_for(request.auth, opportunity_id)
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
            reason=events.render(r.reason),
        )
        for r in rows
    ]
