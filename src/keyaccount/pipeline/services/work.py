"""The deal team's work on a deal: the exit-criteria checklist, the key evaluation elements,
competitors (and the competitor catalogue), buying roles, follow-up entries."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.contacts.models import Contact
from keyaccount.org.models import User
from keyaccount.process.evidence import describe
from keyaccount.process.models import ExitCriterion

from .. import permissions, rules
from ..gate import tickers, who_may_tick
from ..models import (
    BuyingRoleEntry,
    Competitor,
    CriterionCheck,
    FollowUp,
    KeyElement,
    Opportunity,
    OpportunityCompetitor,
    OpportunityMember,
)
from ._common import require, require_not_closed, require_work

BUYING_FIELDS = (
    "role",
    "influence",
    "attitude",
    "personal_motives",
    "organisational_goals",
    "notes",
)


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
    acc = require_work(actor, opportunity)
    require_not_closed(opportunity)
    if criterion.stage_id != opportunity.stage_id:
        raise ValidationError(
            {"criterion": _("That criterion belongs to another stage than the deal's.")}
        )
    if criterion.evidence:
        raise ValidationError(
            {
                "criterion": _(
                    "“%(criterion)s” is answered by the record (met when %(evidence)s): it "
                    "cannot be ticked by hand."
                )
                % {"criterion": criterion.text, "evidence": describe(criterion.evidence)}
            }
        )
    who = tickers(criterion)
    team_role = (
        OpportunityMember.objects.filter(opportunity=opportunity, user=actor)
        .values_list("role", flat=True)
        .first()
    )
    held = permissions.roles_held(permissions.capabilities_for(actor), team_role)
    require(
        permissions.may_tick(acc, responsible=who, held=held),
        who_may_tick(criterion, who),
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
    """How well a key evaluation element of the deal is known, with notes."""
    require_work(actor, opportunity)
    require_not_closed(opportunity)
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


# --- competitors ----------------------------------------------------------------------------


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
    """A catalogue competitor on the deal: its strength against us and both strategies."""
    require_work(actor, opportunity)
    require_not_closed(opportunity)
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
    require_work(actor, opportunity)
    require_not_closed(opportunity)
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


@transaction.atomic
def competitor_remove(*, actor: User, opportunity: Opportunity, competitor: Competitor) -> None:
    require_work(actor, opportunity)
    require_not_closed(opportunity)
    OpportunityCompetitor.objects.filter(opportunity=opportunity, competitor=competitor).delete()


@transaction.atomic
def competitor_register(*, actor: User, name: str, short_name: str = "") -> Competitor:
    """Add a company to the competitor catalogue (or return it when already there)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("The competitor needs a name.")})
    require(
        permissions.may_register_competitors(permissions.capabilities_for(actor)),
        _("Only sales staff add competitors."),
    )
    existing = Competitor.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    comp = Competitor(name=name, short_name=short_name.strip()[:40])
    comp._history_user = actor  # type: ignore[attr-defined]
    comp.save()
    return comp


# --- buying roles, follow-ups ---------------------------------------------------------------


@transaction.atomic
def buying_role_set(
    *, actor: User, opportunity: Opportunity, contact: Contact, data: Mapping[str, Any]
) -> BuyingRoleEntry:
    """A contact's buying role, influence, attitude and motives in this deal."""
    require_work(actor, opportunity)
    require_not_closed(opportunity)
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
    require_work(actor, opportunity)
    require_not_closed(opportunity)
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
    require_work(actor, opportunity)
    require_not_closed(opportunity)
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
