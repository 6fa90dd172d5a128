from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "keyaccount.pipeline"
    label = "pipeline"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from keyaccount.core import pending
        from keyaccount.core.navigation import NavItem, register
        from keyaccount.customers.tabs import CustomerTab
        from keyaccount.customers.tabs import register as register_tab
        from keyaccount.org import ownership
        from keyaccount.process.models import Stage

        from . import notices
        from .forecast import stage_changed
        from .pending import pending_work
        from .typeahead import register_sources
        from .views import customer_tab

        notices.register()
        register_sources()
        pending.register("pipeline", pending_work)
        ownership.register(self.get_model("Opportunity"))
        post_save.connect(stage_changed, sender=Stage, dispatch_uid="pipeline.forecast")
        post_migrate.connect(_search_index, sender=self, dispatch_uid="pipeline.search")

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


def _search_index(using: str = "default", **kwargs: Any) -> None:
    """After every migrate: the deal search index and the rollup's triggers are complete (a
    migration that rebuilds the opportunity table on SQLite drops its triggers;
    ``pipeline.search``, ``pipeline.rollup``)."""
    from django.db import connections

    from . import rollup
    from .search import TABLE, ensure_index

    connection = connections[using]
    tables = connection.introspection.table_names()
    if TABLE in tables:
        ensure_index(connection)
    if TABLE in tables and all(level.table in tables for level in rollup.LEVELS):
        rollup.ensure(connection)
