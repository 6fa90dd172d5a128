"""Lenient parsing of what people type into spreadsheets in China: amounts, counts, dates.
Every failure is a ParseError whose message a user can act on (never another exception)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from keyaccount.core.parsing import ParseError, fold, parse_amount, parse_date, parse_int

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_fold_turns_full_width_into_ascii_and_trims():
    assert fold("　１２３，４５６．７ ") == "123,456.7"
    assert fold("江苏省") == "江苏省"


# --- amounts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.5万", "125000.00"),
        ("12.5万元", "125000.00"),
        ("1.2亿元", "120000000.00"),
        ("1.2亿", "120000000.00"),
        ("3千", "3000.00"),
        ("１，２３４", "1234.00"),
        ("１２．５万", "125000.00"),
        ("¥1,234.50", "1234.50"),
        ("￥1,234.50", "1234.50"),
        (" 100 ", "100.00"),
        ("100元", "100.00"),
        ("100 RMB", "100.00"),
        ("100cny", "100.00"),
        ("-12.5万", "-125000.00"),
        ("+7", "7.00"),
        ("0.005", "0.01"),
        ("1,234,567.895", "1234567.90"),
    ],
)
def test_parse_amount_reads_what_people_type(value, expected):
    assert parse_amount(value) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, "0.10"),
        (1234.5, "1234.50"),
        (2.675, "2.68"),  # repr(2.675) is "2.675": rounded half-up, not the binary 2.67499…
        (1e7, "10000000.00"),
        (42, "42.00"),
        (Decimal("3.14159"), "3.14"),
    ],
)
def test_parse_amount_takes_spreadsheet_numbers_through_their_repr(value, expected):
    assert parse_amount(value) == Decimal(expected)


@pytest.mark.parametrize("value", [None, "", "   ", "　"])
def test_a_blank_amount_is_none(value):
    assert parse_amount(value) is None


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_not_an_amount(value):
    with pytest.raises(ParseError) as exc:
        parse_amount(value)
    assert str(exc.value) == f"“{value}” is not an amount."


@pytest.mark.parametrize("value", ["abc", "12.5万亿", "1.2.3", "万", "1e5", "12,5万 左右", "=1+1"])
def test_an_unreadable_amount_is_refused_naming_the_value(value):
    with pytest.raises(ParseError) as exc:
        parse_amount(value)
    assert str(exc.value) == (f"“{value}” is not an amount (write e.g. 1250000, 125万 or 1.2亿).")


@pytest.mark.parametrize(
    "value",
    ["9" * 30, "9" * 30 + "亿", float("nan"), float("inf"), Decimal("NaN"), Decimal("-Inf")],
)
def test_an_absurd_amount_is_a_parse_error_not_a_crash(value):
    with pytest.raises(ParseError) as exc:
        parse_amount(value)
    assert str(exc.value) == f"“{value}” is not an amount."


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2))
def test_parse_amount_round_trips_every_two_place_amount(amount):
    assert parse_amount(str(amount)) == amount
    assert parse_amount(f"{amount:,}") == amount


@given(st.text(max_size=20))
def test_parse_amount_never_raises_anything_but_a_parse_error(text):
    try:
        result = parse_amount(text)
    except ParseError:
        return
    assert result is None or isinstance(result, Decimal)


# --- whole numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1万", 10000),
        ("1.5万", 15000),
        ("3千", 3000),
        ("12,000", 12000),
        ("１２０００", 12000),
        (" 42 ", 42),
        (42, 42),
        (42.0, 42),
        ("0", 0),
    ],
)
def test_parse_int_reads_counts(value, expected):
    assert parse_int(value) == expected


@pytest.mark.parametrize("value", [None, "", "  "])
def test_a_blank_count_is_none(value):
    assert parse_int(value) is None


@pytest.mark.parametrize("value", ["1.5", 1.5, "abc", "1.00001万", True, "9" * 5000])
def test_a_count_that_is_not_whole_is_refused(value):
    with pytest.raises(ParseError) as exc:
        parse_int(value)
    assert str(exc.value) == f"“{value}” is not a whole number."


@pytest.mark.parametrize(("value", "shown"), [("-5", -5), (-1, -1), ("-1万", -10000)])
def test_a_negative_count_is_refused(value, shown):
    with pytest.raises(ParseError) as exc:
        parse_int(value)
    assert str(exc.value) == f"{shown} is below the minimum of 0."


def test_parse_int_honours_a_given_minimum():
    assert parse_int("-5", minimum=-10) == -5
    with pytest.raises(ParseError) as exc:
        parse_int("3", minimum=5)
    assert str(exc.value) == "3 is below the minimum of 5."


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2024年3月5日",
        "2024年03月05日",
        "2024年3月5",
        "２０２４年３月５日",
        "2024/3/5",
        "2024.03.05",
        "2024-03-05",
        " 2024 - 3 - 5 ",
        date(2024, 3, 5),
        datetime(2024, 3, 5, 23, 59),
    ],
)
def test_parse_date_reads_chinese_and_iso_formats(value):
    assert parse_date(value) == date(2024, 3, 5)


def test_a_datetime_becomes_its_date():
    result = parse_date(datetime(2024, 3, 5, 8, 30))
    assert type(result) is date


@pytest.mark.parametrize("value", [None, "", "  "])
def test_a_blank_date_is_none(value):
    assert parse_date(value) is None


@pytest.mark.parametrize("value", ["2024-02-30", "2023年2月29日", "2024/13/1", "2024.00.10"])
def test_an_impossible_date_is_refused(value):
    with pytest.raises(ParseError) as exc:
        parse_date(value)
    assert str(exc.value) == f"“{value}” is not a real date."


@pytest.mark.parametrize("value", ["下周一", "3/5/2024", "20240305", "24-3-5", 45356])
def test_an_unreadable_date_is_refused_with_an_example(value):
    with pytest.raises(ParseError) as exc:
        parse_date(value)
    assert str(exc.value) == (f"“{value}” is not a date (write e.g. 2025-03-05 or 2025年3月5日).")


def test_leap_day_is_a_real_date():
    assert parse_date("2024年2月29日") == date(2024, 2, 29)


def test_messages_follow_the_users_language():
    with translation.override("zh-hans"), pytest.raises(ParseError) as exc:
        parse_amount("abc")
    assert "abc" in str(exc.value)
    assert str(exc.value) != "“abc” is not an amount (write e.g. 1250000, 125万 or 1.2亿)."
