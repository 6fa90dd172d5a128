from decimal import Decimal
from functools import lru_cache
from typing import Any

from django import forms, template
from django.urls import get_script_prefix, reverse

from keyaccount.core import events
from keyaccount.core.money import CURRENCY_NAMES, MoneyUnit, format_money

register = template.Library()

_PK = 918273645  # a number no path holds otherwise


@lru_cache(maxsize=64)
def _pattern(name: str, prefix: str) -> tuple[str, str]:
    head, _, tail = reverse(name, args=[_PK]).partition(str(_PK))
    return head, tail


def pk_url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for a route whose only argument is an id, without resolving
    the route again for each row of a list or card of the board (per script prefix, as
    ``reverse``)."""
    head, tail = _pattern(name, get_script_prefix())
    return f"{head}{int(pk)}{tail}"


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


def unit_of(user: Any) -> str:
    """The money unit ``user`` reads amounts in (the tags of other apps use it too)."""
    return str(getattr(user, "money_unit", "") or MoneyUnit.AUTO)


@register.filter
def money(amount: Decimal | None, user: Any = None) -> str:
    """An amount in yuan for a list or a card, in the user's unit (``620万元``, ``CNY 6.2M``)."""
    return format_money(amount, unit_of(user))


@register.filter
def money_exact(amount: Decimal | None) -> str:
    """An amount in yuan to the cent, for a detail view (``1,234,567.80元``)."""
    return format_money(amount, exact=True)


@register.simple_tag(takes_context=True)
def amount(context: Any, value: Decimal | None, currency: str = "CNY", exact: bool = False) -> str:
    """An amount in its currency: scaled for lists and cards, or ``exact`` for detail views."""
    return format_money(value, unit_of(context.get("user")), currency=currency, exact=exact)


@register.simple_tag
def currency_name(code: str) -> str:
    """A currency as readers call it: 人民币 / CNY, 美元 / USD …"""
    return str(CURRENCY_NAMES.get(code, code))


@register.filter
def event(text: str | None) -> str:
    """A stored reason or note in the reader's language (``core.events``)."""
    return events.render(text)
