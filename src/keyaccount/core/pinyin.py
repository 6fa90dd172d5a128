"""Chinese names the way a Chinese office sorts and searches them: by pinyin.

Code point order puts 上海 before 京畿 before 保定; people expect 保定, 京畿, 上海. Every model
whose name people sort or search by keeps derived keys next to the name, in three fields of the
same names on every model (kept in step by its services, or by ``save`` for records edited in
the back office; ``core.pinyin_backfill`` fills them for rows written before):

- ``pinyin_sort`` (``sort_key``): the pinyin with tones, character by character, for
  ``ORDER BY`` on any database;
- ``pinyin_full`` (``full``): the full pinyin run together (``qiantang``), to find a name by
  what it sounds like;
- ``pinyin`` (``initials``): the first letters (``qt``), to find it by what people type on a
  phone.

``query_keys`` turns what someone typed (``杭州wan``, ``qiantang``, ``QT``) into the keys to
match and ``matching`` into the condition on those fields. Letters and digits in a name stay as
they are, lower-cased; punctuation and spaces do not count. Polyphonic characters follow
pypinyin's phrase dictionary (重庆 → chongqing).
"""

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple

from django.db.models import Q
from pypinyin import Style
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin

MAX_SORT = 200
MAX_FULL = 400
MAX_INITIALS = 100

_NOT_KEY = re.compile(r"[^0-9a-z]+")
_WORD = re.compile(r"[0-9a-z]+")
_PART = re.compile(r"[a-z]+|[0-9]+")
_LETTER = re.compile(r"[a-z]")
_OTHER = "\x00"  # marks what pypinyin found no pinyin for (Latin words, digits, punctuation)
_END_OF_WORD = "0"  # sorts before any letter and any tone


def _sortable(part: str) -> str:
    """A Latin word ends in ``0``; a number is led by its count of digits (``9`` → ``19``,
    ``10`` → ``210``), so 用户9 comes before 用户10."""
    if not part.isdigit():
        return part + _END_OF_WORD
    digits = part.lstrip("0") or "0"
    return f"{min(len(digits), 9)}{digits}"


class Keys(NamedTuple):
    sort: str
    full: str
    initials: str


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _plain(text: str) -> str:
    """Without accents (ê → e, ü → u), spaces and punctuation kept."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _mark_other(chunk: str) -> str:
    return _OTHER + chunk


class _SegmentCache(UltimateConverter):
    """pypinyin's converter (as ``lazy_pinyin(..., neutral_tone_with_five=True)`` builds it),
    remembering each segment's pinyin: company names share most of their words (省, 电力,
    有限公司 …), so an import of thousands of names converts each word once."""

    def convert(self, words: str, style: Style, heteronym: bool,
                errors: Callable[[str], str] | str, strict: bool = True,
                **kwargs: Any) -> list[list[str]]:  # fmt: skip
        if errors is not _mark_other or kwargs:
            return list(super().convert(words, style, heteronym, errors, strict, **kwargs))
        return [list(item) for item in self._cached(words, style, heteronym, strict)]

    @functools.lru_cache(maxsize=1 << 14)  # noqa: B019 (one instance, for the process's life)
    def _cached(
        self, words: str, style: Style, heteronym: bool, strict: bool
    ) -> tuple[tuple[str, ...], ...]:
        found = super().convert(words, style, heteronym, _mark_other, strict)
        return tuple(tuple(item) for item in found)


_PINYIN = Pinyin(_SegmentCache(neutral_tone_with_five=True))


def keys(name: str) -> Keys:
    """The three keys of ``name``, from one pass of pypinyin (a tenth of a millisecond, less
    for words it has seen)."""
    items = _PINYIN.lazy_pinyin(_fold(name), style=Style.TONE3, errors=_mark_other)
    sort: list[str] = []
    full_: list[str] = []
    first: list[str] = []
    for item in items:
        if item.startswith(_OTHER):
            for word in _WORD.findall(_plain(item[1:])):
                sort.extend(_sortable(part) for part in _PART.findall(word))
                full_.append(word)
                first.append(word)
        else:
            syllable = _NOT_KEY.sub("", _plain(item))  # "zhong1": a tone's digit ends it
            if syllable:
                sort.append(syllable)
                full_.append(syllable.rstrip("012345"))
                first.append(syllable[0])
    return Keys("".join(sort)[:MAX_SORT], "".join(full_)[:MAX_FULL], "".join(first)[:MAX_INITIALS])


def sort_key(name: str) -> str:
    """``上海电力`` → ``shang4hai3dian4li4``: compared as text, it sorts names by pinyin.

    Character by character, by syllable then tone (商 shāng before 上 shàng, 西安 before 厦门),
    as a Chinese dictionary and ICU's pinyin collation do. A Latin word counts as one unit
    (``AB 公司`` before ``ABC``), a number by its value (``2号`` before ``10号``). The key holds
    only digits and lower-case letters: every collation (``C`` or a locale's, on SQLite or
    PostgreSQL) orders such text the same way, so lists sort alike on both databases and an
    index serves them."""
    return keys(name).sort


def full(name: str) -> str:
    """``钱塘江水务`` → ``qiantangjiangshuiwu``."""
    return keys(name).full


def initials(name: str) -> str:
    """``国网江苏省电力`` → ``gwjssdl``; a Latin word counts by its first letter only when it is
    part of a Chinese name's run of syllables (``ABB中国`` → ``abbzg``)."""
    return keys(name).initials


def query_keys(text: str) -> tuple[str, str]:
    """What to look for in ``full`` and in ``initials`` for the typed ``text``:
    ``qiantang`` → (``qiantang``, ``qiantang``), ``QT`` → (``qt``, ``qt``), ``杭州wan`` →
    (``hangzhouwan``, ``""``): initials are only compared with typed letters. Empty when nothing
    in it can match."""
    folded = _fold(text)
    typed = _NOT_KEY.sub("", folded) if folded.isascii() else ""
    return full(text), typed


#: Where one syllable meets the next, consonants run only as a final's end (n, ng, r) and the
#: next initial: ``qian|tang`` has ``nt``, ``zhong|zhuan`` ``ngzh``; ``jsdw`` has none of these.
#: (嗯 n, 呣 m, 哼 hng and the like are syllables without a vowel: one may stand in between.)
_SYLLABLE_INITIALS = (
    "", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "zh", "ch", "sh",
    "r", "z", "c", "s", "y", "w",
)  # fmt: skip
_JOINS = frozenset(
    end + between + start
    for end in ("", "n", "ng", "r")
    for between in ("", "m", "n", "ng", "hm", "hng")
    for start in _SYLLABLE_INITIALS
)
_JOIN_ENDS = frozenset(j[i:] for j in _JOINS for i in range(len(j) + 1))
_JOIN_STARTS = frozenset(j[:i] for j in _JOINS for i in range(len(j) + 1))
_JOIN_PARTS = frozenset(j[i:k] for j in _JOINS for i in range(len(j)) for k in range(i, len(j) + 1))
_VOWELS = re.compile(r"[aeiouv]+")
_LETTERS = re.compile(r"[a-z]+")


def could_be_pinyin(key: str) -> bool:
    """Whether ``key`` (typed, folded) could be part of a name's full pinyin: each run of letters
    could be cut out of syllables written one after the other (``qiantang``, ``angzh``), unlike
    initials typed on a phone (``jsdw``, ``qtjsw``), which need no look at the full pinyin."""
    runs = _LETTERS.findall(key)
    if not runs:
        return False
    for run in runs:
        consonants = _VOWELS.split(run)
        if len(consonants) == 1:
            if consonants[0] not in _JOIN_PARTS:
                return False
            continue
        head, *inner, tail = consonants
        if head not in _JOIN_ENDS or tail not in _JOIN_STARTS:
            return False
        if any(c not in _JOINS for c in inner):
            return False
    return True


def matching(text: str, *, prefix: str = "") -> Q:
    """The rows whose pinyin keys (``pinyin_full``, ``pinyin``) hold what was typed: the full
    pinyin anywhere in the name's (``qiantang``, ``杭州wan``), the initials anywhere in its
    initials (``qt``). ``prefix`` reaches a related row's keys (``customer__``).

    Text in characters alone (``杭州``) is matched against the name itself by the caller, not
    here: its pinyin would also find every homophone, and ``安`` every name with ``an`` in it.
    Letters that cannot be pinyin (``jsdw``) are looked for among the initials only: the
    commonest search, on a phone, reads one short column per row as it always did. Matches
    nothing when nothing in ``text`` can match."""
    full_key, typed = query_keys(text)
    condition = Q(pk__in=[])
    if full_key and _LETTER.search(_fold(text)) and could_be_pinyin(full_key):
        condition |= Q(**{f"{prefix}pinyin_full__contains": full_key})
    if typed:
        condition |= Q(**{f"{prefix}pinyin__contains": typed})
    return condition
