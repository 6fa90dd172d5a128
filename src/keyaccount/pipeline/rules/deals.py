"""What a deal's fields and a contract's payment milestones must satisfy, and the weighted
forecast, pure."""

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _


def weighted_amount(amount: Decimal | None, probability: int) -> Decimal:
    if amount is None:
        return Decimal("0.00")
    return (amount * Decimal(probability) / Decimal(100)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def milestone_amount(
    *, amount: Decimal | None, percentage: Decimal | None, contract_amount: Decimal
) -> Decimal:
    """A milestone is given as an amount or as a percentage of the contract; either way the
    result is in cents, rounded half up (what the database keeps)."""
    if amount is not None:
        return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if percentage is None:
        raise ValueError("a milestone needs an amount or a percentage")
    return (contract_amount * percentage / Decimal(100)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


# --- a deal's fields -----------------------------------------------------------------------


def deal_problems(
    *,
    name: str | None,
    amount: Decimal | None,
    expected_signing: date | None,
    probability_override: int | None,
    probability_reason: str | None,
) -> dict[str, list[str]]:
    """What keeps a deal's fields from being saved, by field (empty when nothing does).

    A deal has a name, an expected amount that is not negative and an expected signing date.
    A probability of its own (instead of its stage's) is between 0 and 100 and says why.
    """
    problems: dict[str, list[str]] = {}
    if not (name or "").strip():
        problems["name"] = [_("The opportunity needs a name.")]
    if amount is None:
        problems["amount"] = [_("Give the expected amount.")]
    elif amount < 0:
        problems["amount"] = [_("The amount cannot be negative.")]
    if expected_signing is None:
        problems["expected_signing"] = [_("Give the expected signing date.")]
    if probability_override is not None:
        if not 0 <= probability_override <= 100:
            problems["probability_override"] = [_("A probability is between 0 and 100.")]
        elif not (probability_reason or "").strip():
            problems["probability_reason"] = [
                _("Say why the probability differs from the stage's.")
            ]
    return problems


# --- payment milestones --------------------------------------------------------------------


def milestone_problems(
    n: int,
    *,
    name: str,
    amount: Decimal | None,
    percentage: Decimal | None,
    contract_amount: Decimal,
) -> list[str]:
    """What is wrong with the ``n``-th payment milestone of a contract (empty when nothing).

    A milestone has a name and either an amount or a percentage of the contract, not both: a
    percentage is above 0 and at most 100, and either way the milestone is worth more than zero
    (``milestone_amount``). Past a missing, doubled or impossible amount nothing more is said.
    """
    problems: list[str] = []
    if not name.strip():
        problems.append(_("Milestone %(n)s needs a name.") % {"n": n})
    if amount is None and percentage is None:
        problems.append(_("Milestone %(n)s needs an amount or a percentage.") % {"n": n})
    elif amount is not None and percentage is not None:
        problems.append(_("Give an amount or a percentage, not both."))
    elif percentage is not None and not Decimal(0) < percentage <= Decimal(100):
        problems.append(_("Milestone %(n)s: a percentage is above 0 and at most 100.") % {"n": n})
    else:
        value = milestone_amount(
            amount=amount, percentage=percentage, contract_amount=contract_amount
        )
        if value <= 0:
            problems.append(_("Milestone %(n)s: the amount must be above zero.") % {"n": n})
    return problems


def milestone_total_problems(
    amounts: Sequence[Decimal], *, contract_amount: Decimal, already: Decimal = Decimal(0)
) -> list[str]:
    """The milestones of a contract (``already`` on it, ``amounts`` added) add up to at most
    the contract's amount."""
    total = already + sum(amounts, Decimal(0))
    if total <= contract_amount:
        return []
    return [
        _("The milestones add up to %(sum)s, more than the contract's %(amount)s.")
        % {"sum": total, "amount": contract_amount}
    ]


def milestone_state_problems(
    *,
    amount: Decimal,
    accepted_on: date | None,
    invoiced_on: date | None,
    invoiced_amount: Decimal | None,
    collected_on: date | None,
    collected_amount: Decimal | None,
    today: date,
) -> dict[str, list[str]]:
    """What is wrong with a milestone's acceptance, invoicing and collection, by field.

    None of them happens in the future. Money collected is above zero, has its date and is at
    most the milestone's amount; a collection date has its amount. An invoiced amount has the
    invoice's date and is at most the milestone's amount.
    """
    problems: dict[str, list[str]] = {}
    for name, value in (
        ("accepted_on", accepted_on),
        ("invoiced_on", invoiced_on),
        ("collected_on", collected_on),
    ):
        if value is not None and value > today:
            problems[name] = [_("This date cannot be in the future.")]
    if collected_amount is not None:
        if collected_amount <= 0:
            problems["collected_amount"] = [_("A collected amount is above zero.")]
        elif collected_amount > amount:
            problems["collected_amount"] = [
                _("More than the milestone's %(amount)s cannot be collected on it.")
                % {"amount": amount}
            ]
        if collected_on is None:
            problems["collected_on"] = [_("Give the date the money came in.")]
    elif collected_on is not None:
        problems["collected_amount"] = [_("Give the amount collected.")]
    if invoiced_amount is not None and invoiced_on is None:
        problems["invoiced_on"] = [_("Give the date of the invoice.")]
    if invoiced_amount is not None and invoiced_amount > amount:
        problems["invoiced_amount"] = [
            _("More than the milestone's %(amount)s cannot be invoiced on it.") % {"amount": amount}
        ]
    return problems
