"""Chinese names by pinyin (``core.pinyin``): sort keys, full pinyin and initials, pure."""

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
