"""The product's main navigation, in one place. Each app adds its entries here."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str  # an inline SVG path drawn by templates/core/partials/icon.html
    active_prefix: str = ""
    allowed: Callable[[Any], bool] = lambda user: bool(user.is_authenticated)

    def url(self) -> str:
        return reverse(self.url_name)


def _is_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_staff)


NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home", "home", active_prefix="/"),
    NavItem(_("Sales process"), "process:playbook", "route", active_prefix="/process/"),
    NavItem(_("Organisation"), "org:units", "sitemap", active_prefix="/org/"),
    NavItem(_("API"), "api:openapi-view", "api", active_prefix="/api/"),
    NavItem(
        _("Back office"), "admin:index", "settings", active_prefix="/admin/", allowed=_is_staff
    ),
]


def navigation_for(user: Any, path: str) -> list[dict[str, Any]]:
    items = []
    for item in NAVIGATION:
        if not item.allowed(user):
            continue
        prefix = item.active_prefix
        active = path == "/" if prefix == "/" else bool(prefix) and path.startswith(prefix)
        items.append({"label": item.label, "url": item.url(), "icon": item.icon, "active": active})
    return items
