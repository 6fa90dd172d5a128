from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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


class CustomersConfig(AppConfig):
    name = "keyaccount.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from keyaccount.core import pending
        from keyaccount.core.navigation import NavItem, register
        from keyaccount.org import ownership

        from . import notices
        from .pending import pending_work
        from .typeahead import register_sources
        from .views_detail import register_tabs

        register_tabs()
        register_sources()
        notices.register()
        pending.register("customers", pending_work)
        ownership.register(self.get_model("Customer"))

        register(
            NavItem(
                _("Customers"), "customers:list", "building", order=10, active_prefix="/customers/"
            ),
            NavItem(
                _("Registrations"),
                "customers:registrations",
                "clipboard",
                order=20,
                active_prefix="/customers/registrations/",
                allowed=_decides_registrations,
            ),
        )
