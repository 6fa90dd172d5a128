"""The import template: a sheet per kind of record, dropdowns, example rows and notes."""

from typing import Any

from django.utils.translation import gettext as _

from keyaccount.core.i18n import is_chinese
from keyaccount.customers import rules
from keyaccount.org.models import Industry, Region
from keyaccount.process.models import Stage

from .cells import ref_label
from .columns import (
    COLUMNS,
    CONTACTS,
    CUSTOMERS,
    EVALUATIONS,
    KINDS,
    MILESTONES,
    OPPORTUNITIES,
    PEOPLE,
    SHEET_TITLES,
)
from .plan import (
    EXAMPLE_CONTRACT,
    EXAMPLE_CUSTOMER,
    EXAMPLE_USERNAME,
    NOTES_TITLE,
    column_letter,
)
from .reading import MAX_BYTES, MAX_ROWS


def build_template() -> bytes:
    """The import template in the user's language: a sheet per kind of record with dropdowns
    for region, industry and grade (from a hidden "lists" sheet), an example row each, and a
    notes sheet explaining every column."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from keyaccount.core.excel import add_sheet, new_workbook, workbook_bytes

    workbook = new_workbook()
    regions = list(Region.objects.filter(is_active=True).order_by("order", "code"))
    industries = list(Industry.objects.filter(is_active=True).order_by("order", "code"))
    example_name = str(EXAMPLE_CUSTOMER)
    example_code = "91320000MA1EXAMP0"
    example_code = example_code[:17] + rules.credit_code_check_char(example_code[:17])
    region = next((r for r in regions if r.code == "CN-JS"), regions[0] if regions else None)
    industry = next((i for i in industries if i.code == "power-grid"), None) or (
        industries[0] if industries else None
    )
    proposal = Stage.objects.filter(order=3).first()
    examples: dict[str, dict[str, Any]] = {
        CUSTOMERS: {
            "name": example_name, "short_name": _("East China Grid"),
            "credit_code": example_code, "region": ref_label(region),
            "industry": ref_label(industry), "address": _("88 Jiangdong Road, Nanjing"),
            "website": "https://www.example.cn", "revenue": "12.5亿", "profit": "8000万",
            "budget": "3000万", "employees": 12000, "technical_staff": 800,
            "key_buying_factors": _("Maturity of the solution, local service, price"),
            "incumbent_suppliers": _("Vendor X (dispatch system)"),
        },
        CONTACTS: {
            "customer": example_name, "name": _("Wang Jun"), "title": _("Head of IT"),
            "department": _("Information centre"), "mobile": "13912345678",
            "email": "wang.jun@example.cn", "reports_to": "",
        },
        EVALUATIONS: {
            "customer": example_name, "evaluated_on": "2025年3月5日", "relationship": 3,
            "needs_clarity": 4, "competitive_position": 3, "solution_fit": 4,
            "payment_ability": 5, "summary": _("Project initiation approved; budget confirmed."),
            "next_steps": _("Arrange the technical exchange"),
        },
        OPPORTUNITIES: {
            "customer": example_name, "name": _("Dispatch system upgrade"), "amount": "380万",
            "stage": proposal.name if proposal else "3", "owner": "zhang.wei",
            "expected_signing": "2026-06-30", "created_on": "2025-11-03",
            "status": "进行中" if is_chinese() else "open",
        },
        MILESTONES: {
            "contract": EXAMPLE_CONTRACT, "name": _("Acceptance payment"), "amount": "114万",
            "percentage": "", "due_on": "2026-09-30", "accepted_on": "", "invoiced_on": "",
            "invoiced_amount": "", "collected_on": "", "collected_amount": "",
        },
        PEOPLE: {
            "username": EXAMPLE_USERNAME, "display_name": _("Wang Jun"),
            "email": "wang.jun@example.cn", "unit": _("Huarui Tech/KA Department/East Team"),
            "role": _("Key account manager"),
        },
    }  # fmt: skip
    sheets = {}
    for kind in KINDS:
        columns = COLUMNS[kind]
        sheet = add_sheet(
            workbook,
            str(SHEET_TITLES[kind]),
            [c.header + (" *" if c.required else "") for c in columns],
            [[examples[kind].get(c.key) for c in columns]],
            widths=[c.width for c in columns],
        )
        for cell in sheet[2]:
            cell.font = Font(italic=True, color="808080")
        for cell, column in zip(sheet[1], columns, strict=True):
            if column.help:
                cell.comment = Comment(str(column.help), "keyaccount", width=260, height=110)
        sheets[kind] = sheet
    notes = add_sheet(
        workbook,
        str(NOTES_TITLE),
        [_("Sheet"), _("Column"), _("Required"), _("What to write")],
        _notes_rows(),
        widths=[16, 30, 10, 90],
    )
    notes.sheet_properties.tabColor = "E8EEF7"
    lists = add_sheet(
        workbook,
        "lists",
        [_("Region"), _("Industry"), _("Grade"), _("Stage"), _("Status")],
        _list_rows(regions, industries),
        widths=[28, 28, 8, 16, 12],
    )
    lists.sheet_state = "hidden"
    lists.protection.sheet = True
    last = {"A": len(regions) + 1, "B": len(industries) + 1, "C": 5, "E": 5}
    last["D"] = Stage.objects.count() + 1
    for kind, sheet in sheets.items():
        letters = {c.key: column_letter(i) for i, c in enumerate(COLUMNS[kind])}
        lists_of = (("region", "A"), ("industry", "B"), ("grade", "C"), ("stage", "D"),
                    ("status", "E"))  # fmt: skip
        for key, source in lists_of:
            if key not in letters:
                continue
            validation = DataValidation(
                type="list",
                formula1=f"=lists!${source}$2:${source}${last[source]}",
                allow_blank=True,
                showErrorMessage=False,  # typing "江苏" instead of "CN-JS 江苏" is fine too
            )
            validation.add(f"{letters[key]}2:{letters[key]}{MAX_ROWS + 1}")
            sheet.add_data_validation(validation)
    return workbook_bytes(workbook)


def _notes_rows() -> list[list[str]]:
    rows: list[list[str]] = [
        ["", "", "",
         _("Fill in the sheets you need and delete the grey example rows (they are skipped "
           "anyway). Headers may be in English or Chinese. Blank cells never erase anything. "
           "Formulas are refused: paste values. At most %(rows)s rows and %(mb)s MB per file.")
         % {"rows": f"{MAX_ROWS:,}", "mb": MAX_BYTES // 1024 // 1024}],
    ]  # fmt: skip
    for kind in KINDS:
        for column in COLUMNS[kind]:
            rows.append(
                [
                    str(SHEET_TITLES[kind]),
                    column.header,
                    _("yes") if column.required else "",
                    str(column.help),
                ]
            )
    return rows


def _list_rows(regions: list[Region], industries: list[Industry]) -> list[list[str]]:
    columns = [
        [ref_label(r) for r in regions],
        [ref_label(i) for i in industries],
        list(rules.Grade.values),
        [str(s.name) for s in Stage.objects.order_by("order")],
        ["进行中", "赢单", "输单", "放弃"]
        if is_chinese()
        else ["open", "won", "lost", "abandoned"],
    ]
    length = max(len(c) for c in columns)
    return [[c[i] if i < len(c) else "" for c in columns] for i in range(length)]
