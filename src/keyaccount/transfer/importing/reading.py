"""Reading an upload: the size limits, what a file that is no spreadsheet is, and the tables
of a CSV (UTF-8, UTF-16 or GB18030) or .xlsx file (formulas and error cells kept as such, so
that the rows can say what they hold)."""

import csv
import io
import logging
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

log = logging.getLogger(__name__)


MAX_BYTES = 64 * 1024 * 1024
MAX_ROWS = 200_000
MAX_UNPACKED = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 2_000
MAX_COLUMNS = 100
#: Rows read in all, blank ones included: a sheet of a million formatted blank rows is refused
#: when it gets here, not after it has been parsed to its end.
MAX_SCANNED_ROWS = MAX_ROWS + 5_000
#: Columns a sheet may declare (its used range): more means a hostile or broken file, whose
#: every row would be parsed in full though only ``MAX_COLUMNS`` are read.
MAX_DECLARED_COLUMNS = 1_000
#: Seconds a file may take to be read (by the worker: a workbook of ``MAX_ROWS`` rows of a
#: dozen columns reads in about 40 seconds here, more on a busy machine).
MAX_SECONDS = 300.0


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
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return utf16
        raise _not_a_spreadsheet(_("a binary file"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _chinese_legacy(data)
    return text, "UTF-8 (BOM)" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text saved without its byte order mark: ASCII characters (digits, commas, line
    ends) leave a NUL byte beside them, on the odd bytes (little-endian) or the even ones."""
    head = data[:8192]
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if max(odd, even) < len(head) // 8 or min(odd, even) * 4 > max(odd, even):
        return None
    codec = "utf-16-le" if odd > even else "utf-16-be"
    try:
        return data.decode(codec), "UTF-16 (no BOM)"
    except UnicodeDecodeError:
        return None


def _odd_share(text: str) -> float:
    """The share of non-ASCII characters that no Chinese text holds (kana, Cyrillic, Greek,
    box drawing): high when one Chinese encoding is read as another."""
    wide = [c for c in text[:20000] if ord(c) > 0x7F]
    if not wide:
        return 0.0
    odd = sum(
        1 for c in wide
        if "\u3040" <= c <= "\u30ff" or "\u0370" <= c <= "\u04ff" or "\u2500" <= c <= "\u257f"
        or "\uff61" <= c <= "\uff9f"
    )  # fmt: skip
    return odd / len(wide)


def _chinese_legacy(data: bytes) -> tuple[str, str]:
    """GB18030/GBK, or Big5 (Traditional Chinese, from Taiwan or Hong Kong) told apart by what
    each reading gives: Big5 read as GBK is full of kana and Cyrillic letters."""
    readings: list[tuple[float, str, str]] = []
    for codec, label in (("gb18030", "GB18030 (GBK)"), ("big5", "Big5")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        readings.append((_odd_share(text), text, label))
    if not readings:
        raise FileRefusedError(
            _(
                "The file is neither UTF-8, GB18030/GBK nor Big5 text, so it is not a CSV "
                "export. Save it from Excel or WPS as “CSV UTF-8”, or upload the .xlsx."
            )
        )
    _share, text, label = min(readings, key=lambda r: r[0])  # GB18030 first on a tie
    return text, label


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
            if number > MAX_SCANNED_ROWS:
                raise _too_many_rows(_("CSV"), number)
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
    data_rows = scanned = 0
    started = time.monotonic()
    try:
        for sheet in workbook.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            _check_declared_size(sheet)
            rows: list[tuple[int, list[Any]]] = []
            for number, row in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS), 1):
                scanned += 1
                if scanned > MAX_SCANNED_ROWS:
                    raise _too_many_rows(sheet.title, scanned)
                if scanned % 1000 == 0 and time.monotonic() - started > MAX_SECONDS:
                    raise _too_slow(scanned)
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


def _check_declared_size(sheet: Any) -> None:
    """A sheet whose used range (its ``dimension``) spans thousands of columns is refused
    before any row is parsed: each of its rows would be read to its last cell."""
    try:
        columns = int(sheet.max_column or 0)
    except (TypeError, ValueError):
        return
    if columns > MAX_DECLARED_COLUMNS:
        raise FileRefusedError(
            _(
                "The sheet “%(sheet)s” uses %(columns)s columns; at most %(max)s are read. "
                "Delete the columns it does not need (or copy the rows into the template) and "
                "upload it again."
            )
            % {"sheet": sheet.title, "columns": f"{columns:,}", "max": MAX_COLUMNS}
        )


def _too_many_rows(sheet: str, scanned: int) -> FileRefusedError:
    return FileRefusedError(
        _(
            "The sheet “%(sheet)s” holds more than %(max)s rows, blank ones included (a "
            "formatted range far below the data counts too). Delete the empty rows below the "
            "data, or copy the rows into the template, and upload it again."
        )
        % {"sheet": sheet, "max": f"{MAX_SCANNED_ROWS:,}"}
    )


def _too_slow(scanned: int) -> FileRefusedError:
    return FileRefusedError(
        _(
            "Reading the workbook took more than %(seconds)s seconds (%(rows)s rows read), "
            "so it was stopped. Save it as CSV, or copy the rows into the template."
        )
        % {"seconds": int(MAX_SECONDS), "rows": f"{scanned:,}"}
    )


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
