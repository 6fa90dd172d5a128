"""The tabs of the customer page: a registry each app adds its tab to from its own ``apps.py``.

The customer page shows data of apps above customers (contacts, opportunities); those apps
register a tab here with the template and the reader of its context, so customers never imports
them. Only the open tab is read, through its reader, in a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from keyaccount.org.models import User

from .models import Customer


@dataclass(frozen=True)
class TabRequest:
    """What a tab's reader gets: who is asking, about which (visible) customer, what they may
    do on the page (``may``), and any bound forms to show again after a refused submit."""

    user: User
    customer: Customer
    may: dict[str, bool]
    bound: dict[str, Any]


@dataclass(frozen=True)
class CustomerTab:
    key: str
    label: str | Promise
    order: int
    template: str
    read: Callable[[TabRequest], dict[str, Any]]
    #: scripts the page loads when this tab is open and its context says ``needs_scripts``
    scripts: tuple[str, ...] = ()


_TABS: dict[str, CustomerTab] = {}


def register(tab: CustomerTab) -> None:
    _TABS[tab.key] = tab


def tabs() -> list[CustomerTab]:
    return sorted(_TABS.values(), key=lambda tab: tab.order)


def tab(key: str) -> CustomerTab | None:
    return _TABS.get(key)
