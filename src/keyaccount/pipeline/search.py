"""Deal search through an index, on SQLite and on PostgreSQL.

What the list's search box finds: deals whose name or products hold the text, and every deal
of a customer the text finds (by name, short name, pinyin, the name without its legal form, or
the start of the credit code: ``customers.selectors.matching``). Asked as one ``OR`` across
the join to customers, the database reads every visible deal with its customer; asked here, it
is two index lookups whose ids the visibility rule then narrows:

- the deal's own text through a trigram index: an FTS5 table with the trigram tokenizer on
  SQLite (``pipeline_opportunity_fts``, kept by triggers), ``pg_trgm`` GIN indexes on
  PostgreSQL (on ``UPPER(column)``, the expression Django's ``icontains`` compares);
- the customers matched first (20,000 rows, their own keys), their deals through the
  ``(customer, status)`` index.

A trigram index needs three characters; shorter text (``江苏``) is compared row by row, as
before. SQLite drops a table's triggers when a migration rebuilds the table, so
``ensure_index`` runs after every ``migrate`` (``apps.py``) and puts back what is missing.
"""

from typing import Any

from django.db import connection as default_connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from keyaccount.customers.models import Customer
from keyaccount.customers.selectors import matching as customers_matching

from .models import Opportunity

FTS = "pipeline_opportunity_fts"
TABLE = "pipeline_opportunity"
#: a trigram index finds text of at least this many characters
MIN_INDEXED = 3
#: up to this many matched customers are passed as a list, beyond it as a subquery
CUSTOMER_LIST = 5000

TRIGGERS = {
    "pipeline_opportunity_fts_ai": """
        CREATE TRIGGER IF NOT EXISTS pipeline_opportunity_fts_ai
        AFTER INSERT ON pipeline_opportunity BEGIN
            INSERT INTO pipeline_opportunity_fts(rowid, name, products)
            VALUES (new.id, new.name, new.products);
        END""",
    "pipeline_opportunity_fts_ad": """
        CREATE TRIGGER IF NOT EXISTS pipeline_opportunity_fts_ad
        AFTER DELETE ON pipeline_opportunity BEGIN
            INSERT INTO pipeline_opportunity_fts(pipeline_opportunity_fts, rowid, name, products)
            VALUES ('delete', old.id, old.name, old.products);
        END""",
    "pipeline_opportunity_fts_au": """
        CREATE TRIGGER IF NOT EXISTS pipeline_opportunity_fts_au
        AFTER UPDATE OF name, products ON pipeline_opportunity BEGIN
            INSERT INTO pipeline_opportunity_fts(pipeline_opportunity_fts, rowid, name, products)
            VALUES ('delete', old.id, old.name, old.products);
            INSERT INTO pipeline_opportunity_fts(rowid, name, products)
            VALUES (new.id, new.name, new.products);
        END""",
}
CREATE_FTS = (
    "CREATE VIRTUAL TABLE pipeline_opportunity_fts USING fts5(name, products, "
    "content='pipeline_opportunity', content_rowid='id', tokenize='trigram')"
)
REBUILD_FTS = "INSERT INTO pipeline_opportunity_fts(pipeline_opportunity_fts) VALUES ('rebuild')"
MATCH_FTS = "SELECT rowid FROM pipeline_opportunity_fts WHERE pipeline_opportunity_fts MATCH %s"

POSTGRES_INDEXES = {
    "opp_name_trgm": f"CREATE INDEX IF NOT EXISTS opp_name_trgm ON {TABLE} USING gin "
    '(UPPER("name"::text) gin_trgm_ops)',
    "opp_products_trgm": f"CREATE INDEX IF NOT EXISTS opp_products_trgm ON {TABLE} USING gin "
    '(UPPER("products"::text) gin_trgm_ops)',
}


def ensure_index(connection: Any = default_connection) -> bool:
    """Create the search index where it is missing (and fill it). True if anything was made."""
    if connection.vendor == "sqlite":
        return _ensure_sqlite(connection)
    if connection.vendor == "postgresql":
        return _ensure_postgres(connection)
    return False


def _ensure_sqlite(connection: Any) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = %s OR (type = 'trigger' AND name IN "
            "(%s, %s, %s))",
            [FTS, *TRIGGERS],
        )
        present = {row[0] for row in cursor.fetchall()}
        if present >= {FTS, *TRIGGERS}:
            return False
        if FTS not in present:
            cursor.execute(CREATE_FTS)
        for name, sql in TRIGGERS.items():
            if name not in present:
                cursor.execute(sql)
        # the rows written while a trigger was missing are in the table, not the index
        cursor.execute(REBUILD_FTS)
    return True


def _ensure_postgres(connection: Any) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname = ANY(%s)",
            [TABLE, list(POSTGRES_INDEXES)],
        )
        present = {row[0] for row in cursor.fetchall()}
        if present >= set(POSTGRES_INDEXES):
            return False
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, sql in POSTGRES_INDEXES.items():
            if name not in present:
                cursor.execute(sql)
    return True


def drop_index(connection: Any = default_connection) -> None:
    """Remove the search index (the migration's reverse)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS pipeline_opportunity_fts_ai")
            cursor.execute("DROP TRIGGER IF EXISTS pipeline_opportunity_fts_ad")
            cursor.execute("DROP TRIGGER IF EXISTS pipeline_opportunity_fts_au")
            cursor.execute("DROP TABLE IF EXISTS pipeline_opportunity_fts")
        elif connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS opp_name_trgm")
            cursor.execute("DROP INDEX IF EXISTS opp_products_trgm")


def _phrase(text: str) -> str:
    """``text`` as one FTS5 phrase: double quotes doubled, nothing read as query syntax."""
    return '"' + text.replace('"', '""') + '"'


def deal_text(text: str) -> Q:
    """Deals whose name or products hold ``text`` (case-insensitive for Latin letters)."""
    if default_connection.vendor == "sqlite" and len(text) >= MIN_INDEXED:
        found = RawSQL(MATCH_FTS, [_phrase(text)])  # noqa: S611 (a constant; text is a parameter)
        return Q(pk__in=found)
    return Q(name__icontains=text) | Q(products__icontains=text)


def matching(text: str) -> Q:
    """The deals the search box finds for ``text`` (see the module's docstring): one set of
    ids, the union of two index lookups, that the list then narrows (an ``OR`` of the two
    would make the database test every visible deal against both)."""
    text = text.strip()
    if not text:
        return Q()
    customers = Customer.objects.filter(customers_matching(text)).order_by()
    ids = list(customers.values_list("pk", flat=True)[: CUSTOMER_LIST + 1])
    deals = Opportunity.objects.order_by()
    if len(ids) > CUSTOMER_LIST:
        by_customer = deals.filter(customer_id__in=customers.values("pk"))
    else:
        by_customer = deals.filter(customer_id__in=ids)
    by_text = deals.filter(deal_text(text))
    return Q(pk__in=by_text.values("pk").union(by_customer.values("pk")))
