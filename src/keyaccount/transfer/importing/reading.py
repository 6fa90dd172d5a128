"""Reading an upload: the size limits, what a file that is no spreadsheet is, and the tables
of a CSV (UTF-8, UTF-16 or GB18030) or .xlsx file (formulas and error cells kept as such, so
that the rows can say what they hold)."""

import csv
import io
import logging
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

log = logging.getLogger(__name__)


MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_UNPACKED = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
MAX_COLUMNS = 100


class FileRefusedError(Exception):
    """The upload cannot be read at all (not a spreadsheet, too big …): nothing to preview."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Formula:
    text: str


@dataclass(frozen=True)
class CellError:
    text: str


@dataclass
class Table:
    title: str  # the sheet's name ("" for CSV)
    rows: list[tuple[int, list[Any]]]  # (row number as Excel shows it, cell values)


@dataclass
class ReadResult:
    file_type: str  # "xlsx" or "csv"
    encoding: str  # of a CSV file
    tables: list[Table]


_MAGIC = (
    (b"%PDF", gettext_lazy("a PDF document")),
    (b"\x89PNG", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"Rar!", gettext_lazy("a RAR archive")),
    (b"7z\xbc\xaf", gettext_lazy("a 7-Zip archive")),
    (b"\x1f\x8b", gettext_lazy("a gzip archive")),
    (b"MZ", gettext_lazy("a program")),
)


def _not_a_spreadsheet(what: Any) -> FileRefusedError:
    return FileRefusedError(
        _(
            "This file is %(what)s, not a spreadsheet. Upload the template as an Excel "
            "workbook (.xlsx) or as CSV."
        )
        % {"what": what}
    )


def read_upload(name: str, data: bytes) -> ReadResult:
    """The tables of an uploaded file, or ``FileRefusedError`` saying why it cannot be read."""
    if len(data) > MAX_BYTES:
        raise FileRefusedError(
            _("The file is %(size)s MB; the largest file that can be imported is %(max)s MB.")
            % {"size": f"{len(data) / 1024 / 1024:.1f}", "max": MAX_BYTES // 1024 // 1024}
        )
    if not data.strip():
        raise FileRefusedError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return ReadResult("xlsx", "", _read_xlsx(data))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefusedError(
            _(
                "This is an old-format Excel file (.xls) or a password-protected workbook. "
                "Open it in Excel or WPS, remove any password and save it as “Excel Workbook "
                "(.xlsx)” or “CSV UTF-8”."
            )
        )
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise _not_a_spreadsheet(what)
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise FileRefusedError(
            _("The file is named .xlsx but is not an Excel workbook: it may be damaged.")
        )
    text, encoding = _decode(data)
    return ReadResult("csv", encoding, [_read_csv(text)])


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" in data[:8192]:
        raise _not_a_spreadsheet(_("a binary file"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030"), "GB18030 (GBK)"
        except UnicodeDecodeError:
            raise FileRefusedError(
                _(
                    "The file is neither UTF-8 nor GB18030/GBK text, so it is not a CSV "
                    "export. Save it from Excel or WPS as “CSV UTF-8”, or upload the .xlsx."
                )
            ) from None
    return text, "UTF-8 (BOM)" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"


def _read_csv(text: str) -> Table:
    first = text.split("\n", 1)[0]
    delimiter = ","
    if "\t" in first and "," not in first:
        delimiter = "\t"
    elif first.count(";") > first.count(","):
        delimiter = ";"
    rows: list[tuple[int, list[Any]]] = []
    data_rows = 0
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            cells: list[Any] = [_csv_cell(v) for v in record[:MAX_COLUMNS]]
            if any(c is not None for c in cells):
                data_rows += 1
                _check_row_count(data_rows)
                rows.append((number, cells))
    except csv.Error as exc:
        raise FileRefusedError(
            _("The CSV file is malformed (%(reason)s); save it again from Excel or WPS.")
            % {"reason": exc}
        ) from exc
    return Table("", rows)


def _csv_cell(value: str) -> Any:
    text = value.strip()
    if not text:
        return None
    if text.startswith("=") and len(text) > 1:
        return Formula(text)
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]  # escaped by an export (``core.excel.csv_safe``): the text itself
    return text


def _check_row_count(data_rows: int) -> None:
    # One header row per table is allowed on top of MAX_ROWS data rows.
    if data_rows > MAX_ROWS + 3:
        raise FileRefusedError(
            _(
                "The file has more than %(max)s rows. Split it into files of at most "
                "%(max)s rows and import them one after the other."
            )
            % {"max": f"{MAX_ROWS:,}"}
        )


def _read_xlsx(data: bytes) -> list[Table]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FileRefusedError(
            _("The file is not a readable Excel workbook (.xlsx): it may be damaged.")
        ) from exc
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        raise FileRefusedError(
            _(
                "This is a ZIP archive or another Office document, not an Excel workbook. "
                "Upload the template as .xlsx or CSV."
            )
        )
    unpacked = sum(e.file_size for e in entries)
    if len(entries) > MAX_ZIP_ENTRIES or unpacked > MAX_UNPACKED:
        raise FileRefusedError(
            _(
                "The workbook unpacks to more than %(max)s MB, which no import of %(rows)s "
                "rows needs. Copy the rows into the template and upload that."
            )
            % {"max": MAX_UNPACKED // 1024 // 1024, "rows": f"{MAX_ROWS:,}"}
        )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:  # a hostile file must not become a 500, whatever openpyxl raises
        log.info("unreadable workbook: %r", exc)
        raise FileRefusedError(
            _("The workbook could not be read (it may be damaged). Open it and save it again.")
        ) from exc
    tables = []
    data_rows = 0
    try:
        for sheet in workbook.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            rows: list[tuple[int, list[Any]]] = []
            for number, row in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS), 1):
                cells = [_xlsx_cell(c) for c in row]
                while cells and cells[-1] is None:
                    cells.pop()
                if cells:
                    data_rows += 1
                    _check_row_count(data_rows)
                    rows.append((number, cells))
            tables.append(Table(sheet.title, rows))
    except FileRefusedError:
        raise
    except Exception as exc:
        log.info("unreadable worksheet: %r", exc)
        raise FileRefusedError(
            _("The workbook could not be read (it may be damaged). Open it and save it again.")
        ) from exc
    finally:
        workbook.close()
    return tables


def _xlsx_cell(cell: Any) -> Any:
    value = cell.value
    if value is None:
        return None
    kind = getattr(cell, "data_type", None)
    if kind == "f" or (not isinstance(value, str | int | float | datetime | date | bool)):
        return Formula(str(getattr(value, "text", value)))
    if kind == "e":
        return CellError(str(value))
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
