"""The payment milestones sheet: milestones on contracts in the system, by contract number;
their acceptance, invoice and collection; a second import changes nothing; refusals by row and
column; a fixed number of statements for many new milestones."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from keyaccount.pipeline import rules as deal_rules
from keyaccount.pipeline import services as pipeline
from keyaccount.pipeline.models import PaymentMilestone
from keyaccount.process.models import Stage
from keyaccount.transfer import importing

from ..pipeline_support import registered_customer
from .test_import import csv_bytes

HEADER = ["合同编号", "付款节点", "节点金额", "付款比例", "应收日期", "验收日期", "回款日期",
          "回款金额"]  # fmt: skip


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def contract(cast):
    customer = registered_customer(owner=cast.kam, assistant=cast.assistant, contacts=0)
    deal = deal_rules.ImportedDeal(
        customer_id=customer.pk, name="调度系统", amount=Decimal("1000000"), currency="CNY",
        step_id=None,
        stage_id=Stage.objects.get(order=6).pk, owner_id=cast.kam.pk,
        created_on=date(2025, 1, 6), closed_on=date(2025, 6, 30), status="won",
        contract_number="HT-2025-001", expected_signing=date(2025, 6, 30),
    )  # fmt: skip
    pipeline.opportunities_import(actor=cast.admin, deals=[deal], source="test")
    return "HT-2025-001"


def run(user, rows: list[list]) -> importing.Plan:
    plan = importing.preview(user=user, file_name="m.csv", data=csv_bytes([HEADER, *rows]))
    batch = importing.save_batch(user=user, plan=plan)
    outcome = importing.commit(actor=user, batch=batch, plan=plan)
    assert outcome.committed, [p.message for r in outcome.plan.rows for p in r.problems]
    return outcome.plan


def test_milestones_come_in_with_their_collection_and_again_change_nothing(cast, contract):
    collected = (timezone.localdate() - timedelta(days=3)).isoformat()
    rows = [
        ["ht-2025-001", "预付款", "30万", "", "2025-07-15", "", collected, "300000"],
        [contract, "验收款", "", "60%", "2026-03-31", "", "", ""],
    ]
    plan = importing.preview(user=cast.kam, file_name="m.csv", data=csv_bytes([HEADER, *rows]))
    assert plan.sheets[0].kind == importing.MILESTONES  # recognised by its headers
    assert [r.action for r in plan.rows] == ["create", "create"], [r.problems for r in plan.rows]
    run(cast.kam, rows)
    first, second = PaymentMilestone.objects.order_by("order")
    assert (first.name, first.amount, first.collected_amount) == (
        "预付款",
        Decimal("300000.00"),
        Decimal("300000.00"),
    )
    assert second.amount == Decimal("600000.00") and second.order == 2
    assert first.history.get().history_user == cast.kam
    again = importing.preview(user=cast.kam, file_name="m.csv", data=csv_bytes([HEADER, *rows]))
    assert [r.action for r in again.rows] == ["unchanged", "unchanged"]
    # the acceptance of the second recorded by the next file
    accepted = (timezone.localdate() - timedelta(days=1)).isoformat()
    rows[1][5] = accepted
    plan = run(cast.kam, rows)
    assert [r.action for r in plan.rows] == ["unchanged", "update"]
    second.refresh_from_db()
    assert second.accepted_on.isoformat() == accepted


def test_bad_milestones_are_refused_by_row_and_column(cast, contract):
    future = (timezone.localdate() + timedelta(days=5)).isoformat()
    rows = [
        ["HT-404", "预付款", "10万", "", "2025-07-15"],
        [contract, "首付款", "", "", "2025-07-15"],
        [contract, "超额款", "200万", "", "2025-08-15"],
        [contract, "未来款", "10万", "", "2025-09-15", "", future, "100000"],
        [contract, "未来款", "10万", "", "2025-09-15"],
        [contract, "比例款", "", "120%", "2025-09-15"],
    ]
    plan = importing.preview(user=cast.kam, file_name="m.csv", data=csv_bytes([HEADER, *rows]))
    said = {r.number: [(p.column, p.message) for p in r.problems] for r in plan.rows}
    assert "No contract numbered “HT-404”" in said[2][0][1]
    assert said[3][0][0] == "节点金额" and "amount or its percentage" in said[3][0][1]
    assert "same milestone" in said[6][0][1]
    assert said[7][0][0] == "付款比例"
    batch = importing.save_batch(user=cast.kam, plan=plan)
    outcome = importing.commit(actor=cast.kam, batch=batch, plan=plan, skip_errors=True)
    # the service refuses what the sheet cannot see: more than the contract, a future date
    assert not outcome.committed
    refused = {r.number: [(p.column, p.message) for p in r.problems] for r in outcome.plan.rows}
    assert any(c == "节点金额" for c, _m in refused[4]), refused
    assert any(c == "回款日期" and "future" in m for c, m in refused[5])
    assert not PaymentMilestone.objects.exists()


def test_someone_who_does_not_run_the_deal_cannot_add_its_milestones(cast, contract):
    plan = importing.preview(
        user=cast.colleague, file_name="m.csv",
        data=csv_bytes([HEADER, [contract, "预付款", "10万", "", "2025-07-15"]]),
    )  # fmt: skip
    assert [r.action for r in plan.rows] == ["error"]
    assert "No contract numbered" in next(plan.rows).problems[0].message  # not theirs to see


def test_many_new_milestones_take_a_fixed_number_of_statements(cast, contract):
    def rows(n: int) -> list[list]:
        return [[contract, f"分期{i}", "1000", "", "2026-01-01"] for i in range(n)]

    with CaptureQueriesContext(connection) as few:
        run(cast.kam, rows(3))
    PaymentMilestone.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        run(cast.kam, rows(300))
    assert PaymentMilestone.objects.count() == 300
    assert len(many) <= len(few) + 2
