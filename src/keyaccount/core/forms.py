"""Form fields and helpers shared by every app's pages: amounts and counts typed the way people
in China write them, tree-ordered choices, and service errors put on their fields."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .parsing import ParseError, parse_amount, parse_int

INDENT = "\u00a0\u00a0\u00a0"


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
    """A head count: ``1200``, ``1.2万`` or full-width digits."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "numeric"}

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        try:
            return parse_int(text, minimum=0)
        except ParseError as exc:
            raise ValidationError(str(exc), code="invalid") from exc


def tree_choices(rows: Iterable[tuple[int, int | None, str]]) -> list[tuple[int, str]]:
    """(id, parent, label) rows → choices in tree order, children indented under parents."""
    rows = list(rows)
    ids = {i for i, _p, _l in rows}
    children: dict[int | None, list[tuple[int, str]]] = {}
    for i, parent, label in rows:
        children.setdefault(parent if parent in ids else None, []).append((i, label))
    out: list[tuple[int, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for i, label in children.get(parent, []):
            out.append((i, INDENT * depth + label))
            walk(i, depth + 1)

    walk(None, 0)
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
