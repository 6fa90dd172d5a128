"""The access matrix for the type-ahead pickers (issue 10): each picker offers a role exactly
what its select used to list for them (``core.typeahead``), on the page's suggestions route and
in the API; an unknown picker is a 404 for everyone."""

from collections.abc import Callable, Iterable, Mapping
from types import SimpleNamespace
from urllib.parse import quote

from ..conftest import Cast
from .api_customers import ALLOCATORS, KAM_CUSTOMER_VIEWERS, kam_customer
from .api_pipeline import DEAL_VIEWERS, MANAGERS, kam_deal
from .registry import EAST_VIEWERS, Ctx, Route, api, page

#: Who may open a deal on kam's customer: its owner and the managers of its unit.
DEAL_OPENERS = MANAGERS | {"kam"}


def offers(
    ids: Callable[[Cast, SimpleNamespace], Mapping[int, Iterable[str]]], *, api_route: bool = False
) -> Callable[[Ctx], None]:
    """On a 200 answer, each id is offered exactly to its roles."""

    def run(ctx: Ctx) -> None:
        if ctx.response.status_code != 200:
            return
        if api_route:
            offered = {item["id"] for item in ctx.response.json()["items"]}
        else:
            offered = {o.id for o in ctx.response.context["options"]}
        for pk, roles in ids(ctx.cast, ctx.o).items():
            should = ctx.role in set(roles)
            assert (pk in offered) == should, (
                f"{ctx.role}: id {pk} {'missing from' if should else 'leaked into'} {ctx.url}"
            )

    return run


def _picker(name: str, setup: Callable, ids: Callable, typed: str) -> list[Route]:
    """Two entries: the first suggestions (nothing typed), and those for ``typed``."""
    return [
        page(f"suggest.{name}", f"/suggest/{name}/", setup=setup, verify=offers(ids)),
        page(
            f"suggest.{name}.typed",
            f"/suggest/{name}/?q={quote(typed)}",
            setup=setup,
            verify=offers(ids),
        ),
    ]


SUGGESTION_ROUTES: list[Route] = [
    *_picker("customers", kam_customer, lambda c, o: {o.customer.pk: KAM_CUSTOMER_VIEWERS}, "矩阵"),
    *_picker(
        "new-deal-customers", kam_customer, lambda c, o: {o.customer.pk: DEAL_OPENERS}, "jzcs"
    ),
    *_picker("customer-owners", kam_customer, lambda c, o: {c.kam.pk: KAM_CUSTOMER_VIEWERS}, "kam"),
    *_picker("deal-owners", kam_deal, lambda c, o: {c.kam.pk: DEAL_VIEWERS}, "kam"),
    page("suggest.teams", "/suggest/teams/", verify=offers(lambda c, o: {c.east.pk: EAST_VIEWERS})),
    page(
        "suggest.allocatable",
        "/suggest/allocatable/",
        verify=offers(lambda c, o: {c.colleague.pk: ALLOCATORS}),
    ),
    page(
        "suggest.reassign",
        "/suggest/reassign/",
        verify=offers(lambda c, o: {c.colleague.pk: MANAGERS}),
    ),
    page("suggest.unknown", "/suggest/nothing-like-this/", signed_in=404),
    api(
        "api.suggest.customers",
        f"/api/suggest/customers?q={quote('矩阵')}",
        setup=kam_customer,
        verify=offers(lambda c, o: {o.customer.pk: KAM_CUSTOMER_VIEWERS}, api_route=True),
    ),
    api(
        "api.suggest.teams",
        "/api/suggest/teams",
        verify=offers(lambda c, o: {c.east.pk: EAST_VIEWERS}, api_route=True),
    ),
    api("api.suggest.unknown", "/api/suggest/nothing-like-this", signed_in=404),
]
