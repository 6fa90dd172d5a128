"""The pipeline REST API: visibility per role, the list's filters, totals, board and major
projects; creating and editing deals without lost updates; the gate and its refusal body
(enforced by the services: the API decides nothing); checklist, elements, competitors,
buying roles and power map, team, follow-ups, risk assessments and the director's decision;
outcomes, contract and milestones; a bounded number of queries for the list."""

from datetime import timedelta
from decimal import Decimal
from typing import Any, get_args

import pytest
from django.utils import timezone

from keyaccount.customers.models import Customer
from keyaccount.pipeline import rules, schemas, selectors, services
from keyaccount.pipeline.models import (
    BuyingRoleEntry,
    Competitor,
    CriterionCheck,
    ForecastChange,
    LossReason,
    Opportunity,
    OpportunityMember,
    PaymentMilestone,
    RiskFactor,
    StageTransition,
)
from keyaccount.process.models import ExitCriterion, Stage

from ..api_support import VIAS, count_queries
from ..api_support import Api as JsonApi
from ..pipeline_support import (
    advance_to,
    high_risk_scores,
    make_opportunity,
    registered_customer,
    satisfy_stage,
)

P = "/api/pipeline"
OPPS = f"{P}/opportunities"

#: Who sees an opportunity owned by ``kam`` with ``consultant`` on its team.
DEAL_VIEWERS = {"kam", "team_lead", "consultant", "head", "director", "assistant", "admin"}


@pytest.fixture
def grid(cast) -> Customer:
    return registered_customer(owner=cast.kam, assistant=cast.assistant)


@pytest.fixture
def opp(cast, grid) -> Opportunity:
    """kam's deal with consultant on the team, at the first step of the first stage."""
    made = make_opportunity(owner=cast.kam, customer=grid)
    services.member_add(actor=cast.kam, opportunity=made, user=cast.consultant, role="consultant")
    return made


class Api(JsonApi):
    def delete(self, path: str) -> Any:
        return self.client.delete(path)


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def check(opp: Opportunity, actor: Any, *, step: str) -> None:
    """Everything the step asks for: its manual criteria ticked, and (lead discovery) the need
    known, which answers its evidence criterion."""
    for criterion in ExitCriterion.objects.filter(stage_id=opp.stage_id, step__code=step):
        if criterion.evidence:
            services.element_set(
                actor=actor, opportunity=opp, element="need", status="partly", notes=""
            )
        else:
            services.criterion_set(actor=actor, opportunity=opp, criterion=criterion, checked=True)


def criterion(step: str, n: int = 0) -> ExitCriterion:
    """The ``n``-th exit criterion of a step of the default playbook."""
    return ExitCriterion.objects.filter(step__code=step).order_by("order", "id")[n]


def test_the_codes_of_the_schemas_are_the_rules_enums():
    pairs = [
        (schemas.StatusCode, rules.Status.values),
        (schemas.HealthCode, [h.value for h in rules.Health]),
        (schemas.RiskLevelCode, rules.RiskLevel.values),
        (schemas.RiskDecisionCode, rules.RiskDecision.values),
        (schemas.CurrencyCode, rules.Currency.values),
        (schemas.SourceCode, rules.Source.values),
        (schemas.ElementCode, rules.Element.values),
        (schemas.KnowledgeCode, rules.Knowledge.values),
        (schemas.StrengthCode, rules.Strength.values),
        (schemas.BuyingRoleCode, rules.BuyingRole.values),
        (schemas.InfluenceCode, rules.Influence.values),
        (schemas.AttitudeCode, rules.Attitude.values),
        (schemas.TeamRoleCode, rules.TeamRole.values),
        (schemas.MoveCode, rules.Move.values),
        (schemas.ForecastFieldCode, ForecastChange.Field.values),
        (schemas.SortCode, list(selectors.SORTS)),
    ]
    for literal, values in pairs:
        assert list(get_args(literal)) == list(values), literal


# --- visibility -----------------------------------------------------------------------------


@pytest.mark.parametrize("via", VIAS)
def test_the_list_shows_each_role_what_it_may_see(cast, opp, via):
    north = make_opportunity(
        owner=cast.north_kam,
        customer=registered_customer(
            owner=cast.north_kam, assistant=cast.assistant, name="燕山钢铁集团有限公司"
        ),
        name="炼钢MES",
    )
    marketing = make_opportunity(
        owner=cast.outsider,
        customer=registered_customer(
            owner=cast.outsider, assistant=cast.admin, name="海角文旅发展有限公司"
        ),
        name="票务系统",
    )
    expected = {
        "kam": {opp},
        "colleague": set(),
        "north_kam": {north},
        "team_lead": {opp},
        "consultant": {opp},
        "account_manager": set(),
        "head": {opp, north},
        "director": {opp, north},
        "assistant": {opp, north},
        "admin": {opp, north, marketing},
        "outsider": {marketing},
    }
    for role, user in cast.roles().items():
        listed = set(ids(Api(user, via).get(OPPS)))
        assert listed == {o.pk for o in expected[role]}, role


@pytest.mark.parametrize("via", VIAS)
def test_a_deal_outside_visibility_answers_like_a_missing_one(cast, opp, via):
    missing = Api(cast.kam, via).get(f"{OPPS}/987654321")
    assert missing.status_code == 404
    for role, user in cast.roles().items():
        api = Api(user, via)
        for suffix in ("", "/gate", "/team", "/power-map", "/buying-roles", "/risk-assessments"):
            response = api.get(f"{OPPS}/{opp.pk}{suffix}")
            if role in DEAL_VIEWERS:
                assert response.status_code == 200, (role, suffix)
            else:
                assert response.status_code == 404, (role, suffix)
                assert response.json() == missing.json()


def test_an_outsider_changes_nothing(cast, opp):
    api = Api(cast.outsider, "token")
    before = Opportunity.objects.get(pk=opp.pk)
    path = f"{OPPS}/{opp.pk}"
    writes = [
        api.patch(path, {"version": opp.version, "name": "mine"}),
        api.post(f"{path}/move", {"override": True, "reason": "x"}),
        api.put(f"{path}/checks/{criterion('lead_discovery').pk}", {}),
        api.put(f"{path}/elements/need", {"status": "confirmed"}),
        api.post(f"{path}/abandon", {"reason": "x"}),
        api.post(f"{path}/team", {"user_id": cast.outsider.pk, "role": "other"}),
    ]
    assert [r.status_code for r in writes] == [404] * len(writes)
    after = Opportunity.objects.get(pk=opp.pk)
    assert (after.version, after.name, after.status, after.step_id) == (
        before.version,
        before.name,
        before.status,
        before.step_id,
    )
    assert not CriterionCheck.objects.exists()
    assert not OpportunityMember.objects.filter(user=cast.outsider).exists()


# --- the list, totals, board, major projects ------------------------------------------------


def test_list_items_carry_forecast_and_health(cast, opp):
    services.opportunity_update(
        actor=cast.kam,
        opportunity=opp,
        data={
            "expected_signing": timezone.localdate() - timedelta(days=1),
            "amount": Decimal("3600000.00"),
        },
        expected_version=opp.version,
        reason="客户预算调整",
    )
    item = Api(cast.kam).get(OPPS).json()["items"][0]
    assert item["amount"] == "3600000.00", "money keeps every digit (a string)"
    assert item["probability"] == 10 and item["weighted"] == "360000.00"
    assert item["stage"]["code"] == "development" and item["step"]["number"] == "1.1"
    assert item["customer"]["name"] == "测试电网有限公司"
    assert item["owner"]["username"] == "kam"
    assert item["status"] == "open" and item["status_label"]
    assert item["health"] == ["past_signing"] and len(item["health_labels"]) == 1
    assert item["days_in_stage"] == 0 and item["risk_level"] is None


def test_filters_of_the_list(cast, grid, opp):
    kam = cast.kam
    bank = registered_customer(owner=kam, assistant=cast.assistant, name="金陵商业银行有限公司")
    big = make_opportunity(
        owner=kam, customer=bank, name="核心系统", amount=Decimal("9000000"), currency="USD"
    )
    advance_to(big, actor=kam, stage_order=2)
    soon = make_opportunity(
        owner=kam, customer=grid, name="营销平台", signing=timezone.localdate() + timedelta(5)
    )
    services.risk_assess(
        actor=kam,
        opportunity=soon,
        assessed_on=timezone.localdate(),
        scores=high_risk_scores(),
    )
    api = Api(cast.head, "token")
    initiation = Stage.objects.get(code="initiation")
    assert ids(api.get(OPPS, {"stage": "initiation"})) == [big.pk]
    assert ids(api.get(OPPS, {"stage": [str(initiation.pk), "development"]})) == [
        soon.pk,
        opp.pk,
        big.pk,
    ]
    assert ids(api.get(OPPS, {"q": "营销"})) == [soon.pk]
    assert ids(api.get(OPPS, {"q": "金陵"})) == [big.pk], "customer name"
    assert ids(api.get(OPPS, {"customer": bank.pk})) == [big.pk]
    assert ids(api.get(OPPS, {"owner": kam.pk, "amount_min": "5000000"})) == [big.pk]
    assert ids(api.get(OPPS, {"amount_max": "3500000"})) == [soon.pk, opp.pk]
    assert ids(api.get(OPPS, {"team": cast.east.pk, "sort": "-amount"}))[0] == big.pk
    assert ids(api.get(OPPS, {"team": cast.north.pk})) == []
    assert ids(api.get(OPPS, {"health": "risk_pending"})) == [soon.pk]
    assert ids(api.get(OPPS, {"health": ["risk_pending", "high_risk"]})) == [soon.pk]
    assert ids(api.get(OPPS, {"risk": "high"})) == [soon.pk]
    # passing customer development needs the customer graded (an evidence criterion)
    assert ids(api.get(OPPS, {"grade": "none"})) == [soon.pk, opp.pk]
    assert ids(api.get(OPPS, {"grade": "A"})) == [big.pk]
    until = (timezone.localdate() + timedelta(30)).isoformat()
    assert ids(api.get(OPPS, {"signing_to": until})) == [soon.pk]
    assert ids(api.get(OPPS, {"signing_from": until})) == [opp.pk, big.pk]
    services.opportunity_abandon(actor=kam, opportunity=soon, reason="客户暂停")
    assert ids(api.get(OPPS, {"status": "abandoned"})) == [soon.pk]
    assert set(ids(api.get(OPPS, {"status": "all"}))) == {soon.pk, opp.pk, big.pk}
    assert soon.pk not in ids(api.get(OPPS))


def test_bad_filters_are_422_naming_the_parameter(cast, opp):
    api = Api(cast.kam)
    for params, field in (
        ({"stage": ["development", "nirvana"]}, "stage"),
        ({"stage": "987654"}, "stage"),
        ({"status": "closed"}, "status"),
        ({"health": "sick"}, "health.0"),
        ({"amount_min": "-1"}, "amount_min"),
        ({"amount_max": "1.001"}, "amount_max"),
        ({"signing_from": "31/12/2026"}, "signing_from"),
        ({"signing_to": "0"}, "signing_to"),
        ({"sort": "owner"}, "sort"),
        ({"owner": "0"}, "owner"),
        ({"limit": 500}, "limit"),
        ({"q": "a\x00b"}, "q"),
    ):
        response = api.get(OPPS, params)
        assert response.status_code == 422, params
        body = response.json()
        assert body["detail"] and field in body["errors"], (params, body)
    assert "nirvana" in api.get(OPPS, {"stage": "nirvana"}).json()["detail"]


def test_pagination(cast, grid):
    made = [
        make_opportunity(
            owner=cast.kam,
            customer=grid,
            name=f"项目{n}",
            signing=timezone.localdate() + timedelta(days=10 + n),
        )
        for n in range(5)
    ]
    api = Api(cast.kam)
    first = api.get(OPPS, {"limit": 2}).json()
    assert (first["count"], first["offset"], first["limit"]) == (5, 0, 2)
    assert [i["id"] for i in first["items"]] == [made[0].pk, made[1].pk]
    page3 = api.get(OPPS, {"page": 3, "page_size": 2}).json()
    assert [i["id"] for i in page3["items"]] == [made[4].pk]
    assert api.get(OPPS).json()["limit"] == 50


def test_totals_per_currency(cast, grid, opp):
    make_opportunity(
        owner=cast.kam, customer=grid, name="海外项目", amount=Decimal(1000), currency="USD"
    )
    response = Api(cast.kam).get(f"{OPPS}/totals")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["by_currency"] == [
        {"currency": "CNY", "count": 1, "amount": "3500000.00", "weighted": "350000.00"},
        {"currency": "USD", "count": 1, "amount": "1000.00", "weighted": "100.00"},
    ]
    assert Api(cast.kam).get(f"{OPPS}/totals", {"currency": "x", "stage": "x"}).status_code == 422
    assert Api(cast.colleague).get(f"{OPPS}/totals").json() == {"count": 0, "by_currency": []}


def test_board_has_a_column_per_stage(cast, grid, opp):
    second = make_opportunity(owner=cast.kam, customer=grid, name="二号项目")
    advance_to(second, actor=cast.kam, stage_order=2)
    response = Api(cast.consultant).get(f"{P}/board")
    assert response.status_code == 200
    columns = response.json()["columns"]
    assert [c["stage"]["code"] for c in columns] == list(
        Stage.objects.order_by("order").values_list("code", flat=True)
    )
    first = columns[0]
    assert (first["count"], first["amount"], first["weighted"]) == (1, "3500000.00", "350000.00")
    assert [card["id"] for card in first["cards"]] == [opp.pk], "the consultant's deal only"
    board = Api(cast.kam).get(f"{P}/board", {"per_column": 1}).json()["columns"]
    assert [c["count"] for c in board[:2]] == [1, 1]
    assert board[1]["cards"][0]["id"] == second.pk
    assert board[1]["weighted"] == "875000.00"
    assert Api(cast.kam).get(f"{P}/board", {"per_column": 0}).status_code == 422


def test_major_projects_are_open_or_won_deals_above_the_threshold(cast, grid, opp):
    big = make_opportunity(owner=cast.kam, customer=grid, name="大项目", amount=Decimal(8_000_000))
    lost_big = make_opportunity(
        owner=cast.kam, customer=grid, name="丢单", amount=Decimal(9_000_000)
    )
    services.opportunity_lose(
        actor=cast.kam,
        opportunity=lost_big,
        loss_reason=LossReason.objects.get(code="price"),
        winner=None,
        lessons="价格",
    )
    body = Api(cast.kam).get(f"{P}/major-projects").json()
    assert body["threshold"] == "5000000.00"
    assert [i["id"] for i in body["items"]] == [big.pk]
    assert Api(cast.colleague).get(f"{P}/major-projects").json()["items"] == []
    assert Api(cast.kam).get(f"{P}/major-projects", {"sort": "owner"}).status_code == 422


@pytest.mark.parametrize("via", VIAS)
def test_the_list_costs_the_same_queries_for_3_or_30_opportunities(cast, grid, via):
    other = registered_customer(owner=cast.north_kam, assistant=cast.assistant, name="北方公司")
    api = Api(cast.head, via)
    params = {"team": cast.ka_dept.pk, "health": "overdue_stage", "stage": "development"}
    params |= {"grade": ["A", "none"], "limit": 200}
    signing = timezone.localdate() + timedelta(days=60)

    def add(n: int) -> None:
        owner, customer = (cast.kam, grid) if n % 2 else (cast.north_kam, other)
        made = services.opportunity_create(
            actor=owner,
            customer=customer,
            data={"name": f"样本{n}", "amount": Decimal(n + 1), "expected_signing": signing},
            at=timezone.now() - timedelta(days=90 + n),  # longer in the stage than its norm
        )
        if n % 3 == 0:
            check(made, owner, step="lead_discovery")
            services.opportunity_move(actor=owner, opportunity=made)

    def measure() -> int:
        with count_queries() as ctx:
            response = api.get(OPPS, params)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        add(n)
    api.get(OPPS)  # warm-up: a token's first use records when it was last used
    small = measure()
    for n in range(3, 30):
        add(n)
    assert Api(cast.head).get(OPPS, params).json()["count"] == 30
    assert measure() == small
    assert small <= 12, f"{small} queries for one page of the pipeline list"


# --- creating and editing -------------------------------------------------------------------


def new_deal(customer: Customer, **extra: Any) -> dict[str, Any]:
    return {
        "customer_id": customer.pk,
        "name": "  配网  自动化 ",
        "amount": "2500000.50",
        "expected_signing": (timezone.localdate() + timedelta(days=100)).isoformat(),
        **extra,
    }


@pytest.mark.parametrize("via", VIAS)
def test_create_opens_the_deal_in_the_first_step(cast, grid, via):
    response = Api(cast.kam, via).post(
        OPPS, new_deal(grid, source="referral", strategic_fit=True, strategic_note="战略区域")
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "配网 自动化" and body["amount"] == "2500000.50"
    assert (body["stage"]["code"], body["step"]["code"]) == ("development", "lead_discovery")
    assert body["source"] == "referral" and body["source_label"]
    assert body["strategic_fit"] is True and body["currency"] == "CNY"
    assert [e["status"] for e in body["elements"]] == ["unknown"] * 6
    assert [e["element"] for e in body["elements"]] == rules.Element.values
    assert body["permissions"] == {"run": True, "work": True, "override": False}
    assert body["version"] == 1
    made = Opportunity.objects.get(pk=body["id"])
    assert made.owner == cast.kam
    assert made.transitions.get().kind == "created"
    detail = Api(cast.director, via).get(f"{OPPS}/{made.pk}").json()
    assert detail["permissions"] == {"run": True, "work": True, "override": True}


def test_create_validation_and_permissions(cast, grid):
    kam = Api(cast.kam)
    for body, field in (
        (new_deal(grid, name=""), "name"),
        (new_deal(grid, amount="-1"), "amount"),
        (new_deal(grid, amount="12.345"), "amount"),
        (new_deal(grid, expected_signing="soon"), "expected_signing"),
        (new_deal(grid, probability_override=40), "probability_reason"),
        (new_deal(grid, probability_override=140), "probability_override"),
        (new_deal(grid, currency="BTC"), "currency"),
        (new_deal(grid, source="gossip"), "source"),
        ({**new_deal(grid), "customer_id": None}, "customer_id"),
    ):
        response = kam.post(OPPS, body)
        assert response.status_code == 422, body
        assert field in response.json()["errors"], (field, response.json())
    pending = registered_customer(owner=cast.kam, assistant=cast.assistant, name="待备案公司")
    pending.status = "pending"
    pending.save()
    response = kam.post(OPPS, new_deal(pending))
    assert response.status_code == 422 and "customer_id" in response.json()["errors"]
    assert Api(cast.assistant).post(OPPS, new_deal(grid)).status_code == 403
    assert Api(cast.colleague).post(OPPS, new_deal(grid)).status_code == 404
    assert Api(cast.consultant).post(OPPS, new_deal(grid)).status_code == 404
    assert Api(cast.kam).post(OPPS, new_deal(grid, customer_id=987654321)).status_code == 404
    assert not Opportunity.objects.exists()
    assert Api(cast.team_lead).post(OPPS, new_deal(grid)).status_code == 201


@pytest.mark.parametrize("via", VIAS)
def test_patch_records_forecast_changes_and_refuses_a_stale_version(cast, opp, via):
    path = f"{OPPS}/{opp.pk}"
    read_by_kam = Api(cast.kam, via).get(path).json()
    read_by_lead = Api(cast.team_lead, via).get(path).json()
    later = (timezone.localdate() + timedelta(days=200)).isoformat()
    response = Api(cast.team_lead, via).patch(
        path,
        {
            "version": read_by_lead["version"],
            "amount": "4000000",
            "expected_signing": later,
            "products": "调度主站",
            "reason": "客户扩大范围",
        },
    )
    assert response.status_code == 200, response.content
    saved = response.json()
    assert saved["amount"] == "4000000.00" and saved["expected_signing"] == later
    assert saved["products"] == "调度主站" and saved["name"] == read_by_kam["name"]
    assert saved["signing_slips"] == 1 and saved["health"] == ["slipped"]
    assert saved["version"] == read_by_kam["version"] + 1
    changes = Api(cast.consultant, via).get(f"{path}/forecast-changes").json()
    assert {(c["field"], c["old_value"], c["new_value"], c["reason"]) for c in changes} == {
        ("amount", "3500000.00", "4000000", "客户扩大范围"),
        ("expected_signing", read_by_kam["expected_signing"], later, "客户扩大范围"),
    }
    assert changes[0]["changed_by"]["username"] == "team_lead"

    stale = Api(cast.kam, via).patch(path, {"version": read_by_kam["version"], "name": "丢失?"})
    assert stale.status_code == 409
    body = stale.json()
    assert str(cast.team_lead) in body["detail"] and body["current_version"] == saved["version"]
    assert Opportunity.objects.get(pk=opp.pk).name == read_by_kam["name"]
    fresh = Api(cast.kam, via).patch(path, {"version": saved["version"], "name": "已保存"})
    assert fresh.status_code == 200 and fresh.json()["name"] == "已保存"


def test_patch_validation_and_permissions(cast, opp):
    path = f"{OPPS}/{opp.pk}"
    v = opp.version
    kam = Api(cast.kam)
    for body, field in (
        ({"version": v, "probability_override": 70}, "probability_reason"),
        ({"version": v, "amount": None}, "amount"),
        ({"version": v, "name": " "}, "name"),
        ({"version": v, "expected_signing": "2026-02-30"}, "expected_signing"),
        ({"name": "no version"}, "version"),
    ):
        response = kam.patch(path, body)
        assert response.status_code == 422, body
        assert field in response.json()["errors"], (body, response.json())
    assert Api(cast.consultant).patch(path, {"version": v, "name": "x"}).status_code == 403
    assert Api(cast.assistant).patch(path, {"version": v, "name": "x"}).status_code == 403
    assert Api(cast.colleague).patch(path, {"version": v, "name": "x"}).status_code == 404
    assert Opportunity.objects.get(pk=opp.pk).version == v
    response = kam.patch(
        path, {"version": v, "probability_override": 70, "probability_reason": "已中标预告"}
    )
    assert response.status_code == 200
    assert (response.json()["probability"], response.json()["weighted"]) == (70, "2450000.00")
    cleared = kam.patch(path, {"version": v + 1, "probability_override": None}).json()
    assert cleared["probability"] == 10 and cleared["probability_reason"] == ""


def test_reassign(cast, opp):
    path = f"{OPPS}/{opp.pk}/reassign"
    body = {"owner_id": cast.colleague.pk, "reason": "工作调整"}
    denied = Api(cast.kam).post(path, body)
    assert denied.status_code == 403 and denied.json()["detail"]
    assert Api(cast.team_lead).post(path, {**body, "owner_id": 98765}).status_code == 422
    assert Api(cast.team_lead).post(path, {**body, "reason": " "}).status_code == 422
    response = Api(cast.team_lead).post(path, body)
    assert response.status_code == 200 and response.json()["owner"]["username"] == "colleague"
    assert Api(cast.kam).get(f"{OPPS}/{opp.pk}").status_code == 404, "no longer kam's"


# --- the gate -------------------------------------------------------------------------------


def test_gate_shows_the_checklist_and_what_is_missing(cast, opp):
    survey = criterion("needs_survey")  # a manual criterion, ticked by a consultant
    elements_clear = criterion("first_interview", 1)  # answered by the record
    stage_wide = ExitCriterion.objects.filter(stage_id=opp.stage_id, step=None).first()
    assert stage_wide is not None
    services.criterion_set(
        actor=cast.consultant,
        opportunity=opp,
        criterion=survey,
        checked=True,
        note="客户已说明需求",
    )
    cast.assistant.language = "en"
    cast.assistant.save()
    gate = Api(cast.assistant).get(f"{OPPS}/{opp.pk}/gate").json()
    assert gate["stage"]["code"] == "development" and gate["step"]["code"] == "lead_discovery"
    assert [s["code"] for s in gate["steps"]] == [
        "lead_discovery",
        "first_interview",
        "needs_survey",
    ]
    by_id = {c["criterion_id"]: c for c in gate["checklist"]}
    assert len(by_id) == 6
    done = by_id[survey.pk]
    assert done["checked"] is True and done["note"] == "客户已说明需求"
    assert done["checked_by"]["username"] == "consultant" and done["checked_at"]
    assert done["step"] == "needs_survey" and done["evidence"] == []
    from_record = by_id[elements_clear.pk]
    assert from_record["checked"] is False and from_record["may_check"] is False
    assert [f["fact"] for f in from_record["evidence"]] == ["elements"]
    assert from_record["evidence"][0]["met"] is False
    assert "all six key evaluation elements" in from_record["evidence"][0]["text"]
    assert by_id[stage_wide.pk]["step"] is None and by_id[stage_wide.pk]["checked"] is False
    lead = criterion("lead_discovery")
    assert gate["missing_to_leave_step"] == [lead.text_en]
    stage_missing = gate["missing_to_leave_stage"]
    assert lead.text_en in stage_missing and stage_wide.text_en in stage_missing
    assert "Need must be at least “Partly known”" in stage_missing
    assert "Form missing: KA follow-up form" in stage_missing
    assert {f["code"]: f["step"] for f in gate["forms"]} == {
        "customer_profile": None,
        "ka_follow_up": None,
        "risk_assessment": "first_interview",
    }
    assert gate["elements"][0]["element"] == "need" and gate["elements"][0]["met"] is False
    assert gate["risk_pending"] is False
    assert gate["permissions"] == {"run": False, "work": False, "override": False}


@pytest.mark.parametrize("via", VIAS)
def test_a_refused_move_lists_what_is_missing_and_changes_nothing(cast, opp, via):
    path = f"{OPPS}/{opp.pk}"
    cast.kam.language = "en"
    cast.kam.save()
    kam = Api(cast.kam, via)
    gate = kam.get(f"{path}/gate").json()
    response = kam.post(f"{path}/move", {})
    assert response.status_code == 409
    body = response.json()
    assert body["missing"] == gate["missing_to_leave_step"] == [criterion("lead_discovery").text_en]
    assert body["detail"] and body["missing"][0] in body["detail"]
    after = Opportunity.objects.get(pk=opp.pk)
    assert (after.step_id, after.version) == (opp.step_id, opp.version)
    assert StageTransition.objects.filter(opportunity=opp).count() == 1

    # the criterion is answered by the record: a team member records the need (it cannot be
    # ticked by hand), but only the deal's runners move the deal
    consultant = Api(cast.consultant, via)
    ticked = consultant.put(
        f"{path}/checks/{criterion('lead_discovery').pk}", {"note": "客户有意向"}
    )
    assert ticked.status_code == 422 and "criterion_id" in ticked.json()["errors"]
    recorded = consultant.put(f"{path}/elements/need", {"status": "partly", "notes": "客户有意向"})
    assert recorded.status_code == 200, recorded.content
    assert consultant.post(f"{path}/move", {}).status_code == 403
    assert Api(cast.assistant, via).post(f"{path}/move", {}).status_code == 403
    assert (
        Api(cast.assistant, via)
        .put(f"{path}/checks/{criterion('needs_survey').pk}", {})
        .status_code
        == 403
    )
    response = kam.post(f"{path}/move", {})
    assert response.status_code == 200, response.content
    transition = response.json()
    assert transition["kind"] == "step" and transition["overridden"] is False
    assert transition["from_step"]["code"] == "lead_discovery"
    assert transition["to_step"]["code"] == "first_interview"
    assert transition["actor"]["username"] == "kam"
    # the next step needs its two criteria (both answered by the record) and the risk form
    refused = kam.post(f"{path}/move", {}).json()["missing"]
    assert refused == [
        *(c.text_en for c in ExitCriterion.objects.filter(step__code="first_interview")),
        "Form missing: Risk assessment form",
    ]


def test_only_a_director_overrides_and_the_transition_keeps_why(cast, opp):
    path = f"{OPPS}/{opp.pk}/move"
    body = {"override": True, "reason": "客户高层口头确认"}
    for user in (cast.kam, cast.director):
        user.language = "en"
        user.save()
    kam = Api(cast.kam).post(path, body)
    assert kam.status_code == 409
    assert kam.json()["missing"] == ["Only a sales director may override a gate."]
    no_reason = Api(cast.director).post(path, {"override": True})
    assert no_reason.status_code == 409
    assert no_reason.json()["missing"] == ["An override needs a written reason."]
    assert Opportunity.objects.get(pk=opp.pk).step_id == opp.step_id
    response = Api(cast.director).post(path, body)
    assert response.status_code == 200, response.content
    transition = response.json()
    assert transition["overridden"] is True and transition["reason"] == "客户高层口头确认"
    assert transition["missing"] == [criterion("lead_discovery").text_en]
    listed = Api(cast.director).get(f"{OPPS}/{opp.pk}/transitions").json()
    assert [t["kind"] for t in listed] == ["created", "step"]
    assert listed[1] == transition


def test_moving_back_needs_an_earlier_stage_and_a_reason(cast, opp):
    advance_to(opp, actor=cast.kam, stage_order=2)
    path = f"{OPPS}/{opp.pk}/back"
    kam = Api(cast.kam)
    assert kam.post(path, {"to_stage": "nirvana", "reason": "x"}).status_code == 422
    assert "to_stage" in kam.post(path, {"to_stage": 987654, "reason": "x"}).json()["errors"]
    later = kam.post(path, {"to_stage": "proposal", "reason": "x"})
    assert later.status_code == 409 and len(later.json()["missing"]) == 1
    no_reason = kam.post(path, {"to_stage": "development", "reason": "  "})
    assert no_reason.status_code == 409
    assert (
        Api(cast.consultant).post(path, {"to_stage": "development", "reason": "x"}).status_code
        == 403
    )
    development = Stage.objects.get(code="development")
    response = kam.post(path, {"to_stage": development.pk, "reason": "客户需求变化"})
    assert response.status_code == 200, response.content
    transition = response.json()
    assert transition["kind"] == "back" and transition["reason"] == "客户需求变化"
    assert transition["from_stage"]["code"] == "initiation"
    assert (transition["to_stage"]["code"], transition["to_step"]["code"]) == (
        "development",
        "lead_discovery",
    )


def test_uncheck_and_a_criterion_of_another_stage(cast, opp):
    path = f"{OPPS}/{opp.pk}/checks"
    kam = Api(cast.kam)
    lead = criterion("needs_survey")  # a manual criterion the consultant's step names
    assert kam.put(f"{path}/{lead.pk}", {"note": "x" * 301}).status_code == 422
    assert kam.put(f"{path}/{lead.pk}", {}).status_code == 200
    other = kam.put(f"{path}/{criterion('project_approval').pk}", {})
    assert other.status_code == 422 and "criterion_id" in other.json()["errors"]
    assert kam.put(f"{path}/987654", {}).status_code == 404
    assert Api(cast.consultant).delete(f"{path}/{lead.pk}").status_code == 204
    assert not CriterionCheck.objects.filter(opportunity=opp).exists()


# --- elements, competitors, buying roles, team, follow-ups ----------------------------------


def test_key_evaluation_elements(cast, opp):
    path = f"{OPPS}/{opp.pk}/elements"
    consultant = Api(cast.consultant)
    assert consultant.get(f"{path}/budget").json()["status"] == "unknown"
    response = consultant.put(f"{path}/budget", {"status": "partly", "notes": "约三百万"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["notes"], body["updated_by"]["username"]) == (
        "partly",
        "约三百万",
        "consultant",
    )
    assert body["label"] and body["status_label"]
    assert consultant.put(f"{path}/budget", {"status": "certain"}).status_code == 422
    assert consultant.put(f"{path}/mood", {"status": "partly"}).status_code == 422
    assert Api(cast.assistant).put(f"{path}/need", {"status": "partly"}).status_code == 403
    detail = Api(cast.kam).get(f"{OPPS}/{opp.pk}").json()
    assert {e["element"]: e["status"] for e in detail["elements"]}["budget"] == "partly"


def test_competitors_catalogue_and_on_the_deal(cast, opp):
    register = Api(cast.kam).post(
        f"{P}/competitors", {"name": "  南瑞  继保 ", "short_name": "南瑞"}
    )
    assert register.status_code == 201
    comp = register.json()
    assert comp["name"] == "南瑞 继保" and comp["short_name"] == "南瑞"
    again = Api(cast.colleague).post(f"{P}/competitors", {"name": "南瑞 继保"})
    assert again.status_code == 200 and again.json()["id"] == comp["id"]
    assert Api(cast.assistant).post(f"{P}/competitors", {"name": "许继"}).status_code == 403
    assert Api(cast.kam).post(f"{P}/competitors", {"name": " "}).status_code == 422
    assert [c["name"] for c in Api(cast.outsider).get(f"{P}/competitors").json()] == ["南瑞 继保"]

    path = f"{OPPS}/{opp.pk}/competitors/{comp['id']}"
    consultant = Api(cast.consultant)
    assert consultant.get(path).status_code == 404, "not on the deal yet"
    body = {"strength": "stronger", "their_strategy": "低价抢单", "our_strategy": "强调服务"}
    response = consultant.put(path, body)
    assert response.status_code == 200, response.content
    on_deal = response.json()
    assert on_deal["competitor"] == {"id": comp["id"], "name": "南瑞"}
    assert on_deal["strength"] == "stronger" and on_deal["updated_by"]["username"] == "consultant"
    assert consultant.get(path).json() == on_deal
    assert consultant.get(f"{OPPS}/{opp.pk}/competitors").json() == [on_deal]
    assert consultant.put(path, {"strength": "mighty"}).status_code == 422
    assert consultant.put(f"{OPPS}/{opp.pk}/competitors/987654", body).status_code == 404
    assert Api(cast.assistant).delete(path).status_code == 403
    assert consultant.delete(path).status_code == 204
    assert consultant.get(path).status_code == 404
    assert consultant.delete(path).status_code == 404


def test_buying_roles_and_the_power_map(cast, grid, opp):
    boss, second, third = grid.contacts.order_by("pk")
    path = f"{OPPS}/{opp.pk}/buying-roles"
    consultant = Api(cast.consultant)
    body = {
        "role": "decision_maker",
        "influence": "high",
        "attitude": "opponent",
        "personal_motives": "倾向本地厂商",
        "organisational_goals": "降本增效",
    }
    response = consultant.put(f"{path}/{boss.pk}", body)
    assert response.status_code == 200, response.content
    entry = response.json()
    assert entry["contact"]["name"] == boss.name and entry["attitude"] == "opponent"
    assert entry["personal_motives"] == "倾向本地厂商" and entry["role_label"]
    assert (
        consultant.put(
            f"{path}/{second.pk}", {**body, "role": "coach", "attitude": "supporter"}
        ).status_code
        == 200
    )
    assert consultant.put(f"{path}/{third.pk}", {**body, "influence": "huge"}).status_code == 422
    # another customer's contact is a 404, never a hint about who it is
    elsewhere = registered_customer(owner=cast.north_kam, assistant=cast.assistant, name="别家")
    stranger = elsewhere.contacts.first()
    assert consultant.put(f"{path}/{stranger.pk}", body).status_code == 404
    assert [e["contact"]["id"] for e in consultant.get(path).json()] == sorted(
        [boss.pk, second.pk], key=lambda pk: (grid.contacts.get(pk=pk).name, pk)
    )
    power = consultant.get(f"{OPPS}/{opp.pk}/power-map").json()
    assert (power["contacts"], power["involved"]) == (3, 2)
    (root,) = power["roots"]
    assert root["id"] == boss.pk and root["attitude"] == "opponent" and root["involved"]
    assert {c["id"]: c["involved"] for c in root["children"]} == {second.pk: True, third.pk: False}
    assert Api(cast.assistant).delete(f"{path}/{boss.pk}").status_code == 403
    assert consultant.delete(f"{path}/{boss.pk}").status_code == 204
    assert consultant.get(f"{path}/{boss.pk}").status_code == 404
    assert BuyingRoleEntry.objects.filter(opportunity=opp).count() == 1


def test_the_deal_team(cast, opp):
    path = f"{OPPS}/{opp.pk}/team"
    team = Api(cast.consultant).get(path).json()
    assert team["owner"]["username"] == "kam"
    assert [(m["user"]["username"], m["role"]) for m in team["members"]] == [
        ("consultant", "consultant")
    ]
    body = {"user_id": cast.colleague.pk, "role": "senior_kam", "note": "协助投标"}
    assert Api(cast.consultant).post(path, body).status_code == 403
    assert Api(cast.kam).post(path, {**body, "user_id": 987654}).status_code == 422
    assert Api(cast.kam).post(path, {**body, "user_id": cast.kam.pk}).status_code == 422
    assert Api(cast.kam).post(path, {**body, "role": "boss"}).status_code == 422
    response = Api(cast.kam).post(path, body)
    assert response.status_code == 201 and response.json()["role"] == "senior_kam"
    assert Api(cast.colleague).get(f"{OPPS}/{opp.pk}").status_code == 200, "members see it"
    assert Api(cast.kam).delete(f"{path}/{cast.colleague.pk}").status_code == 204
    assert Api(cast.colleague).get(f"{OPPS}/{opp.pk}").status_code == 404
    assert Api(cast.kam).delete(f"{path}/{cast.colleague.pk}").status_code == 404


def test_follow_ups(cast, opp):
    path = f"{OPPS}/{opp.pk}/follow-ups"
    consultant = Api(cast.consultant)
    response = consultant.post(path, {"progress": "技术交流", "support_needed": "售前支持"})
    assert response.status_code == 201
    entry = response.json()
    assert entry["on"] == timezone.localdate().isoformat()
    assert entry["author"]["username"] == "consultant"
    older = consultant.post(path, {"on": "2025-03-01", "progress": "初次拜访"})
    assert older.status_code == 201
    future = consultant.post(path, {"on": "2999-01-01", "progress": "x"})
    assert future.status_code == 422 and "on" in future.json()["errors"]
    assert consultant.post(path, {"progress": " "}).status_code == 422
    assert Api(cast.assistant).post(path, {"progress": "x"}).status_code == 403
    listed = Api(cast.assistant).get(path).json()
    assert [e["id"] for e in listed] == [entry["id"], older.json()["id"]], "newest first"


# --- risk -----------------------------------------------------------------------------------


def scores(value: int) -> dict[str, Any]:
    return {code: {"score": value} for code in RiskFactor.objects.values_list("code", flat=True)}


def test_a_high_risk_deal_waits_for_a_directors_decision(cast, opp):
    factors = Api(cast.kam).get(f"{P}/risk-factors").json()
    assert len(factors) == RiskFactor.objects.count() and factors[0]["weight"]
    path = f"{OPPS}/{opp.pk}/risk-assessments"
    consultant = Api(cast.consultant)
    incomplete = consultant.post(path, {"scores": {"ability_to_pay": {"score": 1}}})
    assert incomplete.status_code == 422
    assert "budget_unconfirmed" in incomplete.json()["errors"]
    bad = consultant.post(path, {"scores": {**scores(2), "ability_to_pay": {"score": 9}}})
    assert bad.status_code == 422 and "ability_to_pay" in bad.json()["errors"]
    assert Api(cast.assistant).post(path, {"scores": scores(2)}).status_code == 403
    response = consultant.post(path, {"scores": scores(5), "summary": "风险很高"})
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["total"] == "100.0" and made["level"] == "high"
    assert made["decision"] == "pending" and len(made["scores"]) == len(scores(5))
    assert made["scores"][0]["factor"] == "ability_to_pay"
    detail = Api(cast.kam).get(f"{OPPS}/{opp.pk}").json()
    assert {"risk_pending", "high_risk"} <= set(detail["health"])
    gate = Api(cast.kam).get(f"{OPPS}/{opp.pk}/gate").json()
    assert gate["risk_pending"] is True
    assert any("sales director" in m or "销售总监" in m for m in gate["missing_to_leave_step"])

    decision = f"{P}/risk-assessments/{made['id']}/decision"
    for who in (cast.kam, cast.head, cast.consultant):
        denied = Api(who).post(decision, {"decision": "continue", "reason": "x"})
        assert denied.status_code == 403 and denied.json()["detail"], who
    assert (
        Api(cast.colleague).post(decision, {"decision": "continue", "reason": "x"}).status_code
        == 404
    )
    assert (
        Api(cast.director).post(decision, {"decision": "maybe", "reason": "x"}).status_code == 422
    )
    no_reason = Api(cast.director).post(decision, {"decision": "continue", "reason": ""})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    response = Api(cast.director).post(decision, {"decision": "continue", "reason": "战略客户"})
    assert response.status_code == 200, response.content
    decided = response.json()
    assert decided["decision"] == "continue" and decided["decided_by"]["username"] == "director"
    assert (
        Api(cast.director).post(decision, {"decision": "abandon", "reason": "x"}).status_code == 422
    )
    assert Api(cast.consultant).get(f"{P}/risk-assessments/{made['id']}").json() == decided
    assert Api(cast.colleague).get(f"{P}/risk-assessments/{made['id']}").status_code == 404
    assert Api(cast.kam).get(path).json() == [decided]
    assert Opportunity.objects.get(pk=opp.pk).risk_decision == "continue"


def test_abandoning_by_risk_decision_closes_the_deal(cast, opp):
    made = Api(cast.kam).post(f"{OPPS}/{opp.pk}/risk-assessments", {"scores": scores(5)}).json()
    response = Api(cast.director).post(
        f"{P}/risk-assessments/{made['id']}/decision", {"decision": "abandon", "reason": "无预算"}
    )
    assert response.status_code == 200
    assert Api(cast.kam).get(f"{OPPS}/{opp.pk}").json()["status"] == "abandoned"


# --- outcomes, contract, milestones ---------------------------------------------------------


def to_negotiation(opp: Opportunity, actor: Any) -> Opportunity:
    opp = advance_to(opp, actor=actor, stage_order=5)
    satisfy_stage(opp, actor=actor)
    return opp


def win_body(**extra: Any) -> dict[str, Any]:
    return {
        "contract_number": "HT-2026-001",
        "signed_amount": "3400000.00",
        "signed_on": timezone.localdate().isoformat(),
        "milestones": [
            {"name": "预付款", "due_on": "2030-01-31", "percentage": "30"},
            {"name": "验收款", "due_on": "2030-06-30", "amount": "2000000"},
        ],
        **extra,
    }


def test_winning_is_the_last_gate(cast, opp):
    path = f"{OPPS}/{opp.pk}/win"
    early = Api(cast.kam).post(path, win_body())
    assert early.status_code == 409 and len(early.json()["missing"]) == 1
    to_negotiation(opp, cast.kam)
    kam = Api(cast.kam)
    for body, field in (
        (win_body(contract_number=" "), "contract_number"),
        (win_body(signed_on="2999-01-01"), "signed_on"),
        (win_body(signed_amount="0"), "signed_amount"),
        (win_body(milestones=[{"name": "全款", "due_on": "2030-01-31"}]), "milestones[1]"),
        (
            win_body(milestones=[{"name": "超额", "due_on": "2030-01-31", "amount": "9999999"}]),
            "milestones",
        ),
    ):
        response = kam.post(path, body)
        assert response.status_code == 422, body
        assert field in response.json()["errors"], (field, response.json())
    assert Api(cast.consultant).post(path, win_body()).status_code == 403
    assert Opportunity.objects.get(pk=opp.pk).status == "open"
    response = kam.post(path, win_body())
    assert response.status_code == 201, response.content
    contract = response.json()
    assert contract["number"] == "HT-2026-001" and contract["amount"] == "3400000.00"
    assert [(m["name"], m["amount"], m["percentage"]) for m in contract["milestones"]] == [
        ("预付款", "1020000.00", "30.00"),
        ("验收款", "2000000.00", None),
    ]
    detail = Api(cast.assistant).get(f"{OPPS}/{opp.pk}").json()
    assert detail["status"] == "won" and detail["stage"]["code"] == "implementation"
    assert Api(cast.consultant).get(f"{OPPS}/{opp.pk}/contract").json() == contract
    assert kam.post(f"{OPPS}/{opp.pk}/reopen", {"reason": "x"}).status_code == 422
    again = kam.post(path, win_body(contract_number="HT-2"))
    assert again.status_code == 409


def test_milestones_of_the_contract(cast, opp):
    assert Api(cast.kam).get(f"{OPPS}/{opp.pk}/contract").status_code == 404
    assert (
        Api(cast.kam)
        .post(f"{OPPS}/{opp.pk}/milestones", {"name": "x", "due_on": "2030-01-01", "amount": "1"})
        .status_code
        == 404
    )
    to_negotiation(opp, cast.kam)
    contract = Api(cast.kam).post(f"{OPPS}/{opp.pk}/win", win_body()).json()
    path = f"{OPPS}/{opp.pk}/milestones"
    too_much = Api(cast.kam).post(
        path, {"name": "尾款", "due_on": "2031-01-01", "amount": "500000"}
    )
    assert too_much.status_code == 422 and "milestones" in too_much.json()["errors"]
    assert (
        Api(cast.consultant)
        .post(path, {"name": "尾款", "due_on": "2031-01-01", "amount": "1000"})
        .status_code
        == 403
    )
    added = Api(cast.kam).post(path, {"name": "质保金", "due_on": "2031-01-01", "percentage": "5"})
    assert added.status_code == 201 and added.json()["amount"] == "170000.00"
    milestone = added.json()
    m_path = f"{P}/milestones/{milestone['id']}"
    today = timezone.localdate().isoformat()
    lead = Api(cast.team_lead)
    bad = lead.patch(m_path, {"version": milestone["version"], "collected_amount": "170000"})
    assert bad.status_code == 422 and "collected_on" in bad.json()["errors"]
    response = lead.patch(
        m_path,
        {
            "version": milestone["version"],
            "accepted_on": today,
            "collected_on": today,
            "collected_amount": "100000",
        },
    )
    assert response.status_code == 200, response.content
    saved = response.json()
    assert saved["outstanding"] == "70000.00" and saved["version"] == milestone["version"] + 1
    stale = Api(cast.kam).patch(m_path, {"version": milestone["version"], "name": "改名"})
    assert stale.status_code == 409 and stale.json()["current_version"] == saved["version"]
    assert Api(cast.kam).delete(m_path).status_code == 422, "collected: kept"
    first = contract["milestones"][0]["id"]
    assert Api(cast.assistant).delete(f"{P}/milestones/{first}").status_code == 403
    assert Api(cast.colleague).delete(f"{P}/milestones/{first}").status_code == 404
    assert Api(cast.kam).delete(f"{P}/milestones/{first}").status_code == 204
    assert not PaymentMilestone.objects.filter(pk=first).exists()


def test_lose_abandon_reopen(cast, opp):
    reasons = Api(cast.kam).get(f"{P}/loss-reasons").json()
    assert reasons[0]["code"] == "price" and reasons[0]["name"]
    winner = services.competitor_register(actor=cast.kam, name="许继电气")
    path = f"{OPPS}/{opp.pk}"
    kam = Api(cast.kam)
    body = {"loss_reason": "price", "winner_id": winner.pk, "lessons": "报价高出15%"}
    for bad, field in (
        ({**body, "loss_reason": "bad_luck"}, "loss_reason"),
        ({**body, "winner_id": 987654}, "winner_id"),
        ({**body, "lessons": ""}, "lessons"),
    ):
        response = kam.post(f"{path}/lose", bad)
        assert response.status_code == 422 and field in response.json()["errors"], bad
    assert Api(cast.consultant).post(f"{path}/lose", body).status_code == 403
    response = kam.post(f"{path}/lose", body)
    assert response.status_code == 200, response.content
    lost = response.json()
    assert lost["status"] == "lost" and lost["winner"] == {"id": winner.pk, "name": "许继电气"}
    assert lost["loss_reason"]["id"] == reasons[0]["id"] and lost["close_reason"] == "报价高出15%"
    assert kam.post(f"{path}/abandon", {"reason": "x"}).status_code == 422, "closed already"
    assert kam.post(f"{path}/reopen", {"reason": ""}).status_code == 422
    reopened = kam.post(f"{path}/reopen", {"reason": "客户重新招标"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    assert reopened.json()["winner"] is None
    assert kam.post(f"{path}/abandon", {"reason": " "}).status_code == 422
    abandoned = kam.post(f"{path}/abandon", {"reason": "客户项目取消"})
    assert abandoned.status_code == 200 and abandoned.json()["status"] == "abandoned"
    kinds = [t["kind"] for t in kam.get(f"{path}/transitions").json()]
    assert kinds == ["created", "lost", "reopened", "abandoned"]


# --- language -------------------------------------------------------------------------------


def test_a_refusal_comes_in_the_requesters_language(cast, opp):
    cast.kam.language = "en"
    cast.kam.save()
    english = Api(cast.kam, "token").post(f"{OPPS}/{opp.pk}/move", {}).json()
    assert english["missing"] == ["Customer's intent confirmed"]
    cast.team_lead.language = "zh-hans"
    cast.team_lead.save()
    chinese = Api(cast.team_lead, "token").post(f"{OPPS}/{opp.pk}/move", {}).json()
    assert chinese["missing"] == [criterion("lead_discovery").text_zh]
    assert Competitor.objects.count() == 0
