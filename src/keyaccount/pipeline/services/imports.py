"""Deals brought in from another system (an import file, an integration): each stands at the
stage and status its source gives, dated by the source, with one transition of kind
*imported* recorded with the importing user. No gate is run, and the transition says so. Won
deals get their contract (signed on the close date), lost deals their loss reason and winner,
so cycle time, win rate and actuals are right from the first day.

Written set-based through ``core.bulk`` (one ``executemany`` or ``COPY`` per table and chunk
of deals, ids reserved first so that the rows referring to a deal are built with it): the
rollups and the search index are kept by the tables' triggers; the owner's unit and the stored
forecast, which ``save`` would keep, are written with each deal."""

from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.core import bulk, events
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.org.models import User
from keyaccount.process.models import Stage

from .. import notices, permissions, rules
from ..models import Contract, KeyElement, Opportunity, StageTransition

#: Deals written per statement.
CHUNK = 1000


def import_refusal() -> str:
    return _(
        "Only an administrator or the owner's sales director imports deals with their stage "
        "and history (or an integration, with an API token an administrator allowed to "
        "import)."
    )


def import_note(source: str) -> str:
    """What the *imported* transition says (in the reader's language when shown)."""
    return events.event(notices.EVENT_DEAL_IMPORTED, source=source[:120])


def start_of(day: date) -> datetime:
    """A day as a moment: its start in the product's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


_FIELD_NAMES = {"loss_reason": "loss_reason_id", "winner": "winner_id"}


def _check(actor: User, deals: Sequence[rules.ImportedDeal]) -> dict[int, int | None]:
    """Refuse the whole lot when any deal may not be imported: the messages under
    ``<position>.<field>`` (positions from 1; ``<position>`` alone for the deal as a whole);
    returns the owners' units."""
    caps = permissions.capabilities_for(actor)
    owners: dict[int, int | None] = dict(
        User.objects.filter(pk__in={d.owner_id for d in deals}).values_list("pk", "unit_id")
    )
    registered = set(
        Customer.objects.filter(
            pk__in={d.customer_id for d in deals}, status=RegistrationStatus.REGISTERED
        ).values_list("pk", flat=True)
    )
    numbers = [d.contract_number for d in deals if d.contract_number]
    taken = set(Contract.objects.filter(number__in=numbers).values_list("number", flat=True))
    seen: set[str] = set()
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    for position, deal in enumerate(deals, start=1):

        def say(message: str, field: str = "", at: int = position) -> None:
            errors.setdefault(f"{at}.{field}" if field else str(at), []).append(message)

        if deal.owner_id not in owners:
            say(_("Its owner does not exist."), "owner_id")
        elif not permissions.can_import_deal(caps, owner_unit_id=owners[deal.owner_id]):
            say(import_refusal(), "owner_id")
        if deal.customer_id not in registered:
            say(_("Its customer is not registered."), "customer_id")
        for field, messages in rules.imported_problems(deal, today=today).items():
            for message in messages:
                say(message, _FIELD_NAMES.get(field, field))
        if deal.contract_number in taken or deal.contract_number in seen:
            say(
                _("Contract number %(n)s is used already.") % {"n": deal.contract_number},
                "contract_number",
            )
        if deal.contract_number:
            seen.add(deal.contract_number)
    if errors:
        raise ValidationError(errors)
    return owners


@transaction.atomic
def opportunities_import(
    *,
    actor: User,
    deals: Sequence[rules.ImportedDeal],
    source: str,
    step: Callable[[int], None] | None = None,
) -> list[int]:
    """Write the deals, all or none, and return their ids in order; ``step(n)`` is told after
    each chunk of ``n`` deals."""
    units = _check(actor, deals)
    probability = dict(Stage.objects.values_list("pk", "probability"))
    note = import_note(source)
    now = timezone.now()
    written: list[int] = []
    for start in range(0, len(deals), CHUNK):
        chunk = deals[start : start + CHUNK]
        ids = bulk.reserve_ids(Opportunity, len(chunk))
        opps = [
            _opportunity(d, pk, units[d.owner_id], probability, now)
            for d, pk in zip(chunk, ids, strict=True)
        ]
        bulk.insert(Opportunity, opps)
        elements = [{"opportunity_id": pk, "element": e} for pk in ids for e in rules.Element]
        bulk.insert_new(KeyElement, elements)
        moves = [
            {
                "opportunity_id": o["id"],
                "kind": rules.Move.IMPORTED,
                "to_stage_id": o["stage_id"],
                "to_step_id": o["step_id"],
                "to_status": o["status"],
                "actor_id": actor.pk,
                "at": o["created_at"],
                "reason": note,
            }
            for o in opps
        ]
        bulk.insert_new(StageTransition, moves)
        contracts = [
            {
                "opportunity_id": o["id"],
                "number": d.contract_number or f"IMP-{o['id']}",
                "amount": o["amount"],
                "currency": o["currency"],
                "signed_on": _checked(d.closed_on),
            }
            for o, d in zip(opps, chunk, strict=True)
            if d.status == rules.Status.WON
        ]
        bulk.insert_new(Contract, contracts)
        bulk.history_created(Opportunity.history.model, opps, actor.pk, now)
        bulk.history_created(Contract.history.model, contracts, actor.pk, now)
        written.extend(ids)
        if step is not None:
            step(len(chunk))
    return written


def _checked[T](value: T | None) -> T:
    """A value ``_check`` made sure of (``imported_problems`` refuses a deal without it)."""
    if value is None:
        raise ValueError("unchecked imported deal")
    return value


def _opportunity(
    deal: rules.ImportedDeal,
    pk: int,
    unit_id: int | None,
    probability: dict[int, int],
    now: datetime,
) -> dict[str, Any]:
    """The deal's row (the fields ``save`` would keep: the owner's unit, the forecast)."""
    created = start_of(deal.created_on) if deal.created_on else now
    closed = start_of(deal.closed_on) if deal.closed_on else None
    amount = deal.signed_amount if deal.signed_amount is not None else deal.amount
    prob = probability[deal.stage_id]
    return {
        "id": pk,
        "customer_id": deal.customer_id,
        "name": " ".join(deal.name.split()),
        "amount": amount,
        "currency": deal.currency,
        "expected_signing": _checked(deal.expected_signing),
        "products": deal.products,
        "owner_id": deal.owner_id,
        "owner_unit_id": unit_id,
        "stage_id": deal.stage_id,
        "step_id": deal.step_id,
        "stage_entered_at": closed or created,
        "status": deal.status,
        "closed_at": closed,
        "loss_reason_id": deal.loss_reason_id,
        "winner_id": deal.winner_id,
        "close_reason": deal.close_reason,
        "forecast_probability": prob,
        "weighted": rules.weighted_amount(amount, prob),
        "created_at": created,
        "updated_at": now,
    }
