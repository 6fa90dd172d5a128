"""What every opportunity service shares: who may run or work on the deal, the refusal of a
gate, the row lock, the version bump and the transition row."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.org.models import User
from keyaccount.process.models import Stage, Step

from .. import permissions, rules
from ..models import Opportunity, OpportunityMember, StageTransition


class GateRefused(ValidationError):
    """A move the gate refuses; ``problems`` lists what is missing, each a sentence."""

    def __init__(self, problems: tuple[str, ...] | list[str]):
        self.problems = list(problems)
        super().__init__(self.problems)


def access(actor: User, opp: Opportunity) -> permissions.DealAccess:
    """What ``actor`` may do to the deal: run it, work on it, override its gates."""
    members = OpportunityMember.objects.filter(opportunity_id=opp.pk).values_list(
        "user_id", flat=True
    )
    return permissions.deal_access(
        permissions.capabilities_for(actor),
        owner_id=opp.owner_id,
        owner_unit_id=opp.owner.unit_id,
        member_ids=members,
    )


def access_many(actor: User, opps: Iterable[Opportunity]) -> dict[int, permissions.DealAccess]:
    """``access`` for many deals (with their owners) in one query, by deal id."""
    deals = {o.pk: o for o in opps}
    members: dict[int, list[int]] = {pk: [] for pk in deals}
    for opp_id, user_id in OpportunityMember.objects.filter(opportunity_id__in=deals).values_list(
        "opportunity_id", "user_id"
    ):
        members[opp_id].append(user_id)
    caps = permissions.capabilities_for(actor)
    return {
        pk: permissions.deal_access(
            caps, owner_id=o.owner_id, owner_unit_id=o.owner.unit_id, member_ids=members[pk]
        )
        for pk, o in deals.items()
    }


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_run(actor: User, opp: Opportunity) -> permissions.DealAccess:
    acc = access(actor, opp)
    require(acc.run, _("Only the deal's owner and their managers may do this."))
    return acc


def require_work(actor: User, opp: Opportunity) -> permissions.DealAccess:
    acc = access(actor, opp)
    require(acc.work, _("Only the deal's team and their managers may do this."))
    return acc


def require_not_closed(opp: Opportunity) -> None:
    """Lost and abandoned deals are closed: reopen them before working on them again. A won
    deal stays workable (implementation)."""
    if opp.status in (rules.Status.LOST, rules.Status.ABANDONED):
        raise ValidationError(_("The opportunity is closed; reopen it first."))


def lock(opp: Opportunity) -> Opportunity:
    return (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("stage", "step", "owner", "customer")
        .get(pk=opp.pk)
    )


def bump(opp: Opportunity, actor: User, reason: str = "", fields: tuple[str, ...] = ()) -> None:
    opp.version += 1
    opp._history_user = actor  # type: ignore[attr-defined]
    if reason:
        opp._change_reason = reason  # type: ignore[attr-defined]
    opp.save(update_fields=[*fields, "version", "updated_at"])


def record(
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
        # kind and reference (and the status an element needed), so that the reader sees what
        # was missing in their own language; the text as it was said, should a reference go
        missing=[
            {
                "kind": m.kind,
                "text": m.text,
                "ref": m.ref,
                **({"detail": m.detail} if m.detail else {}),
            }
            for m in overridden
        ],
    )


def _missing_row(m: rules.Missing) -> dict[str, str]:
    row = {"kind": m.kind, "text": m.text, "ref": m.ref}
    if m.detail:
        row["detail"] = m.detail
    return row


def close(
    opp: Opportunity,
    *,
    actor: User,
    status: str,
    kind: str,
    reason: str,
    at: datetime | None = None,
) -> None:
    """Close the locked deal (lost or abandoned) and leave the transition row."""
    now = at or timezone.now()
    from_status = opp.status
    opp.status, opp.closed_at = status, now
    bump(opp, actor, reason, ("status", "closed_at", "loss_reason", "winner", "close_reason"))
    record(
        opp,
        kind=kind,
        actor=actor,
        at=now,
        from_stage=opp.stage,
        from_step=opp.step,
        from_status=from_status,
        reason=reason,
    )
