from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from keyaccount.core.forms import tree_choices

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


def region_choices() -> list[tuple[int, str]]:
    """Global regions, China's sales regions and their provinces, as an indented tree."""
    regions = Region.objects.filter(is_active=True).order_by("order", "code")
    return tree_choices((r.pk, r.parent_id, r.name) for r in regions)


def industry_choices() -> list[tuple[int, str]]:
    industries = Industry.objects.filter(is_active=True).order_by("order", "code")
    return tree_choices((i.pk, i.parent_id, i.name) for i in industries)
