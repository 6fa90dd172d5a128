"""Importing customers, contacts and evaluations from Excel and CSV (issue 3, rule 8).

Hostile files get a clear answer and never a 500; the preview explains every bad cell by row
(as Excel numbers it) and column header; a commit is all rows or none; importing the same file
twice creates nothing new.
"""

import csv
import io
import random
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from keyaccount.contacts.models import Contact
from keyaccount.core import jobs
from keyaccount.customers import rules, services
from keyaccount.customers.models import (
    Customer,
    Evaluation,
    GradeChange,
    ImportBatch,
    RegistrationRequest,
    RegistrationStatus,
)
from keyaccount.org.models import Industry, Region
from keyaccount.transfer import importing

IMPORT = "/customers/import/"

CUSTOMER_HEADER = ["客户名称", "统一社会信用代码", "区域", "行业", "年营业收入（元）", "员工人数"]
CONTACT_HEADER = ["客户", "联系人姓名", "职务", "手机", "直接上级"]
EVALUATION_HEADER = [
    "客户", "评估日期", "关系深度", "需求明确程度", "我方竞争地位", "方案匹配度", "支付能力",
    "总结",
]  # fmt: skip


@pytest.fixture
def english():
    """Messages are asserted in English (their msgids); files use Chinese headers, as people's
    files do. ``test_chinese_*`` tests check the Chinese side."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.usefixtures("english")


# --- helpers (also used by test_export.py) --------------------------------------------------


def code(n: int) -> str:
    body = f"91320000{n:09d}"
    return body + rules.credit_code_check_char(body)


def register(owner, name, *, approve_by=None, **data) -> Customer:
    result = services.registration_request(
        actor=owner, data={"name": name, **data}, confirm_not_duplicate=True
    )
    assert result.request is not None
    if approve_by is not None:
        services.registration_decide(actor=approve_by, request=result.request, approve=True)
    customer = Customer.objects.get(pk=result.request.customer_id)
    return customer


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """A workbook as a person would make it (strings starting with "=" become formulas)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def preview(user, data: bytes, name: str = "客户.xlsx") -> importing.Plan:
    return importing.preview(user=user, file_name=name, data=data)


def problems(plan: importing.Plan) -> list[tuple[int | None, str, str, str]]:
    """(row, column, level, message) of every problem, file-level ones first."""
    found = [(p.row, p.column, p.level, p.message) for p in plan.problems]
    for row in plan.rows:
        found += [(p.row, p.column, p.level, p.message) for p in row.problems]
    return found


def errors(plan: importing.Plan) -> list[tuple[int | None, str, str]]:
    return [(r, c, m) for r, c, level, m in problems(plan) if level == "error"]


def actions(plan: importing.Plan) -> list[tuple[int, str]]:
    return [(r.number, r.action) for r in plan.rows]


def commit(user, plan: importing.Plan) -> importing.Outcome:
    batch = importing.save_batch(user=user, plan=plan)
    loaded = importing.load_batch(user=user, batch_id=batch.pk)
    assert loaded is not None
    return importing.commit(actor=user, batch=loaded[0], plan=loaded[1])


def customers_file(*rows: list) -> bytes:
    return xlsx({"客户档案": [CUSTOMER_HEADER, *rows]})


def zh(msgid: str) -> str:
    """What a Chinese user reads for ``msgid`` (pages follow the user's language)."""
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    assert text != msgid, f"untranslated: {msgid}"
    return text


def table_counts() -> tuple[int, int, int, int]:
    return (
        Customer.objects.count(),
        Contact.objects.count(),
        Evaluation.objects.count(),
        RegistrationRequest.objects.count(),
    )


# --- the template ---------------------------------------------------------------------------


def test_template_has_headers_dropdowns_lists_and_an_example(cast, client_for):
    response = client_for(cast.kam).get(reverse("customers_io:template"))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    customers, contacts, evaluations, opportunities, people, milestones = workbook.worksheets[:6]
    with translation.override("zh-hans"):
        titles = [str(importing.SHEET_TITLES[k]) for k in importing.KINDS]
        notes_title = str(importing.NOTES_TITLE)
    sheets = [customers, contacts, evaluations, opportunities, people, milestones]
    assert [sheet.title for sheet in sheets] == titles
    assert opportunities["F1"].value == "阶段 *"  # with a list of the playbook's stages
    assert customers["A1"].value == "客户名称 *"
    with translation.override("zh-hans"):
        expected = [f"{c.header}{' *' if c.required else ''}" for c in importing.CONTACT_COLUMNS]
    assert [c.value for c in contacts[1]] == expected
    assert expected[0] == "客户 *"
    assert evaluations["C1"].value == "评估日期 *"
    assert customers["A2"].value == "（示例）华东电网运营有限公司"
    lists = workbook["lists"]
    assert lists.sheet_state == "hidden"
    region_labels = [c.value for c in lists["A"][1:] if c.value]
    assert "CN-JS 江苏" in region_labels
    assert len(region_labels) == Region.objects.filter(is_active=True).count()
    assert [c.value for c in lists["C"][1:5]] == ["A", "B", "C", "D"]
    validations = {
        str(v.sqref).split(":")[0]: v.formula1 for v in customers.data_validations.dataValidation
    }
    headers = {c.value: c.column_letter for c in customers[1]}
    assert validations[f"{headers['区域']}2"] == "=lists!$A$2:$A$" + str(len(region_labels) + 1)
    assert validations[f"{headers['行业']}2"].startswith("=lists!$B$2")
    assert validations[f"{headers['等级']}2"] == "=lists!$C$2:$C$5"
    notes = workbook[notes_title]
    assert any(c.value == "评估日期" for c in notes["B"])
    # The untouched template imports nothing, and says why.
    with translation.override("en"):  # the request above left the user's language active
        plan = preview(cast.kam, response.content)
    assert not errors(plan)
    assert not plan.has_work
    assert sum("template's example" in m for _r, _c, _l, m in problems(plan)) == 6


def test_template_is_in_english_for_english_users(cast, client_for):
    with translation.override("en"):
        client = client_for(cast.kam)
        client.cookies["keyaccount_language"] = "en"
        cast.kam.language = "en"
        cast.kam.save()
        response = client.get(reverse("customers_io:template"))
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.worksheets[0]["A1"].value == "Customer name *"
        assert "CN-JS Jiangsu" in [c.value for c in workbook["lists"]["A"]]


def test_filled_template_round_trip(cast, client_for):
    response = client_for(cast.kam).get(reverse("customers_io:template"))
    workbook = load_workbook(io.BytesIO(response.content))
    customers, contacts, evaluations, _opportunities = workbook.worksheets[:4]
    customers.append(["江苏华瑞电力科技有限公司", "华瑞电力", code(1), "CN-JS 江苏", "电网"])
    contacts.append(["江苏华瑞电力科技有限公司", None, "王军", "信息中心主任", None, "13912345678"])
    evaluations.append(["江苏华瑞电力科技有限公司", None, "2025年3月5日", 3, 4, 3, 4, 5, "已立项"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = preview(cast.kam, buffer.getvalue())
    assert not errors(plan), errors(plan)
    assert [r.action for r in plan.rows] == ["create", "create", "create"]
    outcome = commit(cast.kam, plan)
    assert outcome.committed
    assert outcome.counts == {
        "customers_created": 1, "contacts_created": 1, "evaluations_created": 1,
    }  # fmt: skip
    customer = Customer.objects.get(name="江苏华瑞电力科技有限公司")
    assert customer.owner == cast.kam
    assert customer.status == RegistrationStatus.PENDING
    assert customer.region.code == "CN-JS"
    assert customer.industry.code == "power-grid"
    assert RegistrationRequest.objects.get(customer=customer).requested_by == cast.kam
    assert customer.contacts.get().mobile == "13912345678"
    assert customer.evaluations.get().evaluated_on == date(2025, 3, 5)
    # The same file again: nothing new.
    before = table_counts()
    again = preview(cast.kam, buffer.getvalue())
    assert [r.action for r in again.rows] == ["unchanged"] * 3
    assert not again.has_work
    assert table_counts() == before


# --- hostile files --------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n"


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("客户.xlsx", PNG, "This file is a PNG image, not a spreadsheet."),
        ("客户.csv", PNG, "This file is a PNG image, not a spreadsheet."),
        ("客户.xlsx", PDF, "This file is a PDF document, not a spreadsheet."),
        ("客户.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "(.xls)"),
        ("客户.xlsx", b"just some text, renamed", "named .xlsx but is not an Excel workbook"),
        ("客户.csv", bytes(range(256)) * 10, "This file is a binary file, not a spreadsheet."),
        ("客户.xlsx", b"PK\x03\x04" + b"\x00" * 100, "may be damaged"),
        ("客户.csv", b"", "The file is empty."),
        ("客户.csv", b"\n\n  \n", "The file is empty."),
    ],
)
def test_not_a_spreadsheet_is_refused_clearly(cast, name, data, says):
    with pytest.raises(importing.FileRefusedError) as refused:
        preview(cast.kam, data, name)
    assert says in refused.value.message


def test_a_zip_that_is_not_a_workbook_is_refused(cast):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(importing.FileRefusedError, match="not an Excel workbook"):
        preview(cast.kam, buffer.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_unpacked(cast):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"\0" * (1 << 20)
            for _ in range(201):
                sheet.write(chunk)
    assert len(buffer.getvalue()) < importing.MAX_BYTES
    with pytest.raises(importing.FileRefusedError, match="200 MB"):
        preview(cast.kam, buffer.getvalue())


def test_an_oversized_file_is_refused(cast):
    with pytest.raises(importing.FileRefusedError, match="64 MB"):
        preview(cast.kam, b"a" * (importing.MAX_BYTES + 1), "big.csv")


def test_more_than_200000_rows_is_refused(cast):
    rows = [["客户名称"], *([f"公司{i}"] for i in range(importing.MAX_ROWS + 5))]
    with pytest.raises(importing.FileRefusedError, match="200,000"):
        preview(cast.kam, csv_bytes(rows), "big.csv")


def test_formula_cells_are_refused_with_row_and_column(cast):
    data = customers_file(
        ['=A3&"有限公司"', code(1), "CN-JS"],
        ["正常公司", code(2), "CN-JS", None, "=1+1"],
    )
    plan = preview(cast.kam, data)
    assert errors(plan) == [
        (2, "客户名称", 'formulas are not accepted, paste values (the cell holds =A3&"有限公司").'),
        (3, "年营业收入（元）", "formulas are not accepted, paste values (the cell holds =1+1)."),
    ]
    assert actions(plan) == [(2, "error"), (3, "error")]


def test_a_csv_formula_is_refused_but_an_escaped_one_is_text(cast):
    data = csv_bytes([["客户名称", "备注"], ['=HYPERLINK("x")', ""], ["公司乙", "'=1+1"]])
    plan = preview(cast.kam, data, "c.csv")
    assert errors(plan) == [
        (2, "客户名称", 'formulas are not accepted, paste values (the cell holds =HYPERLINK("x")).')
    ]
    assert plan.sheets[0].rows[1].values["notes"] == "=1+1"


@pytest.mark.parametrize(
    ("encoding", "bom", "label"),
    [("gbk", b"", "GB18030 (GBK)"), ("gb18030", b"", "GB18030 (GBK)"),
     ("utf-8", b"\xef\xbb\xbf", "UTF-8 (BOM)"), ("utf-8", b"", "UTF-8")],
)  # fmt: skip
def test_csv_encodings_are_detected_and_reported(cast, encoding, bom, label):
    data = bom + csv_bytes([CUSTOMER_HEADER, ["江苏华瑞电力有限公司", code(3), "江苏"]], encoding)
    plan = preview(cast.kam, data, "客户.csv")
    assert plan.encoding == label
    assert f"Read as CSV text in {label}." in [p.message for p in plan.problems]
    assert plan.sheets[0].rows[0].values["name"] == "江苏华瑞电力有限公司"
    assert actions(plan) == [(2, "create")]


def test_chinese_amounts_full_width_digits_and_dates(cast):
    customer = register(cast.kam, "华瑞银行股份有限公司", approve_by=cast.assistant)
    data = xlsx(
        {
            "客户": [
                [*CUSTOMER_HEADER, "年利润（元）", "技术人员数"],
                ["新客户甲有限公司", None, None, None, "12.5万", "１２３", "-1.2亿", "３千"],
                ["新客户乙有限公司", None, None, None, "1.2亿元", "1,200", "￥1,234.5", None],
            ],
            "评估": [
                EVALUATION_HEADER,
                ["华瑞银行股份有限公司", "2024年3月5日", 3, 3, 3, 3, 3, "甲"],
                ["华瑞银行股份有限公司", "2024/3/6", 3, 3, 3, 3, 3, "乙"],
                ["华瑞银行股份有限公司", datetime(2024, 3, 7), 3, 3, 3, 3, 3, "丙"],
                ["华瑞银行股份有限公司", 45359, 3, 3, 3, 3, 3, "丁"],  # an Excel serial date
                ["华瑞银行股份有限公司", "２０２４．３．９", "５", 3, 3, 3, 3, "戊"],
            ],
        }
    )
    plan = preview(cast.kam, data)
    assert not errors(plan), errors(plan)
    first, second = plan.sheets[0].rows
    assert first.values["revenue"] == Decimal("125000.00")
    assert first.values["employees"] == 123
    assert first.values["profit"] == Decimal("-120000000.00")
    assert first.values["technical_staff"] == 3000
    assert second.values["revenue"] == Decimal("120000000.00")
    assert second.values["employees"] == 1200
    assert second.values["profit"] == Decimal("1234.50")
    dates = [r.values["evaluated_on"] for r in plan.sheets[1].rows]
    assert dates == [date(2024, 3, d) for d in (5, 6, 7, 8, 9)]
    assert plan.sheets[1].rows[4].values["relationship"] == 5
    assert commit(cast.kam, plan).committed
    assert customer.evaluations.count() == 5
    assert Customer.objects.get(name="新客户甲有限公司").revenue == Decimal("125000.00")


def test_bad_cells_are_each_explained_by_row_and_column(cast):
    data = xlsx(
        {
            "客户": [
                [*CUSTOMER_HEADER, "网站", "等级"],
                ["好公司有限公司", code(4), "CN-JS", "银行", "100万", 10],
                [],
                ["坏公司有限公司", code(4)[:17] + "X", "火星", "挖矿", "很多钱", "-5", "not a url",
                 "E"],
                ["（·）", None, None, None, None, None],
                [None, code(5), "CN-JS"],
            ]
        }
    )  # fmt: skip
    plan = preview(cast.kam, data)
    found = errors(plan)
    assert (
        4,
        "统一社会信用代码",
        "The check character does not match: the code has a typo.",
    ) in found
    assert (
        4,
        "区域",
        "There is no region “火星”: choose one from the list of the template.",
    ) in found
    assert (
        4,
        "行业",
        "There is no industry “挖矿”: choose one from the list of the template.",
    ) in found
    assert (
        4, "年营业收入（元）", "“很多钱” is not an amount (write e.g. 1250000, 125万 or 1.2亿)."
    ) in found  # fmt: skip
    assert (4, "员工人数", "-5 is below the minimum of 0.") in found
    assert (4, "网站", "“not a url” is not a web address.") in found
    assert (4, "等级", "A grade is A, B, C or D, not “E”.") in found
    assert (5, "客户名称", "“（·）” has nothing left once the legal form is removed.") in found
    assert (6, "客户名称", "The customer needs a name.") in found
    # the blank row 3 is skipped and does not shift the numbers
    assert actions(plan) == [(2, "create"), (4, "error"), (5, "error"), (6, "error")]
    assert all(r is not None and c for r, c, _m in found)


def test_missing_required_and_unknown_columns_are_reported(cast):
    plan = preview(cast.kam, xlsx({"s": [["统一社会信用代码", "区域"], [code(6), "CN-JS"]]}))
    assert errors(plan) == [
        (1, "", "The sheet “s” has no column “Customer name”, which is required.")
    ]
    assert not plan.has_work
    plan = preview(cast.kam, csv_bytes([["客户", "联系人姓名"], ["甲公司", "张三"]]), "c.csv")
    assert [s.kind for s in plan.sheets] == ["contacts"]  # "客户" is its customer column
    assert [c for _r, c, _m in errors(plan)] == ["客户"]  # 甲公司 is no customer kam sees
    plan = preview(cast.kam, csv_bytes([["联系人姓名", "手机"], ["张三", "13800000000"]]), "c.csv")
    assert errors(plan) == [(1, "", "The file has no column “Customer”, which is required.")]
    plan = preview(
        cast.kam,
        xlsx({"s": [["客户名称", "负责人电话", None, "区域"], ["甲公司", "x", "y", "CN-JS"]]}),
    )
    messages = problems(plan)
    assert (
        1, "负责人电话", "warning",
        "Column “负责人电话” of the sheet “s” is not a column of the template: its values were "
        "ignored.",
    ) in messages  # fmt: skip
    assert (
        1, "", "warning", "Column C of the sheet “s” has no header: its values were ignored."
    ) in messages  # fmt: skip
    assert not errors(plan)
    assert actions(plan) == [(2, "create")]


def test_headers_in_either_language_and_variants(cast):
    data = csv_bytes([["Customer name *", "Unified social credit code", "REGION", "年营业收入"],
                      ["甲公司", code(7), "Jiangsu", "5万"]])  # fmt: skip
    plan = preview(cast.kam, data, "x.csv")
    assert not errors(plan)
    row = plan.sheets[0].rows[0]
    assert row.values["region"] == Region.objects.get(code="CN-JS").pk
    assert row.values["revenue"] == Decimal("50000.00")


def test_traditional_chinese_headers_and_values_read_as_simplified(cast):
    """A file from Hong Kong or Taiwan, or typed with a Traditional input method."""
    data = csv_bytes([["客戶名稱", "統一社會信用代碼", "區域", "行業", "年營業收入（元）"],
                      ["臺灣測試有限公司", code(8), "江蘇", "電網", "125萬"]])  # fmt: skip
    plan = preview(cast.kam, data, "x.csv")
    assert not errors(plan), problems(plan)
    row = plan.sheets[0].rows[0]
    assert row.values["name"] == "臺灣測試有限公司"  # a name is kept as it is written
    assert row.values["region"] == Region.objects.get(code="CN-JS").pk
    assert row.values["revenue"] == Decimal("1250000.00")
    assert row.values["industry"] == Industry.objects.get(code="power-grid").pk  # 電網: 电网


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (csv_bytes([["客户名称", "区域"]]), "The file has headers but no rows to import."),
        (
            csv_bytes([["名字", "地方"], ["甲", "乙"]]),
            "The first row of the file must hold the column",
        ),
        (xlsx({"空": []}), "The file is empty."),
        (xlsx({"客户": [CUSTOMER_HEADER]}), "The sheet “客户” has headers but no rows to import."),
        (xlsx({"客户": [CUSTOMER_HEADER, [], [None, None]]}), "has headers but no rows to import."),
    ],
)
def test_empty_files_and_header_only_files(cast, data, message):
    plan = preview(cast.kam, data, "x.xlsx" if data[:2] == b"PK" else "x.csv")
    assert any(message in m for _r, _c, m in errors(plan)), errors(plan)
    assert not plan.has_work


def test_hostile_uploads_through_the_page_are_never_a_500(cast, client_for):
    client = client_for(cast.kam)
    hostile = [
        ("a.xlsx", PNG), ("a.csv", b"\xff\xfe\x00"), ("a.xlsx", b"PK\x03\x04junk"),
        ("a.csv", b"=cmd|' /C calc'!A0"), ("a.csv", '客户名称\n"unterminated'.encode()),
        ("a.csv", b"\x00" * 50),
    ]  # fmt: skip
    for name, data in hostile:
        response = client.post(
            IMPORT, {"action": "preview", "file": SimpleUploadedFile(name, data)}
        )
        assert response.status_code in (302, 400), (name, response.status_code)
    response = client.post(IMPORT, {"action": "preview"})
    assert response.status_code == 400
    assert zh("Choose a file to import (.xlsx or .csv).") in response.content.decode()


def test_an_upload_over_the_limit_is_not_read(cast, client_for):
    client = client_for(cast.kam)
    big = SimpleUploadedFile("big.csv", b"a," * (importing.MAX_BYTES // 2 + 10))
    response = client.post(IMPORT, {"action": "preview", "file": big})
    assert response.status_code == 400
    message = "The file is larger than %(max)s MB, the largest file that can be imported."
    assert zh(message) % {"max": 64} in response.content.decode()
    assert not ImportBatch.objects.exists()


# --- matching, idempotency, visibility ------------------------------------------------------


def test_customers_match_by_credit_code_then_normalised_name(cast):
    by_code = register(
        cast.kam, "江苏电力甲有限公司", approve_by=cast.assistant, credit_code=code(8)
    )
    by_name = register(cast.kam, "华瑞银行股份有限公司", approve_by=cast.assistant)
    data = customers_file(
        ["江苏电力甲（集团）有限公司", code(8), "CN-JS"],  # renamed, same code
        ["华瑞银行有限公司", None, None, None, "2亿"],  # same name_key, new revenue
        ["华瑞 银行 股份有限公司", None],  # a second row for the same company
    )
    plan = preview(cast.kam, data)
    rows = plan.sheets[0].rows
    assert [(r.action, r.target) for r in rows[:2]] == [
        ("update", by_code.pk),
        ("update", by_name.pk),
    ]
    assert rows[0].changes[0] == ["客户名称", "江苏电力甲有限公司", "江苏电力甲（集团）有限公司"]
    assert rows[2].action == "error"
    assert errors(plan) == [
        (4, "客户名称", "Row 3 of this sheet is the same company: keep one of the two rows.")
    ]


def test_importing_the_same_customers_twice_creates_no_duplicates(cast):
    register(cast.kam, "已有客户有限公司", approve_by=cast.assistant, credit_code=code(9))
    data = customers_file(
        ["已有客户有限公司", code(9), "CN-JS", "银行", "3000万", 50],
        ["全新客户甲有限公司", code(10), "CN-ZJ", "电力"],
        ["全新客户乙有限公司", None, "CN-SH", None, "1.2亿"],
    )
    first = preview(cast.kam, data)
    assert actions(first) == [(2, "update"), (3, "create"), (4, "create")]
    assert commit(cast.kam, first).committed
    counts = table_counts()
    second = preview(cast.kam, data)
    assert actions(second) == [(2, "unchanged"), (3, "unchanged"), (4, "unchanged")]
    assert not second.has_work
    assert commit(cast.kam, second).committed
    assert table_counts() == counts
    assert Customer.objects.filter(name__startswith="全新客户").count() == 2


def test_a_company_someone_else_owns_is_an_error_naming_only_the_owner(cast):
    cast.north_kam.display_name = "赵强"
    cast.north_kam.save()
    theirs = register(
        cast.north_kam, "北方重工有限公司", approve_by=cast.assistant, credit_code=code(11)
    )
    plan = preview(cast.kam, customers_file(["北方重工有限公司", None, None, None, "1亿"],
                                            ["别名公司", code(11)]))  # fmt: skip
    message = (
        "This company is already in the system as “北方重工有限公司” (Registered), owned by 赵强. "
        "Two managers cannot own the same company: talk to them or to your department head."
    )
    assert message in [m for _r, _c, m in errors(plan)]
    assert actions(plan) == [(2, "error"), (3, "error")]
    theirs.refresh_from_db()
    assert theirs.revenue is None  # never silently overwritten


def test_visible_but_not_editable_is_an_error_and_unchanged_rows_are_fine(cast):
    mine = register(cast.colleague, "同事客户有限公司", approve_by=cast.assistant)
    plan = preview(cast.team_lead, customers_file(["同事客户有限公司", None, None, None, "9万"]))
    assert actions(plan) == [(2, "update")]  # the team manager may edit
    plan = preview(cast.assistant, customers_file(["同事客户有限公司", None, None, None, "9万"]))
    assert actions(plan) == [(2, "update")]  # so does the assistant (master data)
    plan = preview(cast.kam, customers_file(["同事客户有限公司"]))
    assert actions(plan) == [(2, "error")]  # the colleague's customer is not visible to kam
    assert mine.revenue is None


def test_the_assistant_updates_but_does_not_register(cast):
    plan = preview(cast.assistant, customers_file(["助理新建有限公司"]))
    assert errors(plan) == [
        (
            2, "客户名称",
            "No customer you can see matches this row, and only account managers and key "
            "account managers register new customers.",
        )
    ]  # fmt: skip


def test_likely_duplicates_are_warnings_and_recorded_on_the_request(cast):
    existing = register(cast.north_kam, "江苏省华瑞电力科技有限公司", approve_by=cast.assistant)
    plan = preview(cast.kam, customers_file(["华瑞电力科技有限公司"]))
    row = plan.sheets[0].rows[0]
    assert row.action == "create"
    assert [p.level for p in row.problems] == ["warning"]
    assert "江苏省华瑞电力科技有限公司" in row.problems[0].message
    assert commit(cast.kam, plan).committed
    request = RegistrationRequest.objects.get(customer__name="华瑞电力科技有限公司")
    assert request.confirmed_not_duplicate
    assert [d["id"] for d in request.duplicates_shown] == [existing.pk]


def test_the_commit_records_the_duplicates_the_preview_showed_not_new_ones(cast):
    existing = register(cast.north_kam, "江苏省华瑞电力科技有限公司", approve_by=cast.assistant)
    plan = preview(cast.kam, customers_file(["华瑞电力科技有限公司"]))
    batch = importing.save_batch(user=cast.kam, plan=plan)
    loaded = importing.load_batch(user=cast.kam, batch_id=batch.pk)
    assert loaded is not None and next(loaded[1].rows).duplicates == next(plan.rows).duplicates
    # registered after the preview: the importer was not shown it, so it is not recorded
    register(cast.colleague, "浙江省华瑞电力科技有限公司", approve_by=cast.assistant)
    assert importing.commit(actor=cast.kam, batch=loaded[0], plan=loaded[1]).committed
    request = RegistrationRequest.objects.get(customer__name="华瑞电力科技有限公司")
    assert [d["id"] for d in request.duplicates_shown] == [existing.pk]


def test_grades_only_by_managers_with_a_reason_when_differing(cast):
    customer = register(cast.kam, "定级客户有限公司", approve_by=cast.assistant)
    header = ["客户名称", "等级", "定级理由"]
    plan = preview(cast.kam, xlsx({"s": [header, ["定级客户有限公司", "A"]]}))
    assert errors(plan) == [
        (
            2, "等级",
            "Grades are set by the team manager, department head or sales director: leave this "
            "cell blank.",
        )
    ]  # fmt: skip
    Customer.objects.filter(pk=customer.pk).update(suggested_grade="B")
    plan = preview(cast.head, xlsx({"s": [header, ["定级客户有限公司", "a级"]]}))
    assert errors(plan)[0][:2] == (2, "等级")
    plan = preview(cast.head, xlsx({"s": [header, ["定级客户有限公司", "A", "战略客户"]]}))
    assert actions(plan) == [(2, "update")]
    assert commit(cast.head, plan).committed
    change = GradeChange.objects.get(customer=customer)
    assert (change.new_grade, change.reason, change.changed_by) == ("A", "战略客户", cast.head)


# --- contacts -------------------------------------------------------------------------------


def test_contacts_with_reporting_lines_defined_in_the_same_file(cast):
    customer = register(
        cast.kam, "华瑞银行股份有限公司", approve_by=cast.assistant, credit_code=code(12)
    )
    data = xlsx(
        {
            "联系人": [
                CONTACT_HEADER,
                ["华瑞银行", "李明", "科长", "13800000001", "张总"],  # boss defined later
                [code(12), "张总", "行长", "+86 139-0000-0002", None],
                ["华瑞银行股份有限公司", "王五", "职员", "13800000003", "李明"],
            ]
        }
    )
    plan = preview(cast.kam, data)
    assert not errors(plan), errors(plan)
    assert actions(plan) == [(2, "create"), (3, "create"), (4, "create")]
    assert commit(cast.kam, plan).committed
    contacts = {c.name: c for c in customer.contacts.all()}
    assert contacts["李明"].reports_to == contacts["张总"]
    assert contacts["王五"].reports_to == contacts["李明"]
    assert contacts["张总"].mobile == "13900000002"
    # twice: nothing new; a changed title is an update of the same contact
    again = preview(cast.kam, data)
    assert actions(again) == [(2, "unchanged"), (3, "unchanged"), (4, "unchanged")]
    changed = xlsx({"联系人": [CONTACT_HEADER, ["华瑞银行", "李明", "副处长", "13800000001"]]})
    plan = preview(cast.kam, changed)
    assert [(r.action, r.changes) for r in plan.rows] == [("update", [["职务", "科长", "副处长"]])]
    assert commit(cast.kam, plan).committed
    assert customer.contacts.count() == 3
    assert Contact.objects.get(name="李明").title == "副处长"


def test_contact_rows_are_checked(cast):
    register(cast.kam, "华瑞银行股份有限公司", approve_by=cast.assistant)
    theirs = register(cast.north_kam, "北方银行股份有限公司", approve_by=cast.assistant)
    Contact.objects.create(customer_id=theirs.pk, name="秘密")
    data = xlsx(
        {
            "联系人": [
                [*CONTACT_HEADER, "邮箱"],
                ["华瑞银行", "甲", None, "12345", None, "not-mail"],
                ["北方银行股份有限公司", "乙"],
                ["华瑞银行", "丙", None, None, "不存在的人"],
                ["华瑞银行", "丁", None, None, "戊"],
                ["华瑞银行", "戊", None, None, "丁"],
                ["华瑞银行", "己", None, None, "己"],
                ["华瑞银行", "庚", None, "13800000009"],
                ["华瑞银行", "庚", None, "13800000009"],
                [None, "辛"],
            ]
        }
    )
    found = errors(preview(cast.kam, data))
    assert (
        2, "手机", "“12345” is not a mainland mobile number (11 digits starting with 13–19)."
    ) in found  # fmt: skip
    assert (2, "邮箱", "“not-mail” is not an e-mail address.") in found
    assert (
        3, "客户",
        "No customer you can see is called or has the code “北方银行股份有限公司”. Write its "
        "full name as in the system (or its credit code), or add it to the customer sheet.",
    ) in found  # fmt: skip
    assert (
        4, "直接上级",
        "华瑞银行股份有限公司 has no contact named “不存在的人”, in the system or in this file.",
    ) in found  # fmt: skip
    assert sorted(r for r, _c, m in found if "goes round in a circle" in m) == [5, 6]
    assert (
        7, "直接上级",
        "华瑞银行股份有限公司 has no contact named “己”, in the system or in this file.",
    ) in found  # fmt: skip
    assert (
        9, "联系人姓名", "Row 8 of this sheet is the same contact: keep one of the two rows."
    ) in found  # fmt: skip
    assert (10, "客户", "Which customer? This cell is required.") in found
    assert "秘密" not in str(found)  # nothing about the other customer's contacts leaks


def test_contacts_of_customers_created_by_the_same_workbook(cast):
    data = xlsx(
        {
            "客户": [CUSTOMER_HEADER, ["新银行有限公司", code(13)]],
            "联系人": [
                CONTACT_HEADER,
                [code(13), "甲", "行长"],
                ["新银行有限公司", "乙", None, None, "甲"],
            ],
            "评估": [EVALUATION_HEADER, ["新银行", "2025-01-02", 1, 2, 3, 4, 5, "初次接触"]],
        }
    )
    plan = preview(cast.kam, data)
    assert not errors(plan), errors(plan)
    assert commit(cast.kam, plan).committed
    customer = Customer.objects.get(name="新银行有限公司")
    assert sorted(customer.contacts.values_list("name", flat=True)) == ["乙", "甲"]
    assert customer.contacts.get(name="乙").reports_to.name == "甲"
    assert customer.evaluations.get().payment_ability == 5
    again = preview(cast.kam, data)
    assert [(r.kind, r.number, r.action) for r in again.rows] == [
        ("customers", 2, "unchanged"),
        ("contacts", 2, "unchanged"),
        ("contacts", 3, "unchanged"),
        ("evaluations", 2, "unchanged"),
    ]


def test_a_bad_customer_row_makes_its_contacts_errors(cast):
    data = xlsx({"客户": [CUSTOMER_HEADER, ["新公司有限公司", "123"]],
                 "联系人": [CONTACT_HEADER, ["新公司有限公司", "甲"]]})  # fmt: skip
    found = errors(preview(cast.kam, data))
    assert (
        2, "客户", "Its customer (row 2 of the sheet “客户”) has errors: fix that row first."
    ) in found  # fmt: skip


# --- commit: all or nothing -----------------------------------------------------------------


def test_commit_is_all_or_nothing_when_a_row_fails_at_commit_time(cast):
    customer = register(cast.kam, "会被改的客户有限公司", approve_by=cast.assistant)
    data = customers_file(
        ["先导入的新客户有限公司", code(14)],
        ["会被改的客户有限公司", None, None, None, "7万"],
    )
    plan = preview(cast.kam, data)
    assert actions(plan) == [(2, "create"), (3, "update")]
    batch = importing.save_batch(user=cast.kam, plan=plan)
    # Someone edits the customer between the preview and the commit.
    cast.head.display_name = "周健"
    cast.head.save()
    services.customer_update(
        actor=cast.head,
        customer=customer,
        data={"address": "南京"},
        expected_version=customer.version,
    )
    before = table_counts()
    loaded = importing.load_batch(user=cast.kam, batch_id=batch.pk)
    outcome = importing.commit(actor=cast.kam, batch=loaded[0], plan=loaded[1])
    assert not outcome.committed
    assert table_counts() == before  # the new customer of row 2 was not kept
    assert not Customer.objects.filter(name="先导入的新客户有限公司").exists()
    stale = [m for r, _c, m in errors(outcome.plan) if r == 3]
    assert stale and "周健" in stale[0]
    # the batch keeps the reasons for the preview page
    batch.refresh_from_db()
    kept = importing.Plan.from_json(batch.file_name, batch.payload)
    assert [r.action for r in kept.rows][1] == "error"


def test_commit_revalidates_against_the_database(cast):
    plan = preview(cast.kam, customers_file(["抢先登记有限公司", code(15)], ["另一家有限公司"]))
    assert actions(plan) == [(2, "create"), (3, "create")]
    batch = importing.save_batch(user=cast.kam, plan=plan)
    register(cast.north_kam, "抢先登记有限公司", credit_code=code(15))  # someone else was faster
    before = table_counts()
    loaded = importing.load_batch(user=cast.kam, batch_id=batch.pk)
    outcome = importing.commit(actor=cast.kam, batch=loaded[0], plan=loaded[1])
    assert not outcome.committed
    assert table_counts() == before
    assert [r for r, _c, m in errors(outcome.plan) if "This company is already" in m] == [2]


# --- the page -------------------------------------------------------------------------------


def test_the_page_upload_preview_commit(cast, client_for):
    client = client_for(cast.kam)
    assert client.get(IMPORT).status_code == 200
    data = customers_file(["页面导入有限公司", code(16), "CN-JS"], ["坏行有限公司", "bad"])
    response = client.post(
        IMPORT, {"action": "preview", "file": SimpleUploadedFile("c.xlsx", data)}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    content = page.content.decode()
    where = zh("Row %(row)s, column “%(column)s”") % {"row": 3, "column": "统一社会信用代码"}
    assert where in content  # the page is in the user's language
    assert 'data-testid="commit-valid"' in content  # the good rows may go in without the bad
    assert not Customer.objects.filter(name="页面导入有限公司").exists()  # a preview writes nothing
    batch = ImportBatch.objects.get()
    # Importing every row is refused while rows are in error.
    response = client.post(IMPORT, {"action": "commit", "batch": str(batch.pk)})
    assert response.status_code == 302
    assert not Customer.objects.filter(name="页面导入有限公司").exists()
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.PREVIEWED
    # Another user cannot see or commit someone's batch.
    other = client_for(cast.colleague)
    assert other.get(f"{IMPORT}?batch={batch.pk}").status_code == 404
    assert other.post(IMPORT, {"action": "commit", "batch": str(batch.pk)}).status_code == 404
    assert other.get(f"{IMPORT}?batch={batch.pk}&rejected=xlsx").status_code == 404
    # The good rows, leaving out the bad one (the job runs at once in the tests).
    response = client.post(
        IMPORT, {"action": "commit", "batch": str(batch.pk), "skip_errors": "1"}, follow=True
    )
    content = response.content.decode()
    assert 'data-testid="import-result"' in content
    assert 'data-testid="rejected-count">1<' in content
    with translation.override("zh-hans"):
        summary = translation.ngettext(
            "%(n)s registration request", "%(n)s registration requests", 1
        ) % {"n": 1}
    assert summary in content
    assert Customer.objects.get(name="页面导入有限公司").owner == cast.kam
    assert not Customer.objects.filter(name="坏行有限公司").exists()
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.DONE
    assert batch.result["rejected"] == 1
    # The rejected rows, with the reason and the cell as the file had it.
    rejected = client.get(f"{IMPORT}?batch={batch.pk}&rejected=xlsx")
    assert rejected["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(rejected.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == 3 and rows[1][3] == "坏行有限公司" and rows[1][4] == "bad"
    assert "统一社会信用代码" in rows[1][2]
    as_csv = client.get(f"{IMPORT}?batch={batch.pk}&rejected=csv").content.decode("utf-8-sig")
    assert "坏行有限公司" in as_csv and "bad" in as_csv
    # Committing again (a double click) imports nothing twice: it shows the result.
    response = client.post(IMPORT, {"action": "commit", "batch": str(batch.pk), "skip_errors": "1"})
    assert response.status_code == 302
    assert Customer.objects.filter(name="页面导入有限公司").count() == 1
    # A good file goes in whole.
    data = customers_file(["另一页面导入有限公司", code(17), "CN-JS"])
    response = client.post(
        IMPORT, {"action": "preview", "file": SimpleUploadedFile("c.xlsx", data)}
    )
    batch_id = response["Location"].split("batch=")[1].split("&")[0]
    content = client.get(response["Location"]).content.decode()
    assert 'data-testid="commit"' in content and 'data-testid="commit" disabled' not in content
    response = client.post(IMPORT, {"action": "commit", "batch": batch_id}, follow=True)
    assert 'data-testid="rejected-count">0<' in response.content.decode()
    assert Customer.objects.filter(name="另一页面导入有限公司").exists()


def test_the_page_shows_progress_while_the_job_waits_or_runs(cast, client_for):
    client = client_for(cast.kam)
    data = customers_file(["排队导入有限公司", code(18), "CN-JS"])
    client.post(IMPORT, {"action": "preview", "file": SimpleUploadedFile("c.xlsx", data)})
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.QUEUED)
    page = client.get(f"{IMPORT}?batch={batch.pk}").content.decode()
    assert 'data-testid="import-progress"' in page and 'data-state="queued"' in page
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.RUNNING)
    jobs.report_progress(importing.progress_key(batch), done=150, total=600, phase="writing")
    partial = client.get(f"{IMPORT}?batch={batch.pk}&progress=1", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert 'value="150" max="600"' in partial.content.decode()
    # A commit while it runs does not start a second one.
    client.post(IMPORT, {"action": "commit", "batch": str(batch.pk)})
    assert not Customer.objects.filter(name="排队导入有限公司").exists()
    # Once over, the poll asks htmx to reload the page (which shows the result).
    importing.run_commit(str(batch.pk))
    over = client.get(f"{IMPORT}?batch={batch.pk}&progress=1", HTTP_HX_REQUEST="true")
    assert over.status_code == 204 and over["HX-Refresh"] == "true"
    assert Customer.objects.filter(name="排队导入有限公司").exists()


def test_a_file_level_error_says_so_in_the_footer(cast, client_for):
    client = client_for(cast.kam)
    data = "电话,地址\n123,上海\n".encode()
    response = client.post(IMPORT, {"action": "preview", "file": SimpleUploadedFile("c.csv", data)})
    page = client.get(response["Location"]).content.decode()
    hint = page.split('data-testid="commit-hint"')[1].split("</span>")[0]
    assert "文件本身有错误" in hint or "file itself has errors" in hint
    assert "没有需要导入" not in hint and "nothing to import" not in hint


def test_discard_and_expiry(cast, client_for):
    client = client_for(cast.kam)
    data = customers_file(["丢弃有限公司"])
    response = client.post(
        IMPORT, {"action": "preview", "file": SimpleUploadedFile("c.xlsx", data)}
    )
    batch = ImportBatch.objects.get()
    client.post(IMPORT, {"action": "discard", "batch": str(batch.pk)})
    assert not ImportBatch.objects.exists()
    response = client.post(
        IMPORT, {"action": "preview", "file": SimpleUploadedFile("c.xlsx", data)}
    )
    ImportBatch.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert client.get(response["Location"]).status_code == 404
    assert client.get(f"{IMPORT}?batch=not-a-uuid").status_code == 404


@pytest.mark.parametrize("role", ["consultant", "outsider", "kam", "assistant", "head", "admin"])
def test_who_may_import(cast, client_for, role):
    client = client_for(getattr(cast, role))
    expected = 403 if role == "consultant" else 200
    assert client.get(IMPORT).status_code == expected
    assert client.get(reverse("customers_io:template")).status_code == expected
    response = client.post(IMPORT, {"action": "preview", "file": SimpleUploadedFile("c.csv", b"x")})
    assert response.status_code == (403 if role == "consultant" else 302)
    assert ImportBatch.objects.exists() == (role != "consultant")


def test_anonymous_is_sent_to_the_login(client):
    assert client.get(IMPORT).status_code == 302
    assert client.post(IMPORT, {"action": "preview"}).status_code == 302


# --- set-based ------------------------------------------------------------------------------


def test_preview_takes_a_bounded_number_of_queries(cast):
    for i in range(20):
        register(
            cast.kam, f"已有客户{i}有限公司", approve_by=cast.assistant, credit_code=code(100 + i)
        )

    def queries(n: int) -> int:
        rows = [[f"已有客户{i}有限公司", code(100 + i), "CN-JS", None, f"{i}万"] for i in range(n)]
        rows += [[f"新客户{i}号有限公司", None, "CN-ZJ"] for i in range(n)]
        contacts = [[f"已有客户{i}有限公司", f"联系人{i}", None, None] for i in range(n)]
        data = xlsx({"客户": [CUSTOMER_HEADER, *rows], "联系人": [CONTACT_HEADER, *contacts]})
        with CaptureQueriesContext(connection) as captured:
            plan = preview(cast.kam, data)
        assert not errors(plan)
        return len(captured.captured_queries)

    assert queries(20) == queries(5) <= 15


def test_a_large_file_is_checked_without_per_row_queries(cast):
    """A guard, not a benchmark (``bench/import_bench.py`` times 10,000 rows)."""
    rng = random.Random(5)
    chars = "华瑞东方信达科技电力银行通信智能制造物流能源云数据安全医疗教育"
    rows = [[f"{''.join(rng.choices(chars, k=6))}{i}有限公司", None, "CN-JS", "银行", "10万", 5]
            for i in range(2_000)]  # fmt: skip
    data = csv_bytes([CUSTOMER_HEADER, *rows])
    with CaptureQueriesContext(connection) as captured:
        plan = preview(cast.kam, data, "big.csv")
    assert plan.counts()["create"] == 2_000
    assert len(captured.captured_queries) <= 15


# --- the duplicate index gives the registration check's answers -----------------------------

_NAME = st.builds(
    lambda place, core, suffix: place + core + suffix,
    st.sampled_from(["", "", "江苏", "江苏省", "浙江", "深圳市"]),
    st.text(alphabet="华瑞电力科技银行甲乙丙丁", min_size=1, max_size=9),
    st.sampled_from(["有限公司", "股份有限公司", "集团", ""]),
)


@settings(max_examples=300, deadline=None)
@given(names=st.lists(_NAME, min_size=1, max_size=30), probe=_NAME, extra=st.lists(_NAME))
def test_duplicate_index_agrees_with_rules(names, probe, extra):
    """The set-based finder gives exactly the answers of the registration page's check."""
    candidates = [
        rules.Candidate(
            id=i, credit_code="", name_key=rules.name_key(n), core_key=rules.core_key(n)
        )
        for i, n in enumerate(names, 1)
    ]
    index = importing.DuplicateIndex(candidates, order=[rules.core_key(n) for n in extra])
    expected = rules.find_duplicates(credit_code="", name=probe, candidates=candidates, limit=50)
    assert index.find(credit_code="", name=probe, limit=50) == expected
    # names added one by one (as the rows of a file are) give the same answers
    growing = importing.DuplicateIndex((), order=[c.core_key for c in candidates])
    for c in candidates:
        growing.add(c)
    assert growing.find(credit_code="", name=probe, limit=50) == expected


def test_reference_lookup_accepts_codes_names_and_suffixes(db):
    refs = importing.References.load()
    region = importing.CUSTOMER_COLUMNS[3]
    industry = importing.CUSTOMER_COLUMNS[4]
    jiangsu = Region.objects.get(code="CN-JS").pk
    for text in ("CN-JS", "cn-js", "江苏", "江苏省", "CN-JS 江苏", "CN-JS Jiangsu", "Jiangsu"):
        assert importing.parse_cell(region, text, refs) == jiangsu
    banking = Industry.objects.get(code="banking").pk
    for text in ("banking", "银行", "banking 银行", "Banking"):
        assert importing.parse_cell(industry, text, refs) == banking
