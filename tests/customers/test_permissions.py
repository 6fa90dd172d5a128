"""Who may do what to a customer (SPEC §2): capabilities per role and every ``can_*``."""

import pytest
from django.contrib.auth.models import AnonymousUser

from keyaccount.customers import permissions
from keyaccount.org.capabilities import NOBODY, Capabilities, capabilities_for

ALL_ROLES = (
    "kam", "colleague", "north_kam", "team_lead", "consultant", "account_manager", "head",
    "director", "assistant", "admin", "outsider",
)  # fmt: skip


def test_the_matrix_covers_every_role_of_the_cast(cast):
    assert set(cast.roles()) == set(ALL_ROLES)


@pytest.mark.parametrize(
    ("role", "roles", "everything", "managed", "assisted", "heads", "sells"),
    [
        ("kam", {"kam"}, False, set(), set(), set(), True),
        ("colleague", {"kam"}, False, set(), set(), set(), True),
        ("north_kam", {"kam"}, False, set(), set(), set(), True),
        ("team_lead", {"senior_kam"}, False, {"east"}, set(), set(), True),
        ("consultant", {"consultant"}, False, set(), set(), set(), False),
        ("account_manager", {"account_manager"}, False, set(), set(), set(), True),
        (
            "head",
            {"department_head"},
            False,
            {"ka_dept", "east", "north"},
            set(),
            {"ka_dept", "east", "north"},
            False,
        ),
        ("director", {"sales_director"}, False, {"ka_dept", "east", "north"}, set(), set(), False),
        (
            "assistant",
            {"department_assistant"},
            False,
            set(),
            {"ka_dept", "east", "north"},
            set(),
            False,
        ),
        ("admin", {"administrator"}, True, set(), set(), set(), False),
        ("outsider", {"kam"}, False, set(), set(), set(), True),
    ],
)
def test_capabilities_of_each_role(cast, role, roles, everything, managed, assisted, heads, sells):
    user = getattr(cast, role)

    def ids(names):
        return frozenset(getattr(cast, n).pk for n in names)

    assert capabilities_for(user) == Capabilities(
        user_id=user.pk,
        roles=frozenset(roles),
        everything=everything,
        managed_unit_ids=ids(managed),
        assisted_unit_ids=ids(assisted),
        head_unit_ids=ids(heads),
        director_unit_ids=ids({"ka_dept", "east", "north"} if role == "director" else set()),
    )
    assert capabilities_for(user).sells is sells


def test_anonymous_none_and_inactive_users_have_no_capabilities(cast):
    assert capabilities_for(None) is NOBODY
    assert capabilities_for(AnonymousUser()) is NOBODY
    cast.admin.is_active = False
    cast.admin.save()
    assert capabilities_for(cast.admin) is NOBODY


def test_a_superuser_without_roles_can_do_everything(cast):
    cast.consultant.is_superuser = True
    cast.consultant.save()
    caps = capabilities_for(cast.consultant)
    assert caps.everything is True
    assert permissions.can_allocate(caps, cast.north.pk) is True
    assert permissions.can_grade(caps, None) is True


def test_a_unit_manager_without_a_managing_role_manages_the_unit_and_below(cast):
    cast.north.manager = cast.colleague
    cast.north.save()
    caps = capabilities_for(cast.colleague)
    assert caps.managed_unit_ids == frozenset({cast.north.pk})
    assert permissions.can_grade(caps, cast.north.pk) is True
    assert permissions.can_grade(caps, cast.east.pk) is False


def allowed(cast, predicate) -> set[str]:
    return {role for role, user in cast.roles().items() if predicate(capabilities_for(user))}


def test_who_may_request_a_registration(cast):
    assert allowed(cast, permissions.can_request_registration) == {
        "kam", "colleague", "north_kam", "team_lead", "account_manager", "admin", "outsider",
    }  # fmt: skip


def test_the_assistant_decides_registrations_of_the_department(cast):
    east = allowed(cast, lambda c: permissions.can_decide_registration(c, cast.east.pk))
    north = allowed(cast, lambda c: permissions.can_decide_registration(c, cast.north.pk))
    marketing = allowed(cast, lambda c: permissions.can_decide_registration(c, cast.marketing.pk))
    assert east == north == {"assistant", "admin"}
    assert marketing == {"admin"}
    assert allowed(cast, lambda c: permissions.can_decide_registration(c, None)) == {"admin"}


def test_who_may_edit_the_profile_of_an_east_kams_customer(cast):
    def edit(c):
        return permissions.can_edit_profile(c, cast.kam.pk, cast.east.pk)

    expected = {"kam", "team_lead", "head", "director", "assistant", "admin"}
    assert allowed(cast, edit) == expected
    assert (
        allowed(cast, lambda c: permissions.can_edit_contacts(c, cast.kam.pk, cast.east.pk))
        == expected
    )


def test_who_may_score_and_evaluate_an_east_kams_customer(cast):
    expected = {"kam", "team_lead", "head", "director", "admin"}
    assert allowed(cast, lambda c: permissions.can_score(c, cast.kam.pk, cast.east.pk)) == expected
    assert (
        allowed(cast, lambda c: permissions.can_evaluate(c, cast.kam.pk, cast.east.pk)) == expected
    )


def test_the_team_lead_grades_their_teams_customers_but_not_the_north_teams(cast):
    east = allowed(cast, lambda c: permissions.can_grade(c, cast.east.pk))
    north = allowed(cast, lambda c: permissions.can_grade(c, cast.north.pk))
    assert east == {"team_lead", "head", "director", "admin"}
    assert north == {"head", "director", "admin"}


def test_only_the_head_and_an_administrator_allocate(cast):
    for unit in (cast.ka_dept, cast.east, cast.north):
        assert allowed(cast, lambda c, u=unit: permissions.can_allocate(c, u.pk)) == {
            "head",
            "admin",
        }
    assert allowed(cast, lambda c: permissions.can_allocate(c, cast.marketing.pk)) == {"admin"}


def test_the_assistant_cannot_grade_score_or_allocate(cast):
    caps = capabilities_for(cast.assistant)
    assert permissions.can_decide_registration(caps, cast.east.pk) is True
    assert permissions.can_edit_profile(caps, cast.kam.pk, cast.east.pk) is True
    assert permissions.can_grade(caps, cast.east.pk) is False
    assert permissions.can_score(caps, cast.kam.pk, cast.east.pk) is False
    assert permissions.can_allocate(caps, cast.east.pk) is False


def test_the_consultant_may_do_nothing_to_a_customer(cast):
    caps = capabilities_for(cast.consultant)
    assert not any(
        [
            permissions.can_request_registration(caps),
            permissions.can_decide_registration(caps, cast.east.pk),
            permissions.can_edit_profile(caps, cast.kam.pk, cast.east.pk),
            permissions.can_score(caps, cast.kam.pk, cast.east.pk),
            permissions.can_grade(caps, cast.east.pk),
            permissions.can_allocate(caps, cast.east.pk),
            permissions.can_edit_contacts(caps, cast.kam.pk, cast.east.pk),
            permissions.can_evaluate(caps, cast.kam.pk, cast.east.pk),
        ]
    )


def test_the_administrator_may_do_everything(cast):
    caps = capabilities_for(cast.admin)
    assert all(
        [
            permissions.can_request_registration(caps),
            permissions.can_decide_registration(caps, cast.marketing.pk),
            permissions.can_edit_profile(caps, cast.outsider.pk, cast.marketing.pk),
            permissions.can_score(caps, cast.outsider.pk, cast.marketing.pk),
            permissions.can_grade(caps, cast.marketing.pk),
            permissions.can_allocate(caps, cast.marketing.pk),
            permissions.can_edit_contacts(caps, cast.outsider.pk, cast.marketing.pk),
            permissions.can_evaluate(caps, cast.outsider.pk, cast.marketing.pk),
        ]
    )


def test_an_owner_without_a_unit_is_managed_by_nobody_but_administrators(cast):
    assert allowed(cast, lambda c: permissions.can_grade(c, None)) == {"admin"}
    assert allowed(cast, lambda c: permissions.can_allocate(c, None)) == {"admin"}
    assert allowed(cast, lambda c: permissions.can_edit_profile(c, cast.kam.pk, None)) == {
        "kam",
        "admin",
    }
