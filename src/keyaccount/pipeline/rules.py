"""Pure rules of opportunities: the stage gate, risk levels, forecast. No database here.

Services hand in plain data (``GateInput``) read from the playbook and the opportunity; the
functions answer what is missing, what a move would do and how a risk total is classed. The
same functions serve pages, the API, imports and the demo loader, so the gate is enforced once.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Status(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    WON = "won", gettext_lazy("Won")
    LOST = "lost", gettext_lazy("Lost")
    ABANDONED = "abandoned", gettext_lazy("Abandoned")


class Element(models.TextChoices):
    """The key evaluation elements (关键评估元素) of SPEC §6, in their order."""

    NEED = "need", gettext_lazy("Need")
    SCHEDULE = "schedule", gettext_lazy("Project / procurement schedule")
    BUDGET = "budget", gettext_lazy("Budget")
    COMPETITION = "competition", gettext_lazy("Competition")
    DECISION = "decision", gettext_lazy("Decision (process and makers)")
    PRIORITY_ITEMS = "priority_items", gettext_lazy("Priority evaluation items")


class Knowledge(models.TextChoices):
    UNKNOWN = "unknown", gettext_lazy("Unknown")
    PARTLY = "partly", gettext_lazy("Partly known")
    CONFIRMED = "confirmed", gettext_lazy("Confirmed")


KNOWLEDGE_RANK = {Knowledge.UNKNOWN: 0, Knowledge.PARTLY: 1, Knowledge.CONFIRMED: 2}


class Strength(models.TextChoices):
    STRONGER = "stronger", gettext_lazy("Stronger than us")
    EQUAL = "equal", gettext_lazy("About equal")
    WEAKER = "weaker", gettext_lazy("Weaker than us")


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", gettext_lazy("Decision maker")
    TECHNICAL_EVALUATOR = "technical_evaluator", gettext_lazy("Technical evaluator")
    USER = "user", gettext_lazy("User")
    COACH = "coach", gettext_lazy("Coach / insider")
    GATEKEEPER = "gatekeeper", gettext_lazy("Gatekeeper")
    INFLUENCER = "influencer", gettext_lazy("Influencer")


class Influence(models.TextChoices):
    HIGH = "high", gettext_lazy("High")
    MEDIUM = "medium", gettext_lazy("Medium")
    LOW = "low", gettext_lazy("Low")


class Attitude(models.TextChoices):
    SUPPORTER = "supporter", gettext_lazy("Supporter")
    NEUTRAL = "neutral", gettext_lazy("Neutral")
    OPPONENT = "opponent", gettext_lazy("Opponent")
    UNKNOWN = "unknown", gettext_lazy("Unknown")


class TeamRole(models.TextChoices):
    CONSULTANT = "consultant", gettext_lazy("Consultant / technical support")
    SENIOR_KAM = "senior_kam", gettext_lazy("Senior KAM")
    ACCOUNT_MANAGER = "account_manager", gettext_lazy("Account manager")
    DIRECTOR = "director", gettext_lazy("Sales director")
    OTHER = "other", gettext_lazy("Other")


class Source(models.TextChoices):
    MARKETING = "marketing", gettext_lazy("Marketing campaign")
    CUSTOMER = "customer", gettext_lazy("Existing customer")
    REFERRAL = "referral", gettext_lazy("Referral")
    PARTNER = "partner", gettext_lazy("Partner / channel")
    TENDER_NOTICE = "tender_notice", gettext_lazy("Published tender notice")
    OWN = "own", gettext_lazy("Own prospecting")
    OTHER = "other", gettext_lazy("Other")


class Currency(models.TextChoices):
    CNY = "CNY", gettext_lazy("CNY (yuan)")
    USD = "USD", gettext_lazy("USD")
    EUR = "EUR", gettext_lazy("EUR")
    HKD = "HKD", gettext_lazy("HKD")
    JPY = "JPY", gettext_lazy("JPY")


class RiskLevel(models.TextChoices):
    LOW = "low", gettext_lazy("Low risk")
    MEDIUM = "medium", gettext_lazy("Medium risk")
    HIGH = "high", gettext_lazy("High risk")


class RiskDecision(models.TextChoices):
    NOT_NEEDED = "not_needed", gettext_lazy("No decision needed")
    PENDING = "pending", gettext_lazy("Awaiting risk decision")
    CONTINUE = "continue", gettext_lazy("Continue")
    ABANDON = "abandon", gettext_lazy("Abandon")


class Move(models.TextChoices):
    """What a transition row records."""

    CREATED = "created", gettext_lazy("Created")
    STEP = "step", gettext_lazy("Next step")
    ADVANCE = "advance", gettext_lazy("Advanced")
    BACK = "back", gettext_lazy("Moved back")
    WON = "won", gettext_lazy("Won")
    LOST = "lost", gettext_lazy("Lost")
    ABANDONED = "abandoned", gettext_lazy("Abandoned")
    REOPENED = "reopened", gettext_lazy("Reopened")


class Health(StrEnum):
    """Flags shown on cards and filterable in the list."""

    OVERDUE_STAGE = "overdue_stage"  # longer in the stage than its norm
    PAST_SIGNING = "past_signing"  # expected signing date passed while open
    RISK_PENDING = "risk_pending"  # high risk awaiting a director's decision
    HIGH_RISK = "high_risk"  # latest assessment high (decided or not)
    SLIPPED = "slipped"  # expected signing date moved later at least once


HEALTH_LABELS = {
    Health.OVERDUE_STAGE: gettext_lazy("Over the stage norm"),
    Health.PAST_SIGNING: gettext_lazy("Signing date passed"),
    Health.RISK_PENDING: gettext_lazy("Awaiting risk decision"),
    Health.HIGH_RISK: gettext_lazy("High risk"),
    Health.SLIPPED: gettext_lazy("Signing date slipped"),
}


# --- the gate -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionState:
    id: int
    text: str
    mandatory: bool
    step_id: int | None
    checked: bool


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


@dataclass(frozen=True)
class Missing:
    """One thing that keeps a gate closed, as a sentence and a machine-readable kind."""

    kind: str  # "criterion" | "form" | "element" | "risk" | "status"
    text: str
    ref: str = ""


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
    if gate.status != Status.OPEN:
        return GateResult((Missing("status", _("The opportunity is closed; reopen it first.")),))
    if whole_stage:
        leaving: set[int | None] = set(gate.step_ids) | {None}
    else:
        order = list(gate.step_ids)
        upto = order.index(gate.step_id) + 1 if gate.step_id in order else 0
        leaving = set(order[:upto])
    for c in gate.criteria:
        if c.mandatory and not c.checked and _covers(c.step_id, leaving):
            missing.append(Missing("criterion", c.text, str(c.id)))
    for f in gate.forms:
        if not f.present and _covers(f.step_id, leaving):
            missing.append(Missing("form", _("Form missing: %(form)s") % {"form": f.label}, f.code))
    if whole_stage:
        for e in gate.elements:
            if KNOWLEDGE_RANK.get(Knowledge(e.actual), 0) < KNOWLEDGE_RANK[Knowledge(e.required)]:
                missing.append(
                    Missing(
                        "element",
                        _("%(element)s must be at least “%(status)s”")
                        % {"element": e.label, "status": Knowledge(e.required).label},
                        e.element,
                    )
                )
    if gate.risk_pending:
        missing.append(
            Missing(
                "risk",
                _(
                    "A high-risk assessment awaits a sales director's decision "
                    "(continue or abandon)."
                ),
            )
        )
    return GateResult(tuple(missing))


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
    return MoveOutcome(False, problems=(_("The opportunity is closed; reopen it first."),))


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
        active = GateInput(**{**gate.__dict__, "status": Status.OPEN})
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
    """Winning is the last gate: from the stage before implementation, with that stage done."""
    if gate.status != Status.OPEN:
        return _closed_problem()
    orders = sorted(set(stage_orders))
    if len(orders) < 2 or gate.stage_order != orders[-2]:
        return MoveOutcome(
            False,
            problems=(_("A deal is won from the negotiation stage, with a signed contract."),),
        )
    request = MoveRequest(forward=True, override=override, reason=reason)
    return _gate_or_override(gate, Move.WON, orders[-1], request, can_override, whole_stage=True)


# --- risk ----------------------------------------------------------------------------------

RISK_MAX_SCORE = 5


@dataclass(frozen=True)
class RiskThresholds:
    medium_from: Decimal  # percent of the maximum weighted score
    high_from: Decimal


def risk_total(scores: Mapping[str, int], weights: Mapping[str, Decimal]) -> Decimal:
    """Weighted risk as a percentage of the worst possible (0 = no risk, 100 = every factor 5)."""
    used = {code: w for code, w in weights.items() if code in scores and w > 0}
    if not used:
        return Decimal(0)
    worst = sum(w * RISK_MAX_SCORE for w in used.values())
    got = sum(w * scores[code] for code, w in used.items())
    return (Decimal(100) * got / worst).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def risk_level(total: Decimal, thresholds: RiskThresholds) -> str:
    if total >= thresholds.high_from:
        return RiskLevel.HIGH
    if total >= thresholds.medium_from:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def validate_thresholds(medium_from: Decimal, high_from: Decimal) -> list[str]:
    problems = []
    if not (Decimal(0) < medium_from < high_from <= Decimal(100)):
        problems.append(
            _("Risk thresholds must satisfy 0 < medium < high ≤ 100 (got %(m)s and %(h)s).")
            % {"m": medium_from, "h": high_from}
        )
    return problems


# --- forecast ------------------------------------------------------------------------------


def weighted_amount(amount: Decimal | None, probability: int) -> Decimal:
    if amount is None:
        return Decimal("0.00")
    return (amount * Decimal(probability) / Decimal(100)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def milestone_amount(
    *, amount: Decimal | None, percentage: Decimal | None, contract_amount: Decimal
) -> Decimal:
    """A milestone is given as an amount or as a percentage of the contract; either way the
    result is in cents, rounded half up (what the database keeps)."""
    if amount is not None:
        return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if percentage is None:
        raise ValueError("a milestone needs an amount or a percentage")
    return (contract_amount * percentage / Decimal(100)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
