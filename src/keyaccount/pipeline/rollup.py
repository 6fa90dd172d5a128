"""Totals kept by the database: ``OpportunityRollup`` per (owner's unit, owner, status, stage,
currency), so a department's totals, its count and the board's sums add a few thousand groups
instead of reading every visible deal.

Triggers on ``pipeline_opportunity`` keep it: an insert adds its deal to its group, a delete
takes it away, an update that changes a key or an amount moves it (per row on SQLite; per
statement on PostgreSQL, the statement's rows summed per group). Every write path goes
through them — ``save``, ``QuerySet.update``, ``bulk_create``, a data migration, ``COPY`` — so
no service has to remember. Amounts are kept in cents (integers: adding and taking away never
drifts). ``drift()`` compares the groups with a ``GROUP BY`` of the deals (the tests keep it
at zero) and ``rebuild()`` recomputes them.

What it answers (``answers``): the lists filtered by status, stage, owner and team only. Any
other filter (search, region, dates, amounts, health …) is summed from the deals. The
visibility rule is the same: the groups of the user's own deals and of the units the user
sees, and the few deals the user sees only through a deal team are added from the deals
(``pipeline.aggregates.totals_for``).

SQLite drops a table's triggers when a migration rebuilds the table, so ``ensure`` runs after
every ``migrate`` (``apps.py``), puts back what is missing and then rebuilds the groups.
"""

from dataclasses import fields
from typing import Any

from django.db import connection as default_connection
from django.db.models import Count, Q, QuerySet, Sum

from .models import Opportunity, OpportunityRollup

TABLE = OpportunityRollup._meta.db_table
SOURCE = Opportunity._meta.db_table
KEY = ("unit_id", "owner_id", "status", "stage_id", "currency")

_KEY_OF = {  # rollup column: the deal's expression, for a row named ``{row}``
    "unit_id": "COALESCE({row}.owner_unit_id, 0)",
    "owner_id": "{row}.owner_id",
    "status": "{row}.status",
    "stage_id": "{row}.stage_id",
    "currency": "{row}.currency",
}
_WATCHED = ("owner_unit_id", "owner_id", "status", "stage_id", "currency", "amount", "weighted")


def _cents(row: str, column: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"ROUND({row}.{column} * 100)::bigint"
    return f"CAST(ROUND({row}.{column} * 100) AS INTEGER)"


def _match(row: str) -> str:
    return " AND ".join(f"{col} = {expr.format(row=row)}" for col, expr in _KEY_OF.items())


def _add(row: str, vendor: str) -> str:
    keys = ", ".join(expr.format(row=row) for expr in _KEY_OF.values())
    # every name here is a constant of this module (as in ``_take`` and ``rebuild``)
    return (
        f"INSERT INTO {TABLE} (unit_id, owner_id, status, stage_id, currency, n, amount, "  # noqa: S608
        f"weighted) VALUES ({keys}, 1, {_cents(row, 'amount', vendor)}, "
        f"{_cents(row, 'weighted', vendor)}) "
        f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET n = {TABLE}.n + 1, "
        f"amount = {TABLE}.amount + excluded.amount, "
        f"weighted = {TABLE}.weighted + excluded.weighted"
    )


def _take(row: str, vendor: str) -> list[str]:
    """Take the deal ``row`` out of its group; a group left empty goes. A group that is not
    there (a flush that emptied the rollup first) is left alone: nothing goes below zero."""
    return [
        f"DELETE FROM {TABLE} WHERE {_match(row)} AND n <= 1",  # noqa: S608
        f"UPDATE {TABLE} SET n = n - 1, amount = amount - {_cents(row, 'amount', vendor)}, "  # noqa: S608
        f"weighted = weighted - {_cents(row, 'weighted', vendor)} WHERE {_match(row)}",
    ]


def _changed() -> str:
    return " OR ".join(f"old.{c} IS NOT new.{c}" for c in _WATCHED)


SQLITE_TRIGGERS = {
    "pipeline_rollup_ai": (
        f"CREATE TRIGGER IF NOT EXISTS pipeline_rollup_ai AFTER INSERT ON {SOURCE} BEGIN "
        f"{_add('new', 'sqlite')}; END"
    ),
    "pipeline_rollup_ad": (
        f"CREATE TRIGGER IF NOT EXISTS pipeline_rollup_ad AFTER DELETE ON {SOURCE} BEGIN "
        + "; ".join(_take("old", "sqlite"))
        + "; END"
    ),
    "pipeline_rollup_au": (
        f"CREATE TRIGGER IF NOT EXISTS pipeline_rollup_au AFTER UPDATE OF {', '.join(_WATCHED)} "
        f"ON {SOURCE} WHEN {_changed()} BEGIN "
        + "; ".join([*_take("old", "sqlite"), _add("new", "sqlite")])
        + "; END"
    ),
}


def _pg_rows(table: str, sign: str) -> str:
    """The rows of a transition table as signed deltas of their groups."""
    keys = ", ".join(f"{expr.format(row='r')} AS {col}" for col, expr in _KEY_OF.items())
    amount, weighted = _cents("r", "amount", "postgresql"), _cents("r", "weighted", "postgresql")
    return (
        f"SELECT {keys}, {sign}1 AS n, {sign}{amount} AS a, {sign}{weighted} AS w "  # noqa: S608
        f"FROM {table} r"
    )


def _pg_apply(parts: list[str]) -> str:
    """Add the signed deltas of ``parts`` to their groups, per group once (a statement that
    writes 30,000 deals of one stage touches each group once, not 30,000 times)."""
    cols = ", ".join(KEY)
    return (
        f"INSERT INTO {TABLE} ({cols}, n, amount, weighted) "  # noqa: S608
        f"SELECT {cols}, SUM(n), SUM(a), SUM(w) FROM ({' UNION ALL '.join(parts)}) d "
        f"GROUP BY {cols} HAVING SUM(n) <> 0 OR SUM(a) <> 0 OR SUM(w) <> 0 "
        f"ON CONFLICT ({cols}) DO UPDATE SET n = {TABLE}.n + excluded.n, "
        f"amount = {TABLE}.amount + excluded.amount, "
        f"weighted = {TABLE}.weighted + excluded.weighted"
    )


def _pg_prune() -> str:
    """Groups left empty by a delete or an update go (only those the statement touched)."""
    match = " AND ".join(f"t.{col} = k.{col}" for col in KEY)
    keys = ", ".join(f"{expr.format(row='r')} AS {col}" for col, expr in _KEY_OF.items())
    return (
        f"DELETE FROM {TABLE} t USING (SELECT DISTINCT {keys} FROM old_rows r) k "  # noqa: S608
        f"WHERE {match} AND t.n <= 0"
    )


#: On PostgreSQL the triggers are per statement, with the statement's rows as transition
#: tables: a set-based update of many deals adds up its deltas once.
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION pipeline_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_pg_apply([_pg_rows("new_rows", "")])};
    ELSIF TG_OP = 'DELETE' THEN
        {_pg_apply([_pg_rows("old_rows", "-")])};
        {_pg_prune()};
    ELSE
        {_pg_apply([_pg_rows("new_rows", ""), _pg_rows("old_rows", "-")])};
        {_pg_prune()};
    END IF;
    RETURN NULL;
END $$"""
PG_TRIGGERS = {
    "pipeline_rollup_ai": f"CREATE TRIGGER pipeline_rollup_ai AFTER INSERT ON {SOURCE} "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION pipeline_rollup_apply()",
    "pipeline_rollup_ad": f"CREATE TRIGGER pipeline_rollup_ad AFTER DELETE ON {SOURCE} "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION pipeline_rollup_apply()",
    "pipeline_rollup_au": f"CREATE TRIGGER pipeline_rollup_au AFTER UPDATE ON {SOURCE} "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION pipeline_rollup_apply()",
}


def _present(cursor: Any, vendor: str) -> set[str]:
    names = list(SQLITE_TRIGGERS)
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)",
            names,
        )
    else:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)", [names]
        )
    return {row[0] for row in cursor.fetchall()}


def ensure(connection: Any = default_connection) -> bool:
    """Create the triggers that are missing, then rebuild the groups (rows written while a
    trigger was missing are in the deals, not the rollup). True if anything was made."""
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        return False
    with connection.cursor() as cursor:
        present = _present(cursor, vendor)
        if present >= set(SQLITE_TRIGGERS):
            return False
        if vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
        triggers = SQLITE_TRIGGERS if vendor == "sqlite" else PG_TRIGGERS
        for name, sql in triggers.items():
            if name not in present:
                cursor.execute(sql)
    rebuild(connection)
    return True


def drop(connection: Any = default_connection) -> None:
    """Remove the triggers (the migration's reverse)."""
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {SOURCE}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS pipeline_rollup_apply()")


def rebuild(connection: Any = default_connection) -> None:
    """Recompute every group from the deals (two statements)."""
    vendor = connection.vendor
    keys = ", ".join(expr.format(row="o") for expr in _KEY_OF.values())
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {TABLE} (unit_id, owner_id, status, stage_id, currency, n, amount, "  # noqa: S608
            f"weighted) SELECT {keys}, COUNT(*), SUM({_cents('o', 'amount', vendor)}), "
            f"SUM({_cents('o', 'weighted', vendor)}) FROM {SOURCE} o GROUP BY {keys}"
        )


def truth() -> dict[tuple[Any, ...], tuple[int, int, int]]:
    """The groups as the deals give them: key → (count, amount, weighted), in cents."""
    rows = (
        Opportunity.objects.order_by()
        .values("owner_unit_id", "owner_id", "status", "stage_id", "currency")
        .annotate(n=Count("id"), amount_sum=Sum("amount"), weighted_sum=Sum("weighted"))
    )
    return {
        (r["owner_unit_id"] or 0, r["owner_id"], r["status"], r["stage_id"], r["currency"]): (
            r["n"],
            round(r["amount_sum"] * 100),
            round(r["weighted_sum"] * 100),
        )
        for r in rows
    }


def kept() -> dict[tuple[Any, ...], tuple[int, int, int]]:
    return {
        tuple(r[:5]): tuple(r[5:])
        for r in OpportunityRollup.objects.values_list(*KEY, "n", "amount", "weighted")
    }


def drift() -> int:
    """How many groups differ from the deals (0 when the rollup is in step)."""
    a, b = truth(), kept()
    return sum(1 for key in a.keys() | b.keys() if a.get(key) != b.get(key))


#: the list filters the rollup can answer; any other set one sends the totals to the deals
ANSWERED = {"q", "status", "stages", "owner", "team", "sort"}  # q: only when blank


def answers(filters: Any) -> bool:
    """Whether the totals of ``filters`` (``selectors.OpportunityFilters``) can come from the
    groups: only status, stages, owner and team are set."""
    defaults = type(filters)()
    return (
        all(
            f.name in ANSWERED or getattr(filters, f.name) == getattr(defaults, f.name)
            for f in fields(filters)
        )
        and not filters.q.strip()
    )


def groups(
    *, scope: Any, status: str | None, stages: list[int], owner: int | None, units: Any
) -> QuerySet[OpportunityRollup]:
    """The groups of the deals ``scope`` sees by owner or unit, narrowed like the list."""
    if scope.is_empty:
        return OpportunityRollup.objects.none()
    rows = OpportunityRollup.objects.filter(n__gt=0)
    if status:
        rows = rows.filter(status=status)
    if stages:
        rows = rows.filter(stage_id__in=stages)
    if owner:
        rows = rows.filter(owner_id=owner)
    if units is not None:
        rows = rows.filter(unit_id__in=sorted(units))
    if scope.everything:
        return rows
    seen = Q(owner_id=scope.user_id)
    if scope.all_units:
        seen |= ~Q(unit_id=0)
    elif scope.unit_ids:
        seen |= Q(unit_id__in=sorted(scope.unit_ids))
    return rows.filter(seen)


def sums(rows: QuerySet[OpportunityRollup], *by: str) -> list[dict[str, Any]]:
    """The groups added up ``by`` the given keys: count, amount, weighted (in cents)."""
    return list(
        rows.order_by()
        .values(*by)
        .annotate(count=Sum("n"), amount_sum=Sum("amount"), weighted_sum=Sum("weighted"))
        .order_by(*by)
    )
