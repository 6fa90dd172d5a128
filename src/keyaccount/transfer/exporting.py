"""Exports of customers: the KA list, contacts, the profile form and evaluations (rule 9).

Every export starts from ``visible_to(user)`` and reads in a bounded number of queries
(``select_related`` rows, iterated in chunks). No cell is ever a formula: the small workbooks
go through ``core.excel.add_sheet``; the lists, which can hold tens of thousands of rows, are
streamed into a write-only workbook by ``stream_sheet`` with every string typed as a string.
Amounts are Decimal yuan with a number format, dates are dates, headers are in the user's
language and are those of the import template, so an export can be imported again. The list
exports take the KA list's filters as its page reads them (``customers.filters``): an export
lists the customers of the page it was started from.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font, PatternFill

from keyaccount.contacts.models import Contact
from keyaccount.core.excel import (
    CSV_CONTENT_TYPE,
    DATE_FORMAT,
    MONEY_FORMAT,
    XLSX_CONTENT_TYPE,
    Export,
    add_sheet,
    clean,
    file_name,
    new_workbook,
    stream_sheet,
    workbook_bytes,
    write_csv,
)
from keyaccount.customers import selectors
from keyaccount.customers.filters import CustomerFilters
from keyaccount.customers.models import Customer, Evaluation

from . import importing

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


def export_customers(*, user: Any, filters: CustomerFilters, fmt: str) -> Export:
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


def contacts_queryset(*, user: Any, filters: CustomerFilters) -> QuerySet[Contact]:
    customers = selectors.customer_list(user=user, filters=filters)
    return (
        Contact.objects.visible_to(user)
        .filter(customer_id__in=customers.values("pk"))
        .select_related("customer", "reports_to")
        .order_by("customer__pinyin_sort", "customer_id", "pinyin_sort", "id")
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


def export_contacts(*, user: Any, filters: CustomerFilters, fmt: str) -> Export:
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
        .order_by("-is_active", "pinyin_sort", "id")
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
