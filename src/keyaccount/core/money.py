"""Money is Decimal in yuan (or the record's currency), rounded half-up; never float (rule 5)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
WAN = Decimal(10_000)
YI = Decimal(100_000_000)


class MoneyUnit(models.TextChoices):
    YUAN = "yuan", _("yuan (元)")
    WAN = "wan", _("ten thousand yuan (万元)")
    YI = "yi", _("hundred million yuan (亿元)")


_DIVISORS = {MoneyUnit.YUAN: Decimal(1), MoneyUnit.WAN: WAN, MoneyUnit.YI: YI}
_SUFFIXES = {
    MoneyUnit.YUAN: _("yuan"),
    MoneyUnit.WAN: _("×10k yuan"),
    MoneyUnit.YI: _("×100M yuan"),
}


def to_money(value: Decimal | int | str) -> Decimal:
    """Parse to a Decimal with two places. Floats are refused: they have already lost cents."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    try:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # too many digits for the decimal context, e.g. "1e100"
        raise ValueError(f"not an amount: {value!r}") from exc


def in_unit(amount: Decimal, unit: str) -> Decimal:
    """``amount`` (yuan) expressed in ``unit``, rounded half-up to two places."""
    divisor = _DIVISORS[MoneyUnit(unit)]
    return (amount / divisor).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | None, unit: str = MoneyUnit.WAN) -> str:
    """``1234567.8`` with unit ``wan`` → ``123.46 万元``; thousands separated."""
    if amount is None:
        return "—"
    value = in_unit(amount, unit)
    return f"{value:,.2f} {_SUFFIXES[MoneyUnit(unit)]}"
