"""From cells to values and back: parsing a cell for its column (amounts, dates, credit codes,
regions and industries by code or name …), the JSON form of a value, and how a value is shown
in a preview."""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from keyaccount.core.i18n import is_chinese
from keyaccount.core.parsing import ParseError, fold, parse_amount, parse_date, parse_int
from keyaccount.customers import rules
from keyaccount.org.models import Industry, Region

from .columns import Column


class UnknownValue(ParseError):
    """A cell naming nothing the column knows: offered for mapping on the preview."""


@dataclass
class References:
    """What cells may name: regions, industries (loaded once per import)."""

    regions: dict[int, Region]
    industries: dict[int, Industry]
    region_keys: dict[str, list[int]]
    industry_keys: dict[str, list[int]]

    @classmethod
    def load(cls) -> "References":
        regions = {r.pk: r for r in Region.objects.filter(is_active=True)}
        industries = {i.pk: i for i in Industry.objects.filter(is_active=True)}
        return cls(regions, industries, _keys(regions.values()), _keys(industries.values()))


_PLACE_SUFFIX = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|省|市)$")


def _ref_key(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text)).lower()


def _keys(items: Iterable[Any]) -> dict[str, list[int]]:
    keys: dict[str, list[int]] = defaultdict(list)
    for item in items:
        for text in {item.code, item.name_zh, item.name_en, f"{item.code} {item.name_zh}",
                     f"{item.code} {item.name_en}"}:  # fmt: skip
            key = _ref_key(text)
            if item.pk not in keys[key]:
                keys[key].append(item.pk)
    return keys


def ref_label(item: Region | Industry | None) -> str:
    """How a region or industry is written in templates and exports: code and name."""
    if item is None:
        return ""
    return f"{item.code} {item.name_zh if is_chinese() else item.name_en}"


def _lookup(text: str, keys: dict[str, list[int]]) -> list[int]:
    key = _ref_key(text)
    found = keys.get(key)
    if not found and " " in key:
        found = keys.get(key.split(" ", 1)[0])  # "CN-JS 随便" → the code decides
    if not found:
        found = keys.get(_PLACE_SUFFIX.sub("", key))  # 江苏省 → 江苏
    return found or []


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_EXCEL_EPOCH = date(1899, 12, 30)
_MAX_MONEY = Decimal("1e16")
_MAX_INT = 2_147_483_647


def parse_cell(column: Column, value: Any, refs: References) -> Any:
    """The value of one non-blank cell for ``column``, or ``ParseError`` with a message."""
    kind = column.type
    if kind == "amount":
        amount = parse_amount(value)
        if amount is not None and abs(amount) >= _MAX_MONEY:
            raise ParseError(_("%(value)s is too large for an amount.") % {"value": value})
        return amount
    if kind == "int":
        number = parse_int(value, minimum=0)
        if number is not None and number > _MAX_INT:
            raise ParseError(_("%(value)s is too large.") % {"value": value})
        return number
    if kind == "score":
        number = parse_int(value, minimum=1)
        if number is not None and number > rules.MAX_FACTOR_SCORE:
            raise ParseError(_("A score is a whole number from 1 to 5, not %(value)s.")
                             % {"value": value})  # fmt: skip
        return number
    if kind == "percent":
        return _percent(value)
    if kind == "date":
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not 1 <= value < 2_958_466:
                raise ParseError(_("“%(value)s” is not a date.") % {"value": value})
            return _EXCEL_EPOCH + timedelta(days=int(value))
        return parse_date(value)
    text = as_text(value)
    if kind == "name":
        text = " ".join(text.split())
    if column.max_length and len(text) > column.max_length:
        raise ParseError(
            _("At most %(max)s characters (this has %(n)s).")
            % {"max": column.max_length, "n": len(text)}
        )
    if kind == "code":
        code = rules.normalize_credit_code(text)
        problem = rules.credit_code_problem(code)
        if problem:
            raise ParseError(problem)
        return code
    if kind == "region":
        return _pick(text, refs.region_keys, refs.regions, _("region"))
    if kind == "industry":
        return _pick(text, refs.industry_keys, refs.industries, _("industry"))
    if kind == "grade":
        grade = fold(text).upper().removesuffix("级").removesuffix("类").strip()
        if grade not in rules.Grade.values:
            raise UnknownValue(_("A grade is A, B, C or D, not “%(value)s”.") % {"value": text})
        return grade
    if kind == "currency":
        return _choice(
            text, _CURRENCIES, _("A currency is CNY, USD, EUR, HKD or JPY, not “%(value)s”.")
        )
    if kind == "deal_status":
        return _choice(
            text, _STATUSES, _("A status is open, won, lost or abandoned, not “%(value)s”.")
        )
    if kind == "mobile":
        problem = rules.mobile_problem(text)
        if problem:
            raise ParseError(problem)
        return rules.normalize_mobile(text)
    if kind == "email":
        text = fold(text)
        try:
            EmailValidator()(text)
        except ValidationError as exc:
            raise ParseError(_("“%(value)s” is not an e-mail address.") % {"value": text}) from exc
        return text
    if kind == "url":
        text = fold(text)
        if not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
            text = "https://" + text
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError as exc:
            raise ParseError(_("“%(value)s” is not a web address.") % {"value": value}) from exc
        return text
    return text


def _percent(value: Any) -> Decimal:
    """``30``, ``30%`` or ``３０％``: a percentage from 0 to 100, two places."""
    text = fold(as_text(value)).removesuffix("%").strip()
    try:
        number = Decimal(text)
    except ArithmeticError:
        number = Decimal(-1)
    if not number.is_finite() or not 0 <= number <= 100 or number != round(number, 2):
        raise ParseError(_("A percentage is a number from 0 to 100, not “%(value)s”.")
                         % {"value": value})  # fmt: skip
    return number


_CURRENCIES = {
    "cny": "CNY", "rmb": "CNY", "人民币": "CNY", "元": "CNY", "¥": "CNY", "￥": "CNY",
    "usd": "USD", "美元": "USD", "$": "USD", "us$": "USD",
    "eur": "EUR", "欧元": "EUR", "€": "EUR",
    "hkd": "HKD", "港币": "HKD", "港元": "HKD",
    "jpy": "JPY", "日元": "JPY", "円": "JPY",
}  # fmt: skip
_STATUS_WORDS = {
    "open": ("open", "opened", "active", "in progress", "进行中", "跟进中", "开放", "未关闭"),
    "won": ("won", "win", "closed won", "closed-won", "赢单", "成交", "已签约", "中标"),
    "lost": ("lost", "lose", "closed lost", "closed-lost", "输单", "丢单", "未中标", "失败"),
    "abandoned": ("abandoned", "dropped", "cancelled", "canceled", "放弃", "已放弃", "取消"),
}
_STATUSES = {word: status for status, words in _STATUS_WORDS.items() for word in words}


def choice_key(text: str) -> str:
    return re.sub(r"[\s_]+", " ", fold(text)).strip().lower()


def _choice(text: str, choices: dict[str, str], message: str) -> str:
    found = choices.get(choice_key(text))
    if found is None:
        raise UnknownValue(message % {"value": text})
    return found


def _pick(text: str, keys: dict[str, list[int]], items: dict[int, Any], what: str) -> int:
    found = _lookup(text, keys)
    if len(found) == 1:
        return found[0]
    if not found:
        raise UnknownValue(
            _("There is no %(what)s “%(value)s”: choose one from the list of the template.")
            % {"what": what, "value": text}
        )
    raise ParseError(
        _("“%(value)s” could be several entries (%(codes)s): write the code.")
        % {"value": text, "codes": ", ".join(sorted(items[i].code for i in found))}
    )


def encode_value(column: Column, value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def decode_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.type == "amount":
        return Decimal(value)
    if column.type == "date":
        return date.fromisoformat(value)
    return value


def display(column: Column, value: Any, refs: References) -> str:
    if value is None or value == "":
        return ""
    if column.type == "region":
        return ref_label(refs.regions.get(value))
    if column.type == "industry":
        return ref_label(refs.industries.get(value))
    if column.type == "amount":
        return f"{value:,.2f}"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def same(column: Column, old: Any, new: Any) -> bool:
    if column.type == "amount":
        return old is not None and bool(Decimal(old) == new)
    if column.type in ("text", "name"):
        return bool((old or "").strip() == new)
    return bool(old == new)
