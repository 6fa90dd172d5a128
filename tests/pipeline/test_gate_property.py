"""Property-based test of the stage gate (issue 4, "rules that must hold"), without a database.

Hypothesis draws a random playbook (2–7 stages, 0–4 steps each, mandatory and optional criteria
on steps or on the stage, manual or answered by evidence (issue 8: facts from a small pool of
the vocabulary), required forms on steps or on the stage, element minimums) and a random
sequence of actions on one opportunity: checking and unchecking criteria, forms coming and
going, element statuses, what the record says for the evidence (risk, grade, power map,
contract, milestones, …), a pending risk decision, forward moves with or without an override
(by someone who may or may not override, with or without a reason), moves back, winning, losing
and reopening. Only the moves ``decide_move`` / ``decide_win`` allow are applied.

An independent model of the playbook's rules (and of each fact) says what was missing at each
gate: a manual criterion when it is not checked, an evidence criterion when one of its facts
does not hold, whatever its tick says; winning counts the contract as recorded. Invariants:

- a gate is passed only when nothing was missing, or by an override with a written reason from
  someone allowed to override, and then ``overridden`` lists exactly what was missing;
- the opportunity's path from the first step to where it sits is contiguous (no stage or step
  is skipped going forward) and every gate on it was passed that way;
- the engine's answer is exactly the model's (nothing needlessly refused either);
- lost and abandoned deals never move; a won deal only moves step by step in the last stage.

Further properties on single gates: ``evidence_met`` is "every fact holds" by the model; an
evidence criterion is missing iff it is mandatory, in the leaving scope and not met, a manual
one iff it is not checked; the win never lists a criterion only the contract answers; a won
deal in the last stage gets the answer the same deal would get open.
"""

from dataclasses import dataclass, field, replace

from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from keyaccount.pipeline.rules import (
    KNOWLEDGE_RANK,
    Attitude,
    BuyingRole,
    CriterionState,
    Element,
    ElementState,
    EvidenceData,
    FormState,
    GateInput,
    Knowledge,
    Move,
    MoveOutcome,
    MoveRequest,
    Status,
    decide_move,
    decide_win,
    evidence_met,
    fact_met,
    missing_to_leave,
    unmet,
)

FORM_POOL = ("customer_profile", "ka_follow_up", "risk_assessment", "comprehensive_evaluation")
ELEMENTS = tuple(Element.values)
LEVELS = tuple(Knowledge.values)
REASONS = ("", "   ", "客户高层已口头承诺，先推进")
DEFECTS = (
    "criterion",
    "form",
    "element_partly",
    "element_partly",
    "element_unknown",
    "risk",
    "evidence",
    "evidence",
)

#: The facts evidence criteria are drawn from: every kind of the vocabulary, with the shapes
#: of parameters the default playbook uses (and a few it does not).
FACT_POOL: tuple[dict, ...] = (
    {"fact": "form", "form": "ka_follow_up"},
    {"fact": "form", "form": "comprehensive_evaluation"},
    {"fact": "risk_cleared"},
    {"fact": "elements", "elements": ["need"], "minimum": "partly"},
    {"fact": "elements", "elements": ["budget", "decision"], "minimum": "confirmed"},
    {"fact": "elements", "elements": "all", "minimum": "partly"},
    {"fact": "buying_roles", "all": [{"role": "decision_maker"}, {"role": "user"}]},
    {"fact": "buying_roles", "any": [{"role": "coach"}, {"attitude": "supporter"}], "min": 2},
    {"fact": "buying_roles", "any": [{"role": "technical_evaluator", "attitude": "supporter"}]},
    {"fact": "customer_graded"},
    {"fact": "strategic_fit"},
    {"fact": "contract_signed"},
    {"fact": "milestones", "state": "accepted", "which": "any"},
    {"fact": "milestones", "state": "collected", "which": "all"},
    {"fact": "new_opportunity"},
)
CONTRACT = FACT_POOL.index({"fact": "contract_signed"})
FLAGS = ("risk_cleared", "customer_graded", "strategic_fit", "contract_signed", "new_opportunity")

#: What satisfies every fact of the pool, forms and elements aside (those are the deal's).
FULL = EvidenceData(
    risk_cleared=True,
    contacts=(
        ("decision_maker", "supporter"),
        ("user", "neutral"),
        ("coach", "supporter"),
        ("technical_evaluator", "supporter"),
    ),
    customer_graded=True,
    strategic_fit=True,
    contract_signed=True,
    milestones=((True, True),),
    new_opportunity=True,
)
#: One way each to make part of FULL untrue (for "everything but one thing").
BREAKERS = (
    *({flag: False} for flag in FLAGS),
    {"contacts": ()},
    {"contacts": (("decision_maker", "opponent"), ("technical_evaluator", "neutral"))},
    {"milestones": ()},
    {"milestones": ((True, False), (False, True))},
)


def model_fact(fact: dict, data: EvidenceData) -> bool:
    """One fact, by the model: written from the vocabulary's documentation, not the engine."""
    kind = fact["fact"]
    if kind == "form":
        return fact["form"] in data.forms
    if kind in FLAGS:
        return getattr(data, kind)
    if kind == "elements":
        names = ELEMENTS if fact["elements"] == "all" else fact["elements"]
        floor = LEVELS.index(fact["minimum"])
        return all(LEVELS.index(data.elements.get(e, "unknown")) >= floor for e in names)
    if kind == "buying_roles":

        def fits(contact: tuple[str, str], matcher: dict) -> bool:
            role, attitude = contact
            return matcher.get("role") in (None, role) and matcher.get("attitude") in (
                None,
                attitude,
            )

        if "all" in fact:
            return all(any(fits(c, m) for c in data.contacts) for m in fact["all"])
        matching = [c for c in data.contacts if any(fits(c, m) for m in fact["any"])]
        return len(matching) >= fact.get("min", 1)
    assert kind == "milestones"
    done = [accepted if fact["state"] == "accepted" else paid for accepted, paid in data.milestones]
    if fact["which"] == "all":
        return len(done) > 0 and all(done)
    return True in done


def model_met(facts: tuple[int, ...], checked: bool, data: EvidenceData) -> bool:
    """A criterion by the model: its facts all hold, or (a manual one) it is checked."""
    if facts:
        return all(model_fact(FACT_POOL[i], data) for i in facts)
    return checked


@dataclass(frozen=True)
class Crit:
    id: int
    step: int | None
    mandatory: bool
    facts: tuple[int, ...] = ()  # indexes into FACT_POOL; empty: a manual criterion

    @property
    def evidence(self) -> tuple[dict, ...]:
        return tuple(FACT_POOL[i] for i in self.facts)


@dataclass(frozen=True)
class PStage:
    id: int
    order: int
    steps: tuple[int, ...]
    criteria: tuple[Crit, ...]
    forms: tuple[tuple[str, int | None], ...]  # (form code, step or None)
    elements: tuple[tuple[str, str], ...]  # (element, minimum)


# Strategies built once (building them inside ``playbooks`` costs more than running the test).
_STEP_COUNTS = st.integers(min_value=0, max_value=4)
_FACTS = st.lists(st.integers(0, len(FACT_POOL) - 1), min_size=1, max_size=3, unique=True)
_EVIDENCE = st.one_of(st.just(()), _FACTS.map(tuple))  # about half the criteria are manual
_CRITERIA = st.lists(st.tuples(st.integers(0, 4), st.booleans(), _EVIDENCE), max_size=5)
_CONTACTS = st.lists(
    st.tuples(st.sampled_from(BuyingRole.values), st.sampled_from(Attitude.values)), max_size=4
).map(tuple)
_KNOWN = st.fixed_dictionaries({e: st.sampled_from(LEVELS) for e in ELEMENTS})
_MILESTONES = st.lists(st.tuples(st.booleans(), st.booleans()), max_size=3).map(tuple)
_FORMS = st.lists(st.tuples(st.sampled_from(FORM_POOL), st.integers(0, 4)), max_size=3)
_ELEMENTS = st.dictionaries(st.sampled_from(ELEMENTS), st.sampled_from(LEVELS), max_size=4)


@st.composite
def playbooks(draw) -> tuple[PStage, ...]:
    n = draw(st.integers(min_value=2, max_value=7))
    orders = sorted(draw(st.lists(st.integers(1, 60), min_size=n, max_size=n, unique=True)))
    stages = []
    for i, order in enumerate(orders):
        steps = tuple(1000 + 10 * i + j for j in range(draw(_STEP_COUNTS)))
        owners = (None, *steps)  # a criterion or form belongs to a step or to the stage

        def owner(k: int, owners=owners) -> int | None:
            return owners[k % len(owners)]

        criteria = tuple(
            Crit(100 * (i + 1) + j, owner(k), mandatory, facts)
            for j, (k, mandatory, facts) in enumerate(draw(_CRITERIA))
        )
        forms = tuple({code: owner(k) for code, k in draw(_FORMS)}.items())
        elements = tuple(draw(_ELEMENTS).items())
        stages.append(PStage(i + 1, order, steps, criteria, forms, elements))
    return tuple(stages)


@st.composite
def records(draw, *, forms: bool = True, elements: bool = True) -> EvidenceData:
    """What the record could say about a deal (forms and elements optional: in ``run`` they
    are the deal's own)."""
    return EvidenceData(
        forms=frozenset(draw(st.sets(st.sampled_from(FORM_POOL)))) if forms else frozenset(),
        elements=draw(_KNOWN) if elements else {},
        contacts=draw(_CONTACTS),
        milestones=draw(_MILESTONES),
        **{flag: draw(st.booleans()) for flag in FLAGS},
    )


def actions():
    flag = st.booleans()
    reason = st.sampled_from(REASONS)
    forward = st.tuples(st.just("forward"), flag, flag, reason)
    director = st.tuples(st.just("forward"), st.just(True), st.just(True), reason)
    written = st.tuples(st.just("forward"), st.just(True), st.just(True), st.just(REASONS[-1]))
    pretender = st.tuples(st.just("forward"), st.just(True), st.just(False), st.just(REASONS[-1]))
    all_but_one = st.tuples(st.just("all_but"), st.sampled_from(DEFECTS), st.integers(0, 20))
    return st.lists(
        st.one_of(
            st.tuples(st.just("check"), st.integers(0, 20), flag),
            st.tuples(st.just("check_all"), flag),
            st.tuples(st.just("satisfy")),
            st.tuples(st.just("satisfy")),
            st.tuples(st.just("form"), st.sampled_from(FORM_POOL), flag),
            st.tuples(st.just("element"), st.integers(0, 20), st.sampled_from(LEVELS)),
            st.tuples(st.just("all_elements"), st.sampled_from(LEVELS)),
            st.tuples(st.just("risk"), flag),
            st.tuples(st.just("evidence"), records(forms=False, elements=False)),
            st.tuples(st.just("evidence"), st.just(FULL)),
            forward,
            forward,
            forward,
            forward,
            director,
            written,
            pretender,
            all_but_one,
            all_but_one,
            all_but_one,
            st.tuples(st.just("back"), st.integers(0, 8), reason),
            st.tuples(st.just("win"), flag, flag, reason),
            st.tuples(st.just("close"), st.sampled_from([Status.LOST, Status.ABANDONED])),
            st.tuples(st.just("reopen")),
        ),
        min_size=10,
        max_size=60,
    )


@dataclass
class Deal:
    """The opportunity as the model sees it. ``path``: positions (stage index, step index) from
    the first step to the current one; ``passes``: for each edge of the path, what was missing
    when it was passed and whether an allowed override with a reason covered it."""

    stage: int = 0
    step: int = 0
    status: str = Status.OPEN
    checked: set[int] = field(default_factory=set)
    forms: set[str] = field(default_factory=set)
    elements: dict[str, str] = field(default_factory=dict)
    risk_pending: bool = False
    record: EvidenceData = field(default_factory=EvidenceData)  # forms, elements: the above
    path: list[tuple[int, int]] = field(default_factory=lambda: [(0, 0)])
    passes: list[tuple[str, frozenset[tuple[str, str]], bool]] = field(default_factory=list)


def data_of(deal: Deal, *, contract: bool = False) -> EvidenceData:
    """What the record says, with the deal's own forms and elements (as ``gate_input`` reads
    both from the same rows). ``contract``: as the win sees it, the contract recorded."""
    data = replace(deal.record, forms=frozenset(deal.forms), elements=dict(deal.elements))
    return replace(data, contract_signed=True) if contract else data


def gate_of(book: tuple[PStage, ...], deal: Deal) -> GateInput:
    s = book[deal.stage]
    return GateInput(
        stage_id=s.id,
        stage_order=s.order,
        step_id=s.steps[deal.step] if s.steps else None,
        step_ids=s.steps,
        criteria=[
            CriterionState(c.id, f"c{c.id}", c.mandatory, c.step, c.id in deal.checked, c.evidence)
            for c in s.criteria
        ],
        forms=[FormState(code, code, step, code in deal.forms) for code, step in s.forms],
        elements=[
            ElementState(e, e, minimum, deal.elements.get(e, Knowledge.UNKNOWN))
            for e, minimum in s.elements
        ],
        risk_pending=deal.risk_pending,
        status=deal.status,
        evidence=data_of(deal),
        in_last_stage=deal.stage == len(book) - 1,
    )


def model_missing(
    book: tuple[PStage, ...], deal: Deal, *, whole_stage: bool, contract: bool = False
):
    """What the playbook demands before leaving the current step (or the whole stage)."""
    s = book[deal.stage]
    owners: set[int | None] = (
        set(s.steps) | {None} if whole_stage else set(s.steps[: deal.step + 1])
    )
    data = data_of(deal, contract=contract)
    missing = {
        ("criterion", str(c.id))
        for c in s.criteria
        if c.mandatory and not model_met(c.facts, c.id in deal.checked, data) and c.step in owners
    }
    missing |= {
        ("form", code) for code, step in s.forms if code not in deal.forms and step in owners
    }
    if whole_stage:
        missing |= {
            ("element", e)
            for e, minimum in s.elements
            if KNOWLEDGE_RANK[Knowledge(deal.elements.get(e, Knowledge.UNKNOWN))]
            < KNOWLEDGE_RANK[Knowledge(minimum)]
        }
    if deal.risk_pending:
        missing.add(("risk", ""))
    return frozenset(missing)


def at_last_step(book: tuple[PStage, ...], deal: Deal) -> bool:
    steps = book[deal.stage].steps
    return not steps or deal.step == len(steps) - 1


def adjacent(book: tuple[PStage, ...], kind: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """``b`` is the position right after ``a`` going forward. Winning passes the whole gate of
    the stage before the last from any of its steps, into the last stage's first step."""
    (sa, pa), (sb, pb) = a, b
    last = len(book) - 1
    if kind == Move.WON:
        return sa == last - 1 and (sb, pb) == (last, 0)
    if sa == sb:
        return pb == pa + 1 and pb < len(book[sa].steps)
    if sb == last:
        return False  # only winning enters the last stage
    return sb == sa + 1 and pa == max(len(book[sa].steps) - 1, 0) and pb == 0


def check_path(book: tuple[PStage, ...], deal: Deal) -> None:
    assert deal.path[0] == (0, 0)
    assert deal.path[-1] == (deal.stage, deal.step)
    assert len(deal.passes) == len(deal.path) - 1
    for a, b, (kind, _missing, _ok) in zip(deal.path[:-1], deal.path[1:], deal.passes, strict=True):
        assert adjacent(book, kind, a, b), f"skipped from {a} to {b}"
    for _kind, missing, justified in deal.passes:
        assert not missing or justified, f"passed a gate with {sorted(missing)} missing"


def expect(missing, override: bool, can: bool, reason: str) -> tuple[bool, bool]:
    """(allowed, overridden) of a gated move, by the model."""
    if not missing:
        return True, False
    ok = override and can and bool(reason.strip())
    return ok, ok


def apply_pass(
    deal: Deal, outcome: MoveOutcome, missing, to: tuple[int, int], justified: bool
) -> None:
    """Record a gate passed: what the model says was missing then, and whether the request was
    an override with a written reason by someone allowed to override."""
    overridden = frozenset((m.kind, m.ref) for m in outcome.overridden)
    assert overridden == missing  # an override records exactly what was missing; else nothing
    deal.passes.append((outcome.kind, missing, not missing or justified))
    deal.path.append(to)
    deal.stage, deal.step = to


def run(book: tuple[PStage, ...], steps: list[tuple]) -> Deal:
    orders = [s.order for s in book]
    last = len(book) - 1
    deal = Deal()
    for action in steps:
        kind = action[0]
        stage = book[deal.stage]
        if kind == "check" and stage.criteria:
            c = stage.criteria[action[1] % len(stage.criteria)]
            (deal.checked.add if action[2] else deal.checked.discard)(c.id)
        elif kind == "check_all":
            for c in stage.criteria:
                (deal.checked.add if action[1] else deal.checked.discard)(c.id)
        elif kind == "satisfy":  # everything the current stage asks for, all at once
            deal.checked |= {c.id for c in stage.criteria}
            deal.forms |= {code for code, _step in stage.forms} | set(FORM_POOL)
            deal.elements.update(dict.fromkeys(ELEMENTS, Knowledge.CONFIRMED))
            deal.record = FULL
            deal.risk_pending = False
        elif kind == "all_but":  # everything but one thing, to probe each kind of gate
            deal.checked |= {c.id for c in stage.criteria}
            deal.forms |= {code for code, _step in stage.forms} | set(FORM_POOL)
            deal.elements.update(dict.fromkeys(ELEMENTS, Knowledge.CONFIRMED))
            deal.record = FULL
            deal.risk_pending = False
            defect, index = action[1], action[2]
            if defect == "criterion" and stage.criteria:
                deal.checked.discard(stage.criteria[index % len(stage.criteria)].id)
            elif defect == "form" and stage.forms:
                deal.forms.discard(stage.forms[index % len(stage.forms)][0])
            elif defect.startswith("element") and stage.elements:
                level = defect.removeprefix("element_")
                # prefer an element whose minimum that level falls short of
                short = [e for e, m in stage.elements if KNOWLEDGE_RANK[m] > KNOWLEDGE_RANK[level]]
                names = short or [e for e, _m in stage.elements]
                deal.elements[names[index % len(names)]] = level
            elif defect == "risk":
                deal.risk_pending = True
            elif defect == "evidence":
                deal.record = replace(FULL, **BREAKERS[index % len(BREAKERS)])
        elif kind == "evidence":
            deal.record = action[1]
        elif kind == "form":
            (deal.forms.add if action[2] else deal.forms.discard)(action[1])
        elif kind == "element":  # mostly one the stage asks for
            names = [e for e, _minimum in stage.elements] or list(ELEMENTS)
            deal.elements[names[action[1] % len(names)]] = action[2]
        elif kind == "all_elements":  # all six, as an "all elements" fact asks
            deal.elements.update(dict.fromkeys(ELEMENTS, action[1]))
        elif kind == "risk":
            deal.risk_pending = action[1]
        elif kind == "close":
            if deal.status == Status.OPEN:
                deal.status = action[1]
        elif kind == "reopen":
            if deal.status in (Status.LOST, Status.ABANDONED):
                deal.status = Status.OPEN
        elif kind == "forward":
            _, override, can, reason = action
            outcome = decide_move(
                gate_of(book, deal),
                MoveRequest(forward=True, override=override, reason=reason),
                stage_orders=orders,
                can_override=can,
            )
            step_missing = model_missing(book, deal, whole_stage=False)
            stage_missing = model_missing(book, deal, whole_stage=True)
            if deal.status in (Status.LOST, Status.ABANDONED):
                expected, missing, to = False, None, None
            elif not at_last_step(book, deal) and (
                deal.status == Status.OPEN or deal.stage == last
            ):
                missing, to = step_missing, (deal.stage, deal.step + 1)
                expected = expect(missing, override, can, reason)[0]
                move_kind = Move.STEP
            elif deal.status == Status.OPEN and deal.stage + 1 < last:
                missing, to = stage_missing, (deal.stage + 1, 0)
                expected = expect(missing, override, can, reason)[0]
                move_kind = Move.ADVANCE
            else:  # won at the last step, or the next stage is the last (only winning enters)
                expected, missing, to = False, None, None
            assert outcome.allowed is expected, (action, deal, outcome)
            if not outcome.allowed:
                assert outcome.problems
                continue
            assert outcome.kind == move_kind
            assert outcome.to_stage_order == orders[to[0]]
            apply_pass(deal, outcome, missing, to, override and can and bool(reason.strip()))
        elif kind == "back":
            _, index, reason = action
            target = index % (len(book) + 1)  # sometimes a stage order that does not exist
            order = orders[target] if target < len(book) else max(orders) + 7
            outcome = decide_move(
                gate_of(book, deal),
                MoveRequest(forward=False, to_stage_order=order, reason=reason),
                stage_orders=orders,
                can_override=True,
            )
            expected = deal.status == Status.OPEN and target < deal.stage and bool(reason.strip())
            assert outcome.allowed is expected, (action, deal, outcome)
            if not outcome.allowed:
                assert outcome.problems
                continue
            assert (outcome.kind, outcome.to_stage_order) == (Move.BACK, order)
            cut = deal.path.index((target, 0))
            del deal.path[cut + 1 :]
            del deal.passes[cut:]
            deal.stage, deal.step = target, 0
        elif kind == "win":
            _, override, can, reason = action
            outcome = decide_win(
                gate_of(book, deal),
                stage_orders=orders,
                override=override,
                can_override=can,
                reason=reason,
            )
            missing = model_missing(book, deal, whole_stage=True, contract=True)
            expected = (
                deal.status == Status.OPEN
                and deal.stage == last - 1
                and expect(missing, override, can, reason)[0]
            )
            assert outcome.allowed is expected, (action, deal, outcome)
            if not outcome.allowed:
                assert outcome.problems
                continue
            assert (outcome.kind, outcome.to_stage_order) == (Move.WON, orders[last])
            apply_pass(deal, outcome, missing, (last, 0), override and can and bool(reason.strip()))
            deal.status = Status.WON
        check_path(book, deal)
        if deal.status == Status.WON:
            assert deal.stage == last
        else:
            assert deal.stage < last, "only winning enters the last stage"
    return deal


@settings(
    max_examples=300,
    deadline=None,  # timing varies on a busy machine
    suppress_health_check=[HealthCheck.too_slow],
)
@given(book=playbooks(), steps=actions())
def test_no_sequence_of_moves_passes_a_gate_with_something_missing(book, steps):
    with translation.override("en"):
        run(book, steps)


@settings(max_examples=50, deadline=None)
@given(book=playbooks())
def test_a_deal_with_everything_done_walks_every_gate_and_is_won(book):
    """Liveness: with every criterion checked, every fact of the evidence holding, every form
    present, every element confirmed and no pending risk, plain forward moves reach the stage
    before the last, winning enters the last stage, and forward moves then walk its steps to
    the end."""
    with translation.override("en"):
        everything = [("check_all", True), ("evidence", FULL)]
        everything += [("form", code, True) for code in FORM_POOL]
        everything += [("all_elements", Knowledge.CONFIRMED)]
        total_steps = sum(max(len(s.steps), 1) for s in book)
        walk: list[tuple] = []
        for _ in range(total_steps):
            walk += [*everything, ("forward", False, False, "")]
        walk += [*everything, ("win", False, False, "")]
        walk += [*everything, ("forward", False, False, "")] * max(len(book[-1].steps), 1)
        deal = run(book, walk)
        assert deal.status == Status.WON
        assert (deal.stage, deal.step) == (len(book) - 1, max(len(book[-1].steps) - 1, 0))
        assert all(not missing for _kind, missing, _ok in deal.passes)
        assert len(deal.path) == total_steps


# --- single gates with evidence criteria ----------------------------------------------------

_WITH_CONTRACT = st.one_of(_EVIDENCE, st.just((CONTRACT,)))  # often the contract alone


@st.composite
def gates(draw, *, evidence=_EVIDENCE, **fixed) -> GateInput:
    """One stage's gate: 0–4 steps, the deal on one of them, criteria manual or with evidence
    (each checked or not), forms and element minimums, and a random record."""
    steps = tuple(range(1000, 1000 + draw(_STEP_COUNTS)))
    owners = (None, *steps)
    rows = draw(
        st.lists(st.tuples(st.integers(0, 4), st.booleans(), evidence, st.booleans()), max_size=6)
    )
    criteria = [
        CriterionState(
            j, f"c{j}", mandatory, owners[k % len(owners)], checked, tuple(FACT_POOL[i] for i in f)
        )
        for j, (k, mandatory, f, checked) in enumerate(rows, start=1)
    ]
    forms = [
        FormState(code, code, owners[k % len(owners)], draw(st.booleans()))
        for code, k in dict(draw(_FORMS)).items()
    ]
    elements = [
        ElementState(e, e, minimum, draw(st.sampled_from(LEVELS)))
        for e, minimum in draw(_ELEMENTS).items()
    ]
    fields = {
        "stage_id": 1,
        "stage_order": 1,
        "step_id": draw(st.sampled_from(steps)) if steps else None,
        "step_ids": steps,
        "criteria": criteria,
        "forms": forms,
        "elements": elements,
        "risk_pending": draw(st.booleans()),
        "evidence": draw(records()),
    }
    return GateInput(**{**fields, **fixed})


def scope(gate: GateInput, *, whole_stage: bool) -> set[int | None]:
    """The steps (None: the stage itself) whose criteria leaving the step or stage needs."""
    steps = list(gate.step_ids)
    if whole_stage:
        return {*steps, None}
    return set(steps[: steps.index(gate.step_id) + 1]) if gate.step_id in steps else set()


def criteria_missing(result) -> set[int]:
    return {int(m.ref) for m in result.missing if m.kind == "criterion"}


FEW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FEW
@given(fact=st.sampled_from(FACT_POOL), data=records())
@example(  # one contact matching both matchers of a "min": 2 counts once
    fact={"fact": "buying_roles", "any": [{"role": "coach"}, {"attitude": "supporter"}], "min": 2},
    data=EvidenceData(contacts=(("coach", "supporter"),)),
)
@example(  # "all" of no milestones is not met
    fact={"fact": "milestones", "state": "collected", "which": "all"}, data=EvidenceData()
)
def test_each_fact_holds_exactly_as_the_vocabulary_says(fact, data):
    assert fact_met(fact, data) is model_fact(fact, data)


@FEW
@given(facts=st.lists(st.sampled_from(FACT_POOL), max_size=4), data=records())
def test_evidence_is_met_when_every_fact_holds(facts, data):
    holds = [model_fact(f, data) for f in facts]
    assert evidence_met(facts, data) is (bool(facts) and all(holds))
    assert unmet(facts, data) == [f for f, ok in zip(facts, holds, strict=True) if not ok]


@FEW
@given(gate=gates(), whole_stage=st.booleans())
def test_a_criterion_is_missing_exactly_when_it_is_mandatory_in_scope_and_not_met(
    gate, whole_stage
):
    with translation.override("en"):
        missing = criteria_missing(missing_to_leave(gate, whole_stage=whole_stage))
        leaving = scope(gate, whole_stage=whole_stage)
        expected = {
            c.id
            for c in gate.criteria
            if c.mandatory
            and c.step_id in leaving
            and not (evidence_met(c.evidence, gate.evidence) if c.evidence else c.checked)
        }
        assert missing == expected
        # a tick never answers a criterion with evidence
        flipped = replace(
            gate,
            criteria=[
                replace(c, checked=not c.checked) if c.evidence else c for c in gate.criteria
            ],
        )
        assert missing_to_leave(flipped, whole_stage=whole_stage) == missing_to_leave(
            gate, whole_stage=whole_stage
        )


@FEW
@given(
    gate=gates(evidence=_WITH_CONTRACT, stage_order=5),
    override=st.booleans(),
    can=st.booleans(),
    reason=st.sampled_from(REASONS),
)
def test_the_win_never_waits_for_the_contract_it_records(gate, override, can, reason):
    with translation.override("en"):
        kw = {"stage_orders": [1, 5, 6], "override": override, "can_override": can}
        outcome = decide_win(gate, reason=reason, **kw)
        contract_only = {c.id for c in gate.criteria if c.evidence == (FACT_POOL[CONTRACT],)}
        assert not contract_only & {int(m.ref) for m in outcome.overridden if m.kind == "criterion"}
        assert not {f"c{i}" for i in contract_only} & set(outcome.problems)
        # the win sees the record as it will be once the contract is recorded
        signed = replace(gate, evidence=replace(gate.evidence, contract_signed=True))
        assert outcome == decide_win(signed, reason=reason, **kw)
        whole = missing_to_leave(signed, whole_stage=True)
        assert outcome.allowed is (whole.open or (override and can and bool(reason.strip())))


@FEW
@given(
    gate=gates(stage_order=6, status=Status.WON, in_last_stage=True),
    override=st.booleans(),
    can=st.booleans(),
    reason=st.sampled_from(REASONS),
)
def test_a_won_deal_in_the_last_stage_gets_the_answer_it_would_get_open(
    gate, override, can, reason
):
    with translation.override("en"):
        opened = replace(gate, status=Status.OPEN)
        assert missing_to_leave(gate, whole_stage=False) == missing_to_leave(
            opened, whole_stage=False
        )
        request = MoveRequest(forward=True, override=override, reason=reason)
        kw = {"stage_orders": [1, 2, 6], "can_override": can}
        won, open_ = decide_move(gate, request, **kw), decide_move(opened, request, **kw)
        steps = list(gate.step_ids)
        if steps and gate.step_id != steps[-1]:
            assert won == open_
            assert won.kind in ("", Move.STEP)
        else:  # the last step: the process ends there, open or won
            assert not won.allowed and not open_.allowed
            assert won.problems == ("This is the last step of the process.",)
        # outside the last stage, a won deal is closed
        elsewhere = replace(gate, in_last_stage=False)
        assert [m.kind for m in missing_to_leave(elsewhere, whole_stage=False).missing] == [
            "status"
        ]
