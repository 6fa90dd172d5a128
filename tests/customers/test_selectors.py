"""The KA list (customer_list): visibility per role, every filter and sort, a constant number of
queries; the duplicate check across owners."""

from dataclasses import dataclass, fields
from decimal import Decimal

import pytest
from django.utils import translation

from keyaccount.customers import rules, services
from keyaccount.customers.filters import CustomerFilters
from keyaccount.customers.models import Customer, RegistrationStatus, ScoringFactor
from keyaccount.customers.selectors import (
    DuplicateView,
    customer_list,
    find_likely_duplicates,
    registration_queue,
)
from keyaccount.org.models import Industry, Region


def code(n: int) -> str:
    body = f"91320000{n:09d}"
    return body + rules.credit_code_check_char(body)


def scores(value: int) -> dict[str, tuple[int, str]]:
    codes = ScoringFactor.objects.filter(is_active=True).values_list("code", flat=True)
    return dict.fromkeys(codes, (value, "依据拜访记录"))


@dataclass
class Book:
    jiangsu: Customer  # kam, 江苏, 电网, A (80)
    jinling: Customer  # kam, 江苏, 银行, C (60)
    qiantang: Customer  # colleague, 浙江, 银行, pending, unscored
    jibei: Customer  # north_kam, 河北, 发电, B (100, graded down)
    market: Customer  # outsider (marketing), 广东, 电信

    def names(self, customers) -> list[str]:
        by_pk = {getattr(self, f.name).pk: f.name for f in fields(self)}
        return [by_pk[c.pk] for c in customers]


@pytest.fixture
def book(cast) -> Book:
    region = {r.code: r for r in Region.objects.all()}
    industry = {i.code: i for i in Industry.objects.all()}

    def add(actor, name, *, approve_by=None, **data):
        result = services.registration_request(
            actor=actor, data={"name": name, **data}, confirm_not_duplicate=True
        )
        if approve_by is not None:
            services.registration_decide(actor=approve_by, request=result.request, approve=True)
        return Customer.objects.get(pk=result.request.customer_id)

    jiangsu = add(
        cast.kam, "江苏省电网运营有限公司", approve_by=cast.assistant, short_name="江苏电网",
        credit_code=code(1), region=region["CN-JS"], industry=industry["power-grid"],
        revenue=Decimal("420000000000.00"),
    )  # fmt: skip
    jinling = add(
        cast.kam, "金陵商业银行股份有限公司", approve_by=cast.assistant, credit_code=code(2),
        region=region["CN-JS"], industry=industry["banking"], revenue=Decimal("42000000000.00"),
    )  # fmt: skip
    qiantang = add(
        cast.colleague, "钱塘城市商业银行股份有限公司", credit_code=code(3),
        region=region["CN-ZJ"], industry=industry["banking"],
    )  # fmt: skip
    jibei = add(
        cast.north_kam, "冀北电力有限公司", approve_by=cast.assistant, credit_code=code(4),
        region=region["CN-HE"], industry=industry["power-generation"],
        revenue=Decimal("130000000000.00"),
    )  # fmt: skip
    market = add(
        cast.outsider, "岭南电信有限公司", approve_by=cast.admin, region=region["CN-GD"],
        industry=industry["telecom"],
    )  # fmt: skip
    services.scores_save(actor=cast.kam, customer=jiangsu, scores=scores(4))
    services.grade_set(actor=cast.team_lead, customer=jiangsu, grade="A")
    services.scores_save(actor=cast.kam, customer=jinling, scores=scores(3))
    services.grade_set(actor=cast.team_lead, customer=jinling, grade="C")
    services.scores_save(actor=cast.north_kam, customer=jibei, scores=scores(5))
    services.grade_set(actor=cast.head, customer=jibei, grade="B", reason="煤电转型，预算不确定")
    return Book(jiangsu, jinling, qiantang, jibei, market)


def listed(book, user, **filters) -> list[str]:
    return book.names(customer_list(user=user, filters=CustomerFilters(**filters)))


def test_the_book_is_what_the_tests_assume(book):
    assert [
        (c.status, c.grade, c.score)
        for c in Customer.objects.filter(
            pk__in=[book.jiangsu.pk, book.jinling.pk, book.jibei.pk]
        ).order_by("pk")
    ] == [
        ("registered", "A", Decimal("80.0")),
        ("registered", "C", Decimal("60.0")),
        ("registered", "B", Decimal("100.0")),
    ]
    assert Customer.objects.get(pk=book.qiantang.pk).status == RegistrationStatus.PENDING


# --- visibility -----------------------------------------------------------------------

DEPARTMENT = ["jibei", "jiangsu", "jinling", "qiantang"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("kam", ["jiangsu", "jinling"]),
        ("colleague", ["qiantang"]),
        ("north_kam", ["jibei"]),
        ("team_lead", ["jiangsu", "jinling", "qiantang"]),
        ("consultant", []),
        ("account_manager", []),
        ("head", DEPARTMENT),
        ("director", DEPARTMENT),
        ("assistant", DEPARTMENT),
        # by pinyin: 冀 jì < 江 jiāng < 金 jīn < 岭 lǐng < 钱 qián (code points: 冀 < 岭 < 江)
        ("admin", ["jibei", "jiangsu", "jinling", "market", "qiantang"]),
        ("outsider", ["market"]),
    ],
)
def test_each_role_sees_exactly_its_customers(cast, book, role, expected):
    assert listed(book, getattr(cast, role)) == expected


def test_the_role_table_covers_the_whole_cast(cast):
    params = test_each_role_sees_exactly_its_customers.pytestmark[0].args[1]
    assert {role for role, _expected in params} == set(cast.roles())


def test_anonymous_and_inactive_users_see_no_customer(cast, book):
    assert listed(book, None) == []
    cast.head.is_active = False
    cast.head.save()
    assert listed(book, cast.head) == []


def test_a_filter_never_widens_what_a_user_sees(cast, book):
    assert listed(book, cast.kam, owner=cast.north_kam.pk) == []
    assert listed(book, cast.kam, team=cast.ka_dept.pk) == ["jiangsu", "jinling"]
    assert listed(book, cast.head, team=cast.marketing.pk) == []
    assert listed(book, cast.outsider, q="电网") == []


# --- filters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("电网", ["jiangsu"]),
        ("江苏电网", ["jiangsu"]),  # short name
        ("江苏省电网运营有限公司", ["jiangsu"]),  # full name
        ("江苏省 电网运营（集团）", ["jiangsu"]),  # normalised name
        ("商业银行", ["jinling", "qiantang"]),
        ("jssdw", ["jiangsu"]),  # pinyin initials, prefix
        ("JSSDW", ["jiangsu"]),
        ("cssy", ["qiantang"]),  # pinyin initials, inside
        ("jbdl", ["jibei"]),
        ("zzz", []),
    ],
)
def test_q_searches_name_short_name_and_pinyin_initials(cast, book, q, expected):
    assert listed(book, cast.head, q=q) == expected


def test_q_finds_a_credit_code_by_its_prefix(cast, book):
    assert listed(book, cast.head, q=code(2)[:17]) == ["jinling"]
    assert listed(book, cast.head, q=code(2).lower()) == ["jinling"]
    assert listed(book, cast.head, q=" " + code(4)[:17] + " ") == ["jibei"]


@pytest.mark.parametrize(
    ("grades", "expected"),
    [
        (["A"], ["jiangsu"]),
        (["A", "B"], ["jibei", "jiangsu"]),
        (["none"], ["qiantang"]),
        (["C", "none"], ["jinling", "qiantang"]),
        (["D"], []),
        (["X"], []),
        ([], DEPARTMENT),
    ],
)
def test_filter_by_grade_including_no_grade(cast, book, grades, expected):
    assert listed(book, cast.head, grades=grades) == expected


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("CN-JS", ["jiangsu", "jinling"]),
        ("CN-E", ["jiangsu", "jinling", "qiantang"]),  # a sales region: its provinces
        ("CN-N", ["jibei"]),
        ("CN", DEPARTMENT),  # the country: everything below it
        ("EU", []),
    ],
)
def test_filter_by_region_includes_the_provinces_below(cast, book, region, expected):
    region_id = Region.objects.get(code=region).pk
    assert listed(book, cast.head, region=region_id) == expected


@pytest.mark.parametrize(
    ("industry", "expected"),
    [
        ("power", ["jibei", "jiangsu"]),  # 电力: 电网 and 发电
        ("power-grid", ["jiangsu"]),
        ("finance", ["jinling", "qiantang"]),
        ("banking", ["jinling", "qiantang"]),
        ("telecom", []),
    ],
)
def test_filter_by_industry_includes_its_children(cast, book, industry, expected):
    industry_id = Industry.objects.get(code=industry).pk
    assert listed(book, cast.head, industry=industry_id) == expected


def test_filter_by_owner(cast, book):
    assert listed(book, cast.head, owner=cast.kam.pk) == ["jiangsu", "jinling"]
    assert listed(book, cast.head, owner=cast.colleague.pk) == ["qiantang"]


def test_filter_by_team_includes_the_units_below(cast, book):
    assert listed(book, cast.head, team=cast.east.pk) == ["jiangsu", "jinling", "qiantang"]
    assert listed(book, cast.head, team=cast.north.pk) == ["jibei"]
    assert listed(book, cast.head, team=cast.ka_dept.pk) == DEPARTMENT


def test_filter_by_registration_status(cast, book):
    assert listed(book, cast.head, status="pending") == ["qiantang"]
    assert listed(book, cast.head, status="registered") == ["jibei", "jiangsu", "jinling"]
    assert listed(book, cast.head, status="rejected") == []
    assert listed(book, cast.head, status="bogus") == DEPARTMENT


def test_filter_by_score_range_inclusive(cast, book):
    assert listed(book, cast.head, score_min=Decimal(80)) == ["jibei", "jiangsu"]
    assert listed(book, cast.head, score_max=Decimal(80)) == ["jiangsu", "jinling"]
    assert listed(book, cast.head, score_min=Decimal(61), score_max=Decimal(99)) == ["jiangsu"]


def test_filters_combine(cast, book):
    assert listed(book, cast.head, industry=Industry.objects.get(code="banking").pk,
                  status="registered", q="银行") == ["jinling"]  # fmt: skip


# --- sorting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["jibei", "jiangsu", "jinling", "qiantang"]),
        ("-name", ["qiantang", "jinling", "jiangsu", "jibei"]),
        ("score", ["jinling", "jiangsu", "jibei", "qiantang"]),  # unscored last
        ("-score", ["jibei", "jiangsu", "jinling", "qiantang"]),  # unscored last
        ("grade", ["jiangsu", "jibei", "jinling", "qiantang"]),  # A first, ungraded last
        ("-grade", ["jinling", "jibei", "jiangsu", "qiantang"]),  # ungraded last
        ("revenue", ["jinling", "jibei", "jiangsu", "qiantang"]),  # no revenue last
        ("-revenue", ["jiangsu", "jibei", "jinling", "qiantang"]),
        ("bogus", ["jibei", "jiangsu", "jinling", "qiantang"]),  # falls back to name
    ],
)
def test_sort_keys(cast, book, sort, expected):
    assert listed(book, cast.head, sort=sort) == expected


def test_sort_by_update_time(cast, book):
    services.customer_update(
        actor=cast.kam, customer=book.jinling, data={"address": "南京"},
        expected_version=book.jinling.version,
    )  # fmt: skip
    assert listed(book, cast.head, sort="-updated")[0] == "jinling"
    assert listed(book, cast.head, sort="updated")[-1] == "jinling"


# --- query count ----------------------------------------------------------------------


def make_customers(cast, n: int) -> None:
    owners = [cast.kam, cast.colleague, cast.north_kam]
    region = Region.objects.get(code="CN-JS")
    industry = Industry.objects.get(code="banking")
    batch = []
    for i in range(n):
        owner = owners[i % 3]  # owner_unit: bulk_create skips save(), which keeps it
        c = Customer(
            name=f"测试客户{i:03d}号有限公司", owner=owner, owner_unit=owner.unit, region=region,
            industry=industry, status=RegistrationStatus.REGISTERED,
        )  # fmt: skip
        services.refresh_keys(c)
        batch.append(c)
    Customer.objects.bulk_create(batch)


def render_rows(user) -> list[tuple[str, str, str, str]]:
    return [
        (c.name, str(c.region), str(c.industry), str(c.owner.unit))
        for c in customer_list(user=user, filters=CustomerFilters(q="测试", sort="-score"))
    ]


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_runs_a_constant_number_of_queries(cast, django_assert_num_queries, n):
    make_customers(cast, n)
    # scope: roles and managed units, the org tree; then the list itself
    with django_assert_num_queries(3):
        rows = render_rows(cast.head)
    assert len(rows) == n
    assert rows[0][1:] == ("江苏", "银行", "华东团队")


# --- likely duplicates ----------------------------------------------------------------


def test_the_duplicate_check_looks_across_owners_and_shows_identity_and_owner_only(cast, book):
    cast.north_kam.display_name = "赵强"
    cast.north_kam.save()
    assert listed(book, cast.kam) == ["jiangsu", "jinling"]  # jibei is not visible to the KAM

    with translation.override("en"):
        found = find_likely_duplicates(name="冀北电力股份有限公司", credit_code="")

    assert found == [
        DuplicateView(
            id=book.jibei.pk,
            name="冀北电力有限公司",
            owner_name="赵强",
            status="registered",
            status_label="Registered",
            reason="same_name",
            reason_label="same name (ignoring legal form, width and spaces)",
            similarity=1.0,
        )
    ]
    assert {f.name for f in fields(DuplicateView)} == {
        "id", "name", "owner_name", "status", "status_label", "reason", "reason_label",
        "similarity",
    }  # fmt: skip
    assert found[0].exact is True
    assert found[0].as_json() == {
        "id": book.jibei.pk,
        "name": "冀北电力有限公司",
        "reason": "same_name",
        "similarity": 1.0,
    }


def test_the_duplicate_check_orders_matches_and_skips_other_provinces(cast, book):
    found = find_likely_duplicates(name="江苏电网运营公司", credit_code=code(2))
    assert [(d.id, d.reason, d.exact) for d in found] == [
        (book.jinling.pk, "credit_code", True),
        (book.jiangsu.pk, "same_core_name", False),
    ]
    assert find_likely_duplicates(name="浙江省电网运营有限公司", credit_code="") == []


def test_the_duplicate_check_ignores_rejected_requests_and_the_customer_itself(cast, book):
    request = book.qiantang.registrations.get()
    services.registration_decide(
        actor=cast.assistant, request=request, approve=False, reason="重复"
    )
    assert find_likely_duplicates(name="钱塘城市商业银行", credit_code=code(3)) == []
    found = find_likely_duplicates(
        name="江苏省电网运营有限公司", credit_code=code(1), exclude_id=book.jiangsu.pk
    )
    assert found == []


# --- registration queue ---------------------------------------------------------------


def test_the_registration_queue_follows_visibility(cast, book):
    pending = services.registration_request(
        actor=cast.north_kam, data={"name": "燕山农村商业银行股份有限公司"}
    ).request
    assert [r.customer.name for r in registration_queue(user=cast.assistant)] == [
        "钱塘城市商业银行股份有限公司",
        pending.customer.name,
    ]
    assert list(registration_queue(user=cast.kam)) == []
    assert list(registration_queue(user=cast.outsider)) == []
    assert [r.pk for r in registration_queue(user=cast.north_kam)] == [pending.pk]
