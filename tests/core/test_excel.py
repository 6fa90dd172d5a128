"""Spreadsheet output that is always safe to open: no cell is ever a formula, CSV is UTF-8 with
BOM, and text that a worksheet cannot hold never breaks an export."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from keyaccount.core.excel import add_sheet, csv_safe, new_workbook, workbook_bytes, write_csv

HOSTILE = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    '=HYPERLINK("http://x","y")',
    "\t=1",
    "=cmd|' /C calc'!A0",
]


def round_trip(header, rows, **kwargs):
    workbook = new_workbook()
    add_sheet(workbook, "客户名单", header, rows, **kwargs)
    return load_workbook(io.BytesIO(workbook_bytes(workbook)))["客户名单"]


def test_a_new_workbook_has_no_default_sheet():
    assert new_workbook().sheetnames == []


def test_formulas_are_stored_as_text():
    sheet = round_trip(["名称"], [[text] for text in HOSTILE])
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [(text, "s") for text in HOSTILE]


def test_a_formula_in_the_header_is_stored_as_text_too():
    sheet = round_trip(["=1+1", "名称"], [["a", "b"]])
    assert [(c.value, c.data_type) for c in sheet[1]] == [("=1+1", "s"), ("名称", "s")]


def test_values_keep_their_types():
    sheet = round_trip(
        ["名称", "金额", "人数", "日期", "时间", "空", "布尔", "小数"],
        [["华扬", Decimal("1234.50"), 42, date(2024, 3, 5), datetime(2024, 3, 5, 8, 30), None,
          True, 0.1]],
    )  # fmt: skip
    values = [c.value for c in sheet[2]]
    assert values == [
        "华扬", 1234.5, 42, datetime(2024, 3, 5), datetime(2024, 3, 5, 8, 30), None, "True", 0.1,
    ]  # fmt: skip
    assert [c.data_type for c in sheet[2]][:3] == ["s", "n", "n"]
    assert sheet["D2"].number_format == "yyyy-mm-dd"


def test_an_aware_datetime_is_written_without_its_zone():
    sheet = round_trip(["时间"], [[datetime(2024, 3, 5, 8, 30, tzinfo=UTC)]])
    assert sheet["A2"].value == datetime(2024, 3, 5, 8, 30)


def test_control_characters_are_dropped_instead_of_breaking_the_export():
    sheet = round_trip(["备注"], [["第一行\x0b第二行\x00\x1f"], ["正常\t文本\n换行"]])
    assert [sheet["A2"].value, sheet["A3"].value] == ["第一行第二行", "正常\t文本\n换行"]


def test_the_header_is_bold_frozen_and_columns_are_sized():
    sheet = round_trip(["名称", "a very long column header"], [], widths=[30])
    assert sheet["A1"].font.b is True
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 30
    assert sheet.column_dimensions["B"].width == len("a very long column header") + 4


def test_a_long_title_is_cut_to_what_excel_allows():
    workbook = new_workbook()
    sheet = add_sheet(workbook, "x" * 40, ["a"], [])
    assert sheet.title == "x" * 31


# --- CSV ------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))


def test_csv_is_utf8_with_a_bom():
    data = write_csv(["名称", "金额"], [["江苏省电网运营有限公司", Decimal("1234.50")]])
    assert data.startswith("\ufeff".encode())
    assert read_csv(data) == [["名称", "金额"], ["江苏省电网运营有限公司", "1234.50"]]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@x", "'@x"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-5", "-5"),
        ("+86", "+86"),
        ("-1234.50", "-1234.50"),
        ("-", "'-"),
        ("-Infinity", "'-Infinity"),
        ("-nan", "'-nan"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_csv_escapes_what_a_spreadsheet_would_run(value, written):
    assert csv_safe(value) == written
    assert read_csv(write_csv(["h"], [[value]]))[1] == [written]


def test_csv_escapes_a_formula_in_the_header():
    assert read_csv(write_csv(["=1+1"], []))[0] == ["'=1+1"]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (None, ""),
        (-5, "-5"),
        (Decimal("-1.50"), "-1.50"),
        (0.1, "0.1"),
        (date(2024, 3, 5), "2024-03-05"),
        (datetime(2024, 3, 5, 8, 30), "2024-03-05T08:30:00"),
        (True, "True"),
    ],
)
def test_csv_writes_plain_values(value, written):
    assert csv_safe(value) == written


@given(st.text())
def test_no_csv_cell_starts_like_a_formula_unless_it_is_a_number(text):
    cell = csv_safe(text)
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r", "\n"):
        assert Decimal(cell).is_finite()
