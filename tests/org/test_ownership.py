"""Records keep their owner's org unit (``org.ownership``): whatever changes an owner or moves a
person, the stored unit equals the truth (the owner's unit), and what each user sees is what
the rule read through the owner gives."""

import random

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from keyaccount.contacts.models import Contact
from keyaccount.customers import services as customer_services
from keyaccount.customers.models import Customer
from keyaccount.org import ownership
from keyaccount.org.models import User
from keyaccount.org.selectors import scope_for
from keyaccount.pipeline import services
from keyaccount.pipeline.models import Opportunity
from tests.pipeline_support import make_opportunity, registered_customer


def truth(model, user):
    """The rule as it was before the unit was stored: read through the owner's row."""
    scope = scope_for(user)
    if scope.everything:
        return set(model.objects.values_list("pk", flat=True))
    owner = "owner" if model is not Contact else "customer__owner"
    condition = Q(**{f"{owner}_id": user.pk}) | Q(**{f"{owner}__unit_id__in": scope.unit_ids})
    if model is Opportunity:
        condition |= Q(members__user=user)
    return set(model.objects.filter(condition).values_list("pk", flat=True))


def assert_in_step(cast):
    assert set(ownership.drift().values()) == {0}, ownership.drift()
    for user in (cast.kam, cast.north_kam, cast.team_lead, cast.head, cast.consultant):
        for model in (Customer, Opportunity, Contact):
            seen = set(model.objects.visible_to(user).values_list("pk", flat=True))
            assert seen == truth(model, user), (user.username, model.__name__)


@pytest.fixture
def book(cast):
    customer = registered_customer(owner=cast.kam, assistant=cast.assistant)
    return customer, make_opportunity(owner=cast.kam, customer=customer)


def test_every_model_whose_rule_stores_the_unit_is_kept():
    assert {m._meta.label for m, _, _ in ownership.stored_unit_models()} == {
        "customers.Customer",
        "pipeline.Opportunity",
    }


def test_a_new_record_takes_its_owners_unit(cast, book):
    customer, opp = book
    assert customer.owner_unit_id == cast.east.pk
    assert Opportunity.objects.get(pk=opp.pk).owner_unit_id == cast.east.pk
    assert_in_step(cast)


def test_allocation_and_reassignment_move_the_unit_with_the_owner(cast, book):
    customer, opp = book
    customer_services.customers_allocate(
        actor=cast.head, customers=[customer], new_owner=cast.north_kam, reason="区域调整"
    )
    services.opportunity_reassign(
        actor=cast.head, opportunity=opp, owner=cast.north_kam, reason="区域调整"
    )
    assert Customer.objects.get(pk=customer.pk).owner_unit_id == cast.north.pk
    assert Opportunity.objects.get(pk=opp.pk).owner_unit_id == cast.north.pk
    assert customer.pk not in truth(Customer, cast.team_lead)  # east's manager lost it
    assert_in_step(cast)


def test_a_person_moving_unit_takes_their_records_along(cast, book):
    customer, opp = book
    cast.kam.unit = cast.north
    cast.kam.save()  # as the back office saves a person
    assert Customer.objects.get(pk=customer.pk).owner_unit_id == cast.north.pk
    assert Opportunity.objects.get(pk=opp.pk).owner_unit_id == cast.north.pk
    assert not Customer.objects.visible_to(cast.team_lead).filter(pk=customer.pk).exists()
    assert_in_step(cast)
    cast.kam.unit = None
    cast.kam.save(update_fields=["unit"])
    assert Customer.objects.get(pk=customer.pk).owner_unit_id is None
    assert Customer.objects.visible_to(cast.kam).filter(pk=customer.pk).exists()  # still theirs
    assert not Customer.objects.visible_to(cast.head).filter(pk=customer.pk).exists()
    assert_in_step(cast)


def test_saving_a_person_without_their_unit_does_not_touch_their_records(cast, book):
    with CaptureQueriesContext(connection) as queries:
        cast.kam.save(update_fields=["last_login"])  # as every sign-in does
    sqls = [q["sql"] for q in queries.captured_queries]
    assert sqls and not [s for s in sqls if "customers_" in s or "pipeline_" in s], sqls


def test_drift_finds_a_row_out_of_step(cast, book):
    customer, _ = book
    Customer.objects.filter(pk=customer.pk).update(owner_unit=cast.north)  # behind the services
    assert ownership.drift()["customers.Customer"] == 1
    assert ownership.follow_owner(cast.kam) == 1
    assert_in_step(cast)


def test_the_stored_unit_always_equals_the_truth(cast):
    """Random owners, allocations, reassignments and people moving between the units: after
    each step every stored unit is the owner's and every user sees what the rule says."""
    rng = random.Random(8)
    sellers = [cast.kam, cast.colleague, cast.north_kam]
    units = [cast.east, cast.north, None]
    customers = [
        registered_customer(owner=rng.choice(sellers), assistant=cast.assistant, name=f"客户{i}")
        for i in range(3)
    ]
    deals = [make_opportunity(owner=c.owner, customer=c, name=f"项目{c.pk}") for c in customers]
    for step in range(12):
        kind = rng.choice(["allocate", "reassign", "move"])
        if kind == "allocate":
            target = rng.choice([s for s in sellers if s.unit_id is not None])
            customer_services.customers_allocate(
                actor=cast.admin,
                customers=[rng.choice(customers)],
                new_owner=target,
                reason=f"第{step}次调整",
            )
        elif kind == "reassign":
            deal = Opportunity.objects.get(pk=rng.choice(deals).pk)
            target = rng.choice([s for s in sellers if s.unit_id is not None])
            if target.pk != deal.owner_id:
                services.opportunity_reassign(
                    actor=cast.admin, opportunity=deal, owner=target, reason=f"第{step}次调整"
                )
        else:
            person = rng.choice(sellers)
            person.unit = rng.choice(units)
            person.save()
        assert_in_step(cast)


def test_the_migrations_backfill_fills_rows_written_before_the_field(cast, book):
    customer, _ = book
    Customer.objects.update(owner_unit=None)
    Opportunity.objects.update(owner_unit=None)
    assert ownership.backfill(Customer, User, using="default") == Customer.objects.count()
    assert ownership.backfill(Opportunity, User, using="default") == Opportunity.objects.count()
    assert Customer.objects.get(pk=customer.pk).owner_unit_id == cast.east.pk
    assert_in_step(cast)
