"""Reads about the organisation, scoped to the asking user."""

import pytest
from django.contrib.auth.models import AnonymousUser

from keyaccount.org import selectors
from keyaccount.org.rules import NO_SCOPE, Scope

from ..factories import OrgUnitFactory, UserFactory, assign


def unit_names(queryset):
    return set(queryset.values_list("name", flat=True))


# --- scope_for ------------------------------------------------------------------------------


def test_scope_for_a_kam_is_own_records_only(cast):
    assert selectors.scope_for(cast.kam) == Scope(user_id=cast.kam.pk)


def test_scope_for_the_team_lead_is_the_managed_team(cast):
    assert selectors.scope_for(cast.team_lead) == Scope(
        user_id=cast.team_lead.pk, unit_ids=frozenset({cast.east.pk})
    )


@pytest.mark.parametrize("role", ["head", "director", "assistant"])
def test_scope_for_department_roles_is_the_whole_ka_department(cast, role):
    user = cast.roles()[role]
    assert selectors.scope_for(user) == Scope(
        user_id=user.pk, unit_ids=frozenset({cast.ka_dept.pk, cast.east.pk, cast.north.pk})
    )


def test_scope_for_the_administrator_is_everything(cast):
    assert selectors.scope_for(cast.admin).everything is True


def test_scope_for_anonymous_inactive_and_none_is_empty(cast):
    cast.head.is_active = False
    assert selectors.scope_for(AnonymousUser()) == NO_SCOPE
    assert selectors.scope_for(None) == NO_SCOPE
    assert selectors.scope_for(cast.head) == NO_SCOPE


@pytest.mark.parametrize(
    ("role", "queries"),
    [("kam", 1), ("consultant", 1), ("team_lead", 2), ("head", 2), ("admin", 1)],
)
def test_scope_for_runs_a_fixed_number_of_queries(cast, role, queries, django_assert_num_queries):
    # A bigger org tree must not add queries: the roles and managed units in one, the tree in
    # another when a role or a managed unit needs it.
    for n in range(30):
        OrgUnitFactory(name=f"分组{n}", parent=cast.north if n % 2 else cast.east)
    with django_assert_num_queries(queries):
        selectors.scope_for(cast.roles()[role])


def test_scope_for_anonymous_runs_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        selectors.scope_for(AnonymousUser())


def test_scope_for_covers_units_added_below_the_department(cast):
    group = OrgUnitFactory(name="华东一组", parent=cast.east)
    assert group.pk in selectors.scope_for(cast.director).unit_ids
    assert group.pk in selectors.scope_for(cast.team_lead).unit_ids
    assert group.pk not in selectors.scope_for(cast.outsider).unit_ids


# --- org_units_visible ----------------------------------------------------------------------

EVERYONE_IN_KA = {"测试公司", "大客户部", "华东团队", "华北团队"}
EXPECTED_UNITS = {
    "kam": {"测试公司", "大客户部", "华东团队"},
    "colleague": {"测试公司", "大客户部", "华东团队"},
    "north_kam": {"测试公司", "大客户部", "华北团队"},
    "team_lead": {"测试公司", "大客户部", "华东团队"},
    "consultant": {"测试公司", "大客户部", "华东团队"},
    "account_manager": {"测试公司", "大客户部", "华东团队"},
    "head": EVERYONE_IN_KA,
    "director": EVERYONE_IN_KA,
    "assistant": EVERYONE_IN_KA,
    "admin": {*EVERYONE_IN_KA, "市场部"},
    "outsider": {"测试公司", "市场部"},
}


@pytest.mark.parametrize(("role", "expected"), sorted(EXPECTED_UNITS.items()))
def test_org_units_visible_per_role(cast, role, expected):
    assert unit_names(selectors.org_units_visible(user=cast.roles()[role])) == expected


def test_org_units_visible_to_anonymous_is_nothing(db):
    assert list(selectors.org_units_visible(user=AnonymousUser())) == []


def test_org_units_visible_to_a_user_without_unit_or_role_is_nothing(db):
    loner = UserFactory(username="loner")
    assert list(selectors.org_units_visible(user=loner)) == []


def test_org_units_visible_shows_the_whole_chain_above_a_deep_unit(cast):
    group = OrgUnitFactory(name="华北一组", parent=cast.north)
    member = UserFactory(username="member", unit=group)
    assign(member, "kam")
    assert unit_names(selectors.org_units_visible(user=member)) == {
        "测试公司",
        "大客户部",
        "华北团队",
        "华北一组",
    }


def test_org_unit_list_starts_with_the_top_unit_then_groups_by_parent(cast):
    # The same order on SQLite and PostgreSQL (which sort NULL differently by default).
    rows = list(selectors.org_unit_list(user=cast.admin))
    company, ka_dept = cast.company.pk, cast.ka_dept.pk
    assert [u.parent_id for u in rows] == [None, company, company, ka_dept, ka_dept]
    assert rows[0] == cast.company


def test_org_tree_nests_units_with_their_members(cast):
    rows = selectors.org_tree(user=cast.head)["rows"]
    assert [(r.unit.name, r.depth) for r in rows] == [
        ("测试公司", 0),
        ("大客户部", 1),
        ("华东团队", 2),
        ("华北团队", 2),
    ]
    members = {r.unit.name: [m.username for m in r.members] for r in rows}
    # by the pinyin of the name colleagues see (the cast's 用户1, 用户2 …: as it made them); the
    # head's department is open, its teams folded (their people come when one is opened)
    assert members == {
        "测试公司": ["admin"],
        "大客户部": ["head", "director", "assistant"],
        "华东团队": [],
        "华北团队": [],
    }
    east = selectors.org_unit_body(user=cast.head, unit=cast.east)["row"]
    assert [m.username for m in east.members] == [
        "kam", "colleague", "team_lead", "consultant", "account_manager",
    ]  # fmt: skip


def test_org_tree_leaves_out_inactive_members(cast):
    cast.colleague.is_active = False
    cast.colleague.save()
    rows = selectors.org_tree(user=cast.kam)["rows"]
    east = next(r for r in rows if r.unit.pk == cast.east.pk)
    assert "colleague" not in [m.username for m in east.members]
    assert east.people == 4


def test_api_token_list_has_only_my_tokens(cast):
    from keyaccount.org.services import api_token_create

    mine = api_token_create(actor=cast.kam, name="mine").token
    api_token_create(actor=cast.colleague, name="theirs")
    assert list(selectors.api_token_list(user=cast.kam)) == [mine]


def test_home_summary_for_a_department_head(cast):
    summary = selectors.home_summary(user=cast.head)
    assert [a.role.code for a in summary["assignments"]] == ["department_head"]
    assert summary["scope_unit_count"] == 3
    assert summary["role_count"] == 8
    # by the pinyin of the shown name (用户N, by N: as the cast made them)
    assert [u.username for u in summary["colleagues"]] == ["director", "assistant"]


def test_role_codes(cast):
    assert selectors.role_codes(cast.head) == {"department_head"}
    assert selectors.role_codes(AnonymousUser()) == set()
