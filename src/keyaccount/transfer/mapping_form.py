"""The preview page's mapping panel: what it shows of every sheet (each header and the column it
was read as, the required columns missing, the values no column could read, the units of
amount columns) and how its form becomes a ``Mapping`` again."""

from collections import Counter
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from . import importing
from .importing.mapping import BY_ALIAS, UNMATCHED


@dataclass
class PanelSheet:
    index: int
    title: str
    kind: str
    kind_label: str
    headers: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unknown: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    needs_attention: bool = False


def kind_choices() -> list[tuple[str, str]]:
    return [(k, str(importing.SHEET_TITLES[k])) for k in importing.KINDS]


def panel(plan: importing.Plan, mapping: importing.Mapping, user: Any) -> list[PanelSheet]:
    """The panel's sheets: those read (with their headers, values and units), then those whose
    headers announce no kind of records (to be given one)."""
    sheets: list[PanelSheet] = []
    for index, sheet in enumerate(plan.sheets):
        chosen = mapping.for_sheet(sheet.title)
        columns = {c.key: c for c in importing.COLUMNS[sheet.kind]}
        choices = importing.column_choices(sheet.kind)
        item = PanelSheet(index, sheet.title, sheet.kind, str(importing.SHEET_TITLES[sheet.kind]))
        for match in sheet.matches:
            item.headers.append(
                {
                    "position": match.position,
                    "header": match.header,
                    "key": match.key,
                    "how": match.how,
                    "how_label": str(importing.HOW_LABELS.get(match.how, "")),
                    "choices": choices,
                }
            )
            if match.key and columns[match.key].type == "amount":
                unit = chosen.units.get(match.key, Decimal(1))
                item.units.append(
                    {
                        "key": match.key,
                        "header": match.header,
                        "unit": format(unit.normalize(), "f"),
                        "rate": format(chosen.rates[match.key], "f")
                        if match.key in chosen.rates
                        else "",
                    }
                )
        item.missing = [
            c.header for c in columns.values() if c.required and c.key not in sheet.headers
        ]
        unknown = sheet.unknown_values()
        for column, options in importing.mappable(sheet.kind, [*unknown, *chosen.values], user):
            key = column.key
            values = [
                {"text": text, "count": count, "chosen": ""}
                for text, count in unknown.get(key, Counter()).most_common()
            ]
            values += [  # mapped earlier: shown with the choice, to change it
                {"text": text, "count": None, "chosen": target}
                for text, target in chosen.values.get(key, {}).items()
            ]
            item.unknown.append(
                {
                    "key": key,
                    "header": sheet.headers.get(key, column.header),
                    "values": [v | {"n": n} for n, v in enumerate(values)],
                    "choices": options,
                    "open": key in unknown,
                }
            )
        item.needs_attention = bool(
            item.missing
            or any(u["open"] for u in item.unknown)
            or any(h["how"] in (BY_ALIAS, UNMATCHED)
                   for h in item.headers)
        )  # fmt: skip
        sheets.append(item)
    for offset, (title, headers) in enumerate(plan.unread):
        item = PanelSheet(len(plan.sheets) + offset, str(title), "", "")
        item.headers = [{"header": str(h)} for h in headers]
        item.needs_attention = True
        sheets.append(item)
    return sheets


class MappingFormError(ValueError):
    pass


def read_form(data: MappingType[str, Any], before: importing.Mapping) -> importing.Mapping:
    """The mapping the panel's form asks for (values mapped earlier are kept). Anything the
    page could not have sent is ``MappingFormError``, with a message; nothing is applied."""
    incomplete = _("The mapping form is incomplete: reload the page.")
    try:
        count = int(data.get("sheets", "0"))
    except ValueError as exc:
        raise MappingFormError(incomplete) from exc
    if not 0 <= count <= 100:
        raise MappingFormError(incomplete)
    result = importing.Mapping(dict(before.sheets))
    for i in range(count):
        title = str(data.get(f"title-{i}", ""))
        kind = str(data.get(f"kind-{i}", ""))
        old = before.for_sheet(title)
        sheet = importing.SheetMapping(
            kind=kind or old.kind,
            columns=dict(old.columns),
            values={k: dict(v) for k, v in old.values.items()},
            units=dict(old.units),
            rates=dict(old.rates),
        )
        if kind and old.kind and kind != old.kind:  # another kind: start again
            sheet.columns, sheet.values, sheet.units, sheet.rates = {}, {}, {}, {}
        try:
            _read_sheet(data, i, sheet)
        except MappingFormError:
            raise
        except (ArithmeticError, ValueError) as exc:
            raise MappingFormError(incomplete) from exc
        result.sheets[title] = sheet
    problems = importing.mapping_problems(result)
    if problems:
        raise MappingFormError(next(iter(problems.values()))[0])
    return result


def _read_sheet(data: MappingType[str, Any], i: int, sheet: importing.SheetMapping) -> None:
    for name in list(data):
        if name.startswith(prefix := f"hdr-{i}-"):
            position = name.removeprefix(prefix)
            chosen = str(data.get(f"col-{i}-{position}", ""))
            sheet.columns[importing.header_key(str(data[name]))] = chosen
        elif name.startswith(prefix := f"unit-{i}-"):
            key, unit = name.removeprefix(prefix), str(data[name])
            if unit == "1":
                sheet.units.pop(key, None)
            elif unit in importing.UNITS:
                sheet.units[key] = Decimal(unit)
            else:
                raise MappingFormError(_("Choose the unit of each amount column from the list."))
        elif name.startswith(prefix := f"rate-{i}-"):
            key, text = name.removeprefix(prefix), str(data[name]).strip()
            rate = importing.parse_rate(text) if text else Decimal(1)
            if rate is None:
                raise MappingFormError(importing.rate_problem())
            if rate == 1:
                sheet.rates.pop(key, None)
            else:
                sheet.rates[key] = rate
        elif name.startswith(prefix := f"vt-{i}-"):
            rest = name.removeprefix(prefix)
            value = str(data.get(f"vv-{i}-{rest}", ""))
            key, text = rest.rpartition("-")[0], importing.choice_key(str(data[name]))
            if value:
                sheet.values.setdefault(key, {})[text] = value
            elif text in sheet.values.get(key, {}):  # back to an error, as chosen
                del sheet.values[key][text]
