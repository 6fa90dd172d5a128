from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "keyaccount.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from keyaccount.core.navigation import NavItem, register

        from .typeahead import register_sources

        register_sources()
        register(
            NavItem(_("Organisation"), "org:units", "sitemap", order=60, active_prefix="/org/")
        )
