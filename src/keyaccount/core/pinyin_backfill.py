"""Fill the pinyin keys (``core.pinyin``) of rows written before a model kept them: for data
migrations, set-based.

Rows are read in chunks of ids (keyset, so every chunk is an index range) and each chunk is
written by one ``UPDATE … FROM (VALUES …)`` statement, which SQLite (3.33+) and PostgreSQL both
run: two statements per chunk whatever the size of the table, never one per row.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models

from . import pinyin

CHUNK = 2000  # 4 parameters a row: well inside SQLite's and PostgreSQL's limits
FIELDS = ("pinyin_sort", "pinyin_full", "pinyin")


def backfill(
    model: type[models.Model],
    *,
    columns: Sequence[str],
    name_of: Callable[..., str] = lambda name: name,
    using: str = "default",
    chunk: int = CHUNK,
) -> int:
    """Set ``pinyin_sort``, ``pinyin_full`` and ``pinyin`` of every row of ``model`` from the
    name ``name_of(*values of columns)``; answer how many rows were written."""
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    table = quote(meta.db_table)
    pk = quote(str(meta.pk.column if meta.pk else "id"))
    targets = ", ".join(
        f"{quote(getattr(meta.get_field(f), 'column', f))} = v.column{i}"
        for i, f in enumerate(FIELDS, start=2)
    )
    rows = model._default_manager.using(using).order_by("pk").values_list("pk", *columns)
    done, last = 0, None
    while True:
        page = list((rows.filter(pk__gt=last) if last is not None else rows)[:chunk])
        if not page:
            return done
        params: list[Any] = []
        for pk_value, *values in page:
            params.extend((pk_value, *pinyin.keys(name_of(*values))))
        placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(page))
        # Only names quoted by the backend go into the text; every value is a parameter.
        sql = (
            f"UPDATE {table} SET {targets} FROM (VALUES {placeholders}) AS v "  # noqa: S608
            f"WHERE {table}.{pk} = v.column1"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        done += len(page)
        last = page[-1][0]
