"""A won deal's payment milestones: what one is given as (``MilestoneInput``), checking a set
of them against the contract, adding, recording acceptance, invoicing and collection, deleting.
The contract itself is signed by ``moves.opportunity_win``."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.core.versioning import save_versioned
from keyaccount.org.models import User

from .. import rules
from ..models import Contract, PaymentMilestone
from ._common import require_run

MILESTONE_FIELDS = (
    "name", "due_on", "accepted_on", "invoiced_on", "invoiced_amount", "collected_on",
    "collected_amount",
)  # fmt: skip


@dataclass(frozen=True)
class MilestoneInput:
    """A payment milestone as given: an amount or a percentage of the contract, not both."""

    name: str
    due_on: date
    amount: Decimal | None = None
    percentage: Decimal | None = None


def validate_milestones(
    milestones: Sequence[MilestoneInput],
    contract_amount: Decimal,
    already: Decimal = Decimal(0),
) -> list[Decimal]:
    """The amounts of ``milestones`` on a contract of ``contract_amount`` that has ``already``
    on it; refused by milestone (``milestones[1]``, ...) or as a whole (``milestones``) as
    ``rules.milestone_problems`` and ``rules.milestone_total_problems`` say."""
    errors: dict[str, list[str]] = {}
    for i, m in enumerate(milestones, start=1):
        problems = rules.milestone_problems(
            i,
            name=m.name,
            amount=m.amount,
            percentage=m.percentage,
            contract_amount=contract_amount,
        )
        if problems:
            errors[f"milestones[{i}]"] = problems
    if errors:
        raise ValidationError(errors)
    amounts = [
        rules.milestone_amount(
            amount=m.amount, percentage=m.percentage, contract_amount=contract_amount
        )
        for m in milestones
    ]
    total = rules.milestone_total_problems(
        amounts, contract_amount=contract_amount, already=already
    )
    if total:
        raise ValidationError({"milestones": total})
    return amounts


def _contract_access(actor: User, contract: Contract) -> None:
    require_run(actor, contract.opportunity)


@transaction.atomic
def milestone_add(*, actor: User, contract: Contract, data: MilestoneInput) -> PaymentMilestone:
    """One more payment milestone on the contract, last in order; all of them together stay
    within the contract's amount."""
    _contract_access(actor, contract)
    already = sum((m.amount for m in contract.milestones.all()), Decimal(0))
    (amount,) = validate_milestones([data], contract.amount, already)
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
    problems = rules.milestone_state_problems(
        amount=milestone.amount,
        accepted_on=milestone.accepted_on,
        invoiced_on=milestone.invoiced_on,
        invoiced_amount=milestone.invoiced_amount,
        collected_on=milestone.collected_on,
        collected_amount=milestone.collected_amount,
        today=timezone.localdate(),
    )
    if problems:
        raise ValidationError(problems)
    save_versioned(milestone, expected_version=expected_version, actor=actor)
    return milestone


@transaction.atomic
def milestone_delete(*, actor: User, milestone: PaymentMilestone) -> None:
    """Delete a milestone nothing was invoiced or collected on."""
    _contract_access(actor, milestone.contract)
    if milestone.collected_amount or milestone.invoiced_on:
        raise ValidationError(_("An invoiced or collected milestone cannot be deleted."))
    milestone.delete()
