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


def _owner_name(row: dict[str, Any]) -> str:
    """``str(user)`` from the values read (``User.__str__``: shown name, full name, login)."""
    full = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
    return str(row["owner__display_name"] or full or row["owner__username"])


def cards(qs: QuerySet[Opportunity]) -> list[Card]:
    """The cards of ``qs`` (already filtered, ordered and sliced), in one query."""
    return [
        Card(
            pk=r["pk"],
            name=r["name"],
            customer_name=r["customer__name"],
            amount=r["amount"],
            currency=r["currency"],
            owner_id=r["owner_id"],
            owner_unit_id=r["owner_unit_id"],
            owner_name=_owner_name(r),
            status=r["status"],
            stage_id=r["stage_id"],
            stage_entered_at=r["stage_entered_at"],
            expected_signing=r["expected_signing"],
            risk_level=r["risk_level"],
            risk_decision=r["risk_decision"],
            signing_slips=r["signing_slips"],
        )
        for r in qs.values(*FIELDS)
    ]
