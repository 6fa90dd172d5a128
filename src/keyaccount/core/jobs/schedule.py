"""Periodic jobs: registered by each app from its ``apps.py``, enqueued by the worker.

No extra process (no cron, no beat): every worker calls ``run_due`` about every half minute;
each job's next slot is claimed by one conditional ``UPDATE`` of its ``PeriodicRun`` row in the
same transaction as the enqueue (the database backend's job row), so a slot is enqueued once
whatever the number of workers, and a worker that was down for a while runs a missed job once,
not once per missed slot."""

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone

from keyaccount.core.models import PeriodicRun


class Schedule(Protocol):
    def first(self, now: dt.datetime) -> dt.datetime: ...

    def after(self, now: dt.datetime) -> dt.datetime: ...


@dataclass(frozen=True)
class Every:
    """Every ``interval``, the first run as soon as a worker starts."""

    interval: dt.timedelta

    def first(self, now: dt.datetime) -> dt.datetime:
        return now

    def after(self, now: dt.datetime) -> dt.datetime:
        return now + self.interval


@dataclass(frozen=True)
class DailyAt:
    """Every day at ``hour``:``minute`` in the product's time zone (``TIME_ZONE``)."""

    hour: int
    minute: int = 0

    def first(self, now: dt.datetime) -> dt.datetime:
        return self.after(now)

    def after(self, now: dt.datetime) -> dt.datetime:
        local = timezone.localtime(now)
        slot = local.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        if slot <= local:
            tomorrow = local.date() + dt.timedelta(days=1)
            slot = timezone.make_aware(
                dt.datetime.combine(tomorrow, dt.time(self.hour, self.minute))
            )
        return slot


_PERIODIC: dict[str, tuple[Task[Any, Any], Schedule]] = {}


def register_periodic(job: Task[Any, Any], schedule: Schedule) -> None:
    """Run ``job`` (a task that takes no arguments) on ``schedule``; called from ``ready()``."""
    _PERIODIC[job.module_path] = (job, schedule)


def periodic_jobs() -> dict[str, tuple[Task[Any, Any], Schedule]]:
    return dict(_PERIODIC)


def run_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose slot has come; returns the names enqueued."""
    now = now or timezone.now()
    known = dict(PeriodicRun.objects.filter(name__in=_PERIODIC).values_list("name", "next_at"))
    enqueued: list[str] = []
    for name, (job, schedule) in _PERIODIC.items():
        if name not in known:
            try:
                with transaction.atomic():
                    PeriodicRun.objects.create(name=name, next_at=schedule.first(now))
            except IntegrityError:  # another worker registered it first
                pass
        elif known[name] > now:
            continue
        with transaction.atomic():
            claimed = PeriodicRun.objects.filter(name=name, next_at__lte=now).update(
                next_at=schedule.after(now), last_enqueued_at=now
            )
            if claimed:
                job.enqueue()
                enqueued.append(name)
    return enqueued
