"""Opening and editing a deal, handing it to another owner, its team."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.core.versioning import save_versioned
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.org.models import User
from keyaccount.process.models import Stage

from .. import permissions, rules
from ..gate import first_step
from ..models import ForecastChange, KeyElement, Opportunity, OpportunityMember
from ._common import bump, lock, record, require, require_run

#: Fields a deal's owner (or their manager) edits on the opportunity form.
DEAL_FIELDS = (
    "name", "amount", "currency", "expected_signing", "products", "source",
    "strategic_fit", "strategic_note", "probability_override", "probability_reason",
)  # fmt: skip


def _apply(opp: Opportunity, data: Mapping[str, Any]) -> None:
    """Set the deal fields ``data`` gives, the name with its spaces collapsed."""
    for field in DEAL_FIELDS:
        if field in data:
            setattr(opp, field, data[field])
    if isinstance(opp.name, str):
        opp.name = " ".join(opp.name.split())


def _validate(opp: Opportunity) -> None:
    """Refuse the deal's fields when ``rules.deal_problems`` finds anything, by field."""
    problems = rules.deal_problems(
        name=opp.name,
        amount=opp.amount,
        expected_signing=opp.expected_signing,
        probability_override=opp.probability_override,
        probability_reason=opp.probability_reason,
    )
    if problems:
        raise ValidationError(problems)


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
    caps = permissions.capabilities_for(actor)
    require(
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
        step=first_step(first),
        stage_entered_at=now,
    )
    _apply(opp, data)
    _validate(opp)
    opp.full_clean(exclude=["stage_entered_at"])
    opp._history_user = actor  # type: ignore[attr-defined]
    opp.save()
    KeyElement.objects.bulk_create(
        KeyElement(opportunity=opp, element=e) for e in rules.Element.values
    )
    record(
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
    rows: list[tuple[str, object, object]] = []
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
    require_run(actor, opportunity)
    before = Opportunity.objects.get(pk=opportunity.pk)
    opp = opportunity
    _apply(opp, data)
    if opp.probability_override is None:
        opp.probability_reason = ""
    _validate(opp)
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
    caps = permissions.capabilities_for(actor)
    require(
        permissions.can_reassign(caps, owner_unit_id=opportunity.owner.unit_id),
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
    opp = lock(opportunity)
    opp.owner = owner
    bump(opp, actor, reason, ("owner",))
    return opp


@transaction.atomic
def member_add(
    *, actor: User, opportunity: Opportunity, user: User, role: str, note: str = ""
) -> OpportunityMember:
    """Put ``user`` on the deal's team in ``role`` (or change their role and note)."""
    require_run(actor, opportunity)
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
    require_run(actor, opportunity)
    OpportunityMember.objects.filter(opportunity=opportunity, user=user).delete()
