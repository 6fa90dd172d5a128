"""Form fields and helpers shared by every app's pages: amounts and counts typed the way people
in China write them, bounded record ids, tree-ordered choices, and service errors put on their
fields.

Every integer a page form reads is bounded: a record id or a ``version`` (``IdField``,
``VersionField``) from 1 to ``MAX_ID`` (larger ones cannot exist, and SQLite cannot even
compare with them), a head count (``CountField``) to ``MAX_COUNT``. A ``ModelChoiceField`` needs
nothing more: Django answers an out-of-range primary key like any other id that is not offered
("Select a valid choice").
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .lookup import MAX_ID
from .parsing import ParseError, parse_amount, parse_int

#: Far beyond any company's head count; the API's bound as well.
MAX_COUNT = 10**9


def compact_amount(value: Decimal) -> str:
    """125000000.00 → ``1.25亿``, 125000.00 → ``12.5万``: what people type, and round-trips."""
    for unit, size in (("亿", Decimal(100_000_000)), ("万", Decimal(10_000))):
        if abs(value) >= size:
            scaled = (value / size).normalize()
            if scaled == scaled.quantize(Decimal("0.0001")):
                return f"{scaled:f}{unit}"
    return f"{value.normalize():f}"


class AmountField(forms.CharField):
    """Money in yuan, typed as ``1250000``, ``12.5万``, ``1.2亿`` or with full-width digits."""

    default_error_messages = {"invalid": _("Not an amount.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "autocomplete": "off"}

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return compact_amount(value)
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        try:
            return parse_amount(text)
        except (ParseError, ValueError) as exc:
            raise ValidationError(str(exc), code="invalid") from exc


class CountField(forms.CharField):
    """A head count: ``1200``, ``1.2万`` or full-width digits; at most ``MAX_COUNT``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.validators.append(MaxValueValidator(MAX_COUNT))

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "numeric"}

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        try:
            return parse_int(text, minimum=0)
        except ParseError as exc:
            raise ValidationError(str(exc), code="invalid") from exc


class IdField(forms.IntegerField):
    """A record id a form carries (the customer a list is narrowed to): 1 to ``MAX_ID``. Any
    other number names no record and is refused as a choice that is not offered."""

    default_error_messages = {
        "min_value": forms.ModelChoiceField.default_error_messages["invalid_choice"],
        "max_value": forms.ModelChoiceField.default_error_messages["invalid_choice"],
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class VersionField(forms.IntegerField):
    """The ``version`` of the record a form was opened at (hidden): 1 to ``MAX_ID``."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def tree_choices(rows: Iterable[tuple[int, int | None, str]]) -> list[tuple[int, str]]:
    """(id, parent, label) rows → choices in tree order (each parent followed by its children,
    siblings in the order given), a child named first and then its parent: ``江苏（华东）``.

    The label says where an option sits in the tree instead of indenting it: a closed select
    shows its option's text as it is (indentation would show as leading blanks there), and a
    narrow one cuts the end off, so the option's own name comes first."""
    rows = list(rows)
    labels = {i: label for i, _p, label in rows}
    children: dict[int | None, list[tuple[int, str]]] = {}
    for i, parent, label in rows:
        children.setdefault(parent if parent in labels else None, []).append((i, label))
    out: list[tuple[int, str]] = []
    child_of = pgettext("tree choice", "%(name)s (%(parent)s)")

    def walk(parent: int | None) -> None:
        for i, label in children.get(parent, []):
            if parent is not None:
                label = child_of % {"name": label, "parent": labels[parent]}
            out.append((i, label))
            walk(i)

    walk(None)
    return out


def empty_choice(label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label)]


class ServiceErrorsMixin:
    """Puts a service's ValidationError on the form: each message on its field, or on top."""

    def add_service_errors(self: Any, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)
