"""The stored forecast (``forecast_probability``, ``weighted``) always equals what the deal's
fields give: kept by save, by a stage's probability changing, refreshed after bulk writes."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyaccount.pipeline import aggregates, forecast, rules, selectors, services
from keyaccount.pipeline.models import Opportunity
from keyaccount.process.models import Stage
from tests.pipeline_support import advance_to, make_opportunity, registered_customer


def stage(order: int) -> Stage:
    return Stage.objects.get(order=order)


@pytest.fixture
def customer(cast):
    return registered_customer(owner=cast.kam, assistant=cast.assistant)


def stored(opp: Opportunity) -> tuple[int, Decimal]:
    opp.refresh_from_db()
    return opp.forecast_probability, opp.weighted


def test_a_new_deal_stores_its_stage_probability_and_weighted_amount(cast, customer):
    opp = make_opportunity(owner=cast.kam, customer=customer, amount=Decimal("1234567.89"))
    p = stage(1).probability
    assert stored(opp) == (p, rules.weighted_amount(Decimal("1234567.89"), p))
    assert forecast.drift() == 0


def test_edits_of_amount_and_override_keep_it_in_step(cast, customer):
    opp = make_opportunity(owner=cast.kam, customer=customer, amount=Decimal(1_000_000))
    services.opportunity_update(
        actor=cast.kam,
        opportunity=opp,
        data={"probability_override": 35, "probability_reason": "客户高层已确认"},
        expected_version=opp.version,
    )
    assert stored(opp) == (35, Decimal("350000.00"))
    services.opportunity_update(
        actor=cast.kam,
        opportunity=opp,
        data={"amount": Decimal("2000000.01")},
        expected_version=opp.version,
        reason="扩容",
    )
    assert stored(opp) == (35, Decimal("700000.00"))
    services.opportunity_update(
        actor=cast.kam,
        opportunity=opp,
        data={"probability_override": None},
        expected_version=opp.version,
    )
    p = stage(1).probability
    assert stored(opp) == (p, rules.weighted_amount(Decimal("2000000.01"), p))
    assert forecast.drift() == 0


def test_a_move_through_the_gate_takes_the_new_stage_probability(cast, customer):
    opp = make_opportunity(owner=cast.kam, customer=customer, amount=Decimal(1_000_000))
    advance_to(opp, actor=cast.kam, stage_order=3)
    p = stage(3).probability
    assert stored(opp) == (p, rules.weighted_amount(Decimal(1_000_000), p))
    assert forecast.drift() == 0


def test_a_stage_probability_edited_in_the_playbook_moves_its_deals_but_not_overrides(
    cast, customer
):
    follows = make_opportunity(owner=cast.kam, customer=customer, amount=Decimal(800_000))
    kept = make_opportunity(
        owner=cast.kam,
        customer=customer,
        amount=Decimal(800_000),
        probability_override=60,
        probability_reason="已中标公示",
    )
    first = stage(1)
    first.probability = 15
    first.save()
    assert stored(follows) == (15, Decimal("120000.00"))
    assert stored(kept) == (60, Decimal("480000.00"))
    assert forecast.drift() == 0


def test_saving_a_stage_unchanged_writes_no_deal(cast, customer):
    make_opportunity(owner=cast.kam, customer=customer)
    first = stage(1)
    with CaptureQueriesContext(connection) as captured:
        first.save()
    writes = [q["sql"] for q in captured if q["sql"].startswith('UPDATE "pipeline_opportunity"')]
    assert writes == []


def test_drift_counts_rows_written_around_save_and_refresh_mends_them(cast, customer):
    a = make_opportunity(owner=cast.kam, customer=customer, amount=Decimal(1_000_000))
    b = make_opportunity(owner=cast.kam, customer=customer, amount=Decimal(2_000_000))
    Opportunity.objects.filter(pk=a.pk).update(stage=stage(4))
    Opportunity.objects.filter(pk=b.pk).update(amount=Decimal(3_000_000))
    assert forecast.drift() == 2
    assert forecast.refresh_forecast() == 2
    assert forecast.drift() == 0
    p4, p1 = stage(4).probability, stage(1).probability
    assert stored(a) == (p4, rules.weighted_amount(Decimal(1_000_000), p4))
    assert stored(b) == (p1, rules.weighted_amount(Decimal(3_000_000), p1))


def test_the_list_shows_and_sums_the_stored_forecast(cast, customer):
    make_opportunity(owner=cast.kam, customer=customer, amount=Decimal("100000.05"))
    make_opportunity(owner=cast.kam, customer=customer, amount=Decimal("200000.05"))
    rows = list(selectors.opportunity_list(user=cast.kam))
    assert all(o.prob == o.probability for o in rows)
    totals = aggregates.totals(selectors.opportunity_list(user=cast.kam))
    assert totals.cny["weighted"] == sum(o.weighted for o in rows)


def test_the_data_migration_fills_existing_rows(cast, customer):
    opp = make_opportunity(owner=cast.kam, customer=customer, amount=Decimal(500_000))
    Opportunity.objects.filter(pk=opp.pk).update(forecast_probability=0, weighted=0)
    migration = importlib.import_module("keyaccount.pipeline.migrations.0011_stored_forecast")
    migration.fill(django_apps, connection.schema_editor())
    p = stage(1).probability
    assert stored(opp) == (p, rules.weighted_amount(Decimal(500_000), p))
