"""Customers over REST: the KA list, profiles, registration, allocation, scorecard and grades,
evaluations, and the customer's org chart.

Every route reads through ``customers.selectors`` (built on ``visible_to(user)``: a customer
outside it is a 404, the same answer as a missing one) and writes through
``customers.services``; errors are mapped once, in ``core.api_errors``.
"""

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from keyaccount.core.api_errors import errors, remap_errors
from keyaccount.core.schemas import Id
from keyaccount.org.models import Industry, Region, User
from keyaccount.org.requests import AuthenticatedRequest

from . import permissions, selectors, services
from .access import customer_for, registration_for
from .filters import api_filters
from .models import (
    Customer,
    Evaluation,
    FactorScore,
    GradeChange,
    OwnerChange,
    RegistrationRequest,
    ScoringFactor,
)
from .schemas import (
    AllocationIn,
    AllocationOut,
    BulkDecisionIn,
    BulkDecisionOut,
    CustomerDetail,
    CustomerListItem,
    CustomerPage,
    CustomerPatch,
    CustomerPermissions,
    CustomerQuery,
    CustomerSummary,
    DecisionIn,
    DuplicateOut,
    DuplicatesOut,
    EvaluationIn,
    EvaluationOut,
    FactorOut,
    GradeChangeOut,
    GradeCode,
    GradeIn,
    OwnerChangeOut,
    OwnerRef,
    ProfileIn,
    RefOut,
    RegistrationIn,
    RegistrationOut,
    RegistrationPage,
    RegistrationQuery,
    ScorecardIn,
    ScorecardOut,
    StatusCode,
    ThresholdsOut,
    UserRef,
)

router = Router(tags=["customers"])

#: API field → model field, for the foreign keys of the profile.
_FK_FIELDS = {"region_id": "region", "industry_id": "industry"}
_ERROR_NAMES = {model: api for api, model in _FK_FIELDS.items()}
_NUMBER_FIELDS = frozenset(
    {"revenue", "profit", "budget", "actual_spend", "employees", "technical_staff"}
)


# --- conversions ----------------------------------------------------------------------------


def ref(obj: Model | None) -> RefOut | None:
    return RefOut(id=obj.pk, name=str(obj)) if obj is not None else None


def user_ref(user: User) -> UserRef:
    return UserRef(id=user.pk, username=user.username, name=str(user))


def maybe_user_ref(user: User | None) -> UserRef | None:
    return user_ref(user) if user is not None else None


def grade_code(value: str) -> GradeCode | None:
    """A grade column ("" until graded) as the API's grade (``null`` until graded)."""
    return cast(GradeCode, value) if value else None


def status_code(value: str) -> StatusCode:
    return cast(StatusCode, value)


def owner_ref(user: User) -> OwnerRef:
    """The owner with their unit (``select_related("owner__unit")`` keeps this query-free)."""
    unit = user.unit if user.unit_id else None
    return OwnerRef(
        id=user.pk,
        username=user.username,
        name=str(user),
        unit_id=user.unit_id,
        unit_name=unit.name if unit is not None else None,
    )


def _list_fields(c: Customer) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "short_name": c.short_name,
        "credit_code": c.credit_code,
        "region": ref(c.region),
        "industry": ref(c.industry),
        "owner": owner_ref(c.owner),
        "status": status_code(c.status),
        "status_label": str(c.get_status_display()),
        "grade": grade_code(c.grade),
        "score": c.score,
        "suggested_grade": grade_code(c.suggested_grade),
        "version": c.version,
        "updated_at": c.updated_at,
    }


def customer_item(c: Customer) -> CustomerListItem:
    return CustomerListItem(**_list_fields(c))


def customer_detail(c: Customer, user: User) -> CustomerDetail:
    caps = permissions.capabilities_for(user)
    unit_id = c.owner.unit_id
    return CustomerDetail(
        **_list_fields(c),
        **{
            f: getattr(c, f)
            for f in services.PROFILE_FIELDS
            if f not in ("name", "short_name", "credit_code", "region", "industry")
        },
        created_at=c.created_at,
        permissions=CustomerPermissions(
            edit_profile=permissions.can_edit_profile(caps, c.owner_id, unit_id),
            edit_contacts=permissions.can_edit_contacts(caps, c.owner_id, unit_id),
            score=permissions.can_score(caps, c.owner_id, unit_id),
            grade=permissions.can_grade(caps, unit_id),
            evaluate=permissions.can_evaluate(caps, c.owner_id, unit_id),
            allocate=permissions.can_allocate(caps, unit_id),
        ),
    )


def customer_summary(c: Customer) -> CustomerSummary:
    return CustomerSummary(
        id=c.pk,
        name=c.name,
        credit_code=c.credit_code,
        region=ref(c.region),
        industry=ref(c.industry),
        owner=owner_ref(c.owner),
        status=status_code(c.status),
        status_label=str(c.get_status_display()),
    )


def registration_out(r: RegistrationRequest) -> RegistrationOut:
    return RegistrationOut(
        id=r.pk,
        customer=customer_summary(r.customer),
        requested_by=user_ref(r.requested_by),
        created_at=r.created_at,
        confirmed_not_duplicate=r.confirmed_not_duplicate,
        duplicates_shown=r.duplicates_shown or [],
        decision=cast(Any, r.decision),
        decision_label=str(r.get_decision_display()),
        decided_by=maybe_user_ref(r.decided_by),
        decided_at=r.decided_at,
        reason=r.reason,
    )


def grade_change_out(g: GradeChange) -> GradeChangeOut:
    return GradeChangeOut(
        id=g.pk,
        old_grade=grade_code(g.old_grade),
        new_grade=cast(GradeCode, g.new_grade),
        suggested_grade=grade_code(g.suggested_grade),
        score=g.score,
        changed_by=maybe_user_ref(g.changed_by),
        changed_at=g.changed_at,
        reason=g.reason,
    )


def evaluation_out(e: Evaluation) -> EvaluationOut:
    return EvaluationOut(
        id=e.pk,
        customer_id=e.customer_id,
        evaluated_on=e.evaluated_on,
        relationship=e.relationship,
        needs_clarity=e.needs_clarity,
        competitive_position=e.competitive_position,
        solution_fit=e.solution_fit,
        payment_ability=e.payment_ability,
        total=e.total,
        summary=e.summary,
        next_steps=e.next_steps,
        evaluated_by=user_ref(e.evaluated_by),
        created_at=e.created_at,
    )


def profile_data(payload: ProfileIn, *, partial: bool) -> dict[str, Any]:
    """The service's ``data`` from a request body: region/industry ids become rows, a ``null``
    text becomes empty. An unknown region or industry is a 422 on that field."""
    sent = payload.model_dump(exclude_unset=partial, exclude={"version", "confirm_not_duplicate"})
    data: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for field, value in sent.items():
        if field in _FK_FIELDS:
            model = Region if field == "region_id" else Industry
            row = model.objects.filter(pk=value).first() if value is not None else None
            if value is not None and row is None:
                problems[field] = [_("There is no such entry (id %(id)s).") % {"id": value}]
            data[_FK_FIELDS[field]] = row
        elif field in services.PROFILE_FIELDS:
            data[field] = value if value is not None or field in _NUMBER_FIELDS else ""
    if problems:
        raise ValidationError(problems)
    return data


def _service_errors(exc: ValidationError) -> ValidationError:
    return remap_errors(exc, _ERROR_NAMES)


# --- the KA list and profiles ---------------------------------------------------------------


@router.get(
    "/",
    response={200: CustomerPage, **errors(422)},
    summary="The KA list: customers visible to me, filtered, sorted and paginated",
)
def customer_list(request: AuthenticatedRequest, query: Query[CustomerQuery]) -> CustomerPage:
    """The same list and filters as the KA list page; `count` is the total over all pages.
    Paginate with `limit`/`offset` or `page`/`page_size` (50 rows unless told otherwise)."""
    choices = selectors.filter_choices(user=request.auth)
    filters = api_filters(request.GET, choices)  # the page's, or a 422 for what it drops
    qs = selectors.customer_list(user=request.auth, filters=filters)
    offset, limit = query.window()
    return CustomerPage(
        count=qs.count(),
        offset=offset,
        limit=limit,
        items=[customer_item(c) for c in qs[offset : offset + limit]],
    )


@router.get(
    "/registrations",
    response={200: RegistrationPage, **errors(422)},
    summary="Registration requests visible to me (the assistant's queue)",
)
def registration_list(
    request: AuthenticatedRequest, query: Query[RegistrationQuery]
) -> RegistrationPage:
    """Pending requests oldest first (`decision=pending`, the default); decided ones newest
    first."""
    decision = "" if query.decision == "all" else query.decision
    qs = selectors.registration_queue(user=request.auth, decision=decision)
    offset, limit = query.window()
    return RegistrationPage(
        count=qs.count(),
        offset=offset,
        limit=limit,
        items=[registration_out(r) for r in qs[offset : offset + limit]],
    )


@router.post(
    "/registrations",
    response={201: RegistrationOut, 409: DuplicatesOut, **errors(403, 422)},
    summary="Request the registration of a customer (备案登记)",
)
def registration_create(
    request: AuthenticatedRequest, payload: RegistrationIn
) -> Status[RegistrationOut | DuplicatesOut]:
    """Likely duplicates (same credit code, same name without legal form or place, similar
    name) answer 409 with the list: send the request again with `confirm_not_duplicate: true`
    if it is a different company. A company someone already has is refused (422), naming its
    owner. Only account managers and key account managers register customers (403)."""
    user = request.auth
    data = profile_data(payload, partial=False)
    try:
        result = services.registration_request(
            actor=user, data=data, confirm_not_duplicate=payload.confirm_not_duplicate
        )
    except ValidationError as exc:
        raise _service_errors(exc) from exc
    if result.needs_confirmation or result.request is None:
        duplicates = DuplicatesOut(
            detail=_(
                "Likely duplicates exist. If this is a different company, send the request "
                "again with confirm_not_duplicate set to true."
            ),
            needs_confirmation=True,
            duplicates=[
                DuplicateOut(
                    id=d.id,
                    name=d.name,
                    owner_name=d.owner_name,
                    status=status_code(d.status),
                    status_label=d.status_label,
                    reason=d.reason,
                    reason_label=d.reason_label,
                    similarity=d.similarity,
                    exact=d.exact,
                )
                for d in result.duplicates
            ],
        )
        return Status(409, duplicates)
    return Status(201, registration_out(registration_for(user, result.request.pk)))


@router.post(
    "/registrations/{request_id}/decision",
    response={200: RegistrationOut, **errors(403, 404, 422)},
    summary="Approve or reject a registration request",
)
def registration_decision(
    request: AuthenticatedRequest, request_id: Id, payload: DecisionIn
) -> RegistrationOut:
    """The KA department assistant decides; a rejection needs a reason. Approved customers
    belong to the requester (an owner change is recorded)."""
    user = request.auth
    services.registration_decide(
        actor=user,
        request=registration_for(user, request_id),
        approve=payload.approve,
        reason=payload.reason,
    )
    return registration_out(registration_for(user, request_id))


@router.post(
    "/registrations/decisions",
    response={200: BulkDecisionOut, **errors(403, 404, 422)},
    summary="Approve, or reject with one reason, many registration requests at once",
    operation_id="registrations_decide",
)
def registrations_decision(
    request: AuthenticatedRequest, payload: BulkDecisionIn
) -> BulkDecisionOut:
    """All of them or none: an id that is not a request you can see makes the call a 404, one
    already decided (or one you may not decide) refuses the whole batch. Each requester is
    notified once."""
    user = request.auth
    ids = sorted(set(payload.request_ids))
    found = list(selectors.registration_queue(user=user, decision="").filter(pk__in=ids))
    if len(found) != len(ids):
        raise Http404
    services.registrations_decide(
        actor=user, requests=found, approve=payload.approve, reason=payload.reason
    )
    queue = selectors.registration_queue(user=user, decision="").filter(pk__in=ids)
    return BulkDecisionOut(decided=len(ids), requests=[registration_out(r) for r in queue])


@router.post(
    "/allocations",
    response={200: AllocationOut, **errors(403, 404, 422)},
    summary="Allocate or reallocate customers to a manager (bulk)",
)
def allocation_create(request: AuthenticatedRequest, payload: AllocationIn) -> AllocationOut:
    """The KA department head (or an administrator) gives customers to a key account or
    account manager of the department, with a reason; every change is recorded. Any id that
    is not a customer visible to you makes the whole call a 404."""
    user = request.auth
    ids = sorted(set(payload.customer_ids))
    customers = list(selectors.customer_detail_queryset(user=user).filter(pk__in=ids))
    if len(customers) != len(ids):
        raise Http404
    new_owner = User.objects.select_related("unit").filter(pk=payload.new_owner_id).first()
    if new_owner is None:
        raise ValidationError({"new_owner_id": [_("There is no such user.")]})
    try:
        moved = services.customers_allocate(
            actor=user, customers=customers, new_owner=new_owner, reason=payload.reason
        )
    except ValidationError as exc:
        raise remap_errors(exc, {"new_owner": "new_owner_id"}) from exc
    return AllocationOut(moved=moved, new_owner=owner_ref(new_owner), customer_ids=ids)


@router.get(
    "/{customer_id}",
    response={200: CustomerDetail, **errors(404, 422)},
    summary="One customer: the whole profile (客户档案表), owner, registration, grade",
)
def customer_get(request: AuthenticatedRequest, customer_id: Id) -> CustomerDetail:
    """`permissions` says what you may do to it. Send `version` back when you change it."""
    return customer_detail(customer_for(request.auth, customer_id), request.auth)


@router.patch(
    "/{customer_id}",
    response={200: CustomerDetail, **errors(403, 404, 409, 422)},
    summary="Change profile fields",
)
def customer_patch(
    request: AuthenticatedRequest, customer_id: Id, payload: CustomerPatch
) -> CustomerDetail:
    """Only the fields sent change. `version` is the one you read: if someone saved since, the
    answer is 409 naming who (reload, then make your change again)."""
    user = request.auth
    customer = customer_for(user, customer_id)
    data = profile_data(payload, partial=True)
    try:
        services.customer_update(
            actor=user, customer=customer, data=data, expected_version=payload.version
        )
    except ValidationError as exc:
        raise _service_errors(exc) from exc
    return customer_detail(customer_for(user, customer_id), user)


# --- history --------------------------------------------------------------------------------


@router.get(
    "/{customer_id}/owner-changes",
    response={200: list[OwnerChangeOut], **errors(404, 422)},
    summary="Who owned the customer, and who changed it, when and why",
)
def owner_changes(request: AuthenticatedRequest, customer_id: Id) -> list[OwnerChangeOut]:
    customer = customer_for(request.auth, customer_id)
    rows = OwnerChange.objects.filter(customer=customer).select_related(
        "old_owner__unit", "new_owner__unit", "changed_by"
    )
    return [
        OwnerChangeOut(
            id=r.pk,
            old_owner=maybe_user_ref(r.old_owner),
            new_owner=user_ref(r.new_owner),
            changed_by=maybe_user_ref(r.changed_by),
            changed_at=r.changed_at,
            reason=r.reason,
        )
        for r in rows
    ]


@router.get(
    "/{customer_id}/grade-changes",
    response={200: list[GradeChangeOut], **errors(404, 422)},
    summary="Every grade set on the customer: old, new, the suggestion then, who, when, why",
)
def grade_changes(request: AuthenticatedRequest, customer_id: Id) -> list[GradeChangeOut]:
    customer = customer_for(request.auth, customer_id)
    return [grade_change_out(g) for g in _grade_history(customer)]


def _grade_history(customer: Customer) -> list[GradeChange]:
    return list(GradeChange.objects.filter(customer=customer).select_related("changed_by"))


# --- scorecard and grade --------------------------------------------------------------------


def scorecard(customer: Customer, user: User) -> ScorecardOut:
    factors = list(ScoringFactor.objects.filter(is_active=True).order_by("order", "code"))
    scores = {
        s.factor_id: s
        for s in FactorScore.objects.filter(customer=customer).select_related("scored_by")
    }
    groups = dict(ScoringFactor.Group.choices)
    t = services.thresholds()
    caps = permissions.capabilities_for(user)
    unit_id = customer.owner.unit_id
    return ScorecardOut(
        customer_id=customer.pk,
        factors=[
            FactorOut(
                code=f.code,
                group=f.group,
                group_label=str(groups.get(f.group, f.group)),
                name=f.name,
                question=f.question,
                weight=f.weight,
                score=scores[f.pk].score if f.pk in scores else None,
                justification=scores[f.pk].justification if f.pk in scores else "",
                scored_by=maybe_user_ref(scores[f.pk].scored_by) if f.pk in scores else None,
                scored_at=scores[f.pk].scored_at if f.pk in scores else None,
            )
            for f in factors
        ],
        complete=customer.score is not None,
        score=customer.score,
        suggested_grade=grade_code(customer.suggested_grade),
        grade=grade_code(customer.grade),
        thresholds=ThresholdsOut(a=t.a, b=t.b, c=t.c),
        grade_history=[grade_change_out(g) for g in _grade_history(customer)],
        can_score=permissions.can_score(caps, customer.owner_id, unit_id),
        can_grade=permissions.can_grade(caps, unit_id),
    )


@router.get(
    "/{customer_id}/scorecard",
    response={200: ScorecardOut, **errors(404, 422)},
    summary="The key-account scorecard: factors, weights, scores, suggested grade, grade",
)
def scorecard_get(request: AuthenticatedRequest, customer_id: Id) -> ScorecardOut:
    """The five feasibility tests and the attractiveness factors, each 0–5 with a
    justification; the weighted score (0–100) suggests a grade by the thresholds."""
    return scorecard(customer_for(request.auth, customer_id), request.auth)


@router.put(
    "/{customer_id}/scorecard",
    response={200: ScorecardOut, **errors(403, 404, 422)},
    summary="Score factors of the scorecard",
)
def scorecard_put(
    request: AuthenticatedRequest, customer_id: Id, payload: ScorecardIn
) -> ScorecardOut:
    """Scores the factors sent (others keep their score); each needs a justification. The owner
    and their managers score; the answer is the new scorecard."""
    user = request.auth
    customer = customer_for(user, customer_id)
    services.scores_save(
        actor=user,
        customer=customer,
        scores={code: (s.score, s.justification) for code, s in payload.scores.items()},
    )
    return scorecard(customer_for(user, customer_id), user)


@router.post(
    "/{customer_id}/grade",
    response={201: GradeChangeOut, **errors(403, 404, 422)},
    summary="Set the customer's grade",
)
def grade_post(
    request: AuthenticatedRequest, customer_id: Id, payload: GradeIn
) -> Status[GradeChangeOut]:
    """A manager (team manager, department head, sales director) sets the grade; one that
    differs from the scorecard's suggestion needs a reason. Kept in the grade history."""
    customer = customer_for(request.auth, customer_id)
    change = services.grade_set(
        actor=request.auth, customer=customer, grade=payload.grade, reason=payload.reason
    )
    return Status(201, grade_change_out(change))


# --- evaluations ----------------------------------------------------------------------------


@router.get(
    "/{customer_id}/evaluations",
    response={200: list[EvaluationOut], **errors(404, 422)},
    summary="Comprehensive customer evaluations (客户综合评估表), newest first",
)
def evaluation_list(request: AuthenticatedRequest, customer_id: Id) -> list[EvaluationOut]:
    customer = customer_for(request.auth, customer_id)
    return [
        evaluation_out(e) for e in selectors.evaluations_for(user=request.auth, customer=customer)
    ]


@router.post(
    "/{customer_id}/evaluations",
    response={201: EvaluationOut, **errors(403, 404, 422)},
    summary="Add a comprehensive customer evaluation",
)
def evaluation_post(
    request: AuthenticatedRequest, customer_id: Id, payload: EvaluationIn
) -> Status[EvaluationOut]:
    """Five dimensions scored 1–5 and a summary; dated today unless `evaluated_on` is given
    (never in the future). All evaluations are kept."""
    customer = customer_for(request.auth, customer_id)
    evaluation = services.evaluation_create(
        actor=request.auth, customer=customer, data=payload.model_dump()
    )
    return Status(201, evaluation_out(evaluation))
