"""Exports of customers: the KA list, contacts, the profile form and evaluations (rule 9).

Every export starts from ``visible_to(user)`` and reads in a bounded number of queries
(``select_related`` rows, iterated in chunks). No cell is ever a formula: the small workbooks
go through ``core.excel.add_sheet``; the lists, which can hold tens of thousands of rows, are
streamed into a write-only workbook by ``stream_sheet`` with every string typed as a string.
Amounts are Decimal yuan with a number format, dates are dates, headers are in the user's
language and are those of the import template, so an export can be imported again.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from keyaccount.contacts.models import Contact
from keyaccount.core.excel import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    add_sheet,
    new_workbook,
    workbook_bytes,
    write_csv,
)

from . import importing, selectors
from .models import Customer, Evaluation, RegistrationStatus

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
MAX_CELL = 32_767  # Excel's limit for the text of one cell

FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class Export:
    content: bytes
    file_name: str
    content_type: str


# --- filters --------------------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _score(value: str | None) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and 0 <= number <= 100 else None


def filters_from_query(query: QueryDict) -> selectors.CustomerFilters:
    """The KA list's filters from a query string, leniently: a bad value is ignored."""
    grades: list[str] = []
    for value in query.getlist("grade") + query.getlist("grades"):
        for part in value.split(","):
            part = part.strip()
            grade = part.upper() if part.upper() in ("A", "B", "C", "D") else part.lower()
            if grade in ("A", "B", "C", "D", "none") and grade not in grades:
                grades.append(grade)
    status = query.get("status", "")
    sort = query.get("sort", "name")
    return selectors.CustomerFilters(
        q=query.get("q", "").strip()[:120],
        grades=grades,
        region=_int(query.get("region")),
        industry=_int(query.get("industry")),
        owner=_int(query.get("owner")),
        team=_int(query.get("team")),
        status=status if status in RegistrationStatus.values else "",
        score_min=_score(query.get("score_min")),
        score_max=_score(query.get("score_max")),
        sort=sort if sort in selectors.SORTS else "name",
    )


# --- cells ----------------------------------------------------------------------------------


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


# --- the KA list ----------------------------------------------------------------------------

LIST_COLUMNS = tuple(c for c in importing.CUSTOMER_COLUMNS if c.key != "grade_reason")
_MONEY_KEYS = {"revenue", "profit", "budget", "actual_spend"}


def _customer_cells(customer: Customer) -> list[Any]:
    cells: list[Any] = []
    for column in LIST_COLUMNS:
        if column.key == "region":
            cells.append(importing.ref_label(customer.region))
        elif column.key == "industry":
            cells.append(importing.ref_label(customer.industry))
        else:
            cells.append(getattr(customer, column.key))
    owner = customer.owner
    cells += [
        str(owner),
        str(owner.unit) if owner.unit_id else "",
        customer.get_status_display(),
        customer.score,
        customer.suggested_grade,
        timezone.localtime(customer.updated_at).date(),
    ]
    return cells


def _list_header() -> list[str]:
    return [c.header for c in LIST_COLUMNS] + [
        str(label) for label in importing.EXPORT_ONLY[importing.CUSTOMERS]
    ]


def export_customers(*, user: Any, filters: selectors.CustomerFilters, fmt: str) -> Export:
    """The KA list (大客户名单) as the user sees it, filtered and sorted like the page."""
    rows = (
        _customer_cells(c)
        for c in selectors.customer_list(user=user, filters=filters).iterator(chunk_size=2000)
    )
    header = _list_header()
    name = str(_("KA list"))
    if fmt == "csv":
        return Export(write_csv(header, rows), file_name(name, extension="csv"), CSV_CONTENT_TYPE)
    workbook = Workbook(write_only=True)
    money = [i for i, c in enumerate(LIST_COLUMNS) if c.key in _MONEY_KEYS]
    stream_sheet(
        workbook,
        name,
        header,
        rows,
        widths=[c.width for c in LIST_COLUMNS] + [12, 14, 12, 8, 10, 12],
        money=money,
    )
    return Export(workbook_bytes(workbook), file_name(name, extension="xlsx"), XLSX_CONTENT_TYPE)


# --- contacts -------------------------------------------------------------------------------


def contacts_queryset(*, user: Any, filters: selectors.CustomerFilters) -> QuerySet[Contact]:
    customers = selectors.customer_list(user=user, filters=filters)
    return (
        Contact.objects.visible_to(user)
        .filter(customer_id__in=customers.values("pk"))
        .select_related("customer", "reports_to")
        .order_by("customer__name_key", "customer_id", "name", "id")
    )


def _contact_cells(contact: Contact) -> list[Any]:
    return [
        contact.customer.name,
        contact.customer.credit_code,
        contact.name,
        contact.title,
        contact.department,
        contact.mobile,
        contact.phone,
        contact.email,
        contact.wechat,
        contact.reports_to.name if contact.reports_to_id and contact.reports_to else "",
        contact.notes,
        _("yes") if contact.is_active else _("no"),
    ]


def export_contacts(*, user: Any, filters: selectors.CustomerFilters, fmt: str) -> Export:
    """The contacts of the customers the user sees (and the filters select)."""
    header = [c.header for c in importing.CONTACT_COLUMNS] + [
        str(label) for label in importing.EXPORT_ONLY[importing.CONTACTS]
    ]
    rows = (
        _contact_cells(c)
        for c in contacts_queryset(user=user, filters=filters).iterator(chunk_size=2000)
    )
    name = str(_("Customer contacts"))
    if fmt == "csv":
        return Export(write_csv(header, rows), file_name(name, extension="csv"), CSV_CONTENT_TYPE)
    workbook = Workbook(write_only=True)
    stream_sheet(
        workbook,
        name,
        header,
        rows,
        widths=[c.width for c in importing.CONTACT_COLUMNS] + [10],
    )
    return Export(workbook_bytes(workbook), file_name(name, extension="xlsx"), XLSX_CONTENT_TYPE)


# --- the profile form (客户档案表) -----------------------------------------------------------


@dataclass(frozen=True)
class Item:
    label: str
    value: Any  # Decimal (money), int, date, str
    kind: str = "text"  # text, long, money, int, date

    @property
    def yuan(self) -> str:
        """An amount as printed on the form: ``125,000,000.50`` (the label says 元)."""
        return f"{self.value:,.2f}" if isinstance(self.value, Decimal) else "—"


@dataclass(frozen=True)
class Section:
    title: str
    items: list[Item]


def _label(name: str) -> str:
    return str(importing.model_label(Customer, name))


PROFILE_SECTIONS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (gettext_lazy("Identity"),
     ("name", "short_name", "credit_code", "region", "industry", "address", "website")),
    (gettext_lazy("Size"),
     ("revenue", "profit", "budget", "actual_spend", "employees", "technical_staff")),
    (gettext_lazy("Needs"), ("segment_trend", "sourcing_policy", "solution_importance")),
    (gettext_lazy("Key-account specifics"),
     ("supplier_attitude", "key_buying_factors", "key_decision_makers", "solution_familiarity",
      "demand_characteristics")),
    (gettext_lazy("Suppliers and notes"), ("incumbent_suppliers", "notes")),
)  # fmt: skip

_LONG = {
    "segment_trend", "sourcing_policy", "solution_importance", "supplier_attitude",
    "key_buying_factors", "key_decision_makers", "solution_familiarity",
    "demand_characteristics", "incumbent_suppliers", "notes",
}  # fmt: skip


def profile_sections(customer: Customer) -> list[Section]:
    """The profile form's content, section by section (for the workbook and the print page)."""
    sections = []
    for title, names in PROFILE_SECTIONS:
        items = []
        for name in names:
            value = getattr(customer, name)
            kind = "long" if name in _LONG else "text"
            if name in _MONEY_KEYS:
                kind = "money"
            elif name in ("employees", "technical_staff"):
                kind = "int"
            elif name in ("region", "industry"):
                value = str(value) if value is not None else ""
            items.append(Item(_label(name), value, kind))
        sections.append(Section(str(title), items))
    owner = customer.owner
    sections.append(
        Section(
            str(_("Ownership and grade")),
            [
                Item(_label("owner"), str(owner)),
                Item(str(_("Team")), str(owner.unit) if owner.unit_id else ""),
                Item(_label("status"), str(customer.get_status_display())),
                Item(_label("grade"), customer.grade),
                Item(_label("score"), customer.score, "int"),
                Item(_label("suggested_grade"), customer.suggested_grade),
                Item(str(_("Updated")), timezone.localtime(customer.updated_at).date(), "date"),
            ],
        )
    )
    return sections


def profile_contacts(*, user: Any, customer: Customer) -> QuerySet[Contact]:
    return (
        Contact.objects.visible_to(user)
        .filter(customer=customer)
        .select_related("reports_to")
        .order_by("-is_active", "name", "id")
    )


def export_profile(*, user: Any, customer: Customer) -> Export:
    """The customer profile form (客户档案表) as a workbook: the form, then its contacts."""
    workbook = new_workbook()
    title = str(_("Customer profile form"))
    sheet = add_sheet(workbook, title, [title, ""], [], widths=[34, 70])
    sheet["B1"] = clean(customer.name)
    sheet["B1"].data_type = TYPE_STRING
    sheet["B1"].font = Font(bold=True, size=13)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.freeze_panes = None
    row = 2
    for section in profile_sections(customer):
        row += 1
        cell = sheet.cell(row=row, column=1, value=clean(section.title))
        cell.data_type = TYPE_STRING
        cell.font = Font(bold=True)
        for column in (1, 2):
            sheet.cell(row=row, column=column).fill = PatternFill("solid", fgColor="E8EEF7")
        for item in section.items:
            row += 1
            label = sheet.cell(row=row, column=1, value=clean(item.label))
            label.data_type = TYPE_STRING
            label.alignment = Alignment(vertical="top")
            value = clean(item.value)
            cell = sheet.cell(row=row, column=2, value=value)
            if isinstance(value, str):
                cell.data_type = TYPE_STRING  # never a formula
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif item.kind == "money":
                cell.number_format = MONEY_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
    contacts = list(profile_contacts(user=user, customer=customer))
    add_sheet(
        workbook,
        str(_("Contacts")),
        [c.header for c in importing.CONTACT_COLUMNS]
        + [str(label) for label in importing.EXPORT_ONLY[importing.CONTACTS]],
        ([clean(v) for v in _contact_cells_for(c, customer)] for c in contacts),
        widths=[c.width for c in importing.CONTACT_COLUMNS] + [10],
    )
    return Export(
        workbook_bytes(workbook),
        file_name(title, customer.name, extension="xlsx"),
        XLSX_CONTENT_TYPE,
    )


def _contact_cells_for(contact: Contact, customer: Customer) -> list[Any]:
    contact.customer = customer  # already loaded: no query per contact
    return _contact_cells(contact)


# --- comprehensive evaluations (客户综合评估表) -----------------------------------------------


def export_evaluations(*, user: Any, customer: Customer) -> Export:
    """Every evaluation of the customer, newest first, in the import's columns."""
    evaluations = selectors.evaluations_for(user=user, customer=customer)
    header = [c.header for c in importing.EVALUATION_COLUMNS] + [
        str(label) for label in importing.EXPORT_ONLY[importing.EVALUATIONS]
    ]
    rows = (_evaluation_cells(e, customer) for e in evaluations.iterator(chunk_size=2000))
    workbook = new_workbook()
    title = str(_("Comprehensive customer evaluation form"))
    add_sheet(
        workbook,
        str(_("Evaluations")),
        header,
        ([clean(v) for v in row] for row in rows),
        widths=[c.width for c in importing.EVALUATION_COLUMNS] + [8, 14],
    )
    return Export(
        workbook_bytes(workbook),
        file_name(title, customer.name, extension="xlsx"),
        XLSX_CONTENT_TYPE,
    )


def _evaluation_cells(evaluation: Evaluation, customer: Customer) -> Iterator[Any]:
    yield customer.name
    yield customer.credit_code
    yield evaluation.evaluated_on
    for dimension in Evaluation.DIMENSIONS:
        yield getattr(evaluation, dimension)
    yield evaluation.summary
    yield evaluation.next_steps
    yield evaluation.total
    yield str(evaluation.evaluated_by)
