"""The visibility core (SPEC §2) on the toy models: who sees which deal, and 404 for the rest."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from keyaccount.org.visibility import VisibilityRule, get_visible_or_404
from tests.toyapp.models import Deal, Note


@pytest.fixture
def deals(cast):
    """One deal per owner; the consultant is on the KAM's deal."""
    kam_deal = Deal.objects.create(name="kam deal", owner=cast.kam)
    kam_deal.team_members.add(cast.consultant)
    return {
        "kam": kam_deal,
        "colleague": Deal.objects.create(name="colleague deal", owner=cast.colleague),
        "north": Deal.objects.create(name="north deal", owner=cast.north_kam),
        "department": Deal.objects.create(name="department deal", owner=cast.head),
        "marketing": Deal.objects.create(name="marketing deal", owner=cast.outsider),
    }


KA_DEPARTMENT = {"kam", "colleague", "north", "department"}
EXPECTED_VISIBLE = {
    "kam": {"kam"},
    "colleague": {"colleague"},
    "north_kam": {"north"},
    "team_lead": {"kam", "colleague"},
    "consultant": {"kam"},
    "account_manager": set(),
    "head": KA_DEPARTMENT,
    "director": KA_DEPARTMENT,
    "assistant": KA_DEPARTMENT,
    "admin": {*KA_DEPARTMENT, "marketing"},
    "outsider": {"marketing"},
}


def visible_keys(deals, queryset):
    by_pk = {deal.pk: key for key, deal in deals.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


def test_every_role_of_the_cast_is_in_the_expectations(cast):
    assert set(cast.roles()) == set(EXPECTED_VISIBLE)


@pytest.mark.parametrize(("role", "expected"), sorted(EXPECTED_VISIBLE.items()))
def test_each_role_sees_exactly_its_deals(cast, deals, role, expected):
    user = cast.roles()[role]
    assert visible_keys(deals, Deal.objects.visible_to(user)) == expected


def test_owner_sees_own_deal(cast, deals):
    assert list(Deal.objects.visible_to(cast.kam)) == [deals["kam"]]


def test_colleague_does_not_see_the_kams_deal(cast, deals):
    assert not Deal.objects.visible_to(cast.colleague).filter(pk=deals["kam"].pk).exists()


def test_north_kam_does_not_see_east_deals(cast, deals):
    visible = visible_keys(deals, Deal.objects.visible_to(cast.north_kam))
    assert visible.isdisjoint({"kam", "colleague"})


def test_team_lead_does_not_see_the_north_teams_deals(cast, deals):
    assert "north" not in visible_keys(deals, Deal.objects.visible_to(cast.team_lead))


def test_consultant_sees_a_deal_once_added_to_its_team(cast, deals):
    deals["colleague"].team_members.add(cast.consultant)
    assert visible_keys(deals, Deal.objects.visible_to(cast.consultant)) == {"kam", "colleague"}


def test_outsider_sees_nothing_of_the_ka_department(cast, deals):
    visible = visible_keys(deals, Deal.objects.visible_to(cast.outsider))
    assert visible.isdisjoint(KA_DEPARTMENT)


def test_anonymous_user_sees_no_deal(deals):
    assert list(Deal.objects.visible_to(AnonymousUser())) == []


def test_none_as_user_sees_no_deal(deals):
    assert list(Deal.objects.visible_to(None)) == []


@pytest.mark.parametrize("role", ["kam", "head", "admin"])
def test_inactive_user_sees_no_deal_whatever_the_role(cast, deals, role):
    user = cast.roles()[role]
    user.is_active = False
    user.save()
    assert list(Deal.objects.visible_to(user)) == []


def test_superuser_without_administrator_role_sees_everything(cast, deals):
    cast.account_manager.is_superuser = True
    cast.account_manager.save()
    assert visible_keys(deals, Deal.objects.visible_to(cast.account_manager)) == set(deals)


def test_deal_appears_once_for_user_who_is_owner_and_on_team(cast):
    deal = Deal.objects.create(name="shared", owner=cast.kam)
    deal.team_members.add(cast.kam, cast.team_lead, cast.consultant, cast.colleague)
    for user in (cast.kam, cast.team_lead, cast.consultant, cast.head, cast.admin):
        assert list(Deal.objects.visible_to(user)) == [deal]
        assert Deal.objects.visible_to(user).count() == 1


def test_visible_to_keeps_filters_applied_before_it(cast, deals):
    queryset = Deal.objects.filter(name__startswith="north").visible_to(cast.head)
    assert list(queryset) == [deals["north"]]


def test_notes_follow_their_deals_owner_and_team(cast, deals):
    note = Note.objects.create(deal=deals["kam"], text="called the CIO")
    Note.objects.create(deal=deals["north"], text="north note")
    assert list(Note.objects.visible_to(cast.kam)) == [note]
    assert list(Note.objects.visible_to(cast.consultant)) == [note]
    assert list(Note.objects.visible_to(cast.team_lead)) == [note]
    assert list(Note.objects.visible_to(cast.colleague)) == []
    assert Note.objects.visible_to(cast.director).count() == 2
    assert list(Note.objects.visible_to(cast.outsider)) == []


def test_model_without_rule_refuses_visible_to(cast):
    from keyaccount.org.models import OrgUnit
    from keyaccount.org.visibility import VisibleQuerySet

    queryset = VisibleQuerySet(model=OrgUnit)
    with pytest.raises(TypeError, match="OrgUnit declares no visibility rule"):
        queryset.visible_to(cast.admin)


def test_rule_unit_defaults_to_the_owners_unit():
    assert VisibilityRule(owner="deal__owner").unit_lookup == "deal__owner__unit"
    assert VisibilityRule(owner="owner", unit="customer__unit").unit_lookup == "customer__unit"


# --- get_visible_or_404 -------------------------------------------------------------------


def test_get_visible_or_404_returns_a_visible_deal(cast, deals):
    assert get_visible_or_404(Deal.objects, cast.team_lead, pk=deals["kam"].pk) == deals["kam"]


def test_get_visible_or_404_raises_404_for_an_invisible_deal(cast, deals):
    with pytest.raises(Http404):
        get_visible_or_404(Deal.objects, cast.colleague, pk=deals["kam"].pk)


def test_get_visible_or_404_raises_404_for_a_missing_deal(cast, deals):
    missing = max(deal.pk for deal in deals.values()) + 1000
    with pytest.raises(Http404):
        get_visible_or_404(Deal.objects, cast.admin, pk=missing)


@pytest.mark.parametrize(
    "garbage", ["abc", "1; DROP TABLE", "", None, [1, 2], "1.5", 10**20, -(2**63) - 1]
)
def test_get_visible_or_404_raises_404_for_a_garbage_pk(cast, deals, garbage):
    with pytest.raises(Http404):
        get_visible_or_404(Deal.objects, cast.admin, pk=garbage)


def test_get_visible_or_404_refuses_anonymous_users(deals):
    with pytest.raises(Http404):
        get_visible_or_404(Deal.objects, AnonymousUser(), pk=deals["kam"].pk)


# --- a bounded number of queries ----------------------------------------------------------

# scope_for: role assignments and managed units in one (+ the org tree when a unit is in scope);
# then one query for the deals themselves.
QUERIES = {"kam": 2, "consultant": 2, "team_lead": 3, "head": 3, "admin": 2, "outsider": 2}


@pytest.mark.parametrize(("role", "queries"), sorted(QUERIES.items()))
@pytest.mark.parametrize("extra_deals", [0, 40])
def test_visible_to_runs_a_fixed_number_of_queries(
    cast, deals, django_assert_num_queries, role, queries, extra_deals
):
    owners = [cast.kam, cast.colleague, cast.north_kam, cast.outsider]
    for n in range(extra_deals):
        deal = Deal.objects.create(name=f"deal {n}", owner=owners[n % len(owners)])
        deal.team_members.add(cast.consultant, cast.team_lead)
    user = cast.roles()[role]
    with django_assert_num_queries(queries):
        rows = list(Deal.objects.visible_to(user))
    assert len(rows) == len(set(rows))


def test_anonymous_visible_to_runs_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(Deal.objects.visible_to(AnonymousUser())) == []
