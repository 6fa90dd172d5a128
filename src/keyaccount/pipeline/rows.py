"""The deal list's rows as plain values, not model instances (as the board's ``cards``).

A list page shows 50 deals. Built from ``Opportunity`` instances with their customer, owner,
stage and step joined in, a good part of the page went into making five objects per row that
it reads a few fields of. A ``ListRow`` holds just those fields, read with ``values()`` in the
same one query.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.db.models import QuerySet

from keyaccount.core.i18n import either

from .cards import owner_name
from .models import Opportunity
from .rules import Status

#: what a row reads, in ``values()`` names
FIELDS = (
    "pk", "name", "customer__name", "owner__display_name", "owner__first_name",
    "owner__last_name", "owner__username", "status", "stage_id", "stage__order",
    "stage__name_zh", "stage__name_en", "step_id", "step__order", "step__name_zh",
    "step__name_en", "amount", "weighted", "forecast_probability", "probability_override",
    "currency", "expected_signing", "stage_entered_at", "risk_level", "risk_decision",
    "signing_slips",
)  # fmt: skip


@dataclass(slots=True)
class ListRow:
    pk: int
    name: str
    customer_name: str
    owner_name: str
    status: str
    status_label: str
    stage_id: int
    stage_order: int
    stage_name: str
    step_id: int | None
    step_order: int | None
    step_name: str
    amount: Decimal
    weighted: Decimal
    prob: int  # the stored probability (the override, else the stage's)
    probability_override: int | None
    currency: str
    expected_signing: date
    stage_entered_at: datetime
    risk_level: str
    risk_decision: str
    signing_slips: int


#: ``ListRow`` fields read as they are, by ``values()`` name
COPIED = {
    "pk": "pk", "name": "name", "customer_name": "customer__name", "status": "status",
    "stage_id": "stage_id", "stage_order": "stage__order", "step_id": "step_id",
    "step_order": "step__order", "amount": "amount", "weighted": "weighted",
    "prob": "forecast_probability", "probability_override": "probability_override",
    "currency": "currency", "expected_signing": "expected_signing",
    "stage_entered_at": "stage_entered_at", "risk_level": "risk_level",
    "risk_decision": "risk_decision", "signing_slips": "signing_slips",
}  # fmt: skip


def list_rows(qs: Any) -> list[ListRow]:
    """The rows of ``qs`` (already filtered, ordered and sliced), in one query; names of
    stages and steps in the active language, as ``Localized`` reads them. ``qs`` is a
    paginator page's ``object_list``: a sliced queryset."""
    labels = {s.value: str(s.label) for s in Status}
    return [
        ListRow(
            **{attr: r[key] for attr, key in COPIED.items()},
            owner_name=owner_name(r),
            status_label=labels.get(r["status"], r["status"]),
            stage_name=either(r["stage__name_zh"], r["stage__name_en"]),
            step_name=either(r["step__name_zh"], r["step__name_en"]) if r["step_id"] else "",
        )
        for r in cast(QuerySet[Opportunity], qs).values(*FIELDS)
    ]
