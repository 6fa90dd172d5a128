"""Pure rules about customers: credit codes, name normalisation, duplicates, scores, grades."""

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from difflib import SequenceMatcher

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- unified social credit code (统一社会信用代码, GB 32100-2015) ---------------------------

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize_credit_code(code: str) -> str:
    return unicodedata.normalize("NFKC", code or "").strip().upper().replace(" ", "")


def credit_code_check_char(first17: str) -> str:
    total = sum(
        CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid unified social credit code, or None if it is."""
    code = normalize_credit_code(code)
    if len(code) != 18:
        return str(_("A unified social credit code has 18 characters (this one has %(n)s).")) % {
            "n": len(code)
        }
    bad = sorted({c for c in code if c not in CREDIT_CODE_CHARS})
    if bad:
        return str(
            _("The credit code contains characters that are never used in one: %(chars)s.")
        ) % {"chars": " ".join(bad)}
    if credit_code_check_char(code[:17]) != code[17]:
        return str(_("The check character does not match: the code has a typo."))
    return None


# --- company names --------------------------------------------------------------------

_LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团公司",
    "总公司",
    "分公司",
    "集团",
    "公司",
)
_PROVINCES = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆",
    "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "香港", "澳门", "台湾",
)  # fmt: skip
#: Cities a name may start with, and the province each is in (江苏省南京市… is 南京…).
_CITY_PROVINCE = {
    "深圳": "广东", "广州": "广东", "杭州": "浙江", "南京": "江苏", "苏州": "江苏", "武汉": "湖北",
    "成都": "四川", "西安": "陕西", "青岛": "山东", "大连": "辽宁", "宁波": "浙江", "厦门": "福建",
    "沈阳": "辽宁", "长沙": "湖南", "郑州": "河南", "济南": "山东", "合肥": "安徽", "福州": "福建",
    "昆明": "云南", "无锡": "江苏", "佛山": "广东", "东莞": "广东", "哈尔滨": "黑龙江",
    "长春": "吉林", "石家庄": "河北", "太原": "山西", "南昌": "江西", "南宁": "广西",
    "贵阳": "贵州", "兰州": "甘肃", "海口": "海南", "呼和浩特": "内蒙古", "乌鲁木齐": "新疆",
    "银川": "宁夏", "西宁": "青海", "拉萨": "西藏", "温州": "浙江", "珠海": "广东", "烟台": "山东",
    "徐州": "江苏", "常州": "江苏", "泉州": "福建", "绍兴": "浙江", "嘉兴": "浙江",
}  # fmt: skip
_CITIES = tuple(_CITY_PROVINCE)
_PLACE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市")
_NOISE = re.compile(r"[\s\-_·.,，。、()（）\[\]【】《》“”\"'‘’&＆/]+")


#: Legal-form words of Latin-script names (Corporation, Inc, Ltd, GmbH, Co. …): never evidence
#: that two companies are the same, dropped from the end of a name (and "the" from its start).
_LATIN_LEGAL = frozenset({
    "corporation", "corp", "incorporated", "inc", "limited", "ltd", "llc", "llp", "lp", "plc",
    "gmbh", "mbh", "ag", "kg", "kgaa", "sa", "sas", "sarl", "spa", "srl", "bv", "nv", "oy", "oyj",
    "ab", "asa", "as", "aps", "kk", "pte", "pty", "pvt", "co", "cos", "company", "companies",
})  # fmt: skip
#: Common words of Latin-script company names (Tech, Systems, Global, Group …): left out when
#: names are compared for likely duplicates, unless nothing else is left.
_LATIN_GENERIC = frozenset({
    "the", "and", "of", "group", "holding", "holdings", "international", "intl", "global",
    "worldwide", "world", "tech", "technology", "technologies", "systems", "system", "solutions",
    "solution", "services", "service", "software", "soft", "industries", "industry", "industrial",
    "enterprises", "enterprise", "partners", "partner", "consulting", "consultants", "networks",
    "network", "net", "labs", "lab", "laboratories", "media", "digital", "trading", "trade",
    "products", "product", "manufacturing", "engineering", "energy", "resources", "development",
    "capital", "management", "communications", "telecom", "electronics", "electronic", "data",
    "information", "info", "america", "american", "asia", "pacific", "china", "europe", "usa",
    "us", "uk",
})  # fmt: skip
_LATIN_WORD = re.compile(r"[^\W_]+")
_LETTER = re.compile(r"[a-z]")
#: Latin-script names need more in common than Chinese ones to be "similar": with 26 letters,
#: unrelated names share far more characters by chance.
LATIN_SIMILAR_THRESHOLD = 0.85


def is_latin(text: str) -> bool:
    """Mostly Latin letters (``Acme Widgets Ltd``), not Chinese with a Latin word (华为ICT)."""
    letters = len(_LETTER.findall(text))
    return letters > 0 and letters * 2 > len(_NOISE.sub("", text))


def _latin_words(text: str) -> list[str]:
    words = _LATIN_WORD.findall(text)
    while len(words) > 1 and words[-1] in _LATIN_LEGAL:
        words.pop()
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    return words


@functools.lru_cache(maxsize=1 << 16)  # an import asks for each name's keys several times
def name_key(name: str) -> str:
    """The name as compared for exact duplicates: width, case, spaces, punctuation and the
    legal form (有限公司, 股份有限公司, 集团 …; Corporation, Inc, Ltd, GmbH …) ignored;
    geography kept."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    if is_latin(text):
        return "".join(_latin_words(text))
    text = _NOISE.sub("", text)
    changed = True
    while changed:
        changed = False
        for suffix in _LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
    return text


@functools.lru_cache(maxsize=1 << 16)
def core_key(name: str) -> str:
    """``name_key`` without a leading province or city (江苏省…, 深圳市…): for likely duplicates.
    A Latin-script name keeps its distinctive words, space-separated (``acme widgets`` of
    *The Acme Widgets Technologies Inc.*): legal forms and common words are not evidence."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    if is_latin(text):
        words = _latin_words(text)
        distinctive = [w for w in words if w not in _LATIN_GENERIC]
        return " ".join(distinctive or words)
    text = name_key(name)
    changed = True
    while changed:
        changed = False
        for place in (*_PROVINCES, *_CITIES):
            if text.startswith(place):
                rest = text[len(place) :]
                for suffix in _PLACE_SUFFIXES:
                    if rest.startswith(suffix):
                        rest = rest[len(suffix) :]
                        break
                if len(rest) >= 2:
                    text = rest
                    changed = True
                break
    return text


def similar_threshold(core: str) -> float:
    return LATIN_SIMILAR_THRESHOLD if is_latin(core) else SIMILAR_THRESHOLD


def name_similarity(a: str, b: str) -> float:
    """0..1 similarity of two core keys. One containing the other counts when it is most of it
    (京畿电网运营 in 京畿电网运营北京), not when it is a generic remainder (电网运营)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long_ = sorted((a, b), key=len)
    if is_latin(a) or is_latin(b):
        return _latin_similarity(a, b)
    if len(short) >= 4 and short in long_ and len(short) / len(long_) >= 0.7:
        return 0.9
    return SequenceMatcher(None, a, b).ratio()


#: Common word parts (Innotech, Cheapnet, Microsoft …): not compared.
_LATIN_PARTS = ("tronics", "systems", "tech", "soft", "ware", "works", "logic", "net", "sys")


def _word_similarity(a: str, b: str) -> float:
    """Two words ending in the same common part are compared without it (Innotech and
    Infotech are *inno* and *info*); a typo is not a different word (Microsft)."""
    for part in _LATIN_PARTS:
        if a.endswith(part) and b.endswith(part) and min(len(a), len(b)) - len(part) >= 3:
            a, b = a[: -len(part)], b[: -len(part)]
            break
    return SequenceMatcher(None, a, b).ratio()


def _latin_similarity(a: str, b: str) -> float:
    """Word by word: each word of the shorter name must match one of the other (a typo
    allowed), and the matched words count against the longer name's words. *Northwind
    Traders* and *Southwind Traders* share a word and most letters, but not their names."""
    short, long_ = sorted((a.split(), b.split()), key=len)
    if not short:
        return 0.0
    matched = 0.0
    for word in short:
        best = max(_word_similarity(word, other) for other in long_)
        if best >= LATIN_SIMILAR_THRESHOLD:
            matched += best
    return matched / len(long_)


def place_of(name_key_: str, core_key_: str) -> str:
    """The province or city a name starts with (江苏省… and 江苏… both give 江苏), or ""."""
    if not core_key_ or not name_key_.endswith(core_key_):
        return ""
    prefix = name_key_[: len(name_key_) - len(core_key_)]
    for place in (*_PROVINCES, *_CITIES):
        if prefix.startswith(place):
            return place
    return prefix


def places_compatible(a: str, b: str) -> bool:
    """江苏… and 浙江… are different companies; 江苏… and a name without a place may not be,
    nor 江苏省南京市… (place 江苏) and 南京… (a city in that province)."""
    return not a or not b or a == b or _CITY_PROVINCE.get(a) == b or _CITY_PROVINCE.get(b) == a


SIMILAR_THRESHOLD = 0.75


class DuplicateReason(models.TextChoices):
    CREDIT_CODE = "credit_code", _("same unified social credit code")
    SAME_NAME = "same_name", _("same name (ignoring legal form, width and spaces)")
    SAME_CORE_NAME = "same_core_name", _("same name without province or city")
    SIMILAR_NAME = "similar_name", _("similar name")


@dataclass(frozen=True)
class Candidate:
    id: int
    credit_code: str
    name_key: str
    core_key: str


@dataclass(frozen=True)
class DuplicateMatch:
    id: int
    reason: str
    similarity: float


def find_duplicates(
    *, credit_code: str, name: str, candidates: Iterable[Candidate], limit: int = 10
) -> list[DuplicateMatch]:
    """Likely duplicates of a new customer among ``candidates``, strongest first."""
    code = normalize_credit_code(credit_code)
    nkey, ckey = name_key(name), core_key(name)
    place = place_of(nkey, ckey)
    threshold = similar_threshold(ckey)
    found: list[DuplicateMatch] = []
    for c in candidates:
        if code and c.credit_code and c.credit_code == code:
            found.append(DuplicateMatch(c.id, DuplicateReason.CREDIT_CODE, 1.0))
            continue
        if nkey and c.name_key == nkey:
            found.append(DuplicateMatch(c.id, DuplicateReason.SAME_NAME, 1.0))
            continue
        if not ckey or not c.core_key:
            continue
        if not places_compatible(place, place_of(c.name_key, c.core_key)):
            continue
        if c.core_key == ckey:
            found.append(DuplicateMatch(c.id, DuplicateReason.SAME_CORE_NAME, 0.95))
            continue
        # Cheap upper bound first: a check runs against tens of thousands of candidates.
        if SequenceMatcher(None, ckey, c.core_key).real_quick_ratio() < threshold:
            continue
        score = name_similarity(ckey, c.core_key)
        if score >= threshold:
            found.append(DuplicateMatch(c.id, DuplicateReason.SIMILAR_NAME, round(score, 2)))
    order = list(DuplicateReason.values)
    found.sort(key=lambda m: (order.index(m.reason), -m.similarity, m.id))
    return found[:limit]


# --- contacts -------------------------------------------------------------------------

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(value: str) -> str:
    text = unicodedata.normalize("NFKC", value or "")
    text = re.sub(r"[\s\-()（）]", "", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    return text


def mobile_problem(value: str) -> str | None:
    number = normalize_mobile(value)
    if not number:
        return None
    if not _MOBILE.match(number):
        return str(
            _("“%(value)s” is not a mainland mobile number (11 digits starting with 13–19).")
        ) % {"value": value}
    return None


# --- scoring and grades ---------------------------------------------------------------


class Grade(models.TextChoices):
    A = "A", _("A")
    B = "B", _("B")
    C = "C", _("C")
    D = "D", _("D")


MAX_FACTOR_SCORE = 5


@dataclass(frozen=True)
class Thresholds:
    """Minimum weighted score (0–100) for grades A, B and C; anything lower is D."""

    a: Decimal
    b: Decimal
    c: Decimal

    def problem(self) -> str | None:
        if not (Decimal(100) >= self.a > self.b > self.c >= 0):
            return str(_("Thresholds must satisfy 100 ≥ A > B > C ≥ 0."))
        return None


def weighted_score(
    scores: Mapping[str, int | None], weights: Mapping[str, Decimal]
) -> Decimal | None:
    """Weighted score on 0–100 from factor scores 0–5. None until every factor is scored."""
    total_weight = sum((w for w in weights.values() if w > 0), Decimal(0))
    if total_weight <= 0:
        return None
    total = Decimal(0)
    for code, weight in weights.items():
        if weight <= 0:
            continue
        score = scores.get(code)
        if score is None:
            return None
        if not 0 <= score <= MAX_FACTOR_SCORE:
            raise ValueError(f"score {score} for {code} outside 0..{MAX_FACTOR_SCORE}")
        total += Decimal(score) / MAX_FACTOR_SCORE * weight
    return (total / total_weight * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def suggest_grade(score: Decimal | None, thresholds: Thresholds) -> str | None:
    if score is None:
        return None
    if score >= thresholds.a:
        return Grade.A
    if score >= thresholds.b:
        return Grade.B
    if score >= thresholds.c:
        return Grade.C
    return Grade.D


def grade_needs_reason(*, new_grade: str, suggested: str | None) -> bool:
    """A manager may set any grade, but one that differs from the suggestion needs a reason."""
    return suggested is not None and new_grade != suggested


def pinyin_initials(name: str) -> str:
    """``国网江苏省电力`` → ``gwjssdl`` (letters and digits kept as they are; spaces and
    punctuation dropped, so ``京畿电网运营（北京）`` is found as ``jjdwyybj``)."""
    from pypinyin import Style, lazy_pinyin

    text = unicodedata.normalize("NFKC", name or "")
    parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return re.sub(r"[^0-9a-z]", "", "".join(parts).lower())[:100]
