"""Totals kept by the database at two levels: ``OpportunityRollup`` per (owner's unit, owner,
status, stage, currency) and ``OpportunityUnitRollup`` per (owner's unit, status, stage,
currency), so a department's totals, its count and the board's sums add a few hundred groups
instead of reading every visible deal: the units a user sees from the unit level, their own
deals elsewhere and one person's deals from the owner level.

Triggers on ``pipeline_opportunity`` keep both: an insert adds its deal to its groups, a delete
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

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from django.db import connection as default_connection
from django.db.models import Count, Q, QuerySet, Sum

from keyaccount.core.sql import IdsIn

from .models import Opportunity, OpportunityRollup, OpportunityUnitRollup
from .models.rollup import DealGroup

SOURCE = Opportunity._meta.db_table

_KEY_OF = {  # rollup column: the deal's expression, for a row named ``{row}``
    "unit_id": "COALESCE({row}.owner_unit_id, 0)",
    "owner_id": "{row}.owner_id",
    "status": "{row}.status",
    "stage_id": "{row}.stage_id",
    "currency": "{row}.currency",
}
_WATCHED = ("owner_unit_id", "owner_id", "status", "stage_id", "currency", "amount", "weighted")


@dataclass(frozen=True)
class Level:
    """One table of groups: its model, whose key is a part of ``_KEY_OF``."""

    model: type[DealGroup]

    @property
    def key(self) -> tuple[str, ...]:
        return self.model.KEY

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def exprs(self, row: str) -> list[str]:
        return [_KEY_OF[col].format(row=row) for col in self.key]

    def aliased(self, row: str) -> str:
        """The key of the deal ``row`` as a select list named like the columns."""
        return ", ".join(f"{e} AS {c}" for c, e in zip(self.key, self.exprs(row), strict=True))


OWNER = Level(OpportunityRollup)
UNIT = Level(OpportunityUnitRollup)
LEVELS = (OWNER, UNIT)


def _cents(row: str, column: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"ROUND({row}.{column} * 100)::bigint"
    return f"CAST(ROUND({row}.{column} * 100) AS INTEGER)"


def _match(level: Level, row: str) -> str:
    return " AND ".join(f"{c} = {e}" for c, e in zip(level.key, level.exprs(row), strict=True))


def _add(level: Level, row: str, vendor: str) -> str:
    t = level.table
    # every name here is a constant of this module (as in ``_take`` and ``rebuild``)
    return (
        f"INSERT INTO {t} ({', '.join(level.key)}, n, amount, weighted) "  # noqa: S608
        f"VALUES ({', '.join(level.exprs(row))}, 1, {_cents(row, 'amount', vendor)}, "
        f"{_cents(row, 'weighted', vendor)}) "
        f"ON CONFLICT ({', '.join(level.key)}) DO UPDATE SET n = {t}.n + 1, "
        f"amount = {t}.amount + excluded.amount, weighted = {t}.weighted + excluded.weighted"
    )


def _take(level: Level, row: str, vendor: str) -> list[str]:
    """Take the deal ``row`` out of its group; a group left empty goes. A group that is not
    there (a flush that emptied the rollup first) is left alone: nothing goes below zero."""
    t = level.table
    return [
        f"DELETE FROM {t} WHERE {_match(level, row)} AND n <= 1",  # noqa: S608
        f"UPDATE {t} SET n = n - 1, amount = amount - {_cents(row, 'amount', vendor)}, "  # noqa: S608
        f"weighted = weighted - {_cents(row, 'weighted', vendor)} WHERE {_match(level, row)}",
    ]


def _changed() -> str:
    return " OR ".join(f"old.{c} IS NOT new.{c}" for c in _WATCHED)


def _body(statements: list[str]) -> str:
    return " BEGIN " + "; ".join(statements) + "; END"


SQLITE_TRIGGERS = {
    "pipeline_rollup_ai": (
        f"CREATE TRIGGER IF NOT EXISTS pipeline_rollup_ai AFTER INSERT ON {SOURCE}"
        + _body([_add(level, "new", "sqlite") for level in LEVELS])
    ),
    "pipeline_rollup_ad": (
        f"CREATE TRIGGER IF NOT EXISTS pipeline_rollup_ad AFTER DELETE ON {SOURCE}"
        + _body([s for level in LEVELS for s in _take(level, "old", "sqlite")])
    ),
    "pipeline_rollup_au": (
        f"CREATE TRIGGER IF NOT EXISTS pipeline_rollup_au AFTER UPDATE OF {', '.join(_WATCHED)} "
        f"ON {SOURCE} WHEN {_changed()}"
        + _body(
            [
                s
                for level in LEVELS
                for s in [*_take(level, "old", "sqlite"), _add(level, "new", "sqlite")]
            ]
        )
    ),
}


def _pg_rows(level: Level, table: str, sign: str) -> str:
    """The rows of a transition table as signed deltas of their groups."""
    keys = level.aliased("r")
    amount, weighted = _cents("r", "amount", "postgresql"), _cents("r", "weighted", "postgresql")
    return (
        f"SELECT {keys}, {sign}1 AS n, {sign}{amount} AS a, {sign}{weighted} AS w "  # noqa: S608
        f"FROM {table} r"
    )


def _pg_apply(level: Level, tables: list[tuple[str, str]]) -> str:
    """Add the signed deltas of the transition ``tables`` (name, sign) to their groups, per
    group once (a statement that writes 30,000 deals of one stage touches each group once, not
    30,000 times)."""
    cols, t = ", ".join(level.key), level.table
    parts = " UNION ALL ".join(_pg_rows(level, name, sign) for name, sign in tables)
    return (
        f"INSERT INTO {t} ({cols}, n, amount, weighted) "  # noqa: S608
        f"SELECT {cols}, SUM(n), SUM(a), SUM(w) FROM ({parts}) d "
        f"GROUP BY {cols} HAVING SUM(n) <> 0 OR SUM(a) <> 0 OR SUM(w) <> 0 "
        f"ON CONFLICT ({cols}) DO UPDATE SET n = {t}.n + excluded.n, "
        f"amount = {t}.amount + excluded.amount, weighted = {t}.weighted + excluded.weighted"
    )


def _pg_prune(level: Level) -> str:
    """Groups left empty by a delete or an update go (only those the statement touched)."""
    match = " AND ".join(f"t.{col} = k.{col}" for col in level.key)
    keys = level.aliased("r")
    return (
        f"DELETE FROM {level.table} t USING (SELECT DISTINCT {keys} FROM old_rows r) k "  # noqa: S608
        f"WHERE {match} AND t.n <= 0"
    )


def _pg_each(make: Callable[[Level], str]) -> str:
    return ";\n        ".join(make(level) for level in LEVELS)


NEW, OLD = ("new_rows", ""), ("old_rows", "-")

#: On PostgreSQL the triggers are per statement, with the statement's rows as transition
#: tables: a set-based update of many deals adds up its deltas once.
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION pipeline_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_pg_each(lambda level: _pg_apply(level, [NEW]))};
    ELSIF TG_OP = 'DELETE' THEN
        {_pg_each(lambda level: _pg_apply(level, [OLD]))};
        {_pg_each(_pg_prune)};
    ELSE
        {_pg_each(lambda level: _pg_apply(level, [NEW, OLD]))};
        {_pg_each(_pg_prune)};
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
    """Recompute every group of both levels from the deals (two statements each)."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for level in LEVELS:
            keys = ", ".join(level.exprs("o"))
            cursor.execute(f"DELETE FROM {level.table}")  # noqa: S608
            cursor.execute(
                f"INSERT INTO {level.table} ({', '.join(level.key)}, n, amount, weighted) "  # noqa: S608
                f"SELECT {keys}, COUNT(*), SUM({_cents('o', 'amount', vendor)}), "
                f"SUM({_cents('o', 'weighted', vendor)}) FROM {SOURCE} o GROUP BY {keys}"
            )


def truth(level: Level = OWNER) -> dict[tuple[Any, ...], tuple[int, int, int]]:
    """The groups of ``level`` as the deals give them: key → (count, amount, weighted), in
    cents."""
    field_of = {"unit_id": "owner_unit_id"}
    by = [field_of.get(col, col) for col in level.key]
    rows = (
        Opportunity.objects.order_by()
        .values(*by)
        .annotate(n=Count("id"), amount_sum=Sum("amount"), weighted_sum=Sum("weighted"))
    )
    return {
        tuple(r[f] or 0 if f == "owner_unit_id" else r[f] for f in by): (
            r["n"],
            round(r["amount_sum"] * 100),
            round(r["weighted_sum"] * 100),
        )
        for r in rows
    }


def kept(level: Level = OWNER) -> dict[tuple[Any, ...], tuple[int, int, int]]:
    width = len(level.key)
    return {
        tuple(r[:width]): tuple(r[width:])
        for r in level.model._default_manager.values_list(*level.key, "n", "amount", "weighted")
    }


def drift() -> int:
    """How many groups of either level differ from the deals (0 when the rollup is in step)."""
    total = 0
    for level in LEVELS:
        a, b = truth(level), kept(level)
        total += sum(1 for key in a.keys() | b.keys() if a.get(key) != b.get(key))
    return total


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


def sums(
    *,
    scope: Any,
    status: str | None,
    stages: list[int],
    owner: int | None,
    units: set[int] | None,
    by: tuple[str, ...],
) -> list[dict[str, Any]]:
    """Count, amount and weighted amount (in cents) ``by`` the given keys of the deals
    ``scope`` sees by owner or unit, narrowed like the list (``units``: the team filter). The
    units a user sees come from the unit-level groups, their own deals outside those units
    from the owner-level ones, one person's deals (``owner``) from the owner-level ones; the
    parts may repeat a key (the caller adds them up)."""
    if scope.is_empty:
        return []

    def narrowed(level: Level, within: set[int] | None = units) -> QuerySet[Any]:
        rows = level.model._default_manager.filter(n__gt=0)
        if status:
            rows = rows.filter(status=status)
        if stages:
            rows = rows.filter(stage_id__in=stages)
        if within is not None:
            rows = rows.filter(IdsIn("unit_id", within))
        return rows

    if owner:
        rows = narrowed(OWNER).filter(owner_id=owner)
        if not scope.everything:
            seen = Q(owner_id=scope.user_id)
            if scope.all_units:
                seen |= ~Q(unit_id=0)
            elif scope.unit_ids:
                seen |= Q(IdsIn("unit_id", scope.unit_ids))
            rows = rows.filter(seen)
        parts = [rows]
    elif scope.everything:
        parts = [narrowed(UNIT)]
    elif scope.all_units:
        mine = narrowed(OWNER).filter(owner_id=scope.user_id, unit_id=0)
        parts = [narrowed(UNIT).exclude(unit_id=0), mine]
    elif scope.unit_ids:
        within = set(scope.unit_ids) if units is None else units & scope.unit_ids
        mine = narrowed(OWNER).filter(owner_id=scope.user_id)
        mine = mine.exclude(IdsIn("unit_id", scope.unit_ids))
        parts = [narrowed(UNIT, within), mine] if within else [mine]
    else:
        parts = [narrowed(OWNER).filter(owner_id=scope.user_id)]
    return [
        row
        for rows in parts
        for row in rows.order_by()
        .values(*by)
        .annotate(count=Sum("n"), amount_sum=Sum("amount"), weighted_sum=Sum("weighted"))
    ]
