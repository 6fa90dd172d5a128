"""Events stored as a kind and parameters, rendered in the reader's language.

What the system writes into a record's history (a reason it supplied, a change it explains)
must not be frozen in the language of whoever caused it. Such text is stored as an *event*:
``events.event("contract_signed", number="HR-2027-0318")`` gives a language-neutral string
(``event:{"kind": …}``) to keep in a reason or note field, and ``events.render(stored)`` turns it
into a sentence in the active language when a page, an export or the API shows it. Text typed
by a person is stored and shown as typed.

Each app registers its kinds (``register``) from its own module, with the message and, for a
parameter that is itself a code (a risk level, a decision), how to name it.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils.functional import Promise

PREFIX = "event:"


@dataclass(frozen=True)
class EventKind:
    code: str
    message: str | Promise  # a lazy translation with %(name)s placeholders
    labels: Mapping[str, Callable[[str], str]] = field(default_factory=dict)

    def render(self, params: Mapping[str, object]) -> str:
        values = {
            name: self.labels[name](str(value)) if name in self.labels else str(value)
            for name, value in params.items()
        }
        try:
            return str(self.message) % values
        except (KeyError, TypeError, ValueError):
            return str(self.message)


_KINDS: dict[str, EventKind] = {}


def register(code: str, message: str | Promise, **labels: Callable[[str], str]) -> EventKind:
    kind = EventKind(code, message, labels)
    _KINDS[code] = kind
    return kind


def event(kind: str, **params: object) -> str:
    """The stored form of an event: language-neutral, for a text field."""
    if kind not in _KINDS:
        raise KeyError(f"unknown event kind {kind!r}")
    data = {"kind": kind, **{k: str(v) for k, v in params.items()}}
    return PREFIX + json.dumps(data, ensure_ascii=False, sort_keys=True)


def is_event(text: str | None) -> bool:
    return bool(text) and str(text).startswith(PREFIX)


def parse(text: str) -> tuple[str, dict[str, str]] | None:
    """``(kind, params)`` of a stored event, or None for plain text."""
    if not is_event(text):
        return None
    try:
        data = json.loads(text[len(PREFIX) :])
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        return None
    kind = data.pop("kind")
    return kind, {str(k): str(v) for k, v in data.items()}


def render(text: str | None) -> str:
    """A stored reason or note in the active language: events are rendered, plain text is
    returned as it was typed."""
    if not text:
        return ""
    parsed = parse(text)
    if parsed is None:
        return text
    kind, params = parsed
    spec = _KINDS.get(kind)
    return spec.render(params) if spec is not None else kind
