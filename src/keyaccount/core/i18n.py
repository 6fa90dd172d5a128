"""Bilingual content stored in the database (playbook text, role and region names).

Content that administrators edit is kept in two columns, ``<field>_zh`` and ``<field>_en``;
``Localized`` reads the one for the active language and falls back to the other.
"""

from typing import Any, overload

from django.utils.translation import get_language


def is_chinese(language: str | None = None) -> bool:
    return (language or get_language() or "zh-hans").lower().startswith("zh")


def localized(obj: object, field: str, language: str | None = None) -> str:
    first, second = ("zh", "en") if is_chinese(language) else ("en", "zh")
    value = getattr(obj, f"{field}_{first}", "") or getattr(obj, f"{field}_{second}", "")
    return str(value or "")


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
