"""The product's main navigation: a registry each app adds its entries to from its own
``apps.py`` (``register``), so that no module has to know every app."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str  # an inline SVG path drawn by templates/core/partials/icon.html
    order: int  # place in the menu, small first
    active_prefix: str = ""
    allowed: Callable[[Any], bool] = signed_in

    def url(self) -> str:
        return reverse(self.url_name)


_ITEMS: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    """Add entries to the navigation (an entry registered again replaces the first)."""
    for item in items:
        _ITEMS[item.url_name] = item


def registered() -> list[NavItem]:
    return sorted(_ITEMS.values(), key=lambda item: item.order)


def navigation_for(user: Any, path: str) -> list[dict[str, Any]]:
    items = [item for item in registered() if item.allowed(user)]

    def matches(prefix: str) -> bool:
        return path == "/" if prefix == "/" else bool(prefix) and path.startswith(prefix)

    # The most specific section wins (/customers/registrations/ is not also /customers/).
    best = max((len(i.active_prefix) for i in items if matches(i.active_prefix)), default=-1)
    return [
        {
            "label": item.label,
            "url": item.url(),
            "icon": item.icon,
            "active": matches(item.active_prefix) and len(item.active_prefix) == best,
        }
        for item in items
    ]
