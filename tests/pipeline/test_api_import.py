"""``POST /api/pipeline/opportunities/import``: deals from another system at their stage, with
their dates and outcome, for an administrator or the sales director; all or none, each refusal
named by the deal's position and field; a bounded number of queries for a thousand deals."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from keyaccount.org.models import ApiToken
from keyaccount.pipeline import rules
from keyaccount.pipeline.models import Contract, Opportunity
from keyaccount.process.models import Stage

from ..api_support import Api, count_queries
from ..pipeline_support import registered_customer

URL = "/api/pipeline/opportunities/import"


@pytest.fixture
def grid(cast):
    return registered_customer(owner=cast.kam, assistant=cast.assistant, contacts=0)


def body(customer, **changes) -> dict:
    return {
        "source": "Salesforce",
        "deals": [
            {
                "customer_id": customer.pk,
                "name": "调度系统",
                "amount": "1200000.00",
                "stage_id": Stage.objects.get(order=2).pk,
                "expected_signing": "2027-03-31",
                "created_on": "2025-05-06",
            }
            | changes
        ],
    }


def test_an_administrator_brings_in_a_won_and_an_open_deal(cast, grid):
    won = body(
        grid,
        name="配网",
        status="won",
        stage_id=Stage.objects.get(order=6).pk,
        closed_on="2025-10-01",
        contract_number="HT-77",
        signed_amount="990000",
    )["deals"]
    payload = body(grid, owner_id=cast.colleague.pk)
    payload["deals"] += won  # fmt: skip
    answer = Api(cast.admin, "token").post(URL, payload)
    assert answer.status_code == 201, answer.content
    first, second = answer.json()["ids"]
    opp = Opportunity.objects.get(pk=first)
    assert opp.owner == cast.colleague and opp.stage.order == 2
    assert opp.transitions.get().kind == rules.Move.IMPORTED
    assert timezone.localtime(opp.transitions.get().at).date() == date(2025, 5, 6)
    contract = Contract.objects.get(opportunity_id=second)
    assert contract.number == "HT-77" and contract.signed_on == date(2025, 10, 1)
    detail = Api(cast.admin).get(f"/api/pipeline/opportunities/{second}").json()
    assert detail["status"] == "won" and detail["amount"] == "990000.00"


@pytest.mark.parametrize("role", ["kam", "team_lead", "head", "assistant", "consultant"])
def test_nobody_else_imports_history(cast, grid, role):
    answer = Api(getattr(cast, role)).post(URL, body(grid))
    assert answer.status_code == 403
    assert "系统管理员" in answer.json()["detail"]  # in the user's language
    assert not Opportunity.objects.exists()


def test_each_refusal_names_the_deal_and_field_and_nothing_is_written(cast, grid):
    payload = body(grid)
    payload["deals"] += [
        payload["deals"][0] | {"name": "B", "status": "won"},  # no close date
        payload["deals"][0] | {"name": "C", "stage_id": 987654},
        payload["deals"][0] | {"name": "D", "loss_reason": "nonsense", "status": "lost",
                               "closed_on": "2025-06-01"},
    ]  # fmt: skip
    answer = Api(cast.admin).post(URL, payload)
    assert answer.status_code == 422
    fields = answer.json()["errors"]
    assert set(fields) == {"deals.2.stage_id", "deals.3.loss_reason"}  # references first
    payload["deals"][2:] = []
    answer = Api(cast.admin).post(URL, payload)
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"deals.1.closed_on"}
    assert not Opportunity.objects.exists()


def test_a_customer_the_caller_cannot_see_is_refused_as_missing(cast):
    theirs = registered_customer(owner=cast.outsider, assistant=cast.admin, contacts=0)
    answer = Api(cast.director).post(URL, body(theirs))
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"deals.0.customer_id"}


def test_a_sales_director_imports_for_the_units_they_cover_only(cast, grid):
    assert Api(cast.director).post(URL, body(grid)).status_code == 201
    outside = body(grid, name="外部", owner_id=cast.outsider.pk)
    answer = Api(cast.director).post(URL, outside)
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"deals.0.owner_id"}


def test_a_thousand_deals_take_a_fixed_number_of_queries(cast, grid):
    today = timezone.localdate()
    payload = body(grid)
    deal = payload["deals"][0]
    payload["deals"] = [
        deal | {"name": f"机会{i}", "created_on": (today - timedelta(days=i % 300)).isoformat()}
        for i in range(1000)
    ]
    api = Api(cast.admin)
    with count_queries() as queries:
        answer = api.post(URL, payload)
    assert answer.status_code == 201
    assert len(queries) < 40, len(queries)
    assert Opportunity.objects.count() == 1000


def test_an_integration_token_an_administrator_allowed_imports_for_any_owner(cast, grid):
    # an integration's account: it sees the department's customers, has no importing role
    sync = Api(cast.assistant, "token")
    assert sync.post(URL, body(grid)).status_code == 403
    token = ApiToken.objects.get(user=cast.assistant)
    token.can_import = True  # the administrator ticks it on the admin site
    token.save()
    answer = sync.post(URL, body(grid, owner_id=cast.north_kam.pk))
    assert answer.status_code == 201, answer.content
    opp = Opportunity.objects.get(pk=answer.json()["ids"][0])
    assert opp.owner == cast.north_kam and opp.stage.order == 2
    assert opp.transitions.get().actor == cast.assistant  # recorded with the token's user
    # the permission is the token's, not the person's: their browser session may not
    assert Api(cast.assistant).post(URL, body(grid, name="会话导入")).status_code == 403
    assert Api(cast.assistant, "token").post(URL, body(grid, name="另一令牌")).status_code == 403


def test_the_token_page_says_which_token_imports(cast, client_for):
    Api(cast.consultant, "token")
    ApiToken.objects.filter(user=cast.consultant).update(can_import=True)
    html = client_for(cast.consultant).get("/settings/tokens/").content.decode()
    assert 'data-testid="token-imports"' in html
