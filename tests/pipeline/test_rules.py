"""The pure gate engine and the risk / forecast arithmetic (no database): step and stage moves,
mandatory and optional criteria on steps and on the stage, required forms, element minimums,
the pending risk decision, overrides, moves back, winning and closed deals; criteria answered by
evidence; what a deal's fields and a contract's payment milestones must satisfy."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from keyaccount.pipeline.rules import (
    KNOWLEDGE_RANK,
    CriterionState,
    ElementState,
    EvidenceData,
    FormState,
    GateInput,
    Knowledge,
    Move,
    MoveRequest,
    RiskLevel,
    RiskThresholds,
    Status,
    deal_problems,
    decide_move,
    decide_win,
    evidence_met,
    fact_met,
    milestone_amount,
    milestone_problems,
    milestone_state_problems,
    milestone_total_problems,
    missing_to_leave,
    risk_level,
    risk_total,
    unmet,
    validate_thresholds,
    weighted_amount,
)

pytestmark = pytest.mark.usefixtures("english")

ORDERS = (1, 2, 3, 4, 5, 6)
STEPS = (11, 12, 13)  # the steps of the stage under test, in order


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def crit(cid: int, *, step: int | None, mandatory: bool = True, checked: bool = False, evidence=()):
    return CriterionState(cid, f"criterion {cid}", mandatory, step, checked, tuple(evidence))


def form(code: str, *, step: int | None, present: bool = False):
    return FormState(code, f"form {code}", step, present)


def element(name: str, required: str, actual: str = Knowledge.UNKNOWN):
    return ElementState(name, name.title(), required, actual)


def gate(
    *,
    order: int = 2,
    step: int | None = 11,
    steps: tuple[int, ...] = STEPS,
    criteria=(),
    forms=(),
    elements=(),
    risk_pending: bool = False,
    status: str = Status.OPEN,
    evidence: EvidenceData | None = None,
    in_last_stage: bool | None = None,
) -> GateInput:
    return GateInput(
        stage_id=100 + order,
        stage_order=order,
        step_id=step,
        step_ids=steps,
        criteria=tuple(criteria),
        forms=tuple(forms),
        elements=tuple(elements),
        risk_pending=risk_pending,
        status=status,
        evidence=evidence or EvidenceData(),
        in_last_stage=order == ORDERS[-1] if in_last_stage is None else in_last_stage,
    )


def forward(**kw) -> MoveRequest:
    return MoveRequest(forward=True, **kw)


def move(g: GateInput, request: MoveRequest | None = None, *, can_override: bool = False):
    return decide_move(g, request or forward(), stage_orders=ORDERS, can_override=can_override)


def win(g: GateInput, *, override=False, can_override=False, reason=""):
    return decide_win(
        g, stage_orders=ORDERS, override=override, can_override=can_override, reason=reason
    )


def refs(result) -> set[tuple[str, str]]:
    return {(m.kind, m.ref) for m in result.missing}


# --- step moves and stage moves -------------------------------------------------------------


def test_forward_from_a_middle_step_is_a_step_move_within_the_stage():
    outcome = move(gate(step=11))
    assert outcome.allowed
    assert outcome.kind == Move.STEP
    assert outcome.to_stage_order == 2
    assert outcome.overridden == ()


def test_forward_from_the_last_step_advances_to_the_next_stage():
    outcome = move(gate(step=13))
    assert (outcome.allowed, outcome.kind, outcome.to_stage_order) == (True, Move.ADVANCE, 3)


def test_a_stage_without_steps_advances_as_a_whole():
    outcome = move(gate(step=None, steps=()))
    assert (outcome.allowed, outcome.kind, outcome.to_stage_order) == (True, Move.ADVANCE, 3)


def test_a_step_unknown_to_the_stage_counts_as_its_last_step():
    # a step removed from the playbook: the deal may only leave through the stage gate
    g = gate(step=99, criteria=[crit(1, step=11)])
    outcome = move(g)
    assert not outcome.allowed
    assert outcome.problems == ("criterion 1",)


def test_stage_orders_need_not_be_contiguous():
    g = gate(order=20, step=13)
    outcome = decide_move(g, forward(), stage_orders=(10, 20, 35, 50), can_override=False)
    assert (outcome.allowed, outcome.kind, outcome.to_stage_order) == (True, Move.ADVANCE, 35)


# --- what a step move and what a stage move need --------------------------------------------


def test_leaving_a_step_needs_its_mandatory_criteria_only():
    g = gate(
        step=11,
        criteria=[
            crit(1, step=11),
            crit(2, step=11, mandatory=False),
            crit(3, step=12),
            crit(4, step=None),
        ],
    )
    result = missing_to_leave(g, whole_stage=False)
    assert refs(result) == {("criterion", "1")}
    outcome = move(g)
    assert not outcome.allowed
    assert outcome.problems == ("criterion 1",)


def test_leaving_a_step_also_needs_the_earlier_steps_reopened_by_a_move_back():
    g = gate(step=12, criteria=[crit(1, step=11), crit(2, step=12, checked=True), crit(3, step=13)])
    assert refs(missing_to_leave(g, whole_stage=False)) == {("criterion", "1")}


def test_checked_and_optional_criteria_never_block():
    g = gate(
        step=13,
        criteria=[
            crit(1, step=11, checked=True),
            crit(2, step=12, mandatory=False),
            crit(3, step=None, mandatory=False),
            crit(4, step=None, checked=True),
        ],
    )
    assert missing_to_leave(g, whole_stage=True).open
    assert move(g).allowed


def test_leaving_the_stage_needs_every_step_and_the_stage_level_criteria():
    g = gate(
        step=13,
        criteria=[crit(1, step=11), crit(2, step=12), crit(3, step=13), crit(4, step=None)],
    )
    outcome = move(g)
    assert not outcome.allowed
    assert outcome.problems == ("criterion 1", "criterion 2", "criterion 3", "criterion 4")


def test_step_level_forms_block_their_step_and_stage_level_forms_only_the_stage():
    g = gate(
        step=11,
        forms=[form("risk", step=11), form("profile", step=None), form("follow", step=12)],
    )
    assert refs(missing_to_leave(g, whole_stage=False)) == {("form", "risk")}
    outcome = move(g)
    assert outcome.problems == ("Form missing: form risk",)
    at_end = gate(step=13, forms=g.forms)
    assert refs(missing_to_leave(at_end, whole_stage=True)) == {
        ("form", "risk"),
        ("form", "profile"),
        ("form", "follow"),
    }


def test_present_forms_do_not_block():
    g = gate(
        step=13, forms=[form("risk", step=11, present=True), form("p", step=None, present=True)]
    )
    assert move(g).allowed


def test_element_minimums_apply_to_the_stage_gate_not_to_step_moves():
    g = gate(step=11, elements=[element("budget", Knowledge.CONFIRMED)])
    assert move(g).allowed  # a step move
    at_end = gate(step=13, elements=g.elements)
    outcome = move(at_end)
    assert not outcome.allowed
    assert outcome.problems == ("Budget must be at least “Confirmed”",)


@pytest.mark.parametrize(
    ("required", "actual", "passes"),
    [
        (Knowledge.UNKNOWN, Knowledge.UNKNOWN, True),
        (Knowledge.PARTLY, Knowledge.UNKNOWN, False),
        (Knowledge.PARTLY, Knowledge.PARTLY, True),
        (Knowledge.PARTLY, Knowledge.CONFIRMED, True),
        (Knowledge.CONFIRMED, Knowledge.UNKNOWN, False),
        (Knowledge.CONFIRMED, Knowledge.PARTLY, False),
        (Knowledge.CONFIRMED, Knowledge.CONFIRMED, True),
    ],
)
def test_element_ranks_are_unknown_then_partly_then_confirmed(required, actual, passes):
    g = gate(step=13, elements=[element("need", required, actual)])
    assert missing_to_leave(g, whole_stage=True).open is passes
    assert KNOWLEDGE_RANK[Knowledge.UNKNOWN] < KNOWLEDGE_RANK[Knowledge.PARTLY]
    assert KNOWLEDGE_RANK[Knowledge.PARTLY] < KNOWLEDGE_RANK[Knowledge.CONFIRMED]


def test_a_pending_risk_decision_blocks_steps_and_stages_but_not_a_move_back():
    for step in (11, 13):
        outcome = move(gate(step=step, risk_pending=True))
        assert not outcome.allowed
        assert "sales director" in outcome.problems[0]
    back = move(
        gate(risk_pending=True), MoveRequest(forward=False, to_stage_order=1, reason="重来")
    )
    assert back.allowed


def test_the_refusal_lists_everything_missing_in_a_stable_order():
    g = gate(
        step=13,
        criteria=[crit(1, step=None), crit(2, step=12)],
        forms=[form("profile", step=None)],
        elements=[element("need", Knowledge.PARTLY)],
        risk_pending=True,
    )
    result = missing_to_leave(g, whole_stage=True)
    assert [m.kind for m in result.missing] == ["criterion", "criterion", "form", "element", "risk"]
    assert [m.ref for m in result.missing][:4] == ["1", "2", "profile", "need"]
    assert move(g).problems == tuple(m.text for m in result.missing)


# --- overrides ------------------------------------------------------------------------------

BLOCKED = {"step": 13, "criteria": [crit(1, step=None)], "risk_pending": True}


def test_override_by_someone_allowed_with_a_reason_opens_the_gate_and_keeps_what_was_missing():
    g = gate(**BLOCKED)
    outcome = move(g, forward(override=True, reason="客户高层承诺"), can_override=True)
    assert (outcome.allowed, outcome.kind, outcome.to_stage_order) == (True, Move.ADVANCE, 3)
    assert {(m.kind, m.ref) for m in outcome.overridden} == {("criterion", "1"), ("risk", "")}


def test_override_without_the_right_is_refused():
    outcome = move(gate(**BLOCKED), forward(override=True, reason="理由"), can_override=False)
    assert not outcome.allowed
    assert outcome.problems == ("Only a sales director may override a gate.",)


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_override_without_a_reason_is_refused(reason):
    outcome = move(gate(**BLOCKED), forward(override=True, reason=reason), can_override=True)
    assert not outcome.allowed
    assert outcome.problems == ("An override needs a written reason.",)


def test_the_right_to_override_alone_does_not_open_a_gate():
    outcome = move(gate(**BLOCKED), forward(), can_override=True)
    assert not outcome.allowed
    assert len(outcome.problems) == 2


def test_an_override_on_an_open_gate_is_a_plain_move():
    outcome = move(gate(step=13), forward(override=True, reason="x"), can_override=False)
    assert outcome.allowed
    assert outcome.overridden == ()


def test_override_opens_a_step_gate_too():
    g = gate(step=11, criteria=[crit(1, step=11)])
    outcome = move(g, forward(override=True, reason="先推进"), can_override=True)
    assert (outcome.allowed, outcome.kind) == (True, Move.STEP)
    assert [m.ref for m in outcome.overridden] == ["1"]


# --- moving back ----------------------------------------------------------------------------


def test_moving_back_to_an_earlier_stage_with_a_reason():
    g = gate(order=4, step=12, criteria=[crit(1, step=11)])
    outcome = move(g, MoveRequest(forward=False, to_stage_order=2, reason="客户重新立项"))
    assert (outcome.allowed, outcome.kind, outcome.to_stage_order) == (True, Move.BACK, 2)


@pytest.mark.parametrize("reason", ["", "  "])
def test_moving_back_needs_a_reason(reason):
    outcome = move(gate(order=4), MoveRequest(forward=False, to_stage_order=2, reason=reason))
    assert not outcome.allowed
    assert outcome.problems == ("Moving back needs a reason.",)


@pytest.mark.parametrize("target", [None, 4, 5, 6, 7, 0])
def test_moving_back_needs_an_earlier_existing_stage(target):
    outcome = move(gate(order=4), MoveRequest(forward=False, to_stage_order=target, reason="r"))
    assert not outcome.allowed
    assert outcome.problems == ("Choose an earlier stage to move back to.",)


# --- the last stage and winning -------------------------------------------------------------


def test_nothing_enters_the_last_stage_by_a_plain_move_even_with_an_override():
    g = gate(order=5, step=13)
    for request, can in ((forward(), False), (forward(override=True, reason="签了"), True)):
        outcome = move(g, request, can_override=can)
        assert not outcome.allowed
        assert "record the deal as won" in outcome.problems[0]


def test_an_open_deal_in_the_last_stage_cannot_go_further():
    outcome = move(gate(order=6, step=13))
    assert not outcome.allowed
    assert outcome.problems == ("This is the last stage.",)


def test_winning_from_the_negotiation_stage_enters_the_last_stage():
    outcome = win(gate(order=5, step=11))
    assert (outcome.allowed, outcome.kind, outcome.to_stage_order) == (True, Move.WON, 6)


def test_winning_needs_the_whole_negotiation_stage_done():
    g = gate(order=5, step=11, criteria=[crit(1, step=13)], elements=[element("need", "partly")])
    outcome = win(g)
    assert not outcome.allowed
    assert outcome.problems == ("criterion 1", "Need must be at least “Partly known”")
    refused = win(g, override=True, can_override=False, reason="r")
    assert refused.problems == ("Only a sales director may override a gate.",)
    assert not win(g, override=True, can_override=True, reason=" ").allowed
    forced = win(g, override=True, can_override=True, reason="合同已签")
    assert forced.allowed
    assert [m.kind for m in forced.overridden] == ["criterion", "element"]


@pytest.mark.parametrize("order", [1, 2, 3, 4, 6])
def test_a_deal_is_won_only_from_the_stage_before_the_last(order):
    outcome = win(gate(order=order))
    assert not outcome.allowed
    assert "negotiation stage" in outcome.problems[0]


def test_a_playbook_of_one_stage_has_nothing_to_win_from():
    outcome = decide_win(
        gate(order=1), stage_orders=(1,), override=False, can_override=True, reason=""
    )
    assert not outcome.allowed


def test_a_won_deal_moves_step_by_step_inside_implementation():
    g = gate(order=6, step=11, status=Status.WON, criteria=[crit(1, step=11)])
    refused = move(g)
    assert not refused.allowed
    assert refused.problems == ("criterion 1",)
    done = gate(order=6, step=11, status=Status.WON, criteria=[crit(1, step=11, checked=True)])
    outcome = move(done)
    assert (outcome.allowed, outcome.kind, outcome.to_stage_order) == (True, Move.STEP, 6)
    forced = move(g, forward(override=True, reason="已验收"), can_override=True)
    assert forced.allowed
    assert [m.ref for m in forced.overridden] == ["1"]


def test_a_won_deal_at_the_last_step_of_implementation_goes_nowhere():
    for step, steps in ((13, STEPS), (None, ())):
        outcome = move(gate(order=6, step=step, steps=steps, status=Status.WON), can_override=True)
        assert not outcome.allowed
        assert outcome.problems == ("This is the last step of the process.",)


def test_a_won_deal_cannot_move_back_nor_win_again():
    g = gate(order=6, step=12, status=Status.WON)
    assert not move(g, MoveRequest(forward=False, to_stage_order=2, reason="r")).allowed
    assert not win(g, override=True, can_override=True, reason="r").allowed


@pytest.mark.parametrize("status", [Status.LOST, Status.ABANDONED])
def test_closed_deals_cannot_move(status):
    for order, step in ((2, 11), (2, 13), (5, 13)):
        g = gate(order=order, step=step, status=status)
        requests = [
            forward(),
            forward(override=True, reason="r"),
            MoveRequest(forward=False, to_stage_order=1, reason="r"),
        ]
        for request in requests:
            outcome = move(g, request, can_override=True)
            assert not outcome.allowed
            assert outcome.problems == ("The opportunity is closed; reopen it first.",)
        assert not win(g, override=True, can_override=True, reason="r").allowed
        result = missing_to_leave(g, whole_stage=True)
        assert [m.kind for m in result.missing] == ["status"]


# --- evidence criteria ----------------------------------------------------------------------

GRADED = {"fact": "customer_graded"}
SIGNED = {"fact": "contract_signed"}
DECISION_MAKER = {"fact": "buying_roles", "all": [{"role": "decision_maker"}]}


def test_an_evidence_criterion_is_met_by_the_record_whatever_was_ticked():
    criteria = [crit(1, step=11, evidence=[GRADED], checked=True), crit(2, step=11)]
    assert refs(missing_to_leave(gate(criteria=criteria), whole_stage=False)) == {
        ("criterion", "1"),
        ("criterion", "2"),
    }
    graded = EvidenceData(customer_graded=True)
    ticked_not = [crit(1, step=11, evidence=[GRADED]), crit(2, step=11, checked=True)]
    assert missing_to_leave(gate(criteria=ticked_not, evidence=graded), whole_stage=False).open


def test_every_fact_of_a_criterion_must_hold_and_the_checklist_names_those_that_do_not():
    facts = [GRADED, DECISION_MAKER, {"fact": "strategic_fit"}]
    data = EvidenceData(customer_graded=True, contacts=[("decision_maker", "neutral")])
    assert [fact_met(f, data) for f in facts] == [True, True, False]
    assert not evidence_met(facts, data)
    assert unmet(facts, data) == [{"fact": "strategic_fit"}]
    assert evidence_met(facts[:2], data)
    assert not evidence_met([], data)  # no facts: a manual criterion, never met by evidence


def test_a_fact_the_vocabulary_does_not_know_never_holds():
    assert not fact_met({"fact": "moon_phase"}, EvidenceData(customer_graded=True))


def test_an_optional_evidence_criterion_never_blocks():
    g = gate(step=13, criteria=[crit(1, step=None, mandatory=False, evidence=[GRADED])])
    assert move(g).allowed


def test_the_win_counts_the_contract_it_records():
    g = gate(order=5, step=13, criteria=[crit(1, step=13, evidence=[SIGNED])])
    assert refs(missing_to_leave(g, whole_stage=True)) == {("criterion", "1")}
    outcome = win(g)
    assert (outcome.allowed, outcome.overridden) == (True, ())
    # only the contract: another fact of the same criterion still has to hold
    both = gate(order=5, step=13, criteria=[crit(1, step=13, evidence=[SIGNED, GRADED])])
    assert win(both).problems == ("criterion 1",)
    forced = win(both, override=True, can_override=True, reason="客户已定级，系统未录入")
    assert [m.ref for m in forced.overridden] == ["1"]


def test_a_plain_move_does_not_count_the_contract():
    g = gate(order=5, step=12, criteria=[crit(1, step=12, evidence=[SIGNED])])
    assert move(g).problems == ("criterion 1",)


def test_a_won_deal_in_the_last_stage_is_worked_on_and_elsewhere_closed():
    won = gate(order=6, step=11, status=Status.WON, criteria=[crit(1, step=11, evidence=[GRADED])])
    assert refs(missing_to_leave(won, whole_stage=False)) == {("criterion", "1")}
    elsewhere = gate(order=6, step=11, status=Status.WON, in_last_stage=False)
    assert [m.kind for m in missing_to_leave(elsewhere, whole_stage=False).missing] == ["status"]


# --- risk -----------------------------------------------------------------------------------

THRESHOLDS = RiskThresholds(medium_from=Decimal(35), high_from=Decimal(60))


def test_risk_total_is_the_weighted_share_of_the_worst_score():
    weights = {"a": Decimal(10), "b": Decimal(30)}
    assert risk_total({"a": 0, "b": 0}, weights) == Decimal("0.0")
    assert risk_total({"a": 5, "b": 5}, weights) == Decimal("100.0")
    # (10·5 + 30·1) / (40·5) = 80 / 200
    assert risk_total({"a": 5, "b": 1}, weights) == Decimal("40.0")
    # (10·1 + 30·0) / 200 = 5 %
    assert risk_total({"a": 1, "b": 0}, weights) == Decimal("5.0")


def test_risk_total_rounds_half_up_to_one_decimal():
    # 1 / 3 of the weight at score 1 → 100 · 1 / 15 = 6.666… → 6.7
    weights = {"a": Decimal(1), "b": Decimal(2)}
    assert risk_total({"a": 1, "b": 0}, weights) == Decimal("6.7")
    # 100 · 1 / 80 = 1.25 → 1.3 (half up, not half even)
    assert risk_total({"a": 1, "b": 0}, {"a": Decimal(1), "b": Decimal(15)}) == Decimal("1.3")


def test_zero_weights_and_unscored_factors_do_not_count():
    weights = {"a": Decimal(10), "b": Decimal(0), "c": Decimal(10)}
    assert risk_total({"a": 5, "b": 5}, weights) == Decimal("100.0")  # c unscored, b weightless
    assert risk_total({"b": 5}, weights) == Decimal(0)
    assert risk_total({}, weights) == Decimal(0)
    assert risk_total({"a": 3}, {"a": Decimal(0)}) == Decimal(0)


@pytest.mark.parametrize(
    ("total", "level"),
    [
        ("0", RiskLevel.LOW),
        ("34.9", RiskLevel.LOW),
        ("35", RiskLevel.MEDIUM),
        ("35.0", RiskLevel.MEDIUM),
        ("59.9", RiskLevel.MEDIUM),
        ("60", RiskLevel.HIGH),
        ("100", RiskLevel.HIGH),
    ],
)
def test_risk_level_boundaries_belong_to_the_higher_level(total, level):
    assert risk_level(Decimal(total), THRESHOLDS) == level


@pytest.mark.parametrize(
    ("medium", "high", "ok"),
    [
        ("35", "60", True),
        ("0.1", "100", True),
        ("0", "60", False),
        ("-5", "60", False),
        ("60", "60", False),
        ("70", "60", False),
        ("35", "100.1", False),
    ],
)
def test_validate_thresholds(medium, high, ok):
    problems = validate_thresholds(Decimal(medium), Decimal(high))
    assert (problems == []) is ok
    if not ok:
        assert medium in problems[0]
        assert high in problems[0]


# --- forecast -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "probability", "expected"),
    [
        (None, 50, "0.00"),
        ("1000000.00", 0, "0.00"),
        ("1000000.00", 100, "1000000.00"),
        ("3500000.00", 25, "875000.00"),
        ("0.05", 50, "0.03"),  # 0.025 → half up
        ("0.15", 50, "0.08"),  # 0.075 → half up (half even would give 0.08 too)
        ("0.25", 10, "0.03"),  # 0.025 → half up (half even would give 0.02)
        ("333.33", 33, "110.00"),  # 109.9989 → 110.00
    ],
)
def test_weighted_amount_rounds_half_up_to_cents(amount, probability, expected):
    value = weighted_amount(None if amount is None else Decimal(amount), probability)
    assert value == Decimal(expected)
    assert value.as_tuple().exponent == -2


def test_milestone_amount_by_amount_or_percentage():
    contract = Decimal("1000000.00")
    assert milestone_amount(amount=Decimal("300000.00"), percentage=None, contract_amount=contract)
    assert milestone_amount(
        amount=Decimal("300000"), percentage=Decimal(10), contract_amount=contract
    ) == Decimal("300000.00")  # an explicit amount wins
    assert milestone_amount(
        amount=None, percentage=Decimal("30"), contract_amount=contract
    ) == Decimal("300000.00")
    # 33.33 % of 100.05 = 33.346665 → 33.35; 12.5 % of 0.20 = 0.025 → 0.03 (half up)
    assert milestone_amount(
        amount=None, percentage=Decimal("33.33"), contract_amount=Decimal("100.05")
    ) == Decimal("33.35")
    assert milestone_amount(
        amount=None, percentage=Decimal("12.5"), contract_amount=Decimal("0.20")
    ) == Decimal("0.03")


def test_an_explicit_milestone_amount_is_kept_to_cents_half_up():
    value = milestone_amount(amount=Decimal("100.005"), percentage=None, contract_amount=Decimal(1))
    assert value == Decimal("100.01")
    assert value.as_tuple().exponent == -2


def test_a_milestone_needs_an_amount_or_a_percentage():
    with pytest.raises(ValueError, match="amount or a percentage"):
        milestone_amount(amount=None, percentage=None, contract_amount=Decimal(100))


# --- a deal's fields ------------------------------------------------------------------------

SIGNING = date(2030, 6, 30)


def deal(**kw):
    fields = {
        "name": "调度自动化系统升级",
        "amount": Decimal("3500000.00"),
        "expected_signing": SIGNING,
        "probability_override": None,
        "probability_reason": "",
    }
    return deal_problems(**{**fields, **kw})


def test_a_complete_deal_has_no_problems():
    assert deal() == {}
    assert deal(amount=Decimal(0), probability_override=0, probability_reason="客户预算冻结") == {}
    assert deal(probability_override=100, probability_reason="已中标") == {}


def test_a_deal_needs_a_name_an_amount_and_a_signing_date():
    assert deal(name=" \t", amount=None, expected_signing=None) == {
        "name": ["The opportunity needs a name."],
        "amount": ["Give the expected amount."],
        "expected_signing": ["Give the expected signing date."],
    }
    assert deal(name=None) == {"name": ["The opportunity needs a name."]}
    assert deal(amount=Decimal("-0.01")) == {"amount": ["The amount cannot be negative."]}


@pytest.mark.parametrize("probability", [-1, 101])
def test_a_probability_of_its_own_is_between_0_and_100(probability):
    problems = deal(probability_override=probability, probability_reason="理由")
    assert problems == {"probability_override": ["A probability is between 0 and 100."]}


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_a_probability_of_its_own_says_why(reason):
    assert deal(probability_override=40, probability_reason=reason) == {
        "probability_reason": ["Say why the probability differs from the stage's."]
    }
    assert deal(probability_override=None, probability_reason=reason) == {}


# --- payment milestones ---------------------------------------------------------------------

CONTRACT = Decimal("1000.00")


def milestone(n=1, *, name="预付款", amount=None, percentage=None, contract=CONTRACT):
    return milestone_problems(
        n, name=name, amount=amount, percentage=percentage, contract_amount=contract
    )


def test_a_milestone_with_a_name_and_an_amount_or_a_percentage_is_fine():
    assert milestone(amount=Decimal("400")) == []
    assert milestone(percentage=Decimal("0.01")) == []
    assert milestone(percentage=Decimal(100)) == []


def test_a_milestone_has_an_amount_or_a_percentage_not_both():
    assert milestone(2, amount=Decimal(100), percentage=Decimal(10)) == [
        "Give an amount or a percentage, not both."
    ]
    assert milestone(2) == ["Milestone 2 needs an amount or a percentage."]


def test_a_milestone_names_what_is_wrong_with_it():
    assert milestone(3, name=" ", percentage=Decimal(101)) == [
        "Milestone 3 needs a name.",
        "Milestone 3: a percentage is above 0 and at most 100.",
    ]
    assert milestone(4, percentage=Decimal(0)) == [
        "Milestone 4: a percentage is above 0 and at most 100."
    ]
    assert milestone(5, amount=Decimal(0)) == ["Milestone 5: the amount must be above zero."]
    assert milestone(6, amount=Decimal("-1")) == ["Milestone 6: the amount must be above zero."]
    # 0.1 % of 1.00 is 0.001, nothing once rounded to cents
    assert milestone(7, percentage=Decimal("0.1"), contract=Decimal("1.00")) == [
        "Milestone 7: the amount must be above zero."
    ]


money = st.decimals(min_value=-10, max_value=10**7, places=2, allow_nan=False)
percent = st.decimals(min_value=-10, max_value=200, places=2, allow_nan=False)


@given(
    amount=st.none() | money,
    percentage=st.none() | percent,
    contract=st.decimals(min_value=1, max_value=10**8, places=2, allow_nan=False),
)
def test_a_milestone_is_fine_exactly_when_one_worth_more_than_zero_is_given(
    amount, percentage, contract
):
    with translation.override("en"):
        problems = milestone(amount=amount, percentage=percentage, contract=contract)
    if (amount is None) == (percentage is None):
        assert len(problems) == 1
        return
    fine = percentage is None or Decimal(0) < percentage <= Decimal(100)
    fine = fine and milestone_amount(
        amount=amount, percentage=percentage, contract_amount=contract
    ) > Decimal(0)
    assert (problems == []) is fine


def test_the_milestones_add_up_to_at_most_the_contract():
    assert milestone_total_problems([Decimal(600), Decimal(400)], contract_amount=CONTRACT) == []
    assert milestone_total_problems([], contract_amount=CONTRACT, already=CONTRACT) == []
    assert milestone_total_problems(
        [Decimal("600.01")], contract_amount=CONTRACT, already=Decimal(400)
    ) == ["The milestones add up to 1000.01, more than the contract's 1000.00."]


TODAY = date(2026, 3, 2)


def state(**kw):
    fields = {
        "amount": Decimal("400.00"),
        "accepted_on": None,
        "invoiced_on": None,
        "invoiced_amount": None,
        "collected_on": None,
        "collected_amount": None,
        "today": TODAY,
    }
    return milestone_state_problems(**{**fields, **kw})


def test_a_milestone_accepted_invoiced_and_collected_in_full_is_fine():
    assert state() == {}
    assert (
        state(
            accepted_on=TODAY,
            invoiced_on=TODAY,
            invoiced_amount=Decimal(400),
            collected_on=TODAY,
            collected_amount=Decimal(400),
        )
        == {}
    )


def test_nothing_happens_to_a_milestone_in_the_future():
    tomorrow = date(2026, 3, 3)
    problems = state(
        accepted_on=tomorrow,
        invoiced_on=tomorrow,
        collected_on=tomorrow,
        collected_amount=Decimal(1),
    )
    future = ["This date cannot be in the future."]
    assert problems == {"accepted_on": future, "invoiced_on": future, "collected_on": future}


def test_money_collected_has_its_date_and_stays_within_the_milestone():
    assert state(collected_amount=Decimal(0), collected_on=TODAY) == {
        "collected_amount": ["A collected amount is above zero."]
    }
    assert state(collected_amount=Decimal("400.01")) == {
        "collected_amount": ["More than the milestone's 400.00 cannot be collected on it."],
        "collected_on": ["Give the date the money came in."],
    }
    assert state(collected_on=TODAY) == {"collected_amount": ["Give the amount collected."]}


def test_an_invoice_has_its_date_and_stays_within_the_milestone():
    assert state(invoiced_amount=Decimal("400.01")) == {
        "invoiced_on": ["Give the date of the invoice."],
        "invoiced_amount": ["More than the milestone's 400.00 cannot be invoiced on it."],
    }
