"""Reading and checking an upload as a background job: the page and the API hand the file to
the worker and follow it (reading → previewed, or refused with the reason); a mapping changed
on the page is read again there too; a worker that dies leaves the batch refused, saying so."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from keyaccount.customers.models import Customer, ImportBatch
from keyaccount.transfer import importing
from keyaccount.transfer.importing import previewing

from ..api_support import Api
from ..core.jobs_fixtures import DATABASE_TASKS
from .test_import import IMPORT, code, csv_bytes

HEADER = ["客户名称", "统一社会信用代码", "区域"]


def upload(client, data: bytes, name: str = "c.csv"):
    return client.post(IMPORT, {"action": "preview", "file": SimpleUploadedFile(name, data)})


def test_the_page_shows_the_check_running_then_the_preview(cast, client_for):
    client = client_for(cast.kam)
    data = csv_bytes([HEADER, ["后台检查有限公司", code(51), "CN-JS"]])
    with override_settings(TASKS=DATABASE_TASKS):
        response = upload(client, data)
        batch = ImportBatch.objects.get()
        assert response.status_code == 302 and response["Location"].endswith(f"?batch={batch.pk}")
        assert batch.state == ImportBatch.State.READING and batch.payload == {}
        job = DBTaskResult.objects.get()
        assert job.task_path.endswith("previewing.preview_import")
        page = client.get(f"{IMPORT}?batch={batch.pk}")
        html = page.content.decode()
        assert 'data-testid="import-progress"' in html and 'data-state="reading"' in html
        with translation.override("zh-hans"):
            assert translation.gettext("Checking “%(name)s”") % {"name": "c.csv"} in html
        polled = client.get(f"{IMPORT}?batch={batch.pk}&progress=1")
        assert polled.status_code == 200  # still checking: the bar, polled again
        # the worker runs it
        assert previewing.run_preview(str(batch.pk), "zh-hans") == "previewed"
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.PREVIEWED
    polled = client.get(f"{IMPORT}?batch={batch.pk}&progress=1")
    assert polled.status_code == 204 and polled["HX-Refresh"] == "true"
    html = client.get(f"{IMPORT}?batch={batch.pk}").content.decode()
    assert "后台检查有限公司" in html and 'data-testid="import-progress"' not in html
    assert not Customer.objects.exists()  # checked, nothing written


def test_a_file_refused_by_the_worker_is_shown_with_the_reason(cast, client_for):
    client = client_for(cast.kam)
    with override_settings(TASKS=DATABASE_TASKS):
        upload(client, b"%PDF-1.7 not a sheet", "scan.csv")
        batch = ImportBatch.objects.get()
        assert previewing.run_preview(str(batch.pk), "en") == "refused"
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.REFUSED and batch.source is None
    with translation.override("en"):
        assert "PDF document" in batch.result["message"]
    response = client.get(f"{IMPORT}?batch={batch.pk}")
    html = response.content.decode()
    assert 'name="file"' in html  # the upload form again, with the reason (in the language
    assert "a PDF document" in html  # the file was uploaded in)


def test_with_jobs_run_at_once_a_refused_file_is_said_at_the_upload(cast, client_for):
    response = upload(client_for(cast.kam), b"%PDF-1.7 not a sheet", "scan.csv")
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_a_changed_mapping_is_read_again_by_the_worker(cast, client_for):
    client = client_for(cast.kam)
    data = csv_bytes([["客户名称", "revenue"], ["后台映射有限公司", "2"]])
    upload(client, data)
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.PREVIEWED
    form = {"action": "remap", "batch": str(batch.pk), "sheets": "1", "title-0": "",
            "kind-0": "customers", "unit-0-revenue": "10000"}  # fmt: skip
    with override_settings(TASKS=DATABASE_TASKS):
        response = client.post(IMPORT, form)
        assert response.status_code == 302
        batch.refresh_from_db()
        assert batch.state == ImportBatch.State.READING
        assert batch.mapping[""]["units"] == {"revenue": "10000"}
        # a second change while it is read is refused, changing nothing
        assert not importing.start_remap(user=cast.kam, batch=batch, mapping=importing.Mapping())
        previewing.run_preview(str(batch.pk))
    found = importing.load_batch(user=cast.kam, batch_id=batch.pk)
    assert found is not None
    assert next(found[1].rows).values["revenue"] == 20000


def test_a_check_whose_worker_died_for_good_is_refused_saying_so(cast):
    with override_settings(TASKS=DATABASE_TASKS):
        batch = importing.start_preview(
            user=cast.kam, file_name="c.csv", data=csv_bytes([HEADER, ["失联检查有限公司"]])
        )
        assert importing.check_job(batch).state == ImportBatch.State.READING  # still waiting
        DBTaskResult.objects.update(status=TaskResultStatus.FAILED)
        with translation.override("en"):
            batch = importing.check_job(batch)
    assert batch.state == ImportBatch.State.REFUSED
    assert "stopped before it was done" in batch.result["message"]


def test_an_unreachable_queue_refuses_the_upload_saying_so(cast, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(previewing, "preview_import", SimpleNamespace(enqueue=down))
    api = Api(cast.kam, "token")
    upload_ = SimpleUploadedFile("c.csv", csv_bytes([HEADER, ["队列检查有限公司"]]))
    answer = api.client.post("/api/imports", {"file": upload_})
    assert answer.status_code == 422
    with translation.override("en"):
        english = previewing._not_queued()
    with translation.override("zh-hans"):
        chinese = previewing._not_queued()
    assert answer.json()["errors"]["file"][0] in (english, chinese)
    assert not ImportBatch.objects.exists()


def test_the_api_answers_202_while_the_worker_checks_then_the_preview(cast):
    api = Api(cast.kam, "token")
    upload_ = SimpleUploadedFile("c.csv", csv_bytes([HEADER, ["接口检查有限公司", code(52)]]))
    with override_settings(TASKS=DATABASE_TASKS):
        answer = api.client.post("/api/imports", {"file": upload_})
        assert answer.status_code == 202, answer.content
        body = answer.json()
        assert body["state"] == "reading" and body["counts"]["rows"] == 0
        assert not body["can_commit"]
        previewing.run_preview(body["id"])
    shown = api.get(f"/api/imports/{body['id']}").json()
    assert shown["state"] == "previewed" and shown["counts"]["create"] == 1


@pytest.mark.parametrize("state", ["reading", "refused"])
def test_a_batch_not_yet_checked_cannot_be_committed(cast, state):
    batch = ImportBatch.objects.create(user=cast.kam, file_name="c.csv", state=state)
    answer = Api(cast.kam).post(f"/api/imports/{batch.pk}/commit", {})
    assert answer.status_code == 409
    assert not importing.start_commit(user=cast.kam, batch=batch)
