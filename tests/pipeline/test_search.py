"""Deal search through its index (``pipeline.search``): what it finds, text that could be read
as query syntax, an index that follows edits and deletions, and comes back when a migration
has dropped it."""

from decimal import Decimal

import pytest
from django.db import connection

from keyaccount.customers.models import Customer
from keyaccount.pipeline import search, selectors, services
from keyaccount.pipeline.models import Opportunity
from keyaccount.pipeline.selectors import OpportunityFilters
from tests.pipeline_support import make_opportunity, registered_customer


@pytest.fixture
def deals(cast):
    js = registered_customer(owner=cast.kam, assistant=cast.assistant, name="江苏省电力有限公司")
    zj = registered_customer(
        owner=cast.kam, assistant=cast.assistant, name="浙江商业银行", contacts=0
    )
    Customer.objects.filter(pk=zj.pk).update(credit_code="91330000MA27XYZ12K")
    made = {
        "scada": make_opportunity(
            owner=cast.kam, customer=js, name="调度自动化系统升级", products="SCADA 主站"
        ),
        "core": make_opportunity(owner=cast.kam, customer=zj, name="核心系统国产化改造"),
        "odd": make_opportunity(
            owner=cast.kam, customer=zj, name='100% "NEAR" 项目 OR x*', amount=Decimal(1)
        ),
    }
    return made


def found(user, q: str) -> set[str]:
    qs = selectors.opportunity_list(user=user, filters=OpportunityFilters(q=q, status=""))
    return set(qs.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("自动化系", {"调度自动化系统升级"}),  # the deal's name
        ("scada", {"调度自动化系统升级"}),  # its products, any case
        ("ScAdA 主", {"调度自动化系统升级"}),
        ("江苏省电力", {"调度自动化系统升级"}),  # the customer's name
        ("jiangsu", {"调度自动化系统升级"}),  # its pinyin
        ("jssdl", {"调度自动化系统升级"}),  # its initials
        ("91330000", {"核心系统国产化改造", '100% "NEAR" 项目 OR x*'}),  # the credit code
        ("系统", {"调度自动化系统升级", "核心系统国产化改造"}),  # two characters: no index
        ("改", {"核心系统国产化改造"}),
        ("没有这个项目", set()),
    ],
)
def test_search_finds_by_name_products_customer_pinyin_and_credit_code(cast, deals, q, expected):
    assert found(cast.kam, q) == expected


@pytest.mark.parametrize("q", ['"NEAR"', "100%", "OR x*", '% "NEAR" 项', "0%"])
def test_text_that_looks_like_query_syntax_is_only_text(cast, deals, q):
    assert found(cast.kam, q) == {'100% "NEAR" 项目 OR x*'}


def test_an_unbalanced_quote_or_a_lone_operator_finds_nothing_and_fails_nothing(cast, deals):
    for q in ('"', '""', "AND", "NOT", "*", "^", "(", ")"):
        assert found(cast.kam, q) <= {'100% "NEAR" 项目 OR x*'}, q


def test_search_keeps_the_visibility_rule(cast, deals):
    assert found(cast.north_kam, "自动化系") == set()
    assert found(cast.head, "自动化系") == {"调度自动化系统升级"}


def test_the_index_follows_renames_and_deletions(cast, deals):
    opp = deals["scada"]
    services.opportunity_update(
        actor=cast.kam, opportunity=opp, data={"name": "配网主站扩容"}, expected_version=opp.version
    )
    assert found(cast.kam, "自动化系") == set()
    assert found(cast.kam, "配网主站") == {"配网主站扩容"}
    Opportunity.objects.filter(pk=deals["core"].pk).delete()
    assert found(cast.kam, "国产化") == set()


def test_the_index_dropped_by_a_migration_comes_back_with_the_rows_written_meanwhile(cast, deals):
    """SQLite drops a table's triggers when a migration rebuilds it; ``ensure_index`` (run
    after every migrate) puts back what is missing. PostgreSQL's indexes are made the same way."""
    search.drop_index(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE '%%opportunity_fts%%'"
            )
        else:
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'opp_%%_trgm'")
        assert cursor.fetchone()[0] == 0
    # written while there was no index, as after a table rebuild
    make_opportunity(owner=cast.kam, customer=deals["scada"].customer, name="变电站智能巡检")
    if connection.vendor == "postgresql":  # no index is made over the test's deferred checks
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert search.ensure_index(connection) is True
    assert search.ensure_index(connection) is False  # nothing left to make
    assert found(cast.kam, "智能巡检") == {"变电站智能巡检"}
    assert found(cast.kam, "自动化系") == {"调度自动化系统升级"}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'pipeline_opportunity_fts_%%'"
            )
            assert cursor.fetchone()[0] == 3
        else:
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'opp_%%_trgm'")
            assert cursor.fetchone()[0] == 2
