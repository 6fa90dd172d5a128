"""The import's commit as a background job: the API, the CLI, a job that fails or whose
worker died, and running it twice."""

import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from keyaccount.customers.models import Customer, ImportBatch
from keyaccount.transfer import importing
from keyaccount.transfer.importing import jobs as import_jobs

from ..api_support import Api
from ..core.jobs_fixtures import DATABASE_TASKS
from .test_import import code, csv_bytes

HEADER = ["客户名称", "统一社会信用代码", "区域"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def two_rows(good: str = "作业导入有限公司") -> bytes:
    return csv_bytes([HEADER, [good, code(41), "CN-JS"], ["坏行作业有限公司", "bad", ""]])


def previewed(user, data: bytes) -> ImportBatch:
    plan = importing.preview(user=user, file_name="c.csv", data=data)
    return importing.save_batch(user=user, plan=plan)


# --- the API --------------------------------------------------------------------------------


def test_the_api_uploads_previews_commits_and_reports(cast):
    api = Api(cast.kam, "token")
    upload = SimpleUploadedFile("c.csv", two_rows(), content_type="text/csv")
    response = api.client.post("/api/imports", {"file": upload})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "previewed"
    assert body["counts"] == {
        "rows": 2, "create": 1, "update": 0, "unchanged": 0, "error": 1, "warning": 0
    }  # fmt: skip
    assert body["can_commit"] is False and body["can_commit_valid"] is True
    batch = body["id"]
    rows = api.get(f"/api/imports/{batch}/rows", {"show": "errors"}).json()
    assert rows["count"] == 1
    problem = rows["items"][0]["problems"][0]
    assert problem["row"] == 3 and problem["column"] == "统一社会信用代码"
    # all rows or none: refused while a row is in error, unless the bad rows are left out
    refused = api.post(f"/api/imports/{batch}/commit", {"skip_errors": False})
    assert refused.status_code == 422
    assert not Customer.objects.filter(name="作业导入有限公司").exists()
    accepted = api.post(f"/api/imports/{batch}/commit", {"skip_errors": True})
    assert accepted.status_code == 202
    done = api.get(f"/api/imports/{batch}").json()
    assert done["state"] == "done"
    assert done["result"]["counts"] == {"customers_created": 1}
    assert done["result"]["rejected"] == 1
    with translation.override("zh-hans"):  # the token's user's language
        assert done["result"]["summary"] == importing.summary({"customers_created": 1})
    assert Customer.objects.filter(name="作业导入有限公司").count() == 1
    rejected = api.get(f"/api/imports/{batch}/rejected", {"format": "csv"})
    assert rejected["Content-Type"].startswith("text/csv")
    text = rejected.content.decode("utf-8-sig")
    assert "坏行作业有限公司" in text and "bad" in text
    # twice is once
    assert api.post(f"/api/imports/{batch}/commit", {"skip_errors": True}).status_code == 409
    assert api.client.delete(f"/api/imports/{batch}").status_code == 409
    assert Customer.objects.filter(name="作业导入有限公司").count() == 1
    # someone else's import does not exist for them
    assert Api(cast.colleague).get(f"/api/imports/{batch}").status_code == 404


def test_the_api_refuses_an_unreadable_file_saying_why(cast):
    api = Api(cast.kam)
    response = api.client.post("/api/imports", {"file": SimpleUploadedFile("x.csv", b"")})
    assert response.status_code == 422
    assert response.json()["errors"]["file"]
    assert not ImportBatch.objects.exists()


def test_the_api_discards_a_preview(cast):
    batch = previewed(cast.kam, two_rows())
    assert Api(cast.kam).client.delete(f"/api/imports/{batch.pk}").status_code == 204
    assert not ImportBatch.objects.exists()


# --- the job --------------------------------------------------------------------------------


def test_running_the_job_twice_imports_once(cast):
    batch = previewed(cast.kam, two_rows())
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.RUNNING, skip_errors=True
    )  # a retry after its worker died: the first run's transaction was rolled back
    outcome = importing.run_commit(str(batch.pk), "en")
    assert outcome is not None and outcome.committed
    assert importing.run_commit(str(batch.pk), "en") is None  # done: nothing more to do
    assert Customer.objects.filter(name="作业导入有限公司").count() == 1
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.DONE and batch.finished_at is not None


def test_a_job_that_fails_says_so_and_writes_nothing(cast, monkeypatch):
    batch = previewed(cast.kam, csv_bytes([HEADER, ["故障导入有限公司", code(42), "CN-JS"]]))

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_jobs, "commit", broken)
    importing.start_commit(user=cast.kam, batch=batch)  # the immediate backend records the fault
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.PREVIEWED
    assert "stopped before it was done" in batch.result["message"]
    assert not Customer.objects.filter(name="故障导入有限公司").exists()


def test_a_job_failed_for_good_brings_the_batch_back(cast):
    batch = previewed(cast.kam, csv_bytes([HEADER, ["失联导入有限公司", code(43), "CN-JS"]]))
    with override_settings(TASKS=DATABASE_TASKS):
        assert importing.start_commit(user=cast.kam, batch=batch)
        batch.refresh_from_db()
        assert batch.state == ImportBatch.State.QUEUED
        assert importing.check_job(batch).state == ImportBatch.State.QUEUED  # still waiting
        # its worker died three times: the upkeep marked it failed
        DBTaskResult.objects.update(status=TaskResultStatus.FAILED)
        assert importing.check_job(batch).state == ImportBatch.State.PREVIEWED
    assert "stopped before it was done" in batch.result["message"]


def test_a_second_commit_of_a_queued_batch_is_refused(cast):
    batch = previewed(cast.kam, csv_bytes([HEADER, ["排队两次有限公司", code(44), "CN-JS"]]))
    with override_settings(TASKS=DATABASE_TASKS):
        assert importing.start_commit(user=cast.kam, batch=batch)
        assert not importing.start_commit(user=cast.kam, batch=batch)
        assert DBTaskResult.objects.count() == 1


# --- the command ----------------------------------------------------------------------------


def _file(tmp_path: Path, data: bytes, name: str = "客户.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_the_command_refuses_rows_in_error_unless_told_to_leave_them_out(cast, tmp_path):
    path = _file(tmp_path, two_rows("命令导入有限公司"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="--skip-errors"):
        call_command("import", path, "--user", "kam", "--language", "en", stdout=out)
    assert "row 3, column 统一社会信用代码" in out.getvalue()
    assert not Customer.objects.filter(name="命令导入有限公司").exists()
    call_command("import", path, "--user", "kam", "--check", "--skip-errors", stdout=out)
    assert not Customer.objects.filter(name="命令导入有限公司").exists()
    err = io.StringIO()
    call_command(
        "import", path, "--user", "kam", "--skip-errors", "--language", "en",
        stdout=out, stderr=err,
    )  # fmt: skip
    assert Customer.objects.get(name="命令导入有限公司").owner == cast.kam
    assert "1 registration request" in out.getvalue()
    rejected = tmp_path / "客户-rejected.xlsx"
    sheet = load_workbook(rejected).worksheets[0]
    assert next(sheet.iter_rows(min_row=2, values_only=True))[3] == "坏行作业有限公司"
    # the same file again changes nothing
    out = io.StringIO()
    call_command("import", path, "--user", "kam", "--skip-errors", stdout=out)
    assert Customer.objects.filter(name="命令导入有限公司").count() == 1


def test_the_command_says_what_is_wrong(cast, tmp_path):
    with pytest.raises(CommandError, match="No active user"):
        call_command("import", _file(tmp_path, two_rows()), "--user", "nobody")
    with pytest.raises(CommandError, match="No file"):
        call_command("import", str(tmp_path / "missing.csv"), "--user", "kam")
    with pytest.raises(CommandError, match="holds no contacts sheet"):
        call_command("import", _file(tmp_path, two_rows()), "--user", "kam", "--kind", "contacts")
    with pytest.raises(CommandError, match=r"c\.csv"):
        call_command("import", _file(tmp_path, b"", "c.csv"), "--user", "kam")


def test_an_unreachable_queue_leaves_the_batch_previewed_saying_so(cast, monkeypatch):
    batch = previewed(cast.kam, csv_bytes([HEADER, ["队列故障有限公司", code(45), "CN-JS"]]))

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(import_jobs, "commit_import", SimpleNamespace(enqueue=down))
    answer = Api(cast.kam).post(f"/api/imports/{batch.pk}/commit", {"skip_errors": False})
    assert answer.status_code == 503
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.PREVIEWED
    assert answer.json()["detail"] == batch.result["message"]
    with translation.override("en"):
        assert "could not be handed to the background worker" in import_jobs._not_queued()
    assert not Customer.objects.filter(name="队列故障有限公司").exists()
