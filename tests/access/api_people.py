"""Access-matrix entries for the people API (issue 11): the members of the units each role
may see, as the org tree shows them; e-mail addresses for administrators only."""

from collections.abc import Callable, Iterable, Mapping
from types import SimpleNamespace

from ..conftest import Cast
from .registry import (
    ADMINS,
    COMPANY_VIEWERS,
    EAST_VIEWERS,
    KA_DEPT_VIEWERS,
    MARKETING_VIEWERS,
    NORTH_VIEWERS,
    Ctx,
    api,
    per_role,
)


def lists_people(
    ids: Callable[[Cast, SimpleNamespace], Mapping[int, Iterable[str]]],
) -> Callable[[Ctx], None]:
    def run(ctx: Ctx) -> None:
        if ctx.response.status_code != 200:
            return
        items = ctx.response.json()["items"]
        listed = {item["id"] for item in items}
        for pk, viewers in ids(ctx.cast, ctx.o).items():
            should = ctx.role in set(viewers)
            assert (pk in listed) == should, (
                f"{ctx.role}: person {pk} {'missing' if should else 'leaked'}"
            )
        if ctx.role not in ADMINS:
            assert all(item["email"] is None for item in items), "e-mail shown to a non-admin"

    return run


def _people(c: Cast, o: SimpleNamespace) -> dict[int, frozenset[str]]:
    return {
        c.kam.pk: EAST_VIEWERS,
        c.north_kam.pk: NORTH_VIEWERS,
        c.head.pk: KA_DEPT_VIEWERS,
        c.admin.pk: COMPANY_VIEWERS,
        c.outsider.pk: MARKETING_VIEWERS,
    }


PEOPLE_API_ROUTES = [
    api("api.org.people", "/api/org/people?limit=200", verify=lists_people(_people)),
    api(
        "api.org.person.east",
        lambda c, o: f"/api/org/people/{c.kam.pk}",
        roles=per_role(EAST_VIEWERS),
    ),
    api(
        "api.org.person.marketing",
        lambda c, o: f"/api/org/people/{c.outsider.pk}",
        roles=per_role(MARKETING_VIEWERS),
    ),
    api("api.org.person.missing", "/api/org/people/987654321", signed_in=404),
]
