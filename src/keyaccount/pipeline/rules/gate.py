"""The stage gate, pure: what keeps a deal from leaving its step or stage, and whether a
requested move (or the win) may happen. Services hand in ``GateInput`` (``pipeline.gate``)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _

from .evidence import EvidenceData, evidence_met
from .vocabulary import KNOWLEDGE_RANK, Knowledge, Move, Status


@dataclass(frozen=True)
class CriterionState:
    """One exit criterion of the stage. ``checked``: ticked by hand (manual criteria).
    ``evidence``: the facts that answer it from the record (``process.evidence``); a criterion
    with evidence is met when they hold, whatever was ticked."""

    id: int
    text: str
    mandatory: bool
    step_id: int | None
    checked: bool
    evidence: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class FormState:
    code: str
    label: str
    step_id: int | None  # None: required before leaving the stage
    present: bool


@dataclass(frozen=True)
class ElementState:
    element: str
    label: str
    required: str  # Knowledge value required before leaving the stage
    actual: str


@dataclass(frozen=True)
class GateInput:
    """Everything the gate needs to know about one opportunity in its current stage.

    ``step_ids`` are the stage's steps in order; ``step_id`` the current one (or None when the
    stage has no steps). ``risk_pending``: a high-risk assessment awaits a director's decision.
    ``evidence``: what the record says, for the criteria that have evidence. ``in_last_stage``:
    the deal is in implementation, where a won deal is still worked on step by step.
    """

    stage_id: int
    stage_order: int
    step_id: int | None
    step_ids: Sequence[int]
    criteria: Sequence[CriterionState] = ()
    forms: Sequence[FormState] = ()
    elements: Sequence[ElementState] = ()
    risk_pending: bool = False
    status: str = Status.OPEN
    evidence: EvidenceData = field(default_factory=EvidenceData)
    in_last_stage: bool = False

    def met(self, criterion: CriterionState) -> bool:
        """Whether a criterion is satisfied: by its evidence, or else by a tick."""
        if criterion.evidence:
            return evidence_met(criterion.evidence, self.evidence)
        return criterion.checked


@dataclass(frozen=True)
class Missing:
    """One thing that keeps a gate closed, as a sentence and a machine-readable kind."""

    kind: str  # "criterion" | "form" | "element" | "risk" | "status"
    text: str
    ref: str = ""  # the criterion id, form code or element code
    detail: str = ""  # for an element: the status required


@dataclass(frozen=True)
class GateResult:
    missing: tuple[Missing, ...] = field(default_factory=tuple)

    @property
    def open(self) -> bool:
        return not self.missing


def _covers(step_id: int | None, leaving: set[int | None]) -> bool:
    return step_id in leaving


def missing_to_leave(gate: GateInput, *, whole_stage: bool) -> GateResult:
    """What keeps the opportunity from leaving its current step (or its whole stage).

    Leaving a step needs the mandatory criteria and forms of that step (and of the steps before
    it, which a move back may have reopened). Leaving the stage needs everything of the stage:
    all steps, the stage-level criteria and forms, the required element statuses, and no
    high-risk assessment awaiting a decision.
    """
    missing: list[Missing] = []
    workable = gate.status == Status.OPEN or (gate.status == Status.WON and gate.in_last_stage)
    if not workable:
        return GateResult((Missing("status", closed_text()),))
    if whole_stage:
        leaving: set[int | None] = set(gate.step_ids) | {None}
    else:
        order = list(gate.step_ids)
        upto = order.index(gate.step_id) + 1 if gate.step_id in order else 0
        leaving = set(order[:upto])
    for c in gate.criteria:
        if c.mandatory and not gate.met(c) and _covers(c.step_id, leaving):
            missing.append(Missing("criterion", c.text, str(c.id)))
    for f in gate.forms:
        if not f.present and _covers(f.step_id, leaving):
            missing.append(Missing("form", form_missing_text(f.label), f.code))
    if whole_stage:
        for e in gate.elements:
            if KNOWLEDGE_RANK.get(Knowledge(e.actual), 0) < KNOWLEDGE_RANK[Knowledge(e.required)]:
                text = element_missing_text(e.label, str(Knowledge(e.required).label))
                missing.append(Missing("element", text, e.element, e.required))
    if gate.risk_pending:
        missing.append(Missing("risk", risk_pending_text()))
    return GateResult(tuple(missing))


# The sentences of what is missing, also used to show a recorded override's "missing" in the
# reader's language (``missing_sentence``).


def closed_text() -> str:
    return _("The opportunity is closed; reopen it first.")


def form_missing_text(label: str) -> str:
    return _("Form missing: %(form)s") % {"form": label}


def element_missing_text(label: str, status: str) -> str:
    return _("%(element)s must be at least “%(status)s”") % {"element": label, "status": status}


def risk_pending_text() -> str:
    return _("A high-risk assessment awaits a sales director's decision (continue or abandon).")


def missing_sentence(
    entry: Mapping[str, Any],
    *,
    criteria: Mapping[str, str],
    forms: Mapping[str, str],
    elements: Mapping[str, str],
) -> str:
    """One recorded missing item (``StageTransition.missing``) in the active language, from its
    kind and reference; the text stored at the time when the reference is gone."""
    kind, ref, stored = entry.get("kind"), str(entry.get("ref", "")), str(entry.get("text", ""))
    if kind == "criterion":
        return criteria.get(ref, stored)
    if kind == "form" and ref in forms:
        return form_missing_text(forms[ref])
    if kind == "element" and ref in elements and entry.get("detail") in Knowledge.values:
        return element_missing_text(elements[ref], str(Knowledge(entry["detail"]).label))
    if kind == "risk":
        return risk_pending_text()
    if kind == "status":
        return closed_text()
    return stored


@dataclass(frozen=True)
class MoveRequest:
    """A requested move: ``forward`` (next step or next stage) or ``back`` to a stage order."""

    forward: bool
    override: bool = False
    reason: str = ""
    to_stage_order: int | None = None  # for a move back


@dataclass(frozen=True)
class MoveOutcome:
    allowed: bool
    kind: str = ""  # Move value when allowed
    problems: tuple[str, ...] = ()
    overridden: tuple[Missing, ...] = ()
    to_stage_order: int | None = None  # the stage after the move (same stage for a step move)


def _closed_problem() -> MoveOutcome:
    return MoveOutcome(False, problems=(closed_text(),))


def _gate_or_override(
    gate: GateInput,
    kind: str,
    to_order: int,
    request: MoveRequest,
    can_override: bool,
    *,
    whole_stage: bool,
) -> MoveOutcome:
    result = missing_to_leave(gate, whole_stage=whole_stage)
    if result.open:
        return MoveOutcome(True, kind, to_stage_order=to_order)
    if request.override:
        if not can_override:
            return MoveOutcome(False, problems=(_("Only a sales director may override a gate."),))
        if not request.reason.strip():
            return MoveOutcome(False, problems=(_("An override needs a written reason."),))
        return MoveOutcome(True, kind, overridden=result.missing, to_stage_order=to_order)
    return MoveOutcome(False, problems=tuple(m.text for m in result.missing))


def decide_move(
    gate: GateInput,
    request: MoveRequest,
    *,
    stage_orders: Sequence[int],
    can_override: bool,
) -> MoveOutcome:
    """May the move happen, and what kind of transition is it? Pure and total.

    Forward from a step that is not the stage's last is a step move; forward from the last step
    is an advance to the next stage (the gate). Nothing enters the last stage (implementation)
    by a plain move: only a won outcome does, and inside it a won deal moves step by step.
    Back needs a reason and an earlier stage. A closed gate opens only by an override from
    someone allowed to, with a written reason.
    """
    orders = sorted(set(stage_orders))
    last = orders[-1] if orders else gate.stage_order
    in_last = gate.stage_order >= last
    steps = list(gate.step_ids)
    at_last_step = not steps or gate.step_id == steps[-1] or gate.step_id not in steps
    if gate.status == Status.WON and in_last and request.forward:
        if at_last_step:
            return MoveOutcome(False, problems=(_("This is the last step of the process."),))
        active = replace(gate, status=Status.OPEN)
        return _gate_or_override(
            active, Move.STEP, gate.stage_order, request, can_override, whole_stage=False
        )
    if gate.status != Status.OPEN:
        return _closed_problem()
    if not request.forward:
        target = request.to_stage_order
        if target is None or target >= gate.stage_order or target not in orders:
            return MoveOutcome(False, problems=(_("Choose an earlier stage to move back to."),))
        if not request.reason.strip():
            return MoveOutcome(False, problems=(_("Moving back needs a reason."),))
        return MoveOutcome(True, Move.BACK, to_stage_order=target)
    if not at_last_step:
        return _gate_or_override(
            gate, Move.STEP, gate.stage_order, request, can_override, whole_stage=False
        )
    later = [o for o in orders if o > gate.stage_order]
    if not later:
        return MoveOutcome(False, problems=(_("This is the last stage."),))
    if later[0] == last:
        return MoveOutcome(
            False,
            problems=(_("The next stage starts with a signed contract: record the deal as won."),),
        )
    return _gate_or_override(gate, Move.ADVANCE, later[0], request, can_override, whole_stage=True)


def decide_win(
    gate: GateInput,
    *,
    stage_orders: Sequence[int],
    override: bool,
    can_override: bool,
    reason: str,
) -> MoveOutcome:
    """Winning is the last gate: from the stage before implementation, with that stage done.
    Recording the win records the contract, so a criterion the contract answers ("the contract
    is signed") counts as met here: it cannot stand in the way of its own evidence."""
    if gate.status != Status.OPEN:
        return _closed_problem()
    orders = sorted(set(stage_orders))
    if len(orders) < 2 or gate.stage_order != orders[-2]:
        return MoveOutcome(
            False,
            problems=(_("A deal is won from the negotiation stage, with a signed contract."),),
        )
    with_contract = replace(gate, evidence=replace(gate.evidence, contract_signed=True))
    request = MoveRequest(forward=True, override=override, reason=reason)
    return _gate_or_override(
        with_contract, Move.WON, orders[-1], request, can_override, whole_stage=True
    )
