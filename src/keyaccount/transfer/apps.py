import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    """Moving data in and out in bulk: workbook imports and exports that span several apps
    (customers with their contacts and evaluations). It stands above the apps whose data it
    moves, so none of them imports it."""

    name = "keyaccount.transfer"
    label = "transfer"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from keyaccount.core.jobs import Every, register_periodic

        from .importing.jobs import prune_import_batches

        register_periodic(prune_import_batches, Every(dt.timedelta(hours=1)))
