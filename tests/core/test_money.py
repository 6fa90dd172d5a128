"""Money (rule 5): Decimal, two places, half-up; never float; shown in 元/万元/亿元."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from keyaccount.core.money import CENT, MoneyUnit, format_money, in_unit, to_money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", Decimal("0.01")),
        ("0.004", Decimal("0.00")),
        ("2.675", Decimal("2.68")),
        ("2.665", Decimal("2.67")),
        ("-0.005", Decimal("-0.01")),
        ("-2.675", Decimal("-2.68")),
        (Decimal("2.675"), Decimal("2.68")),
        (Decimal("0.005"), Decimal("0.01")),
        (12, Decimal("12.00")),
        (0, Decimal("0.00")),
        ("1,234,567.895", Decimal("1234567.90")),
        ("  42.1 ", Decimal("42.10")),
        ("1E3", Decimal("1000.00")),
    ],
)
def test_to_money_rounds_half_up_to_two_places(value, expected):
    result = to_money(value)
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [0.1, 2.675, 0.0, float("nan")])
def test_to_money_refuses_floats(value):
    with pytest.raises(TypeError, match="money must not be a float"):
        to_money(value)


@pytest.mark.parametrize(
    "value",
    ["", "   ", "abc", "12元", "1.2.3", "0x10", "NaN", "nan", "sNaN", "Infinity", "-Infinity",
     "inf", Decimal("NaN"), Decimal("Infinity"), "1e100", "-1e40", None],
)  # fmt: skip
def test_to_money_refuses_garbage_with_value_error(value):
    with pytest.raises(ValueError, match="not an amount"):
        to_money(value)


NUMBERISH = st.from_regex(r"\A[-+]?[\d,]{0,40}(\.\d{0,6})?([eE][-+]?\d{1,3})?\Z")


@settings(deadline=None)  # timing varies on a busy CI machine
@given(st.one_of(st.text(max_size=30), NUMBERISH))
def test_to_money_on_any_text_returns_cents_or_raises_value_error(text):
    try:
        result = to_money(text)
    except ValueError:
        return
    assert result.is_finite()
    assert result.as_tuple().exponent == -2


@settings(deadline=None)  # timing varies on a busy CI machine
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12))
def test_to_money_agrees_with_decimal_half_up_quantize(value):
    assert to_money(str(value)) == value.quantize(CENT, rounding=ROUND_HALF_UP)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_to_money_of_a_half_cent_rounds_away_from_zero(cents):
    half = Decimal(cents) / 100 + (Decimal("0.005") if cents >= 0 else Decimal("-0.005"))
    expected = Decimal(cents + (1 if cents >= 0 else -1)) / 100
    assert to_money(half) == expected


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (Decimal("123456789"), MoneyUnit.YI, Decimal("1.23")),
        (Decimal("125000000"), MoneyUnit.YI, Decimal("1.25")),
        (Decimal("15000"), MoneyUnit.WAN, Decimal("1.50")),
        (Decimal("150"), MoneyUnit.WAN, Decimal("0.02")),  # 0.015 rounds half up
        (Decimal("149"), MoneyUnit.WAN, Decimal("0.01")),
        (Decimal("1234.565"), MoneyUnit.YUAN, Decimal("1234.57")),
        (Decimal("1234567.8"), "wan", Decimal("123.46")),
    ],
)
def test_in_unit_converts_and_rounds_half_up(amount, unit, expected):
    assert in_unit(amount, unit) == expected


def test_in_unit_refuses_an_unknown_unit():
    with pytest.raises(ValueError, match="'usd' is not a valid MoneyUnit"):
        in_unit(Decimal(1), "usd")


SUFFIXES = {
    "zh-hans": {"yuan": "元", "wan": "万元", "yi": "亿元"},
    "en": {"yuan": "yuan", "wan": "×10k yuan", "yi": "×100M yuan"},
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    ("amount", "unit", "number"),
    [
        (Decimal("123456789"), MoneyUnit.YI, "1.23"),
        (Decimal("1234567.8"), MoneyUnit.WAN, "123.46"),
        (Decimal("123456789012"), MoneyUnit.WAN, "12,345,678.90"),
        (Decimal("1234567.8"), MoneyUnit.YUAN, "1,234,567.80"),
        (Decimal("-1234.5"), MoneyUnit.YUAN, "-1,234.50"),
        (Decimal("0"), MoneyUnit.YI, "0.00"),
    ],
)
def test_format_money_shows_the_users_unit(amount, unit, number, language):
    with translation.override(language):
        assert format_money(amount, unit) == f"{number} {SUFFIXES[language][unit]}"


def test_format_money_defaults_to_wan():
    with translation.override("zh-hans"):
        assert format_money(Decimal("50000")) == "5.00 万元"


def test_format_money_shows_a_dash_for_no_amount():
    assert format_money(None, MoneyUnit.YI) == "—"


@settings(deadline=None)  # timing varies on a busy CI machine
@given(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=10**13, places=2),
    st.sampled_from(list(MoneyUnit)),
)
def test_format_money_reads_back_as_in_unit(amount, unit):
    with translation.override("zh-hans"):
        text = format_money(amount, unit)
    number, suffix = text.split(" ")
    assert Decimal(number.replace(",", "")) == in_unit(amount, unit)
    assert suffix == SUFFIXES["zh-hans"][unit]


def test_money_filter_uses_the_users_unit():
    from types import SimpleNamespace

    from keyaccount.core.templatetags.ka import money

    with translation.override("zh-hans"):
        assert money(Decimal("123456789"), SimpleNamespace(money_unit="yi")) == "1.23 亿元"
        assert money(Decimal("123456789"), SimpleNamespace(money_unit="")) == "12,345.68 万元"
        assert money(Decimal("123456789")) == "12,345.68 万元"
