"""A worker's heartbeat, and what happens to the jobs of a worker that died.

The database backend marks a job *running* when a worker claims it and *successful* or
*failed* when the worker is done; a worker killed in between (power cut, OOM killer,
``kill -9``) leaves it running for ever. Every worker beats (``beat``) while it runs and, about
every half minute, ``recover_lost`` looks at the running jobs whose worker has not beaten for
``STALE``: each is put back in the queue to be tried again, or, after ``MAX_ATTEMPTS`` claims,
marked failed with the reason. A job is therefore never lost; and since every job of this
product does its writes in one transaction (which the dead worker's database connection
rolled back), trying it again never applies half of it twice."""

import datetime as dt
import os
import socket

from django.db import transaction
from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from keyaccount.core.models import WorkerBeat

#: A worker that has not beaten for this long is taken for dead.
STALE = dt.timedelta(minutes=2)
#: How often a job may be claimed before its worker's death marks it failed.
MAX_ATTEMPTS = 3


class WorkerLostError(Exception):
    """The worker running the job stopped (killed, or its machine went down)."""


def beat(worker_id: str, *, started_at: dt.datetime | None = None) -> None:
    now = timezone.now()
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerBeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "seen_at": now,
                "started_at": started_at or now,
                "host": socket.gethostname()[:200],
                "pid": os.getpid(),
            },
        )


def stop(worker_id: str) -> None:
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def recover_lost(now: dt.datetime | None = None) -> tuple[int, int]:
    """Requeue or fail the running jobs of dead workers; returns (requeued, failed)."""
    now = now or timezone.now()
    alive_ids = set(
        WorkerBeat.objects.filter(seen_at__gte=now - STALE).values_list("worker_id", flat=True)
    )
    requeued = failed = 0
    with transaction.atomic():
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for result in running.filter(Q(started_at__lt=now - STALE) | Q(started_at=None)):
            if result.worker_ids and result.worker_ids[-1] in alive_ids:
                continue
            if len(result.worker_ids) < MAX_ATTEMPTS:
                DBTaskResult.objects.filter(pk=result.pk).update(
                    status=TaskResultStatus.READY, started_at=None
                )
                requeued += 1
            else:
                result.set_failed(
                    WorkerLostError(
                        f"The worker stopped while running this job, {len(result.worker_ids)} "
                        "times: it is not tried again."
                    )
                )
                failed += 1
    WorkerBeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
    return requeued, failed
