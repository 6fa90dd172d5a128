"""Base classes for business models, and the bookkeeping of background jobs. No domain models
live here."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A business record edited by several people: saves go through ``core.versioning``.

    ``version`` grows by one on every save; a save that starts from an older version is refused
    (rule 4 of the house: no lost updates).
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def version_token(self) -> dict[str, Any]:
        return {"version": self.version}


class PeriodicRun(models.Model):
    """When a periodic job (``core.jobs.schedule``) is next due. A worker enqueues it by moving
    ``next_at`` forward in one conditional update, so two workers never enqueue one slot twice.
    """

    name = models.CharField(_("job"), max_length=200, primary_key=True)
    next_at = models.DateTimeField(_("next run"))
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name


class WorkerBeat(models.Model):
    """A running worker's heartbeat: a job whose worker has stopped beating is recovered
    (``core.jobs.upkeep``)."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=200, blank=True)
    pid = models.PositiveIntegerField(_("process"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return self.worker_id
