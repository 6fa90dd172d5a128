"""Lenient, explicit parsing of what people type into spreadsheets and forms in China.

Each parser returns a value or raises ``ParseError`` with a message a user can act on.
Full-width characters (１２３，．) are folded to ASCII first (NFKC), and Traditional characters
to Simplified (萬 → 万, 簽約 → 签约: files from Hong Kong or Taiwan, or typed with a Traditional
input method, read as the Simplified ones do).
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from opencc import OpenCC

from .money import to_money


class ParseError(ValueError):
    pass


_TO_SIMPLIFIED = OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional Chinese characters and phrases as Simplified ones (OpenCC's ``t2s``)."""
    return text if text.isascii() else _TO_SIMPLIFIED.convert(text)


def fold(text: str) -> str:
    """Full-width → half-width, Traditional → Simplified, trimmed."""
    return simplified(unicodedata.normalize("NFKC", text).strip())


_UNITS = {"亿": Decimal(100_000_000), "万": Decimal(10_000), "千": Decimal(1_000)}
_AMOUNT = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*(亿|万|千)?\s*(元|人民币|rmb|cny)?$", re.IGNORECASE)


def parse_amount(value: object) -> Decimal | None:
    """``12.5万`` → 125000.00, ``1.2亿元`` → 120000000.00, ``１，２３４`` → 1234.00.

    Blank is None.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ParseError(_("“%(value)s” is not an amount.") % {"value": value})
    if isinstance(value, int | Decimal):
        return _money(value, value)
    if isinstance(value, float):
        # Spreadsheet cells arrive as floats: go through repr so 0.1 stays 0.1.
        return _money(repr(value), value)
    text = fold(str(value)).replace(",", "").replace(" ", "").replace("¥", "").replace("￥", "")
    if not text:
        return None
    match = _AMOUNT.match(text)
    if not match:
        raise ParseError(
            _("“%(value)s” is not an amount (write e.g. 1250000, 125万 or 1.2亿).")
            % {"value": value}
        )
    number, unit, _currency = match.groups()
    try:
        amount = Decimal(number) * _UNITS.get(unit or "", Decimal(1))
    except InvalidOperation as exc:
        raise ParseError(_("“%(value)s” is not an amount.") % {"value": value}) from exc
    return _money(amount, value)


def _money(amount: Decimal | int | str, value: object) -> Decimal:
    try:
        return to_money(amount)
    except ValueError as exc:  # NaN, infinity, or more digits than a Decimal can hold
        raise ParseError(_("“%(value)s” is not an amount.") % {"value": value}) from exc


def parse_int(value: object, *, minimum: int = 0) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ParseError(_("“%(value)s” is not a whole number.") % {"value": value})
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = fold(str(value)).replace(",", "").replace(" ", "")
        if not text:
            return None
        amount = parse_amount(text) if text[-1] in "万千亿" else None
        if amount is not None:
            if amount != amount.to_integral_value():
                raise ParseError(_("“%(value)s” is not a whole number.") % {"value": value})
            number = int(amount)
        elif re.fullmatch(r"[-+]?\d{1,30}", text):  # longer is no count (and int() refuses it)
            number = int(text)
        else:
            raise ParseError(_("“%(value)s” is not a whole number.") % {"value": value})
    if number < minimum:
        raise ParseError(
            _("%(value)s is below the minimum of %(minimum)s.")
            % {"value": number, "minimum": minimum}
        )
    return number


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(value: object) -> date | None:
    """``2024-03-05``, ``2024/3/5``, ``2024.03.05``, ``2024年3月5日`` or a spreadsheet date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = fold(str(value))
    if not text:
        return None
    match = _DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError as exc:
            raise ParseError(_("“%(value)s” is not a real date.") % {"value": value}) from exc
    raise ParseError(
        _("“%(value)s” is not a date (write e.g. 2025-03-05 or 2025年3月5日).") % {"value": value}
    )
