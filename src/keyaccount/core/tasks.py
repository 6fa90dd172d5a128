"""The core's own periodic jobs: housekeeping of the job tables."""

import datetime as dt

from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

#: How long the record of a finished job is kept.
JOB_RESULTS_KEPT = dt.timedelta(days=14)


@task()
def prune_job_results() -> int:
    """Forget finished jobs older than ``JOB_RESULTS_KEPT`` (the database backend's table)."""
    cutoff = timezone.now() - JOB_RESULTS_KEPT
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
