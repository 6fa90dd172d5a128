"""``IdsIn``: "this column is one of these ids" for lists of hundreds of ids (a department's
units), written as integer literals.

The ORM's ``__in`` prepares every value of the list one by one (a field lookup, a type check and
a conversion each): for the 200 units a department head sees that is about a millisecond per
query on every list, total and board column. Ids are integers, so they can go into the SQL as
literals after ``int()`` (nothing else can get in) and the list costs one ``join``.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import F, Lookup


class IdsIn(Lookup):
    """A condition for ``filter``/``exclude``/``Q``: ``expression IN (id, id, …)``. An empty
    list matches nothing. ``expression`` is a field name or an expression (``F("unit_id") + 0``
    keeps the database from looking the list up in an index). A lookup, so the database gets
    the bare condition (an expression would be compared with ``= 1`` on SQLite, and no index
    answers that)."""

    prepare_rhs = False

    def __init__(self, expression: Any, ids: Iterable[int]) -> None:
        lhs = F(expression) if isinstance(expression, str) else expression
        super().__init__(lhs, tuple(sorted({int(i) for i in ids})))

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if not self.rhs:
            raise EmptyResultSet
        sql, params = compiler.compile(self.lhs)
        return f"{sql} IN ({', '.join(map(str, self.rhs))})", tuple(params)
