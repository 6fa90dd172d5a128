"""The import as a background job, as a KAM lives it: upload a CSV with a bad row, import the
good rows, watch the page wait for the worker and turn into the result by itself, download the
rejected row with its reason; then the result page in English and on a phone."""

import csv
import io
import re
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import override_settings
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from keyaccount.customers import rules
from keyaccount.customers.models import Customer, ImportBatch

from ..conftest import Cast
from ..core.jobs_fixtures import DATABASE_TASKS
from .conftest import shot
from .test_journey_customers import sign_in
from .test_journey_foundation import horizontal_overflow, switch_language

pytestmark = pytest.mark.browser

GOOD = ["苏州精密机械有限公司", "无锡新能源科技股份有限公司", "常州轨道交通装备有限公司"]


def code(n: int) -> str:
    body = f"91320500{n:09d}"
    return body + rules.credit_code_check_char(body)


def customers_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["客户名称", "统一社会信用代码", "区域"])
    for n, name in enumerate(GOOD, start=1):
        writer.writerow([name, code(n), "江苏"])
    writer.writerow(["南通坏行有限公司", "12345", "江苏"])
    return buffer.getvalue().encode("utf-8-sig")


def test_import_runs_in_the_background_and_reports(
    new_page: Callable[..., Page], cast: Cast
) -> None:
    with override_settings(TASKS=DATABASE_TASKS):  # a real queue: the worker runs below
        kam = sign_in(new_page, cast.kam)
        kam.goto("/customers/import/")
        kam.set_input_files(
            "#id_file",
            files=[{"name": "客户清单.csv", "mimeType": "text/csv", "buffer": customers_csv()}],
        )
        kam.get_by_test_id("upload").click()
        expect(kam).to_have_url(re.compile(r"/customers/import/\?batch=[0-9a-f-]+$"))
        checking = kam.get_by_test_id("import-progress")
        expect(checking).to_have_attribute("data-state", "reading")  # the worker reads it
        shot(kam, "import-00-checking-the-file")
        phone = new_page(phone=True, storage_state=kam.context.storage_state())
        phone.goto(kam.url)
        switch_language(phone, "EN")
        expect(phone.get_by_test_id("import-progress")).to_contain_text("nothing is written")
        assert horizontal_overflow(phone) <= 1
        shot(phone, "import-00-checking-the-file-phone-en")
        switch_language(phone, "中文")
        phone.close()
        call_command("worker", "--batch")
        bad = kam.locator("[data-testid=preview-rows] tbody tr")  # the page reloads by itself
        expect(bad).to_have_count(1)
        expect(bad.first).to_contain_text("统一社会信用代码")
        expect(kam.get_by_test_id("commit-hint")).to_contain_text("1 行有错误")
        shot(kam, "import-01-preview-with-an-error")

        kam.get_by_test_id("commit-valid").click()
        progress = kam.get_by_test_id("import-progress")
        expect(progress).to_be_visible()
        expect(progress).to_have_attribute("data-state", "queued")
        shot(kam, "import-02-waiting-for-the-worker")
        assert not Customer.objects.filter(name__in=GOOD).exists()

        call_command("worker", "--batch")  # the worker `make run` starts beside the server

        result = kam.get_by_test_id("import-result")
        expect(result).to_be_visible(timeout=15_000)  # the page reloads itself when it is over
        expect(kam.get_by_test_id("rejected-count")).to_have_text("1")
        expect(kam.get_by_test_id("import-summary")).to_contain_text("3")
        assert Customer.objects.filter(name__in=GOOD, owner=cast.kam).count() == 3
        assert ImportBatch.objects.get().state == ImportBatch.State.DONE
        shot(kam, "import-03-result")

        with kam.expect_download() as download:
            kam.get_by_test_id("rejected-download").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[1][3] == "南通坏行有限公司" and rows[1][4] == "12345"
        assert "统一社会信用代码" in rows[1][2]

        switch_language(kam, "EN")
        expect(kam.get_by_test_id("import-result")).to_contain_text("was imported")
        shot(kam, "import-04-result-en")

        phone = new_page(phone=True, storage_state=kam.context.storage_state())
        phone.goto(kam.url)
        expect(phone.get_by_test_id("import-result")).to_be_visible()
        assert horizontal_overflow(phone) <= 1
        shot(phone, "import-05-result-phone")

    # The assistant approves the three registrations the import made, at once.
    assistant = sign_in(new_page, cast.assistant)
    assistant.goto("/customers/registrations/")
    boxes = assistant.get_by_test_id("select-request")
    expect(boxes).to_have_count(3)
    assistant.get_by_test_id("select-all").check()
    for n in range(3):
        expect(boxes.nth(n)).to_be_checked()
    shot(assistant, "import-06-bulk-approval")
    assistant.get_by_test_id("approve-selected").click()
    expect(assistant.locator("#messages .alert-success")).to_contain_text("3")
    expect(assistant.get_by_test_id("no-pending")).to_be_visible()
    assert Customer.objects.filter(name__in=GOOD, status="registered").count() == 3
