"""The people API: who is listed, the unit filter (with the units below), search, inactive
people, unit paths and roles, e-mail addresses for administrators only."""

from ..api_support import Api


def names(answer) -> set[str]:
    return {item["username"] for item in answer.json()["items"]}


def test_a_kam_lists_the_people_of_the_units_they_see(cast):
    answer = Api(cast.kam).get("/api/org/people", {"limit": 200})
    assert answer.status_code == 200
    listed = names(answer)
    assert {"kam", "colleague", "team_lead", "head", "admin"} <= listed
    assert not listed & {"north_kam", "outsider"}
    item = next(i for i in answer.json()["items"] if i["username"] == "kam")
    assert item["unit_path"] == ["测试公司", "大客户部", "华东团队"]
    assert [r["code"] for r in item["roles"]] == ["kam"]
    assert item["email"] is None


def test_the_administrator_sees_everyone_with_e_mail(cast):
    cast.kam.email = "kam@example.cn"
    cast.kam.save()
    answer = Api(cast.admin, "token").get("/api/org/people", {"limit": 200, "q": "kam"})
    by_name = {i["username"]: i for i in answer.json()["items"]}
    assert by_name["kam"]["email"] == "kam@example.cn"
    assert {"kam", "north_kam"} <= set(by_name)


def test_a_unit_with_the_units_below_it(cast):
    answer = Api(cast.admin).get("/api/org/people", {"unit": cast.ka_dept.pk, "limit": 200})
    listed = names(answer)
    assert {"kam", "north_kam", "head"} <= listed
    assert not listed & {"outsider", "admin"}
    east = names(Api(cast.admin).get("/api/org/people", {"unit": cast.east.pk}))
    assert "north_kam" not in east and "kam" in east


def test_inactive_people_on_request(cast):
    cast.colleague.is_active = False
    cast.colleague.save()
    api = Api(cast.team_lead)
    assert "colleague" not in names(api.get("/api/org/people", {"limit": 200}))
    inactive = api.get("/api/org/people", {"active": "false"})
    assert names(inactive) == {"colleague"}
    assert api.get(f"/api/org/people/{cast.colleague.pk}").json()["is_active"] is False


def test_one_person_is_a_404_outside_the_units_i_see(cast):
    api = Api(cast.kam)
    assert api.get(f"/api/org/people/{cast.colleague.pk}").status_code == 200
    assert api.get(f"/api/org/people/{cast.outsider.pk}").status_code == 404
    assert api.get("/api/org/people", {"limit": 0}).status_code == 422
