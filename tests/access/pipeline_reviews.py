"""The access matrix for gate overrides and their review (issue 8): the page and the API.

Everyone sees the overrides of the deals they may see; only the department head covering the
deal's owner (and administrators) marks one reviewed; the deal's other viewers get a 403, and
everyone else a 404, the same as for a move that does not exist."""

from typing import Any

from keyaccount.pipeline import services
from keyaccount.pipeline.models import StageTransition

from ..conftest import Cast
from .pages_pipeline_detail import DEAL, DEAL_VIEWERS, kam_deal, on_deal
from .registry import Ctx, Redirect, api, page

REVIEWERS = frozenset({"head", "admin"})


def overridden(c: Cast) -> dict[str, Any]:
    """kam's deal, moved on by the director over its closed gate."""
    made = kam_deal(c)
    result = services.opportunity_move(
        actor=c.director, opportunity=made["opp"], override=True, reason="矩阵：总监先行推进"
    )
    return {**made, "override": result.transition}


def _reviewed_only_by_a_reviewer(ctx: Ctx) -> None:
    row = StageTransition.objects.get(pk=ctx.o.override.pk)
    assert (row.reviewed_at is not None) == (not ctx.denied and ctx.role in REVIEWERS), ctx.role
    if row.reviewed_at is not None:
        assert row.reviewed_by == ctx.user and row.review_note == "已复核"


def _listed_for_viewers(ctx: Ctx) -> None:
    if ctx.response.status_code != 200:
        return
    if ctx.route.api:
        shown = any(i["opportunity"]["name"] == DEAL for i in ctx.response.json()["items"])
    else:
        shown = DEAL in ctx.response.content.decode()
    assert shown == (ctx.role in DEAL_VIEWERS), ctx.role


REVIEW = lambda c, o: f"/pipeline/overrides/{o.override.pk}/review/"  # noqa: E731
API_REVIEW = lambda c, o: f"/api/pipeline/overrides/{o.override.pk}/review"  # noqa: E731

REVIEW_ROUTES = [
    page(
        "pipeline.overrides", "/pipeline/overrides/", setup=overridden, verify=_listed_for_viewers
    ),
    page(
        "pipeline.overrides.all",
        "/pipeline/overrides/?status=all",
        setup=overridden,
        verify=_listed_for_viewers,
    ),
    page(
        "pipeline.override_review",
        REVIEW,
        method="POST",
        setup=overridden,
        body={"note": "已复核"},
        roles=on_deal(REVIEWERS, yes=Redirect("/pipeline/overrides/")),
        verify=_reviewed_only_by_a_reviewer,
    ),
    api(
        "api.pipeline.overrides",
        "/api/pipeline/overrides",
        setup=overridden,
        verify=_listed_for_viewers,
    ),
    api(
        "api.pipeline.override_review",
        API_REVIEW,
        method="POST",
        setup=overridden,
        body={"note": "已复核"},
        roles=on_deal(REVIEWERS),
        verify=_reviewed_only_by_a_reviewer,
    ),
    api(
        "api.pipeline.override_review.missing",
        "/api/pipeline/overrides/987654321/review",
        method="POST",
        body={"note": "x"},
        signed_in=404,
    ),
]
