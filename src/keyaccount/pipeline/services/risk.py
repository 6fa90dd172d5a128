"""The risk assessment form, its classing by the policy's thresholds, and a sales director's
decision on a high-risk deal."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.core import events
from keyaccount.org import notifications
from keyaccount.org.models import User
from keyaccount.org.selectors import directors_covering

from .. import notices, rules
from ..models import Opportunity, PipelinePolicy, RiskAssessment, RiskFactor, RiskScore
from ._common import access, bump, close, lock, require, require_work


def policy() -> PipelinePolicy:
    """The pipeline's policy row (made with its defaults when there is none yet)."""
    return PipelinePolicy.objects.order_by("pk").first() or PipelinePolicy.objects.create()


def thresholds() -> rules.RiskThresholds:
    """The policy's risk thresholds, for ``rules.risk_level``."""
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
    require_work(actor, opportunity)
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
    opp = lock(opportunity)
    # The latest assessment (by date, then entry) counts: a backdated form is kept but does
    # not replace a later one's level or pending decision.
    latest = (
        RiskAssessment.objects.filter(opportunity_id=opp.pk).order_by("-assessed_on", "-id").first()
        or assessment
    )
    opp.risk_level = latest.level
    opp.risk_decision = latest.decision
    bump(
        opp,
        actor,
        events.event(notices.EVENT_RISK_ASSESSED, level=assessment.level),
        ("risk_level", "risk_decision"),
    )
    if assessment.decision == rules.RiskDecision.PENDING and latest.pk == assessment.pk:
        notifications.notify(
            kind=notices.RISK_DECISION_REQUESTED,
            recipients=directors_covering(opp.owner.unit_id),
            params={
                "deal": opp.name,
                "customer": opp.customer.name,
                "actor": str(actor),
                "total": str(assessment.total),
            },
            url=reverse("pipeline:detail", args=[opp.pk]) + "?tab=risk",
            actor=actor,
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
    require(acc.override, _("Only a sales director decides on a high-risk deal."))
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
    notifications.notify(
        kind=notices.RISK_CONTINUED
        if decision == rules.RiskDecision.CONTINUE
        else notices.RISK_ABANDONED,
        recipients=[opp.owner, assessment.assessed_by],
        params={"deal": opp.name, "actor": str(actor), "reason": reason.strip()},
        url=reverse("pipeline:detail", args=[opp.pk]) + "?tab=risk",
        actor=actor,
    )
    if latest is not None and latest.pk == assessment.pk:
        locked = lock(opp)
        locked.risk_decision = decision
        bump(locked, actor, reason, ("risk_decision",))
        if decision == rules.RiskDecision.ABANDON and locked.is_open:
            locked.close_reason = reason.strip()
            close(
                locked,
                actor=actor,
                status=rules.Status.ABANDONED,
                kind=rules.Move.ABANDONED,
                reason=reason.strip(),
            )
    return assessment
