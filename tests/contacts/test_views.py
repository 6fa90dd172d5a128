"""Contact pages: add and edit a customer's contacts, with mainland mobiles checked, reporting
lines kept inside the customer and no lost updates."""

import pytest

from keyaccount.contacts.models import Contact
from keyaccount.contacts.services import contact_create, contact_update
from keyaccount.customers import services
from keyaccount.customers.models import Customer


@pytest.fixture(autouse=True)
def english(cast):
    for user in cast.roles().values():
        user.language = "en"
        user.save()
    cast.head.display_name = "周健"
    cast.head.save()


def registered(cast, owner, name) -> Customer:
    result = services.registration_request(
        actor=owner, data={"name": name}, confirm_not_duplicate=True
    )
    services.registration_decide(actor=cast.assistant, request=result.request, approve=True)
    return Customer.objects.get(pk=result.request.customer_id)


@pytest.fixture
def customer(cast) -> Customer:
    return registered(cast, cast.kam, "江苏省电网运营有限公司")


@pytest.fixture
def boss(cast, customer) -> Contact:
    return contact_create(
        actor=cast.kam, customer=customer, data={"name": "张总", "title": "总经理"}
    )


def contact_post(**data) -> dict:
    return {"name": "李主任", "title": "信息中心主任", "department": "信息中心", **data}


def test_a_contact_is_added_with_a_normalised_mobile_and_a_boss(cast, client_for, customer, boss):
    response = client_for(cast.kam).post(
        f"/customers/{customer.pk}/contacts/new/",
        contact_post(mobile="+86 139-1234-5678", reports_to=boss.pk),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/?tab=contacts"
    contact = Contact.objects.get(name="李主任")
    assert (contact.customer, contact.mobile, contact.reports_to) == (customer, "13912345678", boss)
    assert contact.history.get().history_user == cast.kam


def test_the_form_offers_only_this_customers_contacts_as_boss(cast, client_for, customer, boss):
    other = registered(cast, cast.kam, "金陵商业银行股份有限公司")
    stranger = contact_create(actor=cast.kam, customer=other, data={"name": "王行长"})
    form = client_for(cast.kam).get(f"/customers/{customer.pk}/contacts/new/").context["form"]
    offered = list(form.fields["reports_to"].queryset)
    assert offered == [boss]
    assert stranger not in offered


@pytest.mark.parametrize("mobile", ["12345678901", "1391234567", "010-88886666"])
def test_a_mobile_that_is_not_a_mainland_mobile_is_refused(cast, client_for, customer, mobile):
    response = client_for(cast.kam).post(
        f"/customers/{customer.pk}/contacts/new/", contact_post(mobile=mobile)
    )
    assert response.status_code == 400
    assert "not a mainland mobile" in response.context["form"].errors["mobile"][0]
    assert not Contact.objects.exists()


def test_a_reporting_line_to_another_customers_contact_is_refused(cast, client_for, customer):
    other = registered(cast, cast.kam, "金陵商业银行股份有限公司")
    stranger = contact_create(actor=cast.kam, customer=other, data={"name": "王行长"})
    response = client_for(cast.kam).post(
        f"/customers/{customer.pk}/contacts/new/", contact_post(reports_to=stranger.pk)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["reports_to"]
    assert list(Contact.objects.values_list("name", flat=True)) == ["王行长"]


def test_a_contact_is_edited_and_the_version_is_checked(cast, client_for, customer, boss):
    client = client_for(cast.kam)
    page = client.get(f"/contacts/{boss.pk}/edit/")
    assert page.status_code == 200
    assert page.context["form"].initial["version"] == boss.version
    response = client.post(
        f"/contacts/{boss.pk}/edit/",
        {"name": "张总", "title": "董事长", "version": boss.version, "is_active": "on"},
    )
    assert response.status_code == 302
    boss.refresh_from_db()
    assert (boss.title, boss.version, boss.is_active) == ("董事长", 2, True)


def test_a_stale_contact_edit_is_refused_naming_who_changed_it(cast, client_for, customer, boss):
    opened_at = boss.version
    contact_update(
        actor=cast.head, contact=boss, data={"title": "总裁"}, expected_version=opened_at
    )
    response = client_for(cast.kam).post(
        f"/contacts/{boss.pk}/edit/",
        {"name": "张总", "title": "董事长", "version": opened_at, "is_active": "on"},
    )
    assert response.status_code == 409
    assert "周健 changed this record" in response.context["form"].non_field_errors()[0]
    assert "董事长" in response.content.decode()
    boss.refresh_from_db()
    assert boss.title == "总裁"


def test_a_reporting_cycle_is_refused(cast, client_for, customer, boss):
    deputy = contact_create(
        actor=cast.kam, customer=customer, data={"name": "副总", "reports_to": boss}
    )
    response = client_for(cast.kam).post(
        f"/contacts/{boss.pk}/edit/",
        {"name": "张总", "reports_to": deputy.pk, "version": boss.version, "is_active": "on"},
    )
    assert response.status_code == 400
    assert "already reports" in response.context["form"].errors["reports_to"][0]
    boss.refresh_from_db()
    assert boss.reports_to is None


def test_a_contact_cannot_be_their_own_boss(cast, client_for, customer, boss):
    form = client_for(cast.kam).get(f"/contacts/{boss.pk}/edit/").context["form"]
    assert boss not in form.fields["reports_to"].queryset


def test_a_contact_who_left_is_kept_and_marked(cast, client_for, customer, boss):
    response = client_for(cast.kam).post(
        f"/contacts/{boss.pk}/edit/", {"name": "张总", "version": boss.version}
    )
    assert response.status_code == 302
    boss.refresh_from_db()
    assert boss.is_active is False
    page = client_for(cast.kam).get(f"/customers/{customer.pk}/?tab=contacts")
    assert page.context["chart"]["active"] is False
    assert "no longer there" in page.content.decode()


@pytest.mark.parametrize("role", ["kam", "team_lead", "head", "director", "assistant", "admin"])
def test_who_may_change_contacts_opens_the_forms(cast, client_for, customer, boss, role):
    client = client_for(getattr(cast, role))
    assert client.get(f"/customers/{customer.pk}/contacts/new/").status_code == 200
    assert client.get(f"/contacts/{boss.pk}/edit/").status_code == 200


@pytest.mark.parametrize("role", ["outsider", "colleague", "north_kam", "consultant"])
def test_contacts_of_a_customer_outside_visibility_are_a_404(
    cast, client_for, customer, boss, role
):
    client = client_for(getattr(cast, role))
    assert client.get(f"/customers/{customer.pk}/contacts/new/").status_code == 404
    assert client.post(f"/customers/{customer.pk}/contacts/new/", contact_post()).status_code == 404
    assert client.get(f"/contacts/{boss.pk}/edit/").status_code == 404
    response = client.post(f"/contacts/{boss.pk}/edit/", {"name": "改名", "version": 1})
    assert response.status_code == 404
    assert list(Contact.objects.values_list("name", flat=True)) == ["张总"]


def test_a_missing_contact_is_a_404(cast, client_for):
    assert client_for(cast.admin).get("/contacts/999999/edit/").status_code == 404
