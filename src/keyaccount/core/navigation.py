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


def _decides_registrations(user: Any) -> bool:
    """The KA department assistant (and administrators) work the registration queue."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return False
    from keyaccount.org.rules import RoleCode
    from keyaccount.org.selectors import role_codes

    codes = role_codes(user)
    return bool(user.is_superuser) or bool(
        codes & {RoleCode.DEPARTMENT_ASSISTANT, RoleCode.ADMINISTRATOR}
    )


NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home", "home", active_prefix="/"),
    NavItem(_("Customers"), "customers:list", "building", active_prefix="/customers/"),
    NavItem(
        _("Registrations"),
        "customers:registrations",
        "clipboard",
        active_prefix="/customers/registrations/",
        allowed=_decides_registrations,
    ),
    NavItem(_("Opportunities"), "pipeline:list", "briefcase", active_prefix="/pipeline/"),
    NavItem(_("Major projects"), "pipeline:major", "trophy", active_prefix="/pipeline/major/"),
    NavItem(_("Sales process"), "process:playbook", "route", active_prefix="/process/"),
    NavItem(_("Organisation"), "org:units", "sitemap", active_prefix="/org/"),
    NavItem(_("API"), "api:openapi-view", "api", active_prefix="/api/"),
    NavItem(
        _("Back office"), "admin:index", "settings", active_prefix="/admin/", allowed=_is_staff
    ),
]


def navigation_for(user: Any, path: str) -> list[dict[str, Any]]:
    items = [item for item in NAVIGATION if item.allowed(user)]

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
