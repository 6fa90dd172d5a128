from decimal import Decimal
from typing import Any

from django import forms, template

from keyaccount.core import events
from keyaccount.core.money import MoneyUnit, format_money

register = template.Library()


@register.filter
def widget(field: forms.BoundField) -> str:
    """Render a form field's widget with Tabler classes and the invalid state."""
    w = field.field.widget
    if isinstance(w, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
        css = "form-check-input"
    elif isinstance(w, forms.Select | forms.SelectMultiple):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.filter
def money(amount: Decimal | None, user: Any = None) -> str:
    unit = getattr(user, "money_unit", MoneyUnit.WAN) or MoneyUnit.WAN
    return format_money(amount, unit)


@register.filter
def event(text: str | None) -> str:
    """A stored reason or note in the reader's language (``core.events``)."""
    return events.render(text)
