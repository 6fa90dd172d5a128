"""Every write about opportunities. Keyword-only, atomic, ``actor=`` first; every state change
leaves a row (rule 3): transitions, overrides, checks, risk decisions, forecast changes.

The gate is decided by ``rules.decide_move`` / ``rules.decide_win`` on ``gate.gate_input``;
pages and the API call these functions, so the gate is enforced once.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.contacts.models import Contact
from keyaccount.core.versioning import save_versioned
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.org.models import User
from keyaccount.process.models import ExitCriterion, Stage, Step

from . import permissions, rules
from .gate import gate_input, move_target, stage_orders
from .models import (
    BuyingRoleEntry,
    Competitor,
    Contract,
    CriterionCheck,
    FollowUp,
    ForecastChange,
    KeyElement,
    LossReason,
    Opportunity,
    OpportunityCompetitor,
    OpportunityMember,
    PaymentMilestone,
    PipelinePolicy,
    RiskAssessment,
    RiskFactor,
    RiskScore,
    StageTransition,
)

#: Fields a deal's owner (or their manager) edits on the opportunity form.
DEAL_FIELDS = (
    "name", "amount", "currency", "expected_signing", "products", "source",
    "strategic_fit", "strategic_note", "probability_override", "probability_reason",
)  # fmt: skip


class GateRefused(ValidationError):
    """A move the gate refuses; ``problems`` lists what is missing, each a sentence."""

    def __init__(self, problems: tuple[str, ...] | list[str]):
        self.problems = list(problems)
        super().__init__(self.problems)


# --- helpers --------------------------------------------------------------------------------


def _caps(actor: User) -> permissions.Capabilities:
    return permissions.capabilities_for(actor)


def access(actor: User, opp: Opportunity) -> permissions.DealAccess:
    members = OpportunityMember.objects.filter(opportunity_id=opp.pk).values_list(
        "user_id", flat=True
    )
    return permissions.deal_access(
        _caps(actor), owner_id=opp.owner_id, owner_unit_id=opp.owner.unit_id, member_ids=members
    )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_run(actor: User, opp: Opportunity) -> permissions.DealAccess:
    acc = access(actor, opp)
    _require(acc.run, _("Only the deal's owner and their managers may do this."))
    return acc


def _require_work(actor: User, opp: Opportunity) -> permissions.DealAccess:
    acc = access(actor, opp)
    _require(acc.work, _("Only the deal's team and their managers may do this."))
    return acc


def _require_not_closed(opp: Opportunity) -> None:
    """Lost and abandoned deals are closed: reopen them before working on them again. A won
    deal stays workable (implementation)."""
    if opp.status in (rules.Status.LOST, rules.Status.ABANDONED):
        raise ValidationError(_("The opportunity is closed; reopen it first."))


def _lock(opp: Opportunity) -> Opportunity:
    return (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("stage", "step", "owner", "customer")
        .get(pk=opp.pk)
    )


def _bump(opp: Opportunity, actor: User, reason: str = "", fields: tuple[str, ...] = ()) -> None:
    opp.version += 1
    opp._history_user = actor  # type: ignore[attr-defined]
    if reason:
        opp._change_reason = reason  # type: ignore[attr-defined]
    opp.save(update_fields=[*fields, "version", "updated_at"])


def _first_step(stage: Stage) -> Step | None:
    return Step.objects.filter(stage=stage).order_by("order").first()


def _record(
    opp: Opportunity,
    *,
    kind: str,
    actor: User | None,
    at: datetime,
    from_stage: Stage | None,
    from_step: Step | None,
    from_status: str,
    reason: str = "",
    overridden: tuple[rules.Missing, ...] = (),
) -> StageTransition:
    return StageTransition.objects.create(
        opportunity=opp,
        kind=kind,
        from_stage=from_stage,
        from_step=from_step,
        to_stage=opp.stage,
        to_step=opp.step,
        from_status=from_status,
        to_status=opp.status,
        actor=actor,
        at=at,
        reason=reason,
        overridden=bool(overridden),
        missing=[{"kind": m.kind, "text": m.text, "ref": m.ref} for m in overridden],
    )


def _validate_deal(opp: Opportunity) -> None:
    errors: dict[str, list[str]] = {}
    if not (opp.name or "").strip():
        errors.setdefault("name", []).append(_("The opportunity needs a name."))
    if opp.amount is None:
        errors.setdefault("amount", []).append(_("Give the expected amount."))
    elif opp.amount < 0:
        errors.setdefault("amount", []).append(_("The amount cannot be negative."))
    if opp.expected_signing is None:
        errors.setdefault("expected_signing", []).append(_("Give the expected signing date."))
    if opp.probability_override is not None:
        if not 0 <= opp.probability_override <= 100:
            errors.setdefault("probability_override", []).append(
                _("A probability is between 0 and 100.")
            )
        elif not (opp.probability_reason or "").strip():
            errors.setdefault("probability_reason", []).append(
                _("Say why the probability differs from the stage's.")
            )
    if errors:
        raise ValidationError(errors)


# --- creating and editing -------------------------------------------------------------------


@transaction.atomic
def opportunity_create(
    *,
    actor: User,
    customer: Customer,
    data: Mapping[str, Any],
    owner: User | None = None,
    at: datetime | None = None,
) -> Opportunity:
    """Open a deal on a registered customer, in the first stage and step, with the six key
    evaluation elements unknown and a ``created`` transition."""
    caps = _caps(actor)
    _require(
        permissions.can_open_deal(
            caps, customer_owner_id=customer.owner_id, owner_unit_id=customer.owner.unit_id
        ),
        _("Only the customer's owner and their managers open opportunities on it."),
    )
    if customer.status != RegistrationStatus.REGISTERED:
        raise ValidationError(
            {"customer": _("“%(name)s” is not registered yet.") % {"name": customer.name}}
        )
    now = at or timezone.now()
    first = Stage.objects.order_by("order").first()
    if first is None:
        raise ValidationError(_("The playbook has no stages; ask an administrator."))
    opp = Opportunity(
        customer=customer,
        owner=owner or (actor if caps.sells else customer.owner),
        stage=first,
        step=_first_step(first),
        stage_entered_at=now,
    )
    for field in DEAL_FIELDS:
        if field in data:
            setattr(opp, field, data[field])
    if isinstance(opp.name, str):
        opp.name = " ".join(opp.name.split())
    _validate_deal(opp)
    opp.full_clean(exclude=["stage_entered_at"])
    opp._history_user = actor  # type: ignore[attr-defined]
    opp.save()
    KeyElement.objects.bulk_create(
        KeyElement(opportunity=opp, element=e) for e in rules.Element.values
    )
    _record(
        opp,
        kind=rules.Move.CREATED,
        actor=actor,
        at=now,
        from_stage=None,
        from_step=None,
        from_status="",
    )
    return opp


def _forecast_rows(
    before: Opportunity, after: Opportunity, actor: User, reason: str, now: datetime
) -> list[ForecastChange]:
    rows = []
    if before.amount != after.amount:
        rows.append(("amount", before.amount, after.amount))
    if before.expected_signing != after.expected_signing:
        rows.append(("expected_signing", before.expected_signing, after.expected_signing))
    if before.probability_override != after.probability_override:
        rows.append(("probability", before.probability_override, after.probability_override))
    return [
        ForecastChange(
            opportunity=after,
            field=field,
            old_value="" if old is None else str(old),
            new_value="" if new is None else str(new),
            changed_by=actor,
            changed_at=now,
            reason=reason,
        )
        for field, old, new in rows
    ]


@transaction.atomic
def opportunity_update(
    *,
    actor: User,
    opportunity: Opportunity,
    data: Mapping[str, Any],
    expected_version: int,
    reason: str = "",
) -> Opportunity:
    """Edit the deal. Amount, signing date and probability changes leave forecast rows; a
    signing date moved later counts as a slip. Refused on a stale version (no lost update)."""
    _require_run(actor, opportunity)
    before = Opportunity.objects.get(pk=opportunity.pk)
    opp = opportunity
    for field in DEAL_FIELDS:
        if field in data:
            setattr(opp, field, data[field])
    if opp.probability_override is None:
        opp.probability_reason = ""
    if isinstance(opp.name, str):
        opp.name = " ".join(opp.name.split())
    _validate_deal(opp)
    now = timezone.now()
    changes = _forecast_rows(before, opp, actor, reason, now)
    if (
        before.expected_signing
        and opp.expected_signing
        and opp.expected_signing > before.expected_signing
    ):
        opp.signing_slips = before.signing_slips + 1
    save_versioned(opp, expected_version=expected_version, actor=actor, reason=reason)
    ForecastChange.objects.bulk_create(changes)
    return opp


@transaction.atomic
def opportunity_reassign(
    *, actor: User, opportunity: Opportunity, owner: User, reason: str
) -> Opportunity:
    """Hand the deal to another manager (their managers or the department head decide)."""
    caps = _caps(actor)
    _require(
        caps.manages(opportunity.owner.unit_id),
        _("Only the owner's managers may hand the deal to someone else."),
    )
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the deal changes hands.")})
    if not owner.is_active:
        raise ValidationError({"owner": _("%(user)s is not active.") % {"user": owner}})
    sells = owner.role_assignments.filter(role__code__in=permissions.SELLING_ROLES).exists()
    if not sells or not (caps.everything or caps.manages(owner.unit_id)):
        raise ValidationError(
            {
                "owner": _(
                    "%(user)s cannot take this deal: choose a key account manager or "
                    "account manager in a team you manage."
                )
                % {"user": owner}
            }
        )
    opp = _lock(opportunity)
    opp.owner = owner
    _bump(opp, actor, reason, ("owner",))
    return opp


@transaction.atomic
def member_add(
    *, actor: User, opportunity: Opportunity, user: User, role: str, note: str = ""
) -> OpportunityMember:
    _require_run(actor, opportunity)
    if user.pk == opportunity.owner_id:
        raise ValidationError({"user": _("The owner is on the team already.")})
    if role not in rules.TeamRole.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    if not user.is_active:
        raise ValidationError({"user": _("%(user)s is not active.") % {"user": user}})
    member, _created = OpportunityMember.objects.update_or_create(
        opportunity=opportunity, user=user, defaults={"role": role, "note": note.strip()}
    )
    return member


@transaction.atomic
def member_remove(*, actor: User, opportunity: Opportunity, user: User) -> None:
    _require_run(actor, opportunity)
    OpportunityMember.objects.filter(opportunity=opportunity, user=user).delete()


# --- checklist, elements, competitors, buying roles, follow-ups -----------------------------


@transaction.atomic
def criterion_set(
    *,
    actor: User,
    opportunity: Opportunity,
    criterion: ExitCriterion,
    checked: bool,
    note: str = "",
    at: datetime | None = None,
) -> CriterionCheck | None:
    """Check (with who/when and an optional note) or uncheck an exit criterion. A won deal
    keeps its checklist in implementation (its steps move on it); lost and abandoned deals
    are closed."""
    _require_work(actor, opportunity)
    if opportunity.status not in (rules.Status.OPEN, rules.Status.WON):
        raise ValidationError(_("The opportunity is closed; reopen it first."))
    if criterion.stage_id != opportunity.stage_id:
        raise ValidationError(
            {"criterion": _("That criterion belongs to another stage than the deal's.")}
        )
    existing = CriterionCheck.objects.filter(opportunity=opportunity, criterion=criterion)
    if not checked:
        for row in existing:
            row._history_user = actor  # type: ignore[attr-defined]
            row.delete()
        return None
    row = existing.first() or CriterionCheck(opportunity=opportunity, criterion=criterion)
    row.checked_by = actor
    row.checked_at = at or timezone.now()
    row.note = note.strip()[:300]
    row._history_user = actor  # type: ignore[attr-defined]
    row.save()
    return row


@transaction.atomic
def element_set(
    *, actor: User, opportunity: Opportunity, element: str, status: str, notes: str
) -> KeyElement:
    _require_work(actor, opportunity)
    _require_not_closed(opportunity)
    if element not in rules.Element.values:
        raise ValidationError({"element": _("Unknown key evaluation element.")})
    if status not in rules.Knowledge.values:
        raise ValidationError({"status": _("Choose unknown, partly known or confirmed.")})
    row, _created = KeyElement.objects.get_or_create(opportunity=opportunity, element=element)
    row.status = status
    row.notes = notes.strip()
    row.updated_by = actor
    row.updated_at = timezone.now()
    row._history_user = actor  # type: ignore[attr-defined]
    row.save()
    return row


@transaction.atomic
def competitor_set(
    *,
    actor: User,
    opportunity: Opportunity,
    competitor: Competitor,
    strength: str,
    their_strategy: str = "",
    our_strategy: str = "",
) -> OpportunityCompetitor:
    _require_work(actor, opportunity)
    _require_not_closed(opportunity)
    if strength not in rules.Strength.values:
        raise ValidationError({"strength": _("Choose stronger, about equal or weaker.")})
    row, _created = OpportunityCompetitor.objects.get_or_create(
        opportunity=opportunity, competitor=competitor, defaults={"strength": strength}
    )
    row.strength = strength
    row.their_strategy = their_strategy.strip()
    row.our_strategy = our_strategy.strip()
    row.updated_by = actor
    row._history_user = actor  # type: ignore[attr-defined]
    row.save()
    return row


@transaction.atomic
def competitor_remove(*, actor: User, opportunity: Opportunity, competitor: Competitor) -> None:
    _require_work(actor, opportunity)
    _require_not_closed(opportunity)
    OpportunityCompetitor.objects.filter(opportunity=opportunity, competitor=competitor).delete()


@transaction.atomic
def competitor_register(*, actor: User, name: str, short_name: str = "") -> Competitor:
    """Add a company to the competitor catalogue (or return it when already there)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("The competitor needs a name.")})
    _require(
        _caps(actor).sells or _caps(actor).everything or bool(_caps(actor).managed_unit_ids),
        _("Only sales staff add competitors."),
    )
    existing = Competitor.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    comp = Competitor(name=name, short_name=short_name.strip()[:40])
    comp._history_user = actor  # type: ignore[attr-defined]
    comp.save()
    return comp


BUYING_FIELDS = (
    "role",
    "influence",
    "attitude",
    "personal_motives",
    "organisational_goals",
    "notes",
)


@transaction.atomic
def buying_role_set(
    *, actor: User, opportunity: Opportunity, contact: Contact, data: Mapping[str, Any]
) -> BuyingRoleEntry:
    """A contact's buying role, influence, attitude and motives in this deal."""
    _require_work(actor, opportunity)
    _require_not_closed(opportunity)
    if contact.customer_id != opportunity.customer_id:
        raise ValidationError(
            {"contact": _("%(contact)s works for another customer.") % {"contact": contact}}
        )
    row = BuyingRoleEntry.objects.filter(opportunity=opportunity, contact=contact).first()
    row = row or BuyingRoleEntry(opportunity=opportunity, contact=contact)
    for field in BUYING_FIELDS:
        if field in data:
            value = data[field]
            setattr(row, field, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list[str]] = {}
    for field, choices in (
        ("role", rules.BuyingRole),
        ("influence", rules.Influence),
        ("attitude", rules.Attitude),
    ):
        if getattr(row, field) not in choices.values:
            errors[field] = [_("Choose a value from the list.")]
    if errors:
        raise ValidationError(errors)
    row.updated_by = actor
    row._history_user = actor  # type: ignore[attr-defined]
    row.save()
    return row


@transaction.atomic
def buying_role_remove(*, actor: User, opportunity: Opportunity, contact: Contact) -> None:
    _require_work(actor, opportunity)
    _require_not_closed(opportunity)
    BuyingRoleEntry.objects.filter(opportunity=opportunity, contact=contact).delete()


@transaction.atomic
def follow_up_add(
    *,
    actor: User,
    opportunity: Opportunity,
    on: date,
    progress: str,
    next_steps: str = "",
    support_needed: str = "",
) -> FollowUp:
    """An entry of the KA follow-up form (大客户跟进表)."""
    _require_work(actor, opportunity)
    _require_not_closed(opportunity)
    if not progress.strip():
        raise ValidationError({"progress": _("Say what progressed.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("A follow-up entry cannot be dated in the future.")})
    entry = FollowUp(
        opportunity=opportunity,
        on=on,
        progress=progress.strip(),
        next_steps=next_steps.strip(),
        support_needed=support_needed.strip(),
        author=actor,
    )
    entry._history_user = actor  # type: ignore[attr-defined]
    entry.save()
    return entry


# --- risk -----------------------------------------------------------------------------------


def policy() -> PipelinePolicy:
    return PipelinePolicy.objects.order_by("pk").first() or PipelinePolicy.objects.create()


def thresholds() -> rules.RiskThresholds:
    p = policy()
    return rules.RiskThresholds(medium_from=p.risk_medium_from, high_from=p.risk_high_from)


@dataclass(frozen=True)
class ScoreInput:
    score: int
    note: str = ""


@transaction.atomic
def risk_assess(
    *,
    actor: User,
    opportunity: Opportunity,
    assessed_on: date,
    scores: Mapping[str, ScoreInput],
    summary: str = "",
) -> RiskAssessment:
    """Fill the risk assessment form. Every active factor needs a score 0–5; the weighted total
    classes the risk. High risk asks a sales director to decide (the deal waits until then)."""
    _require_work(actor, opportunity)
    if not opportunity.is_open:
        raise ValidationError(_("The opportunity is closed; reopen it first."))
    factors = list(RiskFactor.objects.filter(is_active=True).order_by("order", "code"))
    errors: dict[str, list[str]] = {}
    for f in factors:
        given = scores.get(f.code)
        if given is None:
            errors[f.code] = [_("Score “%(factor)s” (0–5).") % {"factor": f.name}]
        elif not 0 <= given.score <= rules.RISK_MAX_SCORE:
            errors[f.code] = [
                _("“%(factor)s”: a score is between 0 and 5 (got %(value)s).")
                % {"factor": f.name, "value": given.score}
            ]
    unknown = sorted(set(scores) - {f.code for f in factors})
    if unknown:
        errors["__all__"] = [_("Unknown risk factors: %(codes)s") % {"codes": ", ".join(unknown)}]
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = [_("An assessment cannot be dated in the future.")]
    if errors:
        raise ValidationError(errors)
    weights = {f.code: f.weight for f in factors}
    total = rules.risk_total({c: s.score for c, s in scores.items()}, weights)
    level = rules.risk_level(total, thresholds())
    decision = (
        rules.RiskDecision.PENDING
        if level == rules.RiskLevel.HIGH
        else rules.RiskDecision.NOT_NEEDED
    )
    assessment = RiskAssessment(
        opportunity=opportunity,
        assessed_on=assessed_on,
        assessed_by=actor,
        total=total,
        level=level,
        summary=summary.strip(),
        decision=decision,
    )
    assessment._history_user = actor  # type: ignore[attr-defined]
    assessment.save()
    RiskScore.objects.bulk_create(
        RiskScore(
            assessment=assessment,
            factor=f,
            score=scores[f.code].score,
            weight=f.weight,
            note=scores[f.code].note.strip()[:300],
        )
        for f in factors
    )
    opp = _lock(opportunity)
    # The latest assessment (by date, then entry) counts: a backdated form is kept but does
    # not replace a later one's level or pending decision.
    latest = (
        RiskAssessment.objects.filter(opportunity_id=opp.pk).order_by("-assessed_on", "-id").first()
        or assessment
    )
    opp.risk_level = latest.level
    opp.risk_decision = latest.decision
    _bump(
        opp,
        actor,
        _("Risk assessed: %(level)s") % {"level": assessment.get_level_display()},
        ("risk_level", "risk_decision"),
    )
    opportunity.refresh_from_db()
    return assessment


@transaction.atomic
def risk_decide(
    *, actor: User, assessment: RiskAssessment, decision: str, reason: str
) -> RiskAssessment:
    """A sales director decides a high-risk deal: continue, or abandon (which closes it)."""
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    opp = assessment.opportunity
    acc = access(actor, opp)
    _require(acc.override, _("Only a sales director decides on a high-risk deal."))
    if assessment.decision != rules.RiskDecision.PENDING:
        raise ValidationError(
            _("This assessment was already decided (%(decision)s) by %(who)s.")
            % {"decision": assessment.get_decision_display(), "who": assessment.decided_by}
        )
    if decision not in (rules.RiskDecision.CONTINUE, rules.RiskDecision.ABANDON):
        raise ValidationError({"decision": _("Choose continue or abandon.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the decision.")})
    latest = RiskAssessment.objects.filter(opportunity=opp).order_by("-assessed_on", "-id").first()
    assessment.decision = decision
    assessment.decided_by = actor
    assessment.decided_at = timezone.now()
    assessment.decision_reason = reason.strip()
    assessment._history_user = actor  # type: ignore[attr-defined]
    assessment.save()
    if latest is not None and latest.pk == assessment.pk:
        locked = _lock(opp)
        locked.risk_decision = decision
        _bump(locked, actor, reason, ("risk_decision",))
        if decision == rules.RiskDecision.ABANDON and locked.is_open:
            locked.close_reason = reason.strip()
            _close(
                locked,
                actor=actor,
                status=rules.Status.ABANDONED,
                kind=rules.Move.ABANDONED,
                reason=reason.strip(),
            )
    return assessment


# --- moving through the gates ---------------------------------------------------------------


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
    acc = _require_run(actor, opportunity)
    opp = _lock(opportunity)
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
        _bump(opp, actor, reason, ("step",))
    else:
        opp.stage, opp.step, opp.stage_entered_at = target, step, now
        _bump(opp, actor, reason, ("stage", "step", "stage_entered_at"))
    transition = _record(
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


@dataclass(frozen=True)
class MilestoneInput:
    name: str
    due_on: date
    amount: Decimal | None = None
    percentage: Decimal | None = None


def _validate_milestones(
    milestones: list[MilestoneInput], contract_amount: Decimal, already: Decimal = Decimal(0)
) -> list[Decimal]:
    errors: dict[str, list[str]] = {}
    amounts: list[Decimal] = []
    for i, m in enumerate(milestones, start=1):
        key = f"milestones[{i}]"
        if not m.name.strip():
            errors.setdefault(key, []).append(_("Milestone %(n)s needs a name.") % {"n": i})
        if m.amount is None and m.percentage is None:
            errors.setdefault(key, []).append(
                _("Milestone %(n)s needs an amount or a percentage.") % {"n": i}
            )
            continue
        if m.percentage is not None and not Decimal(0) < m.percentage <= Decimal(100):
            errors.setdefault(key, []).append(
                _("Milestone %(n)s: a percentage is above 0 and at most 100.") % {"n": i}
            )
            continue
        value = rules.milestone_amount(
            amount=m.amount, percentage=m.percentage, contract_amount=contract_amount
        )
        if value <= 0:
            errors.setdefault(key, []).append(
                _("Milestone %(n)s: the amount must be above zero.") % {"n": i}
            )
        amounts.append(value)
    if not errors and already + sum(amounts, Decimal(0)) > contract_amount:
        errors["milestones"] = [
            _("The milestones add up to %(sum)s, more than the contract's %(amount)s.")
            % {"sum": already + sum(amounts, Decimal(0)), "amount": contract_amount}
        ]
    if errors:
        raise ValidationError(errors)
    return amounts


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
    acc = _require_run(actor, opportunity)
    opp = _lock(opportunity)
    errors: dict[str, list[str]] = {}
    number = " ".join((contract_number or "").split())
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
    if errors:
        raise ValidationError(errors)
    amounts = _validate_milestones(milestones or [], signed_amount)
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
            reason=_("Contract %(number)s signed") % {"number": number},
        )
        opp.amount = signed_amount
    _bump(
        opp, actor, reason, ("stage", "step", "stage_entered_at", "status", "closed_at", "amount")
    )
    _record(
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


def _close(
    opp: Opportunity,
    *,
    actor: User,
    status: str,
    kind: str,
    reason: str,
    at: datetime | None = None,
) -> None:
    now = at or timezone.now()
    from_status = opp.status
    opp.status, opp.closed_at = status, now
    _bump(opp, actor, reason, ("status", "closed_at", "loss_reason", "winner", "close_reason"))
    _record(
        opp,
        kind=kind,
        actor=actor,
        at=now,
        from_stage=opp.stage,
        from_step=opp.step,
        from_status=from_status,
        reason=reason,
    )


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
    _require_run(actor, opportunity)
    opp = _lock(opportunity)
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
    _close(
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
    _require_run(actor, opportunity)
    opp = _lock(opportunity)
    if not opp.is_open:
        raise ValidationError(_("The opportunity is closed already."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the deal is abandoned.")})
    opp.close_reason = reason.strip()
    _close(
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
    _require_run(actor, opportunity)
    opp = _lock(opportunity)
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
    _bump(
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
    _record(
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


# --- payment milestones ---------------------------------------------------------------------

MILESTONE_FIELDS = (
    "name", "due_on", "accepted_on", "invoiced_on", "invoiced_amount", "collected_on",
    "collected_amount",
)  # fmt: skip


def _contract_access(actor: User, contract: Contract) -> None:
    _require_run(actor, contract.opportunity)


@transaction.atomic
def milestone_add(*, actor: User, contract: Contract, data: MilestoneInput) -> PaymentMilestone:
    _contract_access(actor, contract)
    already = sum((m.amount for m in contract.milestones.all()), Decimal(0))
    (amount,) = _validate_milestones([data], contract.amount, already)
    order = (
        contract.milestones.order_by("-order").values_list("order", flat=True).first() or 0
    ) + 1
    milestone = PaymentMilestone(
        contract=contract,
        order=order,
        name=data.name.strip(),
        percentage=data.percentage,
        amount=amount,
        due_on=data.due_on,
    )
    milestone._history_user = actor  # type: ignore[attr-defined]
    milestone.save()
    return milestone


def _validate_milestone_state(m: PaymentMilestone) -> None:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    for field in ("accepted_on", "invoiced_on", "collected_on"):
        value = getattr(m, field)
        if value is not None and value > today:
            errors[field] = [_("This date cannot be in the future.")]
    if m.collected_amount is not None:
        if m.collected_amount <= 0:
            errors["collected_amount"] = [_("A collected amount is above zero.")]
        elif m.collected_amount > m.amount:
            errors["collected_amount"] = [
                _("More than the milestone's %(amount)s cannot be collected on it.")
                % {"amount": m.amount}
            ]
        if m.collected_on is None:
            errors["collected_on"] = [_("Give the date the money came in.")]
    elif m.collected_on is not None:
        errors["collected_amount"] = [_("Give the amount collected.")]
    if m.invoiced_amount is not None and m.invoiced_on is None:
        errors["invoiced_on"] = [_("Give the date of the invoice.")]
    if m.invoiced_amount is not None and m.invoiced_amount > m.amount:
        errors["invoiced_amount"] = [
            _("More than the milestone's %(amount)s cannot be invoiced on it.")
            % {"amount": m.amount}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def milestone_update(
    *, actor: User, milestone: PaymentMilestone, data: Mapping[str, Any], expected_version: int
) -> PaymentMilestone:
    """Record acceptance, invoicing and collection (or correct the name and due date)."""
    _contract_access(actor, milestone.contract)
    for field in MILESTONE_FIELDS:
        if field in data:
            value = data[field]
            setattr(milestone, field, value.strip() if isinstance(value, str) else value)
    if not milestone.name:
        raise ValidationError({"name": _("The milestone needs a name.")})
    _validate_milestone_state(milestone)
    save_versioned(milestone, expected_version=expected_version, actor=actor)
    return milestone


@transaction.atomic
def milestone_delete(*, actor: User, milestone: PaymentMilestone) -> None:
    _contract_access(actor, milestone.contract)
    if milestone.collected_amount or milestone.invoiced_on:
        raise ValidationError(_("An invoiced or collected milestone cannot be deleted."))
    milestone.delete()


@transaction.atomic
def competitor_add(
    *,
    actor: User,
    opportunity: Opportunity,
    competitor: Competitor | None = None,
    new_name: str = "",
    strength: str,
    their_strategy: str = "",
    our_strategy: str = "",
) -> OpportunityCompetitor:
    """A competitor present on the deal, chosen from the catalogue or typed as a new name
    (added to the catalogue): one transaction, so a refusal leaves the catalogue alone."""
    _require_work(actor, opportunity)
    _require_not_closed(opportunity)
    if competitor is None:
        competitor = competitor_register(actor=actor, name=new_name)
    return competitor_set(
        actor=actor,
        opportunity=opportunity,
        competitor=competitor,
        strength=strength,
        their_strategy=their_strategy,
        our_strategy=our_strategy,
    )
