"""Pure customer rules (no database): credit codes, names and duplicates, mobiles, scores,
grades, pinyin initials."""

import importlib
import unicodedata
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from keyaccount.customers.models import GradingPolicy
from keyaccount.customers.rules import (
    CREDIT_CODE_CHARS,
    Candidate,
    DuplicateReason,
    Grade,
    Thresholds,
    core_key,
    credit_code_check_char,
    credit_code_problem,
    find_duplicates,
    grade_needs_reason,
    is_latin,
    mobile_problem,
    name_key,
    name_similarity,
    normalize_credit_code,
    normalize_mobile,
    pinyin_initials,
    place_of,
    places_compatible,
    suggest_grade,
    weighted_score,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def valid_code(body17: str) -> str:
    return body17 + credit_code_check_char(body17)


# --- unified social credit code -------------------------------------------------------

KNOWN_VALID = "91350100M000100Y43"  # the example printed on GB 32100-2015 leaflets
BODIES = ("91320000134754395", "9111000010000000A", "52100000MJ0000000", "11000000000000000")


def test_a_published_credit_code_is_valid():
    assert credit_code_problem(KNOWN_VALID) is None


@pytest.mark.parametrize("body", BODIES)
def test_a_code_ending_in_its_check_char_is_valid(body):
    assert credit_code_problem(valid_code(body)) is None


def test_a_constructed_code_has_the_check_char_the_standard_gives():
    # 9135 0100 M000 100Y 4 3: weights (1, 3, 9, 27, ...) give 3 for the published example
    assert credit_code_check_char(KNOWN_VALID[:17]) == "3"
    assert credit_code_check_char("0" * 17) == "0"


@pytest.mark.parametrize("code", [KNOWN_VALID, *(valid_code(b) for b in BODIES)])
def test_every_wrong_check_char_is_detected(code):
    wrong = [c for c in CREDIT_CODE_CHARS if c != code[17]]
    assert len(wrong) == 30
    for char in wrong:
        assert credit_code_problem(code[:17] + char) == (
            "The check character does not match: the code has a typo."
        )


@pytest.mark.parametrize(
    ("code", "n"), [("", 0), (KNOWN_VALID[:17], 17), (KNOWN_VALID + "0", 19), ("9135", 4)]
)
def test_a_code_of_the_wrong_length_is_refused_with_its_length(code, n):
    assert credit_code_problem(code) == (
        f"A unified social credit code has 18 characters (this one has {n})."
    )


@pytest.mark.parametrize(
    ("code", "chars"),
    [
        ("91350100I000100Y43", "I"),
        ("91350100O000100Y43", "O"),
        ("91350100Z0S0V00Y43", "S V Z"),
        ("9135010-M000100Y43", "-"),
    ],
)
def test_characters_never_used_in_a_code_are_named(code, chars):
    assert credit_code_problem(code) == (
        f"The credit code contains characters that are never used in one: {chars}."
    )


def test_lowercase_full_width_and_spaced_input_is_normalised():
    lower = KNOWN_VALID.lower()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in KNOWN_VALID)
    spaced = " 9135 0100 M000 100Y43 "
    ideographic_space = "9135\u30000100M000100Y43"
    for variant in (lower, full_width, spaced, ideographic_space):
        assert normalize_credit_code(variant) == KNOWN_VALID
        assert credit_code_problem(variant) is None


@given(st.text(alphabet=CREDIT_CODE_CHARS, min_size=17, max_size=17), st.data())
def test_appending_the_check_char_gives_a_valid_code_and_nothing_else_does(body, data):
    check = credit_code_check_char(body)
    assert check in CREDIT_CODE_CHARS
    assert credit_code_problem(body + check) is None
    other = data.draw(st.sampled_from([c for c in CREDIT_CODE_CHARS if c != check]))
    assert credit_code_problem(body + other) == (
        "The check character does not match: the code has a typo."
    )


# --- names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "华扬科技",
        "华扬科技有限公司",
        "华扬科技股份有限公司",
        "华扬科技有限责任公司",
        "华扬科技集团",
        "华扬科技集团有限公司",
        "华扬科技（集团）有限公司",
        "华扬科技公司",
        " 华扬 科技  有限公司 ",
        "华扬·科技有限公司",
    ],
)
def test_name_key_ignores_legal_form_spaces_and_punctuation(name):
    assert name_key(name) == "华扬科技"


@pytest.mark.parametrize(
    "name", ["ＡＢＣ科技有限公司", "ABC科技有限公司", "abc 科技", "Ａｂｃ－科技"]
)
def test_name_key_folds_width_and_case(name):
    assert name_key(name) == "abc科技"


def test_name_key_keeps_the_name_when_it_is_only_a_legal_form():
    assert name_key("集团") == "集团"
    assert name_key("") == ""


@pytest.mark.parametrize(
    ("name", "nkey", "ckey"),
    [
        ("江苏省电网运营有限公司", "江苏省电网运营", "电网运营"),
        ("江苏电网运营公司", "江苏电网运营", "电网运营"),
        ("深圳市腾达科技股份有限公司", "深圳市腾达科技", "腾达科技"),
        ("江苏省南京市华扬科技有限公司", "江苏省南京市华扬科技", "华扬科技"),
        ("广西壮族自治区电网有限公司", "广西壮族自治区电网", "电网"),
        ("内蒙古草原风电有限公司", "内蒙古草原风电", "草原风电"),
        ("华扬科技有限公司", "华扬科技", "华扬科技"),
    ],
)
def test_core_key_strips_province_and_city_prefixes_name_key_keeps_them(name, nkey, ckey):
    assert name_key(name) == nkey
    assert core_key(name) == ckey


def test_core_key_keeps_a_place_that_is_the_whole_name():
    assert core_key("江苏省有限公司") == "江苏省"


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("江苏省电网运营有限公司", "江苏"),
        ("江苏电网运营公司", "江苏"),
        ("深圳市腾达科技有限公司", "深圳"),
        ("江苏省南京市华扬科技有限公司", "江苏"),
        ("华扬科技有限公司", ""),
    ],
)
def test_place_of_gives_the_leading_province_or_city(name, place):
    assert place_of(name_key(name), core_key(name)) == place


def test_places_are_compatible_when_equal_or_one_is_missing():
    assert places_compatible("江苏", "江苏")
    assert places_compatible("江苏", "")
    assert places_compatible("", "深圳")
    assert not places_compatible("江苏", "浙江")


def test_a_city_is_compatible_with_its_own_province_only():
    assert places_compatible("江苏", "南京")
    assert places_compatible("深圳", "广东")
    assert not places_compatible("浙江", "南京")
    assert not places_compatible("南京", "苏州")


def test_name_similarity():
    assert name_similarity("电网运营", "电网运营") == 1.0
    assert name_similarity("", "电网运营") == 0.0
    assert name_similarity("京畿电网运营", "京畿电网运营北京") == 0.9
    # a generic remainder is not "most of" the longer name
    assert name_similarity("电网运营", "京畿电网运营北京") < 0.75


def candidate(id_: int, name: str, credit_code: str = "") -> Candidate:
    return Candidate(
        id=id_, credit_code=credit_code, name_key=name_key(name), core_key=core_key(name)
    )


def test_find_duplicates_orders_credit_code_then_same_name_then_core_then_similar():
    code = valid_code(BODIES[0])
    candidates = [
        candidate(1, "江苏电网运营服务有限公司"),  # similar core name, same province
        candidate(2, "电网运营有限公司"),  # same core name, no place
        candidate(3, "江苏省电网运营股份有限公司"),  # same name
        candidate(4, "毫不相干的公司", credit_code=code),  # same credit code
        candidate(5, "江苏电网运营公司"),  # same core name, same province
        candidate(6, "华扬科技有限公司"),  # unrelated
    ]
    found = find_duplicates(
        credit_code=code.lower(), name="江苏省电网运营有限公司", candidates=candidates
    )
    assert [(m.id, m.reason, m.similarity) for m in found] == [
        (4, DuplicateReason.CREDIT_CODE, 1.0),
        (3, DuplicateReason.SAME_NAME, 1.0),
        (2, DuplicateReason.SAME_CORE_NAME, 0.95),
        (5, DuplicateReason.SAME_CORE_NAME, 0.95),
        (1, DuplicateReason.SIMILAR_NAME, 0.8),
    ]


def test_find_duplicates_reports_a_similar_name_with_its_similarity():
    found = find_duplicates(
        credit_code="",
        name="京畿电网运营（北京）有限公司",
        candidates=[candidate(7, "京畿电网运营有限公司"), candidate(8, "华扬科技有限公司")],
    )
    assert [(m.id, m.reason, m.similarity) for m in found] == [
        (7, DuplicateReason.SIMILAR_NAME, 0.9)
    ]


def test_a_different_province_with_the_same_core_name_is_not_a_duplicate():
    found = find_duplicates(
        credit_code="",
        name="浙江省电网运营有限公司",
        candidates=[candidate(1, "江苏省电网运营有限公司"), candidate(2, "江苏电网运营公司")],
    )
    assert found == []


def test_a_name_with_province_and_city_matches_the_name_with_the_city_only():
    found = find_duplicates(
        credit_code="",
        name="南京华扬科技有限公司",
        candidates=[
            candidate(1, "江苏省南京市华扬科技有限公司"),
            candidate(2, "苏州华扬科技有限公司"),
        ],
    )
    assert [(m.id, m.reason) for m in found] == [(1, DuplicateReason.SAME_CORE_NAME)]


def test_find_duplicates_without_a_credit_code_never_matches_blank_codes():
    found = find_duplicates(
        credit_code="", name="华扬科技", candidates=[candidate(1, "毫不相干的公司", "")]
    )
    assert found == []


def test_find_duplicates_honours_the_limit():
    candidates = [candidate(i, f"{p}华扬科技有限公司") for i, p in enumerate(["", "上海", "北京"])]
    found = find_duplicates(credit_code="", name="华扬科技", candidates=candidates, limit=2)
    assert [m.id for m in found] == [0, 1]


NAME_CHARS = st.sampled_from(
    list("华扬科技电网运营江苏省深圳市有限公司股份责任集团银行中国北京")
    + list("ABCxyz0129")
    + list("ＡＢＣｘｙｚ０１２９")
    + list(" ·-()（）,，.。")
)
NAMES = st.text(alphabet=NAME_CHARS, max_size=30)


@given(NAMES)
def test_name_key_is_idempotent(name):
    assert name_key(name_key(name)) == name_key(name)


@given(NAMES)
def test_name_key_ignores_the_width_of_characters(name):
    folded = unicodedata.normalize("NFKC", name)
    widened = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in folded)
    assert name_key(widened) == name_key(name) == name_key(folded)


@given(NAMES, st.lists(st.integers(min_value=0, max_value=30), max_size=5))
def test_name_key_ignores_inserted_spaces(name, positions):
    spaced = name
    for p in sorted(positions, reverse=True):
        spaced = spaced[:p] + " " + spaced[p:]
    assert name_key(spaced) == name_key(name)
    if not is_latin(unicodedata.normalize("NFKC", name).lower()):
        assert core_key(spaced) == core_key(name)  # a Latin name's core is its words, below


@given(NAMES)
def test_a_latin_names_core_ignores_how_many_spaces_part_its_words(name):
    assert core_key(name.replace(" ", "   ")) == core_key(name)


# --- mobile numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        "+86 138 0013 8000",
        "+8613800138000",
        "0086-138-0013-8000",
        "138-0013-8000",
        "(138) 0013 8000",
        "１３８００１３８０００",
    ],
)
def test_a_mainland_mobile_is_accepted_and_normalised(value):
    assert mobile_problem(value) is None
    assert normalize_mobile(value) == "13800138000"


@pytest.mark.parametrize(
    "value",
    ["138001380001", "1380013800", "12800138000", "010-12345678", "0755-8888 6666", "abc"],
)
def test_not_a_mainland_mobile_is_refused_naming_the_value(value):
    assert mobile_problem(value) == (
        f"“{value}” is not a mainland mobile number (11 digits starting with 13–19)."
    )


def test_a_blank_mobile_is_not_a_problem():
    assert mobile_problem("") is None
    assert mobile_problem("  ") is None


# --- scores and grades ----------------------------------------------------------------

W = {"a": Decimal(3), "b": Decimal(1)}


def test_weighted_score_is_none_until_every_active_factor_is_scored():
    assert weighted_score({}, W) is None
    assert weighted_score({"a": 5}, W) is None
    assert weighted_score({"a": 5, "b": None}, W) is None


def test_weighted_score_respects_the_weights():
    assert weighted_score({"a": 5, "b": 0}, W) == Decimal("75.0")
    assert weighted_score({"a": 0, "b": 5}, W) == Decimal("25.0")
    assert weighted_score({"a": 5, "b": 5}, W) == Decimal("100.0")
    assert weighted_score({"a": 0, "b": 0}, W) == Decimal("0.0")


def test_weighted_score_rounds_half_up_to_one_place():
    weights = {"a": Decimal(1), "b": Decimal(1), "c": Decimal(1)}
    assert weighted_score({"a": 5, "b": 0, "c": 0}, weights) == Decimal("33.3")
    assert weighted_score({"a": 5, "b": 5, "c": 0}, weights) == Decimal("66.7")


def test_factors_with_zero_weight_are_ignored():
    weights = {**W, "z": Decimal(0)}
    assert weighted_score({"a": 5, "b": 0}, weights) == Decimal("75.0")
    assert weighted_score({"a": 5, "b": 0, "z": 5}, weights) == Decimal("75.0")


def test_scores_of_unknown_factors_are_ignored():
    assert weighted_score({"a": 5, "b": 0, "gone": 0}, W) == Decimal("75.0")


def test_no_positive_weight_means_no_score():
    assert weighted_score({"a": 5}, {"a": Decimal(0)}) is None
    assert weighted_score({}, {}) is None


@pytest.mark.parametrize("bad", [-1, 6])
def test_a_factor_score_outside_0_to_5_is_an_error(bad):
    with pytest.raises(ValueError, match=f"score {bad} for a outside 0..5"):
        weighted_score({"a": bad, "b": 3}, W)


@given(
    st.dictionaries(
        st.sampled_from("abcdef"),
        st.decimals(min_value=0, max_value=100, places=2),
        min_size=1,
    ),
    st.data(),
)
def test_weighted_score_is_between_0_and_100(weights, data):
    scores = {code: data.draw(st.integers(min_value=0, max_value=5)) for code in weights}
    score = weighted_score(scores, weights)
    if any(w > 0 for w in weights.values()):
        assert score is not None
        assert Decimal(0) <= score <= Decimal(100)
    else:
        assert score is None


DEFAULT = Thresholds(a=Decimal(80), b=Decimal(65), c=Decimal(45))


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", "A"),
        ("80", "A"),
        ("79.9", "B"),
        ("65", "B"),
        ("64.9", "C"),
        ("45", "C"),
        ("44.9", "D"),
        ("0", "D"),
    ],
)
def test_suggest_grade_thresholds_are_inclusive(score, grade):
    assert suggest_grade(Decimal(score), DEFAULT) == grade


def test_no_score_suggests_no_grade():
    assert suggest_grade(None, DEFAULT) is None


@pytest.mark.parametrize(
    ("a", "b", "c"), [(80, 65, 45), (100, 50, 0), (Decimal("0.3"), Decimal("0.2"), Decimal("0.1"))]
)
def test_ordered_thresholds_are_fine(a, b, c):
    assert Thresholds(Decimal(a), Decimal(b), Decimal(c)).problem() is None


@pytest.mark.parametrize(
    ("a", "b", "c"), [(65, 80, 45), (80, 80, 45), (80, 45, 45), (101, 65, 45), (80, 65, -1)]
)
def test_unordered_or_out_of_range_thresholds_are_a_problem(a, b, c):
    assert Thresholds(Decimal(a), Decimal(b), Decimal(c)).problem() == (
        "Thresholds must satisfy 100 ≥ A > B > C ≥ 0."
    )


def test_a_grade_needs_a_reason_only_when_it_differs_from_the_suggestion():
    assert grade_needs_reason(new_grade="B", suggested="A") is True
    assert grade_needs_reason(new_grade="A", suggested="A") is False
    assert grade_needs_reason(new_grade="D", suggested=None) is False


# --- "a big company is not a key account" (SPEC §5) -----------------------------------


def default_scorecard() -> tuple[dict[str, Decimal], Thresholds]:
    migration = importlib.import_module("keyaccount.customers.migrations.0002_default_scorecard")
    weights = {code: Decimal(weight) for code, *_texts, weight in migration.FACTORS}
    policy = GradingPolicy._meta
    thresholds = Thresholds(
        a=Decimal(policy.get_field("threshold_a").default),
        b=Decimal(policy.get_field("threshold_b").default),
        c=Decimal(policy.get_field("threshold_c").default),
    )
    return weights, thresholds


FEASIBILITY = ("reachability", "profitability", "implementability", "value", "sustainability")


def test_a_big_company_is_not_an_a_by_size_alone_but_a_small_feasible_one_is():
    weights, thresholds = default_scorecard()
    assert set(FEASIBILITY) <= set(weights)
    assert "size" in weights
    assert thresholds == Thresholds(a=Decimal(80), b=Decimal(65), c=Decimal(45))

    big_but_hard = dict.fromkeys(weights, 2) | {"size": 5}
    big_score = weighted_score(big_but_hard, weights)
    assert big_score == Decimal("43.0")
    assert suggest_grade(big_score, thresholds) == Grade.D  # not A, not even B

    small_but_feasible = dict.fromkeys(weights, 3) | dict.fromkeys(FEASIBILITY, 5) | {"size": 1}
    small_score = weighted_score(small_but_feasible, weights)
    assert small_score == Decimal("82.0")
    assert suggest_grade(small_score, thresholds) == Grade.A


def test_size_weighs_less_than_any_feasibility_test_in_the_default_scorecard():
    weights, _thresholds = default_scorecard()
    assert sum(weights.values()) == Decimal(100)
    assert all(weights["size"] < weights[code] for code in FEASIBILITY)


# --- pinyin initials ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("国网江苏省电力", "gwjssdl"),
        ("重庆银行", "cqyh"),  # heteronyms read as in the phrase (chóng, háng)
        ("ABC银行2号", "abcyh2h"),
        ("ＡＢＣ银行", "abcyh"),
        ("京畿电网运营（北京）有限公司", "jjdwyybjyxgs"),
        ("", ""),
    ],
)
def test_pinyin_initials(name, initials):
    assert pinyin_initials(name) == initials


def test_pinyin_initials_fit_the_column():
    assert len(pinyin_initials("电" * 150)) == 100


def test_every_city_prefix_belongs_to_a_known_province():
    from keyaccount.customers import rules

    assert set(rules._CITY_PROVINCE.values()) <= set(rules._PROVINCES)
    assert not set(rules._CITY_PROVINCE) & set(rules._PROVINCES)
