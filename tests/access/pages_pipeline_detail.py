"""Access-matrix entries for the opportunity page and its actions (URL namespace ``pipeline``:
the page and its tabs, the gate, moving back, the outcomes, the checklist, key evaluation
elements, competitors, team, follow-up entries and payment milestones).

Wired in by ``registry.py`` (``PIPELINE_DETAIL_ROUTES``). The object is a deal of ``kam`` on
kam's registered customer (``api_customers.kam_customer``) with the consultant on its team, made
through the services and, for the later stages, walked there by the director's overrides. Who
gets what (SPEC §2, ``pipeline.permissions``):

- the deal is seen by its owner, the managers of the owner's unit (team_lead, head, director),
  the department-wide roles (head, director, assistant), the administrator and its team (the
  consultant); everyone else (colleague and account manager of the same team, the north KAM,
  the outsider) gets 404 for every URL of the deal, pages and actions alike;
- the owner and their managers run the deal: the gate, moving back, the outcomes, the team and
  the payment milestones; the consultant on the team and the assistant get 403 for those;
- the team works on it: the checklist, the key evaluation elements, competitors and follow-up
  entries (the consultant too); the assistant sees it all and changes nothing (403);
- only a sales director covering the owner's unit (and the administrator) overrides a closed
  gate: the owner and the other managers get 400 with the gate's refusal.

Observed and recorded here: a move the gate refuses answers 400 with what is missing and
changes nothing, the same as a form re-shown with its errors; a stale milestone edit answers 409
naming who saved in between; the POST-only actions answer 405 to a GET before they look the
deal up.
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from keyaccount.pipeline import services
from keyaccount.pipeline.models import (
    Competitor,
    Contract,
    CriterionCheck,
    FollowUp,
    KeyElement,
    LossReason,
    Opportunity,
    OpportunityCompetitor,
    OpportunityMember,
    PaymentMilestone,
    StageTransition,
)
from keyaccount.process.models import ExitCriterion, Stage

from ..conftest import Cast
from .api_customers import _kam, kam_customer
from .pages_customers import effect
from .registry import SIGNED_IN, Ctx, Expected, Route, both, page, page_shows, per_role

DEAL = "矩阵测试调度系统项目"
RIVAL = "矩阵测试竞争对手科技"
NEW_RIVAL = "矩阵测试新竞争对手"
MILESTONE = "矩阵测试预付款"

#: Who sees kam's deal (the consultant is on its team), runs it, works on it, overrides gates.
DEAL_VIEWERS = frozenset(
    {"kam", "team_lead", "consultant", "head", "director", "assistant", "admin"}
)
RUNNERS = frozenset({"kam", "team_lead", "head", "director", "admin"})
WORKERS = RUNNERS | {"consultant"}
OVERRIDERS = frozenset({"director", "admin"})


def on_deal(allowed: frozenset[str], yes: Expected = 200) -> dict[str, Expected]:
    """``yes`` for ``allowed``, 403 for the deal's other viewers, 404 for everyone else."""
    return {
        role: yes if role in allowed else 403 if role in DEAL_VIEWERS else 404 for role in SIGNED_IN
    }


# --- objects --------------------------------------------------------------------------------


def _fresh(opp: Opportunity) -> Opportunity:
    return Opportunity.objects.select_related("stage", "step", "owner").get(pk=opp.pk)


def kam_deal(c: Cast) -> dict[str, Any]:
    """kam's deal in step 1.1 with the consultant on its team, and a catalogue competitor."""
    made = kam_customer(c)
    kam = _kam(c)
    opp = services.opportunity_create(
        actor=kam,
        customer=made["customer"],
        data={
            "name": DEAL,
            "amount": Decimal("3500000"),
            "expected_signing": timezone.localdate() + timedelta(days=120),
        },
    )
    services.member_add(actor=kam, opportunity=opp, user=c.consultant, role="consultant")
    rival = services.competitor_register(actor=kam, name=RIVAL)
    # a criterion of the stage a person ticks, in a step that names the consultant
    criterion = ExitCriterion.objects.get(stage_id=opp.stage_id, step__code="needs_survey")
    return {**made, "opp": _fresh(opp), "rival": rival, "criterion": criterion}


def _check_step(c: Cast, opp: Opportunity) -> None:
    """What the first step asks for: the need known (which answers its criterion)."""
    services.element_set(actor=_kam(c), opportunity=opp, element="need", status="partly", notes="")
    for criterion in ExitCriterion.objects.filter(step_id=opp.step_id, evidence=[]):
        services.criterion_set(actor=_kam(c), opportunity=opp, criterion=criterion, checked=True)


def kam_deal_step_done(c: Cast) -> dict[str, Any]:
    """``kam_deal`` with every criterion of its step checked: the next step is open."""
    made = kam_deal(c)
    _check_step(c, made["opp"])
    return made


def _walk(c: Cast, opp: Opportunity, order: int) -> Opportunity:
    """To the first step of stage ``order`` by the director's overrides."""
    while opp.stage.order < order:
        services.opportunity_move(
            actor=c.director, opportunity=opp, override=True, reason="矩阵：总监批准"
        )
        opp = _fresh(opp)
    return opp


def kam_deal_stage2(c: Cast) -> dict[str, Any]:
    made = kam_deal(c)
    return {**made, "opp": _walk(c, made["opp"], 2), "first": Stage.objects.get(order=1)}


def kam_deal_negotiated(c: Cast) -> dict[str, Any]:
    """In negotiation with every manual criterion of the stage checked (the contract answers the
    last one): the "won" gate is open."""
    made = kam_deal(c)
    opp = _walk(c, made["opp"], 5)
    for criterion in ExitCriterion.objects.filter(stage_id=opp.stage_id, evidence=[]):
        services.criterion_set(actor=_kam(c), opportunity=opp, criterion=criterion, checked=True)
    return {**made, "opp": opp}


def kam_deal_won(c: Cast) -> dict[str, Any]:
    """Won with contract 矩阵-HT-1 (1,000,000 yuan) and one milestone of 300,000 yuan."""
    made = kam_deal_negotiated(c)
    contract = services.opportunity_win(
        actor=_kam(c),
        opportunity=made["opp"],
        contract_number="矩阵-HT-1",
        signed_amount=Decimal("1000000"),
        signed_on=timezone.localdate(),
        milestones=[
            services.MilestoneInput(MILESTONE, timezone.localdate(), amount=Decimal("300000"))
        ],
    )
    milestone = contract.milestones.get()
    return {**made, "opp": _fresh(made["opp"]), "contract": contract, "milestone": milestone}


def kam_deal_won_edited(c: Cast) -> dict[str, Any]:
    """``kam_deal_won`` whose milestone the team lead has saved once (version 2)."""
    made = kam_deal_won(c)
    milestone = made["milestone"]
    services.milestone_update(
        actor=c.team_lead,
        milestone=milestone,
        data={"accepted_on": timezone.localdate()},
        expected_version=milestone.version,
    )
    return made


def kam_deal_abandoned(c: Cast) -> dict[str, Any]:
    made = kam_deal(c)
    services.opportunity_abandon(actor=_kam(c), opportunity=made["opp"], reason="矩阵：客户取消")
    return {**made, "opp": _fresh(made["opp"])}


def kam_deal_with_rival(c: Cast) -> dict[str, Any]:
    made = kam_deal(c)
    services.competitor_set(
        actor=_kam(c), opportunity=made["opp"], competitor=made["rival"], strength="stronger"
    )
    return made


# --- verify helpers -------------------------------------------------------------------------


def opp_now(ctx: Ctx) -> Opportunity:
    return _fresh(ctx.o.opp)


def detail(tab: str = "") -> Callable[[Ctx], str]:
    def location(ctx: Ctx) -> str:
        url = f"/pipeline/{ctx.o.opp.pk}/"
        return url + (f"?tab={tab}" if tab else "")

    return location


deal_shown = page_shows(lambda c, o: {DEAL: DEAL_VIEWERS})


def refusal_shown(*texts: str) -> Callable[[Ctx], None]:
    """A 400 answer shows the gate's refusal (the list of what is missing, or why not)."""

    def run(ctx: Ctx) -> None:
        if ctx.response.status_code == 400:
            content = ctx.response.content.decode()
            for text in texts:
                assert text in content, f"{ctx.role}: {text!r} not shown"

    return run


def _step_code(ctx: Ctx) -> str:
    return opp_now(ctx).step.code


moved_a_step = effect(lambda ctx: _step_code(ctx) == "first_interview", detail())
overridden = effect(
    lambda ctx: StageTransition.objects.filter(
        opportunity=ctx.o.opp, overridden=True, actor=ctx.user
    ).exists(),
    detail(),
)
moved_back = effect(lambda ctx: opp_now(ctx).stage.order == 1, detail())
won = effect(
    lambda ctx: (
        opp_now(ctx).status == "won" and Contract.objects.filter(number="矩阵-HT-2").exists()
    ),
    detail("contract"),
)
lost = effect(lambda ctx: opp_now(ctx).status == "lost", detail())
abandoned = effect(lambda ctx: opp_now(ctx).status == "abandoned", detail())
reopened = effect(lambda ctx: opp_now(ctx).status == "open", detail())
checked = effect(
    lambda ctx: CriterionCheck.objects.filter(
        opportunity=ctx.o.opp, criterion=ctx.o.criterion, checked_by=ctx.user, note="矩阵"
    ).exists(),
    detail(),
)
element_set = effect(
    lambda ctx: KeyElement.objects.filter(
        opportunity=ctx.o.opp, element="budget", status="confirmed", updated_by=ctx.user
    ).exists(),
    detail("elements"),
)
rival_set = effect(
    lambda ctx: OpportunityCompetitor.objects.filter(
        opportunity=ctx.o.opp, competitor=ctx.o.rival, strength="weaker"
    ).exists(),
    detail("competitors"),
)
rival_removed = effect(
    lambda ctx: not OpportunityCompetitor.objects.filter(opportunity=ctx.o.opp).exists(),
    detail("competitors"),
)
member_added = effect(
    lambda ctx: OpportunityMember.objects.filter(
        opportunity=ctx.o.opp, user=ctx.cast.colleague
    ).exists(),
    detail("team"),
)
member_removed = effect(
    lambda ctx: (
        not OpportunityMember.objects.filter(
            opportunity=ctx.o.opp, user=ctx.cast.consultant
        ).exists()
    ),
    detail("team"),
)
followed_up = effect(
    lambda ctx: FollowUp.objects.filter(
        opportunity=ctx.o.opp, progress="矩阵跟进", author=ctx.user
    ).exists(),
    detail("follow_up"),
)
milestone_added = effect(
    lambda ctx: PaymentMilestone.objects.filter(contract=ctx.o.contract, name="矩阵尾款").exists(),
    detail("contract"),
)
collected = effect(
    lambda ctx: (
        PaymentMilestone.objects.get(pk=ctx.o.milestone.pk).collected_amount == Decimal("300000.00")
    ),
    detail("contract"),
)
milestone_deleted = effect(
    lambda ctx: not PaymentMilestone.objects.filter(pk=ctx.o.milestone.pk).exists(),
    detail("contract"),
)


# --- bodies ---------------------------------------------------------------------------------


def win_body(c: Cast, o: SimpleNamespace) -> dict[str, Any]:
    return {
        "contract_number": "矩阵-HT-2",
        "signed_amount": "350万",
        "signed_on": timezone.localdate().isoformat(),
        "ms1_name": "预付款",
        "ms1_due": timezone.localdate().isoformat(),
        "ms1_percentage": "30",
    }


def lose_body(c: Cast, o: SimpleNamespace) -> dict[str, Any]:
    reason = LossReason.objects.filter(is_active=True).order_by("order", "code").first()
    assert reason is not None
    return {"loss_reason": reason.pk, "winner": o.rival.pk, "lessons": "矩阵：价格偏高"}


def milestone_body(c: Cast, o: SimpleNamespace, **changes: Any) -> dict[str, Any]:
    today = timezone.localdate().isoformat()
    return {
        "name": MILESTONE,
        "due_on": o.milestone.due_on.isoformat(),
        "collected_on": today,
        "collected_amount": "30万",
        "version": o.milestone.version,
        **changes,
    }


def follow_up_body(c: Cast, o: SimpleNamespace) -> dict[str, Any]:
    return {"on": timezone.localdate().isoformat(), "progress": "矩阵跟进"}


# --- the routes -----------------------------------------------------------------------------


def _url(suffix: str = "") -> Callable[[Cast, SimpleNamespace], str]:
    return lambda c, o: f"/pipeline/{o.opp.pk}/{suffix}"


def _get_refused(name: str, url: str) -> Route:
    return page(name, url, signed_in=405)


TABS = ("elements", "competitors", "team", "follow_up", "risk", "power_map", "history")


def _tab(tab: str) -> Route:
    return page(
        f"pipeline.detail.{tab}",
        lambda c, o: f"/pipeline/{o.opp.pk}/?tab={tab}",
        setup=kam_deal_with_rival if tab == "competitors" else kam_deal,
        roles=per_role(DEAL_VIEWERS),
        verify=page_shows(
            lambda c, o: {
                DEAL: DEAL_VIEWERS,
                **({RIVAL: DEAL_VIEWERS} if tab == "competitors" else {}),
            }
        ),
    )


def _dialog(kind: str, setup: Any) -> Route:
    """The GET of a gate or outcome dialog: for whoever runs the deal."""
    return page(f"pipeline.{kind}.form", _url(f"{kind}/"), setup=setup, roles=on_deal(RUNNERS))


PIPELINE_DETAIL_ROUTES: list[Route] = [
    # the page and its tabs: whoever sees the deal
    page(
        "pipeline.detail",
        _url(),
        setup=kam_deal,
        roles=per_role(DEAL_VIEWERS),
        verify=deal_shown,
    ),
    *(_tab(tab) for tab in TABS),
    page(
        "pipeline.detail.contract",
        lambda c, o: f"/pipeline/{o.opp.pk}/?tab=contract",
        setup=kam_deal_won,
        roles=per_role(DEAL_VIEWERS),
        verify=page_shows(lambda c, o: {DEAL: DEAL_VIEWERS, MILESTONE: DEAL_VIEWERS}),
    ),
    page("pipeline.detail.missing", "/pipeline/987654321/", signed_in=404),
    # the gate: the owner and their managers; an override only by a director
    _dialog("move", kam_deal),
    page(
        "pipeline.move",
        _url("move/"),
        method="POST",
        setup=kam_deal_step_done,
        roles=on_deal(RUNNERS, yes=302),
        verify=moved_a_step,
    ),
    page(
        "pipeline.move.refused",
        _url("move/"),
        method="POST",
        setup=kam_deal,
        roles=on_deal(RUNNERS, yes=400),
        verify=refusal_shown('data-testid="gate-missing"'),
        note="the gate refuses: 400 with what is missing, nothing changed",
    ),
    page(
        "pipeline.move.override",
        _url("move/"),
        method="POST",
        setup=kam_deal,
        body={"override": "on", "reason": "矩阵：总监批准"},
        roles={**on_deal(OVERRIDERS, yes=302), **dict.fromkeys(RUNNERS - OVERRIDERS, 400)},
        verify=both(overridden, refusal_shown('data-testid="gate-refusal"')),
        note="the owner and the other managers get the gate's refusal (400)",
    ),
    _dialog("back", kam_deal_stage2),
    page(
        "pipeline.back",
        _url("back/"),
        method="POST",
        setup=kam_deal_stage2,
        body=lambda c, o: {"to_stage": o.first.pk, "reason": "矩阵：客户预算冻结"},
        roles=on_deal(RUNNERS, yes=302),
        verify=moved_back,
    ),
    page(
        "pipeline.back.invalid",
        _url("back/"),
        method="POST",
        setup=kam_deal_stage2,
        body=lambda c, o: {"to_stage": o.first.pk, "reason": " "},
        roles=on_deal(RUNNERS, yes=400),
        note="moving back needs a reason",
    ),
    # the outcomes
    _dialog("win", kam_deal_negotiated),
    page(
        "pipeline.win",
        _url("win/"),
        method="POST",
        setup=kam_deal_negotiated,
        body=win_body,
        roles=on_deal(RUNNERS, yes=302),
        verify=won,
    ),
    page(
        "pipeline.win.invalid",
        _url("win/"),
        method="POST",
        setup=kam_deal_negotiated,
        body=lambda c, o: {**win_body(c, o), "contract_number": ""},
        roles=on_deal(RUNNERS, yes=400),
    ),
    _dialog("lose", kam_deal),
    page(
        "pipeline.lose",
        _url("lose/"),
        method="POST",
        setup=kam_deal,
        body=lose_body,
        roles=on_deal(RUNNERS, yes=302),
        verify=lost,
    ),
    page(
        "pipeline.lose.invalid",
        _url("lose/"),
        method="POST",
        setup=kam_deal,
        body=lambda c, o: {**lose_body(c, o), "lessons": ""},
        roles=on_deal(RUNNERS, yes=400),
    ),
    _dialog("abandon", kam_deal),
    page(
        "pipeline.abandon",
        _url("abandon/"),
        method="POST",
        setup=kam_deal,
        body={"reason": "矩阵：客户取消"},
        roles=on_deal(RUNNERS, yes=302),
        verify=abandoned,
    ),
    page(
        "pipeline.abandon.invalid",
        _url("abandon/"),
        method="POST",
        setup=kam_deal,
        body={"reason": ""},
        roles=on_deal(RUNNERS, yes=400),
    ),
    _dialog("reopen", kam_deal_abandoned),
    page(
        "pipeline.reopen",
        _url("reopen/"),
        method="POST",
        setup=kam_deal_abandoned,
        body={"reason": "矩阵：项目重启"},
        roles=on_deal(RUNNERS, yes=302),
        verify=reopened,
    ),
    page(
        "pipeline.reopen.invalid",
        _url("reopen/"),
        method="POST",
        setup=kam_deal_abandoned,
        body={"reason": ""},
        roles=on_deal(RUNNERS, yes=400),
    ),
    # the team's work: checklist, elements, competitors, follow-ups
    page(
        "pipeline.check",
        lambda c, o: f"/pipeline/{o.opp.pk}/checks/{o.criterion.pk}/",
        method="POST",
        setup=kam_deal,
        body={"checked": "on", "note": "矩阵"},
        roles=on_deal(WORKERS, yes=302),
        verify=checked,
    ),
    page(
        "pipeline.element",
        _url("elements/budget/"),
        method="POST",
        setup=kam_deal,
        body={"status": "confirmed", "notes": "矩阵"},
        roles=on_deal(WORKERS, yes=302),
        verify=element_set,
    ),
    page(
        "pipeline.element.invalid",
        _url("elements/budget/"),
        method="POST",
        setup=kam_deal,
        body={"status": "certain", "notes": "矩阵"},
        roles=on_deal(WORKERS, yes=400),
    ),
    page(
        "pipeline.competitor_set",
        _url("competitors/"),
        method="POST",
        setup=kam_deal,
        body=lambda c, o: {"competitor": o.rival.pk, "strength": "weaker"},
        roles=on_deal(WORKERS, yes=302),
        verify=rival_set,
    ),
    page(
        "pipeline.competitor_set.new_name",
        _url("competitors/"),
        method="POST",
        setup=kam_deal,
        body={"new_name": NEW_RIVAL, "strength": "equal"},
        roles={**on_deal(RUNNERS, yes=302)},
        verify=effect(
            lambda ctx: Competitor.objects.filter(name=NEW_RIVAL).exists(), detail("competitors")
        ),
        note="a new name joins the catalogue: sales staff only (the consultant gets 403)",
    ),
    page(
        "pipeline.competitor_set.invalid",
        _url("competitors/"),
        method="POST",
        setup=kam_deal,
        body={"strength": "weaker"},
        roles=on_deal(WORKERS, yes=400),
    ),
    page(
        "pipeline.competitor_remove",
        lambda c, o: f"/pipeline/{o.opp.pk}/competitors/{o.rival.pk}/remove/",
        method="POST",
        setup=kam_deal_with_rival,
        roles=on_deal(WORKERS, yes=302),
        verify=rival_removed,
    ),
    page(
        "pipeline.follow_up_add",
        _url("follow-ups/"),
        method="POST",
        setup=kam_deal,
        body=follow_up_body,
        roles=on_deal(WORKERS, yes=302),
        verify=followed_up,
    ),
    page(
        "pipeline.follow_up_add.invalid",
        _url("follow-ups/"),
        method="POST",
        setup=kam_deal,
        body=lambda c, o: {**follow_up_body(c, o), "progress": ""},
        roles=on_deal(WORKERS, yes=400),
    ),
    # the team itself: the owner and their managers
    page(
        "pipeline.member_add",
        _url("team/"),
        method="POST",
        setup=kam_deal,
        body=lambda c, o: {"user": c.colleague.pk, "role": "senior_kam"},
        roles=on_deal(RUNNERS, yes=302),
        verify=member_added,
    ),
    page(
        "pipeline.member_add.invalid",
        _url("team/"),
        method="POST",
        setup=kam_deal,
        body=lambda c, o: {"user": c.colleague.pk, "role": ""},
        roles=on_deal(RUNNERS, yes=400),
    ),
    page(
        "pipeline.member_remove",
        lambda c, o: f"/pipeline/{o.opp.pk}/team/{c.consultant.pk}/remove/",
        method="POST",
        setup=kam_deal,
        roles=on_deal(RUNNERS, yes=302),
        verify=member_removed,
    ),
    # payment milestones of the won deal: the owner and their managers
    page(
        "pipeline.milestone_add",
        _url("milestones/"),
        method="POST",
        setup=kam_deal_won,
        body={"name": "矩阵尾款", "due_on": timezone.localdate().isoformat(), "amount": "10万"},
        roles=on_deal(RUNNERS, yes=302),
        verify=milestone_added,
    ),
    page(
        "pipeline.milestone_add.invalid",
        _url("milestones/"),
        method="POST",
        setup=kam_deal_won,
        body={"name": "矩阵尾款", "due_on": timezone.localdate().isoformat(), "amount": "900万"},
        roles=on_deal(RUNNERS, yes=400),
        note="more than the contract",
    ),
    page(
        "pipeline.milestone_edit.form",
        lambda c, o: f"/pipeline/milestones/{o.milestone.pk}/",
        setup=kam_deal_won,
        roles=on_deal(RUNNERS),
    ),
    page(
        "pipeline.milestone_edit",
        lambda c, o: f"/pipeline/milestones/{o.milestone.pk}/",
        method="POST",
        setup=kam_deal_won,
        body=milestone_body,
        roles=on_deal(RUNNERS, yes=302),
        verify=collected,
    ),
    page(
        "pipeline.milestone_edit.stale",
        lambda c, o: f"/pipeline/milestones/{o.milestone.pk}/",
        method="POST",
        setup=kam_deal_won_edited,
        body=lambda c, o: milestone_body(c, o, version=1),
        roles=on_deal(RUNNERS, yes=409),
        note="saved by the team lead in between: 409 naming them, nothing changed",
    ),
    page("pipeline.milestone_edit.missing", "/pipeline/milestones/987654321/", signed_in=404),
    page(
        "pipeline.milestone_delete",
        lambda c, o: f"/pipeline/milestones/{o.milestone.pk}/delete/",
        method="POST",
        setup=kam_deal_won,
        roles=on_deal(RUNNERS, yes=302),
        verify=milestone_deleted,
    ),
    # the POST-only actions refuse a GET (405) before they look the deal up
    _get_refused("pipeline.check.get", "/pipeline/987654321/checks/987654321/"),
    _get_refused("pipeline.element.get", "/pipeline/987654321/elements/need/"),
    _get_refused("pipeline.competitor_set.get", "/pipeline/987654321/competitors/"),
    _get_refused(
        "pipeline.competitor_remove.get", "/pipeline/987654321/competitors/987654321/remove/"
    ),
    _get_refused("pipeline.member_add.get", "/pipeline/987654321/team/"),
    _get_refused("pipeline.member_remove.get", "/pipeline/987654321/team/987654321/remove/"),
    _get_refused("pipeline.follow_up_add.get", "/pipeline/987654321/follow-ups/"),
    _get_refused("pipeline.milestone_add.get", "/pipeline/987654321/milestones/"),
    _get_refused("pipeline.milestone_delete.get", "/pipeline/milestones/987654321/delete/"),
]
