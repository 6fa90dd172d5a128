"""The organisation API: who am I, and the org units I may see."""

import pytest
from django.test import Client

from keyaccount.org.services import api_token_create, api_token_revoke

from .test_selectors import EXPECTED_UNITS


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# --- /api/me --------------------------------------------------------------------------------


def test_me_returns_my_roles_and_unit(cast, client_for):
    cast.head.language = "en"
    cast.head.save()
    response = client_for(cast.head).get("/api/me")
    assert response.status_code == 200
    assert response.json() == {
        "id": cast.head.pk,
        "username": "head",
        "display_name": str(cast.head),
        "email": cast.head.email,
        "language": "en",
        "money_unit": "auto",  # amounts scaled by size unless the user chose a unit
        "unit_id": cast.ka_dept.pk,
        "unit_name": "大客户部",
        "roles": [
            {"code": "department_head", "name": "KA department head", "unit_id": cast.ka_dept.pk}
        ],
        "sees_everything": False,
    }


def test_me_gives_role_names_in_my_language(cast, client_for):
    response = client_for(cast.kam).get("/api/me")
    assert response.json()["roles"] == [{"code": "kam", "name": "大客户经理", "unit_id": None}]


def test_me_for_the_administrator_sees_everything(cast, client_for):
    body = client_for(cast.admin).get("/api/me").json()
    assert body["sees_everything"] is True
    assert [r["code"] for r in body["roles"]] == ["administrator"]


def test_me_with_an_api_token(cast):
    issued = api_token_create(actor=cast.kam, name="script")
    response = Client().get("/api/me", headers=bearer(issued.key))
    assert response.status_code == 200
    assert (response.json()["username"], response.json()["unit_id"]) == ("kam", cast.east.pk)


def test_me_refuses_anonymous_requests(client, db):
    assert client.get("/api/me").status_code == 401


def test_me_refuses_a_revoked_token(cast):
    issued = api_token_create(actor=cast.kam, name="script")
    api_token_revoke(actor=cast.kam, token=issued.token)
    assert Client().get("/api/me", headers=bearer(issued.key)).status_code == 401


def test_me_refuses_a_token_of_an_inactive_user(cast):
    issued = api_token_create(actor=cast.kam, name="script")
    cast.kam.is_active = False
    cast.kam.save()
    assert Client().get("/api/me", headers=bearer(issued.key)).status_code == 401


def test_me_refuses_the_session_of_a_deactivated_user(cast, client_for):
    client = client_for(cast.kam)
    cast.kam.is_active = False
    cast.kam.save()
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize("key", ["ka_not-a-real-token", "not-even-the-prefix", ""])
def test_me_refuses_a_garbage_token(db, key):
    assert Client().get("/api/me", headers=bearer(key)).status_code == 401


# --- /api/org/units -------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), sorted(EXPECTED_UNITS.items()))
def test_org_units_follow_visibility(cast, client_for, role, expected):
    response = client_for(cast.roles()[role]).get("/api/org/units")
    assert response.status_code == 200
    assert {u["name"] for u in response.json()} == expected


def test_org_units_describe_each_unit(cast, client_for):
    units = {u["name"]: u for u in client_for(cast.kam).get("/api/org/units").json()}
    assert units["华东团队"] == {
        "id": cast.east.pk,
        "name": "华东团队",
        "kind": "team",
        "parent_id": cast.ka_dept.pk,
        "manager_id": cast.team_lead.pk,
        "manager_name": str(cast.team_lead),
        "is_active": True,
    }


def test_org_units_with_a_token_follow_the_tokens_user(cast):
    issued = api_token_create(actor=cast.outsider, name="script")
    response = Client().get("/api/org/units", headers=bearer(issued.key))
    assert {u["name"] for u in response.json()} == {"测试公司", "市场部"}


def test_org_unit_detail_of_a_visible_unit(cast, client_for):
    response = client_for(cast.kam).get(f"/api/org/units/{cast.east.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "华东团队"


@pytest.mark.parametrize(("role", "unit"), [("outsider", "east"), ("kam", "north")])
def test_org_unit_detail_of_an_invisible_unit_is_a_404(cast, client_for, role, unit):
    unit_id = getattr(cast, unit).pk
    assert client_for(cast.roles()[role]).get(f"/api/org/units/{unit_id}").status_code == 404


def test_org_unit_detail_of_a_missing_unit_is_a_404(cast, client_for):
    assert client_for(cast.admin).get("/api/org/units/999999").status_code == 404


def test_org_units_refuse_anonymous_requests(client, db):
    assert client.get("/api/org/units").status_code == 401
