"""Deals brought in from another system (an import file, an integration): each stands at the
stage and status its source gives, dated by the source, with one transition of kind
*imported* recorded with the importing user. No gate is run, and the transition says so. Won
deals get their contract (signed on the close date), lost deals their loss reason and winner,
so cycle time, win rate and actuals are right from the first day.

Written set-based: a few statements per thousand deals, whatever their number (the rollup, the
search index and the owner's unit are kept by triggers and by the rows themselves)."""

from collections.abc import Callable, Sequence
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.core import events
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
        "and history."
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
) -> list[Opportunity]:
    """Write the deals, all or none; ``step(n)`` is told after each chunk of ``n`` deals."""
    units = _check(actor, deals)
    probability = dict(Stage.objects.values_list("pk", "probability"))
    note = import_note(source)
    now = timezone.now()
    written: list[Opportunity] = []
    for start in range(0, len(deals), CHUNK):
        chunk = deals[start : start + CHUNK]
        opps = [_opportunity(d, units[d.owner_id], probability, now) for d in chunk]
        Opportunity.objects.bulk_create(opps)
        _date_created(opps, chunk)
        KeyElement.objects.bulk_create(
            KeyElement(opportunity=o, element=e) for o in opps for e in rules.Element.values
        )
        StageTransition.objects.bulk_create(
            StageTransition(
                opportunity=o,
                kind=rules.Move.IMPORTED,
                to_stage_id=o.stage_id,
                to_step_id=o.step_id,
                to_status=o.status,
                actor=actor,
                at=start_of(d.created_on) if d.created_on else now,
                reason=note,
            )
            for o, d in zip(opps, chunk, strict=True)
        )
        Contract.objects.bulk_create(
            Contract(
                opportunity=o,
                number=d.contract_number or _generated_number(o),
                amount=o.amount,
                currency=o.currency,
                signed_on=_checked(d.closed_on),
            )
            for o, d in zip(opps, chunk, strict=True)
            if d.status == rules.Status.WON
        )
        Opportunity.history.bulk_history_create(opps, default_user=actor, default_date=now)
        written.extend(opps)
        if step is not None:
            step(len(chunk))
    return written


def _date_created(opps: list[Opportunity], chunk: Sequence[rules.ImportedDeal]) -> None:
    """``created_at`` as the source dates it (``bulk_create`` stamps it now): one statement."""
    dated = [(o, start_of(d.created_on)) for o, d in zip(opps, chunk, strict=True) if d.created_on]
    if not dated:
        return
    Opportunity.objects.filter(pk__in=[o.pk for o, _at in dated]).update(
        created_at=Case(*(When(pk=o.pk, then=Value(at)) for o, at in dated))
    )
    for o, at in dated:
        o.created_at = at


def _checked[T](value: T | None) -> T:
    """A value ``_check`` made sure of (``imported_problems`` refuses a deal without it)."""
    if value is None:
        raise ValueError("unchecked imported deal")
    return value


def _generated_number(opp: Opportunity) -> str:
    """A won deal whose source gives no contract number still has its contract (actuals count
    contracts): ``IMP-<deal id>``, to be corrected on the deal page."""
    return f"IMP-{opp.pk}"


def _opportunity(
    deal: rules.ImportedDeal, unit_id: int | None, probability: dict[int, int], now: datetime
) -> Opportunity:
    created = start_of(deal.created_on) if deal.created_on else now
    closed = start_of(deal.closed_on) if deal.closed_on else None
    amount = deal.signed_amount if deal.signed_amount is not None else deal.amount
    prob = probability[deal.stage_id]
    return Opportunity(
        customer_id=deal.customer_id,
        name=" ".join(deal.name.split()),
        amount=amount,
        currency=deal.currency,
        expected_signing=_checked(deal.expected_signing),
        products=deal.products,
        owner_id=deal.owner_id,
        owner_unit_id=unit_id,
        stage_id=deal.stage_id,
        step_id=deal.step_id,
        stage_entered_at=closed or created,
        status=deal.status,
        closed_at=closed,
        loss_reason_id=deal.loss_reason_id,
        winner_id=deal.winner_id,
        close_reason=deal.close_reason,
        forecast_probability=prob,
        weighted=rules.weighted_amount(amount, prob),
    )
