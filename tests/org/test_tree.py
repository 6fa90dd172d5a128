"""The org tree page (/org/): units with their counts, folded below the units that concern the
user; a unit's people on demand (htmx fragment, or ``?unit=`` without JavaScript); a search by
name and pinyin; the same visibility as the tree always had; a fixed number of queries and a
page that stays small for a department of 2,000 people."""

import re

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from keyaccount.core.lookup import MAX_ID
from keyaccount.org import selectors
from keyaccount.org.models import OrgUnit, User

from ..factories import OrgUnitFactory, UserFactory

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def in_english(cast):
    """The texts are asserted in English: the cast reads the site in English (their saved
    language), and so do the selectors called here (the active language)."""
    User.objects.update(language="en")
    with translation.override("en"):
        yield


def by_name(rows):
    return {r.unit.name: r for r in rows}


def grow(parent: OrgUnit, teams: int, people: int, prefix: str = "区域") -> list[OrgUnit]:
    """``teams`` teams of ``people`` people below ``parent``, written in bulk."""
    units = OrgUnit.objects.bulk_create(
        [OrgUnit(name=f"{prefix}团队{i:04d}", parent=parent) for i in range(teams)]
    )
    users = [
        User(username=f"{prefix}-{unit.pk}-{j}", display_name=f"成员{unit.pk}号{j}", unit=unit)
        for unit in units
        for j in range(people)
    ]
    for user in users:
        user.refresh_name_keys()
    User.objects.bulk_create(users)
    return units


# --- counts ---------------------------------------------------------------------------------


def test_each_unit_counts_its_people_and_everyone_below_it(cast):
    rows = by_name(selectors.org_tree(user=cast.head)["rows"])
    assert {n: (r.people, r.total) for n, r in rows.items()} == {
        "测试公司": (1, 10),  # the administrator; the marketing department is not the head's
        "大客户部": (3, 9),
        "华东团队": (5, 5),
        "华北团队": (1, 1),
    }
    assert rows["大客户部"].meta == f"Manager: {cast.head} · 9 people in all · 3 here"
    assert rows["华北团队"].meta == "1 person"


def test_counts_leave_out_inactive_people(cast):
    cast.colleague.is_active = False
    cast.colleague.save()
    rows = by_name(selectors.org_tree(user=cast.head)["rows"])
    assert (rows["华东团队"].people, rows["大客户部"].total) == (4, 8)


def test_a_kam_counts_only_the_units_he_may_see(cast):
    rows = by_name(selectors.org_tree(user=cast.kam)["rows"])
    assert set(rows) == {"测试公司", "大客户部", "华东团队"}
    assert (rows["大客户部"].total, rows["测试公司"].total) == (8, 9)  # not the north team's


def test_the_administrator_counts_every_unit(cast):
    rows = by_name(selectors.org_tree(user=cast.admin)["rows"])
    assert rows["测试公司"].total == 11
    assert (rows["市场部"].total, rows["大客户部"].total) == (1, 9)


def test_a_large_department_is_counted_in_one_pass_and_still_only_what_the_head_sees(cast):
    grow(cast.ka_dept, teams=selectors.COUNT_BY_LIST + 5, people=2)
    grow(cast.marketing, teams=3, people=4, prefix="市场")
    rows = by_name(selectors.org_tree(user=cast.head)["rows"])
    assert rows["大客户部"].total == 9 + (selectors.COUNT_BY_LIST + 5) * 2
    assert rows["测试公司"].total == rows["大客户部"].total + 1
    assert "市场团队0000" not in rows


# --- what is open ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "opened", "folded"),
    [
        ("kam", ["测试公司", "大客户部", "华东团队"], []),
        ("head", ["测试公司", "大客户部"], ["华东团队", "华北团队"]),
        ("director", ["测试公司", "大客户部"], ["华东团队", "华北团队"]),
        ("team_lead", ["测试公司", "大客户部", "华东团队"], []),
        ("outsider", ["测试公司", "市场部"], []),
        ("admin", ["测试公司"], ["大客户部", "市场部"]),
    ],
)
def test_the_tree_opens_the_units_that_concern_the_user(cast, role, opened, folded):
    rows = selectors.org_tree(user=cast.roles()[role])["rows"]
    assert [r.unit.name for r in rows if r.open] == opened
    assert [r.unit.name for r in rows if not r.open] == folded
    assert all(r.members == [] for r in rows if not r.open)


def test_a_unit_asked_for_opens_with_the_units_above_it(cast):
    group = OrgUnitFactory(name="华北一组", parent=cast.north)
    UserFactory(username="g1", unit=group)
    rows = by_name(selectors.org_tree(user=cast.admin, focus=group)["rows"])
    opened = [n for n, r in rows.items() if r.open]
    assert opened == ["测试公司", "大客户部", "华北团队", "华北一组"]
    assert rows["华北一组"].current
    assert [m.username for m in rows["华北一组"].members] == ["g1"]
    assert not rows["华东团队"].open


def test_a_unit_with_no_one_and_nothing_below_has_nothing_to_open(cast):
    OrgUnitFactory(name="空团队", parent=cast.east)
    rows = by_name(selectors.org_tree(user=cast.team_lead)["rows"])  # he manages the east team
    assert (rows["空团队"].can_open, rows["华东团队"].can_open) == (False, True)


def test_opening_a_unit_gives_its_people_and_its_child_units_folded(cast):
    body = selectors.org_unit_body(user=cast.head, unit=cast.ka_dept)
    assert [m.username for m in body["row"].members] == ["head", "director", "assistant"]
    assert [(r.unit.name, r.open, r.total) for r in body["rows"]] == [
        ("华东团队", False, 5),
        ("华北团队", False, 1),
    ]


def test_a_kam_opening_the_department_sees_only_his_team_below_it(cast):
    body = selectors.org_unit_body(user=cast.kam, unit=cast.ka_dept)
    assert [r.unit.name for r in body["rows"]] == ["华东团队"]


def test_a_unit_lists_its_first_people_and_counts_the_rest(cast, monkeypatch):
    monkeypatch.setattr(selectors, "MEMBERS_SHOWN", 2)
    row = selectors.org_unit_body(user=cast.head, unit=cast.east)["row"]
    assert [m.username for m in row.members] == ["kam", "colleague"]
    assert row.more_members == 3


def test_many_people_in_the_open_units_are_ranked_in_the_database(cast, monkeypatch):
    monkeypatch.setattr(selectors, "MEMBERS_SHOWN", 2)
    monkeypatch.setattr(selectors, "PLAIN_MEMBERS", 0)
    rows = by_name(selectors.org_tree(user=cast.kam)["rows"])
    assert [m.username for m in rows["华东团队"].members] == ["kam", "colleague"]
    assert [m.username for m in rows["大客户部"].members] == ["head", "director"]
    assert rows["华东团队"].more_members == 3


def test_each_person_comes_with_their_roles(cast):
    row = selectors.org_unit_body(user=cast.head, unit=cast.east)["row"]
    lead = next(m for m in row.members if m.username == "team_lead")
    assert [a.role.code for a in lead.role_assignments.all()] == ["senior_kam"]


@pytest.mark.parametrize("pk", ["abc", "", "0", str(MAX_ID), str(2**64), "1.5"])
def test_a_malformed_or_missing_unit_is_a_404(cast, pk):
    with pytest.raises(Http404):
        selectors.org_unit_for(user=cast.head, pk=pk)


@pytest.mark.parametrize(
    ("role", "unit", "visible"),
    [
        ("kam", "north", False),
        ("kam", "marketing", False),
        ("kam", "ka_dept", True),
        ("outsider", "east", False),
        ("head", "marketing", False),
        ("head", "north", True),
        ("admin", "marketing", True),
    ],
)
def test_a_unit_outside_the_users_view_is_a_404(cast, role, unit, visible):
    target = getattr(cast, unit)
    user = cast.roles()[role]
    if visible:
        assert selectors.org_unit_for(user=user, pk=target.pk) == target
    else:
        with pytest.raises(Http404):
            selectors.org_unit_for(user=user, pk=target.pk)


# --- a fixed number of queries --------------------------------------------------------------


@pytest.mark.parametrize("role", ["head", "kam", "admin"])
def test_the_tree_takes_the_same_queries_for_2_or_200_teams(cast, role, django_assert_num_queries):
    user = cast.roles()[role]
    with CaptureQueriesContext(connection) as small:
        selectors.org_tree(user=user)
    grow(cast.ka_dept, teams=200, people=3)
    grow(cast.east, teams=5, people=30, prefix="华东")  # more people in the open units too
    with django_assert_num_queries(len(small.captured_queries)):
        rows = selectors.org_tree(user=user)["rows"]
    assert len(small.captured_queries) <= 8  # the scope (4), units, counts, people, roles
    if role == "head":
        assert len(rows) == 4 + 200


def test_opening_a_unit_takes_the_same_queries_for_any_size(cast, django_assert_num_queries):
    with django_assert_num_queries(7):
        selectors.org_unit_body(user=cast.head, unit=cast.ka_dept)
    grow(cast.ka_dept, teams=200, people=3)
    with django_assert_num_queries(7):
        body = selectors.org_unit_body(user=cast.head, unit=cast.ka_dept)
    assert len(body["rows"]) == 202


def test_the_page_and_the_fragment_take_the_same_queries_for_any_size(
    cast, client_for, django_assert_num_queries
):
    client = client_for(cast.head)
    client.get("/org/")  # warm the session
    asks = [
        (url, headers)
        for url in ["/org/", f"/org/?unit={cast.ka_dept.pk}", "/org/?q=yh", "/org/?q=cy"]
        for headers in (HX, {})
    ]
    before = []
    for url, headers in asks:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url, **headers).status_code == 200
        before.append(len(seen.captured_queries))
    UserFactory(username="cy", display_name="陈阳", unit=cast.north)  # "cy" finds someone now
    grow(cast.ka_dept, teams=200, people=10)
    for (url, headers), count in zip(asks, before, strict=True):
        if url.endswith("q=cy"):
            count += 1  # the roles of the people found (none were found before)
        with django_assert_num_queries(count):
            assert client.get(url, **headers).status_code == 200


# --- the page -------------------------------------------------------------------------------


def test_the_page_shows_units_with_counts_and_no_people_of_folded_units(cast, client_for):
    body = client_for(cast.head).get("/org/").content.decode()
    assert 'data-testid="org-tree"' in body
    assert "9 people in all · 3 here" in body
    east = f'<button name="unit" value="{cast.east.pk}" aria-expanded="false" '
    assert east + f'aria-controls="ka-b-{cast.east.pk}">华东团队</button>' in body
    assert f'id="ka-b-{cast.east.pk}" hidden></div>' in body
    assert str(cast.kam) not in body  # the east team is folded: its people are not on the page
    assert str(cast.director) in body  # the head's own department is open


def test_an_open_units_button_folds_it_without_javascript(cast, client_for):
    body = client_for(cast.head).get("/org/").content.decode()
    dept = f'<button name="unit" value="{cast.company.pk}" aria-expanded="true" '
    assert dept + f'aria-controls="ka-b-{cast.ka_dept.pk}">大客户部</button>' in body
    assert '<form class="ka-org-tree card-body" method="get" action="/org/"' in body


def test_the_fragment_is_what_opening_a_unit_shows(cast, client_for):
    response = client_for(cast.head).get(f"/org/?unit={cast.east.pk}", **HX)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    body = response.content.decode()
    assert "<html" not in body
    assert 'aria-label="People in 华东团队"' in body
    assert str(cast.kam) in body and str(cast.team_lead) in body
    assert "Senior key account manager" in body  # the team lead's role
    assert str(cast.north_kam) not in body


def test_the_fragment_lists_the_child_units_folded(cast, client_for):
    body = client_for(cast.head).get(f"/org/?unit={cast.ka_dept.pk}", **HX).content.decode()
    assert f'aria-controls="ka-b-{cast.north.pk}">华北团队</button>' in body
    assert body.count('aria-expanded="false"') == 2


def test_without_javascript_a_unit_opens_on_the_whole_page(cast, client_for):
    response = client_for(cast.head).get(f"/org/?unit={cast.east.pk}")
    body = response.content.decode()
    assert "<html" in body
    opened = f'value="{cast.ka_dept.pk}" aria-expanded="true" aria-controls="ka-b-{cast.east.pk}"'
    assert opened in body
    assert 'aria-current="true" autofocus>华东团队</button>' in body
    assert str(cast.kam) in body
    assert response.context["focus"] == cast.east


def test_a_unit_the_user_may_not_see_is_a_404_on_the_page_and_the_fragment(cast, client_for):
    client = client_for(cast.kam)
    assert client.get(f"/org/?unit={cast.north.pk}").status_code == 404
    assert client.get(f"/org/?unit={cast.north.pk}", **HX).status_code == 404
    assert client.get(f"/org/?unit={cast.marketing.pk}", **HX).status_code == 404
    assert client.get("/org/?unit=abc", **HX).status_code == 404


def test_the_page_loads_the_tree_script_with_the_nonce(cast, client_for):
    response = client_for(cast.kam).get("/org/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    body = response.content.decode()
    assert f'<script src="/static/keyaccount/org_tree.js" nonce="{nonce}"></script>' in body
    assert 'href="/static/keyaccount/org_tree.css"' in body
    assert " style=" not in body.split('<div class="card" id="ka-org-main">')[1]


def test_the_page_is_in_the_users_language(cast, client_for):
    body = client_for(cast.head).get("/org/").content.decode()
    assert '<html lang="en">' in body
    assert "Find a person or an org unit" in body
    User.objects.filter(pk=cast.head.pk).update(language="zh-hans")
    body = client_for(cast.head).get("/org/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert ">搜索</button>" in body  # "Search", from the catalog


# --- search ---------------------------------------------------------------------------------


@pytest.fixture
def people(cast):
    """Named people: 张伟 in the east team, 张薇 in the north team, 张明 in marketing."""
    return {
        "east": UserFactory(username="zw.east", display_name="张伟", unit=cast.east),
        "north": UserFactory(username="zw.north", display_name="张薇", unit=cast.north),
        "marketing": UserFactory(username="zm", display_name="张明", unit=cast.marketing),
    }


@pytest.mark.parametrize("text", ["zw", "ZW", "zhangwei", "张伟", "zw.east"])
def test_search_finds_people_by_name_initials_and_full_pinyin(cast, people, text):
    found = selectors.org_search(user=cast.head, text=text)["people"]
    assert people["east"] in found
    assert people["marketing"] not in found


def test_search_finds_only_people_the_user_may_see(cast, people):
    assert selectors.org_search(user=cast.kam, text="zw")["people"] == [people["east"]]
    assert set(selectors.org_search(user=cast.head, text="zw")["people"]) == {
        people["east"],
        people["north"],
    }
    assert selectors.org_search(user=cast.outsider, text="zhang")["people"] == [people["marketing"]]


def test_search_finds_units_by_name_within_view(cast):
    assert [u.name for u in selectors.org_search(user=cast.head, text="团队")["units"]] == [
        "华东团队",
        "华北团队",
    ]
    assert [u.name for u in selectors.org_search(user=cast.kam, text="团队")["units"]] == [
        "华东团队"
    ]
    assert selectors.org_search(user=cast.kam, text="市场")["units"] == []


def test_search_leaves_out_inactive_people(cast, people):
    people["east"].is_active = False
    people["east"].save()
    assert people["east"] not in selectors.org_search(user=cast.head, text="zw")["people"]


def test_search_lists_the_first_50_and_says_so(cast, client_for):
    grow(cast.east, teams=1, people=0)
    users = [
        User(username=f"t{i:03d}", display_name=f"测试员{i:03d}", unit=cast.east) for i in range(55)
    ]
    for user in users:
        user.refresh_name_keys()
    User.objects.bulk_create(users)
    result = selectors.org_search(user=cast.head, text="测试员")
    assert len(result["people"]) == selectors.SEARCH_SHOWN == 50
    assert result["people_more"] and not result["units_more"]
    body = client_for(cast.head).get("/org/?q=测试员", **HX).content.decode()
    assert "Only the first 50 are shown: type more of the name." in body
    assert body.count("<li>") == 50


def test_the_search_fragment_and_the_page(cast, people, client_for):
    client = client_for(cast.head)
    fragment = client.get("/org/?q=zw", **HX)
    text = fragment.content.decode()
    assert "<html" not in text and 'data-testid="org-results"' in text
    assert "2 matches for “zw”" in text
    assert f'href="/org/?unit={cast.east.pk}">华东团队</a>' in text
    assert "HX-Request" in fragment["Vary"]
    page = client.get("/org/?q=zw").content.decode()  # without JavaScript: a plain GET form
    assert "<html" in page and 'data-testid="org-results"' in page
    assert 'value="zw"' in page


def test_an_empty_search_gives_back_the_tree(cast, client_for):
    body = client_for(cast.head).get("/org/?q=", **HX).content.decode()
    assert 'data-testid="org-tree"' in body and "<html" not in body


def test_nothing_found_says_so(cast, client_for):
    body = client_for(cast.head).get("/org/?q=qqqqqq", **HX).content.decode()
    assert "No one and no org unit matches “qqqqqq”." in body


def test_the_search_form_works_with_and_without_javascript(cast, client_for):
    body = client_for(cast.kam).get("/org/").content.decode()
    start = body.index('<form class="ka-org-search')
    form = body[start : body.index("</form>", start)]
    assert 'method="get" action="/org/"' in form
    assert 'hx-get="/org/"' in form and 'hx-push-url="true"' in form
    assert 'hx-target="#ka-org-main"' in form and "delay:300ms" in form
    assert 'name="q"' in form and '<label class="form-label" for="ka-org-q">' in form


def test_a_long_search_is_cut_not_refused(cast, client_for):
    response = client_for(cast.head).get("/org/?q=" + "z" * 500, **HX)
    assert response.status_code == 200


# --- a department of 2,000 people -----------------------------------------------------------


def test_the_heads_page_stays_small_for_2000_people_in_200_teams(cast, client_for):
    client = client_for(cast.head)
    small = len(client.get("/org/").content)
    grow(cast.ka_dept, teams=200, people=10)
    response = client.get("/org/")
    body = response.content.decode()
    assert len(response.content) - small < 200 * 400  # a folded team row, not its people
    assert len(response.content) < 100_000
    assert "成员" not in body  # none of the 2,000 people
    tree = body[body.index('data-testid="org-tree"') :]
    assert tree.count('aria-expanded="false"') == 202


def test_opening_a_team_of_the_big_department_is_a_small_fragment(cast, client_for):
    team = grow(cast.ka_dept, teams=200, people=10)[17]
    response = client_for(cast.head).get(f"/org/?unit={team.pk}", **HX)
    assert response.content.decode().count('<span class="ka-org-person">') == 10
    assert len(response.content) < 4_000
