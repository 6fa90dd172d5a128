"""Money is Decimal in yuan (or the record's currency), rounded half-up; never float (rule 5)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .i18n import is_chinese

CENT = Decimal("0.01")
WAN = Decimal(10_000)
YI = Decimal(100_000_000)


class MoneyUnit(models.TextChoices):
    AUTO = "auto", _("by size (万元 or 亿元; K, M or B in English)")
    YUAN = "yuan", _("yuan (元)")
    WAN = "wan", _("ten thousand yuan (万元)")
    YI = "yi", _("hundred million yuan (亿元)")


_DIVISORS = {MoneyUnit.YUAN: Decimal(1), MoneyUnit.WAN: WAN, MoneyUnit.YI: YI}
# what follows a Chinese amount (元, 美元 …) and what comes before an English one (CNY, USD …)
_CHINESE_SUFFIX = {"CNY": "元", "USD": "美元", "EUR": "欧元", "HKD": "港元", "JPY": "日元"}
_SCALES_ZH = ((YI, "亿"), (WAN, "万"))
_SCALES_EN = ((Decimal(10**9), "B"), (Decimal(10**6), "M"), (Decimal(10**3), "K"))
#: how a currency is named in a heading (人民币 in Chinese, the ISO code in English)
CURRENCY_NAMES = {
    "CNY": pgettext_lazy("currency", "CNY"),
    "USD": pgettext_lazy("currency", "USD"),
    "EUR": pgettext_lazy("currency", "EUR"),
    "HKD": pgettext_lazy("currency", "HKD"),
    "JPY": pgettext_lazy("currency", "JPY"),
}
_FIXED_EN = {MoneyUnit.WAN: " ×10k", MoneyUnit.YI: " ×100M"}
_FIXED_ZH = {MoneyUnit.WAN: "万", MoneyUnit.YI: "亿"}


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
    """``amount`` (yuan) expressed in a fixed ``unit``, rounded half-up to two places."""
    divisor = _DIVISORS.get(MoneyUnit(unit), Decimal(1))
    return (amount / divisor).quantize(CENT, rounding=ROUND_HALF_UP)


def _number(value: Decimal, *, exact: bool) -> str:
    """``1234.50`` → ``1,234.5`` (or ``1,234.50`` when ``exact``): no trailing ``.00``."""
    value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"{value:,.2f}"
    if not exact:
        text = text.rstrip("0").rstrip(".") if "." in text else text
    return text


def _scaled(amount: Decimal, scales: tuple[tuple[Decimal, str], ...]) -> tuple[Decimal, str]:
    for size, mark in scales:
        if abs(amount) >= size:
            return amount / size, mark
    return amount, ""


def format_money(
    amount: Decimal | None,
    unit: str = MoneyUnit.AUTO,
    *,
    currency: str = "CNY",
    exact: bool = False,
) -> str:
    """An amount the way people read it, in the active language.

    Lists and cards (``exact=False``): scaled by size in the ``auto`` unit — ``1,800亿元``,
    ``620万元``, ``8,500元``; in English ``CNY 180B``, ``CNY 6.2M``, ``CNY 8.5K`` — or in the
    fixed unit a user chose (``620万元``, ``CNY 620 ×10k``), never with a trailing ``.00``.
    Detail views (``exact=True``): every cent, ``1,234,567.80元`` / ``CNY 1,234,567.80``.
    """
    if amount is None:
        return "—"
    code = (currency or "CNY").upper()
    chinese = is_chinese()
    if exact:
        number, mark = _number(amount, exact=True), ""
    elif unit in (MoneyUnit.WAN, MoneyUnit.YI):
        number = _number(in_unit(amount, unit), exact=False)
        mark = _FIXED_ZH[MoneyUnit(unit)] if chinese else _FIXED_EN[MoneyUnit(unit)]
    elif unit == MoneyUnit.YUAN:
        number, mark = _number(amount, exact=False), ""
    else:
        value, mark = _scaled(amount, _SCALES_ZH if chinese else _SCALES_EN)
        number = _number(value, exact=False)
    if chinese:
        return f"{number}{mark}{_CHINESE_SUFFIX.get(code, ' ' + code)}"
    return f"{code} {number}{mark}"
