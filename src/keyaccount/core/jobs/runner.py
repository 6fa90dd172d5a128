"""The worker loop behind ``keyaccount worker``, for the configured backend.

The jobs themselves are run by the backend's own worker (``django-tasks-db``'s ``Worker``, or
RQ's); beside it an upkeep thread beats, recovers the jobs of dead workers (database backend)
and enqueues the periodic jobs that are due, so a single ``keyaccount worker`` is all an
installation runs."""

import datetime as dt
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

from django.db import DatabaseError, close_old_connections, connection
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.utils import timezone
from django.utils.crypto import get_random_string

from . import schedule, upkeep

logger = logging.getLogger("keyaccount.jobs")

#: Seconds between two rounds of upkeep (heartbeat, recovery, periodic jobs).
UPKEEP_INTERVAL = 15.0


@dataclass
class Upkeep:
    worker_id: str
    recovers: bool
    started_at: dt.datetime = field(default_factory=timezone.now)

    def once(self) -> None:
        """One round: beat, recover the jobs of dead workers, enqueue what is due."""
        try:
            if self.recovers:
                upkeep.beat(self.worker_id, started_at=self.started_at)
                requeued, failed = upkeep.recover_lost()
                if requeued or failed:
                    logger.warning(
                        "Jobs of stopped workers: %s queued again, %s marked failed",
                        requeued,
                        failed,
                    )
            for name in schedule.run_due():
                logger.info("Periodic job enqueued: %s", name)
        except DatabaseError:  # busy (SQLite's write lock) or briefly unreachable: next round
            logger.warning("Worker upkeep skipped a round", exc_info=True)

    def loop(self, stopping: threading.Event) -> None:
        try:
            while not stopping.wait(UPKEEP_INTERVAL):
                close_old_connections()
                self.once()
        finally:
            connection.close()


def backend_kind(alias: str = DEFAULT_TASK_BACKEND_ALIAS) -> str:
    """``database``, ``redis`` or ``immediate`` (anything that needs no worker)."""
    backend = type(task_backends[alias])
    if backend.__module__.startswith("django_tasks_db"):
        return "database"
    if backend.__module__.startswith("django_tasks_rq"):
        return "redis"
    return "immediate"


def run_worker(
    *, queues: list[str], interval: float, batch: bool, max_tasks: int | None = None
) -> None:
    """Run jobs until stopped (SIGINT/SIGTERM finish the current job first), or, with
    ``batch``, until none is ready."""
    kind = backend_kind()
    worker_id = get_random_string(12)
    keeper = Upkeep(worker_id, recovers=kind == "database")
    stopping = threading.Event()
    thread = threading.Thread(target=keeper.loop, args=(stopping,), daemon=True, name="upkeep")
    with _stop_signals_kept():
        _stop_before_start()
        try:
            keeper.once()
            if not batch:
                thread.start()
            if kind == "database":
                _run_database(queues, interval, batch, max_tasks, worker_id)
            elif kind == "redis":
                _run_redis(queues, batch, max_tasks, worker_id)
            else:
                logger.info("The %s backend runs jobs where they are enqueued: no worker", kind)
        finally:
            stopping.set()
            if kind == "database":
                # a second stop signal (a worker started by hand, Ctrl-C pressed twice) must
                # not cut the sign-off short
                with _stop_signals_ignored():
                    try:
                        upkeep.stop(worker_id)
                    except DatabaseError:
                        logger.warning("Could not sign the worker off", exc_info=True)


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def _stop_signals_kept() -> Iterator[None]:
    """The caller's signal handlers are back when the worker returns (tests run it inline)."""
    if not _in_main_thread():
        yield
        return
    before = {s: signal.getsignal(s) for s in _STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def _stop_before_start() -> None:
    """Until the backend's worker takes the signals over, the first stop signal ends the worker
    through its sign-off and any later one is ignored: a SIGTERM during the first upkeep round
    would otherwise end the process on the spot and leave its heartbeat behind."""
    if not _in_main_thread():
        return
    seen = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal seen
        if not seen:
            seen = True
            raise SystemExit(0)

    for number in _STOP_SIGNALS:
        signal.signal(number, stop)


@contextmanager
def _stop_signals_ignored() -> Iterator[None]:
    if not _in_main_thread():
        yield
        return
    before = {s: signal.signal(s, signal.SIG_IGN) for s in _STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def _run_database(
    queues: list[str], interval: float, batch: bool, max_tasks: int | None, worker_id: str
) -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=queues,
        interval=interval,
        batch=batch,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=not batch,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    worker.configure_signals()
    try:
        worker.run()
    except SystemExit as stop:  # the backend's worker leaves this way on a signal
        if stop.code not in (None, 0):
            raise


def _run_redis(queues: list[str], batch: bool, max_tasks: int | None, worker_id: str) -> None:
    import django_rq
    from django_tasks_rq.backend import Job

    # Jobs run in the worker's own process (no fork per job), as with the database backend:
    # a forked child would share the parent's database connections.
    worker = django_rq.get_worker(
        *queues, job_class=Job, worker_class="rq.SimpleWorker", name=worker_id
    )
    worker.work(burst=batch, max_jobs=max_tasks, with_scheduler=True)
