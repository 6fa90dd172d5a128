"""Pending work: what each user should do next, collected from every app for the home page.

Each app registers a provider from its own ``apps.py``; a provider answers, for one user, the
items of work waiting for them (registrations to approve, risk decisions awaiting, deals over
their stage norm …), each with a count and a link. The home page asks them all; later apps add
their own (next steps, weekly reports, alerts) without the home page knowing them.

A provider must be cheap: a bounded number of indexed queries, none per row, and none at all
when the user's roles cannot have that kind of work.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class PendingItem:
    key: str  # stable, e.g. "customers.registrations" (tests and the API use it)
    label: str | Promise  # what is waiting, e.g. "Registrations to approve"
    count: int
    url: str  # where the work is done
    hint: str | Promise = ""  # one line on what to do
    tone: str = "primary"  # "danger" (overdue, blocking others), "warning", "primary"
    order: int = 100  # place on the page, small first


type Provider = Callable[[Any], list[PendingItem]]

_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or replace) the provider ``name``: ``provider(user) -> [PendingItem, ...]``."""
    _PROVIDERS[name] = provider


def pending_for(user: Any) -> list[PendingItem]:
    """Every item of work waiting for ``user`` (counts above zero), most urgent first."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = [item for provider in _PROVIDERS.values() for item in provider(user) if item.count]
    tones = {"danger": 0, "warning": 1}
    return sorted(items, key=lambda i: (tones.get(i.tone, 2), i.order, i.key))
