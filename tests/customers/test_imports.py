"""Customers registered many at once (``customers.imports``): the same records, history and
requests as one ``registration_request`` each, a fixed number of statements, all or none."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from keyaccount.customers import rules, services
from keyaccount.customers.imports import NewCustomer, registrations_import
from keyaccount.customers.models import Customer, RegistrationRequest, RegistrationStatus
from keyaccount.customers.selectors import DuplicateView


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def code(n: int) -> str:
    body = f"91320000{n:09d}"
    return body + rules.credit_code_check_char(body)


def lot(count: int, start: int = 0) -> list[NewCustomer]:
    return [
        NewCustomer(data={"name": f"苏州星河{n}号科技有限公司", "credit_code": code(n)})
        for n in range(start, start + count)
    ]


def test_each_customer_is_a_pending_request_of_the_importer_with_its_history(cast):
    seen = DuplicateView(
        id=1, name="苏州星河科技", owner_name="x", status="registered", status_label="",
        reason=rules.DuplicateReason.SIMILAR_NAME, reason_label="", similarity=0.9,
    )  # fmt: skip
    items = [
        NewCustomer({"name": " 苏州星河 科技有限公司", "credit_code": code(1)}, duplicates=[seen]),
        NewCustomer(data={"name": "Acme Widgets Ltd", "revenue": 12}),
    ]  # fmt: skip
    ids = registrations_import(actor=cast.kam, items=items)
    first, second = (Customer.objects.get(pk=pk) for pk in ids)
    # the same record as the one-by-one service makes
    assert first.name == "苏州星河 科技有限公司"
    assert (first.name_key, first.core_key) == (
        rules.name_key(first.name),
        rules.core_key(first.name),
    )
    assert first.pinyin and first.pinyin_sort
    assert first.status == RegistrationStatus.PENDING
    assert (first.owner, first.owner_unit) == (cast.kam, cast.east)
    assert first.version == 1 and first.created_at is not None
    assert second.revenue == 12
    request = RegistrationRequest.objects.get(customer=first)
    assert request.requested_by == cast.kam
    assert request.confirmed_not_duplicate is True
    assert request.duplicates_shown == [seen.as_json()]
    assert RegistrationRequest.objects.get(customer=second).confirmed_not_duplicate is False
    created = first.history.get()
    assert (created.history_type, created.history_user) == ("+", cast.kam)
    assert created.name == first.name
    # the assistant decides them as any request
    services.registrations_decide(
        actor=cast.assistant, requests=list(RegistrationRequest.objects.all()), approve=True
    )
    assert set(Customer.objects.values_list("status", flat=True)) == {"registered"}


def test_the_statements_do_not_grow_with_the_customers(cast):
    with CaptureQueriesContext(connection) as few:
        registrations_import(actor=cast.kam, items=lot(5))
    with CaptureQueriesContext(connection) as many:
        registrations_import(actor=cast.kam, items=lot(400, start=100))
    assert len(many) == len(few)
    assert Customer.objects.count() == 405


def test_an_invalid_customer_refuses_the_lot_saying_which_and_why(cast):
    items = [
        *lot(2),
        NewCustomer(data={"name": "..."}),
        NewCustomer(data={"name": "好公司", "credit_code": "123"}),
    ]
    with pytest.raises(ValidationError) as caught:
        registrations_import(actor=cast.kam, items=items)
    errors = caught.value.message_dict
    assert set(errors) == {"3.name", "4.credit_code"}
    assert "nothing left once the legal form is removed" in errors["3.name"][0]
    assert not Customer.objects.exists()
    assert not RegistrationRequest.objects.exists()


def test_exact_duplicates_in_the_database_or_the_lot_refuse_it(cast):
    services.registration_request(
        actor=cast.colleague, data={"name": "苏州星河1号科技有限公司"}, confirm_not_duplicate=True
    )
    with pytest.raises(ValidationError) as caught:
        registrations_import(actor=cast.kam, items=lot(3))
    (message,) = caught.value.message_dict["2.name"]
    assert "already in the system" in message and "苏州星河1号科技有限公司" in message
    twice = [*lot(1), NewCustomer(data={"name": "苏州星河0号科技股份有限公司"})]
    with pytest.raises(ValidationError) as caught:
        registrations_import(actor=cast.kam, items=twice)
    assert caught.value.message_dict["2.name"] == ["The same company as customer 1 of this import."]
    assert Customer.objects.count() == 1


def test_only_those_who_register_customers_may_import_them(cast):
    with pytest.raises(PermissionDenied):
        registrations_import(actor=cast.assistant, items=lot(1))
    assert not Customer.objects.exists()
