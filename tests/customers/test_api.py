"""The customers REST API: visibility per role, the KA list's filters and pagination, the
registration flow, allocation, scorecard and grade, no lost updates, errors in the requester's
language, and token auth answering exactly like the session."""

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from keyaccount.contacts.services import contact_create
from keyaccount.core import pinyin
from keyaccount.customers import services
from keyaccount.customers.models import (
    Customer,
    GradeChange,
    OwnerChange,
    RegistrationRequest,
    RegistrationStatus,
    ScoringFactor,
)
from keyaccount.org.models import ApiToken, Industry, Region
from keyaccount.org.services import api_token_revoke

from ..api_support import VIAS, Api, count_queries, credit_code, registered

LIST = "/api/customers/"

#: Who sees a customer owned by ``kam`` (east team): the owner, the east team's manager, the
#: department-wide roles and the administrator.
KAM_CUSTOMER_VIEWERS = {"kam", "team_lead", "head", "director", "assistant", "admin"}
NORTH_CUSTOMER_VIEWERS = {"north_kam", "head", "director", "assistant", "admin"}


@pytest.fixture
def book(cast) -> dict[str, Customer]:
    """Customers of kam (two), north_kam and outsider, registered through the services."""
    return {
        "grid": registered(
            cast.kam,
            cast.assistant,
            "江苏省电网运营有限公司",
            credit_code=credit_code(1),
            region=Region.objects.get(code="CN-JS"),
            industry=Industry.objects.get(code="power-grid"),
            revenue=Decimal("420000000000.00"),
        ),
        "bank": registered(
            cast.kam,
            cast.assistant,
            "金陵商业银行股份有限公司",
            region=Region.objects.get(code="CN-JS"),
            industry=Industry.objects.get(code="banking"),
        ),
        "north": registered(
            cast.north_kam,
            cast.assistant,
            "燕山钢铁集团有限公司",
            region=Region.objects.get(code="CN-HE"),
            industry=Industry.objects.get(code="manufacturing"),
        ),
        "marketing": registered(cast.outsider, cast.admin, "海角文旅发展有限公司"),
    }


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


# --- visibility -----------------------------------------------------------------------------


@pytest.mark.parametrize("via", VIAS)
def test_the_list_shows_each_role_what_it_may_see(cast, book, via):
    expected = {
        "kam": {"grid", "bank"},
        "colleague": set(),
        "north_kam": {"north"},
        "team_lead": {"grid", "bank"},
        "consultant": set(),
        "account_manager": set(),
        "head": {"grid", "bank", "north"},
        "director": {"grid", "bank", "north"},
        "assistant": {"grid", "bank", "north"},
        "admin": {"grid", "bank", "north", "marketing"},
        "outsider": {"marketing"},
    }
    for role, user in cast.roles().items():
        listed = ids(Api(user, via).get(LIST))
        assert listed == {book[k].pk for k in expected[role]}, role


@pytest.mark.parametrize("via", VIAS)
def test_detail_is_404_outside_visibility_like_a_missing_customer(cast, book, via):
    grid = book["grid"]
    missing = Api(cast.kam, via).get(f"{LIST}987654321")
    assert missing.status_code == 404
    for role, user in cast.roles().items():
        response = Api(user, via).get(f"{LIST}{grid.pk}")
        if role in KAM_CUSTOMER_VIEWERS:
            assert response.status_code == 200, role
            body = response.json()
            assert body["id"] == grid.pk
            assert body["owner"]["username"] == "kam"
            assert body["owner"]["unit_name"] == cast.east.name
        else:
            assert response.status_code == 404, role
            assert response.json() == missing.json(), "a hidden customer answers like a missing one"


def test_detail_has_the_whole_profile_and_what_i_may_do(cast, book):
    body = Api(cast.kam).get(f"{LIST}{book['grid'].pk}").json()
    assert body["credit_code"] == credit_code(1)
    assert body["region"]["name"] == "江苏"
    assert body["industry"]["name"] == "电网"
    assert body["revenue"] == "420000000000.00", "money keeps every digit (a string)"
    assert body["status"] == "registered"
    assert body["status_label"] == "已备案"
    assert body["grade"] is None and body["score"] is None and body["suggested_grade"] is None
    assert body["version"] == 2  # requested, then approved
    for field in services.PROFILE_FIELDS:
        assert field in body, field
    assert body["permissions"] == {
        "edit_profile": True,
        "edit_contacts": True,
        "score": True,
        "grade": False,
        "evaluate": True,
        "allocate": False,
    }
    head = Api(cast.head).get(f"{LIST}{book['grid'].pk}").json()["permissions"]
    assert head["grade"] and head["allocate"]
    assistant = Api(cast.assistant).get(f"{LIST}{book['grid'].pk}").json()["permissions"]
    assert assistant["edit_profile"] and not assistant["grade"] and not assistant["allocate"]


def test_an_outsider_gets_404_from_every_customer_route_and_changes_nothing(cast, book):
    grid = book["grid"]
    api = Api(cast.outsider, "token")
    before = Customer.objects.get(pk=grid.pk)
    for path in (
        "",
        "/owner-changes",
        "/grade-changes",
        "/scorecard",
        "/evaluations",
        "/org-chart",
    ):
        assert api.get(f"{LIST}{grid.pk}{path}").status_code == 404, path
    writes = [
        api.patch(f"{LIST}{grid.pk}", {"version": grid.version, "notes": "mine now"}),
        api.put(
            f"{LIST}{grid.pk}/scorecard",
            {"scores": {"reachability": {"score": 5, "justification": "x"}}},
        ),
        api.post(f"{LIST}{grid.pk}/grade", {"grade": "A", "reason": "x"}),
        api.post(
            f"{LIST}{grid.pk}/evaluations",
            {
                "relationship": 3,
                "needs_clarity": 3,
                "competitive_position": 3,
                "solution_fit": 3,
                "payment_ability": 3,
                "summary": "x",
            },
        ),
        api.post(
            f"{LIST}allocations",
            {"customer_ids": [grid.pk], "new_owner_id": cast.outsider.pk, "reason": "x"},
        ),
        api.post(
            f"{LIST}registrations/{grid.registrations.get().pk}/decision",
            {"approve": False, "reason": "x"},
        ),
        api.get("/api/contacts/", {"customer": grid.pk}),
    ]
    assert [r.status_code for r in writes] == [404] * len(writes)
    after = Customer.objects.get(pk=grid.pk)
    assert (after.version, after.notes, after.owner_id, after.grade) == (
        before.version,
        before.notes,
        before.owner_id,
        before.grade,
    )
    assert not GradeChange.objects.exists()
    assert not grid.evaluations.exists() and not grid.scores.exists()


def test_anonymous_gets_401_for_reads_and_writes(db):
    api = Api(None)
    assert api.get(LIST).status_code == 401
    response = api.post(f"{LIST}registrations", {"name": "某公司"})
    assert response.status_code == 401, "no session: 401, not a CSRF 403"


# --- the KA list: filters, sorting, pagination, queries ---------------------------------------


def test_filters_of_the_ka_list(cast, book):
    grid, bank, north = book["grid"], book["bank"], book["north"]
    services.scores_save(
        actor=cast.kam,
        customer=grid,
        scores={f.code: (5, "strong") for f in ScoringFactor.objects.filter(is_active=True)},
    )
    services.grade_set(actor=cast.head, customer=grid, grade="A")
    services.grade_set(actor=cast.head, customer=north, grade="C", reason="steel is cyclical")
    pending = registered(cast.kam, cast.assistant, "钱塘城市商业银行", approve=False)
    api = Api(cast.head, "token")
    east_china = Region.objects.get(code="CN-E").pk
    assert ids(api.get(LIST, {"q": "电网"})) == {grid.pk}
    assert ids(api.get(LIST, {"q": "jssdw"})) == {grid.pk}, "pinyin initials"
    assert ids(api.get(LIST, {"q": credit_code(1)[:8]})) == {grid.pk}, "credit code prefix"
    assert ids(api.get(LIST, {"grade": ["A", "C"]})) == {grid.pk, north.pk}
    assert ids(api.get(LIST, {"grade": "none"})) == {bank.pk, pending.pk}
    assert ids(api.get(LIST, {"region": east_china})) == {grid.pk, bank.pk}, "sub-regions"
    assert ids(api.get(LIST, {"industry": Industry.objects.get(code="finance").pk})) == {bank.pk}
    assert ids(api.get(LIST, {"owner": cast.north_kam.pk})) == {north.pk}
    assert ids(api.get(LIST, {"team": cast.east.pk})) == {grid.pk, bank.pk, pending.pk}
    assert ids(api.get(LIST, {"team": cast.ka_dept.pk})) == {grid.pk, bank.pk, pending.pk, north.pk}
    assert ids(api.get(LIST, {"status": "pending"})) == {pending.pk}
    assert ids(api.get(LIST, {"score_min": "90"})) == {grid.pk}
    assert ids(api.get(LIST, {"score_max": "90"})) == set()
    assert ids(api.get(LIST, {"region": east_china, "grade": "none"})) == {bank.pk}
    by_score = api.get(LIST, {"sort": "-score"}).json()["items"]
    assert by_score[0]["id"] == grid.pk and by_score[0]["score"] == "100.0"
    by_name = [i["name"] for i in api.get(LIST, {"sort": "-name"}).json()["items"]]
    assert by_name == sorted(by_name, key=pinyin.sort_key)[::-1]  # by pinyin


def test_bad_filters_are_422_naming_the_parameter(cast, book):
    api = Api(cast.kam)
    for params, field in (
        ({"grade": "E"}, "grade.0"),
        ({"sort": "owner"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"page_size": 201}, "page_size"),
        ({"score_min": "abc"}, "score_min"),
        ({"status": "approved"}, "status"),
        ({"q": "a\x00b"}, "q"),
    ):
        response = api.get(LIST, params)
        assert response.status_code == 422, params
        body = response.json()
        assert body["detail"] and field in body["errors"], (params, body)


def test_pagination_by_limit_offset_and_by_page(cast):
    for n in range(7):
        registered(cast.kam, cast.assistant, f"第{n}号测试客户甲乙丙{n}")
    api = Api(cast.kam)
    everything = api.get(LIST, {"limit": 200}).json()
    assert everything["count"] == 7 and len(everything["items"]) == 7
    order = [i["id"] for i in everything["items"]]
    first = api.get(LIST, {"limit": 3}).json()
    assert (first["count"], first["offset"], first["limit"]) == (7, 0, 3)
    assert [i["id"] for i in first["items"]] == order[:3]
    assert [i["id"] for i in api.get(LIST, {"limit": 3, "offset": 6}).json()["items"]] == order[6:]
    page2 = api.get(LIST, {"page": 2, "page_size": 3}).json()
    assert (page2["count"], page2["offset"], page2["limit"]) == (7, 3, 3)
    assert [i["id"] for i in page2["items"]] == order[3:6]
    beyond = api.get(LIST, {"page": 9, "page_size": 3}).json()
    assert beyond["count"] == 7 and beyond["items"] == []
    assert api.get(LIST).json()["limit"] == 50


@pytest.mark.parametrize("via", VIAS)
def test_the_list_costs_the_same_queries_for_3_or_30_customers(cast, via):
    api = Api(cast.head, via)
    params = {
        "grade": ["A", "none"],
        "region": Region.objects.get(code="CN").pk,
        "team": cast.ka_dept.pk,
    }
    jiangsu = Region.objects.get(code="CN-JS")

    def measure() -> int:
        with count_queries() as ctx:
            response = api.get(LIST, {**params, "limit": 200})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        registered(
            cast.kam if n % 2 else cast.north_kam,
            cast.assistant,
            f"样本客户{n}号甲",
            region=jiangsu,
        )
    # warm-up with the same filters: a token's first use records when it was last used, and the
    # team filter's unit lookup is cached after its first use
    api.get(LIST, {**params, "limit": 200})
    small = measure()
    for n in range(3, 30):
        registered(
            cast.kam if n % 2 else cast.north_kam,
            cast.assistant,
            f"样本客户{n}号乙",
            region=jiangsu,
        )
    assert Api(cast.head).get(LIST, {**params, "limit": 200}).json()["count"] == 30
    assert measure() == small
    assert small <= 12, f"{small} queries for one page of the KA list"


# --- registration ---------------------------------------------------------------------------


@pytest.mark.parametrize("via", VIAS)
def test_registration_flow(cast, via):
    kam = Api(cast.kam, via)
    first = kam.post(
        f"{LIST}registrations",
        {"name": "江苏省电网运营有限公司", "credit_code": credit_code(7), "revenue": "1.5"},
    )
    assert first.status_code == 201, first.content
    assert first.json()["decision"] == "pending"
    # a similar name from another KAM: 409 with the likely duplicate, nothing saved
    other = Api(cast.colleague, via)
    similar = {"name": "江苏电网运营集团", "region_id": Region.objects.get(code="CN-JS").pk}
    response = other.post(f"{LIST}registrations", similar)
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["needs_confirmation"] is True and body["detail"]
    assert [d["name"] for d in body["duplicates"]] == ["江苏省电网运营有限公司"]
    assert body["duplicates"][0]["owner_name"] == str(cast.kam)
    assert Customer.objects.count() == 1
    # confirmed as a different company: a pending request
    response = other.post(f"{LIST}registrations", {**similar, "confirm_not_duplicate": True})
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["confirmed_not_duplicate"] is True
    assert [d["name"] for d in made["duplicates_shown"]] == ["江苏省电网运营有限公司"]
    assert made["customer"]["owner"]["username"] == "colleague"
    assert made["customer"]["region"]["name"] == "江苏"
    assert made["requested_by"]["username"] == "colleague"
    # the assistant's queue holds both, oldest first; colleague's holds only theirs
    assistant = Api(cast.assistant, via)
    queue = assistant.get(f"{LIST}registrations", {"decision": "pending"}).json()
    assert [r["id"] for r in queue["items"]] == [first.json()["id"], made["id"]]
    assert queue["count"] == 2
    assert [r["id"] for r in other.get(f"{LIST}registrations").json()["items"]] == [made["id"]]
    assert Api(cast.outsider, via).get(f"{LIST}registrations").json()["items"] == []
    # the requester may not decide it
    denied = other.post(f"{LIST}registrations/{made['id']}/decision", {"approve": True})
    assert denied.status_code == 403 and denied.json()["detail"]
    assert RegistrationRequest.objects.get(pk=made["id"]).decision == "pending"
    # the assistant approves: registered, owned by the requester, an owner change recorded
    response = assistant.post(
        f"{LIST}registrations/{made['id']}/decision", {"approve": True, "reason": "checked"}
    )
    assert response.status_code == 200, response.content
    decided = response.json()
    assert decided["decision"] == "approved"
    assert decided["decided_by"]["username"] == "assistant"
    assert decided["customer"]["status"] == "registered"
    customer = Customer.objects.get(pk=made["customer"]["id"])
    assert customer.owner == cast.colleague and customer.status == RegistrationStatus.REGISTERED
    changes = other.get(f"{LIST}{customer.pk}/owner-changes").json()
    assert [(c["old_owner"], c["new_owner"]["username"], c["reason"]) for c in changes] == [
        (None, "colleague", "checked")
    ]
    assert changes[0]["changed_by"]["username"] == "assistant"
    # decided twice: 422; the queue no longer lists it
    again = assistant.post(f"{LIST}registrations/{made['id']}/decision", {"approve": False})
    assert again.status_code == 422
    assert [r["id"] for r in assistant.get(f"{LIST}registrations").json()["items"]] == [
        first.json()["id"]
    ]
    everything = assistant.get(f"{LIST}registrations", {"decision": "all"}).json()
    assert everything["count"] == 2


def test_rejection_needs_a_reason(cast):
    customer = registered(cast.kam, cast.assistant, "某某科技有限公司", approve=False)
    request = customer.registrations.get()
    assistant = Api(cast.assistant)
    path = f"{LIST}registrations/{request.pk}/decision"
    response = assistant.post(path, {"approve": False})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["reason"]
    response = assistant.post(path, {"approve": False, "reason": "not a real company"})
    assert response.status_code == 200 and response.json()["decision"] == "rejected"
    assert Customer.objects.get(pk=customer.pk).status == RegistrationStatus.REJECTED


def test_an_exact_duplicate_is_refused_naming_the_owner(cast, book):
    response = Api(cast.north_kam, "token").post(
        f"{LIST}registrations",
        {"name": "江苏省电网运营 有限公司", "confirm_not_duplicate": True},
    )
    assert response.status_code == 422
    body = response.json()
    assert str(cast.kam) in body["errors"]["name"][0]
    assert str(cast.kam) in body["detail"]
    same_code = Api(cast.north_kam).post(
        f"{LIST}registrations", {"name": "完全不同的名字", "credit_code": credit_code(1)}
    )
    assert same_code.status_code == 422 and str(cast.kam) in same_code.json()["detail"]
    assert Customer.objects.count() == 4


def test_registration_input_errors(cast):
    api = Api(cast.kam)
    response = api.post(
        f"{LIST}registrations", {"name": "有效名称公司", "credit_code": "91320000123456789X"}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["credit_code"]
    response = api.post(f"{LIST}registrations", {"name": "有效名称公司", "region_id": 987654})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["region_id"]
    response = api.post(f"{LIST}registrations", {"credit_code": credit_code(3)})
    assert response.status_code == 422 and "name" in response.json()["errors"]
    response = api.post(f"{LIST}registrations", {"name": "有效名称公司", "revenue": "-5"})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["revenue"]
    assert Api(cast.assistant).post(f"{LIST}registrations", {"name": "X公司"}).status_code == 403
    assert not Customer.objects.exists()


# --- allocation -----------------------------------------------------------------------------


@pytest.mark.parametrize("via", VIAS)
def test_the_head_allocates_in_bulk_and_each_change_is_recorded(cast, book, via):
    grid, bank, north = book["grid"], book["bank"], book["north"]
    body = {
        "customer_ids": [grid.pk, bank.pk, north.pk],
        "new_owner_id": cast.colleague.pk,
        "reason": "rebalancing the east team",
    }
    denied = Api(cast.kam, via).post(f"{LIST}allocations", {**body, "customer_ids": [grid.pk]})
    assert denied.status_code == 403 and denied.json()["detail"]
    assert Customer.objects.get(pk=grid.pk).owner == cast.kam
    assert Api(cast.assistant, via).post(f"{LIST}allocations", body).status_code == 403
    # one id the KAM cannot see (north) makes it a 404, as if it did not exist
    hidden = Api(cast.team_lead, via).post(f"{LIST}allocations", body)
    assert hidden.status_code == 404
    assert (
        Api(cast.head, via)
        .post(f"{LIST}allocations", {**body, "customer_ids": [grid.pk, 987654321]})
        .status_code
        == 404
    )
    unknown_owner = Api(cast.head, via).post(f"{LIST}allocations", {**body, "new_owner_id": 98765})
    assert unknown_owner.status_code == 422 and "new_owner_id" in unknown_owner.json()["errors"]
    not_selling = Api(cast.head, via).post(
        f"{LIST}allocations", {**body, "new_owner_id": cast.consultant.pk}
    )
    assert not_selling.status_code == 422 and "new_owner_id" in not_selling.json()["errors"]
    assert not OwnerChange.objects.filter(reason=body["reason"]).exists()

    response = Api(cast.head, via).post(f"{LIST}allocations", body)
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["moved"] == 3 and out["new_owner"]["username"] == "colleague"
    assert set(
        Customer.objects.values_list("owner_id", flat=True).filter(pk__in=out["customer_ids"])
    ) == {cast.colleague.pk}
    history = Api(cast.head, via).get(f"{LIST}{north.pk}/owner-changes").json()
    assert history[0]["old_owner"]["username"] == "north_kam"
    assert history[0]["new_owner"]["username"] == "colleague"
    assert history[0]["changed_by"]["username"] == "head"
    assert history[0]["reason"] == "rebalancing the east team"
    assert Api(cast.kam, via).get(f"{LIST}{grid.pk}").status_code == 404, "no longer kam's"
    assert Api(cast.colleague, via).get(f"{LIST}{north.pk}").status_code == 200


# --- scorecard and grade --------------------------------------------------------------------


def scores_body(profile: dict[str, int]) -> dict[str, Any]:
    return {
        "scores": {
            code: {"score": s, "justification": f"{code} {s}"} for code, s in profile.items()
        }
    }


@pytest.mark.parametrize("via", VIAS)
def test_scorecard_suggests_a_grade_and_a_manager_sets_it(cast, book, via):
    grid = book["grid"]
    path = f"{LIST}{grid.pk}"
    kam = Api(cast.kam, via)
    card = kam.get(f"{path}/scorecard").json()
    codes = [f["code"] for f in card["factors"]]
    assert codes[:5] == [
        "reachability",
        "profitability",
        "implementability",
        "value",
        "sustainability",
    ]
    assert card["complete"] is False and card["score"] is None and card["suggested_grade"] is None
    assert card["thresholds"] == {"a": "80.0", "b": "65.0", "c": "45.0"}
    assert card["can_score"] is True and card["can_grade"] is False

    # half the factors first: no score yet
    response = kam.put(f"{path}/scorecard", scores_body(dict.fromkeys(codes[:5], 4)))
    assert response.status_code == 200, response.content
    assert response.json()["complete"] is False
    # every factor: a big company with a weak fit stays a C (size is one factor of ten)
    profile = dict.fromkeys(codes, 3) | {"size": 5}
    card = kam.put(f"{path}/scorecard", scores_body(profile)).json()
    assert card["complete"] is True
    assert card["score"] == "62.0" and card["suggested_grade"] == "C"
    factor = next(f for f in card["factors"] if f["code"] == "size")
    assert (factor["score"], factor["justification"]) == (5, "size 5")
    assert factor["scored_by"]["username"] == "kam"

    bad = kam.put(
        f"{path}/scorecard",
        {
            "scores": {
                "reachability": {"score": 7, "justification": ""},
                "nope": {"score": 1, "justification": "x"},
            }
        },
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"reachability", "nope"}
    assert kam.get(f"{path}/scorecard").json()["score"] == "62.0", "nothing saved"
    assert (
        Api(cast.assistant, via).put(f"{path}/scorecard", scores_body({"size": 1})).status_code
        == 403
    )

    # the KAM and the assistant may not grade
    for who in (cast.kam, cast.assistant):
        denied = Api(who, via).post(f"{path}/grade", {"grade": "C"})
        assert denied.status_code == 403 and denied.json()["detail"], who
    lead = Api(cast.team_lead, via)
    # differing from the suggestion needs a reason
    response = lead.post(f"{path}/grade", {"grade": "A"})
    assert response.status_code == 422
    assert "reason" in response.json()["errors"] and "C" in response.json()["detail"]
    # the suggestion needs none
    response = lead.post(f"{path}/grade", {"grade": "C"})
    assert response.status_code == 201, response.content
    assert response.json()["new_grade"] == "C" and response.json()["old_grade"] is None
    response = lead.post(f"{path}/grade", {"grade": "B", "reason": "provincial grid: strategic"})
    assert response.status_code == 201
    change = response.json()
    assert (change["old_grade"], change["new_grade"], change["suggested_grade"]) == ("C", "B", "C")
    assert change["score"] == "62.0" and change["changed_by"]["username"] == "team_lead"
    assert lead.post(f"{path}/grade", {"grade": "E", "reason": "x"}).status_code == 422

    history = kam.get(f"{path}/grade-changes").json()
    assert [(h["new_grade"], h["reason"]) for h in history] == [
        ("B", "provincial grid: strategic"),
        ("C", ""),
    ]
    card = kam.get(f"{path}/scorecard").json()
    assert card["grade"] == "B" and card["grade_history"] == history
    assert kam.get(path).json()["grade"] == "B"
    assert Customer.objects.get(pk=grid.pk).grade == "B"


# --- profile edits: no lost update -----------------------------------------------------------


@pytest.mark.parametrize("via", VIAS)
def test_patch_changes_only_the_fields_sent_and_refuses_a_stale_version(cast, book, via):
    grid = book["grid"]
    path = f"{LIST}{grid.pk}"
    read_by_kam = Api(cast.kam, via).get(path).json()
    read_by_assistant = Api(cast.assistant, via).get(path).json()
    assert read_by_kam["version"] == read_by_assistant["version"]

    response = Api(cast.assistant, via).patch(
        path,
        {
            "version": read_by_assistant["version"],
            "address": "南京市鼓楼区",
            "employees": 68000,
            "industry_id": None,
        },
    )
    assert response.status_code == 200, response.content
    saved = response.json()
    assert saved["address"] == "南京市鼓楼区" and saved["employees"] == 68000
    assert saved["industry"] is None and saved["region"]["name"] == "江苏", "region untouched"
    assert saved["version"] == read_by_kam["version"] + 1

    stale = Api(cast.kam, via).patch(path, {"version": read_by_kam["version"], "notes": "lost?"})
    assert stale.status_code == 409
    body = stale.json()
    assert str(cast.assistant) in body["detail"]
    assert body["current_version"] == saved["version"]
    assert Customer.objects.get(pk=grid.pk).notes == ""

    fresh = Api(cast.kam, via).patch(path, {"version": saved["version"], "notes": "now saved"})
    assert fresh.status_code == 200 and fresh.json()["notes"] == "now saved"


def test_patch_validation_and_permissions(cast, book):
    grid, bank = book["grid"], book["bank"]
    path = f"{LIST}{grid.pk}"
    kam = Api(cast.kam)
    v = grid.version
    bad = kam.patch(path, {"version": v, "credit_code": "123", "website": "not a url"})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"credit_code"}, "the service checks the code first"
    bad = kam.patch(path, {"version": v, "website": "not a url"})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"website"}
    taken = kam.patch(f"{LIST}{bank.pk}", {"version": bank.version, "name": "江苏省电网运营公司"})
    assert taken.status_code == 422 and "name" in taken.json()["errors"]
    assert kam.patch(path, {"notes": "no version"}).status_code == 422
    assert kam.patch(path, {"version": v, "region_id": 987654}).status_code == 422
    # the team manager may edit, a consultant cannot even see it
    assert Api(cast.team_lead).patch(path, {"version": v, "notes": "ok"}).status_code == 200
    assert Api(cast.consultant).patch(path, {"version": v + 1, "notes": "x"}).status_code == 404
    # so may the sales director, who manages the department
    assert Api(cast.director).patch(path, {"version": v + 1, "notes": "d"}).status_code == 200
    assert Customer.objects.get(pk=grid.pk).notes == "d"


# --- evaluations and org chart -----------------------------------------------------------------


def test_evaluations(cast, book):
    path = f"{LIST}{book['grid'].pk}/evaluations"
    body = {
        "relationship": 4,
        "needs_clarity": 3,
        "competitive_position": 4,
        "solution_fit": 5,
        "payment_ability": 4,
        "summary": "决策链清晰，预算已批。",
    }
    kam = Api(cast.kam, "token")
    response = kam.post(path, body)
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["total"] == 20 and made["evaluated_on"] == timezone.localdate().isoformat()
    assert made["evaluated_by"]["username"] == "kam"
    older = kam.post(path, {**body, "evaluated_on": "2024-03-01", "relationship": 2})
    assert older.status_code == 201
    future = kam.post(path, {**body, "evaluated_on": "2999-01-01"})
    assert future.status_code == 422 and "evaluated_on" in future.json()["errors"]
    out_of_range = kam.post(path, {**body, "solution_fit": 9})
    assert out_of_range.status_code == 422 and "solution_fit" in out_of_range.json()["errors"]
    assert Api(cast.assistant).post(path, body).status_code == 403
    listed = Api(cast.head).get(path).json()
    assert [e["id"] for e in listed] == [made["id"], older.json()["id"]], "newest first"


def test_org_chart(cast, book):
    grid = book["grid"]
    boss = contact_create(actor=cast.kam, customer=grid, data={"name": "王总", "title": "总经理"})
    cio = contact_create(
        actor=cast.kam,
        customer=grid,
        data={"name": "李工", "title": "信息中心主任", "reports_to": boss},
    )
    contact_create(actor=cast.kam, customer=grid, data={"name": "赵工", "reports_to": cio})
    contact_create(actor=cast.kam, customer=grid, data={"name": "外部顾问"})
    response = Api(cast.kam).get(f"{LIST}{grid.pk}/org-chart")
    assert response.status_code == 200
    roots = response.json()
    assert sorted(r["name"] for r in roots) == ["外部顾问", "王总"]
    top = next(r for r in roots if r["name"] == "王总")
    assert [c["name"] for c in top["children"]] == ["李工"]
    assert [c["name"] for c in top["children"][0]["children"]] == ["赵工"]
    assert Api(cast.colleague).get(f"{LIST}{grid.pk}/org-chart").status_code == 404


# --- language and auth ----------------------------------------------------------------------


@pytest.mark.parametrize("via", VIAS)
def test_errors_come_in_the_requesters_language(cast, book, via):
    path = f"{LIST}{book['grid'].pk}/grade"
    cast.kam.language = "en"
    cast.kam.save()
    english = Api(cast.kam, via).post(path, {"grade": "A", "reason": "x"}).json()["detail"]
    assert english == "Grades are set by the team manager, department head or sales director."
    chinese = Api(cast.assistant, via).post(path, {"grade": "A", "reason": "x"}).json()["detail"]
    assert chinese == "客户等级由团队主管、部门主管或销售总监设定。"
    missing = Api(cast.kam, via).get(f"{LIST}987654321").json()["detail"]
    assert missing == "Not found"
    assert Api(cast.assistant, via).get(f"{LIST}987654321").json()["detail"] == "未找到"


def test_token_and_session_answer_the_same(cast, book):
    for user in (cast.kam, cast.head, cast.outsider):
        session, token = Api(user, "session"), Api(user, "token")
        for path in (LIST, f"{LIST}{book['grid'].pk}", f"{LIST}{book['grid'].pk}/scorecard"):
            a, b = session.get(path), token.get(path)
            assert a.status_code == b.status_code, (user, path)
            assert a.json() == b.json(), (user, path)


def test_session_writes_need_the_csrf_token_and_token_writes_do_not(cast, book):
    path = f"{LIST}{book['grid'].pk}"
    body = {"version": book["grid"].version, "notes": "via the browser"}
    browser = Api(cast.kam, "session", csrf=True)
    refused = browser.patch(path, body)
    assert refused.status_code == 403
    assert Customer.objects.get(pk=book["grid"].pk).notes == ""
    secret = "k" * 32  # the browser's CSRF cookie, echoed in the header as the pages do
    browser.client.cookies["csrftoken"] = secret
    accepted = browser.patch(path, body, **{"X-CSRFToken": secret})
    assert accepted.status_code == 200, accepted.content
    script = Api(cast.kam, "token", csrf=True)
    response = script.patch(path, {"version": accepted.json()["version"], "notes": "via a script"})
    assert response.status_code == 200
    assert Customer.objects.get(pk=book["grid"].pk).notes == "via a script"


def test_a_revoked_or_unknown_token_is_401(cast, book):
    api = Api(cast.kam, "token")
    assert api.get(LIST).status_code == 200
    for token in ApiToken.objects.filter(user=cast.kam):
        api_token_revoke(actor=cast.kam, token=token)
    assert api.get(LIST).status_code == 401
    stranger = Api(None)
    stranger.client.defaults["HTTP_AUTHORIZATION"] = "Bearer ka_not-a-token"
    assert stranger.get(LIST).status_code == 401
