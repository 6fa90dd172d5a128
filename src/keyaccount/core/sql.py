"""``IdsIn``: "this column is one of these ids" for lists of hundreds of ids (a department's
units), written as integer literals.

The ORM's ``__in`` prepares every value of the list one by one (a field lookup, a type check and
a conversion each): for the 200 units a department head sees that is about a millisecond per
query on every list, total and board column. Ids are integers, so they can go into the SQL as
literals after ``int()`` (nothing else can get in) and the list costs one ``join``.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import BooleanField, Expression, F


class IdsIn(Expression):
    """A condition for ``filter``/``exclude``/``Q``: ``expression IN (id, id, …)``. An empty
    list matches nothing. ``expression`` is a field name or an expression (``F("unit_id") + 0``
    keeps the database from looking the list up in an index)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, expression: Any, ids: Iterable[int]) -> None:
        super().__init__()
        self.lhs = F(expression) if isinstance(expression, str) else expression
        self.ids = tuple(sorted({int(i) for i in ids}))

    def get_source_expressions(self) -> list[Any]:
        return [self.lhs]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.lhs,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if not self.ids:
            return "1 = 0", ()
        sql, params = compiler.compile(self.lhs)
        return f"{sql} IN ({', '.join(map(str, self.ids))})", tuple(params)
