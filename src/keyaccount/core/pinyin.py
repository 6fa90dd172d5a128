"""Chinese names the way a Chinese office sorts and searches them: by pinyin.

Code point order puts 上海 before 京畿 before 保定; people expect 保定, 京畿, 上海. Every model
whose name people sort or search by keeps derived keys next to the name (kept in step by its
services, or by ``save`` for records edited in the back office):

- ``sort_key``: the full pinyin, syllable by syllable, for ``ORDER BY`` on any database;
- ``full``: the full pinyin run together (``qiantang``), to find a name by what it sounds like;
- ``initials``: the first letters (``qt``), to find it by what people type on a phone.

``query_keys`` turns what someone typed (``杭州wan``, ``qiantang``, ``QT``) into the keys to
match. Letters and digits in a name stay as they are, lower-cased; punctuation and spaces do not
count. Polyphonic characters follow pypinyin's phrase dictionary (重庆 → chongqing).
"""

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

MAX_SORT = 200
MAX_FULL = 400
MAX_INITIALS = 100

_NOT_KEY = re.compile(r"[^0-9a-z]+")


def _syllables(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text or "").lower()
    # errors="default" keeps non-Chinese runs (Latin words, digits) as one item each
    return lazy_pinyin(folded, style=Style.NORMAL, errors="default", v_to_u=False)


def sort_key(name: str) -> str:
    """``上海电力`` → ``shang hai dian li``: compared as text, it sorts names by pinyin."""
    parts = [_NOT_KEY.sub(" ", s).strip() for s in _syllables(name)]
    return " ".join(p for p in parts if p)[:MAX_SORT]


def full(name: str) -> str:
    """``钱塘江水务`` → ``qiantangjiangshuiwu``."""
    return _NOT_KEY.sub("", "".join(_syllables(name)))[:MAX_FULL]


def initials(name: str) -> str:
    """``国网江苏省电力`` → ``gwjssdl``; a Latin word counts by its first letter only when it is
    part of a Chinese name's run of syllables (``ABB中国`` → ``abbzg``)."""
    folded = unicodedata.normalize("NFKC", name or "").lower()
    parts = lazy_pinyin(folded, style=Style.FIRST_LETTER, errors="default")
    return _NOT_KEY.sub("", "".join(parts))[:MAX_INITIALS]


def query_keys(text: str) -> tuple[str, str]:
    """What to look for in ``full`` and in ``initials`` for the typed ``text``:
    ``qiantang`` → (``qiantang``, ``qiantang``), ``QT`` → (``qt``, ``qt``), ``杭州wan`` →
    (``hangzhouwan``, ``""``): initials are only compared with typed letters. Empty when nothing
    in it can match."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    typed = _NOT_KEY.sub("", folded) if folded.isascii() else ""
    return full(text), typed
