"""Moving a deal through the gates and its outcomes: the next step or stage, a move back,
won (the contract is signed, with its first payment milestones), lost, abandoned, reopened.

The gate is decided by ``rules.decide_move`` / ``rules.decide_win`` on ``gate.gate_input``;
pages and the API call these functions, so the gate is enforced once.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.core import events
from keyaccount.org.models import User
from keyaccount.process.models import Stage

from .. import notices, rules
from ..gate import gate_input, move_target, stage_orders
from ..models import (
    Competitor,
    Contract,
    ForecastChange,
    LossReason,
    Opportunity,
    PaymentMilestone,
    StageTransition,
)
from ._common import GateRefused, bump, close, lock, record, require_run
from .contracts import MilestoneInput, validate_milestones


@dataclass(frozen=True)
class MoveResult:
    transition: StageTransition
    overridden: tuple[rules.Missing, ...]


@transaction.atomic
def opportunity_move(
    *,
    actor: User,
    opportunity: Opportunity,
    forward: bool = True,
    to_stage: Stage | None = None,
    override: bool = False,
    reason: str = "",
    at: datetime | None = None,
) -> MoveResult:
    """Request the next step or stage (the gate) or a move back with a reason.

    Refused with ``GateRefused`` listing what is missing; a sales director may override with a
    written reason, and the transition row keeps both the reason and what was missing."""
    acc = require_run(actor, opportunity)
    opp = lock(opportunity)
    gate = gate_input(opp)
    request = rules.MoveRequest(
        forward=forward,
        override=override,
        reason=reason,
        to_stage_order=to_stage.order if to_stage is not None else None,
    )
    outcome = rules.decide_move(
        gate, request, stage_orders=stage_orders(), can_override=acc.override
    )
    if not outcome.allowed:
        raise GateRefused(outcome.problems)
    now = at or timezone.now()
    from_stage, from_step, from_status = opp.stage, opp.step, opp.status
    target, step = move_target(opp, outcome)
    if outcome.kind == rules.Move.STEP:
        opp.step = step
        bump(opp, actor, reason, ("step",))
    else:
        opp.stage, opp.step, opp.stage_entered_at = target, step, now
        bump(opp, actor, reason, ("stage", "step", "stage_entered_at"))
    transition = record(
        opp,
        kind=outcome.kind,
        actor=actor,
        at=now,
        from_stage=from_stage,
        from_step=from_step,
        from_status=from_status,
        reason=reason.strip(),
        overridden=outcome.overridden,
    )
    opportunity.refresh_from_db()
    return MoveResult(transition, outcome.overridden)


def _contract_errors(
    number: str, signed_amount: Decimal | None, signed_on: date | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not number:
        errors["contract_number"] = [_("Give the contract number.")]
    elif Contract.objects.filter(number=number).exists():
        errors["contract_number"] = [_("Contract number %(n)s is used already.") % {"n": number}]
    if signed_amount is None or signed_amount <= 0:
        errors["signed_amount"] = [_("The signed amount must be above zero.")]
    if signed_on is None:
        errors["signed_on"] = [_("Give the signing date.")]
    elif signed_on > timezone.localdate():
        errors["signed_on"] = [_("A contract cannot be signed in the future.")]
    return errors


@transaction.atomic
def opportunity_win(
    *,
    actor: User,
    opportunity: Opportunity,
    contract_number: str,
    signed_amount: Decimal,
    signed_on: date,
    milestones: list[MilestoneInput] | None = None,
    override: bool = False,
    reason: str = "",
    at: datetime | None = None,
) -> Contract:
    """The contract is signed: the deal is won and enters implementation with its payment
    milestones. Goes through the negotiation gate like any advance."""
    acc = require_run(actor, opportunity)
    opp = lock(opportunity)
    number = " ".join((contract_number or "").split())
    errors = _contract_errors(number, signed_amount, signed_on)
    if errors:
        raise ValidationError(errors)
    amounts = validate_milestones(milestones or [], signed_amount)
    outcome = rules.decide_win(
        gate_input(opp),
        stage_orders=stage_orders(),
        override=override,
        can_override=acc.override,
        reason=reason,
    )
    if not outcome.allowed:
        raise GateRefused(outcome.problems)
    now = at or timezone.now()
    contract = Contract(
        opportunity=opp,
        number=number,
        amount=signed_amount,
        currency=opp.currency,
        signed_on=signed_on,
    )
    contract._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"contract_number": _("Contract number %(n)s is used already.") % {"n": number}}
        ) from exc
    PaymentMilestone.objects.bulk_create(
        PaymentMilestone(
            contract=contract,
            order=i,
            name=m.name.strip(),
            percentage=m.percentage,
            amount=value,
            due_on=m.due_on,
        )
        for i, (m, value) in enumerate(zip(milestones or [], amounts, strict=True), start=1)
    )
    from_stage, from_step, from_status = opp.stage, opp.step, opp.status
    opp.stage, opp.step = move_target(opp, outcome)
    opp.stage_entered_at = now
    opp.status, opp.closed_at = rules.Status.WON, now
    if opp.amount != signed_amount:
        # the deal is now worth what was signed; the forecast row keeps what was expected
        ForecastChange.objects.create(
            opportunity=opp,
            field=ForecastChange.Field.AMOUNT,
            old_value=str(opp.amount),
            new_value=str(signed_amount),
            changed_by=actor,
            changed_at=now,
            reason=events.event(notices.EVENT_CONTRACT_SIGNED, number=number),
        )
        opp.amount = signed_amount
    bump(opp, actor, reason, ("stage", "step", "stage_entered_at", "status", "closed_at", "amount"))
    record(
        opp,
        kind=rules.Move.WON,
        actor=actor,
        at=now,
        from_stage=from_stage,
        from_step=from_step,
        from_status=from_status,
        reason=reason.strip(),
        overridden=outcome.overridden,
    )
    opportunity.refresh_from_db()
    return contract


@transaction.atomic
def opportunity_lose(
    *,
    actor: User,
    opportunity: Opportunity,
    loss_reason: LossReason | None,
    winner: Competitor | None,
    lessons: str,
    at: datetime | None = None,
) -> Opportunity:
    """Lost: the reason from the list, who won (a competitor, or nobody known) and lessons."""
    require_run(actor, opportunity)
    opp = lock(opportunity)
    if not opp.is_open:
        raise ValidationError(_("The opportunity is closed already."))
    errors: dict[str, list[str]] = {}
    if loss_reason is None:
        errors["loss_reason"] = [_("Choose why the deal was lost.")]
    if not lessons.strip():
        errors["lessons"] = [_("Write down the lessons learned.")]
    if errors:
        raise ValidationError(errors)
    opp.loss_reason, opp.winner, opp.close_reason = loss_reason, winner, lessons.strip()
    close(
        opp,
        actor=actor,
        status=rules.Status.LOST,
        kind=rules.Move.LOST,
        reason=lessons.strip(),
        at=at,
    )
    opportunity.refresh_from_db()
    return opp


@transaction.atomic
def opportunity_abandon(
    *, actor: User, opportunity: Opportunity, reason: str, at: datetime | None = None
) -> Opportunity:
    """放弃: we stop pursuing the deal, with a reason."""
    require_run(actor, opportunity)
    opp = lock(opportunity)
    if not opp.is_open:
        raise ValidationError(_("The opportunity is closed already."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the deal is abandoned.")})
    opp.close_reason = reason.strip()
    close(
        opp,
        actor=actor,
        status=rules.Status.ABANDONED,
        kind=rules.Move.ABANDONED,
        reason=reason.strip(),
        at=at,
    )
    opportunity.refresh_from_db()
    return opp


@transaction.atomic
def opportunity_reopen(*, actor: User, opportunity: Opportunity, reason: str) -> Opportunity:
    """A lost or abandoned deal comes back, in the stage it left, with a reason. A won deal
    has a signed contract and is not reopened."""
    require_run(actor, opportunity)
    opp = lock(opportunity)
    if opp.status not in (rules.Status.LOST, rules.Status.ABANDONED):
        raise ValidationError(_("Only a lost or abandoned deal can be reopened."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the deal is reopened.")})
    now = timezone.now()
    from_status = opp.status
    opp.status, opp.closed_at = rules.Status.OPEN, None
    opp.loss_reason, opp.winner, opp.close_reason = None, None, ""
    if opp.risk_decision == rules.RiskDecision.ABANDON:
        # The director's abandon decision stands in the assessment's row; a reopened deal
        # needs a new decision before it moves on.
        opp.risk_decision = rules.RiskDecision.PENDING
    opp.stage_entered_at = now
    bump(
        opp,
        actor,
        reason,
        (
            "status",
            "closed_at",
            "loss_reason",
            "winner",
            "close_reason",
            "risk_decision",
            "stage_entered_at",
        ),
    )
    record(
        opp,
        kind=rules.Move.REOPENED,
        actor=actor,
        at=now,
        from_stage=opp.stage,
        from_step=opp.step,
        from_status=from_status,
        reason=reason.strip(),
    )
    opportunity.refresh_from_db()
    return opp
