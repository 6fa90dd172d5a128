from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "keyaccount.pipeline"
    label = "pipeline"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        from keyaccount.core import pending
        from keyaccount.core.navigation import NavItem, register
        from keyaccount.customers.tabs import CustomerTab
        from keyaccount.customers.tabs import register as register_tab
        from keyaccount.org import ownership

        from . import notices
        from .pending import pending_work
        from .typeahead import register_sources
        from .views import customer_tab

        notices.register()
        register_sources()
        pending.register("pipeline", pending_work)
        ownership.register(self.get_model("Opportunity"))

        register_tab(
            CustomerTab(
                "opportunities", _("Opportunities"), 30, "pipeline/customer_tab.html", customer_tab
            )
        )

        register(
            NavItem(
                _("Opportunities"),
                "pipeline:list",
                "briefcase",
                order=30,
                active_prefix="/pipeline/",
            ),
            NavItem(
                _("Major projects"),
                "pipeline:major",
                "trophy",
                order=40,
                active_prefix="/pipeline/major/",
            ),
        )
