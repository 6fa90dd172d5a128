"""Spreadsheet output that is always safe to open (rule 9: no cell is ever a formula).

``write_xlsx`` stores every string as a string (an ``=`` at the start stays text), and
``write_csv`` writes UTF-8 with BOM (so Excel and WPS detect the encoding) and neutralises
cells that a spreadsheet would otherwise run as a formula.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
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
    return ILLEGAL_CHARACTERS_RE.sub("", text)


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
