"""What an import will do: problems, rows, sheets and the plan (and their JSON form, kept in an
``ImportBatch``), and the first step, ``parse_tables``: headers recognised (``detect_kind``)
and every cell parsed."""

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keyaccount.core.parsing import ParseError
from keyaccount.customers import rules

from .cells import References, UnknownValue, as_text, decode_value, encode_value, parse_cell
from .columns import (
    COLUMNS,
    CONTACTS,
    CUSTOMER_COLUMNS,
    CUSTOMERS,
    EVALUATIONS,
    MILESTONES,
    OPPORTUNITIES,
    PEOPLE,
    Column,
    both_languages,
    export_only_headers,
    header_index,
    header_key,
)
from .mapping import (
    BY_ALIAS,
    BY_HAND,
    BY_NAME,
    EXPORT_ONLY,
    IGNORED,
    MAX_UNKNOWN,
    UNMATCHED,
    Mapping,
    Match,
)
from .reading import CellError, Formula, ReadResult

PAYLOAD_VERSION = 1
CENT = Decimal("0.01")

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
            **(
                {"d": [[m.id, m.reason, m.similarity] for m in self.duplicates]}
                if self.duplicates
                else {}
            ),
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
            duplicates=[
                rules.DuplicateMatch(int(i), str(r), float(f)) for i, r, f in data.get("d", [])
            ],
        )


@dataclass
class Sheet:
    kind: str
    title: str
    headers: dict[str, str]  # column key → header as written in the file
    rows: list[Row]
    matches: list[Match] = field(default_factory=list)  # every header, read or not
    #: cell texts no column could read, by column key, with how many rows have them: from
    #: reading the cells, and from the planner's lookups (stages, owners …: reset per plan)
    unknown: dict[str, Counter[str]] = field(default_factory=dict)
    unresolved: dict[str, Counter[str]] = field(default_factory=dict)

    def note_unknown(self, key: str, text: str, *, planner: bool = False) -> None:
        found = (self.unresolved if planner else self.unknown).setdefault(key, Counter())
        if text in found or len(found) < MAX_UNKNOWN:
            found[text] += 1

    def unknown_values(self) -> dict[str, Counter[str]]:
        merged: dict[str, Counter[str]] = {}
        for source in (self.unknown, self.unresolved):
            for key, texts in source.items():
                merged.setdefault(key, Counter()).update(texts)
        return merged


@dataclass
class Plan:
    file_name: str
    file_type: str
    encoding: str
    problems: list[Problem]  # about the file or a whole sheet
    sheets: list[Sheet]
    #: sheets whose headers announce no kind of records: [title, headers], to be given a kind
    unread: list[list[Any]] = field(default_factory=list)

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
                    "matches": [m.as_json() for m in s.matches],
                    "unknown": {k: [[t, n] for t, n in c.items()] for k, c in s.unknown.items()},
                    "unresolved": {
                        k: [[t, n] for t, n in c.items()] for k, c in s.unresolved.items()
                    },
                }
                for s in self.sheets
            ],
            "unread": self.unread,
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
                    matches=[Match.from_json(m) for m in s.get("matches", [])],
                    unknown=_counters(s.get("unknown", {})),
                    unresolved=_counters(s.get("unresolved", {})),
                )
                for s in data["sheets"]
            ],
            unread=data.get("unread", []),
        )


def _counters(data: dict[str, list[list[Any]]]) -> dict[str, Counter[str]]:
    return {key: Counter({str(t): int(n) for t, n in pairs}) for key, pairs in data.items()}


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
    PEOPLE: {"username", "display_name"},
    MILESTONES: {"contract", "name", "due_on"},
}


def detect_kind(header: Sequence[Any]) -> str | None:
    """Which kind of records a header row announces: the kind whose identifying columns are
    all there and that recognises most headers; failing that, the kind recognising most (its
    missing required columns are then reported); None if no header is known at all."""
    keys = [header_key(h) for h in header if isinstance(h, str)]
    scored = []
    ordered = (MILESTONES, PEOPLE, CONTACTS, EVALUATIONS, OPPORTUNITIES, CUSTOMERS)
    for order, kind in enumerate(ordered):
        index = header_index(kind)
        found = {index[k] for k in keys if k in index}
        scored.append((_SIGNATURES[kind] <= found, len(found), -order, kind))
    complete, hits, _order, kind = max(scored)
    return kind if complete or hits else None


def parse_tables(
    read: ReadResult, refs: References, mapping: Mapping | None = None
) -> tuple[list[Sheet], list[Problem], list[list[Any]]]:
    """Headers recognised (or mapped), every cell parsed; problems named by row and column
    header. Also returns the sheets that announce no kind of records, with their headers."""
    mapping = mapping or Mapping()
    sheets: list[Sheet] = []
    problems: list[Problem] = []
    unread: list[list[Any]] = []
    examples = _example_names()
    skip_titles = both_languages(NOTES_TITLE)
    if not any(table.rows for table in read.tables):
        return [], [Problem(ERROR, _("The file is empty."))], []
    for table in read.tables:
        where = (_("sheet “%(sheet)s”") % {"sheet": table.title}) if table.title else _("file")
        if not table.rows:
            if read.file_type == "csv":
                problems.append(Problem(ERROR, _("The file has no rows.")))
            continue
        header_number, header = table.rows[0]
        if table.title and header_key(table.title) in skip_titles:
            continue
        chosen = mapping.for_sheet(table.title)
        kind = chosen.kind or detect_kind(header)
        if kind is None:
            unread.append([table.title, [_header_text(h) for h in header if h is not None]])
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
        matches: list[Match] = []
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
            text = _header_text(raw)
            hkey = header_key(text)
            how = BY_HAND
            key = chosen.columns.get(hkey)
            if key == "":
                matches.append(Match(position, text, "", IGNORED))
                continue
            if key not in columns:
                key = index.get(hkey)
                how = BY_NAME if key and hkey in both_languages(columns[key].label) else BY_ALIAS
            if key is None:
                if hkey in ignored:
                    quietly_ignored.append(text)
                    matches.append(Match(position, text, "", EXPORT_ONLY))
                    continue
                matches.append(Match(position, text, "", UNMATCHED))
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
                matches.append(Match(position, text, "", UNMATCHED))
                continue
            headers[key] = text
            by_position[position] = key
            matches.append(Match(position, text, key, how))
            if how == BY_ALIAS:
                guessed.append((text, columns[key]))
        for text, column in guessed:
            if column.type == "amount" and chosen.factor(column.key) is None:
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
            sheets.append(Sheet(kind, table.title, headers, [], matches=matches))
            continue
        sheet = Sheet(kind, table.title, headers, [], matches=matches)
        factors = {k: f for k in headers if (f := chosen.factor(k)) is not None}
        for key, factor in factors.items():
            problems.append(
                Problem(
                    INFO,
                    _("Amounts of “%(column)s” are multiplied by %(factor)s to be yuan.")
                    % {"column": headers[key], "factor": f"{factor.normalize():,f}"},
                    header_number,
                    headers[key],
                )
            )
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
                replacement = chosen.value_for(key, as_text(raw))
                if replacement is not None:
                    raw = replacement
                try:
                    value = parse_cell(column, raw, refs)
                    if value is not None and key in factors:
                        value = (value * factors[key]).quantize(CENT, rounding=ROUND_HALF_UP)
                except UnknownValue as exc:
                    row.error(str(exc), header_text)
                    row.raw[header_text] = as_text(raw)
                    sheet.note_unknown(key, as_text(raw))
                    continue
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
    return sheets, problems, unread


def _header_text(raw: Any) -> str:
    text = as_text(raw) if not isinstance(raw, Formula | CellError) else raw.text
    return re.sub(r"\s*\*+\s*$", "", text)


EXAMPLE_USERNAME = "example.person"
EXAMPLE_CONTRACT = "HT-EXAMPLE-001"


def _is_example(kind: str, row: Row, examples: set[str]) -> bool:
    if kind == PEOPLE:
        return row.values.get("username") == EXAMPLE_USERNAME
    if kind == MILESTONES:
        return row.values.get("contract") == EXAMPLE_CONTRACT
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
