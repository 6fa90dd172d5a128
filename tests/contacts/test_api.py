"""The contacts REST API: visible exactly when the customer is, created and changed through the
services (mobile numbers and reporting lines checked), no lost updates, token = session."""

import pytest

from keyaccount.contacts.models import Contact
from keyaccount.contacts.services import contact_create
from keyaccount.customers.models import Customer

from ..api_support import VIAS, Api, registered

CONTACTS = "/api/contacts/"
KAM_CUSTOMER_VIEWERS = {"kam", "team_lead", "head", "director", "assistant", "admin"}


@pytest.fixture
def customers(cast) -> dict[str, Customer]:
    return {
        "grid": registered(cast.kam, cast.assistant, "江苏省电网运营有限公司"),
        "bank": registered(cast.kam, cast.assistant, "金陵商业银行股份有限公司"),
        "north": registered(cast.north_kam, cast.assistant, "燕山钢铁集团有限公司"),
    }


@pytest.fixture
def boss(cast, customers) -> Contact:
    return contact_create(
        actor=cast.kam,
        customer=customers["grid"],
        data={"name": "王建国", "title": "总经理", "mobile": "13812345678"},
    )


@pytest.mark.parametrize("via", VIAS)
def test_contacts_are_visible_exactly_when_their_customer_is(cast, customers, boss, via):
    grid = customers["grid"]
    contact_create(actor=cast.north_kam, customer=customers["north"], data={"name": "北方联系人"})
    missing_customer = Api(cast.kam, via).get(CONTACTS, {"customer": 987654321})
    missing_contact = Api(cast.kam, via).get(f"{CONTACTS}987654321")
    assert missing_customer.status_code == missing_contact.status_code == 404
    for role, user in cast.roles().items():
        api = Api(user, via)
        listed = api.get(CONTACTS, {"customer": grid.pk})
        one = api.get(f"{CONTACTS}{boss.pk}")
        if role in KAM_CUSTOMER_VIEWERS:
            assert listed.status_code == 200, role
            assert [c["name"] for c in listed.json()] == ["王建国"], role
            assert one.status_code == 200 and one.json()["title"] == "总经理", role
        else:
            assert listed.status_code == 404, role
            assert one.status_code == 404, role
            assert one.json() == missing_contact.json()
            assert listed.json() == missing_customer.json()


def test_the_customer_parameter_is_required(cast, customers):
    response = Api(cast.kam).get(CONTACTS)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["customer"]


@pytest.mark.parametrize("via", VIAS)
def test_create_checks_the_mobile_and_keeps_reporting_lines_inside_the_customer(
    cast, customers, boss, via
):
    grid, bank = customers["grid"], customers["bank"]
    api = Api(cast.kam, via)
    bad_mobile = api.post(CONTACTS, {"customer_id": grid.pk, "name": "李工", "mobile": "1234567"})
    assert bad_mobile.status_code == 422
    body = bad_mobile.json()
    assert list(body["errors"]) == ["mobile"] and "1234567" in body["errors"]["mobile"][0]
    across = api.post(
        CONTACTS, {"customer_id": bank.pk, "name": "行长助理", "reports_to_id": boss.pk}
    )
    assert across.status_code == 422
    assert list(across.json()["errors"]) == ["reports_to_id"]
    assert "王建国" in across.json()["errors"]["reports_to_id"][0]
    bad_email = api.post(CONTACTS, {"customer_id": grid.pk, "name": "李工", "email": "li@"})
    assert bad_email.status_code == 422 and list(bad_email.json()["errors"]) == ["email"]
    no_name = api.post(CONTACTS, {"customer_id": grid.pk, "name": "  "})
    assert no_name.status_code == 422 and list(no_name.json()["errors"]) == ["name"]
    assert Contact.objects.count() == 1

    response = api.post(
        CONTACTS,
        {
            "customer_id": grid.pk,
            "name": "李工",
            "title": "信息中心主任",
            "mobile": "+86 139-1234-5678",
            "reports_to_id": boss.pk,
            "wechat": "li_gong",
        },
    )
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["mobile"] == "13912345678", "normalised"
    assert made["reports_to"] == {"id": boss.pk, "name": "王建国"}
    assert made["customer_id"] == grid.pk and made["version"] == 1
    chart = api.get(f"/api/customers/{grid.pk}/org-chart").json()
    assert [(n["name"], [c["name"] for c in n["children"]]) for n in chart] == [
        ("王建国", ["李工"])
    ]


def test_who_may_add_contacts(cast, customers):
    grid, north = customers["grid"], customers["north"]
    body = {"customer_id": grid.pk, "name": "张三"}
    for user, status in (
        (cast.kam, 201),
        (cast.team_lead, 201),
        (cast.assistant, 201),
        (cast.head, 201),
        (cast.colleague, 404),
        (cast.consultant, 404),
        (cast.outsider, 404),
    ):
        response = Api(user, "token").post(CONTACTS, {**body, "name": f"张三{user.username}"})
        assert response.status_code == status, (user.username, response.content)
    assert Api(cast.kam).post(CONTACTS, {**body, "customer_id": north.pk}).status_code == 404
    assert Contact.objects.filter(customer=north).count() == 0


@pytest.mark.parametrize("via", VIAS)
def test_patch_with_version_refuses_a_stale_one_naming_who_changed_it(cast, customers, boss, via):
    path = f"{CONTACTS}{boss.pk}"
    read_by_kam = Api(cast.kam, via).get(path).json()
    changed = Api(cast.assistant, via).patch(
        path, {"version": read_by_kam["version"], "title": "董事长"}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "董事长" and changed.json()["mobile"] == "13812345678"
    stale = Api(cast.kam, via).patch(path, {"version": read_by_kam["version"], "notes": "mine"})
    assert stale.status_code == 409
    assert str(cast.assistant) in stale.json()["detail"]
    assert stale.json()["current_version"] == changed.json()["version"]
    assert Contact.objects.get(pk=boss.pk).notes == ""
    bad = Api(cast.kam, via).patch(
        path, {"version": changed.json()["version"], "mobile": "02512345678"}
    )
    assert bad.status_code == 422 and list(bad.json()["errors"]) == ["mobile"]
    left = Api(cast.kam, via).patch(
        path, {"version": changed.json()["version"], "is_active": False}
    )
    assert left.status_code == 200 and left.json()["is_active"] is False
    assert Api(cast.colleague, via).patch(path, {"version": 9, "notes": "x"}).status_code == 404


def test_reporting_lines_cannot_loop(cast, customers, boss):
    api = Api(cast.kam)
    cio = api.post(
        CONTACTS, {"customer_id": customers["grid"].pk, "name": "李工", "reports_to_id": boss.pk}
    ).json()
    loop = api.patch(f"{CONTACTS}{boss.pk}", {"version": boss.version, "reports_to_id": cio["id"]})
    assert loop.status_code == 422 and list(loop.json()["errors"]) == ["reports_to_id"]
    hidden = contact_create(
        actor=cast.north_kam, customer=customers["north"], data={"name": "北方联系人"}
    )
    unknown = api.patch(
        f"{CONTACTS}{boss.pk}", {"version": boss.version, "reports_to_id": hidden.pk}
    )
    assert unknown.status_code == 422 and list(unknown.json()["errors"]) == ["reports_to_id"]
    assert "北方联系人" not in unknown.content.decode(), "a contact I cannot see stays unnamed"
    cleared = api.patch(
        f"{CONTACTS}{cio['id']}", {"version": cio["version"], "reports_to_id": None}
    )
    assert cleared.status_code == 200 and cleared.json()["reports_to"] is None


def test_token_and_session_answer_the_same(cast, customers, boss):
    for user in (cast.kam, cast.assistant, cast.outsider):
        session, token = Api(user, "session"), Api(user, "token")
        for path, params in (
            (CONTACTS, {"customer": customers["grid"].pk}),
            (f"{CONTACTS}{boss.pk}", None),
        ):
            a, b = session.get(path, params), token.get(path, params)
            assert (a.status_code, a.json()) == (b.status_code, b.json()), (user, path)
