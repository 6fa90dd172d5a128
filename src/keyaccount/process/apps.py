from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessConfig(AppConfig):
    name = "keyaccount.process"
    label = "process"
    verbose_name = _("Sales process")

    def ready(self) -> None:
        from keyaccount.core.navigation import NavItem, register

        register(
            NavItem(
                _("Sales process"), "process:playbook", "route", order=50, active_prefix="/process/"
            )
        )
