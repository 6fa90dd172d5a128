"""The pipeline back office: catalogues and policy editable with their checks, deals read-only.

Each POST is built from the form the admin page really renders, as a browser would submit it.
"""

from decimal import Decimal

import pytest

from keyaccount.pipeline import rules, services
from keyaccount.pipeline.models import (
    Competitor,
    ElementRequirement,
    LossReason,
    Opportunity,
    PipelinePolicy,
    RiskFactor,
    StageTransition,
)
from keyaccount.process.models import Stage
from tests.core.html_forms import form_data, submit
from tests.pipeline_support import make_opportunity, registered_customer


@pytest.fixture
def admin_client(cast, client_for):
    cast.admin.language = "en"
    cast.admin.save()
    return client_for(cast.admin)


@pytest.fixture
def opp(cast):
    customer = registered_customer(owner=cast.kam, assistant=cast.assistant)
    return make_opportunity(owner=cast.kam, customer=customer)


def policy_url() -> str:
    return f"/admin/pipeline/pipelinepolicy/{PipelinePolicy.objects.get().pk}/change/"


def edit(client, url: str, form_id: str, **changes: str):
    data = form_data(client, url, form_id)
    data.update({k: [v] for k, v in changes.items()})
    return submit(client, url, data)


# --- pages load -----------------------------------------------------------------------------


def test_every_pipeline_admin_page_loads_for_the_administrator(cast, admin_client, opp):
    competitor = services.competitor_register(actor=cast.kam, name="远景软件技术有限公司")
    transition = StageTransition.objects.get(opportunity=opp)
    pages = [
        "/admin/pipeline/",
        "/admin/pipeline/competitor/",
        "/admin/pipeline/competitor/add/",
        f"/admin/pipeline/competitor/{competitor.pk}/change/",
        "/admin/pipeline/lossreason/",
        f"/admin/pipeline/lossreason/{LossReason.objects.first().pk}/change/",
        "/admin/pipeline/riskfactor/",
        "/admin/pipeline/riskfactor/add/",
        f"/admin/pipeline/riskfactor/{RiskFactor.objects.first().pk}/change/",
        "/admin/pipeline/pipelinepolicy/",
        policy_url(),
        "/admin/pipeline/elementrequirement/",
        f"/admin/pipeline/elementrequirement/{ElementRequirement.objects.first().pk}/change/",
        "/admin/pipeline/opportunity/",
        "/admin/pipeline/opportunity/?status__exact=open",
        f"/admin/pipeline/opportunity/{opp.pk}/change/",
        f"/admin/pipeline/opportunity/{opp.pk}/history/",
        "/admin/pipeline/stagetransition/",
        f"/admin/pipeline/stagetransition/{transition.pk}/change/",
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    assert opp.name in admin_client.get("/admin/pipeline/opportunity/").content.decode()


def test_non_staff_are_sent_to_the_admin_sign_in(cast, client_for, opp):
    for user in (cast.kam, cast.head, cast.director):
        response = client_for(user).get("/admin/pipeline/opportunity/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    response = client_for(None).get("/admin/pipeline/pipelinepolicy/")
    assert response.status_code == 302


# --- the policy ----------------------------------------------------------------------------


def test_new_risk_thresholds_are_saved(admin_client):
    response = edit(
        admin_client,
        policy_url(),
        "pipelinepolicy_form",
        risk_medium_from="30",
        risk_high_from="70",
    )
    assert response.status_code == 302
    policy = PipelinePolicy.objects.get()
    assert (policy.risk_medium_from, policy.risk_high_from) == (Decimal(30), Decimal(70))
    assert services.thresholds() == rules.RiskThresholds(Decimal(30), Decimal(70))


def test_thresholds_breaking_medium_below_high_are_refused_and_nothing_changes(admin_client):
    response = edit(
        admin_client,
        policy_url(),
        "pipelinepolicy_form",
        risk_medium_from="70",
        risk_high_from="60",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Risk thresholds must satisfy 0 &lt; medium &lt; high ≤ 100" in body
    assert "got 70" in body
    policy = PipelinePolicy.objects.get()
    assert (policy.risk_medium_from, policy.risk_high_from) == (Decimal(35), Decimal(60))


def test_a_major_project_amount_of_zero_is_refused(admin_client):
    response = edit(admin_client, policy_url(), "pipelinepolicy_form", major_project_amount="0")
    assert response.status_code == 200
    assert "The major-project amount must be above zero." in response.content.decode()
    assert PipelinePolicy.objects.get().major_project_amount == Decimal(5_000_000)


def test_the_policy_is_one_row_never_added_twice_nor_deleted(admin_client):
    policy = PipelinePolicy.objects.get()
    assert admin_client.get("/admin/pipeline/pipelinepolicy/add/").status_code == 403
    assert (
        admin_client.get(f"/admin/pipeline/pipelinepolicy/{policy.pk}/delete/").status_code == 403
    )
    assert PipelinePolicy.objects.count() == 1


# --- catalogues ----------------------------------------------------------------------------


def test_a_new_risk_weight_applies_to_new_assessments(admin_client):
    factor = RiskFactor.objects.get(code="compliance")
    url = f"/admin/pipeline/riskfactor/{factor.pk}/change/"
    assert edit(admin_client, url, "riskfactor_form", weight="20").status_code == 302
    factor.refresh_from_db()
    assert factor.weight == Decimal(20)


def test_the_last_weighted_factor_cannot_be_zeroed(admin_client):
    RiskFactor.objects.exclude(code="compliance").update(is_active=False)
    factor = RiskFactor.objects.get(code="compliance")
    url = f"/admin/pipeline/riskfactor/{factor.pk}/change/"
    response = edit(admin_client, url, "riskfactor_form", weight="0")
    assert response.status_code == 200
    assert "At least one active risk factor needs a weight above zero" in (
        response.content.decode()
    )
    factor.refresh_from_db()
    assert factor.weight == Decimal(10)


def test_the_risk_factor_list_refuses_deactivating_every_factor(admin_client):
    data = form_data(admin_client, "/admin/pipeline/riskfactor/", "changelist-form")
    for name in [k for k in data if k.endswith("-is_active")]:
        del data[name]  # unticked checkboxes are not sent
    response = submit(admin_client, "/admin/pipeline/riskfactor/", data)
    assert response.status_code == 200
    assert "At least one active risk factor" in response.content.decode()
    assert RiskFactor.objects.filter(is_active=True).count() == 9


def test_catalogue_entries_are_deactivated_not_deleted(admin_client, cast):
    reason = LossReason.objects.get(code="price")
    competitor = services.competitor_register(actor=cast.kam, name="九州数码系统集成有限公司")
    for url in (
        f"/admin/pipeline/lossreason/{reason.pk}/delete/",
        f"/admin/pipeline/riskfactor/{RiskFactor.objects.first().pk}/delete/",
        f"/admin/pipeline/competitor/{competitor.pk}/delete/",
    ):
        assert admin_client.get(url).status_code == 403, url


def test_a_competitor_is_not_catalogued_twice(admin_client, cast):
    services.competitor_register(actor=cast.kam, name="Eastern Info Ltd")
    data = form_data(admin_client, "/admin/pipeline/competitor/add/", "competitor_form")
    data["name"] = ["eastern  info ltd"]
    response = submit(admin_client, "/admin/pipeline/competitor/add/", data)
    assert response.status_code == 200
    assert "The catalogue already has “eastern info ltd”." in response.content.decode()
    assert Competitor.objects.count() == 1


# --- element requirements on the playbook's stage page ---------------------------------------


def test_element_requirements_are_edited_on_the_stage_page(admin_client):
    tender = Stage.objects.get(code="tender")
    url = f"/admin/process/stage/{tender.pk}/change/"
    data = form_data(admin_client, url, "stage_form")
    prefix = "element_requirements"
    assert data[f"{prefix}-TOTAL_FORMS"] == ["1"]
    data[f"{prefix}-TOTAL_FORMS"] = ["2"]
    data[f"{prefix}-1-element"] = ["budget"]
    data[f"{prefix}-1-minimum"] = ["confirmed"]
    response = submit(admin_client, url, data)
    assert response.status_code == 302
    assert set(tender.element_requirements.values_list("element", "minimum")) == {
        ("decision", "confirmed"),
        ("budget", "confirmed"),
    }


def test_requiring_unknown_is_refused(admin_client):
    tender = Stage.objects.get(code="tender")
    url = f"/admin/process/stage/{tender.pk}/change/"
    data = form_data(admin_client, url, "stage_form")
    data["element_requirements-TOTAL_FORMS"] = ["2"]
    data["element_requirements-1-element"] = ["budget"]
    data["element_requirements-1-minimum"] = ["unknown"]
    response = submit(admin_client, url, data)
    assert response.status_code == 200
    assert "Requiring “unknown” demands nothing" in response.content.decode()
    assert tender.element_requirements.count() == 1


# --- deals are read-only -------------------------------------------------------------------


def test_opportunities_and_transitions_are_read_only(admin_client, opp):
    assert admin_client.get("/admin/pipeline/opportunity/add/").status_code == 403
    assert admin_client.get(f"/admin/pipeline/opportunity/{opp.pk}/delete/").status_code == 403
    page = admin_client.get(f"/admin/pipeline/opportunity/{opp.pk}/change/")
    assert 'name="_save"' not in page.content.decode()
    response = admin_client.post(
        f"/admin/pipeline/opportunity/{opp.pk}/change/", {"name": "改名", "_save": "Save"}
    )
    assert response.status_code == 403
    assert Opportunity.objects.get(pk=opp.pk).name == opp.name
    transition = StageTransition.objects.get(opportunity=opp)
    assert admin_client.get("/admin/pipeline/stagetransition/add/").status_code == 403
    assert (
        admin_client.get(f"/admin/pipeline/stagetransition/{transition.pk}/delete/").status_code
        == 403
    )
