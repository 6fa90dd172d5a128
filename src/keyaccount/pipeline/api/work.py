"""The deal team's working records over REST: key evaluation elements, competitors (and their
catalogue), the deal team and the KA follow-up form."""

from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Router, Status

from keyaccount.core.api_errors import errors
from keyaccount.core.lookup import get_or_404
from keyaccount.core.schemas import Id, RefOut
from keyaccount.org.models import User
from keyaccount.org.requests import AuthenticatedRequest

from .. import selectors, services
from ..access import competitor_for, opportunity_for
from ..models import (
    Competitor,
    FollowUp,
    KeyElement,
    Opportunity,
    OpportunityCompetitor,
    OpportunityMember,
)
from ..schemas import (
    CompetitorIn,
    CompetitorOut,
    DealCompetitorIn,
    DealCompetitorOut,
    ElementCode,
    ElementIn,
    ElementOut,
    FollowUpIn,
    FollowUpOut,
    MemberIn,
    MemberOut,
    TeamOut,
)
from ._convert import element_out, maybe_user, user_ref
from ._errors import no_such, service_errors

router = Router()


# --- key evaluation elements ----------------------------------------------------------------


def _element(opp: Opportunity, element: str) -> KeyElement:
    row = KeyElement.objects.filter(opportunity=opp, element=element).select_related("updated_by")
    return row.first() or KeyElement(opportunity=opp, element=element)


@router.get(
    "/opportunities/{opportunity_id}/elements/{element}",
    response={200: ElementOut, **errors(404, 422)},
    summary="One key evaluation element (关键评估元素): status, notes, who updated it",
)
def element_get(
    request: AuthenticatedRequest, opportunity_id: Id, element: ElementCode
) -> ElementOut:
    return element_out(_element(opportunity_for(request.auth, opportunity_id), element))


@router.put(
    "/opportunities/{opportunity_id}/elements/{element}",
    response={200: ElementOut, **errors(403, 404, 422)},
    summary="Set a key evaluation element: unknown, partly known or confirmed, with notes",
)
def element_put(
    request: AuthenticatedRequest, opportunity_id: Id, element: ElementCode, payload: ElementIn
) -> ElementOut:
    """The deal team and the owner's managers keep the elements; the playbook may require a
    status before a stage is left (`GET …/gate`)."""
    opp = opportunity_for(request.auth, opportunity_id)
    with service_errors():
        services.element_set(
            actor=request.auth,
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
def competitor_catalogue(request: AuthenticatedRequest) -> list[CompetitorOut]:
    return [competitor_out(c) for c in Competitor.objects.filter(is_active=True)]


@router.post(
    "/competitors",
    response={201: CompetitorOut, 200: CompetitorOut, **errors(403, 422)},
    summary="Add a company to the competitor catalogue",
)
def competitor_register(
    request: AuthenticatedRequest, payload: CompetitorIn
) -> Status[CompetitorOut]:
    """201 with the new entry, or 200 with the existing one of the same name (case aside).
    Sales staff add competitors (else 403)."""
    existed = Competitor.objects.filter(name__iexact=" ".join(payload.name.split())).exists()
    with service_errors():
        comp = services.competitor_register(
            actor=request.auth, name=payload.name, short_name=payload.short_name
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
def deal_competitor_list(
    request: AuthenticatedRequest, opportunity_id: Id
) -> list[DealCompetitorOut]:
    opp = opportunity_for(request.auth, opportunity_id)
    return [deal_competitor_out(r) for r in selectors.competitors(opp)]


@router.get(
    "/opportunities/{opportunity_id}/competitors/{competitor_id}",
    response={200: DealCompetitorOut, **errors(404, 422)},
    summary="One competitor on the deal (404 if not present)",
)
def deal_competitor_get(
    request: AuthenticatedRequest, opportunity_id: Id, competitor_id: Id
) -> DealCompetitorOut:
    opp = opportunity_for(request.auth, opportunity_id)
    return deal_competitor_out(get_or_404(_deal_competitors(opp), competitor_id=competitor_id))


@router.put(
    "/opportunities/{opportunity_id}/competitors/{competitor_id}",
    response={200: DealCompetitorOut, **errors(403, 404, 422)},
    summary="Put a competitor of the catalogue on the deal, or update it",
)
def deal_competitor_put(
    request: AuthenticatedRequest,
    opportunity_id: Id,
    competitor_id: Id,
    payload: DealCompetitorIn,
) -> DealCompetitorOut:
    opp = opportunity_for(request.auth, opportunity_id)
    competitor = competitor_for(competitor_id)
    with service_errors():
        services.competitor_set(
            actor=request.auth,
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
    request: AuthenticatedRequest, opportunity_id: Id, competitor_id: Id
) -> Status[None]:
    opp = opportunity_for(request.auth, opportunity_id)
    row = get_or_404(_deal_competitors(opp), competitor_id=competitor_id)
    with service_errors():
        services.competitor_remove(actor=request.auth, opportunity=opp, competitor=row.competitor)
    return Status(204, None)


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
def team_get(request: AuthenticatedRequest, opportunity_id: Id) -> TeamOut:
    opp = opportunity_for(request.auth, opportunity_id)
    return TeamOut(owner=user_ref(opp.owner), members=[member_out(m) for m in selectors.team(opp)])


@router.post(
    "/opportunities/{opportunity_id}/team",
    response={201: MemberOut, **errors(403, 404, 422)},
    summary="Add someone to the deal team (or change their role)",
)
def team_add(
    request: AuthenticatedRequest, opportunity_id: Id, payload: MemberIn
) -> Status[MemberOut]:
    """The owner and their managers keep the team. Members see the deal and work on it
    (checklist, elements, competitors, buying roles, follow-ups, risk assessments)."""
    opp = opportunity_for(request.auth, opportunity_id)
    user = User.objects.filter(pk=payload.user_id).first()
    if user is None:
        raise no_such("user_id", payload.user_id)
    with service_errors():
        member = services.member_add(
            actor=request.auth, opportunity=opp, user=user, role=payload.role, note=payload.note
        )
    return Status(201, member_out(member))


@router.delete(
    "/opportunities/{opportunity_id}/team/{user_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Take someone off the deal team",
)
def team_remove(request: AuthenticatedRequest, opportunity_id: Id, user_id: Id) -> Status[None]:
    opp = opportunity_for(request.auth, opportunity_id)
    member = get_or_404(
        OpportunityMember.objects.filter(opportunity=opp).select_related("user"), user_id=user_id
    )
    with service_errors():
        services.member_remove(actor=request.auth, opportunity=opp, user=member.user)
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
def follow_up_list(request: AuthenticatedRequest, opportunity_id: Id) -> list[FollowUpOut]:
    opp = opportunity_for(request.auth, opportunity_id)
    return [
        follow_up_out(f) for f in FollowUp.objects.filter(opportunity=opp).select_related("author")
    ]


@router.post(
    "/opportunities/{opportunity_id}/follow-ups",
    response={201: FollowUpOut, **errors(403, 404, 422)},
    summary="Add an entry to the KA follow-up form",
)
def follow_up_create(
    request: AuthenticatedRequest, opportunity_id: Id, payload: FollowUpIn
) -> Status[FollowUpOut]:
    """Progress, next steps and support needed, dated today unless `on` is given."""
    with service_errors():
        entry = services.follow_up_add(
            actor=request.auth,
            opportunity=opportunity_for(request.auth, opportunity_id),
            on=payload.on or timezone.localdate(),
            progress=payload.progress,
            next_steps=payload.next_steps,
            support_needed=payload.support_needed,
        )
    return Status(201, follow_up_out(entry))
