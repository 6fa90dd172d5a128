"""Evidence criteria on real deals (issue 8, "gate integrity"): each fact of the vocabulary
(``process.evidence``) turns a criterion met when the record says so, through the services a
user goes through, and not before; ``gate_input`` reads it in a bounded number of queries.

Each test composes a criterion of the deal's current stage the way an administrator would (the
playbook is data) and asks the gate about it: ``met`` is what the checklist shows, and whether
the criterion is among what keeps the deal from leaving the stage.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from keyaccount.contacts.models import Contact
from keyaccount.customers import services as customer_services
from keyaccount.customers.models import Customer
from keyaccount.org.models import Industry
from keyaccount.pipeline import rules, services
from keyaccount.pipeline.gate import gate_input, stage_orders
from keyaccount.pipeline.models import Opportunity, PaymentMilestone, StageTransition
from keyaccount.pipeline.services import MilestoneInput
from keyaccount.process.models import ExitCriterion
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


@pytest.fixture
def customer(cast) -> Customer:
    return registered_customer(owner=cast.kam, assistant=cast.assistant)


@pytest.fixture
def opp(cast, customer) -> Opportunity:
    return make_opportunity(owner=cast.kam, customer=customer)


@pytest.fixture
def negotiating(cast, opp) -> Opportunity:
    advance_to(opp, actor=cast.kam, stage_order=5)
    satisfy_stage(opp, actor=cast.kam)
    return opp


def win(actor, opp, *, amount="1000.00", milestones=None):
    return services.opportunity_win(
        actor=actor,
        opportunity=opp,
        contract_number="HT-EVIDENCE-1",
        signed_amount=Decimal(amount),
        signed_on=TODAY(),
        milestones=milestones,
    )


@pytest.fixture
def won(cast, negotiating) -> Opportunity:
    """A won deal in implementation with two payment milestones (300 and 700 of 1000)."""
    due = TODAY() + timedelta(days=30)
    win(
        cast.kam,
        negotiating,
        milestones=[
            MilestoneInput("预付款", due, percentage=Decimal(30)),
            MilestoneInput("验收款", due, percentage=Decimal(70)),
        ],
    )
    negotiating.refresh_from_db()
    assert (negotiating.status, negotiating.stage.order) == ("won", 6)
    return negotiating


def criterion_for(opp: Opportunity, evidence: list[dict], *, mandatory=True) -> ExitCriterion:
    """A criterion of the deal's current stage (as a whole) answered by ``evidence``, saved as
    the back office would save it."""
    opp.refresh_from_db()
    criterion = ExitCriterion(
        stage=opp.stage,
        order=90,
        text_zh="由记录回答的条件",
        text_en="Answered by the record",
        mandatory=mandatory,
        evidence=evidence,
    )
    criterion.full_clean()
    criterion.save()
    return criterion


def met(opp: Opportunity, criterion: ExitCriterion) -> bool:
    """What the checklist shows for ``criterion`` on a fresh read of the deal; checks that the
    stage gate agrees (a mandatory criterion not met keeps the deal in its stage)."""
    gate = gate_input(fresh(opp))
    (state,) = [c for c in gate.criteria if c.id == criterion.pk]
    assert state.evidence == tuple(criterion.evidence)
    assert not state.checked
    answer = gate.met(state)
    missing = rules.missing_to_leave(gate, whole_stage=True).missing
    listed = ("criterion", str(criterion.pk)) in {(m.kind, m.ref) for m in missing}
    assert listed is (criterion.mandatory and not answer)
    return answer


def element(cast, opp, name: str, status: str) -> None:
    services.element_set(actor=cast.kam, opportunity=opp, element=name, status=status, notes="")


def contacts(customer: Customer) -> list[Contact]:
    return list(Contact.objects.filter(customer=customer).order_by("pk"))


def on_map(cast, opp, contact: Contact, role: str, attitude: str) -> None:
    services.buying_role_set(
        actor=cast.kam,
        opportunity=opp,
        contact=contact,
        data={"role": role, "influence": "medium", "attitude": attitude},
    )


# --- forms ----------------------------------------------------------------------------------


def follow_up(cast, opp) -> None:
    services.follow_up_add(actor=cast.kam, opportunity=opp, on=TODAY(), progress="拜访客户")


def risk_assessment(cast, opp) -> None:
    services.risk_assess(
        actor=cast.kam, opportunity=opp, assessed_on=TODAY(), scores=low_risk_scores()
    )


def evaluation(cast, opp) -> None:
    customer_services.evaluation_create(
        actor=cast.kam,
        customer=opp.customer,
        data={
            "evaluated_on": TODAY(),
            "relationship": 4,
            "needs_clarity": 3,
            "competitive_position": 3,
            "solution_fit": 4,
            "payment_ability": 4,
            "summary": "关系良好",
        },
    )


@pytest.mark.parametrize(
    ("form", "record"),
    [
        ("ka_follow_up", follow_up),
        ("risk_assessment", risk_assessment),
        # not among the stage's required forms: read for the criterion alone
        ("comprehensive_evaluation", evaluation),
    ],
)
def test_a_form_criterion_is_met_once_the_form_is_on_file(cast, opp, form, record):
    criterion = criterion_for(opp, [{"fact": "form", "form": form}])
    assert not met(opp, criterion)
    record(cast, opp)
    assert met(opp, criterion)


def test_the_customer_profile_is_on_file_with_a_region_and_an_industry(cast, opp):
    criterion = criterion_for(opp, [{"fact": "form", "form": "customer_profile"}])
    assert met(opp, criterion)
    customer = Customer.objects.get(pk=opp.customer_id)
    customer_services.customer_update(
        actor=cast.kam,
        customer=customer,
        data={"industry": None},
        expected_version=customer.version,
    )
    assert not met(opp, criterion)
    customer = Customer.objects.get(pk=opp.customer_id)
    customer_services.customer_update(
        actor=cast.kam,
        customer=customer,
        data={"industry": Industry.objects.first()},
        expected_version=customer.version,
    )
    assert met(opp, criterion)


@pytest.mark.parametrize("form", ["daily_contact_log", "weekly_report"])
def test_a_form_nothing_records_yet_is_never_on_file(cast, opp, form):
    criterion = criterion_for(opp, [{"fact": "form", "form": form}])
    satisfy_stage(opp, actor=cast.kam)
    assert not met(opp, criterion)


# --- risk -----------------------------------------------------------------------------------


def assess(cast, opp, scores):
    return services.risk_assess(actor=cast.kam, opportunity=opp, assessed_on=TODAY(), scores=scores)


def test_a_low_risk_assessment_clears_the_risk(cast, opp):
    criterion = criterion_for(opp, [{"fact": "risk_cleared"}])
    assert not met(opp, criterion)  # nothing assessed yet
    assess(cast, opp, low_risk_scores())
    assert met(opp, criterion)


def test_a_high_risk_is_cleared_only_when_a_director_decides_to_continue(cast, opp):
    criterion = criterion_for(opp, [{"fact": "risk_cleared"}])
    assessment = assess(cast, opp, high_risk_scores())
    assert assessment.decision == rules.RiskDecision.PENDING
    assert not met(opp, criterion)
    services.risk_decide(
        actor=cast.director,
        assessment=assessment,
        decision=rules.RiskDecision.CONTINUE,
        reason="客户资金已落实",
    )
    assert met(opp, criterion)
    assess(cast, opp, high_risk_scores())  # a new high assessment waits for a new decision
    assert not met(opp, criterion)


# --- key evaluation elements ----------------------------------------------------------------


def test_listed_elements_are_met_at_or_above_partly(cast, opp):
    criterion = criterion_for(
        opp, [{"fact": "elements", "elements": ["need", "budget"], "minimum": "partly"}]
    )
    element(cast, opp, "need", "partly")
    assert not met(opp, criterion)  # the budget is still unknown
    element(cast, opp, "budget", "confirmed")  # above the minimum counts
    assert met(opp, criterion)
    element(cast, opp, "need", "unknown")
    assert not met(opp, criterion)


def test_a_confirmed_minimum_is_not_met_by_partly_known(cast, opp):
    criterion = criterion_for(
        opp, [{"fact": "elements", "elements": ["budget"], "minimum": "confirmed"}]
    )
    element(cast, opp, "budget", "partly")
    assert not met(opp, criterion)
    element(cast, opp, "budget", "confirmed")
    assert met(opp, criterion)


def test_all_elements_means_all_six(cast, opp):
    criterion = criterion_for(opp, [{"fact": "elements", "elements": "all", "minimum": "partly"}])
    *five, last = rules.Element.values
    for name in five:
        element(cast, opp, name, "confirmed")
    assert not met(opp, criterion)
    element(cast, opp, last, "partly")
    assert met(opp, criterion)


# --- the power map --------------------------------------------------------------------------


def test_all_buying_roles_need_a_contact_matching_each(cast, customer, opp):
    criterion = criterion_for(
        opp,
        [
            {
                "fact": "buying_roles",
                "all": [{"role": "decision_maker"}, {"role": "user", "attitude": "supporter"}],
            }
        ],
    )
    boss, engineer, _third = contacts(customer)
    assert not met(opp, criterion)
    on_map(cast, opp, boss, "decision_maker", "neutral")
    assert not met(opp, criterion)
    on_map(cast, opp, engineer, "user", "neutral")
    assert not met(opp, criterion)  # a user, but not a supporter
    on_map(cast, opp, engineer, "user", "supporter")
    assert met(opp, criterion)
    services.buying_role_remove(actor=cast.kam, opportunity=opp, contact=boss)
    assert not met(opp, criterion)


def test_any_buying_role_counts_contacts_matching_one_of_them_up_to_the_minimum(
    cast, customer, opp
):
    criterion = criterion_for(
        opp,
        [{"fact": "buying_roles", "any": [{"role": "coach"}, {"attitude": "supporter"}], "min": 2}],
    )
    first, second, _third = contacts(customer)
    on_map(cast, opp, first, "coach", "supporter")  # matches both: still one contact
    assert not met(opp, criterion)
    on_map(cast, opp, second, "gatekeeper", "neutral")
    assert not met(opp, criterion)
    on_map(cast, opp, second, "gatekeeper", "supporter")
    assert met(opp, criterion)


def test_a_matcher_with_a_role_and_an_attitude_needs_both_on_one_contact(cast, customer, opp):
    criterion = criterion_for(
        opp,
        [
            {
                "fact": "buying_roles",
                "any": [{"role": "technical_evaluator", "attitude": "supporter"}],
            }
        ],
    )
    first, second, _third = contacts(customer)
    on_map(cast, opp, first, "technical_evaluator", "neutral")
    on_map(cast, opp, second, "user", "supporter")
    assert not met(opp, criterion)
    on_map(cast, opp, first, "technical_evaluator", "supporter")
    assert met(opp, criterion)


# --- the customer and the deal --------------------------------------------------------------


def test_a_graded_customer_meets_customer_graded(cast, opp):
    criterion = criterion_for(opp, [{"fact": "customer_graded"}])
    assert not met(opp, criterion)
    customer_services.grade_set(
        actor=cast.team_lead, customer=opp.customer, grade="B", reason="年采购额大"
    )
    assert met(opp, criterion)


def test_a_deal_recorded_as_fitting_the_strategy_meets_strategic_fit(cast, opp):
    criterion = criterion_for(opp, [{"fact": "strategic_fit"}])
    assert not met(opp, criterion)
    for fits in (True, False):
        opp.refresh_from_db()
        services.opportunity_update(
            actor=cast.kam,
            opportunity=opp,
            data={"strategic_fit": fits},
            expected_version=opp.version,
        )
        assert met(opp, criterion) is fits


# --- the contract, milestones, the next opportunity -----------------------------------------


def test_the_contract_criterion_is_met_by_the_win_and_never_blocks_it(cast, negotiating):
    opp = negotiating
    (signed,) = ExitCriterion.objects.filter(
        stage=opp.stage, evidence=[{"fact": "contract_signed"}]
    )
    assert not met(opp, signed)  # no contract on file yet
    gate = gate_input(Opportunity.objects.get(pk=opp.pk))
    missing = rules.missing_to_leave(gate, whole_stage=True).missing
    assert [(m.kind, m.ref) for m in missing] == [("criterion", str(signed.pk))]
    outcome = rules.decide_win(
        gate, stage_orders=stage_orders(), override=False, can_override=False, reason=""
    )
    assert (outcome.allowed, outcome.overridden, outcome.problems) == (True, (), ())
    win(cast.kam, opp)
    row = StageTransition.objects.filter(opportunity=opp).order_by("at", "id").last()
    assert (row.kind, row.overridden, row.missing) == ("won", False, [])
    recorded = criterion_for(opp, [{"fact": "contract_signed"}])  # in implementation now
    assert met(opp, recorded)


def milestones(opp: Opportunity) -> list[PaymentMilestone]:
    return list(PaymentMilestone.objects.filter(contract__opportunity=opp).order_by("order"))


def record(cast, milestone: PaymentMilestone, **data) -> None:
    milestone.refresh_from_db()
    services.milestone_update(
        actor=cast.kam, milestone=milestone, data=data, expected_version=milestone.version
    )


def test_milestones_accepted_any_or_all(cast, won):
    some = criterion_for(won, [{"fact": "milestones", "state": "accepted", "which": "any"}])
    every = criterion_for(won, [{"fact": "milestones", "state": "accepted", "which": "all"}])
    first, second = milestones(won)
    assert (met(won, some), met(won, every)) == (False, False)
    record(cast, first, accepted_on=TODAY())
    assert (met(won, some), met(won, every)) == (True, False)
    record(cast, second, accepted_on=TODAY())
    assert (met(won, some), met(won, every)) == (True, True)


def test_milestones_collected_in_full_any_or_all(cast, won):
    some = criterion_for(won, [{"fact": "milestones", "state": "collected", "which": "any"}])
    every = criterion_for(won, [{"fact": "milestones", "state": "collected", "which": "all"}])
    first, second = milestones(won)
    assert first.amount == Decimal("300.00")
    record(cast, first, collected_on=TODAY(), collected_amount=Decimal("299.99"))
    assert (met(won, some), met(won, every)) == (False, False)  # not in full yet
    record(cast, first, collected_amount=Decimal("300.00"))
    assert (met(won, some), met(won, every)) == (True, False)
    record(cast, second, collected_on=TODAY(), collected_amount=Decimal("700.00"))
    assert (met(won, some), met(won, every)) == (True, True)


def test_all_milestones_needs_at_least_one(cast, negotiating):
    win(cast.kam, negotiating)  # a contract without payment milestones
    for state in ("accepted", "collected"):
        criterion = criterion_for(
            negotiating, [{"fact": "milestones", "state": state, "which": "all"}]
        )
        assert not met(negotiating, criterion)


def test_a_new_opportunity_is_one_opened_on_the_customer_after_the_win(cast, customer, opp):
    earlier = make_opportunity(owner=cast.kam, customer=customer, name="同期另一个项目")
    advance_to(opp, actor=cast.kam, stage_order=5)
    satisfy_stage(opp, actor=cast.kam)
    win(cast.kam, opp)
    criterion = criterion_for(opp, [{"fact": "new_opportunity"}], mandatory=False)
    assert earlier.created_at < Opportunity.objects.get(pk=opp.pk).closed_at
    assert not met(opp, criterion)
    elsewhere = registered_customer(
        owner=cast.kam, assistant=cast.assistant, name="另一家电力公司", contacts=0
    )
    make_opportunity(owner=cast.kam, customer=elsewhere, name="别家的新项目")
    assert not met(opp, criterion)
    make_opportunity(owner=cast.kam, customer=customer, name="二期扩容")
    assert met(opp, criterion)


def test_every_fact_of_a_criterion_must_hold(cast, opp):
    criterion = criterion_for(opp, [{"fact": "strategic_fit"}, {"fact": "customer_graded"}])
    opp.refresh_from_db()
    services.opportunity_update(
        actor=cast.kam, opportunity=opp, data={"strategic_fit": True}, expected_version=opp.version
    )
    assert not met(opp, criterion)
    customer_services.grade_set(actor=cast.head, customer=opp.customer, grade="A", reason="重点")
    assert met(opp, criterion)


def test_an_optional_evidence_criterion_never_keeps_the_deal_in_its_stage(opp):
    criterion = criterion_for(opp, [{"fact": "customer_graded"}], mandatory=False)
    assert not met(opp, criterion)  # ``met`` checks that it is not listed as missing


# --- queries --------------------------------------------------------------------------------

EVERY_FACT = [
    {"fact": "form", "form": "ka_follow_up"},
    {"fact": "form", "form": "comprehensive_evaluation"},
    {"fact": "risk_cleared"},
    {"fact": "elements", "elements": "all", "minimum": "partly"},
    {"fact": "buying_roles", "all": [{"role": "decision_maker"}]},
    {"fact": "buying_roles", "any": [{"attitude": "supporter"}], "min": 3},
    {"fact": "customer_graded"},
    {"fact": "strategic_fit"},
    {"fact": "contract_signed"},
    {"fact": "milestones", "state": "accepted", "which": "all"},
    {"fact": "milestones", "state": "collected", "which": "any"},
    {"fact": "new_opportunity"},
]


def fresh(opp: Opportunity) -> Opportunity:
    return Opportunity.objects.select_related("stage", "customer").get(pk=opp.pk)


def queries_of_gate_input(opp: Opportunity) -> tuple[int, rules.GateInput]:
    with CaptureQueriesContext(connection) as ctx:
        gate = gate_input(opp)
    return len(ctx.captured_queries), gate


def test_gate_input_reads_the_evidence_in_a_bounded_number_of_queries(
    cast, django_assert_max_num_queries
):
    """The stage asks for every kind of fact; twelve contacts on the power map and twelve
    payment milestones cost no more queries than three and one."""
    customer = registered_customer(owner=cast.kam, assistant=cast.assistant, contacts=12)
    deal = make_opportunity(owner=cast.kam, customer=customer)
    advance_to(deal, actor=cast.kam, stage_order=5)
    satisfy_stage(deal, actor=cast.kam)  # three contacts on the power map
    due = TODAY() + timedelta(days=30)
    contract = win(cast.kam, deal, milestones=[MilestoneInput("第1期", due, Decimal(10))])
    criterion_for(deal, EVERY_FACT)
    deal = fresh(deal)
    with django_assert_max_num_queries(13):  # one per kind of fact asked, none per row
        few, gate = queries_of_gate_input(deal)
    assert (len(gate.evidence.contacts), len(gate.evidence.milestones)) == (3, 1)
    for contact in contacts(customer)[3:]:
        on_map(cast, deal, contact, "influencer", "supporter")
    for n in range(2, 13):
        services.milestone_add(
            actor=cast.kam, contract=contract, data=MilestoneInput(f"第{n}期", due, Decimal(10))
        )
    many, gate = queries_of_gate_input(fresh(deal))
    assert (len(gate.evidence.contacts), len(gate.evidence.milestones)) == (12, 12)
    assert many == few
