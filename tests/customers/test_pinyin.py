"""Customers by pinyin (issue 8 §4): the KA list sorts by pinyin, not by code point, and finds
a customer by its full pinyin, its initials or both mixed with characters; the keys follow the
name through the services, the import and the data migration that fills them for old rows."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyaccount.core import pinyin
from keyaccount.core.pinyin_backfill import backfill
from keyaccount.customers import services
from keyaccount.customers.filters import CustomerFilters
from keyaccount.customers.models import Customer
from keyaccount.customers.selectors import customer_list

from ..api_support import Api, registered
from ..transfer.test_import import CUSTOMER_HEADER, code, commit, preview, xlsx

#: In code point order (上 < 京 < 保 < 安 < 杭 < 重 < 钱), which is not how anyone reads them.
NAMES = {
    "shanghai": "上海电力有限公司",
    "jingji": "京畿电网运营有限公司",
    "baoding": "保定新能源有限公司",
    "anhui": "安徽能源集团有限公司",
    "hangzhou": "杭州湾跨海大桥建设有限公司",
    "chongqing": "重庆银行股份有限公司",
    "qiantang": "钱塘江水务有限公司",
}
#: By pinyin: ān, bǎo, chóng (重庆, not zhòng), háng, jīng, qián, shàng.
BY_PINYIN = ["anhui", "baoding", "chongqing", "hangzhou", "jingji", "qiantang", "shanghai"]


@pytest.fixture
def book(cast) -> dict[str, Customer]:
    return {key: registered(cast.kam, cast.assistant, name) for key, name in NAMES.items()}


def listed(book, user, **filters) -> list[str]:
    by_pk = {c.pk: key for key, c in book.items()}
    return [by_pk[c.pk] for c in customer_list(user=user, filters=CustomerFilters(**filters))]


# --- the keys -------------------------------------------------------------------------------


def test_registering_derives_the_pinyin_keys(cast):
    customer = registered(cast.kam, cast.assistant, "  重庆银行   股份有限公司 ")
    assert customer.name == "重庆银行 股份有限公司"
    assert (customer.pinyin_sort, customer.pinyin_full, customer.pinyin) == (
        "chong2qing4yin2hang2gu3fen4you3xian4gong1si1",
        "chongqingyinhanggufenyouxiangongsi",
        "cqyhgfyxgs",
    )


def test_a_rename_moves_the_keys_with_the_name(cast):
    customer = registered(cast.kam, cast.assistant, "上海电力有限公司")
    services.customer_update(
        actor=cast.kam,
        customer=customer,
        data={"name": "安徽能源有限公司"},
        expected_version=customer.version,
    )
    customer.refresh_from_db()
    assert (customer.pinyin_sort, customer.pinyin_full, customer.pinyin) == pinyin.keys(
        "安徽能源有限公司"
    )
    assert customer.pinyin_full == "anhuinengyuanyouxiangongsi"


def test_the_import_keeps_the_keys_of_what_it_creates_and_renames(cast):
    renamed = registered(cast.kam, cast.assistant, "江苏电力甲有限公司", credit_code=code(31))
    data = xlsx(
        {
            "客户档案": [
                CUSTOMER_HEADER,
                ["钱塘江水务有限公司", code(32)],  # new
                ["杭州湾跨海大桥建设有限公司", code(31)],  # same code: a rename
            ]
        }
    )
    assert commit(cast.kam, preview(cast.kam, data)).committed
    created = Customer.objects.get(credit_code=code(32))
    assert (created.pinyin_sort, created.pinyin_full, created.pinyin) == pinyin.keys(created.name)
    assert created.pinyin_full == "qiantangjiangshuiwuyouxiangongsi"
    renamed.refresh_from_db()
    assert renamed.name == "杭州湾跨海大桥建设有限公司"
    assert (renamed.pinyin_sort, renamed.pinyin_full, renamed.pinyin) == pinyin.keys(renamed.name)


# --- sorting --------------------------------------------------------------------------------


def test_the_ka_list_sorts_by_pinyin_not_by_code_point(cast, book):
    assert sorted(NAMES, key=NAMES.__getitem__) != BY_PINYIN  # what sorting by name did
    assert listed(book, cast.head) == BY_PINYIN  # "name" is the default order
    assert listed(book, cast.head, sort="name") == BY_PINYIN
    assert listed(book, cast.head, sort="-name") == BY_PINYIN[::-1]


def test_equal_names_keep_a_stable_order_by_id(cast):
    # 江苏 and 姜苏 read alike (jiāng sū): the id decides, on every database
    first = registered(cast.kam, cast.assistant, "江苏华扬有限公司")
    second = registered(cast.kam, cast.assistant, "姜苏华扬有限公司")
    assert first.pinyin_sort == second.pinyin_sort
    ids = [c.pk for c in customer_list(user=cast.head, filters=CustomerFilters(sort="name"))]
    assert ids == [first.pk, second.pk]
    ids = [c.pk for c in customer_list(user=cast.head, filters=CustomerFilters(sort="-name"))]
    assert ids == [second.pk, first.pk]


def test_the_api_and_the_page_list_in_pinyin_order(cast, client_for, book):
    items = Api(cast.head).get("/api/customers/", {"sort": "name"}).json()["items"]
    assert [i["name"] for i in items] == [NAMES[k] for k in BY_PINYIN]
    page = client_for(cast.head).get("/customers/?sort=-name")
    assert [c.name for c in page.context["page"].object_list] == [NAMES[k] for k in BY_PINYIN[::-1]]


# --- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("qiantang", ["qiantang"]),  # full pinyin
        ("QianTang", ["qiantang"]),
        ("qian tang", ["qiantang"]),  # spaces typed between syllables do not count
        ("jiangshuiwu", ["qiantang"]),  # inside the name
        ("chongqing", ["chongqing"]),  # polyphonic: 重庆 is chóngqìng
        ("hai", ["hangzhou", "shanghai"]),  # 跨海 kuà hǎi, 上海 shàng hǎi
        ("qtjsw", ["qiantang"]),  # initials
        ("jjdw", ["jingji"]),
        ("杭州wan", ["hangzhou"]),  # characters and pinyin mixed
        ("钱塘jiang", ["qiantang"]),
        ("杭州", ["hangzhou"]),  # characters: the name as typed
        ("能源", ["anhui", "baoding"]),
        ("zzz", []),
    ],
)
def test_the_ka_list_finds_by_full_pinyin_initials_or_mixed_input(cast, book, q, expected):
    assert listed(book, cast.head, q=q) == expected


def test_characters_alone_do_not_match_by_their_sound(cast, book):
    # 安 is ān: matched by sound it would find 上海 (shàng), 杭州湾 (wān) and 建设 (jiàn) too
    assert listed(book, cast.head, q="安") == ["anhui"]
    assert listed(book, cast.head, q="姜苏") == []  # a homophone of no name here


def test_pinyin_search_stays_inside_what_the_user_sees(cast, book):
    assert listed(book, cast.colleague, q="qiantang") == []
    assert listed(book, cast.kam, q="qiantang") == ["qiantang"]


def test_the_api_searches_by_full_pinyin(cast, book):
    items = Api(cast.head).get("/api/customers/", {"q": "baoding"}).json()["items"]
    assert [i["id"] for i in items] == [book["baoding"].pk]


def test_the_list_page_searches_by_mixed_input(cast, client_for, book):
    page = client_for(cast.head).get("/customers/", {"q": "杭州wan"})
    assert [c.pk for c in page.context["page"].object_list] == [book["hangzhou"].pk]


# --- the data migration ---------------------------------------------------------------------

MIGRATION = "keyaccount.customers.migrations.0006_fill_pinyin_keys"


def schema_editor():
    return SimpleNamespace(connection=connection)


def test_the_migration_fills_the_keys_of_customers_written_before(cast, book):
    Customer.objects.update(pinyin="", pinyin_full="", pinyin_sort="")  # as old rows were
    importlib.import_module(MIGRATION).forwards(django_apps, schema_editor())
    for customer in Customer.objects.all():
        assert (customer.pinyin_sort, customer.pinyin_full, customer.pinyin) == pinyin.keys(
            customer.name
        ), customer.name
    assert listed(book, cast.head) == BY_PINYIN


def test_the_migration_writes_in_chunks_two_statements_each(cast, book):
    Customer.objects.update(pinyin_sort="")
    with CaptureQueriesContext(connection) as queries:
        done = backfill(Customer, columns=("name",), chunk=3)
    assert done == 7
    # chunks of 3, 3 and 1, each read and written by one statement, and the read that ends it
    statements = [q["sql"].lstrip().split()[0].upper() for q in queries.captured_queries]
    assert statements == ["SELECT", "UPDATE"] * 3 + ["SELECT"]
    assert listed(book, cast.head) == BY_PINYIN


def test_the_migration_leaves_an_empty_table_alone(db):
    assert backfill(Customer, columns=("name",)) == 0
