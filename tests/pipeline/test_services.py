"""Opportunity services (issue 4): creating and editing deals with forecast rows and slips,
teams, the checklist, key evaluation elements, competitors, buying roles, follow-ups, the risk
assessment and its director decision, moves through the gates (refusals, overrides, moves
back), winning with a contract and milestones, losing, abandoning, reopening; who sees what."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from keyaccount.core.versioning import StaleEditError
from keyaccount.customers import services as customer_services
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.org.models import Region
from keyaccount.pipeline import rules, selectors, services
from keyaccount.pipeline.gate import gate_input
from keyaccount.pipeline.models import (
    BuyingRoleEntry,
    Contract,
    CriterionCheck,
    FollowUp,
    ForecastChange,
    KeyElement,
    LossReason,
    Opportunity,
    OpportunityCompetitor,
    PaymentMilestone,
    RiskAssessment,
    RiskFactor,
    StageTransition,
)
from keyaccount.pipeline.services import GateRefused, MilestoneInput, ScoreInput
from keyaccount.process.models import ExitCriterion, Stage, Step
from tests.pipeline_support import (
    advance_to,
    high_risk_scores,
    low_risk_scores,
    make_opportunity,
    registered_customer,
    satisfy_stage,
)

pytestmark = pytest.mark.usefixtures("english")

TODAY = timezone.localdate


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def display_names(cast):
    for role, name in {"kam": "王伟", "director": "孙丽", "team_lead": "陈静"}.items():
        user = getattr(cast, role)
        user.display_name = name
        user.save()


@pytest.fixture
def customer(cast) -> Customer:
    return registered_customer(owner=cast.kam, assistant=cast.assistant)


@pytest.fixture
def opp(cast, customer) -> Opportunity:
    return make_opportunity(owner=cast.kam, customer=customer)


def stage(order: int) -> Stage:
    return Stage.objects.get(order=order)


def steps(order: int) -> list[Step]:
    return list(Step.objects.filter(stage__order=order).order_by("order"))


def criteria(order: int, step: int | None = None) -> list[ExitCriterion]:
    qs = ExitCriterion.objects.filter(stage__order=order).order_by("order", "id")
    if step is not None:
        qs = qs.filter(step__stage__order=order, step__order=step)
    return list(qs)


def transitions(opp: Opportunity) -> list[StageTransition]:
    return list(StageTransition.objects.filter(opportunity=opp).order_by("at", "id"))


def manual(order: int, step: int | None = None) -> list[ExitCriterion]:
    """The criteria of the stage (or step) that a person ticks: those without evidence."""
    return [c for c in criteria(order, step) if not c.evidence]


def check(actor, opp, items) -> None:
    for c in items:
        services.criterion_set(actor=actor, opportunity=opp, criterion=c, checked=True)


def decide(actor, assessment, decision, reason="客户资金已落实，继续跟进"):
    return services.risk_decide(
        actor=actor, assessment=assessment, decision=decision, reason=reason
    )


# --- creating -------------------------------------------------------------------------------


def test_create_opens_the_deal_in_the_first_stage_and_step_with_six_unknown_elements(
    cast, customer
):
    opp = make_opportunity(
        owner=cast.kam,
        customer=customer,
        name="  调度   自动化 ",
        products="EMS",
        source=rules.Source.REFERRAL,
        strategic_fit=True,
    )
    opp.refresh_from_db()
    assert opp.name == "调度 自动化"
    assert (opp.stage.order, opp.step) == (1, steps(1)[0])
    assert opp.status == rules.Status.OPEN
    assert opp.owner == cast.kam
    assert opp.probability == opp.stage.probability
    assert dict(KeyElement.objects.filter(opportunity=opp).values_list("element", "status")) == (
        dict.fromkeys(rules.Element.values, rules.Knowledge.UNKNOWN)
    )
    (created,) = transitions(opp)
    assert created.kind == rules.Move.CREATED
    assert (created.from_stage, created.to_stage, created.to_step) == (None, opp.stage, opp.step)
    assert (created.from_status, created.to_status, created.actor) == ("", "open", cast.kam)
    assert created.overridden is False


def test_a_manager_opens_a_deal_on_the_customer(cast, customer):
    by_lead = make_opportunity(owner=cast.team_lead, customer=customer, name="团队经理的项目")
    assert by_lead.owner == cast.team_lead  # a selling manager owns what they open
    by_head = make_opportunity(owner=cast.head, customer=customer, name="部长录入")
    assert by_head.owner == cast.kam  # the head does not sell: the customer's owner owns it
    assert transitions(by_head)[0].actor == cast.head


@pytest.mark.parametrize(
    "role", ["colleague", "north_kam", "consultant", "assistant", "account_manager", "outsider"]
)
def test_only_the_owner_and_managers_open_deals_on_a_customer(cast, customer, role):
    with pytest.raises(PermissionDenied):
        make_opportunity(owner=getattr(cast, role), customer=customer)
    assert not Opportunity.objects.exists()


def test_a_pending_customer_gets_no_deal(cast):
    result = customer_services.registration_request(
        actor=cast.kam,
        data={"name": "待审核客户有限公司", "region": Region.objects.first()},
        confirm_not_duplicate=True,
    )
    pending = Customer.objects.get(pk=result.request.customer_id)
    assert pending.status == RegistrationStatus.PENDING
    with pytest.raises(ValidationError) as err:
        make_opportunity(owner=cast.kam, customer=pending)
    assert "customer" in err.value.message_dict
    assert "not registered" in err.value.message_dict["customer"][0]
    assert not Opportunity.objects.exists()
    assert not StageTransition.objects.exists()


def test_create_refuses_bad_fields_by_name(cast, customer):
    with pytest.raises(ValidationError) as err:
        services.opportunity_create(
            actor=cast.kam, customer=customer, data={"name": "  ", "amount": Decimal(-1)}
        )
    assert set(err.value.message_dict) >= {"name", "amount", "expected_signing"}
    with pytest.raises(ValidationError) as err:
        make_opportunity(owner=cast.kam, customer=customer, probability_override=70)
    assert "probability_reason" in err.value.message_dict
    assert not Opportunity.objects.exists()
    assert not KeyElement.objects.exists()


# --- editing --------------------------------------------------------------------------------


def edit(opp, data, actor=None, reason="客户调整采购计划"):
    opp.refresh_from_db()
    return services.opportunity_update(
        actor=actor or opp.owner,
        opportunity=opp,
        data=data,
        expected_version=opp.version,
        reason=reason,
    )


def test_amount_and_later_signing_leave_forecast_rows_and_count_a_slip(cast, opp):
    old_date, old_version = opp.expected_signing, opp.version
    new_date = old_date + timedelta(days=30)
    edit(opp, {"amount": Decimal("4000000.00"), "expected_signing": new_date})
    opp.refresh_from_db()
    assert (opp.amount, opp.expected_signing, opp.signing_slips) == (
        Decimal("4000000.00"),
        new_date,
        1,
    )
    assert opp.version == old_version + 1
    rows = {r.field: r for r in ForecastChange.objects.filter(opportunity=opp)}
    assert set(rows) == {"amount", "expected_signing"}
    assert (rows["amount"].old_value, rows["amount"].new_value) == ("3500000.00", "4000000.00")
    assert rows["expected_signing"].old_value == str(old_date)
    assert rows["expected_signing"].new_value == str(new_date)
    assert {r.changed_by for r in rows.values()} == {cast.kam}
    assert {r.reason for r in rows.values()} == {"客户调整采购计划"}
    edit(opp, {"expected_signing": new_date + timedelta(days=1)})
    opp.refresh_from_db()
    assert opp.signing_slips == 2


def test_an_earlier_signing_date_is_recorded_but_is_no_slip(opp):
    earlier = opp.expected_signing - timedelta(days=10)
    edit(opp, {"expected_signing": earlier})
    opp.refresh_from_db()
    assert opp.signing_slips == 0
    assert ForecastChange.objects.get(opportunity=opp).field == "expected_signing"


def test_an_edit_without_forecast_changes_leaves_no_forecast_row(opp):
    edit(opp, {"name": "新名称", "products": "SCADA"})
    opp.refresh_from_db()
    assert opp.name == "新名称"
    assert not ForecastChange.objects.exists()


def test_a_stale_edit_is_refused_naming_who_changed_it(cast, opp):
    opened_at = opp.version
    services.opportunity_update(
        actor=cast.team_lead,
        opportunity=Opportunity.objects.get(pk=opp.pk),
        data={"amount": Decimal("5000000.00")},
        expected_version=opened_at,
    )
    mine = Opportunity.objects.get(pk=opp.pk)
    mine.amount = Decimal("3500000.00")  # what my form showed
    with pytest.raises(StaleEditError) as err:
        services.opportunity_update(
            actor=cast.kam,
            opportunity=mine,
            data={"name": "我的修改", "amount": Decimal("100.00")},
            expected_version=opened_at,
        )
    assert err.value.changed_by == "陈静"
    assert "陈静" in err.value.message
    opp.refresh_from_db()
    assert (opp.name, opp.amount) == ("调度自动化系统升级", Decimal("5000000.00"))
    assert ForecastChange.objects.count() == 1  # only the first edit's


def test_a_probability_override_needs_a_reason(opp):
    with pytest.raises(ValidationError) as err:
        edit(opp, {"probability_override": 60, "probability_reason": "  "})
    assert list(err.value.message_dict) == ["probability_reason"]
    with pytest.raises(ValidationError) as err:
        edit(opp, {"probability_override": 101, "probability_reason": "x"})
    assert "probability_override" in err.value.message_dict
    edit(opp, {"probability_override": 60, "probability_reason": "客户已口头确认"})
    opp.refresh_from_db()
    assert (opp.probability, opp.probability_reason) == (60, "客户已口头确认")
    row = ForecastChange.objects.get(opportunity=opp)
    assert (row.field, row.old_value, row.new_value) == ("probability", "", "60")
    edit(opp, {"probability_override": None})
    opp.refresh_from_db()
    assert (opp.probability, opp.probability_reason) == (opp.stage.probability, "")


@pytest.mark.parametrize("role", ["colleague", "consultant", "assistant"])
def test_only_those_who_run_the_deal_edit_it(cast, opp, role):
    services.member_add(
        actor=cast.kam, opportunity=opp, user=cast.consultant, role=rules.TeamRole.CONSULTANT
    )
    with pytest.raises(PermissionDenied):
        edit(opp, {"name": "x"}, actor=getattr(cast, role))


def test_reassign_by_a_manager_with_a_reason(cast, opp):
    with pytest.raises(PermissionDenied):
        services.opportunity_reassign(
            actor=cast.kam, opportunity=opp, owner=cast.colleague, reason="我休假"
        )
    with pytest.raises(ValidationError) as err:
        services.opportunity_reassign(
            actor=cast.team_lead, opportunity=opp, owner=cast.colleague, reason=" "
        )
    assert "reason" in err.value.message_dict
    cast.north_kam.is_active = False
    cast.north_kam.save()
    with pytest.raises(ValidationError) as err:
        services.opportunity_reassign(
            actor=cast.team_lead, opportunity=opp, owner=cast.north_kam, reason="调岗"
        )
    assert "owner" in err.value.message_dict
    version = Opportunity.objects.get(pk=opp.pk).version
    services.opportunity_reassign(
        actor=cast.team_lead, opportunity=opp, owner=cast.colleague, reason="王伟调岗"
    )
    opp.refresh_from_db()
    assert opp.owner == cast.colleague
    assert opp.version == version + 1
    last = opp.history.order_by("-history_date").first()
    assert (last.history_user, last.history_change_reason) == (cast.team_lead, "王伟调岗")


# --- the team -------------------------------------------------------------------------------


def test_members_see_and_work_on_the_deal_but_do_not_run_it(cast, opp):
    assert not selectors.visible(cast.consultant).filter(pk=opp.pk).exists()
    member = services.member_add(
        actor=cast.kam,
        opportunity=opp,
        user=cast.consultant,
        role=rules.TeamRole.CONSULTANT,
        note=" 负责方案 ",
    )
    assert (member.role, member.note) == ("consultant", "负责方案")
    assert selectors.visible(cast.consultant).filter(pk=opp.pk).exists()
    assert services.access(cast.consultant, opp).as_dict() == {
        "run": False,
        "work": True,
        "override": False,
    }
    survey = criteria(1, step=3)[0]  # manual, on a step that names consultants responsible
    assert not survey.evidence
    services.criterion_set(actor=cast.consultant, opportunity=opp, criterion=survey, checked=True)
    assert CriterionCheck.objects.get().checked_by == cast.consultant
    with pytest.raises(PermissionDenied):
        services.opportunity_move(actor=cast.consultant, opportunity=opp)
    with pytest.raises(PermissionDenied):
        services.member_add(
            actor=cast.consultant, opportunity=opp, user=cast.colleague, role="other"
        )
    services.member_add(actor=cast.kam, opportunity=opp, user=cast.consultant, role="other")
    assert opp.members.get().role == "other"  # updated, not doubled
    services.member_remove(actor=cast.kam, opportunity=opp, user=cast.consultant)
    assert not selectors.visible(cast.consultant).filter(pk=opp.pk).exists()


def test_member_add_refuses_the_owner_a_bad_role_and_inactive_users(cast, opp):
    with pytest.raises(ValidationError) as err:
        services.member_add(actor=cast.kam, opportunity=opp, user=cast.kam, role="consultant")
    assert "user" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.member_add(actor=cast.kam, opportunity=opp, user=cast.consultant, role="boss")
    assert "role" in err.value.message_dict
    cast.colleague.is_active = False
    cast.colleague.save()
    with pytest.raises(ValidationError):
        services.member_add(actor=cast.kam, opportunity=opp, user=cast.colleague, role="other")
    assert not opp.members.exists()


def test_access_of_each_role(cast, opp):
    expected = {
        "kam": (True, True, False),
        "team_lead": (True, True, False),
        "head": (True, True, False),
        "director": (True, True, True),
        "admin": (True, True, True),
        "assistant": (False, False, False),
        "colleague": (False, False, False),
        "consultant": (False, False, False),
    }
    for role, (run, work, override) in expected.items():
        acc = services.access(getattr(cast, role), opp)
        assert (acc.run, acc.work, acc.override) == (run, work, override), role


# --- checklist, elements, competitors, buying roles, follow-ups -----------------------------


def test_checking_keeps_who_when_and_note_and_unchecking_leaves_history(cast, opp):
    criterion = manual(1)[0]  # only a criterion without evidence is ticked by hand
    at = timezone.now() - timedelta(hours=3)
    row = services.criterion_set(
        actor=cast.kam, opportunity=opp, criterion=criterion, checked=True, note=" 已确认 ", at=at
    )
    assert (row.checked_by, row.checked_at, row.note) == (cast.kam, at, "已确认")
    again = services.criterion_set(
        actor=cast.team_lead, opportunity=opp, criterion=criterion, checked=True, note="复核"
    )
    assert again.pk == row.pk
    assert (again.checked_by, again.note) == (cast.team_lead, "复核")
    assert (
        services.criterion_set(actor=cast.kam, opportunity=opp, criterion=criterion, checked=False)
        is None
    )
    assert not CriterionCheck.objects.exists()
    history = list(CriterionCheck.history.order_by("history_date", "history_id"))
    assert [h.history_type for h in history] == ["+", "~", "-"]
    assert [h.history_user for h in history] == [cast.kam, cast.team_lead, cast.kam]
    assert history[0].checked_at == at


def test_a_criterion_of_another_stage_is_refused(cast, opp):
    with pytest.raises(ValidationError) as err:
        services.criterion_set(
            actor=cast.kam, opportunity=opp, criterion=criteria(2)[0], checked=True
        )
    assert "criterion" in err.value.message_dict
    assert not CriterionCheck.objects.exists()


def test_outsiders_to_the_deal_cannot_check(cast, opp):
    for role in ("colleague", "assistant", "consultant"):
        with pytest.raises(PermissionDenied):
            services.criterion_set(
                actor=getattr(cast, role), opportunity=opp, criterion=manual(1)[0], checked=True
            )
    assert not CriterionCheck.objects.exists()


def test_elements_keep_status_notes_and_who(cast, opp):
    row = services.element_set(
        actor=cast.kam, opportunity=opp, element="budget", status="partly", notes=" 约300万 "
    )
    assert (row.status, row.notes, row.updated_by) == ("partly", "约300万", cast.kam)
    assert row.updated_at is not None
    assert KeyElement.objects.filter(opportunity=opp).count() == 6
    with pytest.raises(ValidationError) as err:
        services.element_set(
            actor=cast.kam, opportunity=opp, element="mood", status="partly", notes=""
        )
    assert "element" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.element_set(
            actor=cast.kam, opportunity=opp, element="need", status="sure", notes=""
        )
    assert "status" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        services.element_set(
            actor=cast.colleague, opportunity=opp, element="need", status="partly", notes=""
        )


def test_competitor_catalogue_and_competitors_on_a_deal(cast, opp):
    comp = services.competitor_register(actor=cast.kam, name=" 南瑞  继保 ", short_name="南瑞")
    assert comp.name == "南瑞 继保"
    assert services.competitor_register(actor=cast.colleague, name="南瑞 继保").pk == comp.pk
    with pytest.raises(ValidationError):
        services.competitor_register(actor=cast.kam, name="   ")
    with pytest.raises(PermissionDenied):
        services.competitor_register(actor=cast.consultant, name="许继电气")
    with pytest.raises(ValidationError) as err:
        services.competitor_set(actor=cast.kam, opportunity=opp, competitor=comp, strength="huge")
    assert "strength" in err.value.message_dict
    services.competitor_set(
        actor=cast.kam,
        opportunity=opp,
        competitor=comp,
        strength=rules.Strength.STRONGER,
        their_strategy="低价",
        our_strategy="强调服务",
    )
    row = services.competitor_set(
        actor=cast.kam, opportunity=opp, competitor=comp, strength=rules.Strength.EQUAL
    )
    assert OpportunityCompetitor.objects.get() == row
    assert (row.strength, row.their_strategy, row.updated_by) == ("equal", "", cast.kam)
    services.competitor_remove(actor=cast.kam, opportunity=opp, competitor=comp)
    assert not OpportunityCompetitor.objects.exists()


def test_buying_roles_stay_inside_the_customer_and_differ_per_deal(cast, customer, opp):
    contact = customer.contacts.order_by("id").first()
    other_customer = registered_customer(
        owner=cast.kam, assistant=cast.assistant, name="另一家能源集团公司", contacts=1
    )
    stranger = other_customer.contacts.get()
    data = {"role": "decision_maker", "influence": "high", "attitude": "supporter"}
    with pytest.raises(ValidationError) as err:
        services.buying_role_set(actor=cast.kam, opportunity=opp, contact=stranger, data=data)
    assert "contact" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.buying_role_set(
            actor=cast.kam, opportunity=opp, contact=contact, data={**data, "role": "king"}
        )
    assert list(err.value.message_dict) == ["role"]
    services.buying_role_set(
        actor=cast.kam,
        opportunity=opp,
        contact=contact,
        data={**data, "personal_motives": " 希望升职 "},
    )
    second = make_opportunity(owner=cast.kam, customer=customer, name="配网自动化")
    services.buying_role_set(
        actor=cast.kam,
        opportunity=second,
        contact=contact,
        data={"role": "gatekeeper", "influence": "low", "attitude": "opponent"},
    )
    first_row = BuyingRoleEntry.objects.get(opportunity=opp)
    assert (first_row.role, first_row.attitude, first_row.personal_motives) == (
        "decision_maker",
        "supporter",
        "希望升职",
    )
    assert BuyingRoleEntry.objects.get(opportunity=second).role == "gatekeeper"
    services.buying_role_remove(actor=cast.kam, opportunity=opp, contact=contact)
    assert list(BuyingRoleEntry.objects.values_list("opportunity_id", flat=True)) == [second.pk]


def test_follow_ups_are_not_dated_in_the_future(cast, opp):
    with pytest.raises(ValidationError) as err:
        services.follow_up_add(
            actor=cast.kam, opportunity=opp, on=TODAY() + timedelta(days=1), progress="明天拜访"
        )
    assert "on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.follow_up_add(actor=cast.kam, opportunity=opp, on=TODAY(), progress="  ")
    assert "progress" in err.value.message_dict
    entry = services.follow_up_add(
        actor=cast.kam, opportunity=opp, on=TODAY(), progress=" 拜访总经理 ", next_steps="技术交流"
    )
    assert (entry.progress, entry.author) == ("拜访总经理", cast.kam)
    assert FollowUp.objects.count() == 1


# --- risk -----------------------------------------------------------------------------------


def assess(actor, opp, scores, on=None):
    return services.risk_assess(
        actor=actor, opportunity=opp, assessed_on=on or TODAY(), scores=scores
    )


def test_a_missing_factor_is_named_and_nothing_is_saved(cast, opp):
    scores = low_risk_scores()
    scores.pop("compliance")
    scores["ability_to_pay"] = ScoreInput(6)
    with pytest.raises(ValidationError) as err:
        assess(cast.kam, opp, scores)
    errors = err.value.message_dict
    assert set(errors) == {"compliance", "ability_to_pay"}
    assert "Compliance" in errors["compliance"][0]
    assert "got 6" in errors["ability_to_pay"][0]
    with pytest.raises(ValidationError) as err:
        assess(cast.kam, opp, {**low_risk_scores(), "luck": ScoreInput(1)})
    assert "luck" in err.value.message_dict["__all__"][0]
    with pytest.raises(ValidationError) as err:
        assess(cast.kam, opp, low_risk_scores(), on=TODAY() + timedelta(days=1))
    assert "assessed_on" in err.value.message_dict
    assert not RiskAssessment.objects.exists()


def test_a_low_assessment_needs_no_decision(cast, opp):
    assessment = assess(cast.kam, opp, low_risk_scores())
    assert (assessment.total, assessment.level) == (Decimal("20.0"), rules.RiskLevel.LOW)
    assert assessment.decision == rules.RiskDecision.NOT_NEEDED
    assert assessment.scores.count() == RiskFactor.objects.filter(is_active=True).count()
    opp.refresh_from_db()
    assert (opp.risk_level, opp.risk_decision) == ("low", "not_needed")


@pytest.mark.parametrize(
    ("score", "total", "level", "decision"),
    [
        (2, "40.0", "medium", "not_needed"),
        (3, "60.0", "high", "pending"),  # exactly at the high threshold
        (0, "0.0", "low", "not_needed"),
    ],
)
def test_levels_follow_the_policy_thresholds(cast, opp, score, total, level, decision):
    scores = {code: ScoreInput(score) for code in RiskFactor.objects.values_list("code", flat=True)}
    assessment = assess(cast.kam, opp, scores)
    assert (assessment.total, assessment.level, assessment.decision) == (
        Decimal(total),
        level,
        decision,
    )


def test_edited_thresholds_and_weights_change_the_level(cast, opp):
    policy = services.policy()
    policy.risk_medium_from, policy.risk_high_from = Decimal(10), Decimal(30)
    policy.save()
    RiskFactor.objects.exclude(code="compliance").update(weight=0)
    scores = {code: ScoreInput(0) for code in RiskFactor.objects.values_list("code", flat=True)}
    scores["compliance"] = ScoreInput(2)  # 40 % of the only weighted factor
    assessment = assess(cast.kam, opp, scores)
    assert (assessment.total, assessment.level) == (Decimal("40.0"), "high")
    assert assessment.scores.get(factor__code="compliance").weight == Decimal(10)


def test_the_gate_input_reads_forms_from_the_records(cast, opp, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        gate = gate_input(opp)
    forms = {f.code: f.present for f in gate.forms}
    assert forms == {"customer_profile": True, "ka_follow_up": False, "risk_assessment": False}
    assert [(f.code, f.step_id) for f in gate.forms if f.step_id] == [
        ("risk_assessment", steps(1)[1].pk)
    ]
    assert [(e.element, e.required, e.actual) for e in gate.elements] == [
        ("need", "partly", "unknown")
    ]
    assert (gate.stage_order, gate.step_id, list(gate.step_ids)) == (
        1,
        steps(1)[0].pk,
        [s.pk for s in steps(1)],
    )
    assert [bool(c.evidence) for c in gate.criteria] == [True, True, True, False, True, True]
    assert not any(gate.met(c) for c in gate.criteria)
    assess(cast.kam, opp, low_risk_scores())
    services.follow_up_add(actor=cast.kam, opportunity=opp, on=TODAY(), progress="拜访")
    services.element_set(actor=cast.kam, opportunity=opp, element="need", status="partly", notes="")
    check(cast.kam, opp, manual(1))
    gate = gate_input(opp)
    assert all(f.present for f in gate.forms)
    # the tick is on the manual criterion; the need known and the risk assessed answer the
    # first two from the record
    assert [c.checked for c in gate.criteria] == [False, False, False, True, False, False]
    assert [gate.met(c) for c in gate.criteria] == [True, True, False, True, False, False]


def step_ready(cast, opp):
    """Everything the first step (lead discovery) asks for: its one criterion, "Customer's
    intent confirmed", is answered by the need being partly known."""
    services.element_set(
        actor=cast.kam, opportunity=opp, element="need", status="partly", notes="有升级意向"
    )
    check(cast.kam, opp, manual(1, step=1))


def test_high_risk_waits_for_a_director_and_the_gate_refuses_until_then(cast, opp):
    step_ready(cast, opp)
    assessment = assess(cast.kam, opp, high_risk_scores())
    assert (assessment.level, assessment.total) == (rules.RiskLevel.HIGH, Decimal("100.0"))
    opp.refresh_from_db()
    assert (opp.risk_level, opp.risk_decision) == ("high", "pending")
    with pytest.raises(GateRefused) as err:
        services.opportunity_move(actor=cast.kam, opportunity=opp)
    assert len(err.value.problems) == 1
    assert "awaits a sales director's decision" in err.value.problems[0]
    with pytest.raises(PermissionDenied):
        decide(cast.kam, assessment, rules.RiskDecision.CONTINUE)
    with pytest.raises(PermissionDenied):
        decide(cast.head, assessment, rules.RiskDecision.CONTINUE)
    with pytest.raises(ValidationError) as err:
        decide(cast.director, assessment, rules.RiskDecision.CONTINUE, reason=" ")
    assert "reason" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        decide(cast.director, assessment, "maybe")
    assert "decision" in err.value.message_dict
    decided = decide(cast.director, assessment, rules.RiskDecision.CONTINUE)
    assert (decided.decision, decided.decided_by) == ("continue", cast.director)
    assert decided.decided_at is not None
    opp.refresh_from_db()
    assert (opp.risk_decision, opp.status) == ("continue", "open")
    services.opportunity_move(actor=cast.kam, opportunity=opp)
    opp.refresh_from_db()
    assert opp.step == steps(1)[1]
    with pytest.raises(ValidationError, match="already decided"):
        decide(cast.director, assessment, rules.RiskDecision.ABANDON)


def test_a_director_abandons_a_high_risk_deal(cast, opp):
    assessment = assess(cast.kam, opp, high_risk_scores())
    decide(cast.director, assessment, rules.RiskDecision.ABANDON, reason="客户无支付能力")
    opp.refresh_from_db()
    assert (opp.status, opp.risk_decision, opp.close_reason) == (
        "abandoned",
        "abandon",
        "客户无支付能力",
    )
    assert opp.closed_at is not None
    last = transitions(opp)[-1]
    assert (last.kind, last.actor, last.reason) == ("abandoned", cast.director, "客户无支付能力")
    assert (last.from_status, last.to_status) == ("open", "abandoned")
    with pytest.raises(ValidationError):
        assess(cast.kam, opp, low_risk_scores())  # closed


def test_a_backdated_assessment_does_not_replace_the_latest_one(cast, opp):
    high = assess(cast.kam, opp, high_risk_scores())
    assess(cast.kam, opp, low_risk_scores(), on=TODAY() - timedelta(days=7))
    opp.refresh_from_db()
    assert (opp.risk_level, opp.risk_decision) == ("high", "pending")
    step_ready(cast, opp)
    with pytest.raises(GateRefused):
        services.opportunity_move(actor=cast.kam, opportunity=opp)
    decide(cast.director, high, rules.RiskDecision.CONTINUE)
    later = assess(cast.kam, opp, low_risk_scores())  # a new form today: the latest counts
    assert later.level == "low"
    opp.refresh_from_db()
    assert (opp.risk_level, opp.risk_decision) == ("low", "not_needed")


def test_deciding_an_older_assessment_leaves_the_deal_on_the_latest(cast, opp):
    old = assess(cast.kam, opp, high_risk_scores(), on=TODAY() - timedelta(days=3))
    assess(cast.kam, opp, high_risk_scores())
    decide(cast.director, old, rules.RiskDecision.CONTINUE)
    opp.refresh_from_db()
    assert opp.risk_decision == "pending"


# --- moving through the gates ---------------------------------------------------------------


def test_a_refused_move_lists_exactly_what_is_missing_and_changes_nothing(cast, opp):
    with pytest.raises(GateRefused) as err:
        services.opportunity_move(actor=cast.kam, opportunity=opp)
    assert err.value.problems == [c.text for c in criteria(1, step=1)]
    opp.refresh_from_db()
    assert opp.step == steps(1)[0]
    assert len(transitions(opp)) == 1


def walk_to_last_step_of_stage_one(cast, opp):
    for _ in range(2):
        services.opportunity_move(
            actor=cast.director, opportunity=opp, override=True, reason="先推进后补资料"
        )
    opp.refresh_from_db()
    assert opp.step == steps(1)[-1]


def test_the_stage_gate_lists_criteria_forms_and_elements(cast, opp):
    walk_to_last_step_of_stage_one(cast, opp)
    with pytest.raises(GateRefused) as err:
        services.opportunity_move(actor=cast.kam, opportunity=opp)
    assert err.value.problems == [
        *(c.text for c in criteria(1)),
        "Form missing: KA follow-up form",
        "Form missing: Risk assessment form",
        "Need must be at least “Partly known”",
    ]
    services.element_set(actor=cast.kam, opportunity=opp, element="need", status="partly", notes="")
    services.follow_up_add(actor=cast.kam, opportunity=opp, on=TODAY(), progress="拜访")
    with pytest.raises(GateRefused) as err:
        services.opportunity_move(actor=cast.kam, opportunity=opp)
    # the need partly known answers "Customer's intent confirmed" (an evidence criterion) as
    # well as the element minimum; the follow-up entry is the form, but the customer is not
    # graded yet, so "Customer graded … and the KA follow-up form filled in" stays missing
    intent = criteria(1, step=1)[0]
    assert intent.text == "Customer's intent confirmed"
    assert err.value.problems == [
        *(c.text for c in criteria(1) if c != intent),
        "Form missing: Risk assessment form",
    ]
    assess(cast.kam, opp, low_risk_scores())
    with pytest.raises(GateRefused) as err:
        services.opportunity_move(actor=cast.kam, opportunity=opp)
    risk = criteria(1, step=2)[0]
    assert risk.evidence == [{"fact": "risk_cleared"}]
    assert err.value.problems == [c.text for c in criteria(1) if c not in (intent, risk)]


def test_a_director_overrides_with_a_reason_and_the_row_keeps_what_was_missing(cast, opp):
    walk_to_last_step_of_stage_one(cast, opp)
    step_moves = transitions(opp)[1:]
    assert [t.kind for t in step_moves] == ["step", "step"]
    assert all(t.overridden for t in step_moves)
    assert step_moves[0].missing == [
        {"kind": "criterion", "text": c.text, "ref": str(c.pk)} for c in criteria(1, step=1)
    ]
    with pytest.raises(GateRefused) as err:
        services.opportunity_move(actor=cast.kam, opportunity=opp, override=True, reason="急")
    assert err.value.problems == ["Only a sales director may override a gate."]
    with pytest.raises(GateRefused) as err:
        services.opportunity_move(actor=cast.director, opportunity=opp, override=True, reason=" ")
    assert err.value.problems == ["An override needs a written reason."]
    check(cast.kam, opp, manual(1))  # the criteria with evidence stay unmet: no record yet
    result = services.opportunity_move(
        actor=cast.director, opportunity=opp, override=True, reason="  客户总经理已承诺立项  "
    )
    opp.refresh_from_db()
    assert (opp.stage.order, opp.step) == (2, steps(2)[0])
    row = result.transition
    assert (row.kind, row.actor, row.overridden, row.reason) == (
        "advance",
        cast.director,
        True,
        "客户总经理已承诺立项",
    )
    assert (row.from_stage.order, row.from_step, row.to_stage.order) == (1, steps(1)[-1], 2)
    unmet = [c for c in criteria(1) if c.evidence]
    assert [(m["kind"], m["ref"]) for m in row.missing] == [
        *(("criterion", str(c.pk)) for c in unmet),
        ("form", "ka_follow_up"),
        ("form", "risk_assessment"),
        ("element", "need"),
    ]
    assert [m["text"] for m in row.missing][: len(unmet)] == [c.text for c in unmet]
    assert [m.kind for m in result.overridden] == [
        *(["criterion"] * len(unmet)),
        "form",
        "form",
        "element",
    ]


def test_a_plain_advance_records_no_override(cast, opp):
    advanced = advance_to(opp, actor=cast.kam, stage_order=2)
    assert advanced.stage.order == 2
    row = transitions(opp)[-1]
    assert (row.kind, row.overridden, row.missing, row.reason) == ("advance", False, [], "")
    assert [t.kind for t in transitions(opp)] == ["created", "step", "step", "advance"]
    assert advanced.stage_entered_at == row.at


def test_moving_back_needs_a_reason_and_lands_on_the_first_step(cast, opp):
    advance_to(opp, actor=cast.kam, stage_order=3)
    with pytest.raises(GateRefused) as err:
        services.opportunity_move(actor=cast.kam, opportunity=opp, forward=False, to_stage=stage(1))
    assert err.value.problems == ["Moving back needs a reason."]
    with pytest.raises(GateRefused):
        services.opportunity_move(
            actor=cast.kam, opportunity=opp, forward=False, to_stage=stage(3), reason="x"
        )
    result = services.opportunity_move(
        actor=cast.kam, opportunity=opp, forward=False, to_stage=stage(1), reason="客户需求变化"
    )
    opp.refresh_from_db()
    assert (opp.stage.order, opp.step) == (1, steps(1)[0])
    assert (result.transition.kind, result.transition.reason) == ("back", "客户需求变化")
    assert result.transition.from_stage.order == 3
    assert opp.stage_entered_at == result.transition.at


def test_nothing_moves_into_implementation_without_winning(cast, opp):
    advance_to(opp, actor=cast.kam, stage_order=5)
    satisfy_stage(opp, actor=cast.kam)
    while opp.step != steps(5)[-1]:
        services.opportunity_move(actor=cast.kam, opportunity=opp)
        opp.refresh_from_db()
    with pytest.raises(GateRefused, match="record the deal as won"):
        services.opportunity_move(actor=cast.director, opportunity=opp, override=True, reason="r")


# --- winning, losing, abandoning, reopening -------------------------------------------------


@pytest.fixture
def negotiating(cast, opp) -> Opportunity:
    advance_to(opp, actor=cast.kam, stage_order=5)
    satisfy_stage(opp, actor=cast.kam)
    return opp


def win(actor, opp, number="HT-2025-001", amount="1000000.00", milestones=None, **kw):
    return services.opportunity_win(
        actor=actor,
        opportunity=opp,
        contract_number=number,
        signed_amount=Decimal(amount),
        signed_on=kw.pop("signed_on", TODAY()),
        milestones=milestones,
        **kw,
    )


def test_winning_signs_the_contract_with_milestones_and_enters_implementation(cast, negotiating):
    opp = negotiating
    due = TODAY() + timedelta(days=90)
    contract = win(
        cast.kam,
        opp,
        number=" HT-2025-001 ",
        amount="1000000.05",
        milestones=[
            MilestoneInput("预付款", due, percentage=Decimal("30")),
            MilestoneInput("到货款", due, amount=Decimal("600000")),
        ],
    )
    assert (contract.number, contract.amount, contract.currency) == (
        "HT-2025-001",
        Decimal("1000000.05"),
        "CNY",
    )
    milestones = list(contract.milestones.order_by("order"))
    assert [(m.order, m.name, m.amount, m.percentage) for m in milestones] == [
        (1, "预付款", Decimal("300000.02"), Decimal("30.00")),  # 300000.015 half up
        (2, "到货款", Decimal("600000.00"), None),
    ]
    opp.refresh_from_db()
    assert (opp.status, opp.stage.order, opp.step) == ("won", 6, steps(6)[0])
    assert opp.closed_at is not None
    row = transitions(opp)[-1]
    assert (row.kind, row.from_stage.order, row.to_stage.order, row.to_status) == (
        "won",
        5,
        6,
        "won",
    )


def test_a_won_deal_is_worth_what_was_signed_and_the_change_is_kept(cast, negotiating):
    opp = negotiating
    expected = opp.amount
    win(cast.kam, opp, number="HT-AMOUNT-1", amount="3200000.00")
    opp.refresh_from_db()
    assert opp.amount == Decimal("3200000.00")
    change = ForecastChange.objects.filter(opportunity=opp, field="amount").latest("changed_at")
    assert (change.old_value, change.new_value) == (str(expected), "3200000.00")
    assert "HT-AMOUNT-1" in change.reason


def test_a_won_deal_works_through_the_implementation_steps(cast, negotiating):
    opp = negotiating
    win(cast.kam, opp)
    opp.refresh_from_db()
    with pytest.raises(GateRefused) as err:
        services.opportunity_move(actor=cast.kam, opportunity=opp)
    assert err.value.problems == [c.text for c in criteria(6, step=1)]
    check(cast.kam, opp, criteria(6, step=1))
    services.opportunity_move(actor=cast.kam, opportunity=opp)
    opp.refresh_from_db()
    assert (opp.status, opp.step) == ("won", steps(6)[1])
    assert transitions(opp)[-1].kind == "step"
    with pytest.raises(GateRefused):
        services.opportunity_move(
            actor=cast.kam, opportunity=opp, forward=False, to_stage=stage(5), reason="x"
        )


def test_win_validates_the_contract(cast, negotiating):
    opp = negotiating
    due = TODAY() + timedelta(days=30)
    with pytest.raises(ValidationError) as err:
        win(cast.kam, opp, number=" ", amount="0", signed_on=TODAY() + timedelta(days=1))
    assert set(err.value.message_dict) == {"contract_number", "signed_amount", "signed_on"}
    assert "future" in err.value.message_dict["signed_on"][0]
    with pytest.raises(ValidationError) as err:
        win(
            cast.kam,
            opp,
            amount="100.00",
            milestones=[
                MilestoneInput("预付款", due, percentage=Decimal("60")),
                MilestoneInput("尾款", due, amount=Decimal("40.01")),
            ],
        )
    assert "100.01" in err.value.message_dict["milestones"][0]
    with pytest.raises(ValidationError) as err:
        win(
            cast.kam,
            opp,
            milestones=[
                MilestoneInput(" ", due, amount=Decimal(10)),
                MilestoneInput("b", due),
                MilestoneInput("c", due, percentage=Decimal(101)),
                MilestoneInput("d", due, amount=Decimal(0)),
            ],
        )
    assert set(err.value.message_dict) == {
        "milestones[1]",
        "milestones[2]",
        "milestones[3]",
        "milestones[4]",
    }
    assert not Contract.objects.exists()
    opp.refresh_from_db()
    assert opp.status == "open"


def test_contract_numbers_are_unique(cast, customer, negotiating):
    win(cast.kam, negotiating, number="HT-1")
    other = make_opportunity(owner=cast.kam, customer=customer, name="第二个项目")
    advance_to(other, actor=cast.kam, stage_order=5)
    satisfy_stage(other, actor=cast.kam)
    with pytest.raises(ValidationError) as err:
        win(cast.kam, other, number="HT-1")
    assert "HT-1" in err.value.message_dict["contract_number"][0]


def test_win_goes_through_the_last_gate(cast, opp):
    with pytest.raises(GateRefused, match="negotiation stage"):
        win(cast.kam, opp)
    advance_to(opp, actor=cast.kam, stage_order=5)  # stage 5's criteria are all open
    # recording the win records the contract: "Contract signed" never stands in its way
    signed = [c for c in criteria(5) if c.evidence == [{"fact": "contract_signed"}]]
    assert [c.text for c in signed] == ["Contract signed (amount, date, payment milestones)"]
    open_ = [c for c in criteria(5) if c not in signed]
    with pytest.raises(GateRefused) as err:
        win(cast.kam, opp)
    assert err.value.problems == [c.text for c in open_]
    with pytest.raises(GateRefused):
        win(cast.kam, opp, override=True, reason="已签")
    win(cast.director, opp, override=True, reason="合同已签，流程补录")
    row = transitions(opp)[-1]
    assert (row.kind, row.overridden) == ("won", True)
    assert [m["ref"] for m in row.missing] == [str(c.pk) for c in open_]


def test_losing_needs_a_reason_and_lessons_and_records_the_winner(cast, opp):
    rival = services.competitor_register(actor=cast.kam, name="许继电气")
    price = LossReason.objects.get(code="price")
    with pytest.raises(ValidationError) as err:
        services.opportunity_lose(
            actor=cast.kam, opportunity=opp, loss_reason=None, winner=rival, lessons=" "
        )
    assert set(err.value.message_dict) == {"loss_reason", "lessons"}
    with pytest.raises(PermissionDenied):
        services.opportunity_lose(
            actor=cast.colleague, opportunity=opp, loss_reason=price, winner=None, lessons="x"
        )
    services.opportunity_lose(
        actor=cast.kam, opportunity=opp, loss_reason=price, winner=rival, lessons=" 报价偏高 "
    )
    opp.refresh_from_db()
    assert (opp.status, opp.loss_reason, opp.winner, opp.close_reason) == (
        "lost",
        price,
        rival,
        "报价偏高",
    )
    row = transitions(opp)[-1]
    assert (row.kind, row.reason, row.from_status, row.to_status) == (
        "lost",
        "报价偏高",
        "open",
        "lost",
    )
    with pytest.raises(ValidationError, match="closed already"):
        services.opportunity_lose(
            actor=cast.kam, opportunity=opp, loss_reason=price, winner=None, lessons="x"
        )
    with pytest.raises(GateRefused):
        services.opportunity_move(actor=cast.kam, opportunity=opp)
    with pytest.raises(ValidationError, match="closed"):
        services.criterion_set(
            actor=cast.kam, opportunity=opp, criterion=manual(1)[0], checked=True
        )


def test_abandon_needs_a_reason(cast, opp):
    with pytest.raises(ValidationError) as err:
        services.opportunity_abandon(actor=cast.kam, opportunity=opp, reason="  ")
    assert "reason" in err.value.message_dict
    services.opportunity_abandon(actor=cast.kam, opportunity=opp, reason="客户项目取消")
    opp.refresh_from_db()
    assert (opp.status, opp.close_reason) == ("abandoned", "客户项目取消")
    assert transitions(opp)[-1].kind == "abandoned"
    with pytest.raises(ValidationError):
        services.opportunity_abandon(actor=cast.kam, opportunity=opp, reason="again")


def test_reopen_only_lost_or_abandoned_deals_with_a_reason(cast, opp):
    with pytest.raises(ValidationError, match="lost or abandoned"):
        services.opportunity_reopen(actor=cast.kam, opportunity=opp, reason="x")
    price = LossReason.objects.get(code="price")
    services.opportunity_lose(
        actor=cast.kam, opportunity=opp, loss_reason=price, winner=None, lessons="价格"
    )
    with pytest.raises(ValidationError) as err:
        services.opportunity_reopen(actor=cast.kam, opportunity=opp, reason=" ")
    assert "reason" in err.value.message_dict
    services.opportunity_reopen(actor=cast.kam, opportunity=opp, reason="客户重新招标")
    opp.refresh_from_db()
    assert (opp.status, opp.loss_reason, opp.close_reason, opp.closed_at) == (
        "open",
        None,
        "",
        None,
    )
    assert (opp.stage.order, opp.step) == (1, steps(1)[0])
    row = transitions(opp)[-1]
    assert (row.kind, row.from_status, row.to_status, row.reason) == (
        "reopened",
        "lost",
        "open",
        "客户重新招标",
    )


def test_a_reopened_deal_abandoned_for_risk_needs_a_new_decision(cast, opp):
    assessment = assess(cast.kam, opp, high_risk_scores())
    decide(cast.director, assessment, rules.RiskDecision.ABANDON, reason="风险过高")
    services.opportunity_reopen(actor=cast.kam, opportunity=opp, reason="客户增资")
    opp.refresh_from_db()
    assert (opp.status, opp.risk_decision) == ("open", "pending")
    step_ready(cast, opp)
    with pytest.raises(GateRefused):
        services.opportunity_move(actor=cast.kam, opportunity=opp)


def test_a_won_deal_is_not_reopened(cast, negotiating):
    win(cast.kam, negotiating)
    with pytest.raises(ValidationError):
        services.opportunity_reopen(actor=cast.kam, opportunity=negotiating, reason="x")


# --- milestones -----------------------------------------------------------------------------


@pytest.fixture
def contract(cast, negotiating) -> Contract:
    return win(
        cast.kam,
        negotiating,
        amount="1000.00",
        milestones=[MilestoneInput("预付款", TODAY() + timedelta(days=10), amount=Decimal(400))],
    )


def test_milestone_add_stays_within_the_contract(cast, contract):
    due = TODAY() + timedelta(days=60)
    with pytest.raises(ValidationError) as err:
        services.milestone_add(
            actor=cast.kam, contract=contract, data=MilestoneInput("尾款", due, Decimal("600.01"))
        )
    assert "1000.01" in err.value.message_dict["milestones"][0]
    added = services.milestone_add(
        actor=cast.kam, contract=contract, data=MilestoneInput("尾款", due, percentage=Decimal(60))
    )
    assert (added.order, added.amount) == (2, Decimal("600.00"))
    with pytest.raises(PermissionDenied):
        services.milestone_add(
            actor=cast.colleague, contract=contract, data=MilestoneInput("x", due, Decimal(1))
        )


def test_a_milestone_has_an_amount_or_a_percentage_not_both(cast, contract):
    both = MilestoneInput("尾款", TODAY() + timedelta(days=60), Decimal(100), Decimal(10))
    with pytest.raises(ValidationError) as err:
        services.milestone_add(actor=cast.kam, contract=contract, data=both)
    (message,) = err.value.message_dict["milestones[1]"]
    assert "amount" in message and "percentage" in message
    assert contract.milestones.count() == 1


def test_winning_refuses_a_milestone_with_both_an_amount_and_a_percentage(cast, negotiating):
    due = TODAY() + timedelta(days=60)
    with pytest.raises(ValidationError) as err:
        win(
            cast.kam,
            negotiating,
            milestones=[
                MilestoneInput("预付款", due, percentage=Decimal(30)),
                MilestoneInput("到货款", due, amount=Decimal(1000), percentage=Decimal(10)),
            ],
        )
    assert set(err.value.message_dict) == {"milestones[2]"}
    (message,) = err.value.message_dict["milestones[2]"]
    assert "amount" in message and "percentage" in message
    assert not Contract.objects.exists()
    negotiating.refresh_from_db()
    assert negotiating.status == "open"


def update(actor, milestone, data, version=None):
    return services.milestone_update(
        actor=actor,
        milestone=milestone,
        data=data,
        expected_version=milestone.version if version is None else version,
    )


def test_milestone_collection_rules(cast, contract):
    m = contract.milestones.get()
    with pytest.raises(ValidationError) as err:
        update(cast.kam, m, {"collected_amount": Decimal("400.01"), "collected_on": TODAY()})
    assert list(err.value.message_dict) == ["collected_amount"]
    m.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        update(cast.kam, m, {"collected_amount": Decimal(400)})
    assert list(err.value.message_dict) == ["collected_on"]
    m.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        update(cast.kam, m, {"collected_on": TODAY()})
    assert list(err.value.message_dict) == ["collected_amount"]
    m.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        update(cast.kam, m, {"accepted_on": TODAY() + timedelta(days=1)})
    assert list(err.value.message_dict) == ["accepted_on"]
    m.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        update(cast.kam, m, {"invoiced_amount": Decimal(401), "invoiced_on": TODAY()})
    assert list(err.value.message_dict) == ["invoiced_amount"]
    m.refresh_from_db()
    assert (m.collected_amount, m.invoiced_amount, m.accepted_on) == (None, None, None)
    update(
        cast.kam,
        m,
        {
            "accepted_on": TODAY(),
            "invoiced_on": TODAY(),
            "invoiced_amount": Decimal(400),
            "collected_on": TODAY(),
            "collected_amount": Decimal(400),
        },
    )
    m.refresh_from_db()
    assert (m.collected_amount, m.outstanding, m.version) == (Decimal(400), Decimal(0), 2)


def test_a_stale_milestone_edit_is_refused(cast, contract):
    m = contract.milestones.get()
    opened = m.version
    update(cast.kam, PaymentMilestone.objects.get(pk=m.pk), {"name": "首付款"}, opened)
    with pytest.raises(StaleEditError) as err:
        update(cast.team_lead, PaymentMilestone.objects.get(pk=m.pk), {"name": "x"}, opened)
    assert err.value.changed_by == "王伟"
    assert PaymentMilestone.objects.get(pk=m.pk).name == "首付款"


def test_delete_refuses_invoiced_or_collected_milestones(cast, contract):
    m = contract.milestones.get()
    extra = services.milestone_add(
        actor=cast.kam,
        contract=contract,
        data=MilestoneInput("质保金", TODAY() + timedelta(days=365), Decimal(100)),
    )
    update(cast.kam, m, {"collected_on": TODAY(), "collected_amount": Decimal(100)})
    with pytest.raises(ValidationError, match="cannot be deleted"):
        services.milestone_delete(actor=cast.kam, milestone=PaymentMilestone.objects.get(pk=m.pk))
    services.milestone_delete(actor=cast.kam, milestone=extra)
    assert list(PaymentMilestone.objects.values_list("pk", flat=True)) == [m.pk]


# --- visibility -----------------------------------------------------------------------------


def test_who_sees_which_deals(cast, customer, opp):
    north_customer = registered_customer(
        owner=cast.north_kam, assistant=cast.assistant, name="华北电力集团有限公司", contacts=0
    )
    north = make_opportunity(owner=cast.north_kam, customer=north_customer, name="华北项目")
    team_deal = make_opportunity(owner=cast.kam, customer=customer, name="顾问参与的项目")
    services.member_add(
        actor=cast.kam, opportunity=team_deal, user=cast.consultant, role="consultant"
    )
    everything = {opp.pk, north.pk, team_deal.pk}
    east = {opp.pk, team_deal.pk}
    expected = {
        "kam": east,
        "north_kam": {north.pk},
        "team_lead": east,
        "consultant": {team_deal.pk},
        "colleague": set(),
        "outsider": set(),
        "head": everything,
        "director": everything,
        "assistant": everything,
        "admin": everything,
    }
    for role, ids in expected.items():
        user = getattr(cast, role)
        seen = set(selectors.opportunity_list(user=user).values_list("pk", flat=True))
        assert seen == ids, role
    assert not selectors.visible(None).exists()
