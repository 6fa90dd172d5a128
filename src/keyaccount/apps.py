from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


class KeyaccountConfig(AppConfig):
    """The top package as an app: project-level wiring that must know every app (the ``demo``
    command, the shell's navigation entries). It stands above every layer; no app imports it."""

    name = "keyaccount"
    label = "keyaccount"
    verbose_name = _("keyaccount")

    def ready(self) -> None:
        from keyaccount.core.navigation import NavItem, register

        register(
            NavItem(_("Home"), "home", "home", order=0, active_prefix="/"),
            NavItem(_("API"), "api:openapi-view", "api", order=80, active_prefix="/api/"),
            NavItem(
                _("Back office"),
                "admin:index",
                "settings",
                order=90,
                active_prefix="/admin/",
                allowed=_is_staff,
            ),
        )
