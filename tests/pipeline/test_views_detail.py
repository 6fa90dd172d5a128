"""The opportunity page and its actions: the tabs, the checklist and key evaluation elements,
the gate dialog (refusal with what is missing, a director's override, moving back), the
outcomes, competitors, team, follow-up entries and payment milestones. Everything is built
through the services, as users would."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from keyaccount.contacts.models import Contact
from keyaccount.pipeline import rules, services
from keyaccount.pipeline.models import (
    BuyingRoleEntry,
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
from keyaccount.process.models import ExitCriterion, Stage, Step

from ..pipeline_support import (
    advance_to,
    high_risk_scores,
    make_opportunity,
    registered_customer,
    satisfy_stage,
)

NAMES = {"kam": "王伟", "team_lead": "陈静", "director": "孙丽", "consultant": "赵顾问"}
#: Who sees kam's deal (consultant is on its team), who runs it, who works on it.
VIEWERS = ("kam", "team_lead", "consultant", "head", "director", "assistant", "admin")
RUNNERS = ("kam", "team_lead", "head", "director", "admin")
OUTSIDE = ("colleague", "north_kam", "account_manager", "outsider")


@pytest.fixture(autouse=True)
def people(cast):
    """Everyone reads the pages in English; some have display names the pages show."""
    for role, user in cast.roles().items():
        user.language = "en"
        user.display_name = NAMES.get(role, "")
        user.save()


@pytest.fixture
def customer(cast):
    return registered_customer(owner=cast.kam, assistant=cast.assistant)


@pytest.fixture
def opp(cast, customer) -> Opportunity:
    """kam's deal in the first step of customer development, the consultant on its team."""
    deal = make_opportunity(owner=cast.kam, customer=customer)
    services.member_add(actor=cast.kam, opportunity=deal, user=cast.consultant, role="consultant")
    return deal


def fresh(opp: Opportunity) -> Opportunity:
    return Opportunity.objects.select_related("stage", "step").get(pk=opp.pk)


def url(opp: Opportunity, suffix: str = "") -> str:
    return f"/pipeline/{opp.pk}/{suffix}"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def step_criteria(opp: Opportunity) -> list[ExitCriterion]:
    """The criteria of the deal's current step that a person ticks (the others are answered by
    the record)."""
    return list(
        ExitCriterion.objects.filter(step_id=opp.step_id, evidence=[]).order_by("order", "id")
    )


def tickable(opp: Opportunity) -> ExitCriterion:
    """A manual criterion of the deal's stage that the consultant on its team may tick (its
    step names the consultant as responsible)."""
    return (
        ExitCriterion.objects.filter(
            stage_id=opp.stage_id, evidence=[], step__roles__code="consultant"
        )
        .order_by("order", "id")
        .first()
    )


def check_step(opp: Opportunity, actor) -> None:
    """Everything the current step asks for: its manual criteria ticked, and the key
    evaluation elements its evidence criteria ask about known well enough."""
    for criterion in ExitCriterion.objects.filter(step_id=opp.step_id).exclude(evidence=[]):
        for fact in criterion.evidence:
            if fact["fact"] == "elements":
                wanted = rules.Element.values if fact["elements"] == "all" else fact["elements"]
                for element in wanted:
                    services.element_set(
                        actor=actor,
                        opportunity=opp,
                        element=element,
                        status=fact["minimum"],
                        notes="",
                    )
    for criterion in step_criteria(opp):
        services.criterion_set(actor=actor, opportunity=opp, criterion=criterion, checked=True)


def to_stage(opp: Opportunity, order: int, *, director) -> Opportunity:
    """Walk the deal to the first step of stage ``order`` by a director's overrides."""
    opp = fresh(opp)
    while opp.stage.order < order:
        services.opportunity_move(
            actor=director, opportunity=opp, override=True, reason="演示：总监批准跳过"
        )
        opp = fresh(opp)
    return opp


@pytest.fixture
def won(cast, opp) -> Opportunity:
    """The deal won with contract HT-001 (1,000,000 yuan) and two milestones."""
    deal = advance_to(opp, actor=cast.kam, stage_order=5)
    satisfy_stage(deal, actor=cast.kam)
    services.opportunity_win(
        actor=cast.kam,
        opportunity=deal,
        contract_number="HT-001",
        signed_amount=Decimal("1000000.00"),
        signed_on=timezone.localdate(),
        milestones=[
            services.MilestoneInput("预付款", timezone.localdate(), percentage=Decimal(30)),
            services.MilestoneInput(
                "验收款", timezone.localdate() + timedelta(days=90), amount=Decimal("500000")
            ),
        ],
    )
    return fresh(deal)


def counts() -> tuple:
    """Rows the actions write (to show a refused one wrote nothing)."""
    return (
        StageTransition.objects.count(),
        CriterionCheck.objects.count(),
        list(KeyElement.objects.order_by("pk").values_list("status", "notes")),
        OpportunityCompetitor.objects.count(),
        Competitor.objects.count(),
        OpportunityMember.objects.count(),
        FollowUp.objects.count(),
        Contract.objects.count(),
        list(PaymentMilestone.objects.order_by("pk").values_list("version", "collected_amount")),
        list(Opportunity.objects.order_by("pk").values_list("status", "stage_id", "step_id")),
    )


# --- the page -------------------------------------------------------------------------------


def test_the_page_shows_the_deal_its_stage_and_the_checklist(cast, client_for, opp, customer):
    response = client_for(cast.kam).get(url(opp))
    assert response.status_code == 200
    body = text(response)
    assert escape(opp.name) in body
    assert f'href="/customers/{customer.pk}/"' in body
    assert "Customer development" in body and "Lead discovery" in body
    assert 'data-testid="stage-current"' in body
    assert body.count('data-testid="stage-next"') == 5
    for criterion in ExitCriterion.objects.filter(stage=opp.stage):
        assert escape(criterion.text_en) in body
    # the default playbook asks for the customer profile, the follow-up and the risk forms
    assert 'data-testid="form-ka_follow_up"' in body
    assert f"/pipeline/{opp.pk}/risk/new/" in body
    assert "CNY 3,500,000.00" in body  # the detail view shows the exact amount
    assert "CNY 350,000.00" in body  # weighted at the stage's 10%
    missing = response.context["missing"]
    assert {m.kind for m in missing} >= {"criterion", "form", "element"}
    for m in missing:
        assert escape(m.text) in body


@pytest.mark.parametrize("role", VIEWERS)
def test_everyone_who_sees_the_deal_opens_every_tab(cast, client_for, won, role):
    client = client_for(getattr(cast, role))
    for tab in ("process", "elements", "competitors", "team", "follow_up", "risk", "power_map",
                "contract", "history"):  # fmt: skip
        response = client.get(url(won) + f"?tab={tab}")
        assert response.status_code == 200, tab
        assert response.context["tab"] == tab
        assert f'data-testid="tab-{tab}-content"' in response.content.decode()


@pytest.mark.parametrize("role", OUTSIDE)
def test_a_deal_outside_visibility_is_a_404_for_every_url(cast, client_for, opp, role):
    client = client_for(getattr(cast, role))
    criterion = tickable(opp)
    assert client.get(url(opp)).status_code == 404
    for suffix in ("move/", "back/", "win/", "lose/", "abandon/", "reopen/"):
        assert client.get(url(opp, suffix)).status_code == 404, suffix
        assert client.post(url(opp, suffix), {"reason": "x"}).status_code == 404, suffix
    for suffix in (f"checks/{criterion.pk}/", "elements/need/", "competitors/", "team/",
                   "follow-ups/", "milestones/"):  # fmt: skip
        assert client.post(url(opp, suffix), {}).status_code == 404, suffix


def test_a_missing_deal_is_a_404(cast, client_for, db):
    assert client_for(cast.admin).get("/pipeline/987654321/").status_code == 404


def test_an_unknown_tab_and_the_contract_tab_of_an_open_deal_show_the_process(
    cast, client_for, opp
):
    client = client_for(cast.kam)
    assert client.get(url(opp) + "?tab=nonsense").context["tab"] == "process"
    response = client.get(url(opp) + "?tab=contract")
    assert response.context["tab"] == "process"
    assert 'data-testid="tab-contract"' not in response.content.decode()


def test_the_customer_is_plain_text_for_whoever_cannot_see_it(cast, client_for, opp, customer):
    body = client_for(cast.consultant).get(url(opp)).content.decode()
    assert escape(customer.name) in body
    assert f'href="/customers/{customer.pk}/"' not in body


def test_the_page_offers_only_the_actions_the_role_may_take(cast, client_for, opp):
    kam = client_for(cast.kam).get(url(opp)).content.decode()
    for action in ("move", "edit", "lose", "abandon"):
        assert f'data-testid="action-{action}"' in kam
    assert 'data-testid="action-back"' not in kam  # the first stage
    assert 'data-testid="action-win"' not in kam  # not in negotiation
    assert 'data-testid="criterion-checkbox"' in kam
    consultant = client_for(cast.consultant).get(url(opp)).content.decode()
    assert 'data-testid="actions"' not in consultant
    assert 'data-testid="criterion-checkbox"' in consultant
    assistant = client_for(cast.assistant).get(url(opp)).content.decode()
    assert 'data-testid="actions"' not in assistant
    assert 'data-testid="criterion-checkbox"' not in assistant


def test_the_header_shows_probability_override_health_and_risk(cast, client_for, opp):
    deal = fresh(opp)
    services.opportunity_update(
        actor=cast.kam,
        opportunity=deal,
        data={
            "probability_override": 30,
            "probability_reason": "客户高层已口头承诺",
            "expected_signing": timezone.localdate() - timedelta(days=3),
        },
        expected_version=deal.version,
    )
    response = client_for(cast.kam).get(url(opp))
    body = text(response)
    assert "30%" in body and "客户高层已口头承诺" in body and "overridden" in body
    assert 'data-testid="health-past_signing"' in body
    assert "CNY 1,050,000.00" in body  # 30% of 350万


def test_a_pending_risk_decision_shows_the_banner_and_the_form_to_directors(cast, client_for, opp):
    assessment = services.risk_assess(
        actor=cast.kam,
        opportunity=opp,
        assessed_on=timezone.localdate(),
        scores=high_risk_scores(),
    )
    kam = client_for(cast.kam).get(url(opp)).content.decode()
    assert 'data-testid="risk-pending"' in kam
    assert 'data-testid="risk-decide-form"' not in kam
    director = client_for(cast.director).get(url(opp)).content.decode()
    assert 'data-testid="risk-decide-form"' in director
    assert f'action="/pipeline/risk/{assessment.pk}/decide/"' in director
    assert 'name="decision"' in director and 'value="continue"' in director
    assert 'name="reason"' in director


def test_the_power_map_tab_loads_its_partial_with_htmx(cast, client_for, opp):
    body = client_for(cast.kam).get(url(opp) + "?tab=power_map").content.decode()
    assert f'hx-get="/pipeline/{opp.pk}/power-map/"' in body
    assert 'hx-trigger="load"' in body


# --- the checklist and the key evaluation elements ------------------------------------------


def test_a_consultant_on_the_team_checks_a_criterion_with_a_note_via_htmx(cast, client_for, opp):
    criterion = tickable(opp)
    response = client_for(cast.consultant).post(
        url(opp, f"checks/{criterion.pk}/"),
        {"checked": "on", "note": "电话确认意向"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body
    assert f'id="ka-criterion-{criterion.pk}"' in body
    assert "Checked by 赵顾问" in body and "电话确认意向" in body
    assert 'hx-swap-oob="true"' in body  # the "still missing" box follows
    assert escape(criterion.text_en) not in body.split('id="ka-missing"')[1]
    check = CriterionCheck.objects.get(opportunity=opp, criterion=criterion)
    assert (check.checked_by, check.note) == (cast.consultant, "电话确认意向")


def test_unchecking_a_criterion_without_htmx_redirects_to_the_checklist(cast, client_for, opp):
    criterion = tickable(opp)
    services.criterion_set(actor=cast.kam, opportunity=opp, criterion=criterion, checked=True)
    response = client_for(cast.kam).post(url(opp, f"checks/{criterion.pk}/"), {"note": ""})
    assert response.status_code == 302
    assert response["Location"] == url(opp)
    assert not CriterionCheck.objects.filter(opportunity=opp).exists()


def test_a_criterion_of_another_stage_is_refused_with_a_message(cast, client_for, opp):
    other = ExitCriterion.objects.filter(stage__order=3).first()
    before = counts()
    response = client_for(cast.kam).post(url(opp, f"checks/{other.pk}/"), {"checked": "on"})
    assert response.status_code == 400
    assert "belongs to another stage" in text(response)
    assert counts() == before


def test_the_assistant_sees_the_deal_but_may_not_check_or_edit(cast, client_for, opp):
    client = client_for(cast.assistant)
    criterion = tickable(opp)
    before = counts()
    assert client.post(url(opp, f"checks/{criterion.pk}/"), {"checked": "on"}).status_code == 403
    assert client.post(url(opp, "elements/need/"), {"status": "confirmed"}).status_code == 403
    assert client.post(url(opp, "follow-ups/"), {"progress": "x"}).status_code == 403
    assert client.get(url(opp, "move/")).status_code == 403
    assert counts() == before


def test_a_consultant_edits_an_element_inline(cast, client_for, opp):
    response = client_for(cast.consultant).post(
        url(opp, "elements/budget/"),
        {"status": "partly", "notes": "预算约400万，待财务确认"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = text(response)
    assert 'id="ka-element-budget"' in body and "<html" not in body
    assert "Updated by 赵顾问" in body and 'data-testid="element-saved"' in body
    row = KeyElement.objects.get(opportunity=opp, element="budget")
    assert (row.status, row.notes, row.updated_by) == (
        "partly",
        "预算约400万，待财务确认",
        cast.consultant,
    )


def test_an_element_without_htmx_redirects_and_a_bad_status_is_refused(cast, client_for, opp):
    client = client_for(cast.kam)
    response = client.post(url(opp, "elements/need/"), {"status": "confirmed", "notes": "明确"})
    assert response.status_code == 302
    assert response["Location"] == url(opp) + "?tab=elements"
    before = counts()
    response = client.post(url(opp, "elements/need/"), {"status": "certain", "notes": "?"})
    assert response.status_code == 400
    assert response.context["tab"] == "elements"
    assert counts() == before
    assert client.post(url(opp, "elements/price/"), {"status": "partly"}).status_code == 404


def test_the_elements_tab_shows_what_this_stage_requires(cast, client_for, opp):
    response = client_for(cast.kam).get(url(opp) + "?tab=elements")
    rows = {e["code"]: e for e in response.context["elements"]}
    assert list(rows) == list(rules.Element.values)
    assert rows["need"]["required"] == "partly" and not rows["need"]["satisfied"]
    assert rows["budget"]["required"] is None


# --- the gate -------------------------------------------------------------------------------


def test_the_gate_dialog_shows_the_target_and_what_is_missing(cast, client_for, opp):
    response = client_for(cast.kam).get(url(opp, "move/"))
    assert response.status_code == 200
    body = text(response)
    assert "First interview" in body  # the next step
    for criterion in step_criteria(opp):
        if criterion.mandatory:
            assert escape(criterion.text_en) in body
    assert 'data-testid="gate-override-form"' not in body
    assert "A sales director may override the gate" in body


def test_a_refused_move_answers_400_with_the_gates_own_sentences(cast, client_for, opp):
    before = counts()
    response = client_for(cast.kam).post(url(opp, "move/"), {})
    assert response.status_code == 400
    body = text(response)
    assert 'data-testid="gate-missing"' in body
    for criterion in step_criteria(opp):
        if criterion.mandatory:
            assert escape(criterion.text_en) in body
    assert counts() == before


def test_a_step_move_with_the_step_done_redirects_with_a_message(cast, client_for, opp):
    check_step(opp, cast.kam)
    client = client_for(cast.kam)
    preview = client.get(url(opp, "move/"))
    assert 'data-testid="gate-confirm"' in preview.content.decode()
    response = client.post(url(opp, "move/"), {})
    assert response.status_code == 302
    assert response["Location"] == url(opp)
    deal = fresh(opp)
    assert deal.step.code == "first_interview"
    page = client.get(url(opp))
    assert "Moved on to step" in text(page)
    assert StageTransition.objects.filter(opportunity=opp, kind="step").count() == 1


def test_the_dialog_is_a_fragment_for_htmx_and_success_asks_the_browser_to_go(
    cast, client_for, opp
):
    client = client_for(cast.kam)
    fragment = client.get(url(opp, "move/"), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert 'data-testid="dialog-move"' in fragment.content.decode()
    refused = client.post(url(opp, "move/"), {}, headers={"HX-Request": "true"})
    assert refused.status_code == 400 and "<html" not in refused.content.decode()
    check_step(opp, cast.kam)
    done = client.post(url(opp, "move/"), {}, headers={"HX-Request": "true"})
    assert done.status_code == 200
    assert done["HX-Redirect"] == url(opp)


def test_a_director_overrides_the_gate_with_a_written_reason(cast, client_for, opp):
    client = client_for(cast.director)
    dialog = client.get(url(opp, "move/")).content.decode()
    assert 'data-testid="gate-override-form"' in dialog
    before = counts()
    refused = client.post(url(opp, "move/"), {"override": "on", "reason": "  "})
    assert refused.status_code == 400
    assert "An override needs a written reason." in text(refused)
    assert counts() == before
    response = client.post(url(opp, "move/"), {"override": "on", "reason": "客户高层直接邀约"})
    assert response.status_code == 302
    transition = StageTransition.objects.filter(opportunity=opp).latest("id")
    assert transition.overridden and transition.reason == "客户高层直接邀约"
    assert {m["kind"] for m in transition.missing} == {"criterion"}
    history = client.get(url(opp) + "?tab=history").content.decode()
    assert 'data-testid="transition-overridden"' in history and "客户高层直接邀约" in history


@pytest.mark.parametrize("role", ["kam", "team_lead", "head"])
def test_an_override_by_anyone_but_a_director_is_refused(cast, client_for, opp, role):
    before = counts()
    response = client_for(getattr(cast, role)).post(
        url(opp, "move/"), {"override": "on", "reason": "我想跳过"}
    )
    assert response.status_code == 400
    assert "Only a sales director may override a gate." in text(response)
    assert counts() == before


def test_the_consultant_may_not_move_the_deal(cast, client_for, opp):
    client = client_for(cast.consultant)
    before = counts()
    assert client.get(url(opp, "move/")).status_code == 403
    assert client.post(url(opp, "move/"), {}).status_code == 403
    assert client.post(url(opp, "back/"), {"reason": "x"}).status_code == 403
    assert client.post(url(opp, "abandon/"), {"reason": "x"}).status_code == 403
    assert counts() == before


def test_a_move_back_needs_an_earlier_stage_and_a_reason(cast, client_for, opp):
    deal = to_stage(opp, 2, director=cast.director)
    first = Stage.objects.get(order=1)
    client = client_for(cast.kam)
    dialog = client.get(url(deal, "back/"))
    assert dialog.status_code == 200
    assert [s.order for s in dialog.context["earlier"]] == [1]
    before = counts()
    refused = client.post(url(deal, "back/"), {"to_stage": first.pk, "reason": ""})
    assert refused.status_code == 400
    assert "Moving back needs a reason." in text(refused)
    later = Stage.objects.get(order=4)
    refused = client.post(url(deal, "back/"), {"to_stage": later.pk, "reason": "x"})
    assert refused.status_code == 400
    assert "Choose an earlier stage to move back to." in text(refused)
    assert counts() == before
    response = client.post(url(deal, "back/"), {"to_stage": first.pk, "reason": "客户预算冻结"})
    assert response.status_code == 302
    deal = fresh(deal)
    assert deal.stage.order == 1 and deal.step.order == 1
    assert (
        StageTransition.objects.filter(opportunity=deal, kind="back").get().reason == "客户预算冻结"
    )


# --- outcomes -------------------------------------------------------------------------------


def win_body(**changes) -> dict:
    return {
        "contract_number": "HT-2025-007",
        "signed_amount": "350万",
        "signed_on": timezone.localdate().isoformat(),
        "ms1_name": "预付款",
        "ms1_due": timezone.localdate().isoformat(),
        "ms1_percentage": "30",
        "ms2_name": "验收款",
        "ms2_due": (timezone.localdate() + timedelta(days=60)).isoformat(),
        "ms2_amount": "245万",
        **changes,
    }


def test_winning_through_a_closed_gate_is_refused_for_a_kam_and_overridden_by_a_director(
    cast, client_for, opp
):
    deal = to_stage(opp, 5, director=cast.director)
    kam = client_for(cast.kam)
    page = kam.get(url(deal)).content.decode()
    assert 'data-testid="action-win"' in page
    before = counts()
    refused = kam.post(url(deal, "win/"), win_body())
    assert refused.status_code == 400
    assert 'data-testid="gate-missing"' in refused.content.decode()
    assert counts() == before
    director = client_for(cast.director)
    assert 'name="override"' in director.get(url(deal, "win/")).content.decode()
    response = director.post(url(deal, "win/"), win_body(override="on", reason="合同已签，补材料"))
    assert response.status_code == 302
    assert response["Location"] == url(deal) + "?tab=contract"
    deal = fresh(deal)
    assert deal.status == "won" and deal.stage.order == 6
    contract = Contract.objects.get(opportunity=deal)
    assert contract.amount == Decimal("3500000.00")
    assert [(m.name, m.amount) for m in contract.milestones.order_by("order")] == [
        ("预付款", Decimal("1050000.00")),
        ("验收款", Decimal("2450000.00")),
    ]


def test_a_won_form_with_errors_is_shown_again_and_changes_nothing(cast, client_for, opp):
    deal = advance_to(opp, actor=cast.kam, stage_order=5)
    satisfy_stage(deal, actor=cast.kam)
    client = client_for(cast.kam)
    before = counts()
    response = client.post(url(deal, "win/"), win_body(contract_number="", ms2_due=""))
    assert response.status_code == 400
    body = text(response)
    assert "Give the due date of this milestone." in body
    response = client.post(url(deal, "win/"), win_body(contract_number="", signed_amount="abc"))
    assert response.status_code == 400
    assert "is not an amount" in text(response)
    response = client.post(url(deal, "win/"), win_body(contract_number=" "))
    assert "Give the contract number." in text(response)
    assert counts() == before
    assert client.post(url(deal, "win/"), win_body()).status_code == 302


def test_a_lost_deal_records_the_reason_the_winner_and_the_lessons(cast, client_for, opp):
    rival = services.competitor_register(actor=cast.kam, name="远景科技")
    reason = LossReason.objects.filter(is_active=True).first()
    client = client_for(cast.kam)
    before = counts()
    refused = client.post(url(opp, "lose/"), {"winner": rival.pk, "lessons": ""})
    assert refused.status_code == 400
    assert "Choose why the deal was lost." in text(refused)
    assert "Write down the lessons learned." in text(refused)
    assert counts() == before
    response = client.post(
        url(opp, "lose/"), {"loss_reason": reason.pk, "winner": rival.pk, "lessons": "价格偏高"}
    )
    assert response.status_code == 302
    deal = fresh(opp)
    assert (deal.status, deal.loss_reason, deal.winner) == ("lost", reason, rival)
    page = client.get(url(opp) + "?tab=competitors").content.decode()
    assert 'data-testid="winner-note"' in page and "远景科技" in page
    assert 'data-testid="action-reopen"' in page


def test_abandon_and_reopen_each_need_a_reason(cast, client_for, opp):
    client = client_for(cast.kam)
    before = counts()
    refused = client.post(url(opp, "abandon/"), {"reason": ""})
    assert refused.status_code == 400
    assert "Say why the deal is abandoned." in text(refused)
    assert counts() == before
    assert client.post(url(opp, "abandon/"), {"reason": "客户取消项目"}).status_code == 302
    assert fresh(opp).status == "abandoned"
    refused = client.post(url(opp, "reopen/"), {"reason": " "})
    assert refused.status_code == 400
    assert "Say why the deal is reopened." in text(refused)
    assert client.post(url(opp, "reopen/"), {"reason": "项目重启"}).status_code == 302
    assert fresh(opp).status == "open"
    kinds = list(
        StageTransition.objects.filter(opportunity=opp)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["created", "abandoned", "reopened"]


def test_closing_a_closed_deal_is_refused_with_a_message(cast, client_for, opp):
    services.opportunity_abandon(actor=cast.kam, opportunity=opp, reason="客户取消")
    response = client_for(cast.kam).post(url(opp, "abandon/"), {"reason": "again"})
    assert response.status_code == 400
    assert "The opportunity is closed already." in text(response)


# --- competitors, team, follow-ups ----------------------------------------------------------


def test_competitors_are_added_from_the_catalogue_or_by_a_new_name_and_removed(
    cast, client_for, opp
):
    rival = services.competitor_register(actor=cast.kam, name="远景科技")
    client = client_for(cast.kam)
    response = client.post(
        url(opp, "competitors/"),
        {
            "competitor": rival.pk,
            "strength": "stronger",
            "their_strategy": "低价",
            "our_strategy": "强调服务",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url(opp) + "?tab=competitors"
    response = client.post(
        url(opp, "competitors/"), {"new_name": " 华信 软件 ", "strength": "weaker"}
    )
    assert response.status_code == 302
    assert Competitor.objects.filter(name="华信 软件").exists()
    page = client.get(url(opp) + "?tab=competitors").content.decode()
    assert page.count('data-testid="competitor-row"') == 2 and "低价" in page
    response = client.post(url(opp, f"competitors/{rival.pk}/remove/"))
    assert response.status_code == 302
    assert list(OpportunityCompetitor.objects.values_list("competitor__name", flat=True)) == [
        "华信 软件"
    ]


def test_a_competitor_form_with_errors_changes_nothing(cast, client_for, opp):
    client = client_for(cast.kam)
    before = counts()
    response = client.post(url(opp, "competitors/"), {"strength": "stronger"})
    assert response.status_code == 400
    assert "Choose a competitor from the catalogue or type a new name." in text(response)
    response = client.post(url(opp, "competitors/"), {"new_name": "新公司", "strength": ""})
    assert response.status_code == 400
    assert counts() == before


def test_a_consultant_picks_competitors_but_may_not_grow_the_catalogue(cast, client_for, opp):
    rival = services.competitor_register(actor=cast.kam, name="远景科技")
    client = client_for(cast.consultant)
    response = client.post(url(opp, "competitors/"), {"competitor": rival.pk, "strength": "equal"})
    assert response.status_code == 302
    before = counts()
    response = client.post(url(opp, "competitors/"), {"new_name": "新公司", "strength": "equal"})
    assert response.status_code == 403
    assert counts() == before


def test_the_owner_keeps_the_team_and_the_consultant_may_not(cast, client_for, opp):
    client = client_for(cast.kam)
    page = client.get(url(opp) + "?tab=team").content.decode()
    assert 'data-testid="member-form"' in page and "赵顾问" in page
    response = client.post(url(opp, "team/"), {"user": cast.colleague.pk, "role": "senior_kam"})
    assert response.status_code == 302
    assert response["Location"] == url(opp) + "?tab=team"
    assert OpportunityMember.objects.get(opportunity=opp, user=cast.colleague).role == "senior_kam"
    before = counts()
    refused = client.post(url(opp, "team/"), {"user": cast.kam.pk, "role": "consultant"})
    assert refused.status_code == 400
    assert "The owner is on the team already." in text(refused)
    refused = client.post(url(opp, "team/"), {"user": cast.colleague.pk, "role": ""})
    assert refused.status_code == 400
    assert counts() == before
    consultant = client_for(cast.consultant)
    assert (
        'data-testid="member-form"' not in consultant.get(url(opp) + "?tab=team").content.decode()
    )
    assert (
        consultant.post(url(opp, "team/"), {"user": cast.head.pk, "role": "other"}).status_code
        == 403
    )
    assert consultant.post(url(opp, f"team/{cast.colleague.pk}/remove/")).status_code == 403
    assert counts() == before
    assert client.post(url(opp, f"team/{cast.colleague.pk}/remove/")).status_code == 302
    assert not OpportunityMember.objects.filter(opportunity=opp, user=cast.colleague).exists()


def test_follow_up_entries_are_added_by_the_team(cast, client_for, opp):
    client = client_for(cast.consultant)
    body = {
        "on": timezone.localdate().isoformat(),
        "progress": "完成初次访谈",
        "next_steps": "安排需求调研",
        "support_needed": "需要产品专家",
    }
    response = client.post(url(opp, "follow-ups/"), body)
    assert response.status_code == 302
    assert response["Location"] == url(opp) + "?tab=follow_up"
    page = client.get(url(opp) + "?tab=follow_up").content.decode()
    assert "完成初次访谈" in page and "需要产品专家" in page
    assert f"/pipeline/{opp.pk}/follow-up-form/" in page
    assert f"/pipeline/{opp.pk}/follow-up-form.xlsx" in page
    before = counts()
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    refused = client.post(url(opp, "follow-ups/"), {**body, "on": future})
    assert refused.status_code == 400
    assert "cannot be dated in the future" in text(refused)
    refused = client.post(url(opp, "follow-ups/"), {**body, "progress": " "})
    assert refused.status_code == 400
    assert counts() == before


# --- the contract and its milestones --------------------------------------------------------


def test_the_contract_tab_totals_collected_and_outstanding(cast, client_for, won):
    response = client_for(cast.kam).get(url(won) + "?tab=contract")
    totals = response.context["totals"]
    assert totals == {
        "planned": Decimal("800000.00"),
        "collected": Decimal(0),
        "outstanding": Decimal("800000.00"),
        "unplanned": Decimal("200000.00"),
    }
    assert response.content.decode().count('data-testid="milestone-row"') == 2


def test_a_milestone_is_added_collected_and_deleted(cast, client_for, won):
    client = client_for(cast.kam)
    response = client.post(
        url(won, "milestones/"),
        {"name": "质保金", "due_on": timezone.localdate().isoformat(), "percentage": "10"},
    )
    assert response.status_code == 302
    assert response["Location"] == url(won) + "?tab=contract"
    added = PaymentMilestone.objects.get(name="质保金")
    assert added.amount == Decimal("100000.00")
    first = PaymentMilestone.objects.get(name="预付款")
    form = client.get(f"/pipeline/milestones/{first.pk}/")
    assert form.status_code == 200 and form.context["edit_id"] == first.pk
    today = timezone.localdate().isoformat()
    response = client.post(
        f"/pipeline/milestones/{first.pk}/",
        {
            "name": "预付款",
            "due_on": first.due_on.isoformat(),
            "invoiced_on": today,
            "invoiced_amount": "30万",
            "collected_on": today,
            "collected_amount": "30万",
            "version": first.version,
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.collected_amount == Decimal("300000.00") and first.outstanding == 0
    totals = client.get(url(won) + "?tab=contract").context["totals"]
    assert totals["collected"] == Decimal("300000.00")
    assert totals["outstanding"] == Decimal("600000.00")
    before = counts()
    refused = client.post(f"/pipeline/milestones/{first.pk}/delete/")
    assert refused.status_code == 400
    assert "cannot be deleted" in text(refused)
    assert counts() == before
    assert client.post(f"/pipeline/milestones/{added.pk}/delete/").status_code == 302
    assert not PaymentMilestone.objects.filter(pk=added.pk).exists()


def test_a_stale_milestone_edit_is_refused_with_who_changed_it(cast, client_for, won):
    first = PaymentMilestone.objects.get(name="预付款")
    opened_at = first.version
    services.milestone_update(
        actor=cast.team_lead,
        milestone=first,
        data={"accepted_on": timezone.localdate()},
        expected_version=opened_at,
    )
    before = counts()
    response = client_for(cast.kam).post(
        f"/pipeline/milestones/{first.pk}/",
        {"name": "预付款改", "due_on": first.due_on.isoformat(), "version": opened_at},
    )
    assert response.status_code == 409
    assert "陈静 changed this record" in text(response)
    assert counts() == before
    assert PaymentMilestone.objects.get(pk=first.pk).name == "预付款"


def test_a_milestone_edit_with_errors_is_shown_again(cast, client_for, won):
    first = PaymentMilestone.objects.get(name="预付款")
    response = client_for(cast.kam).post(
        f"/pipeline/milestones/{first.pk}/",
        {
            "name": "预付款",
            "due_on": first.due_on.isoformat(),
            "collected_amount": "1000万",
            "collected_on": timezone.localdate().isoformat(),
            "version": first.version,
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "cannot be collected on it" in text(response)
    assert "<html" not in response.content.decode()


def test_milestones_follow_the_deal_visibility_and_run_access(cast, client_for, won):
    first = PaymentMilestone.objects.get(name="预付款")
    for role in ("consultant", "assistant"):
        client = client_for(getattr(cast, role))
        assert client.get(f"/pipeline/milestones/{first.pk}/").status_code == 403
        assert client.post(f"/pipeline/milestones/{first.pk}/delete/").status_code == 403
    outsider = client_for(cast.colleague)
    assert outsider.get(f"/pipeline/milestones/{first.pk}/").status_code == 404
    assert outsider.post(f"/pipeline/milestones/{first.pk}/delete/").status_code == 404
    assert PaymentMilestone.objects.filter(pk=first.pk).exists()


def test_milestones_of_a_deal_without_contract_are_a_404(cast, client_for, opp):
    response = client_for(cast.kam).post(
        url(opp, "milestones/"), {"name": "x", "due_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 404


# --- history and query counts ---------------------------------------------------------------


def test_the_history_tab_shows_transitions_durations_and_forecast_changes(cast, client_for, opp):
    deal = fresh(opp)
    services.opportunity_update(
        actor=cast.kam,
        opportunity=deal,
        data={
            "amount": Decimal("4000000"),
            "expected_signing": deal.expected_signing + timedelta(days=30),
        },
        expected_version=deal.version,
        reason="客户扩大范围",
    )
    to_stage(opp, 2, director=cast.director)
    response = client_for(cast.kam).get(url(opp) + "?tab=history")
    body = text(response)
    assert 'data-testid="transition-created"' in body
    assert 'data-testid="transition-advance"' in body
    assert "客户扩大范围" in body and "CNY 4,000,000.00" in body
    assert [v["stage"].order for v in response.context["durations"]] == [1, 2]


def grow(opp: Opportunity, cast, n: int) -> None:
    """``n`` competitors, team members, buying roles, follow-ups and transitions on ``opp``."""
    for i in range(n):
        rival = services.competitor_register(actor=cast.kam, name=f"竞争对手{opp.pk}-{i}")
        services.competitor_set(actor=cast.kam, opportunity=opp, competitor=rival, strength="equal")
        contact = Contact.objects.create(customer=opp.customer, name=f"联系人{i}")
        services.buying_role_set(
            actor=cast.kam,
            opportunity=opp,
            contact=contact,
            data={"role": "user", "influence": "low", "attitude": "neutral"},
        )
        services.follow_up_add(
            actor=cast.kam, opportunity=opp, on=timezone.localdate(), progress=f"进展{i}"
        )
        services.criterion_set(
            actor=cast.kam, opportunity=opp, criterion=tickable(opp), checked=bool(i % 2)
        )
    members = [cast.consultant, cast.colleague, cast.account_manager, cast.north_kam,
               cast.team_lead, cast.head, cast.director, cast.assistant, cast.admin]  # fmt: skip
    for user in members[:n]:
        services.member_add(actor=cast.kam, opportunity=opp, user=user, role="other")
    for _ in range(n):
        services.opportunity_move(
            actor=cast.director, opportunity=fresh(opp), override=True, reason="跳过"
        )
        deal = fresh(opp)
        first = Stage.objects.get(order=1)
        if deal.stage.order > 1:
            services.opportunity_move(
                actor=cast.kam, opportunity=deal, forward=False, to_stage=first, reason="退回"
            )


@pytest.mark.parametrize(
    "tab", ["process", "elements", "competitors", "team", "follow_up", "risk", "history"]
)
def test_the_page_runs_the_same_number_of_queries_for_1_or_10_of_everything(
    cast, client_for, customer, tab
):
    small = make_opportunity(owner=cast.kam, customer=customer, name="小项目")
    big = make_opportunity(owner=cast.kam, customer=customer, name="大项目")
    grow(small, cast, 1)
    grow(big, cast, 9)
    assert BuyingRoleEntry.objects.filter(opportunity=big).count() == 9
    client = client_for(cast.kam)
    client.get(url(small) + f"?tab={tab}")  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url(small) + f"?tab={tab}").status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(big) + f"?tab={tab}").status_code == 200
    assert len(one) == len(many), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 40


def test_the_contract_tab_runs_a_fixed_number_of_queries(cast, client_for, won):
    client = client_for(cast.kam)
    client.get(url(won) + "?tab=contract")
    with CaptureQueriesContext(connection) as two:
        client.get(url(won) + "?tab=contract")
    contract = Contract.objects.get(opportunity=won)
    for i in range(8):
        services.milestone_add(
            actor=cast.kam,
            contract=contract,
            data=services.MilestoneInput(f"第{i}期", timezone.localdate(), amount=Decimal(1000)),
        )
    with CaptureQueriesContext(connection) as ten:
        client.get(url(won) + "?tab=contract")
    assert len(two) == len(ten)


def test_the_page_speaks_chinese_to_a_chinese_reader(cast, client_for, opp):
    cast.kam.language = "zh-hans"
    cast.kam.save()
    body = client_for(cast.kam).get(url(opp)).content.decode()
    assert "客户开发" in body and "发现客户线索" in body
    assert Step.objects.get(code="lead_discovery").name_zh in body
