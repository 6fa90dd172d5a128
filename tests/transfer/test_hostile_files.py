"""Bounded work on hostile or odd files: every limit is checked while the file is read, and a
refused file says which limit and the number; encodings that are not UTF-8 are told apart."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from keyaccount.transfer.importing import reading
from keyaccount.transfer.importing.reading import FileRefusedError, read_upload

HEADER = "客户名称,统一社会信用代码,区域\n江苏华扬科技有限公司,913200,江苏\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def workbook_bytes(build) -> bytes:
    workbook = Workbook()
    build(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_blank_formatted_rows_count_towards_the_limit(monkeypatch):
    monkeypatch.setattr(reading, "MAX_SCANNED_ROWS", 50)
    fill = PatternFill("solid", fgColor="FFFF00")

    def build(sheet):
        sheet.append(["客户名称"])
        sheet.append(["江苏华扬科技有限公司"])
        for row in range(3, 200):
            sheet.cell(row=row, column=1).fill = fill  # a style, no value: a blank row

    with pytest.raises(FileRefusedError, match="more than 50 rows, blank ones included"):
        read_upload("blank.xlsx", workbook_bytes(build))


def test_a_sheet_that_spans_thousands_of_columns_is_refused_before_its_rows_are_read():
    def build(sheet):
        sheet.append(["客户名称"])
        sheet.cell(row=2, column=2000, value="x")

    with pytest.raises(FileRefusedError, match="uses 2,000 columns; at most 100 are read"):
        read_upload("wide.xlsx", workbook_bytes(build))


def test_reading_stops_when_it_takes_too_long(monkeypatch):
    monkeypatch.setattr(reading, "MAX_SECONDS", 0.0)

    def build(sheet):
        for n in range(1200):
            sheet.append([f"客户{n}"])

    with pytest.raises(FileRefusedError, match=r"more than 0 seconds \(1,000 rows read\)"):
        read_upload("slow.xlsx", workbook_bytes(build))


def test_blank_csv_lines_count_too(monkeypatch):
    monkeypatch.setattr(reading, "MAX_SCANNED_ROWS", 10)
    data = (HEADER + "\n" * 50).encode()
    with pytest.raises(FileRefusedError, match="more than 10 rows"):
        read_upload("blank.csv", data)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read(codec):
    result = read_upload("c.csv", HEADER.encode(codec))
    assert result.encoding == "UTF-16 (no BOM)"
    assert result.tables[0].rows[1][1][0] == "江苏华扬科技有限公司"


def test_big5_is_told_from_gbk():
    traditional = "客戶名稱,統一社會信用代碼,區域\n江蘇華揚科技有限公司,913200,江蘇\n"
    result = read_upload("c.csv", traditional.encode("big5"))
    assert result.encoding == "Big5"
    assert result.tables[0].rows[1][1][0] == "江蘇華揚科技有限公司"
    gbk = read_upload("c.csv", HEADER.encode("gb18030"))
    assert gbk.encoding == "GB18030 (GBK)"
    assert gbk.tables[0].rows[0][1][0] == "客户名称"


def test_a_real_binary_file_is_still_refused():
    with pytest.raises(FileRefusedError, match="binary file"):
        read_upload("x.csv", bytes(range(256)) * 40)


def test_a_header_matched_by_another_name_is_said_and_an_amount_s_unit_is_named(cast):
    from keyaccount.transfer import importing

    data = b"name,revenue\nAcme Corporation,1100.04\n"
    plan = importing.preview(user=cast.kam, file_name="c.csv", data=data)
    messages = [(p.level, p.column, p.message) for p in plan.problems]
    assert any(
        level == "warning" and column == "revenue" and "taken as yuan" in message
        for level, column, message in messages
    )
    assert any("revenue → Annual revenue (yuan)" in m for _l, _c, m in messages)
    assert next(iter(plan.rows)).values["revenue"] == Decimal("1100.04")
