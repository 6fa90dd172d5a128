"""What a deal brought in from another system must satisfy: its dates, its outcome and what
only a closed deal has. Imported deals stand where the file says (no gate is run), so these
are the only checks besides ``deal_problems``."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from .deals import deal_problems
from .vocabulary import Status


@dataclass(frozen=True)
class ImportedDeal:
    """One deal as its source gives it; ids already resolved."""

    customer_id: int
    name: str
    amount: Decimal | None
    currency: str
    expected_signing: date | None
    owner_id: int
    stage_id: int
    step_id: int | None
    status: str = Status.OPEN
    created_on: date | None = None  # blank: today
    closed_on: date | None = None
    products: str = ""
    contract_number: str = ""
    signed_amount: Decimal | None = None
    loss_reason_id: int | None = None
    winner_id: int | None = None
    close_reason: str = ""


def imported_problems(deal: ImportedDeal, *, today: date) -> dict[str, list[str]]:
    """What keeps an imported deal from being saved, by field: its fields as for any deal
    (``deal_problems``), its dates and outcome."""
    problems = deal_problems(
        name=deal.name,
        amount=deal.amount,
        expected_signing=deal.expected_signing,
        probability_override=None,
        probability_reason=None,
    )

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    o = deal
    if o.created_on is not None and o.created_on > today:
        add("created_on", _("A deal cannot be created in the future."))
    if o.status == Status.OPEN:
        if o.closed_on is not None:
            add("closed_on", _("An open deal has no close date: give its status or clear it."))
    else:
        if o.closed_on is None:
            add("closed_on", _("A won, lost or abandoned deal needs its close date."))
        elif o.closed_on > today:
            add("closed_on", _("A deal cannot be closed in the future."))
        elif o.created_on is not None and o.closed_on < o.created_on:
            add("closed_on", _("The close date is before the date the deal was created."))
    if o.status != Status.WON:
        if o.contract_number or o.signed_amount is not None:
            field = "contract_number" if o.contract_number else "signed_amount"
            add(field, _("Only a won deal has a contract."))
    elif o.signed_amount is not None and o.signed_amount < 0:
        add("signed_amount", _("The signed amount cannot be negative."))
    if o.status != Status.LOST and (o.loss_reason_id or o.winner_id):
        add(
            "loss_reason" if o.loss_reason_id else "winner",
            _("Only a lost deal has a loss reason and a winner."),
        )
    return problems
