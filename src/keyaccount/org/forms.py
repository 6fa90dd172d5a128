from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from keyaccount.core.forms import tree_choices
from keyaccount.core.i18n import either

from .models import Industry, Region


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=60,
        help_text=_("What will use it, e.g. “finance import script”."),
    )


def _named_tree(model: Any) -> list[tuple[int, str]]:
    """The active rows of a catalog with a parent, as tree choices in the active language
    (read as values: the filter forms of every list ask on every request)."""
    language = get_language()
    rows = model.objects.filter(is_active=True).order_by("order", "code")
    return tree_choices(
        (pk, parent, either(zh, en, language))
        for pk, parent, zh, en in rows.values_list("pk", "parent_id", "name_zh", "name_en")
    )


def region_choices() -> list[tuple[int, str]]:
    """Global regions, China's sales regions and their provinces, as an indented tree."""
    return _named_tree(Region)


def industry_choices() -> list[tuple[int, str]]:
    return _named_tree(Industry)
