"""Type-ahead pickers: a field that holds one record id (an owner, a team, a customer), shown
as a search box that offers a few matches as the user types, instead of a select of every
record (2,000 people, 20,000 customers).

- A *source* says what a user may pick and how a typed text finds it: ``search`` returns the
  first matches in the order people expect, ``pick`` reads the offered ones among given ids
  (the label of the current value, and the check of a submitted one). Apps register theirs by
  name from their ``apps.py`` (``register``); the suggestions view and the API route read the
  registry, so this module knows no app above it.
- ``PickField`` is the form field: an id (``IdField``'s bounds) that must be among what the
  source offers the form's user, else the form's "not one of the available choices".
- ``Typeahead`` is its widget: a hidden input with the id, a search box with the label and a
  list the suggestions are swapped into (htmx; ``static/keyaccount/typeahead.js`` does the
  keyboard and the pick).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .forms import IdField
from .lookup import MAX_ID

#: Suggestions shown at a time; the text narrows them.
LIMIT = 20
#: Characters of typed text a source reads (the rest is ignored).
MAX_TEXT = 100


@dataclass(frozen=True)
class Option:
    id: int
    label: str
    hint: str = ""  # where it sits (a person's team, a customer's region), shown smaller


@dataclass(frozen=True)
class Source:
    """``search(user, text, limit)``: the first offered records matching ``text`` (every
    offered one, first ones first, when empty). ``pick(user, ids)``: those of ``ids`` the user
    is offered, by id."""

    search: Callable[[Any, str, int], list[Option]]
    pick: Callable[[Any, list[int]], dict[int, Option]]


_SOURCES: dict[str, Source] = {}


def register(name: str, source: Source) -> None:
    _SOURCES[name] = source


def source(name: str) -> Source | None:
    return _SOURCES.get(name)


@dataclass(frozen=True)
class Suggestions:
    text: str
    options: list[Option]
    more: bool  # there are more matches than shown: typing more narrows them


def suggestions(name: str, user: Any, text: Any) -> Suggestions | None:
    """The first ``LIMIT`` suggestions of the source ``name`` for ``text``; ``None`` if there
    is no such source."""
    found = source(name)
    if found is None:
        return None
    text = str(text or "").strip()[:MAX_TEXT]
    rows = found.search(user, text, LIMIT + 1)
    return Suggestions(text, rows[:LIMIT], len(rows) > LIMIT)


def options(rows: Iterable[tuple[int, str, str]]) -> list[Option]:
    return [Option(pk, label, hint or "") for pk, label, hint in rows]


class Typeahead(forms.Widget):
    """The hidden id, the search box showing its label, and the suggestions list."""

    template_name = "core/widgets/typeahead.html"

    def __init__(self, source: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.source = source
        self.label = ""  # set by the field once it knows the user

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            {
                "url": reverse("suggest", args=[self.source]),
                "label": self.label,
                "placeholder": self.attrs.get("placeholder", _("Type to search")),
            }
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class PickField(IdField):
    """A record id the user picks from a source (``Typeahead``). ``bind(user)`` before use:
    it checks a submitted id against what that user is offered and labels the current one."""

    widget = Typeahead
    default_error_messages = {
        "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"],
    }

    def __init__(self, *, source: str, placeholder: Any = None, **kwargs: Any) -> None:
        attrs = {"placeholder": placeholder} if placeholder else None
        kwargs.setdefault("widget", Typeahead(source, attrs=attrs))
        super().__init__(**kwargs)
        self.source = source
        self.user: Any = None
        self._picked: dict[int, Option] = {}

    def bind(self, user: Any) -> "PickField":
        self.user = user
        return self

    def _offered(self, pk: int) -> Option | None:
        if pk not in self._picked:
            found = source(self.source)
            if found is None or self.user is None:
                return None
            self._picked.update(found.pick(self.user, [pk]))
        return self._picked.get(pk)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value in self.empty_values or not 1 <= int(value) <= MAX_ID:
            return  # out of range: the bounds (``run_validators``, next) refuse it unread
        if self._offered(int(value)) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def label_of(self, value: Any) -> str:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return ""
        option = self._offered(pk) if 1 <= pk <= MAX_ID else None
        return option.label if option else ""


def bind_picks(form: forms.Form, user: Any) -> None:
    """Bind every ``PickField`` of ``form`` to ``user`` and label what it holds."""
    for name, field in form.fields.items():
        if isinstance(field, PickField):
            field.bind(user)
            widget = field.widget
            if isinstance(widget, Typeahead):
                widget.label = field.label_of(form[name].value())
