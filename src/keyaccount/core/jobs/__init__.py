"""Background jobs on Django's tasks framework (``django.tasks``).

Which backend runs them is configured from the environment (``TASKS_BACKEND``, see
``settings.py`` and ``docs/operations.md``): the database backend (``django-tasks-db``) by
default, RQ on Redis (``django-tasks-rq``) for several workers on several machines, the
immediate backend in the tests. Code only ever uses the ``django.tasks`` API: a job is a
module-level function decorated with ``@task``, enqueued with ``enqueue_on_commit`` so it never
runs against data its caller has not committed.

Beside the framework this package keeps what it does not have:

- ``schedule``: periodic jobs (``Every``, ``DailyAt``, ``register_periodic``), enqueued by the
  worker itself (``run_due``), at most once per slot however many workers run;
- ``upkeep``: the worker's heartbeat and the recovery of jobs whose worker died (retried, or
  marked failed after ``MAX_ATTEMPTS``: never lost, never left "running");
- ``progress``: how far a long job is, for a progress bar (kept in the cache, readable from any
  process while the job's transaction is still open);
- ``runner``: the worker loop (``run_worker``) behind ``keyaccount worker``.
"""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.tasks import Task

from .progress import Progress, read_progress, report_progress
from .schedule import DailyAt, Every, Schedule, periodic_jobs, register_periodic, run_due

__all__ = [
    "DailyAt",
    "Every",
    "Progress",
    "Schedule",
    "enqueue_on_commit",
    "periodic_jobs",
    "read_progress",
    "register_periodic",
    "report_progress",
    "run_due",
]


def enqueue_on_commit(job: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue ``job`` once the current transaction commits (at once outside of one)."""
    enqueue: Callable[[], object] = lambda: job.enqueue(*args, **kwargs)  # noqa: E731
    transaction.on_commit(enqueue)
