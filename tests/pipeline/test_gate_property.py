"""Property-based test of the stage gate (issue 4, "rules that must hold"), without a database.

Hypothesis draws a random playbook (2–7 stages, 0–4 steps each, mandatory and optional criteria
on steps or on the stage, required forms on steps or on the stage, element minimums) and a
random sequence of actions on one opportunity: checking and unchecking criteria, forms coming
and going, element statuses, a pending risk decision, forward moves with or without an override
(by someone who may or may not override, with or without a reason), moves back, winning, losing
and reopening. Only the moves ``decide_move`` / ``decide_win`` allow are applied.

An independent model of the playbook's rules says what was missing at each gate. Invariants:

- a gate is passed only when nothing was missing, or by an override with a written reason from
  someone allowed to override, and then ``overridden`` lists exactly what was missing;
- the opportunity's path from the first step to where it sits is contiguous (no stage or step
  is skipped going forward) and every gate on it was passed that way;
- the engine's answer is exactly the model's (nothing needlessly refused either);
- lost and abandoned deals never move; a won deal only moves step by step in the last stage.
"""

from dataclasses import dataclass, field

from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyaccount.pipeline.rules import (
    KNOWLEDGE_RANK,
    CriterionState,
    Element,
    ElementState,
    FormState,
    GateInput,
    Knowledge,
    Move,
    MoveOutcome,
    MoveRequest,
    Status,
    decide_move,
    decide_win,
)

FORM_POOL = ("customer_profile", "ka_follow_up", "risk_assessment", "comprehensive_evaluation")
ELEMENTS = tuple(Element.values)
LEVELS = tuple(Knowledge.values)
REASONS = ("", "   ", "客户高层已口头承诺，先推进")
DEFECTS = ("criterion", "form", "element_partly", "element_partly", "element_unknown", "risk")


@dataclass(frozen=True)
class Crit:
    id: int
    step: int | None
    mandatory: bool


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
_CRITERIA = st.lists(st.tuples(st.integers(0, 4), st.booleans()), max_size=5)
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
            Crit(100 * (i + 1) + j, owner(k), mandatory)
            for j, (k, mandatory) in enumerate(draw(_CRITERIA))
        )
        forms = tuple({code: owner(k) for code, k in draw(_FORMS)}.items())
        elements = tuple(draw(_ELEMENTS).items())
        stages.append(PStage(i + 1, order, steps, criteria, forms, elements))
    return tuple(stages)


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
            st.tuples(st.just("risk"), flag),
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
    path: list[tuple[int, int]] = field(default_factory=lambda: [(0, 0)])
    passes: list[tuple[str, frozenset[tuple[str, str]], bool]] = field(default_factory=list)


def gate_of(book: tuple[PStage, ...], deal: Deal) -> GateInput:
    s = book[deal.stage]
    return GateInput(
        stage_id=s.id,
        stage_order=s.order,
        step_id=s.steps[deal.step] if s.steps else None,
        step_ids=s.steps,
        criteria=[
            CriterionState(c.id, f"c{c.id}", c.mandatory, c.step, c.id in deal.checked)
            for c in s.criteria
        ],
        forms=[FormState(code, code, step, code in deal.forms) for code, step in s.forms],
        elements=[
            ElementState(e, e, minimum, deal.elements.get(e, Knowledge.UNKNOWN))
            for e, minimum in s.elements
        ],
        risk_pending=deal.risk_pending,
        status=deal.status,
    )


def model_missing(book: tuple[PStage, ...], deal: Deal, *, whole_stage: bool):
    """What the playbook demands before leaving the current step (or the whole stage)."""
    s = book[deal.stage]
    owners: set[int | None] = (
        set(s.steps) | {None} if whole_stage else set(s.steps[: deal.step + 1])
    )
    missing = {
        ("criterion", str(c.id))
        for c in s.criteria
        if c.mandatory and c.id not in deal.checked and c.step in owners
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
            deal.forms |= {code for code, _step in stage.forms}
            deal.elements.update(dict.fromkeys(ELEMENTS, Knowledge.CONFIRMED))
            deal.risk_pending = False
        elif kind == "all_but":  # everything but one thing, to probe each kind of gate
            deal.checked |= {c.id for c in stage.criteria}
            deal.forms |= {code for code, _step in stage.forms}
            deal.elements.update(dict.fromkeys(ELEMENTS, Knowledge.CONFIRMED))
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
        elif kind == "form":
            (deal.forms.add if action[2] else deal.forms.discard)(action[1])
        elif kind == "element":  # mostly one the stage asks for
            names = [e for e, _minimum in stage.elements] or list(ELEMENTS)
            deal.elements[names[action[1] % len(names)]] = action[2]
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
            missing = model_missing(book, deal, whole_stage=True)
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
    """Liveness: with every criterion checked, every form present, every element confirmed
    and no pending risk, plain forward moves reach the stage before the last, winning enters
    the last stage, and forward moves then walk its steps to the end."""
    with translation.override("en"):
        everything = [("check_all", True)]
        everything += [("form", code, True) for code in FORM_POOL]
        everything += [("element", i, Knowledge.CONFIRMED) for i in range(len(ELEMENTS))]
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
