"""Who may do what to a deal they see: run it (owner and managers), work on it (its team),
override its gates and decide its risk (a sales director covering the owner's unit)."""

import pytest

from keyaccount.org.capabilities import NOBODY, Capabilities
from keyaccount.org.rules import RoleCode
from keyaccount.pipeline.permissions import (
    DealAccess,
    can_open_deal,
    capabilities_for,
    deal_access,
)
from tests.factories import OrgUnitFactory, UserFactory, assign

OWNER, MEMBER, OTHER = 1, 2, 3
EAST, NORTH = 10, 11


def caps(user_id=OTHER, *, everything=False, manages=(), directs=(), roles=()) -> Capabilities:
    return Capabilities(
        user_id=user_id,
        roles=frozenset(roles),
        everything=everything,
        managed_unit_ids=frozenset(manages),
        assisted_unit_ids=frozenset(),
        head_unit_ids=frozenset(),
        director_unit_ids=frozenset(directs),
    )


def access(c: Capabilities, unit=EAST, members=(MEMBER,)) -> tuple[bool, bool, bool]:
    a = deal_access(c, owner_id=OWNER, owner_unit_id=unit, member_ids=members)
    return a.run, a.work, a.override


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (caps(OWNER), (True, True, False)),
        (caps(MEMBER), (False, True, False)),
        (caps(OTHER), (False, False, False)),
        (caps(OTHER, manages=[EAST]), (True, True, False)),
        (caps(OTHER, manages=[NORTH]), (False, False, False)),
        (caps(OTHER, manages=[EAST], directs=[EAST]), (True, True, True)),
        (caps(OTHER, directs=[NORTH]), (False, False, False)),
        (caps(OTHER, everything=True), (True, True, True)),
        (NOBODY, (False, False, False)),
    ],
)
def test_deal_access(who, expected):
    assert access(who) == expected


def test_a_deal_without_an_owning_unit_is_run_by_its_owner_and_administrators():
    assert access(caps(OWNER), unit=None) == (True, True, False)
    assert access(caps(OTHER, manages=[EAST], directs=[EAST]), unit=None) == (False, False, False)
    assert access(caps(OTHER, everything=True), unit=None) == (True, True, True)


def test_members_may_be_any_iterable_and_anonymous_is_never_a_member():
    assert access(caps(MEMBER), members=iter([MEMBER])) == (False, True, False)
    assert access(caps(MEMBER), members=[]) == (False, False, False)
    assert access(NOBODY, members=[None]) == (False, False, False)


def test_as_dict():
    assert DealAccess(run=True, work=True, override=False).as_dict() == {
        "run": True,
        "work": True,
        "override": False,
    }


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (caps(OWNER), True),
        (caps(OTHER, manages=[EAST]), True),
        (caps(OTHER, manages=[NORTH]), False),
        (caps(OTHER, directs=[EAST]), False),  # directing without managing opens nothing
        (caps(OTHER, everything=True), True),
        (caps(OTHER), False),
        (NOBODY, False),
    ],
)
def test_can_open_deal(who, allowed):
    assert can_open_deal(who, customer_owner_id=OWNER, owner_unit_id=EAST) is allowed


# --- with the role cast ---------------------------------------------------------------------


def cast_access(cast, role: str, owner) -> tuple[bool, bool, bool]:
    c = capabilities_for(getattr(cast, role))
    a = deal_access(c, owner_id=owner.pk, owner_unit_id=owner.unit_id, member_ids=())
    return a.run, a.work, a.override


@pytest.mark.parametrize(
    ("role", "east", "north"),
    [
        ("kam", (True, True, False), (False, False, False)),
        ("colleague", (False, False, False), (False, False, False)),
        ("team_lead", (True, True, False), (False, False, False)),
        ("consultant", (False, False, False), (False, False, False)),
        ("head", (True, True, False), (True, True, False)),
        ("director", (True, True, True), (True, True, True)),
        ("assistant", (False, False, False), (False, False, False)),
        ("admin", (True, True, True), (True, True, True)),
        ("outsider", (False, False, False), (False, False, False)),
    ],
)
def test_each_role_on_an_east_and_a_north_deal(cast, role, east, north):
    assert cast_access(cast, role, cast.kam) == east
    assert cast_access(cast, role, cast.north_kam) == north


def test_a_director_covering_one_team_overrides_only_there(cast):
    east_director = UserFactory(username="east_director", unit=cast.east)
    assign(east_director, RoleCode.SALES_DIRECTOR, cast.east)
    assert cast_access(cast, "kam", cast.kam) == (True, True, False)
    c = capabilities_for(east_director)
    east = deal_access(c, owner_id=cast.kam.pk, owner_unit_id=cast.east.pk)
    north = deal_access(c, owner_id=cast.north_kam.pk, owner_unit_id=cast.north.pk)
    assert east.as_dict() == {"run": True, "work": True, "override": True}
    assert north.as_dict() == {"run": False, "work": False, "override": False}


def test_a_director_covers_sub_units_of_their_unit(cast):
    sub = OrgUnitFactory(name="华东一组", parent=cast.east)
    seller = UserFactory(username="sub_kam", unit=sub)
    c = capabilities_for(cast.director)
    assert deal_access(c, owner_id=seller.pk, owner_unit_id=sub.pk).override


def test_an_inactive_user_may_do_nothing(cast):
    cast.director.is_active = False
    cast.director.save()
    assert cast_access(cast, "director", cast.kam) == (False, False, False)
