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


@pytest.mark.parametrize(
    ("amount", "zh", "en"),
    [
        (Decimal("180000000000"), "1,800亿元", "CNY 180B"),
        (Decimal("6200000"), "620万元", "CNY 6.2M"),
        (Decimal("1234567.8"), "123.46万元", "CNY 1.23M"),
        (Decimal("12345"), "1.23万元", "CNY 12.35K"),
        (Decimal("8500"), "8,500元", "CNY 8.5K"),
        (Decimal("999.5"), "999.5元", "CNY 999.5"),
        (Decimal("0"), "0元", "CNY 0"),
        (Decimal("-3500000"), "-350万元", "CNY -3.5M"),
    ],
)
def test_lists_and_cards_scale_amounts_by_size_without_trailing_zeros(amount, zh, en):
    with translation.override("zh-hans"):
        assert format_money(amount) == zh
    with translation.override("en"):
        assert format_money(amount) == en


@pytest.mark.parametrize(
    ("amount", "unit", "zh", "en"),
    [
        (Decimal("6200000"), MoneyUnit.WAN, "620万元", "CNY 620 ×10k"),
        (Decimal("123456789012"), MoneyUnit.WAN, "12,345,678.9万元", "CNY 12,345,678.9 ×10k"),
        (Decimal("123456789"), MoneyUnit.YI, "1.23亿元", "CNY 1.23 ×100M"),
        (Decimal("1234567.8"), MoneyUnit.YUAN, "1,234,567.8元", "CNY 1,234,567.8"),
        (Decimal("0"), MoneyUnit.YI, "0亿元", "CNY 0 ×100M"),
    ],
)
def test_a_user_may_choose_a_fixed_unit(amount, unit, zh, en):
    with translation.override("zh-hans"):
        assert format_money(amount, unit) == zh
    with translation.override("en"):
        assert format_money(amount, unit) == en


@pytest.mark.parametrize("unit", list(MoneyUnit))
def test_detail_views_show_every_cent_whatever_the_unit(unit):
    with translation.override("zh-hans"):
        assert format_money(Decimal("1234567.8"), unit, exact=True) == "1,234,567.80元"
    with translation.override("en"):
        assert format_money(Decimal("1234567.8"), unit, exact=True) == "CNY 1,234,567.80"


def test_other_currencies_are_named_in_each_language():
    with translation.override("zh-hans"):
        assert format_money(Decimal("50000"), currency="USD") == "5万美元"
    with translation.override("en"):
        assert format_money(Decimal("50000"), currency="USD") == "USD 50K"
        assert format_money(Decimal("50000"), currency="usd", exact=True) == "USD 50,000.00"


def test_format_money_shows_a_dash_for_no_amount():
    assert format_money(None, MoneyUnit.YI) == "—"


@settings(deadline=None)  # timing varies on a busy CI machine
@given(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=10**13, places=2),
    st.sampled_from([MoneyUnit.YUAN, MoneyUnit.WAN, MoneyUnit.YI]),
)
def test_a_fixed_unit_reads_back_as_in_unit(amount, unit):
    with translation.override("zh-hans"):
        text = format_money(amount, unit)
    number = text.removesuffix("元").removesuffix("万").removesuffix("亿")
    assert Decimal(number.replace(",", "")) == in_unit(amount, unit)


@settings(deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=10**13, places=2))
def test_an_exact_amount_reads_back_as_the_amount(amount):
    with translation.override("en"):
        text = format_money(amount, exact=True)
    assert Decimal(text.removeprefix("CNY ").replace(",", "")) == amount


def test_money_filter_uses_the_users_unit():
    from types import SimpleNamespace

    from keyaccount.core.templatetags.ka import money

    with translation.override("zh-hans"):
        assert money(Decimal("123456789"), SimpleNamespace(money_unit="yi")) == "1.23亿元"
        assert money(Decimal("123456789"), SimpleNamespace(money_unit="wan")) == "12,345.68万元"
        assert money(Decimal("123456789"), SimpleNamespace(money_unit="")) == "1.23亿元"
        assert money(Decimal("123456789")) == "1.23亿元"
