"""``keyaccount worker``: run background jobs (and schedule the periodic ones)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from keyaccount.core.jobs.runner import run_worker


class Command(BaseCommand):
    help = (
        "Run background jobs with the configured backend (TASKS_BACKEND) and enqueue the "
        "periodic ones when they are due. Ctrl-C or SIGTERM lets the current job finish."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--queue", default="default", help="Queues to work on, comma-separated."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls when idle."
        )
        parser.add_argument(
            "--batch", action="store_true", help="Run the jobs that are ready, then stop."
        )
        parser.add_argument("--max-jobs", type=int, default=None, help="Stop after N jobs.")

    def handle(self, *args: Any, **options: Any) -> None:
        run_worker(
            queues=[q for q in str(options["queue"]).split(",") if q],
            interval=options["interval"],
            batch=options["batch"],
            max_tasks=options["max_jobs"],
        )
