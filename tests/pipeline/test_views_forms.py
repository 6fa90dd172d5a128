"""The power map and buying roles, the risk assessment form with a sales director's decision,
and the printable / Excel forms (风险评估表, 大客户跟进表). Records are made through services."""

import html
import io
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from keyaccount.contacts.services import contact_create
from keyaccount.pipeline import rules, services
from keyaccount.pipeline.models import BuyingRoleEntry, RiskAssessment, RiskFactor
from keyaccount.pipeline.views.power_map import ATTITUDE_COLORS, INFLUENCE_SIZES, UNINVOLVED_COLOR

from ..pipeline_support import (
    high_risk_scores,
    low_risk_scores,
    make_opportunity,
    registered_customer,
)

HIGH_ADVICE = (
    "High risk: we recommend abandoning this opportunity. "
    "A sales director decides to continue or abandon."
)


@pytest.fixture(autouse=True)
def english(cast):
    """Everyone reads the pages in English."""
    for user in cast.roles().values():
        user.language = "en"
        user.save()


@pytest.fixture
def deal(cast):
    """kam's opportunity with the east consultant on the team; the customer has three
    contacts: 联系人1 (the boss) and 联系人2, 联系人3 reporting to them."""
    customer = registered_customer(owner=cast.kam, assistant=cast.assistant)
    opp = make_opportunity(owner=cast.kam, customer=customer)
    services.member_add(
        actor=cast.kam, opportunity=opp, user=cast.consultant, role=rules.TeamRole.CONSULTANT
    )
    boss, second, third = customer.contacts.order_by("name")
    return {"customer": customer, "opp": opp, "boss": boss, "second": second, "third": third}


def set_role(actor, opp, contact, **data):
    values = {"role": "decision_maker", "influence": "high", "attitude": "supporter", **data}
    return services.buying_role_set(actor=actor, opportunity=opp, contact=contact, data=values)


def chart_data(response) -> dict:
    match = re.search(
        r'<script id="ka-power-map-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "no chart data on the page"
    return json.loads(match.group(1))


def nodes(tree: dict) -> dict[str, dict]:
    found = {tree["name"]: tree}
    for child in tree.get("children", []):
        found.update(nodes(child))
    return found


def workbook_of(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Cache-Control"] == "private, no-store"
    return load_workbook(io.BytesIO(response.content))


def cell_values(workbook) -> list:
    """Every value of every sheet, after asserting that no cell is a formula."""
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value is not None:
                    values.append(cell.value)
    return values


def messages_of(response) -> list[str]:
    found = re.findall(r"invalid-feedback d-block[^>]*>([^<]*)<", response.content.decode())
    return [html.unescape(text) for text in found]


# --- the power map ------------------------------------------------------------------------


def test_power_map_draws_the_org_chart_coloured_by_attitude_and_sized_by_influence(
    cast, client_for, deal
):
    opp = deal["opp"]
    set_role(cast.kam, opp, deal["boss"], personal_motives="想在年底前升职")
    set_role(cast.consultant, opp, deal["second"], role="technical_evaluator",
             influence="medium", attitude="opponent")  # fmt: skip
    response = client_for(cast.kam).get(f"/pipeline/{opp.pk}/power-map/")
    assert response.status_code == 200
    data = chart_data(response)
    assert (data["involved"], data["contacts"]) == (2, 3)
    tree = data["tree"]
    assert tree["name"] == "联系人1" and tree["title"] == "总经理"
    by_name = nodes(tree)
    boss, second, third = by_name["联系人1"], by_name["联系人2"], by_name["联系人3"]
    assert (boss["role"], boss["role_label"], boss["attitude"]) == (
        "decision_maker", "Decision maker", "supporter",
    )  # fmt: skip
    assert boss["color"] == ATTITUDE_COLORS["supporter"] == "#2fb344"
    assert boss["size"] == INFLUENCE_SIZES["high"]
    assert second["role_label"] == "Technical evaluator"
    assert second["color"] == ATTITUDE_COLORS["opponent"] == "#d63939"
    assert second["size"] == INFLUENCE_SIZES["medium"] < boss["size"]
    assert third["involved"] is False and third["color"] == UNINVOLVED_COLOR
    assert {c["name"] for c in tree["children"]} == {"联系人2", "联系人3"}  # reporting lines
    content = response.content.decode()
    # Personal motives are in the table (behind the deal's visibility), never in the chart data.
    assert "想在年底前升职" in content
    assert "想在年底前升职" not in json.dumps(data, ensure_ascii=False)
    assert "data-ka-power-map" in content and "keyaccount/power_map.js" in content
    assert "vendor/echarts/echarts.min.js" in content  # loaded on demand by power_map.js
    assert 'data-testid="power-map-legend"' in content
    assert 'data-testid="role-form"' in content
    assert ' style="' not in content, "no inline style (CSP)"
    assert "<html" in content


def test_power_map_tab_is_an_htmx_fragment_that_returns_to_the_opportunity_page(
    cast, client_for, deal
):
    opp = deal["opp"]
    set_role(cast.kam, opp, deal["boss"])
    response = client_for(cast.kam).get(
        f"/pipeline/{opp.pk}/power-map/",
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver/pipeline/{opp.pk}/"},
    )
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    content = response.content.decode()
    assert "<html" not in content and 'data-testid="power-map"' in content
    assert chart_data(response)["tree"]["color"] == "#2fb344"
    assert "keyaccount/power_map.js" in content and "pipeline_forms.css" in content
    assert f'name="next" value="/pipeline/{opp.pk}/"' in content


def test_several_top_people_hang_under_the_customer(cast, client_for, deal):
    contact_create(actor=cast.kam, customer=deal["customer"], data={"name": "独立董事"})
    data = chart_data(client_for(cast.kam).get(f"/pipeline/{deal['opp'].pk}/power-map/"))
    assert data["tree"]["root"] is True and data["tree"]["name"] == deal["customer"].name
    assert {c["name"] for c in data["tree"]["children"]} == {"联系人1", "独立董事"}


def test_a_customer_without_contacts_has_no_chart(cast, client_for):
    customer = registered_customer(
        owner=cast.kam, assistant=cast.assistant, name="无联系人客户有限公司", contacts=0
    )
    opp = make_opportunity(owner=cast.kam, customer=customer)
    response = client_for(cast.kam).get(f"/pipeline/{opp.pk}/power-map/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="power-map-empty"' in content and "ka-power-map-data" not in content
    assert f"/customers/{customer.pk}/?tab=contacts" in content


def test_power_map_follows_the_opportunitys_visibility(cast, client_for, deal):
    opp = deal["opp"]
    set_role(cast.kam, opp, deal["boss"], personal_motives="个人动机保密")
    for role in ("colleague", "north_kam", "account_manager", "outsider"):
        response = client_for(getattr(cast, role)).get(f"/pipeline/{opp.pk}/power-map/")
        assert response.status_code == 404, role
    consultant = client_for(cast.consultant).get(f"/pipeline/{opp.pk}/power-map/")
    assert consultant.status_code == 200 and "个人动机保密" in consultant.content.decode()
    assistant = client_for(cast.assistant).get(f"/pipeline/{opp.pk}/power-map/").content.decode()
    assert "个人动机保密" in assistant  # sees the deal, but does not edit it:
    assert 'data-testid="role-form"' not in assistant and "remove-role" not in assistant
    assert client_for(cast.kam).get("/pipeline/987654321/power-map/").status_code == 404


# --- buying roles -------------------------------------------------------------------------


def role_body(contact, **changes):
    return {
        "contact": contact.pk,
        "role": "coach",
        "influence": "medium",
        "attitude": "supporter",
        "personal_motives": "希望项目成功后晋升",
        "organisational_goals": "提高调度自动化水平",
        "notes": "每周沟通",
        **changes,
    }


def test_set_a_buying_role_then_update_it(cast, client_for, deal):
    opp, contact = deal["opp"], deal["second"]
    client = client_for(cast.consultant)  # on the team: works on the deal
    response = client.post(f"/pipeline/{opp.pk}/roles/", role_body(contact))
    assert response.status_code == 302
    assert response["Location"] == f"/pipeline/{opp.pk}/power-map/"
    entry = BuyingRoleEntry.objects.get(opportunity=opp, contact=contact)
    assert (entry.role, entry.influence, entry.attitude, entry.updated_by) == (
        "coach", "medium", "supporter", cast.consultant,
    )  # fmt: skip
    assert entry.personal_motives == "希望项目成功后晋升"
    client.post(f"/pipeline/{opp.pk}/roles/", role_body(contact, attitude="opponent", notes=""))
    entry.refresh_from_db()
    assert (entry.attitude, entry.notes) == ("opponent", "")
    assert BuyingRoleEntry.objects.filter(opportunity=opp).count() == 1
    # The edit link prefills the form with the contact's entry.
    page = client.get(f"/pipeline/{opp.pk}/power-map/?edit={contact.pk}").content.decode()
    assert re.search(rf'<option value="{contact.pk}" selected>', page)
    assert re.search(r'<option value="opponent" selected>', page)


def test_the_same_contact_plays_different_roles_in_different_deals(cast, client_for, deal):
    opp, boss = deal["opp"], deal["boss"]
    other = make_opportunity(owner=cast.kam, customer=deal["customer"], name="配网运维服务")
    client = client_for(cast.kam)
    client.post(f"/pipeline/{opp.pk}/roles/", role_body(boss, role="decision_maker"))
    client.post(f"/pipeline/{other.pk}/roles/", role_body(boss, role="gatekeeper"))
    assert BuyingRoleEntry.objects.get(opportunity=opp, contact=boss).role == "decision_maker"
    assert BuyingRoleEntry.objects.get(opportunity=other, contact=boss).role == "gatekeeper"
    assert (
        nodes(chart_data(client.get(f"/pipeline/{other.pk}/power-map/"))["tree"])["联系人1"][
            "role_label"
        ]
        == "Gatekeeper"
    )


def test_a_contact_of_another_customer_is_refused(cast, client_for, deal):
    north = registered_customer(
        owner=cast.north_kam, assistant=cast.assistant, name="北方电网有限公司", contacts=0
    )
    stranger = contact_create(actor=cast.north_kam, customer=north, data={"name": "北方王总"})
    response = client_for(cast.kam).post(f"/pipeline/{deal['opp'].pk}/roles/", role_body(stranger))
    assert response.status_code == 400
    assert messages_of(response) == [f"Choose one of the contacts of {deal['customer'].name}."]
    assert stranger.name not in response.content.decode()
    assert not BuyingRoleEntry.objects.exists()


def test_a_buying_role_needs_a_role_and_an_influence(cast, client_for, deal):
    response = client_for(cast.kam).post(
        f"/pipeline/{deal['opp'].pk}/roles/", role_body(deal["boss"], role="", influence="")
    )
    assert response.status_code == 400
    assert set(messages_of(response)) == {
        "Choose the contact's buying role.",
        "Choose how much influence the contact has.",
    }
    bad = client_for(cast.kam).post(
        f"/pipeline/{deal['opp'].pk}/roles/", role_body(deal["boss"], attitude="enemy")
    )
    assert bad.status_code == 400
    assert not BuyingRoleEntry.objects.exists()


def test_who_may_set_and_remove_buying_roles(cast, client_for, deal):
    opp, boss = deal["opp"], deal["boss"]
    url = f"/pipeline/{opp.pk}/roles/"
    assert client_for(cast.assistant).post(url, role_body(boss)).status_code == 403
    assert client_for(cast.colleague).post(url, role_body(boss)).status_code == 404
    set_role(cast.kam, opp, boss)
    remove = f"/pipeline/{opp.pk}/roles/{boss.pk}/remove/"
    assert client_for(cast.assistant).post(remove).status_code == 403
    assert client_for(cast.outsider).post(remove).status_code == 404
    assert BuyingRoleEntry.objects.filter(opportunity=opp).count() == 1
    assert client_for(cast.kam).get(remove).status_code == 405


def test_remove_a_contact_from_the_power_map_keeps_their_other_deals(cast, client_for, deal):
    opp, boss = deal["opp"], deal["boss"]
    other = make_opportunity(owner=cast.kam, customer=deal["customer"], name="配网运维服务")
    set_role(cast.kam, opp, boss)
    set_role(cast.kam, other, boss, role="user")
    client = client_for(cast.team_lead)
    response = client.post(f"/pipeline/{opp.pk}/roles/{boss.pk}/remove/")
    assert response.status_code == 302
    assert response["Location"] == f"/pipeline/{opp.pk}/power-map/"
    assert not BuyingRoleEntry.objects.filter(opportunity=opp).exists()
    assert BuyingRoleEntry.objects.get(opportunity=other).role == "user"
    again = client.post(f"/pipeline/{opp.pk}/roles/{boss.pk}/remove/")
    assert again.status_code == 404


def test_after_saving_the_page_goes_back_only_to_this_site(cast, client_for, deal):
    opp = deal["opp"]
    client = client_for(cast.kam)
    back = client.post(
        f"/pipeline/{opp.pk}/roles/", role_body(deal["boss"], next=f"/pipeline/{opp.pk}/")
    )
    assert back["Location"] == f"/pipeline/{opp.pk}/"
    offsite = client.post(
        f"/pipeline/{opp.pk}/roles/", role_body(deal["boss"], next="https://evil.example/")
    )
    assert offsite["Location"] == f"/pipeline/{opp.pk}/power-map/"


# --- the risk assessment form -------------------------------------------------------------


def risk_body(scores: dict[str, int] | None = None, **extra) -> dict:
    codes = RiskFactor.objects.filter(is_active=True).values_list("code", flat=True)
    scores = scores if scores is not None else dict.fromkeys(codes, 1)
    body = {"assessed_on": timezone.localdate().isoformat(), "summary": "整体可控", **extra}
    for code, score in scores.items():
        body[f"score_{code}"] = str(score)
        body[f"note_{code}"] = f"{code} 说明"
    return body


def test_the_risk_form_lists_every_active_factor_and_the_thresholds(cast, client_for, deal):
    RiskFactor.objects.filter(code="compliance").update(is_active=False)
    response = client_for(cast.consultant).get(f"/pipeline/{deal['opp'].pk}/risk/new/")
    assert response.status_code == 200
    content = response.content.decode()
    for factor in RiskFactor.objects.filter(is_active=True):
        assert f'data-testid="factor-{factor.code}"' in content
        assert factor.name_en in content and factor.question_en in content
        for score in range(6):
            assert f'name="score_{factor.code}" value="{score}"' in content
    assert 'data-testid="factor-compliance"' not in content
    assert "below 35%" in content and "from 60%" in content
    assert HIGH_ADVICE in content


def test_a_missing_score_is_refused_naming_the_factor(cast, client_for, deal):
    opp = deal["opp"]
    body = risk_body()
    del body["score_budget_unconfirmed"]
    response = client_for(cast.kam).post(f"/pipeline/{opp.pk}/risk/new/", body)
    assert response.status_code == 400
    assert messages_of(response) == ["Score “Budget unconfirmed” (0–5)."]
    assert not RiskAssessment.objects.exists()
    # what was typed is kept
    assert 'name="score_ability_to_pay" value="1" id="id_score_ability_to_pay_1" ' in (
        response.content.decode()
    )


def test_a_score_outside_0_to_5_is_refused(cast, client_for, deal):
    body = risk_body()
    body["score_compliance"] = "9"
    response = client_for(cast.kam).post(f"/pipeline/{deal['opp'].pk}/risk/new/", body)
    assert response.status_code == 400
    assert messages_of(response) == ["“Compliance”: choose a score from 0 to 5."]
    future = risk_body(assessed_on=(timezone.localdate() + timedelta(days=3)).isoformat())
    response = client_for(cast.kam).post(f"/pipeline/{deal['opp'].pk}/risk/new/", future)
    assert response.status_code == 400
    assert "An assessment cannot be dated in the future." in messages_of(response)
    assert not RiskAssessment.objects.exists()


def test_a_low_risk_assessment_goes_to_its_printable_form(cast, client_for, deal):
    opp = deal["opp"]
    response = client_for(cast.kam).post(f"/pipeline/{opp.pk}/risk/new/", risk_body())
    assessment = RiskAssessment.objects.get(opportunity=opp)
    assert response.status_code == 302
    assert response["Location"] == f"/pipeline/risk/{assessment.pk}/"
    assert (assessment.level, assessment.decision) == ("low", "not_needed")
    assert assessment.scores.get(factor__code="compliance").note == "compliance 说明"
    opp.refresh_from_db()
    assert opp.risk_level == "low"


def test_high_risk_recommends_abandoning_and_awaits_a_director(cast, client_for, deal):
    opp = deal["opp"]
    codes = RiskFactor.objects.values_list("code", flat=True)
    client = client_for(cast.kam)
    response = client.post(f"/pipeline/{opp.pk}/risk/new/", risk_body(dict.fromkeys(codes, 5)))
    assessment = RiskAssessment.objects.get(opportunity=opp)
    assert (assessment.level, assessment.decision) == ("high", "pending")
    page = client.get(response["Location"]).content.decode()
    assert HIGH_ADVICE in page  # the flash message and the form both say it
    assert 'data-testid="risk-pending"' in page and "Awaiting risk decision" in page
    assert 'data-testid="risk-decide-form"' not in page  # a KAM does not decide
    director = client_for(cast.director).get(f"/pipeline/risk/{assessment.pk}/").content.decode()
    assert 'data-testid="risk-decide-form"' in director
    assert f'action="/pipeline/risk/{assessment.pk}/decide/"' in director


def test_who_may_fill_the_risk_form(cast, client_for, deal):
    url = f"/pipeline/{deal['opp'].pk}/risk/new/"
    assert client_for(cast.consultant).get(url).status_code == 200
    assert client_for(cast.assistant).get(url).status_code == 403
    assert client_for(cast.assistant).post(url, risk_body()).status_code == 403
    assert client_for(cast.north_kam).get(url).status_code == 404
    assert not RiskAssessment.objects.exists()


def test_a_closed_opportunity_is_not_assessed(cast, client_for, deal):
    opp = deal["opp"]
    services.opportunity_abandon(actor=cast.kam, opportunity=opp, reason="客户取消")
    client = client_for(cast.kam)
    assert "reopen it first" in client.get(f"/pipeline/{opp.pk}/risk/new/").content.decode()
    response = client.post(f"/pipeline/{opp.pk}/risk/new/", risk_body())
    assert response.status_code == 400
    assert "The opportunity is closed; reopen it first." in response.content.decode()
    assert not RiskAssessment.objects.exists()


# --- the risk decision --------------------------------------------------------------------


@pytest.fixture
def high_risk(cast, deal):
    return services.risk_assess(
        actor=cast.kam,
        opportunity=deal["opp"],
        assessed_on=timezone.localdate(),
        scores=high_risk_scores(),
    )


def test_the_director_continues_a_high_risk_deal(cast, client_for, deal, high_risk):
    opp = deal["opp"]
    response = client_for(cast.director).post(
        f"/pipeline/risk/{high_risk.pk}/decide/",
        {"decision": "continue", "reason": "战略客户，值得投入"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/pipeline/{opp.pk}/"
    high_risk.refresh_from_db()
    assert (high_risk.decision, high_risk.decided_by, high_risk.decision_reason) == (
        "continue", cast.director, "战略客户，值得投入",
    )  # fmt: skip
    opp.refresh_from_db()
    assert (opp.risk_decision, opp.status) == ("continue", "open")
    page = client_for(cast.kam).get(f"/pipeline/risk/{high_risk.pk}/").content.decode()
    assert "战略客户，值得投入" in page and "Awaiting risk decision" not in page


def test_the_director_abandons_a_high_risk_deal(cast, client_for, deal, high_risk):
    response = client_for(cast.director).post(
        f"/pipeline/risk/{high_risk.pk}/decide/", {"decision": "abandon", "reason": "无预算"}
    )
    assert response.status_code == 302
    deal["opp"].refresh_from_db()
    assert (deal["opp"].status, deal["opp"].risk_decision) == ("abandoned", "abandon")


def test_only_a_sales_director_decides(cast, client_for, deal, high_risk):
    body = {"decision": "continue", "reason": "我来决定"}
    url = f"/pipeline/risk/{high_risk.pk}/decide/"
    for role in ("kam", "team_lead", "head", "assistant", "consultant"):
        assert client_for(getattr(cast, role)).post(url, body).status_code == 403, role
    for role in ("colleague", "north_kam", "outsider"):
        assert client_for(getattr(cast, role)).post(url, body).status_code == 404, role
    high_risk.refresh_from_db()
    assert high_risk.decision == "pending"


def test_a_decision_needs_a_reason_and_is_taken_once(cast, client_for, deal, high_risk):
    client = client_for(cast.director)
    url = f"/pipeline/risk/{high_risk.pk}/decide/"
    response = client.post(url, {"decision": "continue", "reason": " "})
    assert response.status_code == 400
    assert "Give the reason for the decision." in messages_of(response)
    assert client.post(url, {"decision": "maybe", "reason": "x"}).status_code == 400
    high_risk.refresh_from_db()
    assert high_risk.decision == "pending"
    assert client.post(url, {"decision": "continue", "reason": "可以继续"}).status_code == 302
    again = client.post(url, {"decision": "abandon", "reason": "改主意了"})
    assert again.status_code == 400
    assert "This assessment was already decided" in again.content.decode()
    high_risk.refresh_from_db()
    assert high_risk.decision == "continue"


def test_an_assessment_of_an_invisible_deal_is_a_404(cast, client_for):
    customer = registered_customer(
        owner=cast.north_kam, assistant=cast.assistant, name="北方电网有限公司", contacts=1
    )
    opp = make_opportunity(owner=cast.north_kam, customer=customer)
    assessment = services.risk_assess(
        actor=cast.north_kam, opportunity=opp, assessed_on=timezone.localdate(),
        scores=high_risk_scores(),
    )  # fmt: skip
    client = client_for(cast.kam)
    assert client.get(f"/pipeline/risk/{assessment.pk}/").status_code == 404
    assert client.get(f"/pipeline/risk/{assessment.pk}/export.xlsx").status_code == 404
    assert (
        client.post(
            f"/pipeline/risk/{assessment.pk}/decide/", {"decision": "continue", "reason": "x"}
        ).status_code
        == 404
    )
    assert client.get("/pipeline/risk/987654321/").status_code == 404
    assert client_for(cast.director).get(f"/pipeline/risk/{assessment.pk}/").status_code == 200


# --- printable and Excel forms ------------------------------------------------------------


def test_the_printable_risk_form(cast, client_for, deal):
    opp = deal["opp"]
    scores = low_risk_scores()
    scores["compliance"] = services.ScoreInput(4, '=HYPERLINK("http://evil.example")')
    assessment = services.risk_assess(
        actor=cast.consultant, opportunity=opp, assessed_on=timezone.localdate(), scores=scores,
        summary="总体风险低",
    )  # fmt: skip
    response = client_for(cast.kam).get(f"/pipeline/risk/{assessment.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    for text in (deal["customer"].name, opp.name, str(opp.stage), str(cast.kam),
                 str(cast.consultant), "Compliance", "Are there tender or compliance risks?",
                 "总体风险低", f"{assessment.total}%", "Low risk", "No decision needed",
                 "Low risk: continue with the opportunity."):  # fmt: skip
        assert text in content, text
    assert "keyaccount/print.css" in content and "keyaccount/pipeline_forms.css" in content
    assert "keyaccount/print_button.js" in content
    assert "<script>" not in content and ' style="' not in content
    assert f"/pipeline/risk/{assessment.pk}/export.xlsx" in content
    assert 'data-testid="risk-decide-form"' not in content  # nothing to decide


def test_the_risk_form_in_excel(cast, client_for, deal):
    opp = deal["opp"]
    scores = high_risk_scores()
    scores["compliance"] = services.ScoreInput(5, "=1+1")
    scores["price_pressure"] = services.ScoreInput(5, "@SUM(A1)")
    assessment = services.risk_assess(
        actor=cast.kam, opportunity=opp, assessed_on=timezone.localdate(), scores=scores,
        summary="-2+3",
    )  # fmt: skip
    workbook = workbook_of(
        client_for(cast.consultant).get(f"/pipeline/risk/{assessment.pk}/export.xlsx")
    )
    assert workbook.sheetnames == ["Risk assessment form"]
    values = cell_values(workbook)
    for text in ("Risk assessment form", deal["customer"].name, opp.name, "Compliance",
                 "=1+1", "@SUM(A1)", "-2+3", "High risk", HIGH_ADVICE,
                 "Awaiting risk decision"):  # fmt: skip
        assert text in values, text
    assert assessment.total in values
    assert assessment.assessed_on in [v.date() if hasattr(v, "date") else v for v in values]


@pytest.fixture
def full_deal(cast, deal):
    """The deal with everything the KA follow-up form shows, notes written like formulas."""
    opp = deal["opp"]
    services.element_set(
        actor=cast.kam, opportunity=opp, element="budget", status="confirmed", notes="=预算已批"
    )
    competitor = services.competitor_register(actor=cast.kam, name="竞争对手科技")
    services.competitor_set(
        actor=cast.kam, opportunity=opp, competitor=competitor, strength="stronger",
        their_strategy="+低价抢单", our_strategy="-强调服务",
    )  # fmt: skip
    set_role(cast.kam, opp, deal["boss"], personal_motives="@想要政绩")
    services.follow_up_add(
        actor=cast.consultant, opportunity=opp, on=timezone.localdate(),
        progress="完成需求调研", next_steps="=提交方案", support_needed="需要总监拜访",
    )  # fmt: skip
    services.risk_assess(
        actor=cast.kam, opportunity=opp, assessed_on=timezone.localdate(),
        scores=high_risk_scores(),
    )  # fmt: skip
    return deal


FOLLOW_UP_TEXTS = (
    "调度自动化系统升级", "Budget", "Confirmed", "=预算已批", "竞争对手科技", "Stronger than us",
    "+低价抢单", "-强调服务", "联系人1", "Decision maker", "Supporter", "@想要政绩",
    "完成需求调研", "=提交方案", "需要总监拜访", "High risk", "Awaiting risk decision",
)  # fmt: skip


def test_the_printable_follow_up_form(cast, client_for, full_deal):
    opp = full_deal["opp"]
    response = client_for(cast.consultant).get(f"/pipeline/{opp.pk}/follow-up-form/")
    assert response.status_code == 200
    content = response.content.decode()
    for text in (*FOLLOW_UP_TEXTS, full_deal["customer"].name, str(cast.kam),
                 str(cast.kam.unit), str(opp.stage), "Probability (%)", HIGH_ADVICE):  # fmt: skip
        assert text in content, text
    assert f"/pipeline/{opp.pk}/follow-up-form.xlsx" in content
    assert "<script>" not in content and ' style="' not in content
    assert client_for(cast.colleague).get(f"/pipeline/{opp.pk}/follow-up-form/").status_code == 404


def test_the_follow_up_form_in_excel(cast, client_for, full_deal):
    opp = full_deal["opp"]
    response = client_for(cast.kam).get(f"/pipeline/{opp.pk}/follow-up-form.xlsx")
    values = cell_values(workbook_of(response))
    texts = [str(v) for v in values]
    for text in (*FOLLOW_UP_TEXTS, "KA follow-up form", full_deal["customer"].name):
        assert text in texts or any(v.startswith(text) for v in texts), text
    assert opp.amount in values and opp.expected_signing in [
        v.date() if hasattr(v, "date") else v for v in values
    ]
    assert "attachment;" in response["Content-Disposition"]
    assert (
        client_for(cast.outsider).get(f"/pipeline/{opp.pk}/follow-up-form.xlsx").status_code == 404
    )


def test_the_follow_up_form_in_chinese(cast, client_for, full_deal):
    cast.kam.language = "zh-hans"
    cast.kam.save()
    response = client_for(cast.kam).get(f"/pipeline/{full_deal['opp'].pk}/follow-up-form.xlsx")
    workbook = workbook_of(response)
    assert workbook.sheetnames == ["大客户跟进表"]
    values = cell_values(workbook)
    assert "大客户跟进表" in values and "客户" in values and "负责人" in values
