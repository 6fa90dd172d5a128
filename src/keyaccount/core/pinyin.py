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

import re
import unicodedata
from typing import NamedTuple

from django.db.models import Q
from pypinyin import Style, lazy_pinyin

MAX_SORT = 200
MAX_FULL = 400
MAX_INITIALS = 100

_NOT_KEY = re.compile(r"[^0-9a-z]+")
_WORD = re.compile(r"[0-9a-z]+")
_LETTER = re.compile(r"[a-z]")
_OTHER = "\x00"  # marks what pypinyin found no pinyin for (Latin words, digits, punctuation)
_END_OF_WORD = "0"  # sorts before any letter and any tone


class Keys(NamedTuple):
    sort: str
    full: str
    initials: str


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _ascii(text: str) -> str:
    # ê (欸) and the like: their letter without the accent
    return _NOT_KEY.sub("", unicodedata.normalize("NFKD", text))


def keys(name: str) -> Keys:
    """The three keys of ``name``, from one pass of pypinyin (a fifth of a millisecond)."""
    items = lazy_pinyin(
        _fold(name),
        style=Style.TONE3,
        neutral_tone_with_five=True,
        errors=lambda chunk: [_OTHER + chunk],
    )
    sort, full_, first = [], [], []
    for item in items:
        if item.startswith(_OTHER):
            for word in _WORD.findall(_ascii(item[1:])):
                sort.append(word + _END_OF_WORD)
                full_.append(word)
                first.append(word)
        else:
            syllable = _ascii(item)  # "zhong1": the tone's digit ends every syllable
            if syllable:
                sort.append(syllable)
                full_.append(syllable.rstrip("012345"))
                first.append(syllable[0])
    return Keys(
        "".join(sort)[:MAX_SORT], "".join(full_)[:MAX_FULL], "".join(first)[:MAX_INITIALS]
    )


def sort_key(name: str) -> str:
    """``上海电力`` → ``shang4hai3dian4li4``: compared as text, it sorts names by pinyin.

    Character by character, by syllable then tone (商 shāng before 上 shàng, 西安 before 厦门),
    as a Chinese dictionary and ICU's pinyin collation do; a Latin word or a number counts as
    one unit ending in ``0``, so ``AB 公司`` comes before ``ABC``. The key holds only digits and
    lower-case letters: every collation (``C`` or a locale's, on SQLite or PostgreSQL) orders
    such text the same way, so lists sort alike on both databases and an index serves them."""
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


def matching(text: str, *, prefix: str = "") -> Q:
    """The rows whose pinyin keys (``pinyin_full``, ``pinyin``) hold what was typed: the full
    pinyin anywhere in the name's (``qiantang``, ``杭州wan``), the initials anywhere in its
    initials (``qt``). ``prefix`` reaches a related row's keys (``customer__``).

    Text in characters alone (``杭州``) is matched against the name itself by the caller, not
    here: its pinyin would also find every homophone, and ``安`` every name with ``an`` in it.
    Matches nothing when nothing in ``text`` can match."""
    full_key, typed = query_keys(text)
    condition = Q(pk__in=[])
    if full_key and _LETTER.search(_fold(text)):
        condition |= Q(**{f"{prefix}pinyin_full__contains": full_key})
    if typed:
        condition |= Q(**{f"{prefix}pinyin__contains": typed})
    return condition
