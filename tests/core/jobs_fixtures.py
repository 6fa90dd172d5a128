"""Jobs the worker tests enqueue (module-level, as ``django.tasks`` requires)."""

from django.tasks import task

from keyaccount.core.models import PeriodicRun

RAN: list[str] = []

#: ``override_settings(TASKS=DATABASE_TASKS)``: jobs wait in the database for a worker.
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@task()
def record(name: str) -> str:
    """Leaves a row the test can see (the worker runs it in this process)."""
    PeriodicRun.objects.create(name=f"ran:{name}", next_at="2030-01-01T00:00:00Z")
    return name


@task()
def tick() -> None:
    RAN.append("tick")
