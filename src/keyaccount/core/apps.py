import datetime as dt

from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _

from .converters import IdConverter


class CoreConfig(AppConfig):
    name = "keyaccount.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Before any URL conf is imported: every app's urls.py names record ids ``<id:…>``.
        register_converter(IdConverter, "id")

        from .jobs import Every, register_periodic
        from .tasks import prune_job_results

        register_periodic(prune_job_results, Every(dt.timedelta(hours=6)))
