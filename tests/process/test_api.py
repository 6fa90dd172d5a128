"""The playbook API: stages with steps and criteria, in the requester's language."""

import pytest
from django.test import Client

from keyaccount.org.services import api_token_create
from keyaccount.process.models import ExitCriterion, Stage

CODES = ["development", "initiation", "proposal", "tender", "negotiation", "implementation"]


def get_as(client_for, user, language, url):
    user.language = language
    user.save()
    return client_for(user).get(url)


def test_stages_returns_the_six_stages_in_order(cast, client_for):
    response = get_as(client_for, cast.kam, "en", "/api/process/stages")
    assert response.status_code == 200
    stages = response.json()
    assert [s["code"] for s in stages] == CODES
    assert [s["order"] for s in stages] == [1, 2, 3, 4, 5, 6]
    assert [s["probability"] for s in stages] == [10, 25, 40, 60, 80, 100]
    assert [len(s["steps"]) for s in stages] == [3, 3, 3, 3, 3, 3]
    assert sum(len(s["criteria"]) for s in stages) == ExitCriterion.objects.count()


def test_stages_in_english_for_an_english_user(cast, client_for):
    first = get_as(client_for, cast.kam, "en", "/api/process/stages").json()[0]
    assert (first["name"], first["name_zh"], first["name_en"]) == (
        "Customer development",
        "客户开发",
        "Customer development",
    )
    assert [s["name"] for s in first["steps"]] == [
        "Lead discovery",
        "First interview",
        "Needs survey",
    ]
    assert [s["number"] for s in first["steps"]] == ["1.1", "1.2", "1.3"]
    assert all(c["text"] == c["text_en"] for c in first["criteria"])
    assert first["objective"] == Stage.objects.get(code="development").objective_en


def test_stages_in_chinese_for_a_chinese_user(cast, client_for):
    first = get_as(client_for, cast.kam, "zh-hans", "/api/process/stages").json()[0]
    assert first["name"] == "客户开发"
    assert [s["name"] for s in first["steps"]] == ["发现客户线索", "初次访谈", "需求调研"]
    assert all(c["text"] == c["text_zh"] for c in first["criteria"])


def test_stages_with_a_token_answer_in_the_token_owners_language(cast):
    cast.north_kam.language = "en"
    cast.north_kam.save()
    issued = api_token_create(actor=cast.north_kam, name="script")
    response = Client().get(
        "/api/process/stages", headers={"Authorization": f"Bearer {issued.key}"}
    )
    assert response.status_code == 200
    assert response.json()[3]["name"] == "Tender"


def test_stage_one_lists_its_forms_roles_and_step_criteria(cast, client_for):
    first = get_as(client_for, cast.kam, "en", "/api/process/stages").json()[0]
    assert [f["code"] for f in first["required_forms"]] == [
        "customer_profile",
        "ka_follow_up",
        "risk_assessment",
    ]
    assert "kam" in first["roles"]
    assert {c["step_code"] for c in first["criteria"]} <= {
        None,
        "lead_discovery",
        "first_interview",
        "needs_survey",
    }
    assert all(item for item in first["activities"])


def test_stage_detail_by_code(cast, client_for):
    response = get_as(client_for, cast.kam, "en", "/api/process/stages/tender")
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["order"], body["name"], body["probability"]) == (
        "tender",
        4,
        "Tender",
        60,
    )


@pytest.mark.parametrize("code", ["unknown", "DEVELOPMENT", "1"])
def test_stage_detail_of_an_unknown_code_is_a_404(cast, client_for, code):
    response = client_for(cast.kam).get(f"/api/process/stages/{code}")
    assert response.status_code == 404


def test_stages_refuse_anonymous_requests(client, db):
    assert client.get("/api/process/stages").status_code == 401
    assert client.get("/api/process/stages/development").status_code == 401


@pytest.mark.parametrize("role", ["kam", "consultant", "outsider", "assistant", "admin"])
def test_every_signed_in_role_reads_the_same_playbook(cast, client_for, role):
    response = get_as(client_for, cast.roles()[role], "en", "/api/process/stages")
    assert [s["code"] for s in response.json()] == CODES


def test_stages_run_a_fixed_number_of_queries(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.kam)
    client.get("/api/process/stages")
    with django_assert_max_num_queries(10):
        assert client.get("/api/process/stages").status_code == 200
