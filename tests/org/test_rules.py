"""Pure org rules: trees and scopes. No database."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keyaccount.org.rules import (
    NO_SCOPE,
    RoleCode,
    Scope,
    ancestors,
    build_scope,
    descendants,
    role_needs_unit,
    would_create_cycle,
)


@st.composite
def forests(draw, max_size: int = 25) -> dict[int, int | None]:
    """A random org forest: each unit's parent is None or a unit created before it."""
    size = draw(st.integers(min_value=1, max_value=max_size))
    parent_of: dict[int, int | None] = {}
    for unit in range(1, size + 1):
        parent_of[unit] = draw(st.one_of(st.none(), st.integers(1, unit - 1))) if unit > 1 else None
    return parent_of


@st.composite
def graphs(draw, max_size: int = 12) -> dict[int, int | None]:
    """Any parent mapping, cycles and self-parents included (bad data must not hang us)."""
    size = draw(st.integers(min_value=1, max_value=max_size))
    return {unit: draw(st.one_of(st.none(), st.integers(1, size))) for unit in range(1, size + 1)}


def chain_to_root(parent_of: dict[int, int | None], unit: int) -> list[int]:
    """Reference implementation for a forest (no cycles)."""
    chain = []
    current = parent_of[unit]
    while current is not None:
        chain.append(current)
        current = parent_of[current]
    return chain


# --- descendants ----------------------------------------------------------------------------


@settings(deadline=None)  # timing varies on a busy CI machine
@given(forests(), st.data())
def test_descendants_of_roots_include_the_roots(parent_of, data):
    roots = data.draw(st.sets(st.sampled_from(sorted(parent_of))))
    assert roots <= descendants(parent_of, roots)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(forests(), st.data())
def test_descendants_are_exactly_the_units_below_a_root(parent_of, data):
    root = data.draw(st.sampled_from(sorted(parent_of)))
    below = {u for u in parent_of if u == root or root in chain_to_root(parent_of, u)}
    assert descendants(parent_of, [root]) == below


@settings(deadline=None)  # timing varies on a busy CI machine
@given(forests())
def test_descendants_of_all_top_units_is_the_whole_forest(parent_of):
    tops = [u for u, parent in parent_of.items() if parent is None]
    assert descendants(parent_of, tops) == set(parent_of)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(graphs(), st.data())
def test_descendants_terminate_on_cycles_and_stay_inside_the_tree(parent_of, data):
    roots = data.draw(st.sets(st.sampled_from(sorted(parent_of))))
    result = descendants(parent_of, roots)
    assert roots <= result <= set(parent_of)


def test_descendants_ignore_unknown_roots():
    assert descendants({1: None, 2: 1}, [99]) == set()


def test_descendants_of_a_small_tree():
    parent_of = {1: None, 2: 1, 3: 2, 4: 2, 5: 1, 6: None}
    assert descendants(parent_of, [2]) == {2, 3, 4}
    assert descendants(parent_of, [1]) == {1, 2, 3, 4, 5}
    assert descendants(parent_of, [3, 5]) == {3, 5}
    assert descendants(parent_of, []) == set()


# --- ancestors ------------------------------------------------------------------------------


@settings(deadline=None)  # timing varies on a busy CI machine
@given(forests(), st.data())
def test_ancestors_in_a_forest_are_the_chain_to_the_top(parent_of, data):
    unit = data.draw(st.sampled_from(sorted(parent_of)))
    assert ancestors(parent_of, unit) == chain_to_root(parent_of, unit)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(graphs(), st.data())
def test_ancestors_never_loop_and_never_repeat(parent_of, data):
    unit = data.draw(st.sampled_from(sorted(parent_of)))
    chain = ancestors(parent_of, unit)
    assert len(chain) == len(set(chain)) < len(parent_of)
    assert unit not in chain
    # each step of the chain is a real parent link
    for child, parent in zip([unit, *chain], chain, strict=False):
        assert parent_of[child] == parent


def test_ancestors_nearest_first():
    assert ancestors({1: None, 2: 1, 3: 2}, 3) == [2, 1]
    assert ancestors({1: None}, 1) == []
    assert ancestors({1: 2, 2: 3, 3: 1}, 1) == [2, 3]
    assert ancestors({1: 1}, 1) == []


# --- would_create_cycle -----------------------------------------------------------------------


@settings(deadline=None)  # timing varies on a busy CI machine
@given(forests(), st.data())
def test_a_move_creates_a_cycle_exactly_when_the_new_parent_is_below_the_unit(parent_of, data):
    unit = data.draw(st.sampled_from(sorted(parent_of)))
    new_parent = data.draw(st.sampled_from(sorted(parent_of)))
    expected = new_parent in descendants(parent_of, [unit])
    assert would_create_cycle(parent_of, unit, new_parent) is expected


@settings(deadline=None)  # timing varies on a busy CI machine
@given(forests(), st.data())
def test_moves_that_are_allowed_keep_the_forest_acyclic(parent_of, data):
    unit = data.draw(st.sampled_from(sorted(parent_of)))
    new_parent = data.draw(st.sampled_from(sorted(parent_of)))
    if would_create_cycle(parent_of, unit, new_parent):
        return
    moved = {**parent_of, unit: new_parent}
    for u in moved:
        assert len(ancestors(moved, u)) == len(chain_to_root(moved, u))


def test_a_unit_cannot_be_its_own_parent():
    assert would_create_cycle({1: None}, 1, 1) is True


def test_moving_a_department_below_its_team_is_a_cycle():
    parent_of = {1: None, 2: 1, 3: 2, 4: 1}
    assert would_create_cycle(parent_of, 2, 3) is True
    assert would_create_cycle(parent_of, 3, 4) is False
    assert would_create_cycle(parent_of, 2, 4) is False


# --- roles and scopes -------------------------------------------------------------------------

# company 1 → KA department 2 → east 3 / north 4; marketing 5 under the company
TREE = {1: None, 2: 1, 3: 2, 4: 2, 5: 1}
ME = 42


def scope(role_units, managed=(), is_superuser=False):
    return build_scope(
        user_id=ME,
        is_superuser=is_superuser,
        role_units=role_units,
        managed_units=managed,
        parent_of=TREE,
    )


@pytest.mark.parametrize(
    ("role_units", "managed", "expected_units"),
    [
        ([(RoleCode.KAM, None)], [], set()),
        ([(RoleCode.ACCOUNT_MANAGER, None)], [], set()),
        ([(RoleCode.CONSULTANT, None)], [], set()),
        ([(RoleCode.SENIOR_KAM, None)], [3], {3}),
        ([(RoleCode.SENIOR_KAM, None)], [], set()),
        ([(RoleCode.DEPARTMENT_HEAD, 2)], [2], {2, 3, 4}),
        ([(RoleCode.DEPARTMENT_HEAD, 2)], [], {2, 3, 4}),
        ([(RoleCode.SALES_DIRECTOR, 2)], [], {2, 3, 4}),
        ([(RoleCode.DEPARTMENT_ASSISTANT, 2)], [], {2, 3, 4}),
        ([(RoleCode.DEPARTMENT_ASSISTANT, 3)], [], {3}),
        ([(RoleCode.SALES_DIRECTOR, 1)], [], {1, 2, 3, 4, 5}),
        ([(RoleCode.DEPARTMENT_HEAD, None)], [], set()),  # a unit-wide role without its unit
        ([(RoleCode.KAM, 2)], [], set()),  # a KAM's unit does not widen the scope
        ([(RoleCode.SALES_DIRECTOR, 3), (RoleCode.DEPARTMENT_HEAD, 4)], [], {3, 4}),
        ([(RoleCode.KAM, None)], [5], {5}),  # managing a unit is enough
        ([], [], set()),
    ],
)
def test_build_scope_for_each_role(role_units, managed, expected_units):
    result = scope(role_units, managed)
    assert result == Scope(user_id=ME, everything=False, unit_ids=frozenset(expected_units))
    assert result.is_empty is False


def test_a_scope_knows_when_it_covers_every_unit():
    """The director of the root covers the whole tree: "owned in one of my units" then needs
    no list of units (``org.visibility``); covering part of the tree keeps the list."""
    assert scope([(RoleCode.SALES_DIRECTOR, 1)]).all_units is True
    assert scope([(RoleCode.SALES_DIRECTOR, 2)]).all_units is False
    assert scope([(RoleCode.KAM, None)]).all_units is False


def test_build_scope_administrator_sees_everything():
    assert scope([(RoleCode.ADMINISTRATOR, None)]) == Scope(user_id=ME, everything=True)


def test_build_scope_administrator_wins_over_other_roles():
    result = scope([(RoleCode.KAM, None), (RoleCode.ADMINISTRATOR, None)], managed=[3])
    assert result.everything is True


def test_build_scope_superuser_sees_everything_without_a_role():
    assert scope([], is_superuser=True) == Scope(user_id=ME, everything=True)


def test_no_scope_is_empty():
    assert NO_SCOPE.is_empty is True
    assert NO_SCOPE.everything is False
    assert NO_SCOPE.unit_ids == frozenset()


@settings(deadline=None)  # timing varies on a busy CI machine
@given(forests(), st.lists(st.tuples(st.sampled_from(list(RoleCode)), st.none())))
def test_build_scope_units_are_always_units_of_the_tree(parent_of, role_units):
    result = build_scope(
        user_id=ME,
        is_superuser=False,
        role_units=role_units,
        managed_units=[1],
        parent_of=parent_of,
    )
    assert result.everything or result.unit_ids == frozenset(descendants(parent_of, [1]))


@pytest.mark.parametrize(
    ("role", "needs_unit"),
    [
        (RoleCode.DEPARTMENT_HEAD, True),
        (RoleCode.DEPARTMENT_ASSISTANT, True),
        (RoleCode.SALES_DIRECTOR, True),
        (RoleCode.KAM, False),
        (RoleCode.ACCOUNT_MANAGER, False),
        (RoleCode.SENIOR_KAM, False),
        (RoleCode.CONSULTANT, False),
        (RoleCode.ADMINISTRATOR, False),
    ],
)
def test_unit_wide_roles_need_a_unit(role, needs_unit):
    assert role_needs_unit(role) is needs_unit


def test_there_are_the_eight_roles_of_the_spec():
    assert sorted(RoleCode.values) == sorted(
        [
            "kam",
            "account_manager",
            "senior_kam",
            "sales_director",
            "consultant",
            "department_head",
            "department_assistant",
            "administrator",
        ]
    )
