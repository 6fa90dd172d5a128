"""Spreadsheet output that is always safe to open (rule 9: no cell is ever a formula).

``write_xlsx`` stores every string as a string (an ``=`` at the start stays text), and
``write_csv`` writes UTF-8 with BOM (so Excel and WPS detect the encoding) and neutralises
cells that a spreadsheet would otherwise run as a formula.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")

Cell = str | int | Decimal | date | datetime | None


def _plain(value: Any) -> Cell:
    if value is None or isinstance(value, str | int | Decimal | date | datetime):
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return str(value)


def add_sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[int] | None = None,
) -> Any:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_worksheet_text(str(h)) for h in header])
    for cell in sheet[1]:
        cell.data_type = TYPE_STRING
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF7")
        cell.alignment = Alignment(vertical="center")
    sheet.freeze_panes = "A2"
    row_number = sheet.max_row  # the header; counted from here on (max_row is O(cells))
    for row in rows:
        values = [_worksheet_text(v) if isinstance(v, str) else v for v in map(_plain, row)]
        sheet.append(values)
        row_number += 1
        for column, value in enumerate(values, start=1):
            if isinstance(value, str):
                cell = sheet.cell(row=row_number, column=column)
                cell.data_type = TYPE_STRING  # never a formula, whatever it starts with
            elif isinstance(value, date):
                sheet.cell(row=row_number, column=column).number_format = "yyyy-mm-dd"
    for index, header_text in enumerate(header, start=1):
        width = widths[index - 1] if widths and index <= len(widths) else 14
        sheet.column_dimensions[get_column_letter(index)].width = max(width, len(header_text) + 4)
    return sheet


def _worksheet_text(text: str) -> str:
    """Control characters (pasted into a note, say) cannot be stored in a worksheet: drop them
    rather than fail the whole export."""
    return str(ILLEGAL_CHARACTERS_RE.sub("", text))


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_safe(value: Any) -> str:
    """A cell value for CSV: a leading formula character is escaped with an apostrophe."""
    plain = _plain(value)
    if plain is None:
        return ""
    if isinstance(plain, datetime | date):
        return plain.isoformat()
    text = str(plain)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()  # "-Infinity" and "-nan" are not numbers to Excel
    except ArithmeticError:
        return False


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


# --- exports: a file to download ------------------------------------------------------

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
MAX_CELL = 32_767  # Excel's limit for the text of one cell

FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class Export:
    content: bytes
    file_name: str
    content_type: str


def clean(value: Any) -> Any:
    """A value a spreadsheet can hold: no control characters, no tz, text within the limit."""
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
    return value


def stream_sheet(
    workbook: Workbook,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[int] = (),
    money: Iterable[int] = (),
) -> None:
    """A sheet of a write-only workbook: header in bold, every string typed as a string (never
    a formula, whatever it starts with), amounts and dates with a number format."""
    sheet = workbook.create_sheet(title=title[:31])
    money_columns = set(money)
    for index, text in enumerate(header):
        width = widths[index] if index < len(widths) else 14
        sheet.column_dimensions[get_column_letter(index + 1)].width = max(width, len(text) + 4)
    sheet.freeze_panes = "A2"
    heading = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=clean(str(text)))
        cell.data_type = TYPE_STRING
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF7")
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        cells: list[Any] = []
        for index, raw in enumerate(row):
            value = clean(raw)
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = TYPE_STRING  # never a formula
                cells.append(cell)
            elif isinstance(value, Decimal) and index in money_columns:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = MONEY_FORMAT
                cells.append(cell)
            elif isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                cells.append(cell)
            elif value is None or (
                isinstance(value, int | Decimal) and not isinstance(value, bool)
            ):
                cells.append(value)
            else:
                cell = WriteOnlyCell(sheet, value=str(value))
                cell.data_type = TYPE_STRING
                cells.append(cell)
        sheet.append(cells)


# --- file names -----------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def file_name(*parts: str, extension: str) -> str:
    """``大客户名单-2026-11-27.xlsx``: the parts, today's date, nothing a file system refuses."""
    today = timezone.localdate().isoformat()
    stem = "-".join(_UNSAFE.sub("_", p).strip(" .") for p in parts if p)
    return f"{stem[:120]}-{today}.{extension}"


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the real name per RFC 5987 / RFC 6266."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("_")
    if not ascii_name or ascii_name.startswith(("-", ".")) or len(ascii_name) < len(name) // 2:
        extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
        ascii_name = f"export-{timezone.localdate().isoformat()}.{extension}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(export: Export) -> HttpResponse:
    """The export as an attachment that no cache keeps (it holds what only this user sees)."""
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition(export.file_name)
    response["Cache-Control"] = "private, no-store"
    return response
