"""Background jobs: the real database worker, recovery after a worker's death, periodic jobs,
progress, and ``keyaccount serve`` starting and stopping the web server with the worker."""

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus, task_backends
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from keyaccount.core import jobs
from keyaccount.core.jobs import runner, schedule, upkeep
from keyaccount.core.models import PeriodicRun, WorkerBeat

from . import jobs_fixtures
from .jobs_fixtures import DATABASE_TASKS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_backend():
    with override_settings(TASKS=DATABASE_TASKS):
        yield task_backends["default"]


def _claim(result_id: str, *workers: str, minutes_ago: int = 10) -> None:
    DBTaskResult.objects.filter(pk=result_id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        worker_ids=list(workers),
    )


def test_the_real_worker_runs_what_was_enqueued(database_backend):
    result = jobs_fixtures.record.enqueue("first")
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    call_command("worker", "--batch")
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == "first"
    assert PeriodicRun.objects.filter(name="ran:first").exists()
    assert not WorkerBeat.objects.exists()  # the worker signed off


def test_a_stop_signal_during_the_first_upkeep_round_still_signs_the_worker_off(
    database_backend, monkeypatch
):
    beat = upkeep.beat

    def beat_then_stopped(worker_id: str, **kwargs: object) -> None:
        beat(worker_id, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)  # as ``serve`` stops it right after it started

    monkeypatch.setattr(upkeep, "beat", beat_then_stopped)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as stop:
        runner.run_worker(queues=["default"], interval=0, batch=True)
    assert stop.value.code == 0
    assert not WorkerBeat.objects.exists()
    assert signal.getsignal(signal.SIGTERM) is before  # the caller's handler is back


def test_enqueue_on_commit_waits_for_the_commit(database_backend):
    from django.db import transaction

    with transaction.atomic():
        jobs.enqueue_on_commit(jobs_fixtures.record, "later")
        assert not DBTaskResult.objects.exists()
    assert DBTaskResult.objects.count() == 1


def test_a_job_of_a_dead_worker_is_run_again_and_not_twice(database_backend):
    result = jobs_fixtures.record.enqueue("orphan")
    _claim(result.id, "dead-worker")  # claimed, then the worker was killed: no beat
    call_command("worker", "--batch")
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert len(row.worker_ids) == 2
    assert PeriodicRun.objects.filter(name="ran:orphan").count() == 1


def test_a_job_whose_worker_still_beats_is_left_alone(database_backend):
    result = jobs_fixtures.record.enqueue("busy")
    upkeep.beat("alive-worker")
    _claim(result.id, "alive-worker")
    assert upkeep.recover_lost() == (0, 0)
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING


def test_a_job_that_killed_its_worker_too_often_is_marked_failed(database_backend):
    result = jobs_fixtures.record.enqueue("poison")
    _claim(result.id, *[f"dead-{n}" for n in range(upkeep.MAX_ATTEMPTS)])
    assert upkeep.recover_lost() == (0, 1)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path.endswith("WorkerLostError")
    assert not PeriodicRun.objects.filter(name="ran:poison").exists()


def test_a_recent_claim_is_not_taken_for_a_death(database_backend):
    result = jobs_fixtures.record.enqueue("just-claimed")
    _claim(result.id, "starting-worker", minutes_ago=0)
    assert upkeep.recover_lost() == (0, 0)


def test_periodic_jobs_are_enqueued_once_per_slot(database_backend, monkeypatch):
    monkeypatch.setattr(schedule, "_PERIODIC", {})
    jobs.register_periodic(jobs_fixtures.tick, jobs.Every(dt.timedelta(hours=1)))
    now = timezone.now()
    assert jobs.run_due(now) == [jobs_fixtures.tick.module_path]
    assert jobs.run_due(now) == []  # a second worker in the same slot
    assert jobs.run_due(now + dt.timedelta(minutes=59)) == []
    assert jobs.run_due(now + dt.timedelta(hours=5)) == [jobs_fixtures.tick.module_path]
    assert DBTaskResult.objects.filter(task_path=jobs_fixtures.tick.module_path).count() == 2
    run = PeriodicRun.objects.get(name=jobs_fixtures.tick.module_path)
    assert run.next_at == now + dt.timedelta(hours=6)  # a missed slot runs once, not 4 times


def test_daily_schedule_is_in_the_product_time_zone():
    daily = jobs.DailyAt(7, 30)
    shanghai = timezone.get_default_timezone()
    before = dt.datetime(2026, 12, 31, 7, 0, tzinfo=shanghai)
    assert daily.after(before) == dt.datetime(2026, 12, 31, 7, 30, tzinfo=shanghai)
    at = dt.datetime(2026, 12, 31, 7, 30, tzinfo=shanghai)
    assert daily.after(at) == dt.datetime(2027, 1, 1, 7, 30, tzinfo=shanghai)
    assert daily.first(before) == daily.after(before)


def test_the_housekeeping_jobs_are_registered():
    names = set(jobs.periodic_jobs())
    assert "keyaccount.core.tasks.prune_job_results" in names


def test_finished_job_results_are_pruned(database_backend):
    from keyaccount.core.tasks import JOB_RESULTS_KEPT, prune_job_results

    old, recent = (jobs_fixtures.record.enqueue(n) for n in ("old", "recent"))
    call_command("worker", "--batch")
    DBTaskResult.objects.filter(pk=old.id).update(
        finished_at=timezone.now() - JOB_RESULTS_KEPT - dt.timedelta(hours=1)
    )
    assert prune_job_results.call() == 1
    kept = DBTaskResult.objects.filter(task_path=jobs_fixtures.record.module_path)
    assert [str(pk) for pk in kept.values_list("pk", flat=True)] == [recent.id]


def test_progress_is_read_back():
    jobs.report_progress("k", done=250, total=1000, phase="writing")
    progress = jobs.read_progress("k")
    assert progress == jobs.Progress(250, 1000, "writing")
    assert progress.percent == 25
    assert jobs.read_progress("missing") is None
    assert jobs.Progress(5, 0).percent == 0


def test_the_backend_kind_follows_the_setting(database_backend):
    assert runner.backend_kind() == "database"
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend"}}):
        assert runner.backend_kind() == "redis"
    with override_settings(
        TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    ):
        assert runner.backend_kind() == "immediate"


def test_the_redis_backend_runs_jobs_through_the_same_worker_command():
    """RQ on the local Redis (a database number of its own, emptied before and after)."""
    import django_rq

    url = "redis://127.0.0.1:6379/13"
    queues = {"default": {"URL": url}}
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
        RQ_QUEUES=queues,
    ):
        django_rq.queues.get_redis_connection(queues["default"]).flushdb()
        try:
            result = jobs_fixtures.record.enqueue("via-redis")
            call_command("worker", "--batch")
            result.refresh()
            assert result.status == TaskResultStatus.SUCCESSFUL
            assert result.return_value == "via-redis"
            assert PeriodicRun.objects.filter(name="ran:via-redis").exists()
        finally:
            django_rq.queues.get_redis_connection(queues["default"]).flushdb()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_starts_the_web_server_and_the_worker_and_ctrl_c_stops_both(tmp_path: Path):
    """What ``make run`` does, in a subprocess on a database of its own."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "SQLITE_PATH": str(tmp_path / "serve.sqlite3"),
        "KEYACCOUNT_VAR": str(tmp_path),
        "TASKS_BACKEND": "database",
        "DJANGO_SETTINGS_MODULE": "keyaccount.settings",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    cli = [sys.executable, "-m", "keyaccount"]
    subprocess.run([*cli, "migrate", "--noinput", "-v", "0"], env=env, check=True)  # noqa: S603
    port = _free_port()
    serve = subprocess.Popen(  # noqa: S603
        [*cli, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                url = f"http://127.0.0.1:{port}/healthz"
                with urllib.request.urlopen(url, timeout=2) as answer:
                    status = answer.status
            except OSError:
                time.sleep(0.3)
        assert status == 200
        beats = _wait_for_beat(tmp_path / "serve.sqlite3")
        assert beats == 1
        os.killpg(serve.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
        output = serve.communicate(timeout=30)[0].decode()
        assert serve.returncode == 0, output
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
    assert _count_beats(tmp_path / "serve.sqlite3") == 0  # the worker signed off


def _count_beats(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM core_workerbeat").fetchone()[0])


def _wait_for_beat(path: Path) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if n := _count_beats(path):
            return n
        time.sleep(0.2)
    return 0
