"""The playbook page: six stages in the reader's language, in a fixed number of queries."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from keyaccount.process.models import ExitCriterion, Stage, Step

NAMES = {
    "en": [
        "Customer development",
        "Project initiation",
        "Proposal",
        "Tender",
        "Negotiation",
        "Implementation",
    ],
    "zh-hans": ["客户开发", "立项", "提案", "招投标", "商务谈判", "工程实施"],
}
STAGE_TITLE = re.compile(r'<h2 class="card-title mb-0 me-auto">(.*?)</h2>')


def page_for(client_for, user, language):
    user.language = language
    user.save()
    response = client_for(user).get("/process/")
    assert response.status_code == 200
    return response


def test_playbook_requires_login(client, db):
    response = client.get("/process/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/process/"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_playbook_shows_the_six_stages_in_my_language(cast, client_for, language):
    body = page_for(client_for, cast.kam, language).content.decode()
    assert body.count('data-testid="stage"') == 6
    assert STAGE_TITLE.findall(body) == NAMES[language]
    assert f'<html lang="{language}">' in body


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_playbook_shows_the_steps_numbered_in_my_language(cast, client_for, language):
    body = page_for(client_for, cast.kam, language).content.decode()
    assert body.count('data-testid="step"') == Step.objects.count() == 18
    step = "Lead discovery" if language == "en" else "发现客户线索"
    assert f'<span class="text-secondary me-2">1.1</span>{step}' in body


def test_playbook_in_english_shows_english_criteria(cast, client_for):
    body = page_for(client_for, cast.kam, "en").content.decode()
    for criterion in ExitCriterion.objects.all():
        assert escape(criterion.text_en) in body


def test_playbook_shows_the_probability_of_each_stage(cast, client_for):
    body = page_for(client_for, cast.kam, "en").content.decode()
    for name, probability in zip(NAMES["en"], [10, 25, 40, 60, 80, 100], strict=True):
        assert f"{name} · {probability}%" in body


def test_playbook_chart_data_follows_the_language(cast, client_for):
    body = page_for(client_for, cast.kam, "en").content.decode()
    raw = re.search(
        r'<script id="playbook-chart-data" type="application/json">(.*?)</script>', body
    )
    assert raw is not None
    assert json.loads(raw.group(1)) == {
        "stages": NAMES["en"],
        "probability": [10, 25, 40, 60, 80, 100],
        "norm_days": list(Stage.objects.order_by("order").values_list("norm_days", flat=True)),
    }


def test_playbook_shows_required_forms(cast, client_for):
    response = page_for(client_for, cast.kam, "en")
    stages = response.context["stages"]
    assert [f.form for f in stages[0].required_forms.all()] == [
        "customer_profile",
        "ka_follow_up",
        "risk_assessment",
    ]


def test_playbook_edit_link_only_for_staff(cast, client_for):
    link = 'href="/admin/process/stage/"'
    assert link in page_for(client_for, cast.admin, "en").content.decode()
    assert link not in page_for(client_for, cast.head, "en").content.decode()


def test_playbook_falls_back_to_chinese_where_english_is_missing(cast, client_for):
    Stage.objects.filter(code="tender").update(name_en="")
    body = page_for(client_for, cast.kam, "en").content.decode()
    assert STAGE_TITLE.findall(body)[3] == "招投标"


def add_steps_and_criteria(per_stage: int) -> None:
    for stage in Stage.objects.all():
        for n in range(per_stage):
            step = Step.objects.create(
                stage=stage,
                code=f"{stage.code}_extra_{n}",
                order=10 + n,
                name_zh=f"步骤{n}",
                name_en=f"Step {n}",
            )
            step.roles.set(stage.roles.all())
            ExitCriterion.objects.create(
                stage=stage, step=step, order=20 + n, text_zh=f"条件{n}", text_en=f"Check {n}"
            )


MAX_QUERIES = 10  # session, user, stages + 5 prefetches, my roles and unit for the shell


def test_playbook_runs_a_fixed_number_of_queries_whatever_its_size(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.kam)
    client.get("/process/")  # warm up the session
    with CaptureQueriesContext(connection) as default_size:
        client.get("/process/")
    add_steps_and_criteria(per_stage=8)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/process/")
    assert response.content.decode().count('data-testid="step"') == 18 + 6 * 8
    with CaptureQueriesContext(connection) as bigger:
        client.get("/process/")
    assert len(bigger) == len(default_size) <= MAX_QUERIES, len(bigger)
