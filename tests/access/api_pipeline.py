"""Access-matrix entries for the pipeline REST API (issue 4), one per API operation.

Not wired in by itself: ``registry.py`` adds them at its end, after its helpers exist.

Every object hangs off an opportunity owned by ``kam`` (east team) on kam's registered
customer, made through the services, with ``consultant`` on its team. It is visible to
``DEAL_VIEWERS`` (the owner, the east team's manager, the department-wide roles, the
administrator and the team member) and a 404 for every other role. Who may act on a visible
deal (``pipeline.services.access``): the owner and their managers run it (edit, move, close,
team, contract, milestones); the team also works on it (checklist, elements, competitors,
buying roles, follow-ups, risk assessments); a sales director (and the administrator)
overrides gates and decides high-risk deals; the assistant only reads.

Setups that need a later stage get there by a sales director's overridden moves (through the
services, quickly); the gate itself is tested in ``tests/pipeline``.
"""

from collections.abc import Callable, Iterable
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from keyaccount.contacts.services import contact_create
from keyaccount.pipeline import rules, services
from keyaccount.pipeline.models import (
    BuyingRoleEntry,
    Competitor,
    CriterionCheck,
    FollowUp,
    KeyElement,
    Opportunity,
    OpportunityCompetitor,
    OpportunityMember,
    PaymentMilestone,
    RiskAssessment,
)
from keyaccount.process.models import ExitCriterion, Stage

from ..conftest import Cast
from ..pipeline_support import high_risk_scores, low_risk_scores
from .api_customers import (
    KAM_CUSTOMER_VIEWERS,
    _kam,
    api_page_lists,
    done_exactly_when_allowed,
    kam_customer,
)
from .registry import SIGNED_IN, Ctx, Expected, Route, api, per_role

DEAL_VIEWERS = frozenset(KAM_CUSTOMER_VIEWERS | {"consultant"})
RUNNERS = frozenset({"kam", "team_lead", "head", "director", "admin"})
WORKERS = RUNNERS | {"consultant"}
MANAGERS = RUNNERS - {"kam"}
OVERRIDERS = frozenset({"director", "admin"})
#: Who may add to the competitor catalogue: sales staff, managers, the administrator.
CATALOGUERS = frozenset(SIGNED_IN) - {"consultant", "assistant"}
#: Above the default policy's 5,000,000: the deal is on the major-project list.
AMOUNT = Decimal("6000000.00")


def visible(allowed: Iterable[str], yes: Expected = 200) -> dict[str, Expected]:
    """``yes`` for ``allowed``, 403 for the other viewers of kam's deal, 404 for the rest."""
    allowed = set(allowed)
    return {
        role: yes if role in allowed else 403 if role in DEAL_VIEWERS else 404 for role in SIGNED_IN
    }


# --- objects --------------------------------------------------------------------------------


def kam_deal(c: Cast) -> dict[str, Any]:
    """kam's opportunity with consultant on the team, a competitor and a buying role."""
    made = kam_customer(c)
    kam = _kam(c)
    opp = services.opportunity_create(
        actor=kam,
        customer=made["customer"],
        data={
            "name": "矩阵测试调度系统",
            "amount": AMOUNT,
            "expected_signing": timezone.localdate() + timedelta(days=90),
        },
    )
    services.member_add(actor=kam, opportunity=opp, user=c.consultant, role="consultant")
    competitor = services.competitor_register(actor=kam, name="矩阵竞争对手科技")
    services.competitor_set(actor=kam, opportunity=opp, competitor=competitor, strength="equal")
    services.buying_role_set(
        actor=kam,
        opportunity=opp,
        contact=made["contact"],
        data={"role": "decision_maker", "influence": "high", "attitude": "supporter"},
    )
    other = contact_create(actor=kam, customer=made["customer"], data={"name": "赵处长"})
    return {**made, "opp": opp, "competitor": competitor, "other_contact": other}


def _first_criterion() -> ExitCriterion:
    """The first criterion of customer development a person ticks (the needs survey's; its step
    names the consultant, the KAM and the senior KAM as responsible)."""
    return ExitCriterion.objects.get(stage__code="development", step__code="needs_survey")


def step_done(c: Cast) -> dict[str, Any]:
    """What the first step asks for is there (the need is known, which answers its criterion)
    and a manual criterion of the stage is checked: the gate lets the deal on to the next step."""
    made = kam_deal(c)
    services.element_set(
        actor=_kam(c), opportunity=made["opp"], element="need", status="partly", notes=""
    )
    services.criterion_set(
        actor=_kam(c), opportunity=made["opp"], criterion=_first_criterion(), checked=True
    )
    return {**made, "criterion": _first_criterion()}


def _advance(c: Cast, opp: Opportunity, code: str) -> Opportunity:
    """Move the deal into the stage ``code`` by the director's overridden moves."""
    target = Stage.objects.get(code=code).order
    opp.refresh_from_db()
    while opp.stage.order < target:
        services.opportunity_move(actor=c.director, opportunity=opp, override=True, reason="矩阵")
        opp.refresh_from_db()
    return opp


def in_initiation(c: Cast) -> dict[str, Any]:
    made = kam_deal(c)
    return {**made, "opp": _advance(c, made["opp"], "initiation")}


def ready_to_win(c: Cast) -> dict[str, Any]:
    """In negotiation with every manual criterion of the stage checked (the contract answers the
    last one): the last gate is open."""
    made = kam_deal(c)
    opp = _advance(c, made["opp"], "negotiation")
    for criterion in ExitCriterion.objects.filter(stage_id=opp.stage_id, evidence=[]):
        services.criterion_set(actor=_kam(c), opportunity=opp, criterion=criterion, checked=True)
    return {**made, "opp": opp}


def won_deal(c: Cast) -> dict[str, Any]:
    """Won, with a contract of two milestones (the second not yet invoiced)."""
    made = ready_to_win(c)
    contract = services.opportunity_win(
        actor=_kam(c),
        opportunity=made["opp"],
        contract_number="HT-矩阵-001",
        signed_amount=AMOUNT,
        signed_on=timezone.localdate(),
        milestones=[
            services.MilestoneInput("预付款", timezone.localdate(), percentage=Decimal(30)),
            services.MilestoneInput(
                "验收款", timezone.localdate() + timedelta(days=90), amount=Decimal("1000000")
            ),
        ],
    )
    milestone = contract.milestones.order_by("order").last()
    return {**made, "contract": contract, "milestone": milestone}


def abandoned_deal(c: Cast) -> dict[str, Any]:
    made = kam_deal(c)
    services.opportunity_abandon(actor=_kam(c), opportunity=made["opp"], reason="客户暂停")
    return made


def checked_criterion(c: Cast) -> dict[str, Any]:
    return step_done(c)


def low_risk(c: Cast) -> dict[str, Any]:
    made = kam_deal(c)
    assessment = services.risk_assess(
        actor=_kam(c),
        opportunity=made["opp"],
        assessed_on=timezone.localdate(),
        scores=low_risk_scores(),
    )
    return {**made, "assessment": assessment}


def high_risk(c: Cast) -> dict[str, Any]:
    made = kam_deal(c)
    assessment = services.risk_assess(
        actor=_kam(c),
        opportunity=made["opp"],
        assessed_on=timezone.localdate(),
        scores=high_risk_scores(),
    )
    return {**made, "assessment": assessment}


# --- verify helpers -------------------------------------------------------------------------


def opp_now(ctx: Ctx) -> Opportunity:
    return Opportunity.objects.get(pk=ctx.o.opp.pk)


def board_lists(ctx: Ctx) -> None:
    """The deal is a card of its stage exactly for its viewers."""
    if ctx.response.status_code != 200:
        return
    cards = {card["id"] for col in ctx.response.json()["columns"] for card in col["cards"]}
    assert (ctx.o.opp.pk in cards) == (ctx.role in DEAL_VIEWERS), ctx.role


def totals_count(ctx: Ctx) -> None:
    if ctx.response.status_code == 200:
        expected = 1 if ctx.role in DEAL_VIEWERS else 0
        assert ctx.response.json()["count"] == expected, ctx.role


def _created(ctx: Ctx) -> bool:
    return Opportunity.objects.filter(name="矩阵新机会").exists()


renamed = done_exactly_when_allowed(lambda ctx: opp_now(ctx).name == "矩阵改名")
reassigned = done_exactly_when_allowed(lambda ctx: opp_now(ctx).owner_id == ctx.cast.colleague.pk)
stepped = done_exactly_when_allowed(lambda ctx: opp_now(ctx).step.code == "first_interview")
overridden = done_exactly_when_allowed(
    lambda ctx: opp_now(ctx).transitions.filter(overridden=True).exists()
)
moved_back = done_exactly_when_allowed(lambda ctx: opp_now(ctx).stage.code == "development")
won = done_exactly_when_allowed(lambda ctx: opp_now(ctx).status == rules.Status.WON)
lost = done_exactly_when_allowed(lambda ctx: opp_now(ctx).status == rules.Status.LOST)
abandoned = done_exactly_when_allowed(lambda ctx: opp_now(ctx).status == rules.Status.ABANDONED)
reopened = done_exactly_when_allowed(lambda ctx: opp_now(ctx).status == rules.Status.OPEN)
created = done_exactly_when_allowed(_created)
checked = done_exactly_when_allowed(
    lambda ctx: CriterionCheck.objects.filter(
        opportunity=ctx.o.opp, criterion=_first_criterion()
    ).exists()
)
unchecked = done_exactly_when_allowed(
    lambda ctx: not CriterionCheck.objects.filter(opportunity=ctx.o.opp).exists()
)
budget_confirmed = done_exactly_when_allowed(
    lambda ctx: (
        KeyElement.objects.get(opportunity=ctx.o.opp, element="budget").status == "confirmed"
    )
)
competitor_stronger = done_exactly_when_allowed(
    lambda ctx: OpportunityCompetitor.objects.get(opportunity=ctx.o.opp).strength == "stronger"
)
competitor_removed = done_exactly_when_allowed(
    lambda ctx: not OpportunityCompetitor.objects.filter(opportunity=ctx.o.opp).exists()
)
catalogued = done_exactly_when_allowed(
    lambda ctx: Competitor.objects.filter(name="矩阵新对手").exists()
)
role_opponent = done_exactly_when_allowed(
    lambda ctx: BuyingRoleEntry.objects.filter(
        opportunity=ctx.o.opp, contact=ctx.o.other_contact, attitude="opponent"
    ).exists()
)
role_removed = done_exactly_when_allowed(
    lambda ctx: not BuyingRoleEntry.objects.filter(opportunity=ctx.o.opp).exists()
)
colleague_on_team = done_exactly_when_allowed(
    lambda ctx: OpportunityMember.objects.filter(
        opportunity=ctx.o.opp, user=ctx.cast.colleague
    ).exists()
)
consultant_off_team = done_exactly_when_allowed(
    lambda ctx: not OpportunityMember.objects.filter(opportunity=ctx.o.opp).exists()
)
followed_up = done_exactly_when_allowed(
    lambda ctx: FollowUp.objects.filter(opportunity=ctx.o.opp).exists()
)
assessed = done_exactly_when_allowed(
    lambda ctx: RiskAssessment.objects.filter(opportunity=ctx.o.opp).exists()
)
decided = done_exactly_when_allowed(
    lambda ctx: RiskAssessment.objects.get(pk=ctx.o.assessment.pk).decision == "continue"
)
milestone_added = done_exactly_when_allowed(
    lambda ctx: PaymentMilestone.objects.filter(contract=ctx.o.contract).count() == 3
)
milestone_accepted = done_exactly_when_allowed(
    lambda ctx: PaymentMilestone.objects.get(pk=ctx.o.milestone.pk).accepted_on is not None
)
milestone_deleted = done_exactly_when_allowed(
    lambda ctx: not PaymentMilestone.objects.filter(pk=ctx.o.milestone.pk).exists()
)


# --- the routes -----------------------------------------------------------------------------

P = "/api/pipeline"


def _opp_url(suffix: str = "") -> Callable[[Cast, SimpleNamespace], str]:
    return lambda c, o: f"{P}/opportunities/{o.opp.pk}{suffix}"


def _read(name: str, suffix: str, setup: Any = kam_deal, **options: Any) -> Route:
    """A read of kam's deal: 200 for its viewers, 404 for everyone else."""
    return api(name, _opp_url(suffix), setup=setup, roles=per_role(DEAL_VIEWERS), **options)


PIPELINE_API_ROUTES: list[Route] = [
    # lists, totals, board, major projects, catalogues
    api(
        "api.pipeline.list",
        f"{P}/opportunities",
        setup=kam_deal,
        verify=api_page_lists(lambda c, o: {o.opp.pk: DEAL_VIEWERS}),
    ),
    api("api.pipeline.totals", f"{P}/opportunities/totals", setup=kam_deal, verify=totals_count),
    api("api.pipeline.board", f"{P}/board", setup=kam_deal, verify=board_lists),
    api(
        "api.pipeline.major",
        f"{P}/major-projects",
        setup=kam_deal,
        verify=api_page_lists(lambda c, o: {o.opp.pk: DEAL_VIEWERS}),
    ),
    api("api.pipeline.competitors", f"{P}/competitors"),
    api(
        "api.pipeline.competitor.register",
        f"{P}/competitors",
        method="POST",
        body={"name": "矩阵新对手"},
        roles=per_role(CATALOGUERS, yes=201, no=403),
        verify=catalogued,
        note="sales staff and managers add competitors; the catalogue is not per customer",
    ),
    api("api.pipeline.risk_factors", f"{P}/risk-factors"),
    api("api.pipeline.loss_reasons", f"{P}/loss-reasons"),
    # one opportunity
    api(
        "api.pipeline.create",
        f"{P}/opportunities",
        method="POST",
        setup=kam_customer,
        body=lambda c, o: {
            "customer_id": o.customer.pk,
            "name": "矩阵新机会",
            "amount": "1200000",
            "expected_signing": (timezone.localdate() + timedelta(days=60)).isoformat(),
        },
        roles={
            role: 201 if role in RUNNERS else 403 if role in KAM_CUSTOMER_VIEWERS else 404
            for role in SIGNED_IN
        },
        verify=created,
        note="on the customer's page: its owner and their managers; the assistant only reads",
    ),
    api(
        "api.pipeline.import",
        f"{P}/opportunities/import",
        method="POST",
        setup=kam_customer,
        body=lambda c, o: {
            "source": "矩阵",
            "deals": [
                {
                    "customer_id": o.customer.pk,
                    "name": "矩阵导入机会",
                    "amount": "800000",
                    "stage_id": Stage.objects.get(order=3).pk,
                    "expected_signing": (timezone.localdate() + timedelta(days=90)).isoformat(),
                }
            ],
        },
        roles={role: 201 if role in {"admin", "director"} else 403 for role in SIGNED_IN},
        note="deals with their stage and history: administrators and the sales director only",
    ),
    _read("api.pipeline.detail", ""),
    api("api.pipeline.detail.missing", f"{P}/opportunities/987654321", signed_in=404),
    api("api.pipeline.detail.not_a_number", f"{P}/opportunities/abc", signed_in=422),
    api(
        "api.pipeline.update",
        _opp_url(),
        method="PATCH",
        setup=kam_deal,
        body=lambda c, o: {"version": o.opp.version, "name": "矩阵改名"},
        roles=visible(RUNNERS),
        verify=renamed,
    ),
    api(
        "api.pipeline.reassign",
        _opp_url("/reassign"),
        method="POST",
        setup=kam_deal,
        body=lambda c, o: {"owner_id": c.colleague.pk, "reason": "矩阵"},
        roles=visible(MANAGERS),
        verify=reassigned,
    ),
    # the gate
    _read("api.pipeline.gate", "/gate"),
    api(
        "api.pipeline.move",
        _opp_url("/move"),
        method="POST",
        setup=step_done,
        body={},
        roles=visible(RUNNERS),
        verify=stepped,
    ),
    api(
        "api.pipeline.move.override",
        _opp_url("/move"),
        method="POST",
        setup=kam_deal,
        body={"override": True, "reason": "客户高层已口头确认"},
        roles=visible(RUNNERS, yes=409) | dict.fromkeys(OVERRIDERS, 200),
        verify=overridden,
        note="the gate is closed: only a sales director passes it (409 lists what is missing)",
    ),
    api(
        "api.pipeline.back",
        _opp_url("/back"),
        method="POST",
        setup=in_initiation,
        body={"to_stage": "development", "reason": "客户需求变化"},
        roles=visible(RUNNERS),
        verify=moved_back,
    ),
    api(
        "api.pipeline.check",
        lambda c, o: f"{P}/opportunities/{o.opp.pk}/checks/{_first_criterion().pk}",
        method="PUT",
        setup=kam_deal,
        body={"note": "客户来电确认"},
        roles=visible(WORKERS),
        verify=checked,
    ),
    api(
        "api.pipeline.uncheck",
        lambda c, o: f"{P}/opportunities/{o.opp.pk}/checks/{o.criterion.pk}",
        method="DELETE",
        setup=checked_criterion,
        roles=visible(WORKERS, yes=204),
        verify=unchecked,
    ),
    _read("api.pipeline.transitions", "/transitions"),
    _read("api.pipeline.forecast_changes", "/forecast-changes"),
    # key evaluation elements
    _read("api.pipeline.element", "/elements/budget"),
    api(
        "api.pipeline.element.set",
        _opp_url("/elements/budget"),
        method="PUT",
        setup=kam_deal,
        body={"status": "confirmed", "notes": "预算已批"},
        roles=visible(WORKERS),
        verify=budget_confirmed,
    ),
    api(
        "api.pipeline.element.unknown",
        _opp_url("/elements/mood"),
        setup=kam_deal,
        signed_in=422,
        note="the element is checked before the deal is looked up",
    ),
    # competitors on the deal
    _read("api.pipeline.deal_competitors", "/competitors"),
    api(
        "api.pipeline.deal_competitor",
        lambda c, o: f"{P}/opportunities/{o.opp.pk}/competitors/{o.competitor.pk}",
        setup=kam_deal,
        roles=per_role(DEAL_VIEWERS),
    ),
    api(
        "api.pipeline.deal_competitor.set",
        lambda c, o: f"{P}/opportunities/{o.opp.pk}/competitors/{o.competitor.pk}",
        method="PUT",
        setup=kam_deal,
        body={"strength": "stronger", "their_strategy": "低价", "our_strategy": "强调服务"},
        roles=visible(WORKERS),
        verify=competitor_stronger,
    ),
    api(
        "api.pipeline.deal_competitor.remove",
        lambda c, o: f"{P}/opportunities/{o.opp.pk}/competitors/{o.competitor.pk}",
        method="DELETE",
        setup=kam_deal,
        roles=visible(WORKERS, yes=204),
        verify=competitor_removed,
    ),
    # buying roles and the power map (personal motives follow the deal's visibility)
    _read("api.pipeline.buying_roles", "/buying-roles"),
    api(
        "api.pipeline.buying_role",
        lambda c, o: f"{P}/opportunities/{o.opp.pk}/buying-roles/{o.contact.pk}",
        setup=kam_deal,
        roles=per_role(DEAL_VIEWERS),
    ),
    api(
        "api.pipeline.buying_role.set",
        lambda c, o: f"{P}/opportunities/{o.opp.pk}/buying-roles/{o.other_contact.pk}",
        method="PUT",
        setup=kam_deal,
        body={
            "role": "technical_evaluator",
            "influence": "medium",
            "attitude": "opponent",
            "personal_motives": "希望引入本地厂商",
        },
        roles=visible(WORKERS),
        verify=role_opponent,
    ),
    api(
        "api.pipeline.buying_role.remove",
        lambda c, o: f"{P}/opportunities/{o.opp.pk}/buying-roles/{o.contact.pk}",
        method="DELETE",
        setup=kam_deal,
        roles=visible(WORKERS, yes=204),
        verify=role_removed,
    ),
    _read("api.pipeline.power_map", "/power-map"),
    # the team
    _read("api.pipeline.team", "/team"),
    api(
        "api.pipeline.team.add",
        _opp_url("/team"),
        method="POST",
        setup=kam_deal,
        body=lambda c, o: {"user_id": c.colleague.pk, "role": "other", "note": "支援"},
        roles=visible(RUNNERS, yes=201),
        verify=colleague_on_team,
    ),
    api(
        "api.pipeline.team.remove",
        lambda c, o: f"{P}/opportunities/{o.opp.pk}/team/{c.consultant.pk}",
        method="DELETE",
        setup=kam_deal,
        roles=visible(RUNNERS, yes=204),
        verify=consultant_off_team,
    ),
    # KA follow-up form
    _read("api.pipeline.follow_ups", "/follow-ups"),
    api(
        "api.pipeline.follow_up.add",
        _opp_url("/follow-ups"),
        method="POST",
        setup=kam_deal,
        body={"progress": "拜访信息中心，确认需求", "next_steps": "技术交流"},
        roles=visible(WORKERS, yes=201),
        verify=followed_up,
    ),
    # risk assessment
    _read("api.pipeline.risk_assessments", "/risk-assessments"),
    api(
        "api.pipeline.risk_assessment.add",
        _opp_url("/risk-assessments"),
        method="POST",
        setup=kam_deal,
        body=lambda c, o: {
            "scores": {code: {"score": 2} for code in low_risk_scores()},
            "summary": "总体可控",
        },
        roles=visible(WORKERS, yes=201),
        verify=assessed,
    ),
    api(
        "api.pipeline.risk_assessment",
        lambda c, o: f"{P}/risk-assessments/{o.assessment.pk}",
        setup=low_risk,
        roles=per_role(DEAL_VIEWERS),
    ),
    api(
        "api.pipeline.risk_assessment.missing",
        f"{P}/risk-assessments/987654321",
        signed_in=404,
    ),
    api(
        "api.pipeline.risk_decision",
        lambda c, o: f"{P}/risk-assessments/{o.assessment.pk}/decision",
        method="POST",
        setup=high_risk,
        body={"decision": "continue", "reason": "战略客户，值得投入"},
        roles=visible(OVERRIDERS),
        verify=decided,
    ),
    # outcomes
    api(
        "api.pipeline.win",
        _opp_url("/win"),
        method="POST",
        setup=ready_to_win,
        body={
            "contract_number": "HT-矩阵-002",
            "signed_amount": "5800000.00",
            "signed_on": timezone.localdate().isoformat(),
            "milestones": [{"name": "预付款", "due_on": "2030-01-31", "percentage": "30"}],
        },
        roles=visible(RUNNERS, yes=201),
        verify=won,
    ),
    api(
        "api.pipeline.lose",
        _opp_url("/lose"),
        method="POST",
        setup=kam_deal,
        body=lambda c, o: {
            "loss_reason": "price",
            "winner_id": o.competitor.pk,
            "lessons": "报价偏高",
        },
        roles=visible(RUNNERS),
        verify=lost,
    ),
    api(
        "api.pipeline.abandon",
        _opp_url("/abandon"),
        method="POST",
        setup=kam_deal,
        body={"reason": "客户项目暂停"},
        roles=visible(RUNNERS),
        verify=abandoned,
    ),
    api(
        "api.pipeline.reopen",
        _opp_url("/reopen"),
        method="POST",
        setup=abandoned_deal,
        body={"reason": "客户重启项目"},
        roles=visible(RUNNERS),
        verify=reopened,
    ),
    # contract and payment milestones
    _read("api.pipeline.contract", "/contract", setup=won_deal),
    api(
        "api.pipeline.contract.none",
        _opp_url("/contract"),
        setup=kam_deal,
        roles=per_role(DEAL_VIEWERS, yes=404),
        note="an open deal has no contract yet: 404 for everyone",
    ),
    api(
        "api.pipeline.milestone.add",
        _opp_url("/milestones"),
        method="POST",
        setup=won_deal,
        body={"name": "质保金", "due_on": "2031-06-30", "amount": "100000"},
        roles=visible(RUNNERS, yes=201),
        verify=milestone_added,
    ),
    api(
        "api.pipeline.milestone.update",
        lambda c, o: f"{P}/milestones/{o.milestone.pk}",
        method="PATCH",
        setup=won_deal,
        body=lambda c, o: {
            "version": o.milestone.version,
            "accepted_on": timezone.localdate().isoformat(),
        },
        roles=visible(RUNNERS),
        verify=milestone_accepted,
    ),
    api(
        "api.pipeline.milestone.delete",
        lambda c, o: f"{P}/milestones/{o.milestone.pk}",
        method="DELETE",
        setup=won_deal,
        roles=visible(RUNNERS, yes=204),
        verify=milestone_deleted,
    ),
]
