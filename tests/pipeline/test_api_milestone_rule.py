"""A payment milestone has an amount or a percentage of the contract, not both: the API refuses
both with a 422 on the milestone (``milestones[n]``), when a deal is won and when a milestone is
added to its contract, as the pages do."""

from typing import Any

import pytest
from django.utils import timezone

from keyaccount.pipeline.models import Contract, Opportunity, PaymentMilestone

from ..api_support import Api
from ..pipeline_support import advance_to, make_opportunity, registered_customer, satisfy_stage

OPPS = "/api/pipeline/opportunities"
FIRST = {"name": "预付款", "due_on": "2030-01-31", "percentage": "30"}
BOTH = {"name": "到货款", "due_on": "2030-06-30", "amount": "1000000", "percentage": "10"}


def win_body(*milestones: dict[str, str]) -> dict[str, Any]:
    return {
        "contract_number": "HT-2026-001",
        "signed_amount": "3400000.00",
        "signed_on": timezone.localdate().isoformat(),
        "milestones": list(milestones),
    }


@pytest.fixture
def kam(cast) -> Any:
    cast.kam.language = "en"
    cast.kam.save()
    return cast.kam


@pytest.fixture
def negotiating(cast, kam) -> Opportunity:
    customer = registered_customer(owner=kam, assistant=cast.assistant)
    opp = advance_to(make_opportunity(owner=kam, customer=customer), actor=kam, stage_order=5)
    satisfy_stage(opp, actor=kam)
    return opp


def names_both_fields(response: Any, key: str) -> bool:
    assert response.status_code == 422, response.content
    (message,) = response.json()["errors"][key]
    return "amount" in message and "percentage" in message


def test_winning_refuses_a_milestone_with_an_amount_and_a_percentage(kam, negotiating):
    response = Api(kam).post(f"{OPPS}/{negotiating.pk}/win", win_body(FIRST, BOTH))
    assert names_both_fields(response, "milestones[2]")
    assert set(response.json()["errors"]) == {"milestones[2]"}
    assert not Contract.objects.exists()
    assert Opportunity.objects.get(pk=negotiating.pk).status == "open"


def test_adding_a_milestone_with_an_amount_and_a_percentage_is_refused(kam, negotiating):
    api = Api(kam)
    assert api.post(f"{OPPS}/{negotiating.pk}/win", win_body(FIRST)).status_code == 201
    before = list(PaymentMilestone.objects.values_list("pk", flat=True))
    response = api.post(f"{OPPS}/{negotiating.pk}/milestones", BOTH)
    assert names_both_fields(response, "milestones[1]")
    assert list(PaymentMilestone.objects.values_list("pk", flat=True)) == before
