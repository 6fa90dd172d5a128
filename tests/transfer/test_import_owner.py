"""The owner column of the customers sheet: the department head allocates existing customers
by it (one owner change each, through the allocation service); for anyone else, and for new
customers, it changes nothing and says so; an owner it cannot find is offered for mapping."""

import pytest
from django.utils import translation

from keyaccount.customers.models import Customer, OwnerChange
from keyaccount.transfer import importing

from .test_import import csv_bytes, register

HEADER = ["客户名称", "负责人"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(user, data: bytes) -> importing.Outcome:
    plan = importing.preview(user=user, file_name="owners.csv", data=data)
    batch = importing.save_batch(user=user, plan=plan)
    return importing.commit(actor=user, batch=batch, plan=plan)


def test_the_department_head_allocates_customers_by_the_owner_column(cast):
    one = register(cast.kam, "归属测试一有限公司", approve_by=cast.assistant)
    two = register(cast.kam, "归属测试二有限公司", approve_by=cast.assistant)
    data = csv_bytes([HEADER, [one.name, "colleague"], [two.name, str(cast.kam)]])
    plan = importing.preview(user=cast.head, file_name="owners.csv", data=data)
    assert [r.action for r in plan.rows] == ["update", "unchanged"]
    assert plan.sheets[0].rows[0].changes == [["负责人", str(cast.kam), str(cast.colleague)]]
    outcome = run(cast.head, data)
    assert outcome.committed, [r.problems for r in outcome.plan.rows]
    assert outcome.counts == {"customers_allocated": 1}
    assert Customer.objects.get(pk=one.pk).owner == cast.colleague
    change = OwnerChange.objects.get(customer=one, new_owner=cast.colleague)
    assert change.changed_by == cast.head and "owners.csv" in change.reason
    again = importing.preview(user=cast.head, file_name="owners.csv", data=data)
    assert [r.action for r in again.rows] == ["unchanged", "unchanged"]


def test_for_anyone_else_the_owner_column_changes_nothing_and_says_so(cast):
    one = register(cast.kam, "归属测试三有限公司", approve_by=cast.assistant)
    data = csv_bytes([HEADER, [one.name, "colleague"], ["归属新客户有限公司", "colleague"],
                      [one.name + "x", "nobody at all"]])  # fmt: skip
    plan = importing.preview(user=cast.kam, file_name="owners.csv", data=data)
    first, new, unknown = plan.rows
    assert first.action == "unchanged"
    assert "Only the department head allocates" in first.problems[0].message
    assert new.action == "create" and "registered in your name" in new.problems[-1].message
    assert "the owner stays as it is" not in new.problems[-1].message
    assert plan.sheets[0].unresolved == {}  # a new customer's owner is not looked up
    outcome = run(cast.kam, data)
    assert outcome.committed
    assert Customer.objects.get(pk=one.pk).owner == cast.kam
    assert unknown.action == "create"


def test_an_owner_nobody_is_called_is_offered_for_mapping(cast):
    one = register(cast.kam, "归属测试四有限公司", approve_by=cast.assistant)
    data = csv_bytes([HEADER, [one.name, "Darcel Schlecht"]])
    plan = importing.preview(user=cast.head, file_name="owners.csv", data=data)
    [row] = plan.rows
    assert row.action == "unchanged" and "stays as it is" in row.problems[0].message
    assert plan.sheets[0].unresolved == {"owner": {"Darcel Schlecht": 1}}
    mapping = importing.Mapping({"": importing.SheetMapping(
        values={"owner": {"darcel schlecht": "colleague"}})})  # fmt: skip
    mapped = importing.preview(user=cast.head, file_name="o.csv", data=data, mapping=mapping)
    assert [r.action for r in mapped.rows] == ["update"]
