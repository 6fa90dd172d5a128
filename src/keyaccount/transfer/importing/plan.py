"""What an import will do: problems, rows, sheets and the plan (and their JSON form, kept in an
``ImportBatch``), and the first step, ``parse_tables``: headers recognised (``detect_kind``)
and every cell parsed."""

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keyaccount.core.parsing import ParseError
from keyaccount.customers import rules

from .cells import References, as_text, decode_value, encode_value, parse_cell
from .columns import (
    COLUMNS,
    CONTACTS,
    CUSTOMER_COLUMNS,
    CUSTOMERS,
    EVALUATIONS,
    OPPORTUNITIES,
    Column,
    both_languages,
    export_only_headers,
    header_index,
    header_key,
)
from .reading import CellError, Formula, ReadResult

PAYLOAD_VERSION = 1

ERROR, WARNING, INFO = "error", "warning", "info"
CREATE, UPDATE, UNCHANGED, FAILED = "create", "update", "unchanged", "error"


@dataclass
class Problem:
    level: str
    message: str
    row: int | None = None
    column: str = ""  # the column's header as the file has it

    def as_json(self) -> list[Any]:
        return [self.level, self.message, self.row, self.column]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> "Problem":
        return cls(data[0], data[1], data[2], data[3])


@dataclass
class Row:
    kind: str
    sheet: str
    number: int
    values: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    action: str = ""
    target: int | None = None  # id of the matched record
    version: int | None = None  # its version when the preview was made
    label: str = ""  # what the row is about, for people
    changes: list[list[str]] = field(default_factory=list)  # [header, old, new]
    customer_ref: str = ""  # contacts and evaluations: "id:<customer>" or "row:<number>"
    parsed: int = 0  # how many of ``problems`` came from reading the cells
    boss: str = ""  # contacts, while planning: "c:<contact id>" or "r:<row number>"
    duplicates: list[rules.DuplicateMatch] = field(default_factory=list)  # new customers
    raw: dict[str, str] = field(default_factory=dict)  # header → text of a cell refused

    @property
    def has_error(self) -> bool:
        return any(p.level == ERROR for p in self.problems)

    def error(self, message: str, column: str = "") -> None:
        self.problems.append(Problem(ERROR, message, self.number, column))

    def warn(self, message: str, column: str = "") -> None:
        self.problems.append(Problem(WARNING, message, self.number, column))

    def as_json(self) -> dict[str, Any]:
        cols = {c.key: c for c in COLUMNS[self.kind]}
        return {
            "k": self.kind,
            "s": self.sheet,
            "n": self.number,
            "v": {k: encode_value(cols[k], v) for k, v in self.values.items()},
            "p": [p.as_json() for p in self.problems],
            "a": self.action,
            "t": self.target,
            "ver": self.version,
            "l": self.label,
            "c": self.changes,
            "pc": self.parsed,
            **({"r": self.raw} if self.raw else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Row":
        cols = {c.key: c for c in COLUMNS[data["k"]]}
        return cls(
            kind=data["k"],
            sheet=data["s"],
            number=data["n"],
            values={k: decode_value(cols[k], v) for k, v in data["v"].items()},
            problems=[Problem.from_json(p) for p in data["p"]],
            action=data["a"],
            target=data["t"],
            version=data["ver"],
            label=data["l"],
            changes=data["c"],
            parsed=data["pc"],
            raw=data.get("r", {}),
        )


@dataclass
class Sheet:
    kind: str
    title: str
    headers: dict[str, str]  # column key → header as written in the file
    rows: list[Row]


@dataclass
class Plan:
    file_name: str
    file_type: str
    encoding: str
    problems: list[Problem]  # about the file or a whole sheet
    sheets: list[Sheet]

    @property
    def rows(self) -> Iterator[Row]:
        for sheet in self.sheets:
            yield from sheet.rows

    @property
    def has_errors(self) -> bool:
        return any(p.level == ERROR for p in self.problems) or any(
            r.action == FAILED for r in self.rows
        )

    @property
    def has_work(self) -> bool:
        return any(r.action in (CREATE, UPDATE) for r in self.rows)

    def counts(self) -> dict[str, int]:
        counted = Counter(r.action for r in self.rows)
        counted["warning"] = sum(
            1 for r in self.rows if any(p.level == WARNING for p in r.problems)
        )
        counted["rows"] = sum(len(s.rows) for s in self.sheets)
        return {
            k: counted.get(k, 0) for k in ("rows", CREATE, UPDATE, UNCHANGED, FAILED, "warning")
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "version": PAYLOAD_VERSION,
            "file_type": self.file_type,
            "encoding": self.encoding,
            "problems": [p.as_json() for p in self.problems],
            "sheets": [
                {
                    "kind": s.kind,
                    "title": s.title,
                    # pairs, not an object: PostgreSQL's jsonb does not keep the order of keys,
                    # and the file's column order is what the rejected rows are written in
                    "headers": [[key, text] for key, text in s.headers.items()],
                    "rows": [r.as_json() for r in s.rows],
                }
                for s in self.sheets
            ],
        }

    @classmethod
    def from_json(cls, file_name: str, data: dict[str, Any]) -> "Plan":
        if data.get("version") != PAYLOAD_VERSION:
            raise ValueError("stale import batch")
        return cls(
            file_name=file_name,
            file_type=data["file_type"],
            encoding=data["encoding"],
            problems=[Problem.from_json(p) for p in data["problems"]],
            sheets=[
                Sheet(
                    kind=s["kind"],
                    title=s["title"],
                    headers=dict(s["headers"]),
                    rows=[Row.from_json(r) for r in s["rows"]],
                )
                for s in data["sheets"]
            ],
        )


def _example_names() -> set[str]:
    names = set()
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.add(rules.name_key(str(EXAMPLE_CUSTOMER)))
    return names


EXAMPLE_CUSTOMER = gettext_lazy("(Example) East China Grid Operations Co., Ltd.")
NOTES_TITLE = gettext_lazy("Read me")


_SIGNATURES = {
    CONTACTS: {"customer", "name"},
    EVALUATIONS: {"customer", "evaluated_on"},
    CUSTOMERS: {"name"},
    OPPORTUNITIES: {"customer", "name", "stage"},
}


def detect_kind(header: Sequence[Any]) -> str | None:
    """Which kind of records a header row announces: the kind whose identifying columns are
    all there and that recognises most headers; failing that, the kind recognising most (its
    missing required columns are then reported); None if no header is known at all."""
    keys = [header_key(h) for h in header if isinstance(h, str)]
    scored = []
    for order, kind in enumerate((CONTACTS, EVALUATIONS, OPPORTUNITIES, CUSTOMERS)):
        index = header_index(kind)
        found = {index[k] for k in keys if k in index}
        scored.append((_SIGNATURES[kind] <= found, len(found), -order, kind))
    complete, hits, _order, kind = max(scored)
    return kind if complete or hits else None


def parse_tables(read: ReadResult, refs: References) -> tuple[list[Sheet], list[Problem]]:
    """Headers recognised, every cell parsed; problems named by row and column header."""
    sheets: list[Sheet] = []
    problems: list[Problem] = []
    examples = _example_names()
    skip_titles = both_languages(NOTES_TITLE)
    if not any(table.rows for table in read.tables):
        return [], [Problem(ERROR, _("The file is empty."))]
    for table in read.tables:
        where = (_("sheet “%(sheet)s”") % {"sheet": table.title}) if table.title else _("file")
        if not table.rows:
            if read.file_type == "csv":
                problems.append(Problem(ERROR, _("The file has no rows.")))
            continue
        header_number, header = table.rows[0]
        if table.title and header_key(table.title) in skip_titles:
            continue
        kind = detect_kind(header)
        if kind is None:
            if table.title and read.file_type == "xlsx" and len(read.tables) > 1:
                problems.append(
                    Problem(
                        INFO,
                        _("The %(where)s was not read: its first row has none of the "
                          "template's column headers.") % {"where": where},
                    )
                )  # fmt: skip
            else:
                problems.append(
                    Problem(
                        ERROR,
                        _("The first row of the %(where)s must hold the column headers of the "
                          "template (e.g. “%(example)s”); none was found. Download the "
                          "template and copy your rows into it.")
                        % {"where": where, "example": CUSTOMER_COLUMNS[0].header},
                        header_number,
                    )
                )  # fmt: skip
            continue
        columns = {c.key: c for c in COLUMNS[kind]}
        index = header_index(kind)
        ignored = export_only_headers(kind)
        by_position: dict[int, str] = {}
        headers: dict[str, str] = {}
        quietly_ignored = []
        guessed: list[tuple[str, Column]] = []  # matched by an alias, not the column's label
        for position, raw in enumerate(header):
            if raw is None:
                if any(len(cells) > position and cells[position] is not None
                       for _n, cells in table.rows[1:]):  # fmt: skip
                    problems.append(
                        Problem(
                            WARNING,
                            _("Column %(letter)s of the %(where)s has no header: its values "
                              "were ignored.")
                            % {"letter": column_letter(position), "where": where},
                            header_number,
                        )
                    )  # fmt: skip
                continue
            text = as_text(raw) if not isinstance(raw, Formula | CellError) else raw.text
            text = re.sub(r"\s*\*+\s*$", "", text)
            key = index.get(header_key(text))
            if key is None:
                if header_key(text) in ignored:
                    quietly_ignored.append(text)
                    continue
                problems.append(
                    Problem(
                        WARNING,
                        _("Column “%(column)s” of the %(where)s is not a column of the template: "
                          "its values were ignored.") % {"column": text, "where": where},
                        header_number,
                        text,
                    )
                )  # fmt: skip
                continue
            if key in headers:
                problems.append(
                    Problem(
                        ERROR,
                        _("Columns “%(first)s” and “%(second)s” of the %(where)s are the same "
                          "column: keep one.")
                        % {"first": headers[key], "second": text, "where": where},
                        header_number,
                        text,
                    )
                )  # fmt: skip
                continue
            headers[key] = text
            by_position[position] = key
            if header_key(text) not in both_languages(columns[key].label):
                guessed.append((text, columns[key]))
        for text, column in guessed:
            if column.type == "amount":
                problems.append(
                    Problem(
                        WARNING,
                        _("Column “%(column)s” of the %(where)s was read as “%(field)s”: its "
                          "amounts are taken as yuan (元), as they are written. If the file "
                          "gives them in another unit (万元, millions) or currency, convert "
                          "them first.")
                        % {"column": text, "where": where, "field": column.header},
                        header_number,
                        text,
                    )
                )  # fmt: skip
        if guessed:
            problems.append(
                Problem(
                    INFO,
                    _("Columns matched by another name: %(columns)s.")
                    % {"columns": "、".join(f"{t} → {c.header}" for t, c in guessed)},
                    header_number,
                )
            )
        if quietly_ignored:
            problems.append(
                Problem(
                    INFO,
                    _("Columns only found in exports were ignored: %(columns)s.")
                    % {"columns": "、".join(quietly_ignored)},
                )
            )
        missing = [c.header for c in COLUMNS[kind] if c.required and c.key not in headers]
        if missing:
            problems.append(
                Problem(
                    ERROR,
                    _("The %(where)s has no column %(columns)s, which is required.")
                    % {"where": where, "columns": "、".join(f"“{m}”" for m in missing)},
                    header_number,
                )
            )
            continue
        sheet = Sheet(kind, table.title, headers, [])
        for number, cells in table.rows[1:]:
            row = Row(kind, table.title, number, {})
            for position, key in by_position.items():
                raw = cells[position] if position < len(cells) else None
                if raw is None:
                    continue
                column = columns[key]
                header_text = headers[key]
                if isinstance(raw, Formula | CellError):
                    row.raw[header_text] = raw.text
                if isinstance(raw, Formula):
                    row.error(
                        _("formulas are not accepted, paste values (the cell holds %(formula)s).")
                        % {"formula": raw.text[:60]},
                        header_text,
                    )
                    continue
                if isinstance(raw, CellError):
                    row.error(_("the cell shows the error %(error)s.") % {"error": raw.text},
                              header_text)  # fmt: skip
                    continue
                try:
                    value = parse_cell(column, raw, refs)
                except ParseError as exc:
                    row.error(str(exc), header_text)
                    row.raw[header_text] = as_text(raw)
                    continue
                if value is not None and value != "":
                    row.values[key] = value
            row.parsed = len(row.problems)
            if not row.values and not row.problems:
                continue  # blank row (e.g. only spaces)
            if _is_example(kind, row, examples):
                problems.append(
                    Problem(
                        INFO,
                        _("Row %(row)s is the template's example and was skipped.")
                        % {"row": number},
                        number,
                    )
                )
                continue
            sheet.rows.append(row)
        if not sheet.rows:
            problems.append(
                Problem(
                    WARNING if len(read.tables) > 1 else ERROR,
                    _("The %(where)s has headers but no rows to import.") % {"where": where},
                )
            )
        sheets.append(sheet)
    if not sheets and not any(p.level == ERROR for p in problems):
        problems.append(
            Problem(ERROR, _("Nothing to import: no sheet has the template's column headers."))
        )
    return sheets, problems


def _is_example(kind: str, row: Row, examples: set[str]) -> bool:
    key = "name" if kind == CUSTOMERS else "customer"
    value = row.values.get(key)
    return isinstance(value, str) and rules.name_key(value) in examples


def column_letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(position + 1))


def action_label(action: str) -> str:
    return str(
        {
            CREATE: _("create"),
            UPDATE: _("update"),
            UNCHANGED: _("unchanged"),
            FAILED: _("error"),
        }.get(action, action)
    )
