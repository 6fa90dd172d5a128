"""The fastest bulk path for the large tables: rows converted once per field type and sent in
one ``executemany`` (SQLite) or one ``COPY`` (PostgreSQL) per table, with ids given here so the
rows that refer to them are built before anything is written.

``bulk_create`` compiles an ``INSERT`` per batch and prepares every value through its field;
on SQLite a batch holds at most 999 values, so two million rows mean tens of thousands of
statements. This writes the same rows, given as plain dicts (building two million model
instances alone takes longer than writing them), in a fraction of the time. Like
``bulk_create`` it calls no ``save`` and sends no signal (the tables' triggers run: rollups,
search indexes).

Used by the product's own large writes (deals imported with their history) and by the
benchmark's generator. Ids come from ``reserve_ids`` where other writers may be at work (the
sequence on PostgreSQL; on SQLite the transaction holds the write lock from its start,
``transaction_mode = IMMEDIATE``), from ``Ids`` where nothing else writes (the generator).
"""

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

CHUNK = 20_000


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    kind = field.get_internal_type()
    ops = connection.ops
    if kind == "DateTimeField" and connection.vendor == "sqlite":
        return _sqlite_datetime
    if kind == "DateTimeField":
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if kind == "DateField":
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if kind == "JSONField":
        return json.dumps
    return _same


def _same(value: Any) -> Any:
    return value


def _sqlite_datetime(value: datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware datetime (naive UTC, as text), without
    its per-value settings checks."""
    if value is None:
        return None
    return str(value.astimezone(UTC).replace(tzinfo=None))


class Ids:
    """Ids handed out for a table, from one past its largest."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.next: int = (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1

    def assign(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            row["id"] = self.next
            self.next += 1


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model``, safe beside other writers: drawn from the id
    sequence on PostgreSQL; on SQLite one past the largest, inside the caller's transaction
    (which holds the database's write lock from its start)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    column = str(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(column)}) FROM {quoted}")  # noqa: S608
        start = int(cursor.fetchone()[0] or 0) + 1
    return list(range(start, start + count))


def defaults(model: type[models.Model]) -> dict[str, Any]:
    """What ``insert`` gives a field a row leaves out, by ``attname`` (``auto_now`` ones: now)."""
    now = timezone.now()
    return {
        f.attname: now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in model._meta.concrete_fields
    }


def insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` of ``model``: dicts by field ``attname`` (``customer_id``), ids assigned
    (``Ids``); a field a row leaves out gets its default (``auto_now`` ones: now)."""
    if not rows:
        return
    fields = list(model._meta.concrete_fields)
    given = defaults(model)  # the field's default, or "" for a text field that is not nullable
    plan = []
    for field in fields:
        convert = _converter(field)
        plan.append((field.attname, convert(given[field.attname]), convert))
    values = (
        tuple(convert(row[name]) if name in row else default for name, default, convert in plan)
        for row in rows
    )
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    if connection.vendor == "postgresql":
        _copy(table, columns, values)
    else:
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (model names)
        with connection.cursor() as cursor:
            chunk: list[tuple[Any, ...]] = []
            for row in values:
                chunk.append(row)
                if len(chunk) >= CHUNK:
                    cursor.executemany(sql, chunk)
                    chunk = []
            cursor.executemany(sql, chunk)


def check(
    errors: dict[str, list[str]],
    position: int,
    instance: models.Model,
    validate: Callable[[Any], None],
    exclude: list[str],
) -> None:
    """One record of a lot checked as its service checks it (``validate``, then the fields'
    own checks; uniqueness and constraints are left to the database): its messages are added
    to ``errors`` under ``<position>.<field>``."""
    try:
        validate(instance)
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(f"{position}.{key}", []).extend(messages)


def row_of(instance: models.Model, at: datetime) -> dict[str, Any]:
    """An unsaved record as ``insert`` takes it (by ``attname``), created and updated ``at``."""
    row = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    return row | {"created_at": at, "updated_at": at}


def insert_new(model: type[models.Model], rows: list[dict[str, Any]]) -> list[int]:
    """Complete ``rows`` (each field a row leaves out gets its default; ids reserved with
    ``reserve_ids``), write them, and return their ids in order."""
    base = defaults(model)
    ids = reserve_ids(model, len(rows))
    for position, pk in enumerate(ids):
        rows[position] = base | rows[position] | {"id": pk}
    insert(model, rows)
    return ids


def history_created(
    historical: type[models.Model], rows: list[dict[str, Any]], user_id: int, at: datetime
) -> None:
    """One *created* history row (django-simple-history's ``+``) per written row, by
    ``user_id`` at ``at``: what ``save`` would have recorded."""
    kept = {f.attname for f in historical._meta.concrete_fields}
    entries = [
        {k: v for k, v in row.items() if k in kept}
        | {"history_date": at, "history_type": "+", "history_user_id": user_id}
        for row in rows
    ]
    for entry, pk in zip(entries, reserve_ids(historical, len(entries)), strict=True):
        entry["history_id"] = pk
    insert(historical, entries)


def _copy(table: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def reset_sequences(*models_: type[models.Model]) -> None:
    """PostgreSQL: the id sequences past the ids given here (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            largest = f"SELECT COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(table)}"  # noqa: S608
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({largest}))", [table])
