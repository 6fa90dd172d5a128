"""Who ticks an exit criterion (issue 8, "gate integrity"): a criterion with evidence is
answered by the record and never ticked by hand; a manual one is ticked by the deal's owner,
the managers of the owner's unit, or a deal-team member holding a role the criterion's step
names as responsible (a criterion of the stage as a whole: the owner and their managers only).
A refusal says who may and changes nothing. A director's override still passes criteria with
evidence, and the transition row records them as missing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from keyaccount.customers.models import Customer
from keyaccount.pipeline import rules, services
from keyaccount.pipeline.gate import gate_input
from keyaccount.pipeline.models import CriterionCheck, Opportunity, StageTransition
from keyaccount.process.models import ExitCriterion, Step
from tests.pipeline_support import advance_to, make_opportunity, registered_customer

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def customer(cast) -> Customer:
    return registered_customer(owner=cast.kam, assistant=cast.assistant)


@pytest.fixture
def opp(cast, customer) -> Opportunity:
    return make_opportunity(owner=cast.kam, customer=customer)


def criterion(text_en: str) -> ExitCriterion:
    return ExitCriterion.objects.get(text_en=text_en)


#: stage 1, step "needs survey", whose responsible roles are consultant, KAM and senior KAM
SURVEY = "Needs analysis delivered to the customer and project sponsor identified"
#: stage 1, step "lead discovery"; evidence: the need at least partly known
INTENT = "Customer's intent confirmed"


@pytest.fixture
def survey() -> ExitCriterion:
    c = criterion(SURVEY)
    assert (c.evidence, c.step.code) == ([], "needs_survey")
    assert set(c.step.roles.values_list("code", flat=True)) == {"consultant", "kam", "senior_kam"}
    return c


@pytest.fixture
def whole_stage(opp) -> ExitCriterion:
    """A manual criterion of stage 1 as a whole (the default ones there all have evidence), as
    an administrator adds one."""
    return ExitCriterion.objects.create(
        stage=opp.stage, order=9, text_zh="客户高层已表态支持", text_en="Customer's top management"
    )


def tick(actor, opp, c, checked=True):
    return services.criterion_set(actor=actor, opportunity=opp, criterion=c, checked=checked)


def on_team(cast, opp, who: str, role: str) -> None:
    services.member_add(actor=cast.kam, opportunity=opp, user=getattr(cast, who), role=role)


def snapshot():
    """Everything a tick could change."""
    return (
        list(CriterionCheck.objects.order_by("pk").values_list("pk", "checked_by", "checked_at")),
        CriterionCheck.history.count(),
    )


# --- evidence criteria are not ticked -------------------------------------------------------


@pytest.mark.parametrize("who", ["kam", "team_lead", "director", "admin"])
@pytest.mark.parametrize("checked", [True, False])
def test_an_evidence_criterion_is_refused_to_anyone_who_ticks_it(cast, opp, who, checked):
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        tick(getattr(cast, who), opp, criterion(INTENT), checked)
    (message,) = err.value.message_dict["criterion"]
    assert message == (
        "“Customer's intent confirmed” is answered by the record (met when need at least "
        "“partly known”): it cannot be ticked by hand."
    )
    assert snapshot() == before


def test_a_tick_left_on_a_criterion_that_gets_evidence_no_longer_counts(cast, opp, survey):
    tick(cast.kam, opp, survey)
    survey.evidence = [{"fact": "customer_graded"}]  # the administrator makes it evidence
    survey.full_clean()
    survey.save()
    gate = gate_input(Opportunity.objects.get(pk=opp.pk))
    (state,) = [c for c in gate.criteria if c.id == survey.pk]
    assert (state.checked, gate.met(state)) == (True, False)
    missing = rules.missing_to_leave(gate, whole_stage=True).missing
    assert ("criterion", str(survey.pk)) in {(m.kind, m.ref) for m in missing}


# --- who may tick a manual criterion --------------------------------------------------------


@pytest.mark.parametrize("who", ["kam", "team_lead", "head", "director", "admin"])
def test_the_owner_and_the_managers_of_the_unit_tick_any_manual_criterion(
    cast, opp, survey, whole_stage, who
):
    actor = getattr(cast, who)
    for c in (survey, whole_stage):
        row = tick(actor, opp, c)
        assert (row.criterion, row.checked_by) == (c, actor)
        assert tick(actor, opp, c, checked=False) is None


@pytest.mark.parametrize(
    ("who", "team_role"),
    [
        ("consultant", rules.TeamRole.CONSULTANT),
        ("consultant", rules.TeamRole.OTHER),  # their own role is consultant
        ("account_manager", rules.TeamRole.CONSULTANT),  # the part they play on the deal
        ("colleague", rules.TeamRole.OTHER),  # a KAM, a role the step names
    ],
)
def test_a_team_member_with_a_role_the_step_names_ticks_its_criterion(
    cast, opp, survey, who, team_role
):
    on_team(cast, opp, who, team_role)
    row = tick(getattr(cast, who), opp, survey)
    assert row.checked_by == getattr(cast, who)
    assert CriterionCheck.objects.get().pk == row.pk


def test_a_team_member_whose_roles_the_step_does_not_name_is_refused(cast, opp, survey):
    on_team(cast, opp, "account_manager", rules.TeamRole.OTHER)
    before = snapshot()
    with pytest.raises(PermissionDenied) as err:
        tick(cast.account_manager, opp, survey)
    assert str(err.value) == (
        "Only the deal's owner, their managers or a team member who is Consultant / technical "
        "support、Key account manager、Senior key account manager may tick “Needs analysis "
        "delivered to the customer and project sponsor identified”."
    )
    assert snapshot() == before


def test_a_criterion_of_the_whole_stage_is_refused_to_team_members(cast, opp, whole_stage):
    on_team(cast, opp, "consultant", rules.TeamRole.CONSULTANT)
    on_team(cast, opp, "colleague", rules.TeamRole.SENIOR_KAM)
    before = snapshot()
    for member in (cast.consultant, cast.colleague):
        with pytest.raises(PermissionDenied) as err:
            tick(member, opp, whole_stage)
        assert str(err.value) == (
            "Only the deal's owner or their managers may tick “Customer's top management”."
        )
    assert snapshot() == before


@pytest.mark.parametrize("who", ["colleague", "consultant", "assistant", "north_kam", "outsider"])
def test_someone_not_on_the_team_is_refused(cast, opp, survey, who):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        tick(getattr(cast, who), opp, survey)
    assert snapshot() == before


def test_a_refused_untick_leaves_the_tick(cast, opp, whole_stage):
    on_team(cast, opp, "consultant", rules.TeamRole.CONSULTANT)
    at = timezone.now()
    services.criterion_set(
        actor=cast.kam, opportunity=opp, criterion=whole_stage, checked=True, note="已表态", at=at
    )
    before = snapshot()
    with pytest.raises(PermissionDenied):
        tick(cast.consultant, opp, whole_stage, checked=False)
    assert snapshot() == before
    row = CriterionCheck.objects.get()
    assert (row.checked_by, row.checked_at, row.note) == (cast.kam, at, "已表态")


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Award notice received"), ("zh-hans", "已获得中标通知书")]
)
def test_a_consultant_on_the_team_cannot_tick_the_award_notice(cast, opp, language, text):
    advance_to(opp, actor=cast.kam, stage_order=4)
    on_team(cast, opp, "consultant", rules.TeamRole.CONSULTANT)
    award = ExitCriterion.objects.get(text_zh="已获得中标通知书")
    assert (award.stage.order, award.step, award.evidence) == (4, None, [])
    bid = Step.objects.get(code="bid_decision")
    assert "consultant" in set(bid.roles.values_list("code", flat=True))
    with translation.override(language):
        with pytest.raises(PermissionDenied) as err:
            tick(cast.consultant, opp, award)
        assert f"“{text}”" in str(err.value)
    assert not CriterionCheck.objects.filter(criterion=award).exists()
    # the same consultant ticks a criterion of a step that names consultants
    analysis = ExitCriterion.objects.get(step=bid, text_zh="已获取招标文件并完成评分规则分析")
    assert tick(cast.consultant, opp, analysis).checked_by == cast.consultant
    assert tick(cast.kam, opp, award).checked_by == cast.kam  # the owner may


# --- overrides ------------------------------------------------------------------------------


def test_an_override_passes_evidence_criteria_and_the_row_records_them(cast, opp):
    intent = criterion(INTENT)
    with pytest.raises(services.GateRefused) as err:
        services.opportunity_move(actor=cast.kam, opportunity=opp, override=True, reason="急")
    assert err.value.problems == ["Only a sales director may override a gate."]
    result = services.opportunity_move(
        actor=cast.director, opportunity=opp, override=True, reason="客户已口头确认需求"
    )
    row = StageTransition.objects.filter(opportunity=opp).order_by("at", "id").last()
    assert row == result.transition
    assert (row.kind, row.overridden, row.reason) == ("step", True, "客户已口头确认需求")
    assert row.missing == [{"kind": "criterion", "text": INTENT, "ref": str(intent.pk)}]
    opp.refresh_from_db()
    assert opp.step.code == "first_interview"
