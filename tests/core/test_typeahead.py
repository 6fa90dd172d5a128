"""Type-ahead pickers (``core.typeahead``): the field and widget without a database, the
sources on the cast, the suggestions page and its API route, and the forms that use them."""

from types import SimpleNamespace

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyaccount.core import typeahead
from keyaccount.core.lookup import MAX_ID
from keyaccount.core.typeahead import LIMIT, Option, PickField, Source, bind_picks

from ..api_support import Api
from ..factories import UserFactory, assign
from ..pipeline_support import registered_customer

# --- the field and the widget, without a database -------------------------------------------

CALLS: list[list[int]] = []


def _pick(user: object, ids: list[int]) -> dict[int, Option]:
    CALLS.append(ids)
    return {pk: Option(pk, f"第{pk}号", "华东") for pk in ids if pk in (1, 2, 3)}


def _search(user: object, text: str, limit: int) -> list[Option]:
    return [Option(pk, f"第{pk}号") for pk in (1, 2, 3) if text in f"第{pk}号"][:limit]


typeahead.register("test-numbers", Source(search=_search, pick=_pick))


class NumberForm(forms.Form):
    number = PickField(label="号码", source="test-numbers", required=False)

    def __init__(self, data: object = None, *, user: object) -> None:
        super().__init__(data)
        bind_picks(self, user)


USER = SimpleNamespace(pk=7)


def test_a_picked_id_is_checked_against_what_the_user_is_offered():
    assert NumberForm({"number": "2"}, user=USER).is_valid()
    form = NumberForm({"number": "9"}, user=USER)
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["number"]] == ["invalid_choice"]


def test_an_unbound_field_offers_nothing():
    field = PickField(label="号码", source="test-numbers")
    with pytest.raises(forms.ValidationError):
        field.clean("2")


@pytest.mark.parametrize("value", [str(MAX_ID + 1), "0", "-5", "x", "1e3"])
def test_an_impossible_id_is_refused_without_asking_the_source(value):
    CALLS.clear()
    form = NumberForm({"number": value}, user=USER)
    assert not form.is_valid()
    assert CALLS == []


def test_the_widget_shows_the_label_of_what_it_holds_and_keeps_the_id_hidden():
    html = str(NumberForm({"number": "3"}, user=USER)["number"])
    assert 'type="hidden" name="number" value="3"' in html
    assert 'value="第3号"' in html  # the search box shows the label
    assert 'hx-get="/suggest/test-numbers/"' in html
    assert 'form="ka-typeahead-none"' in html  # the box itself is never submitted
    assert 'role="combobox"' in html and 'aria-controls="id_number_options"' in html


def test_the_widget_of_an_unknown_or_refused_id_shows_an_empty_box():
    html = str(NumberForm({"number": "9"}, user=USER)["number"])
    assert 'data-ka-label=""' in html


def test_suggestions_are_bounded_and_say_when_there_are_more():
    many = Source(
        search=lambda user, text, limit: [Option(i, str(i)) for i in range(1, 100)][:limit],
        pick=lambda user, ids: {},
    )
    typeahead.register("test-many", many)
    found = typeahead.suggestions("test-many", USER, "  x" * 200)
    assert found is not None
    assert len(found.options) == LIMIT and found.more
    assert len(found.text) <= typeahead.MAX_TEXT
    assert typeahead.suggestions("no-such-picker", USER, "") is None


# --- the sources, on the cast ---------------------------------------------------------------


@pytest.fixture
def customers(cast):
    return SimpleNamespace(
        grid=registered_customer(owner=cast.kam, assistant=cast.assistant, name="钱塘电网有限公司"),
        bank=registered_customer(
            owner=cast.north_kam, assistant=cast.assistant, name="北方银行股份有限公司"
        ),
    )


def ids(name: str, user, text: str = "") -> list[int]:
    found = typeahead.suggestions(name, user, text)
    assert found is not None
    return [o.id for o in found.options]


def test_customers_are_found_by_name_pinyin_initials_and_full_pinyin(cast, customers):
    for text in ("钱塘", "qt", "qiantang", "QianTang"):
        assert ids("customers", cast.head, text) == [customers.grid.pk], text
    assert ids("customers", cast.kam) == [customers.grid.pk]  # kam sees their own only
    assert ids("customers", cast.outsider) == []


def test_the_owner_filters_offer_owners_of_what_the_user_sees(cast, customers):
    assert set(ids("customer-owners", cast.head)) == {cast.kam.pk, cast.north_kam.pk}
    assert ids("customer-owners", cast.kam) == [cast.kam.pk]
    assert ids("deal-owners", cast.head) == []  # no deal yet


def test_people_are_found_by_name_and_by_user_name(cast):
    cast.colleague.display_name = "李娜"
    cast.colleague.save()
    for text in ("李", "ln", "lina", "coll"):
        assert cast.colleague.pk in ids("allocatable", cast.head, text), text
    assert ids("allocatable", cast.kam) == []  # a KAM allocates to no one


def test_a_new_deal_is_opened_on_a_customer_the_user_may_open_deals_on(cast, customers):
    assert ids("new-deal-customers", cast.kam) == [customers.grid.pk]
    assert ids("new-deal-customers", cast.north_kam) == [customers.bank.pk]
    assert ids("new-deal-customers", cast.consultant) == []


def test_teams_are_found_by_name(cast):
    assert ids("teams", cast.head, "华东") == [cast.east.pk]
    assert cast.north.pk not in ids("teams", cast.kam)


def test_a_suggestion_costs_the_same_queries_whatever_the_number_of_people(cast, client_for):
    client = client_for(cast.head)
    client.get("/suggest/allocatable/?q=l")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/suggest/allocatable/?q=l")
    for i in range(30):
        assign(UserFactory(username=f"l{i:02d}", unit=cast.east), "kam")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/suggest/allocatable/?q=l")
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(response.context["options"]) == LIMIT and response.context["more"]


# --- the page's suggestions and the API -----------------------------------------------------


def test_the_suggestions_page_lists_options_to_pick(cast, customers, client_for):
    response = client_for(cast.head).get("/suggest/customers/", {"q": "qt"})
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        f'data-ka-pick="{customers.grid.pk}"' in body and 'data-ka-label="钱塘电网有限公司"' in body
    )
    assert 'role="option"' in body


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "没有与"), ("en", "Nothing matches")])
def test_nothing_found_is_said_in_the_users_language(cast, client_for, language, text):
    cast.head.language = language  # a signed-in user's saved language (core.middleware)
    cast.head.save()
    response = client_for(cast.head).get("/suggest/customers/", {"q": "zzzz"})
    assert text in response.content.decode()


def test_an_unknown_picker_is_a_404_and_anonymous_is_sent_to_sign_in(cast, client, client_for):
    assert client_for(cast.head).get("/suggest/no-such-picker/").status_code == 404
    assert client.get("/suggest/customers/").status_code == 302


def test_the_api_suggests_the_same(cast, customers):
    response = Api(cast.head).get("/api/suggest/customers?q=qiantang")
    assert response.status_code == 200
    region = customers.grid.region
    hint = region.name_zh if region else ""
    assert response.json() == {
        "items": [{"id": customers.grid.pk, "label": "钱塘电网有限公司", "hint": hint}],
        "more": False,
    }
    assert Api(cast.head).get("/api/suggest/no-such-picker").status_code == 404
    assert Api(cast.head).get("/api/suggest/customers?q=" + "x" * 101).status_code == 422


# --- forms that pick ------------------------------------------------------------------------


def test_the_create_page_opens_a_deal_on_the_picked_customer(cast, customers, client_for):
    client = client_for(cast.kam)
    body = {
        "customer": customers.grid.pk,
        "name": "调度系统",
        "amount": "100万",
        "currency": "CNY",
        "expected_signing": "2027-03-01",
    }
    response = client.post("/pipeline/new/", body)
    assert response.status_code == 302
    refused = client.post("/pipeline/new/", {**body, "customer": customers.bank.pk})
    assert refused.status_code == 404  # not a customer kam can see


def test_a_deal_is_not_handed_to_the_person_who_owns_it(cast, customers, client_for):
    from keyaccount.pipeline import services

    opp = services.opportunity_create(
        actor=cast.kam,
        customer=customers.grid,
        data={"name": "调度系统", "amount": 1000, "expected_signing": "2027-03-01"},
    )
    response = client_for(cast.team_lead).post(
        f"/pipeline/{opp.pk}/reassign/", {"owner": cast.kam.pk, "reason": "换人"}
    )
    assert response.status_code == 400
    assert [e.code for e in response.context["reassign_form"].errors.as_data()["owner"]] == [
        "same_owner"
    ]
    moved = client_for(cast.team_lead).post(
        f"/pipeline/{opp.pk}/reassign/", {"owner": cast.colleague.pk, "reason": "换人"}
    )
    assert moved.status_code == 302
    opp.refresh_from_db()
    assert opp.owner_id == cast.colleague.pk
