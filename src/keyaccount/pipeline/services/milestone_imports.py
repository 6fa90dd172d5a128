"""Payment milestones brought in from another system (an import file): each on its contract
with its due date and, where the file says so, its acceptance, invoice and collection, checked
as ``milestone_add`` and ``milestone_update`` check one, and written set-based through
``core.bulk`` with their created history rows.

All or none: a contract the actor may not run, amounts past the contract's, a state that
cannot be (collected in the future, more than the amount …) refuse the lot with the messages
under ``<position>.<field>`` (positions from 1)."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.core import bulk
from keyaccount.org.models import User

from .. import rules
from ..models import Contract, PaymentMilestone
from ._common import access_many
from .contracts import MilestoneInput, validate_milestones

CHUNK = 2000


@dataclass(frozen=True)
class ImportedMilestone:
    contract: Contract  # with its opportunity
    name: str
    due_on: date
    amount: Decimal | None = None
    percentage: Decimal | None = None
    accepted_on: date | None = None
    invoiced_on: date | None = None
    invoiced_amount: Decimal | None = None
    collected_on: date | None = None
    collected_amount: Decimal | None = None


def _check(actor: User, items: Sequence[ImportedMilestone]) -> list[Decimal]:
    """The milestones' amounts, or the lot refused by position and field."""
    errors: dict[str, list[str]] = {}
    runs = access_many(actor, (i.contract.opportunity for i in items))
    by_contract: dict[int, list[int]] = defaultdict(list)
    for position, item in enumerate(items, start=1):
        if not runs[item.contract.opportunity_id].run:
            errors.setdefault(f"{position}.contract", []).append(
                _("Only the deal's owner and their managers may do this.")
            )
        by_contract[item.contract.pk].append(position)
    already = dict(
        PaymentMilestone.objects.filter(contract_id__in=by_contract)
        .values("contract_id")
        .annotate(total=Sum("amount"))
        .values_list("contract_id", "total")
    )
    amounts: dict[int, Decimal | None] = {}
    today = timezone.localdate()
    for contract_id, positions in by_contract.items():
        contract = items[positions[0] - 1].contract
        given = [
            MilestoneInput(
                name=items[p - 1].name,
                due_on=items[p - 1].due_on,
                amount=items[p - 1].amount,
                percentage=items[p - 1].percentage,
            )
            for p in positions
        ]
        found: list[Decimal | None]
        try:
            found = list[Decimal | None](
                validate_milestones(given, contract.amount, already.get(contract_id) or Decimal(0))
            )
        except ValidationError as exc:
            room = contract.amount - (already.get(contract_id) or Decimal(0))
            for key, messages in exc.message_dict.items():
                # "milestones[i]": the i-th of this contract's; "milestones": their total,
                # said on the first that goes past the contract's amount
                index = key.removeprefix("milestones").strip("[]")
                where = (
                    positions[int(index) - 1]
                    if index
                    else _past(given, positions, room, contract.amount)
                )
                errors.setdefault(f"{where}.amount", []).extend(messages)
            found = [_amount(m, contract.amount) for m in given]
        amounts.update(zip(positions, found, strict=True))
    for position, item in enumerate(items, start=1):
        if amounts[position] is None:
            continue
        problems = rules.milestone_state_problems(
            amount=amounts[position] or Decimal(0),
            accepted_on=item.accepted_on,
            invoiced_on=item.invoiced_on,
            invoiced_amount=item.invoiced_amount,
            collected_on=item.collected_on,
            collected_amount=item.collected_amount,
            today=today,
        )
        for field, messages in problems.items():
            errors.setdefault(f"{position}.{field}", []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return [amounts[p] or Decimal(0) for p in range(1, len(items) + 1)]


def _amount(given: MilestoneInput, contract_amount: Decimal) -> Decimal | None:
    if given.amount is None and given.percentage is None:
        return None
    return rules.milestone_amount(
        amount=given.amount, percentage=given.percentage, contract_amount=contract_amount
    )


def _past(
    given: Sequence[MilestoneInput], positions: list[int], room: Decimal, contract_amount: Decimal
) -> int:
    """The position of the first milestone whose amount takes the total past ``room``."""
    total = Decimal(0)
    for milestone, position in zip(given, positions, strict=True):
        total += _amount(milestone, contract_amount) or 0
        if total > room:
            return position
    return positions[-1]


@transaction.atomic
def milestones_import(
    *,
    actor: User,
    items: Sequence[ImportedMilestone],
    step: Callable[[int], None] | None = None,
) -> list[int]:
    """Add the milestones, all or none, each last in its contract's order as the file gives
    them; returns their ids in order."""
    amounts = _check(actor, items)
    last = dict(
        PaymentMilestone.objects.filter(contract_id__in={i.contract.pk for i in items})
        .values("contract_id")
        .annotate(last=Max("order"))
        .values_list("contract_id", "last")
    )
    now = timezone.now()
    rows = []
    for item, amount in zip(items, amounts, strict=True):
        last[item.contract.pk] = order = (last.get(item.contract.pk) or 0) + 1
        rows.append(
            {
                "contract_id": item.contract.pk,
                "order": order,
                "name": item.name.strip(),
                "percentage": item.percentage,
                "amount": amount,
                "due_on": item.due_on,
                "accepted_on": item.accepted_on,
                "invoiced_on": item.invoiced_on,
                "invoiced_amount": item.invoiced_amount,
                "collected_on": item.collected_on,
                "collected_amount": item.collected_amount,
                "created_at": now,
                "updated_at": now,
            }
        )
    written: list[int] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        written.extend(bulk.insert_new(PaymentMilestone, chunk))
        bulk.history_created(PaymentMilestone.history.model, chunk, actor.pk, now)
        if step is not None:
            step(len(chunk))
    return written
