"""``keyaccount serve``: the web server and the job worker together, as ``make run`` starts
them. Ctrl-C (or SIGTERM) stops both; if either stops on its own, the other is stopped too and
the command fails, so a broken worker is never left unnoticed behind a working web server.

In production run them as two services instead (``docs/operations.md``)."""

import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keyaccount.core.jobs.runner import backend_kind

#: Seconds the children get to finish their current request or job after a stop.
GRACE = 10.0


class Command(BaseCommand):
    help = "Serve the web application and run the background worker beside it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2, help="Web server processes.")
        parser.add_argument("--threads", type=int, default=4, help="Threads per process.")
        parser.add_argument(
            "--no-worker", action="store_true", help="Serve pages only (a worker runs elsewhere)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        web = [
            sys.executable, "-m", "gunicorn", "keyaccount.wsgi",
            "--bind", options["bind"],
            "--worker-class", "gthread",
            "--workers", str(options["workers"]),
            "--threads", str(options["threads"]),
            "--access-logfile", "-",
            "--graceful-timeout", "5",
        ]  # fmt: skip
        commands = {"web server": web}
        if not options["no_worker"] and backend_kind() != "immediate":
            commands["worker"] = [sys.executable, "-m", "keyaccount", "worker"]
        # each child in its own process group: Ctrl-C at the terminal reaches this command
        # only, which stops each child with a single SIGTERM (a second signal would cut the
        # worker's current job and sign-off short)
        children = {
            name: subprocess.Popen(cmd, process_group=0)  # noqa: S603
            for name, cmd in commands.items()
        }
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        ended = ""
        while not stopping and not ended:
            ended = next((n for n, c in children.items() if c.poll() is not None), "")
            time.sleep(0.2)
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE
        for child in children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if ended and not stopping:
            code = children[ended].returncode
            raise CommandError(f"The {ended} stopped (exit code {code}); everything was stopped.")
