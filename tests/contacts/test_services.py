"""Contact services: validated mobiles, reporting lines inside one customer without cycles,
no lost updates."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from keyaccount.contacts.models import Contact
from keyaccount.contacts.selectors import contacts_for, org_chart
from keyaccount.contacts.services import contact_create, contact_update
from keyaccount.core.versioning import StaleEditError
from keyaccount.customers import services as customer_services
from keyaccount.customers.models import Customer

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def registered(cast, actor, name) -> Customer:
    result = customer_services.registration_request(
        actor=actor, data={"name": name}, confirm_not_duplicate=True
    )
    customer_services.registration_decide(
        actor=cast.assistant, request=result.request, approve=True
    )
    return Customer.objects.get(pk=result.request.customer_id)


@pytest.fixture
def customer(cast) -> Customer:
    return registered(cast, cast.kam, "江苏省电网运营有限公司")


@pytest.fixture
def other_customer(cast) -> Customer:
    return registered(cast, cast.kam, "金陵商业银行股份有限公司")


def add(cast, customer, name, **data) -> Contact:
    return contact_create(actor=cast.kam, customer=customer, data={"name": name, **data})


def test_a_contact_is_created_with_a_normalised_mobile(cast, customer):
    contact = add(cast, customer, "  张伟 ", title="信息中心主任", mobile="+86 138-0013-8000")
    contact.refresh_from_db()
    assert (contact.name, contact.title, contact.mobile, contact.version) == (
        "张伟",
        "信息中心主任",
        "13800138000",
        1,
    )
    assert contact.history.get().history_user == cast.kam


@pytest.mark.parametrize("mobile", ["010-12345678", "138001380001", "12800138000"])
def test_a_mobile_that_is_not_a_mainland_mobile_is_refused(cast, customer, mobile):
    with pytest.raises(ValidationError) as exc:
        add(cast, customer, "张伟", mobile=mobile)
    assert exc.value.message_dict == {
        "mobile": [f"“{mobile}” is not a mainland mobile number (11 digits starting with 13–19)."]
    }
    assert Contact.objects.count() == 0


def test_a_landline_goes_in_the_office_phone(cast, customer):
    contact = add(cast, customer, "张伟", phone="025-8888 6666")
    assert (contact.mobile, contact.phone) == ("", "025-8888 6666")


def test_a_contact_needs_a_name(cast, customer):
    with pytest.raises(ValidationError) as exc:
        add(cast, customer, "   ")
    assert exc.value.message_dict == {"name": ["The contact needs a name."]}


def test_a_reporting_line_inside_the_customer_is_kept(cast, customer):
    boss = add(cast, customer, "王总", title="总经理")
    report = add(cast, customer, "李主任", title="信息中心主任", reports_to=boss)
    assert report.reports_to == boss
    chart = org_chart(list(contacts_for(user=cast.kam, customer=customer)))
    assert [(n["name"], [c["name"] for c in n["children"]]) for n in chart] == [
        ("王总", ["李主任"])
    ]


def test_reporting_to_someone_at_another_customer_is_refused(cast, customer, other_customer):
    outsider = add(cast, other_customer, "赵行长")
    with pytest.raises(ValidationError) as exc:
        add(cast, customer, "李主任", reports_to=outsider)
    assert exc.value.message_dict == {
        "reports_to": [
            "赵行长 works for another customer: reporting lines stay inside one customer."
        ]
    }
    assert Contact.objects.filter(customer=customer).count() == 0


def test_a_reporting_cycle_is_refused(cast, customer):
    top = add(cast, customer, "王总")
    middle = add(cast, customer, "李主任", reports_to=top)
    bottom = add(cast, customer, "赵工", reports_to=middle)
    with pytest.raises(ValidationError) as exc:
        contact_update(actor=cast.kam, contact=top, data={"reports_to": bottom}, expected_version=1)
    assert exc.value.message_dict == {
        "reports_to": ["赵工 already reports (directly or not) to 王总."]
    }
    top.refresh_from_db()
    assert (top.reports_to_id, top.version) == (None, 1)


def test_a_contact_cannot_report_to_itself(cast, customer):
    me = add(cast, customer, "王总")
    with pytest.raises(ValidationError) as exc:
        contact_update(actor=cast.kam, contact=me, data={"reports_to": me}, expected_version=1)
    assert exc.value.message_dict == {
        "reports_to": ["王总 already reports (directly or not) to 王总."]
    }


def test_moving_a_contact_under_a_colleague_is_fine(cast, customer):
    top = add(cast, customer, "王总")
    a = add(cast, customer, "李主任", reports_to=top)
    b = add(cast, customer, "赵工", reports_to=top)
    saved = contact_update(actor=cast.kam, contact=b, data={"reports_to": a}, expected_version=1)
    assert (saved.reports_to, saved.version) == (a, 2)


def test_a_stale_contact_update_is_refused_and_writes_nothing(cast, customer):
    cast.team_lead.display_name = "陈静"
    cast.team_lead.save()
    contact = add(cast, customer, "王总", mobile="13800138000")
    mine = Contact.objects.get(pk=contact.pk)
    theirs = Contact.objects.get(pk=contact.pk)
    contact_update(
        actor=cast.team_lead, contact=theirs, data={"title": "董事长"}, expected_version=1
    )

    with pytest.raises(StaleEditError) as exc:
        contact_update(
            actor=cast.kam, contact=mine, data={"mobile": "13900139000"}, expected_version=1
        )

    assert (exc.value.changed_by, exc.value.current_version) == ("陈静", 2)
    contact.refresh_from_db()
    assert (contact.title, contact.mobile, contact.version) == ("董事长", "13800138000", 2)


def test_an_update_normalises_the_mobile_too(cast, customer):
    contact = add(cast, customer, "王总")
    saved = contact_update(
        actor=cast.kam, contact=contact, data={"mobile": "0086 139 0013 9000"}, expected_version=1
    )
    assert Contact.objects.get(pk=saved.pk).mobile == "13900139000"


@pytest.mark.parametrize("role", ["colleague", "north_kam", "consultant", "outsider"])
def test_who_may_not_edit_the_customer_may_not_change_its_contacts(cast, customer, role):
    contact = add(cast, customer, "王总")
    actor = getattr(cast, role)
    with pytest.raises(PermissionDenied):
        contact_create(actor=actor, customer=customer, data={"name": "新联系人"})
    with pytest.raises(PermissionDenied):
        contact_update(actor=actor, contact=contact, data={"title": "x"}, expected_version=1)
    assert list(Contact.objects.values_list("name", "title")) == [("王总", "")]


@pytest.mark.parametrize("role", ["team_lead", "head", "assistant"])
def test_managers_and_the_assistant_keep_contacts(cast, customer, role):
    contact = contact_create(actor=getattr(cast, role), customer=customer, data={"name": "王总"})
    assert contact.customer == customer
