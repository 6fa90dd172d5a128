"""Chinese names by pinyin (``core.pinyin``): sort keys, full pinyin and initials, pure."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyaccount.core import pinyin


def test_names_sort_by_pinyin_not_by_code_point():
    names = ["上海电力", "京畿电网", "保定新能源", "安徽能源", "重庆银行"]
    assert sorted(names) != sorted(names, key=pinyin.sort_key)
    assert sorted(names, key=pinyin.sort_key) == [
        "安徽能源", "保定新能源", "重庆银行", "京畿电网", "上海电力",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("钱塘江水务", "qiantangjiangshuiwu", "qtjsw"),
        ("重庆银行", "chongqingyinhang", "cqyh"),
        (
            "京畿电网运营（北京）有限公司",
            "jingjidianwangyunyingbeijingyouxiangongsi",
            "jjdwyybjyxgs",
        ),
        ("ABB中国", "abbzhongguo", "abbzg"),
        ("Ｔｅｓｔ 公司", "testgongsi", "testgs"),
    ],
)
def test_full_pinyin_and_initials(name, full, initials):
    assert pinyin.full(name) == full
    assert pinyin.initials(name) == initials


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("qiantang", ("qiantang", "qiantang")),
        ("QT", ("qt", "qt")),
        ("杭州wan", ("hangzhouwan", "")),
        ("杭州", ("hangzhou", "")),
        ("  ", ("", "")),
    ],
)
def test_what_someone_types_becomes_the_keys_to_match(typed, expected):
    assert pinyin.query_keys(typed) == expected


def test_mixed_input_matches_the_full_pinyin_of_the_name():
    full, _initials = pinyin.query_keys("杭州wan")
    assert full in pinyin.full("杭州湾跨海大桥建设公司")


@given(st.text(max_size=60))
def test_keys_are_bounded_lowercase_ascii_for_any_text(text):
    for key, limit in (
        (pinyin.sort_key(text), pinyin.MAX_SORT),
        (pinyin.full(text), pinyin.MAX_FULL),
        (pinyin.initials(text), pinyin.MAX_INITIALS),
    ):
        assert len(key) <= limit
        assert key == key.lower() and key.isascii()


# --- the sort key in detail, the search condition (added with the stored keys) ---------------


@pytest.mark.parametrize(
    "in_order",
    [
        ["商业银行", "上海电力"],  # shāng before shàng: by syllable, then tone
        ["西安", "厦门"],  # character by character: xī before xià
        ["用户9", "用户10", "用户100"],  # numbers by value
        ["2号楼", "10号楼"],
        ["AB 公司", "ABC", "ABC 公司"],  # a Latin word counts as a whole
        ["阿里", "Apple"],  # Latin and Chinese names interleave by their letters
        ["路桥", "绿地"],  # lù before lǜ
    ],
)
def test_the_sort_key_orders_like_a_dictionary(in_order):
    rotated = in_order[1:] + in_order[:1]
    assert sorted(rotated, key=pinyin.sort_key) == in_order


def test_the_three_keys_come_from_one_pass():
    name = "杭州湾跨海大桥建设公司"
    assert pinyin.keys(name) == (pinyin.sort_key(name), pinyin.full(name), pinyin.initials(name))


@given(st.text(max_size=60))
def test_the_sort_key_is_digits_and_lowercase_letters_only(text):
    # so that every collation (C, en_US, zh_CN; SQLite or PostgreSQL) orders it alike
    assert re.fullmatch(r"[0-9a-z]*", pinyin.sort_key(text))


@pytest.mark.parametrize(
    ("typed", "lookups"),
    [
        ("qiantang", {("pinyin_full__contains", "qiantang"), ("pinyin__contains", "qiantang")}),
        ("杭州wan", {("pinyin_full__contains", "hangzhouwan")}),
        ("jsdw", {("pinyin__contains", "jsdw")}),  # initials: no syllables could make them
        ("杭州", set()),  # characters alone are matched against the name, not by sound
        (" - ", set()),
    ],
)
def test_matching_looks_in_the_stored_keys(typed, lookups):
    condition = pinyin.matching(typed, prefix="customer__")
    found = {c for c in condition.children if c != ("pk__in", [])}
    assert found == {(f"customer__{field}", value) for field, value in lookups}


@pytest.mark.parametrize(
    ("key", "could"),
    [
        ("qiantang", True),
        ("hangzhouwan", True),
        ("chongqing", True),  # ng|q
        ("zhongzhuan", True),  # ng|zh
        ("angzh", True),  # cut out of zh-ang|zh-ou
        ("erzi", True),
        ("jiangsu2hao", True),  # each run of letters on its own
        ("jsdw", False),  # what a phone user types: initials
        ("qtjsw", False),
        ("hbfd", False),
        ("abc", False),  # a Latin word: found in the name itself
        ("", False),
    ],
)
def test_could_be_pinyin_tells_syllables_from_initials(key, could):
    assert pinyin.could_be_pinyin(key) is could


HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)  # CJK unified ideographs


@given(st.text(HAN, min_size=1, max_size=12), st.integers(0, 80), st.integers(1, 80))
def test_anything_cut_out_of_a_names_full_pinyin_could_be_pinyin(name, start, length):
    # what the check leaves to the initials alone can never hide a Chinese name's own pinyin
    cut = pinyin.full(name)[start : start + length]
    assert not re.search("[a-z]", cut) or pinyin.could_be_pinyin(cut), cut
