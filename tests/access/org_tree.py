"""The access matrix for the org tree's query strings (``/org/?unit=``, ``/org/?q=``).

Opening a unit is a 404 for a role that may not see it, the same answer as for a missing or
malformed id; the people it lists and the people and units a search finds are those of the units
the role may see (``org.selectors.org_units_visible``), as the whole tree used to list them.
(The htmx fragment of ``?unit=`` is the same view and selector; ``tests/org/test_tree.py``
checks it per role.)
"""

from collections.abc import Callable, Iterable, Mapping
from types import SimpleNamespace
from typing import Any

from ..conftest import Cast
from .registry import (
    COMPANY_VIEWERS,
    EAST_VIEWERS,
    MARKETING_VIEWERS,
    NORTH_VIEWERS,
    Ctx,
    Route,
    page,
    per_role,
)


def _people_shown(context: Any) -> set[int]:
    """The people a tree page or a search lists (a 200 answer's context)."""
    if "people" in context:
        return {p.pk for p in context["people"]}
    return {m.pk for row in context["rows"] for m in row.members}


def lists_people(
    people: Callable[[Cast, SimpleNamespace], Mapping[int, Iterable[str]]],
) -> Callable[[Ctx], None]:
    """On a 200 answer, each person is listed exactly for their roles."""

    def run(ctx: Ctx) -> None:
        if ctx.response.status_code != 200:
            return
        shown = _people_shown(ctx.response.context)
        for pk, roles in people(ctx.cast, ctx.o).items():
            should = ctx.role in set(roles)
            assert (pk in shown) == should, (
                f"{ctx.role}: person {pk} {'missing from' if should else 'leaked into'} {ctx.url}"
            )

    return run


def finds_units(
    units: Callable[[Cast, SimpleNamespace], Mapping[int, Iterable[str]]],
) -> Callable[[Ctx], None]:
    def run(ctx: Ctx) -> None:
        if ctx.response.status_code != 200:
            return
        found = {u.pk for u in ctx.response.context["units"]}
        for pk, roles in units(ctx.cast, ctx.o).items():
            should = ctx.role in set(roles)
            assert (pk in found) == should, (
                f"{ctx.role}: unit {pk} {'missing from' if should else 'leaked into'} {ctx.url}"
            )

    return run


ORG_TREE_ROUTES: list[Route] = [
    page(
        "org.tree.unit.company",
        lambda c, o: f"/org/?unit={c.company.pk}",
        roles=per_role(COMPANY_VIEWERS),
        verify=lists_people(lambda c, o: {c.admin.pk: COMPANY_VIEWERS}),
    ),
    page(
        "org.tree.unit.east",
        lambda c, o: f"/org/?unit={c.east.pk}",
        roles=per_role(EAST_VIEWERS),
        verify=lists_people(lambda c, o: {c.kam.pk: EAST_VIEWERS, c.north_kam.pk: ()}),
    ),
    page(
        "org.tree.unit.north",
        lambda c, o: f"/org/?unit={c.north.pk}",
        roles=per_role(NORTH_VIEWERS),
        verify=lists_people(lambda c, o: {c.north_kam.pk: NORTH_VIEWERS, c.kam.pk: ()}),
    ),
    page(
        "org.tree.unit.marketing",
        lambda c, o: f"/org/?unit={c.marketing.pk}",
        roles=per_role(MARKETING_VIEWERS),
        verify=lists_people(lambda c, o: {c.outsider.pk: MARKETING_VIEWERS}),
    ),
    page("org.tree.unit.missing", "/org/?unit=987654321", signed_in=404),
    page("org.tree.unit.not_a_number", "/org/?unit=abc", signed_in=404),
    page(
        "org.tree.search.person",
        "/org/?q=north_kam",
        verify=lists_people(lambda c, o: {c.north_kam.pk: NORTH_VIEWERS}),
    ),
    page(
        "org.tree.search.outsider",
        "/org/?q=outsider",
        verify=lists_people(lambda c, o: {c.outsider.pk: MARKETING_VIEWERS}),
    ),
    page(
        "org.tree.search.unit",
        "/org/?q=%E5%8D%8E%E5%8C%97",  # 华北
        verify=finds_units(lambda c, o: {c.north.pk: NORTH_VIEWERS, c.east.pk: ()}),
    ),
]
