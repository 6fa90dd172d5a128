"""The deal's working records over REST: key evaluation elements, competitors (and their
catalogue), buying roles and the power map, the deal team, KA follow-up entries and risk
assessments (with the director's decision).

Mounted on ``/api/pipeline/`` with ``pipeline.api``, with the same rules: reads through
``pipeline.selectors`` on ``visible_to(user)`` (404 outside it), writes through one
``pipeline.services`` call, which decides who may (403 otherwise) and what is valid (422).
Personal motives and risk data follow the opportunity's visibility.
"""

from typing import Any, cast

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from keyaccount.contacts.models import Contact
from keyaccount.core.api_errors import errors
from keyaccount.core.lookup import get_or_404
from keyaccount.core.schemas import RefOut
from keyaccount.org.models import User

from . import selectors, services
from .api import (
    deal,
    element_out,
    maybe_user,
    no_such,
    service_errors,
    user_ref,
)
from .models import (
    BuyingRoleEntry,
    Competitor,
    FollowUp,
    KeyElement,
    Opportunity,
    OpportunityCompetitor,
    OpportunityMember,
    RiskAssessment,
    RiskFactor,
    RiskScore,
)
from .schemas import (
    BuyingRoleIn,
    BuyingRoleOut,
    CompetitorIn,
    CompetitorOut,
    ContactRef,
    DealCompetitorIn,
    DealCompetitorOut,
    ElementCode,
    ElementIn,
    ElementOut,
    FollowUpIn,
    FollowUpOut,
    MemberIn,
    MemberOut,
    PowerMapOut,
    RiskAssessmentIn,
    RiskAssessmentOut,
    RiskDecisionIn,
    RiskFactorOut,
    RiskScoreOut,
    TeamOut,
)

router = Router(tags=["pipeline"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


# --- key evaluation elements ----------------------------------------------------------------


def _element(opp: Opportunity, element: str) -> KeyElement:
    row = KeyElement.objects.filter(opportunity=opp, element=element).select_related("updated_by")
    return row.first() or KeyElement(opportunity=opp, element=element)


@router.get(
    "/opportunities/{opportunity_id}/elements/{element}",
    response={200: ElementOut, **errors(404, 422)},
    summary="One key evaluation element (关键评估元素): status, notes, who updated it",
)
def element_get(request: HttpRequest, opportunity_id: int, element: ElementCode) -> ElementOut:
    return element_out(_element(deal(request, opportunity_id), element))


@router.put(
    "/opportunities/{opportunity_id}/elements/{element}",
    response={200: ElementOut, **errors(403, 404, 422)},
    summary="Set a key evaluation element: unknown, partly known or confirmed, with notes",
)
def element_put(
    request: HttpRequest, opportunity_id: int, element: ElementCode, payload: ElementIn
) -> ElementOut:
    """The deal team and the owner's managers keep the elements; the playbook may require a
    status before a stage is left (`GET …/gate`)."""
    opp = deal(request, opportunity_id)
    with service_errors():
        services.element_set(
            actor=_user(request),
            opportunity=opp,
            element=element,
            status=payload.status,
            notes=payload.notes,
        )
    return element_out(_element(opp, element))


# --- competitors ----------------------------------------------------------------------------


def competitor_out(c: Competitor) -> CompetitorOut:
    return CompetitorOut(
        id=c.pk,
        name=c.name,
        short_name=c.short_name,
        strengths=c.strengths,
        weaknesses=c.weaknesses,
        is_active=c.is_active,
    )


def deal_competitor_out(row: OpportunityCompetitor) -> DealCompetitorOut:
    return DealCompetitorOut(
        competitor=RefOut(id=row.competitor_id, name=str(row.competitor)),
        strength=cast(Any, row.strength),
        strength_label=str(row.get_strength_display()),
        their_strategy=row.their_strategy,
        our_strategy=row.our_strategy,
        updated_by=maybe_user(row.updated_by),
        updated_at=row.updated_at,
    )


@router.get(
    "/competitors",
    response={200: list[CompetitorOut], **errors(422)},
    summary="The competitor catalogue (active companies, by name)",
)
def competitor_catalogue(request: HttpRequest) -> list[CompetitorOut]:
    return [competitor_out(c) for c in Competitor.objects.filter(is_active=True)]


@router.post(
    "/competitors",
    response={201: CompetitorOut, 200: CompetitorOut, **errors(403, 422)},
    summary="Add a company to the competitor catalogue",
)
def competitor_register(request: HttpRequest, payload: CompetitorIn) -> Status[CompetitorOut]:
    """201 with the new entry, or 200 with the existing one of the same name (case aside).
    Sales staff add competitors (else 403)."""
    existed = Competitor.objects.filter(name__iexact=" ".join(payload.name.split())).exists()
    with service_errors():
        comp = services.competitor_register(
            actor=_user(request), name=payload.name, short_name=payload.short_name
        )
    return Status(200 if existed else 201, competitor_out(comp))


def _deal_competitors(opp: Opportunity) -> QuerySet[OpportunityCompetitor]:
    return OpportunityCompetitor.objects.filter(opportunity=opp).select_related(
        "competitor", "updated_by"
    )


@router.get(
    "/opportunities/{opportunity_id}/competitors",
    response={200: list[DealCompetitorOut], **errors(404, 422)},
    summary="The competitors present on the deal: strength vs us, their strategy and ours",
)
def deal_competitor_list(request: HttpRequest, opportunity_id: int) -> list[DealCompetitorOut]:
    return [deal_competitor_out(r) for r in selectors.competitors(deal(request, opportunity_id))]


@router.get(
    "/opportunities/{opportunity_id}/competitors/{competitor_id}",
    response={200: DealCompetitorOut, **errors(404, 422)},
    summary="One competitor on the deal (404 if not present)",
)
def deal_competitor_get(
    request: HttpRequest, opportunity_id: int, competitor_id: int
) -> DealCompetitorOut:
    opp = deal(request, opportunity_id)
    return deal_competitor_out(get_or_404(_deal_competitors(opp), competitor_id=competitor_id))


@router.put(
    "/opportunities/{opportunity_id}/competitors/{competitor_id}",
    response={200: DealCompetitorOut, **errors(403, 404, 422)},
    summary="Put a competitor of the catalogue on the deal, or update it",
)
def deal_competitor_put(
    request: HttpRequest, opportunity_id: int, competitor_id: int, payload: DealCompetitorIn
) -> DealCompetitorOut:
    opp = deal(request, opportunity_id)
    competitor = get_or_404(Competitor.objects.all(), pk=competitor_id)
    with service_errors():
        services.competitor_set(
            actor=_user(request),
            opportunity=opp,
            competitor=competitor,
            strength=payload.strength,
            their_strategy=payload.their_strategy,
            our_strategy=payload.our_strategy,
        )
    return deal_competitor_out(get_or_404(_deal_competitors(opp), competitor_id=competitor_id))


@router.delete(
    "/opportunities/{opportunity_id}/competitors/{competitor_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Take a competitor off the deal",
)
def deal_competitor_delete(
    request: HttpRequest, opportunity_id: int, competitor_id: int
) -> Status[None]:
    opp = deal(request, opportunity_id)
    row = get_or_404(_deal_competitors(opp), competitor_id=competitor_id)
    with service_errors():
        services.competitor_remove(actor=_user(request), opportunity=opp, competitor=row.competitor)
    return Status(204, None)


# --- buying roles and the power map ---------------------------------------------------------


def buying_role_out(row: BuyingRoleEntry) -> BuyingRoleOut:
    c = row.contact
    return BuyingRoleOut(
        contact=ContactRef(id=c.pk, name=c.name, title=c.title, department=c.department),
        role=cast(Any, row.role),
        role_label=str(row.get_role_display()),
        influence=cast(Any, row.influence),
        influence_label=str(row.get_influence_display()),
        attitude=cast(Any, row.attitude),
        attitude_label=str(row.get_attitude_display()),
        personal_motives=row.personal_motives,
        organisational_goals=row.organisational_goals,
        notes=row.notes,
        updated_by=maybe_user(row.updated_by),
        updated_at=row.updated_at,
    )


def _buying_roles(opp: Opportunity) -> QuerySet[BuyingRoleEntry]:
    return (
        BuyingRoleEntry.objects.filter(opportunity=opp)
        .select_related("contact", "updated_by")
        .order_by("contact__name", "contact_id")
    )


def _contact(opp: Opportunity, contact_id: int) -> Contact:
    """A contact of the deal's customer (any other is a 404: never a hint about it)."""
    return get_or_404(Contact.objects.filter(customer_id=opp.customer_id), pk=contact_id)


@router.get(
    "/opportunities/{opportunity_id}/buying-roles",
    response={200: list[BuyingRoleOut], **errors(404, 422)},
    summary="The customer's people in this deal: buying role, influence, attitude, motives",
)
def buying_role_list(request: HttpRequest, opportunity_id: int) -> list[BuyingRoleOut]:
    return [buying_role_out(r) for r in _buying_roles(deal(request, opportunity_id))]


@router.get(
    "/opportunities/{opportunity_id}/buying-roles/{contact_id}",
    response={200: BuyingRoleOut, **errors(404, 422)},
    summary="One contact's part in the deal (404 if they have none)",
)
def buying_role_get(request: HttpRequest, opportunity_id: int, contact_id: int) -> BuyingRoleOut:
    opp = deal(request, opportunity_id)
    return buying_role_out(get_or_404(_buying_roles(opp), contact_id=contact_id))


@router.put(
    "/opportunities/{opportunity_id}/buying-roles/{contact_id}",
    response={200: BuyingRoleOut, **errors(403, 404, 422)},
    summary="Set a contact's buying role, influence, attitude, motives and goals in the deal",
)
def buying_role_put(
    request: HttpRequest, opportunity_id: int, contact_id: int, payload: BuyingRoleIn
) -> BuyingRoleOut:
    """The contact is one of the deal's customer; the same person may play another role in
    another deal."""
    opp = deal(request, opportunity_id)
    with service_errors():
        services.buying_role_set(
            actor=_user(request),
            opportunity=opp,
            contact=_contact(opp, contact_id),
            data=payload.model_dump(),
        )
    return buying_role_out(get_or_404(_buying_roles(opp), contact_id=contact_id))


@router.delete(
    "/opportunities/{opportunity_id}/buying-roles/{contact_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Remove a contact's part in the deal",
)
def buying_role_delete(request: HttpRequest, opportunity_id: int, contact_id: int) -> Status[None]:
    opp = deal(request, opportunity_id)
    row = get_or_404(_buying_roles(opp), contact_id=contact_id)
    with service_errors():
        services.buying_role_remove(actor=_user(request), opportunity=opp, contact=row.contact)
    return Status(204, None)


@router.get(
    "/opportunities/{opportunity_id}/power-map",
    response={200: PowerMapOut, **errors(404, 422)},
    summary="The power map: the customer's org chart with each contact's part in the deal",
)
def power_map(request: HttpRequest, opportunity_id: int) -> PowerMapOut:
    """Reporting lines from the customer's contacts, as a forest; contacts with a buying role
    in this deal are `involved` and carry role, influence and attitude."""
    return PowerMapOut.model_validate(selectors.power_map(deal(request, opportunity_id)))


# --- the deal team --------------------------------------------------------------------------


def member_out(m: OpportunityMember) -> MemberOut:
    return MemberOut(
        user=user_ref(m.user),
        role=cast(Any, m.role),
        role_label=str(m.get_role_display()),
        note=m.note,
        added_at=m.added_at,
    )


@router.get(
    "/opportunities/{opportunity_id}/team",
    response={200: TeamOut, **errors(404, 422)},
    summary="The deal team: the owner and the members with their roles",
)
def team_get(request: HttpRequest, opportunity_id: int) -> TeamOut:
    opp = deal(request, opportunity_id)
    return TeamOut(owner=user_ref(opp.owner), members=[member_out(m) for m in selectors.team(opp)])


@router.post(
    "/opportunities/{opportunity_id}/team",
    response={201: MemberOut, **errors(403, 404, 422)},
    summary="Add someone to the deal team (or change their role)",
)
def team_add(request: HttpRequest, opportunity_id: int, payload: MemberIn) -> Status[MemberOut]:
    """The owner and their managers keep the team. Members see the deal and work on it
    (checklist, elements, competitors, buying roles, follow-ups, risk assessments)."""
    opp = deal(request, opportunity_id)
    user = User.objects.filter(pk=payload.user_id).first()
    if user is None:
        raise no_such("user_id", payload.user_id)
    with service_errors():
        member = services.member_add(
            actor=_user(request), opportunity=opp, user=user, role=payload.role, note=payload.note
        )
    return Status(201, member_out(member))


@router.delete(
    "/opportunities/{opportunity_id}/team/{user_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Take someone off the deal team",
)
def team_remove(request: HttpRequest, opportunity_id: int, user_id: int) -> Status[None]:
    opp = deal(request, opportunity_id)
    member = get_or_404(
        OpportunityMember.objects.filter(opportunity=opp).select_related("user"), user_id=user_id
    )
    with service_errors():
        services.member_remove(actor=_user(request), opportunity=opp, user=member.user)
    return Status(204, None)


# --- KA follow-up form ----------------------------------------------------------------------


def follow_up_out(f: FollowUp) -> FollowUpOut:
    return FollowUpOut(
        id=f.pk,
        on=f.on,
        progress=f.progress,
        next_steps=f.next_steps,
        support_needed=f.support_needed,
        author=user_ref(f.author),
        created_at=f.created_at,
    )


@router.get(
    "/opportunities/{opportunity_id}/follow-ups",
    response={200: list[FollowUpOut], **errors(404, 422)},
    summary="The KA follow-up form (大客户跟进表): entries, newest first",
)
def follow_up_list(request: HttpRequest, opportunity_id: int) -> list[FollowUpOut]:
    opp = deal(request, opportunity_id)
    return [
        follow_up_out(f) for f in FollowUp.objects.filter(opportunity=opp).select_related("author")
    ]


@router.post(
    "/opportunities/{opportunity_id}/follow-ups",
    response={201: FollowUpOut, **errors(403, 404, 422)},
    summary="Add an entry to the KA follow-up form",
)
def follow_up_create(
    request: HttpRequest, opportunity_id: int, payload: FollowUpIn
) -> Status[FollowUpOut]:
    """Progress, next steps and support needed, dated today unless `on` is given."""
    with service_errors():
        entry = services.follow_up_add(
            actor=_user(request),
            opportunity=deal(request, opportunity_id),
            on=payload.on or timezone.localdate(),
            progress=payload.progress,
            next_steps=payload.next_steps,
            support_needed=payload.support_needed,
        )
    return Status(201, follow_up_out(entry))


# --- risk assessment ------------------------------------------------------------------------


def assessment_out(a: RiskAssessment) -> RiskAssessmentOut:
    return RiskAssessmentOut(
        id=a.pk,
        opportunity_id=a.opportunity_id,
        assessed_on=a.assessed_on,
        assessed_by=user_ref(a.assessed_by),
        created_at=a.created_at,
        total=a.total,
        level=cast(Any, a.level),
        level_label=str(a.get_level_display()),
        summary=a.summary,
        decision=cast(Any, a.decision),
        decision_label=str(a.get_decision_display()),
        decided_by=maybe_user(a.decided_by),
        decided_at=a.decided_at,
        decision_reason=a.decision_reason,
        scores=[
            RiskScoreOut(
                factor=s.factor.code,
                name=s.factor.name,
                score=s.score,
                weight=s.weight,
                note=s.note,
            )
            for s in a.scores.all()
        ],
    )


def _assessment(request: HttpRequest, assessment_id: int) -> RiskAssessment:
    """A risk assessment of a visible opportunity, or 404."""
    visible = selectors.visible(_user(request)).values("pk")
    scores = RiskScore.objects.select_related("factor").order_by("factor__order", "factor__code")
    qs = (
        RiskAssessment.objects.filter(opportunity__in=visible)
        .select_related("assessed_by", "decided_by")
        .prefetch_related(Prefetch("scores", queryset=scores))
    )
    return get_or_404(qs, pk=assessment_id)


@router.get(
    "/risk-factors",
    response={200: list[RiskFactorOut], **errors(422)},
    summary="The factors of the risk assessment form (风险评估表), with their weights",
)
def risk_factors(request: HttpRequest) -> list[RiskFactorOut]:
    """Each is scored 0 (no risk) to 5 (severe); the weighted total, as a percent of the
    worst possible, classes the risk by the policy's thresholds."""
    return [
        RiskFactorOut(code=f.code, name=f.name, question=f.question, weight=f.weight, order=f.order)
        for f in RiskFactor.objects.filter(is_active=True)
    ]


@router.get(
    "/opportunities/{opportunity_id}/risk-assessments",
    response={200: list[RiskAssessmentOut], **errors(404, 422)},
    summary="The deal's risk assessments, newest first (the first one counts)",
)
def risk_assessment_list(request: HttpRequest, opportunity_id: int) -> list[RiskAssessmentOut]:
    return [assessment_out(a) for a in selectors.risk_assessments(deal(request, opportunity_id))]


@router.post(
    "/opportunities/{opportunity_id}/risk-assessments",
    response={201: RiskAssessmentOut, **errors(403, 404, 422)},
    summary="Fill in the risk assessment form",
)
def risk_assessment_create(
    request: HttpRequest, opportunity_id: int, payload: RiskAssessmentIn
) -> Status[RiskAssessmentOut]:
    """Every active factor (`GET /pipeline/risk-factors`) needs a score 0–5 (422 naming the
    factor's code otherwise). A high total asks a sales director to decide continue or
    abandon; until then the deal is awaiting a risk decision and its gate stays closed."""
    opp = deal(request, opportunity_id)
    with service_errors():
        made = services.risk_assess(
            actor=_user(request),
            opportunity=opp,
            assessed_on=payload.assessed_on or timezone.localdate(),
            scores={
                code: services.ScoreInput(score=s.score, note=s.note)
                for code, s in payload.scores.items()
            },
            summary=payload.summary,
        )
    return Status(201, assessment_out(_assessment(request, made.pk)))


@router.get(
    "/risk-assessments/{assessment_id}",
    response={200: RiskAssessmentOut, **errors(404, 422)},
    summary="One risk assessment: scores by factor, total, level, decision",
)
def risk_assessment_get(request: HttpRequest, assessment_id: int) -> RiskAssessmentOut:
    return assessment_out(_assessment(request, assessment_id))


@router.post(
    "/risk-assessments/{assessment_id}/decision",
    response={200: RiskAssessmentOut, **errors(403, 404, 422)},
    summary="A sales director decides a high-risk deal: continue or abandon, with a reason",
)
def risk_assessment_decide(
    request: HttpRequest, assessment_id: int, payload: RiskDecisionIn
) -> RiskAssessmentOut:
    """Only a sales director covering the deal decides (403 otherwise); a decided assessment
    is not decided again (422). Abandoning closes the deal."""
    with service_errors():
        services.risk_decide(
            actor=_user(request),
            assessment=_assessment(request, assessment_id),
            decision=payload.decision,
            reason=payload.reason,
        )
    return assessment_out(_assessment(request, assessment_id))
