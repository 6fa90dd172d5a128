"""How a file is read when its headers and values are not the template's: per sheet, the kind
of records, file headers → columns, and cell texts → values the import understands.

A ``Mapping`` is kept with the batch (``ImportBatch.mapping``) while the importer corrects it
on the preview page (or over the API), and may be saved by name (``ImportMapping``) for the
next file from the same system. Headers are keyed as ``header_key`` compares them and values as
``choice_key`` does, so a saved mapping fits any file with the same headers, whatever their
case or width.

What the preview tells the importer about each sheet (``Match``): every file header with the
column it was matched to and how (the column's name, another name, the importer's choice), the
headers left unread, and the values no column could read (``Sheet.unknown``), each offered for
mapping with the choices of its column (``value_choices``)."""

from collections.abc import Iterable
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keyaccount.customers.models import ImportMapping
from keyaccount.org.models import Industry, Region, Role, User
from keyaccount.org.selectors import people_list
from keyaccount.pipeline.models import Competitor, LossReason
from keyaccount.pipeline.rules import Currency, Status
from keyaccount.process.models import Stage

from .cells import choice_key, ref_label
from .columns import COLUMNS, KINDS, Column

#: The key of the mapping that applies to every sheet not named (a saved mapping).
EVERY_SHEET = "*"

#: How a header found its column.
BY_NAME, BY_ALIAS, BY_HAND, IGNORED, UNMATCHED, EXPORT_ONLY = (
    "name", "alias", "mapped", "ignored", "unmatched", "export"
)  # fmt: skip

HOW_LABELS = {
    BY_NAME: gettext_lazy("by its name"),
    BY_ALIAS: gettext_lazy("by another name: check it"),
    BY_HAND: gettext_lazy("as you chose"),
    IGNORED: gettext_lazy("left out, as you chose"),
    UNMATCHED: gettext_lazy("not matched: left out"),
    EXPORT_ONLY: gettext_lazy("only in exports: left out"),
}

#: Column types whose unknown values may be mapped to known ones.
MAPPABLE = ("region", "industry", "currency", "deal_status", "stage", "user", "loss_reason",
            "competitor", "grade", "role")  # fmt: skip

#: The units an amount column may be written in: multiplier → name.
UNITS = {
    "1": gettext_lazy("ones (元 …)"),
    "10000": gettext_lazy("ten thousands (万)"),
    "1000000": gettext_lazy("millions"),
    "100000000": gettext_lazy("hundred millions (亿)"),
}

#: The largest exchange rate an amount column may be given (yuan for one unit of the file's
#: currency): a dinar is about 23 yuan, so anything near this is a mistake.
MAX_RATE = Decimal(10_000)
RATE_PLACES = Decimal("0.000001")


def parse_rate(text: Any) -> Decimal | None:
    """An exchange rate as typed (``7.1``, ``7,10``): a positive number up to ``MAX_RATE``
    with at most six places, or ``None``."""
    try:
        rate = Decimal(str(text).strip().replace(",", "."))
    except ArithmeticError:
        return None
    if not rate.is_finite() or rate <= 0 or rate > MAX_RATE or rate != rate.quantize(RATE_PLACES):
        return None
    return rate.normalize()


#: Most values of one column offered for mapping (the rest stay errors, named by row).
MAX_UNKNOWN = 200


@dataclass
class SheetMapping:
    kind: str = ""  # blank: recognised from the headers
    columns: dict[str, str] = field(default_factory=dict)  # header key → column key, "" = out
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column → {text: value}
    units: dict[str, Decimal] = field(default_factory=dict)  # amount column → multiplier
    #: amount column → yuan for one unit of the file's currency (absent: the file's are yuan)
    rates: dict[str, Decimal] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "columns": self.columns,
            "values": self.values,
            "units": {k: str(v) for k, v in self.units.items()},
            "rates": {k: format(v, "f") for k, v in self.rates.items()},
        }

    def factor(self, column: str) -> Decimal | None:
        """What an amount of ``column`` is multiplied by to be yuan (``None``: as written)."""
        unit, rate = self.units.get(column), self.rates.get(column)
        if unit is None and rate is None:
            return None
        return (unit or Decimal(1)) * (rate or Decimal(1))

    @classmethod
    def from_json(cls, data: MappingType[str, Any] | None) -> "SheetMapping":
        data = data or {}
        kind = str(data.get("kind") or "")
        columns = {
            str(k): str(v) for k, v in dict(data.get("columns") or {}).items() if isinstance(v, str)
        }
        values = {
            str(col): {str(k): str(v) for k, v in dict(texts).items() if isinstance(v, str)}
            for col, texts in dict(data.get("values") or {}).items()
            if isinstance(texts, dict)
        }
        units = {}
        for col, unit in dict(data.get("units") or {}).items():
            if str(unit) in UNITS:
                units[str(col)] = Decimal(str(unit))
        rates = {}
        for col, text in dict(data.get("rates") or {}).items():
            if (rate := parse_rate(text)) is not None:
                rates[str(col)] = rate
        return cls(kind if kind in KINDS else "", columns, values, units, rates)

    def value_for(self, column: str, text: str) -> str | None:
        return self.values.get(column, {}).get(choice_key(text))

    @property
    def is_empty(self) -> bool:
        return not (
            self.kind or self.columns or any(self.values.values()) or self.units or self.rates
        )


@dataclass
class Mapping:
    """Per sheet title ("" for a CSV file; ``EVERY_SHEET`` for the sheets not named)."""

    sheets: dict[str, SheetMapping] = field(default_factory=dict)

    def for_sheet(self, title: str) -> SheetMapping:
        return self.sheets.get(title) or self.sheets.get(EVERY_SHEET) or SheetMapping()

    def as_json(self) -> dict[str, Any]:
        return {title: m.as_json() for title, m in self.sheets.items() if not m.is_empty}

    @classmethod
    def from_json(cls, data: MappingType[str, Any] | None) -> "Mapping":
        return cls({str(t): SheetMapping.from_json(m) for t, m in dict(data or {}).items()})


@dataclass
class Match:
    """One header of a sheet as the preview shows it."""

    position: int
    header: str
    key: str  # the column it was read as ("" when left out)
    how: str

    def as_json(self) -> list[Any]:
        return [self.position, self.header, self.key, self.how]

    @classmethod
    def from_json(cls, data: list[Any]) -> "Match":
        return cls(int(data[0]), str(data[1]), str(data[2]), str(data[3]))


def rate_problem() -> str:
    return _(
        "An exchange rate is the yuan one unit of the file's currency is worth (7.1 for US "
        "dollars): a positive number up to %(max)s, with at most six decimal places."
    ) % {"max": f"{MAX_RATE:,}"}


def saved(name: str) -> ImportMapping | None:
    return ImportMapping.objects.filter(name=name).first()


def from_saved(saved_mapping: ImportMapping) -> Mapping:
    """A saved mapping applied to every sheet of a file (its kind given to each, so a CSV from
    another system is read as that kind whatever its headers)."""
    one = SheetMapping.from_json(
        {"kind": saved_mapping.kind, "columns": saved_mapping.columns,
         "values": saved_mapping.values, "units": saved_mapping.units,
         "rates": saved_mapping.rates}
    )  # fmt: skip
    return Mapping({EVERY_SHEET: one})


def save_as(*, name: str, sheet: SheetMapping, user: User) -> ImportMapping:
    """Save (or replace, if it is the user's own or the user administers) a mapping by name;
    ``PermissionError`` when the name is someone else's."""
    existing = saved(name)
    if existing is not None and existing.created_by_id != user.pk and not user.is_superuser:
        raise PermissionError(name)
    mapping = existing or ImportMapping(name=name, created_by=user)
    data = sheet.as_json()
    mapping.kind, mapping.columns = sheet.kind, data["columns"]
    mapping.values, mapping.units = data["values"], data["units"]
    mapping.rates = data["rates"]
    mapping.save()
    return mapping


def column_choices(kind: str) -> list[tuple[str, str, bool]]:
    """The columns a header may be read as: key, label, required."""
    return [(c.key, c.header, c.required) for c in COLUMNS[kind]]


def mappable(
    kind: str, keys: Iterable[str], viewer: User | None = None
) -> list[tuple[Column, list[tuple[str, str]]]]:
    """Of the columns ``keys`` names, those whose values may be mapped, each with its choices
    as ``viewer`` may see them (the preview's panel and the API show the same)."""
    columns = {c.key: c for c in COLUMNS[kind]}
    found = [columns[k] for k in dict.fromkeys(keys) if k in columns]
    return [(c, value_choices(c.type, viewer)) for c in found if c.type in MAPPABLE]


def value_choices(column_type: str, viewer: User | None = None) -> list[tuple[str, str]]:
    """What an unknown value of a column of this type may be mapped to: the text the column
    reads, and how it is shown. People: those of the units ``viewer`` sees (every active
    person without a viewer, as a mapping is checked)."""
    if column_type == "region":
        return [(r.code, ref_label(r)) for r in Region.objects.filter(is_active=True)]
    if column_type == "industry":
        return [(i.code, ref_label(i)) for i in Industry.objects.filter(is_active=True)]
    if column_type == "currency":
        return [(str(v), str(label)) for v, label in Currency.choices]
    if column_type == "deal_status":
        return [(str(v), str(label)) for v, label in Status.choices]
    if column_type == "grade":
        return [(g, g) for g in ("A", "B", "C", "D")]
    if column_type == "stage":
        return [(s.code, f"{s.order} {s.name}") for s in Stage.objects.order_by("order")]
    if column_type == "loss_reason":
        return [(r.code, str(r.name)) for r in LossReason.objects.filter(is_active=True)]
    if column_type == "competitor":
        return [(c.name, c.name) for c in Competitor.objects.filter(is_active=True)]
    if column_type == "role":
        return [(r.code, str(r.get_code_display())) for r in Role.objects.all()]
    if column_type == "user":
        found = people_list(user=viewer) if viewer else User.objects.filter(is_active=True)
        people = found.order_by("username")[:2000]
        return [(u.username, f"{u} ({u.username})") for u in people]
    return []


def mapping_problems(mapping: Mapping) -> dict[str, list[str]]:
    """What in ``mapping`` names nothing the import knows, by where (``<sheet>.kind``,
    ``<sheet>.columns.<header>``, ``<sheet>.units.<column>``, ``<sheet>.values.<column>``)."""
    problems: dict[str, list[str]] = {}
    for title, sheet in mapping.sheets.items():
        where = title or "file"
        if sheet.kind not in ("", *KINDS):
            problems[f"{where}.kind"] = [
                _("“%(kind)s” is not a kind of records.") % {"kind": sheet.kind}
            ]
            continue
        columns = {c.key: c for c in COLUMNS[sheet.kind]} if sheet.kind else {}
        for header, key in sheet.columns.items():
            if key and key not in columns:
                problems[f"{where}.columns.{header}"] = [
                    _("“%(column)s” is not a column of this kind of records.") % {"column": key}
                ]
        for key, unit in sheet.units.items():
            if (
                key not in columns
                or columns[key].type != "amount"
                or format(unit, "f") not in UNITS
            ):
                problems[f"{where}.units.{key}"] = [
                    _("Choose the unit of each amount column from the list.")
                ]
        for key, rate in sheet.rates.items():
            if key not in columns or columns[key].type != "amount":
                problems[f"{where}.rates.{key}"] = [
                    _("Only an amount column has an exchange rate.")
                ]
            elif parse_rate(rate) is None:
                problems[f"{where}.rates.{key}"] = [rate_problem()]
        for key, texts in sheet.values.items():
            column = columns.get(key)
            if column is None or column.type not in MAPPABLE:
                problems[f"{where}.values.{key}"] = [
                    _("The values of this column cannot be mapped.")
                ]
                continue
            allowed = {value for value, _label in value_choices(column.type)}
            for value in texts.values():
                if value not in allowed:
                    problems.setdefault(f"{where}.values.{key}", []).append(
                        _("“%(value)s” is not one of the choices for this column.")
                        % {"value": value}
                    )
    return problems
