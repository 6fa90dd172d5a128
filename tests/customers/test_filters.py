"""The KA list's filters have one definition: the list page, its export and the API answer the
same query string with the same customers in the same order.

The page is lenient (a bad value is dropped with a message), the export is as lenient as the
page it was started from, and the API refuses (422, naming the parameter) exactly what the page
drops, so that it never answers a wider list than it was asked for."""

import csv
import io
from decimal import Decimal
from typing import get_args
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyaccount.customers import filters, rules, schemas, selectors
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.org.models import Industry, Region

from ..api_support import Api, credit_code, registered

LIST = "/customers/"
API = "/api/customers/"
SORTS = list(filters.SORT_KEYS)


@pytest.fixture
def book(cast) -> dict[str, Customer]:
    """Six customers of four owners in three teams, with grades, scores, regions, industries
    and both registration states (two share a score, so sorting needs its tie-breaker)."""
    region, industry = Region.objects.get, Industry.objects.get
    book = {
        "grid": registered(
            cast.kam, cast.assistant, "江苏省电网运营有限公司", credit_code=credit_code(1),
            region=region(code="CN-JS"), industry=industry(code="power-grid"),
            revenue=Decimal("420000000000.00"),
        ),
        "bank": registered(
            cast.kam, cast.assistant, "金陵商业银行股份有限公司", region=region(code="CN-JS"),
            industry=industry(code="banking"), revenue=Decimal("9000000.00"),
        ),
        "pending": registered(cast.kam, cast.assistant, "钱塘城市商业银行", approve=False),
        "colleague": registered(
            cast.colleague, cast.assistant, "同事的客户有限公司", region=region(code="CN-ZJ"),
            industry=industry(code="manufacturing"),
        ),
        "north": registered(
            cast.north_kam, cast.assistant, "燕山钢铁集团有限公司", region=region(code="CN-HE"),
            industry=industry(code="manufacturing"), revenue=Decimal("9000000.00"),
        ),
        "marketing": registered(cast.outsider, cast.admin, "海角文旅发展有限公司"),
    }  # fmt: skip
    for key, grade, score in (
        ("grid", "A", "85.0"),
        ("bank", "B", "62.5"),
        ("colleague", "C", "40.0"),
        ("north", "D", "62.5"),
    ):
        Customer.objects.filter(pk=book[key].pk).update(grade=grade, score=Decimal(score))
    return book


def values(cast) -> dict[str, list]:
    """What each parameter may be given: valid values, values a viewer may not pick, and
    malformed ones."""
    region, industry = Region.objects.get, Industry.objects.get
    return {
        "q": ["电网", "银行", "js", " 银行 ", "同事", "x" * 101, "a\x00b", ""],
        "grade": ["A", "B", "C", "D", "none", "a", "E"],
        "region": [
            region(code="CN-JS").pk, region(code="CN-E").pk, region(code="CN-HE").pk,
            987654, "abc",
        ],
        "industry": [
            industry(code="banking").pk, industry(code="finance").pk,
            industry(code="manufacturing").pk, 987654,
        ],
        "owner": [
            cast.kam.pk, cast.colleague.pk, cast.north_kam.pk, cast.outsider.pk, 987654, "x",
        ],
        "team": [cast.east.pk, cast.north.pk, cast.ka_dept.pk, cast.marketing.pk, "-1"],
        "status": ["pending", "registered", "rejected", "zzz"],
        "score_min": ["0", "40", "62.5", "85", "100", "150", "x", "62.55", "-1"],
        "score_max": ["0", "40", "62.5", "85", "100", "150", "x", "62.55", "-1"],
        "sort": [*SORTS, "evil"],
    }  # fmt: skip


@st.composite
def query_strings(draw, pools: dict[str, list]) -> str:
    pairs: list[tuple[str, object]] = []
    for name, pool in pools.items():
        if name == "grade":
            pairs += [("grade", g) for g in draw(st.lists(st.sampled_from(pool), max_size=3))]
        elif draw(st.booleans()):
            pairs.append((name, draw(st.sampled_from(pool))))
    if draw(st.booleans()):  # half the time, a reversed score range
        low, high = sorted(draw(st.sampled_from(["0", "40", "62.5", "85", "100"])) for _ in "ab")
        pairs = [p for p in pairs if p[0] not in ("score_min", "score_max")]
        pairs += [("score_min", high), ("score_max", low)]
    return urlencode(pairs)


def page_answer(client, query: str) -> tuple[list[int], set[str]]:
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    listed = [c.pk for c in response.context["page"].object_list]
    return listed, set(response.context["form"].errors)  # the parameters it dropped


def export_answer(client, query: str, ids_by_name: dict[str, int]) -> list[int]:
    response = client.get(f"{reverse('customers_io:export_list')}?{query}&format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [ids_by_name[row[0]] for row in rows[1:]]


@pytest.mark.parametrize("role", ["head", "kam"])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_page_its_export_and_the_api_list_the_same_customers(
    cast, book, client_for, role, data
):
    user = getattr(cast, role)
    client, api = client_for(user), Api(user)
    ids_by_name = {c.name: c.pk for c in book.values()}
    query = data.draw(query_strings(values(cast)), label="query")
    listed, ignored = page_answer(client, query)
    assert export_answer(client, query, ids_by_name) == listed, "the export of this list"
    response = api.get(f"{API}?{query}")
    if ignored:  # the page dropped a value: the API refuses it, naming the parameter
        assert response.status_code == 422, (ignored, response.content)
        assert {key.split(".")[0] for key in response.json()["errors"]} <= ignored
    else:
        assert response.status_code == 200, response.content
        assert [item["id"] for item in response.json()["items"]] == listed


def test_a_reversed_score_range_is_the_same_range_everywhere(cast, book, client_for):
    client, api = client_for(cast.head), Api(cast.head)
    ids_by_name = {c.name: c.pk for c in book.values()}
    query = "score_min=85&score_max=40&sort=score"
    expected = [book["colleague"].pk, book["bank"].pk, book["north"].pk, book["grid"].pk]
    assert page_answer(client, query) == (expected, set())
    assert export_answer(client, query, ids_by_name) == expected
    assert [item["id"] for item in api.get(f"{API}?{query}").json()["items"]] == expected


def test_the_api_refuses_what_the_page_ignores_with_the_pages_message(cast, book, client_for):
    query = f"owner={cast.outsider.pk}"  # not an owner the department head can pick
    page = client_for(cast.head).get(f"{LIST}?{query}")
    assert len(page.context["page"].object_list) == 5, "the page drops the filter"
    assert len(page.context["ignored"]) == 1
    dropped = {name: [str(m) for m in ms] for name, ms in page.context["form"].errors.items()}
    assert list(dropped) == ["owner"]
    response = Api(cast.head).get(f"{API}?{query}")
    assert response.status_code == 422
    assert response.json()["errors"] == dropped


def test_the_orders_are_the_same_for_the_page_the_selector_and_the_api():
    assert tuple(selectors.SORTS) == filters.SORT_KEYS == get_args(schemas.SortCode)
    assert get_args(schemas.GradeFilter) == (*rules.Grade.values, filters.NOT_GRADED)
    assert get_args(schemas.StatusCode) == tuple(RegistrationStatus.values)


@given(
    low=st.decimals(min_value=0, max_value=100, places=1),
    high=st.decimals(min_value=0, max_value=100, places=1),
)
def test_a_score_range_is_read_in_either_order(low, high):
    def parsed(query: str) -> tuple:
        f = filters.parse_filters(QueryDict(query), filters.FilterChoices()).filters
        return f.score_min, f.score_max

    forward = parsed(f"score_min={min(low, high)}&score_max={max(low, high)}")
    assert forward == (min(low, high), max(low, high))
    assert parsed(f"score_min={max(low, high)}&score_max={min(low, high)}") == forward
