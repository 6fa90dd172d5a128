"""The board's cards as plain values, not model instances.

A board shows up to 30 cards in each of six columns. Built from ``Opportunity`` instances with
their customer, owner and stage joined in, most of its time went into making objects it only
reads a dozen fields of. A ``Card`` holds just those fields, read with ``values()`` in the same
query, and what the page adds per card (health badges, days in stage, whether the reader may
run the deal) is filled in once, in Python, without a query per card.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from keyaccount.org.models import shown_name

from .models import Opportunity

#: what a card reads, in ``values()`` names
FIELDS = (
    "pk", "name", "customer__name", "amount", "currency", "owner_id", "owner_unit_id",
    "owner__display_name", "owner__first_name", "owner__last_name", "owner__username",
    "status", "stage_id", "stage_entered_at", "expected_signing", "risk_level",
    "risk_decision", "signing_slips",
)  # fmt: skip


@dataclass(slots=True)
class Card:
    pk: int
    name: str
    customer_name: str
    amount: Decimal
    currency: str
    owner_id: int
    owner_unit_id: int | None
    owner_name: str
    status: str
    stage_id: int
    stage_entered_at: datetime
    expected_signing: date
    risk_level: str
    risk_decision: str
    signing_slips: int
    # filled in by the page
    health: list[tuple[str, str]] = field(default_factory=list)
    days: int | None = None
    may_move: bool = False


#: ``Card`` fields read as they are, by ``values()`` name
COPIED = {
    "pk": "pk", "name": "name", "customer_name": "customer__name", "amount": "amount",
    "currency": "currency", "owner_id": "owner_id", "owner_unit_id": "owner_unit_id",
    "status": "status", "stage_id": "stage_id", "stage_entered_at": "stage_entered_at",
    "expected_signing": "expected_signing", "risk_level": "risk_level",
    "risk_decision": "risk_decision", "signing_slips": "signing_slips",
}  # fmt: skip


def owner_name(r: dict[str, Any]) -> str:
    """The shown name of a deal's owner from a ``values()`` row with the owner's name fields."""
    return shown_name(
        r["owner__display_name"], r["owner__first_name"], r["owner__last_name"],
        r["owner__username"],
    )  # fmt: skip


def cards(qs: QuerySet[Opportunity]) -> list[Card]:
    """The cards of ``qs`` (already filtered, ordered and sliced), in one query."""
    return [
        Card(
            **{attr: r[key] for attr, key in COPIED.items()},
            owner_name=owner_name(r),
        )
        for r in qs.values(*FIELDS)
    ]
