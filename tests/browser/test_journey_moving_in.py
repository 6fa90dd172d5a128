"""Moving in, as an administrator lives it: another CRM's export of deals (its own headers, its
own stage names, its sales agents by name, amounts in 万元) brought in by mapping alone on the
preview page, the mapping saved by name; the deals stand at their stages with their dates;
the next export from the same system goes in with the saved mapping and changes nothing. The
panel in English and on a phone."""

import csv
import io
import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from keyaccount.customers.models import ImportMapping
from keyaccount.pipeline import rules
from keyaccount.pipeline.models import Opportunity

from ..conftest import Cast
from ..pipeline_support import registered_customer
from .conftest import ARTIFACTS, shot
from .test_journey_customers import sign_in
from .test_journey_foundation import horizontal_overflow, switch_language

pytestmark = pytest.mark.browser

HEADER = ["account", "opportunity_id", "sales_agent", "deal_stage", "value_10k", "engage_date",
          "close_date", "outcome"]  # fmt: skip
STAGES = {"Prospecting": "development", "Engaging": "proposal", "Bidding": "tender",
          "Closing": "negotiation"}  # fmt: skip
AGENTS = {"Darcel Schlecht": "kam", "Moses Frase": "colleague"}
DEALS = 240


def crm_export(accounts: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    start = date(2025, 1, 6)
    for n in range(DEALS):
        engaged = start + timedelta(days=n)
        stage = list(STAGES)[n % 4]
        won = n % 10 == 0
        writer.writerow([
            accounts[n % len(accounts)], f"OPP-{n:05d}", list(AGENTS)[n % 2],
            "" if won else stage, 20 + n % 50, engaged.isoformat(),
            (engaged + timedelta(days=60 if won else 500)).isoformat(),
            "Won" if won else "Open",
        ])  # fmt: skip
    return buffer.getvalue().encode("utf-8")


def panel_shot(page: Page, name: str) -> None:
    """The mapping panel alone (the rows below it make a full page very long)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.get_by_test_id("mapping").screenshot(path=str(ARTIFACTS / f"{name}.png"))


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).select_option(option)


def test_another_crms_deals_come_in_by_mapping_alone(
    new_page: Callable[..., Page], cast: Cast
) -> None:
    accounts = [
        registered_customer(owner=cast.kam, assistant=cast.assistant, name=name, contacts=0).name
        for name in ("苏州轨道交通集团有限公司", "无锡地铁集团有限公司", "常州供电公司")
    ]
    admin = sign_in(new_page, cast.admin)
    admin.goto("/customers/import/")
    export = crm_export(accounts)
    admin.set_input_files(
        "#id_file", files=[{"name": "crm-export.csv", "mimeType": "text/csv", "buffer": export}]
    )
    admin.get_by_test_id("upload").click()
    expect(admin).to_have_url(re.compile(r"/customers/import/\?batch="))
    mapping = admin.get_by_test_id("mapping")
    expect(mapping).to_contain_text("有些列或值未能识别")
    shot(admin, "moving-in-01-not-recognised")

    # 1. The sheet holds deals ("account" and "outcome" are other names of their columns).
    expect(admin.get_by_test_id("mapping-kind")).to_have_value("opportunities")
    admin.get_by_test_id("remap").click()
    expect(admin.get_by_test_id("mapping-missing")).to_be_visible()

    # 2. Its columns, and the unit of its amounts.
    for header, column in (
        ("account", "客户 *"), ("opportunity_id", "商机名称 *"), ("sales_agent", "负责人"),
        ("deal_stage", "阶段 *"), ("value_10k", "预计金额 *"), ("engage_date", "创建日期"),
        ("close_date", "关闭日期"), ("outcome", "状态"),
    ):  # fmt: skip
        choose(admin, f"将“{header}”读取为", column)
    admin.get_by_test_id("remap").click()
    expect(admin.get_by_test_id("mapping-missing")).to_have_count(0)
    admin.get_by_test_id("mapping-unit").select_option("10000")
    admin.get_by_test_id("remap").click()
    values = admin.get_by_test_id("mapping-values")
    expect(values).to_have_count(2)  # the stages and the sales agents
    panel_shot(admin, "moving-in-02-values-to-map")

    # 3. Its stage names and its sales agents; the mapping saved by name.
    for text, code in STAGES.items():
        admin.get_by_label(f"将“{text}”读取为").select_option(code)
    for name, username in AGENTS.items():
        admin.get_by_label(f"将“{name}”读取为").select_option(username)
    admin.get_by_label("将此映射保存为（可选）").fill("旧CRM商机")
    admin.get_by_test_id("remap").click()
    expect(admin.locator("#messages .alert-success")).to_contain_text("旧CRM商机")
    expect(admin.get_by_test_id("commit")).to_be_enabled()
    expect(admin.get_by_test_id("mapping")).to_contain_text("所有列和值都能读取")
    panel_shot(admin, "moving-in-03-ready")

    admin.get_by_test_id("commit").click()
    expect(admin.get_by_test_id("import-result")).to_be_visible(timeout=30_000)
    expect(admin.get_by_test_id("import-summary")).to_contain_text(str(DEALS))
    shot(admin, "moving-in-04-result")
    deals = Opportunity.objects.select_related("stage", "owner")
    assert deals.count() == DEALS
    first = deals.get(name="OPP-00001")
    assert (first.stage.code, first.owner, first.amount) == ("proposal", cast.colleague, 210000)
    won = deals.get(name="OPP-00000")
    assert won.status == rules.Status.WON and won.stage.order == 6
    assert won.transitions.get().kind == rules.Move.IMPORTED
    assert ImportMapping.objects.get(name="旧CRM商机").kind == "opportunities"

    # The deal's history: one transition, imported, dated by the old system, gates not run.
    admin.goto(f"/pipeline/{won.pk}/?tab=history")
    move = admin.get_by_test_id("transition-imported")
    expect(move).to_have_count(1)
    expect(move).to_contain_text("导入")
    expect(move).to_contain_text("未经过阶段关口检查")
    expect(move).to_contain_text("2025")
    shot(admin, "moving-in-04b-imported-history")

    # The next export from the same system: the saved mapping, nothing else.
    admin.goto("/customers/import/")
    admin.set_input_files(
        "#id_file", files=[{"name": "crm-export-2.csv", "mimeType": "text/csv", "buffer": export}]
    )
    admin.get_by_test_id("saved-mapping").select_option("旧CRM商机")
    admin.get_by_test_id("upload").click()
    expect(admin.get_by_test_id("commit-hint")).to_contain_text("没有需要导入的内容")
    shot(admin, "moving-in-05-again-unchanged")

    switch_language(admin, "EN")
    admin.get_by_test_id("mapping").locator("summary").click()
    expect(admin.get_by_test_id("mapping-columns")).to_contain_text("Read as")
    panel_shot(admin, "moving-in-06-panel-en")
    phone = new_page(phone=True, storage_state=admin.context.storage_state())
    phone.goto(admin.url)
    phone.get_by_test_id("mapping").locator("summary").click()
    expect(phone.get_by_test_id("mapping-columns")).to_be_visible()
    assert horizontal_overflow(phone) <= 1
    panel_shot(phone, "moving-in-07-panel-phone")
