"""Contacts added many at once (``contacts.imports``): reporting lines among the new ones,
history rows, a fixed number of statements, all or none."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from keyaccount.contacts.imports import NewContact, contacts_import
from keyaccount.contacts.models import Contact
from keyaccount.contacts.services import contact_create
from keyaccount.customers import services as customer_services
from keyaccount.customers.models import Customer


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def registered(cast, name, owner=None) -> Customer:
    result = customer_services.registration_request(
        actor=owner or cast.kam, data={"name": name}, confirm_not_duplicate=True
    )
    customer_services.registration_decide(
        actor=cast.assistant, request=result.request, approve=True
    )
    return Customer.objects.select_related("owner").get(pk=result.request.customer_id)


def test_contacts_come_with_their_bosses_new_or_existing_and_their_history(cast):
    customer = registered(cast, "江苏省电网运营有限公司")
    cio = contact_create(actor=cast.kam, customer=customer, data={"name": "周总"})
    items = [
        NewContact(customer=customer, data={"name": "张伟", "mobile": "139 1234 5678"}, boss=3),
        NewContact(customer=customer, data={"name": "李娜", "title": "处长"}, boss=cio),
        NewContact(customer=customer, data={"name": "王强"}, boss=2),
    ]
    ids = contacts_import(actor=cast.kam, items=items)
    zhang, li, wang = (Contact.objects.get(pk=pk) for pk in ids)
    assert zhang.mobile == "13912345678" and zhang.pinyin
    assert (zhang.reports_to, wang.reports_to, li.reports_to) == (wang, li, cio)
    created = zhang.history.get()
    assert (created.history_type, created.history_user) == ("+", cast.kam)


def test_the_statements_do_not_grow_with_the_contacts(cast):
    customer = registered(cast, "江苏省电网运营有限公司")
    with CaptureQueriesContext(connection) as few:
        contacts_import(actor=cast.kam, items=[NewContact(customer, {"name": "甲"})])
    items = [NewContact(customer, {"name": f"联系人{n}"}, boss=n or None) for n in range(300)]
    with CaptureQueriesContext(connection) as many:
        contacts_import(actor=cast.kam, items=items)
    assert len(many) == len(few)
    assert Contact.objects.count() == 301


def test_a_bad_contact_a_circle_or_someone_elses_customer_refuses_the_lot(cast):
    mine = registered(cast, "江苏省电网运营有限公司")
    theirs = registered(cast, "北京银行股份有限公司", owner=cast.north_kam)
    items = [
        NewContact(mine, {"name": "甲"}, boss=2),
        NewContact(mine, {"name": "乙"}, boss=1),
        NewContact(mine, {"name": "丙", "mobile": "12"}),
        NewContact(theirs, {"name": "丁"}),
        NewContact(mine, {"name": "戊"}, boss=4),
    ]
    with pytest.raises(ValidationError) as caught:
        contacts_import(actor=cast.kam, items=items)
    errors = caught.value.message_dict
    assert "already reports" in errors["1.reports_to"][0]
    assert "already reports" in errors["2.reports_to"][0]
    assert "3.mobile" in errors
    assert errors["4"] == ["You may not change this customer's contacts."]
    assert "works for another customer" in errors["5.reports_to"][0]
    assert not Contact.objects.exists()
