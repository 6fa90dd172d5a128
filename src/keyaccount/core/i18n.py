"""Bilingual content stored in the database (playbook text, role and region names).

Content that administrators edit is kept in two columns, ``<field>_zh`` and ``<field>_en``;
``Localized`` reads the one for the active language and falls back to the other.
"""

from datetime import datetime, timedelta
from typing import Any, overload

from django.utils import formats, timezone
from django.utils.translation import get_language


def is_chinese(language: str | None = None) -> bool:
    return (language or get_language() or "zh-hans").lower().startswith("zh")


def either(zh: str | None, en: str | None, language: str | None = None) -> str:
    """The text for the active language (or ``language``), else the other one."""
    first, second = (zh, en) if is_chinese(language) else (en, zh)
    return str(first or second or "")


def localized(obj: object, field: str, language: str | None = None) -> str:
    return either(getattr(obj, f"{field}_zh", ""), getattr(obj, f"{field}_en", ""), language)


class Localized:
    """Descriptor: ``name = Localized()`` reads ``name_zh`` or ``name_en`` by active language."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = name

    @overload
    def __get__(self, obj: None, objtype: Any = None) -> "Localized": ...
    @overload
    def __get__(self, obj: object, objtype: Any = None) -> str: ...
    def __get__(self, obj: object | None, objtype: Any = None) -> "str | Localized":
        if obj is None:
            return self
        return localized(obj, self.field)


def moment(value: datetime) -> str:
    """A moment as people read it in a message: the date and time in the active time zone, and
    that zone's offset, so nobody wonders whose clock it is (``2026-12-03 11:56 (UTC+8)``)."""
    local = timezone.localtime(value)
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    zone = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({zone})"
