"""The rollup (``pipeline.rollup``) always equals the deals, whatever writes them, and the
totals, counts and board sums it answers are the ones the deals give, for every user."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyaccount.org.rules import RoleCode
from keyaccount.org.selectors import scope_for
from keyaccount.pipeline import aggregates, rollup, rules, selectors, services
from keyaccount.pipeline.models import (
    LossReason,
    Opportunity,
    OpportunityRollup,
    OpportunityUnitRollup,
)
from keyaccount.pipeline.selectors import OpportunityFilters
from keyaccount.process.models import Stage
from tests.factories import UserFactory, assign
from tests.pipeline_support import make_opportunity, registered_customer

# --- what the rollup answers (no database) ---------------------------------------------------


@pytest.mark.parametrize(
    "filters",
    [
        OpportunityFilters(),
        OpportunityFilters(status=""),
        OpportunityFilters(status="won", stages=[3], owner=7, team=2, sort="-amount"),
    ],
)
def test_status_stage_owner_and_team_are_answered_by_the_rollup(filters):
    assert rollup.answers(filters)


@pytest.mark.parametrize(
    "change",
    [
        {"q": "电网"},
        {"region": 3},
        {"industry": 2},
        {"grades": ["A"]},
        {"customer": 5},
        {"amount_min": Decimal(1)},
        {"health": ["slipped"]},
        {"risk": "high"},
        {"min_amount_major": Decimal(5_000_000)},
    ],
)
def test_any_other_filter_sends_the_totals_to_the_deals(change):
    assert not rollup.answers(replace(OpportunityFilters(), **change))
    assert rollup.answers(replace(OpportunityFilters(), q="   "))  # a blank search is none


# --- kept in step by every write ---------------------------------------------------------------


@pytest.fixture
def customer(cast):
    return registered_customer(owner=cast.kam, assistant=cast.assistant)


def in_step() -> bool:
    return rollup.drift() == 0 and all(
        rollup.kept(level) == rollup.truth(level) for level in rollup.LEVELS
    )


def test_every_change_of_a_deal_through_the_services_moves_its_group(cast, customer):
    opp = make_opportunity(owner=cast.kam, customer=customer, amount=Decimal("1234567.89"))
    assert in_step() and rollup.kept()  # a group exists
    services.opportunity_update(
        actor=cast.kam,
        opportunity=opp,
        data={"amount": Decimal("2000000.01"), "currency": "USD"},
        expected_version=opp.version,
        reason="扩容",
    )
    assert in_step()
    opp.refresh_from_db()
    services.opportunity_reassign(
        actor=cast.team_lead, opportunity=opp, owner=cast.colleague, reason="人员调整"
    )
    assert in_step()
    opp.refresh_from_db()
    services.opportunity_lose(
        actor=cast.colleague,
        opportunity=opp,
        loss_reason=LossReason.objects.get(code="price"),
        winner=None,
        lessons="价格",
    )
    assert in_step()
    (key,) = rollup.kept()
    assert key[1:3] == (cast.colleague.pk, rules.Status.LOST)


def test_bulk_writes_deletes_and_a_person_moving_units_keep_it_in_step(cast, customer):
    a = make_opportunity(owner=cast.kam, customer=customer, amount=Decimal(100))
    make_opportunity(owner=cast.kam, customer=customer, name="二期", amount=Decimal("0.01"))
    Opportunity.objects.filter(pk=a.pk).update(stage=Stage.objects.get(order=3))
    assert in_step()
    Opportunity.objects.update(amount=Decimal("999.99"), weighted=Decimal("99.99"))
    assert in_step()
    cast.kam.unit = cast.north  # the person moves; their deals follow (``org.ownership``)
    cast.kam.save()
    assert Opportunity.objects.filter(owner_unit=cast.north).count() == 2
    assert in_step()
    Opportunity.objects.filter(pk=a.pk).delete()
    assert in_step()
    Opportunity.objects.all().delete()
    assert rollup.kept() == {} and rollup.kept(rollup.UNIT) == {}


def test_a_deal_of_someone_without_a_unit_has_a_group_of_its_own(cast, customer):
    loner = UserFactory(unit=None)
    make_opportunity(owner=cast.kam, customer=customer)
    Opportunity.objects.update(owner=loner, owner_unit=None)
    assert in_step()
    assert {key[0] for key in rollup.kept()} == {0}
    assert {key[0] for key in rollup.kept(rollup.UNIT)} == {0}


def test_missing_triggers_are_put_back_and_the_groups_rebuilt(cast, customer):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    make_opportunity(owner=cast.kam, customer=customer)
    rollup.drop(connection)
    make_opportunity(owner=cast.kam, customer=customer, name="二期")  # written unseen
    Opportunity.objects.update(amount=Decimal(5))
    assert rollup.drift() > 0
    assert rollup.ensure(connection) is True
    assert in_step()
    assert rollup.ensure(connection) is False  # complete: nothing to do
    make_opportunity(owner=cast.kam, customer=customer, name="三期")
    assert in_step()


# --- the answers equal the deals' ---------------------------------------------------------------


@pytest.fixture
def book(cast):
    """Deals across both teams, currencies, stages and statuses; one the consultant sees only
    as a team member, one in the north team the east KAM is on the team of."""
    east = registered_customer(owner=cast.kam, assistant=cast.assistant)
    north = registered_customer(owner=cast.north_kam, assistant=cast.assistant, name="北方银行")
    deals = [
        make_opportunity(owner=cast.kam, customer=east, amount=Decimal("1500000.55")),
        make_opportunity(owner=cast.kam, customer=east, name="海外", currency="USD"),
        make_opportunity(owner=cast.kam, customer=east, name="配网", amount=Decimal(7)),
        make_opportunity(
            owner=cast.north_kam, customer=north, name="核心", amount=Decimal(9_000_000)
        ),
        make_opportunity(owner=cast.north_kam, customer=north, name="灾备"),
    ]
    Opportunity.objects.filter(pk=deals[2].pk).update(
        owner=cast.colleague, stage=Stage.objects.get(order=2)
    )
    Opportunity.objects.filter(pk=deals[4].pk).update(
        status=rules.Status.WON, stage=Stage.objects.order_by("-order").first()
    )
    services.member_add(
        actor=cast.kam, opportunity=deals[0], user=cast.consultant, role="consultant"
    )
    services.member_add(
        actor=cast.north_kam, opportunity=deals[3], user=cast.kam, role="consultant"
    )
    return deals


FILTERS = [
    OpportunityFilters(),
    OpportunityFilters(status=""),
    OpportunityFilters(status="won"),
    OpportunityFilters(stages=[1]),
    OpportunityFilters(status="", stages=[1, 2]),
]


def filters_for(cast) -> list[OpportunityFilters]:
    return [
        *FILTERS,
        OpportunityFilters(owner=cast.kam.pk),
        OpportunityFilters(owner=cast.north_kam.pk, status=""),
        OpportunityFilters(team=cast.east.pk),
        OpportunityFilters(team=cast.ka_dept.pk, status=""),
    ]


def test_totals_and_counts_from_the_rollup_equal_the_deals_for_every_user(cast, book):
    assert in_step()
    for user in [*cast.roles().values(), UserFactory(unit=None)]:
        for f in filters_for(cast):
            listed = selectors.opportunity_list(user=user, filters=f)
            want = aggregates.totals(listed)
            got = aggregates.totals_for(user=user, filters=f)
            assert got == want, (user, f)
            assert aggregates.count_for(user=user, filters=f, queryset=listed) == listed.count()


def test_a_director_of_every_unit_sees_the_units_groups_and_their_own_unitless_deals(cast, book):
    """Covering the whole tree: the unit-level groups of every unit (not "no unit"), plus the
    owner-level groups of their own deals without a unit; someone else's unitless deal stays
    out."""
    top, loner = UserFactory(unit=None), UserFactory(unit=None)
    assign(top, RoleCode.SALES_DIRECTOR, cast.company)
    east = book[0].customer
    for owner, name in ((top, "总部"), (loner, "散户")):
        deal = make_opportunity(owner=cast.kam, customer=east, name=name, amount=Decimal(11))
        Opportunity.objects.filter(pk=deal.pk).update(owner=owner, owner_unit=None)
    assert scope_for(top).all_units and in_step()
    for f in filters_for(cast):
        listed = selectors.opportunity_list(user=top, filters=f)
        assert aggregates.totals_for(user=top, filters=f) == aggregates.totals(listed), f
        assert aggregates.count_for(user=top, filters=f, queryset=listed) == listed.count()
    assert aggregates.totals_for(user=top, filters=OpportunityFilters()).count == 5


def test_the_board_sums_from_the_rollup_equal_the_deals(cast, book):
    for user in (cast.head, cast.kam, cast.consultant, cast.north_kam):
        for f in (OpportunityFilters(), OpportunityFilters(owner=cast.kam.pk)):
            for column in aggregates.board(user=user, filters=f):
                deals = selectors.opportunity_list(user=user, filters=replace(f, status=""))
                at_work = [
                    o
                    for o in deals.filter(stage=column.stage)
                    if o.status == rules.Status.OPEN
                    or (o.status == rules.Status.WON and column.stage.order == 6)
                ]
                assert column.count == len(at_work), (user, column.stage)
                yuan = [o for o in at_work if o.currency == rules.Currency.CNY]
                assert column.amount == sum((o.amount for o in yuan), Decimal(0))
                assert column.weighted == sum((o.weighted for o in yuan), Decimal(0))
                assert column.foreign == len(at_work) - len(yuan)


def test_the_head_s_totals_read_the_groups_not_the_deals(cast, book):
    with CaptureQueriesContext(connection) as queries:
        aggregates.totals_for(user=cast.head, filters=OpportunityFilters())
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    # the units the head sees from the unit-level groups, their own deals elsewhere from the
    # owner-level ones
    assert OpportunityUnitRollup._meta.db_table in sql
    assert f'FROM "{OpportunityRollup._meta.db_table}"' in sql
    assert f'FROM "{Opportunity._meta.db_table}"' not in sql
    # the KAM is on a north deal's team: that one deal is summed from the deals, apart
    assert aggregates.totals_for(user=cast.kam, filters=OpportunityFilters()).count == 3


def test_a_search_is_summed_from_the_deals(cast, book):
    f = OpportunityFilters(q="核心")
    assert aggregates.totals_for(user=cast.head, filters=f).count == 1
