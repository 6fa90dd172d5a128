"""The pipeline's lists: the list with its filters and totals, the major-project list
(大项目名单), their Excel exports, and the board by stage.

Filters live in the query string (shareable); htmx swaps only the results. Every row comes from
the opportunities the user may see.
"""

from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from keyaccount.core.excel import download
from keyaccount.customers.models import Customer
from keyaccount.org.requests import AuthenticatedRequest

from .. import aggregates, exporting_lists, permissions, rules, selectors, services
from ..forms import OpportunityFilterForm
from ..models import Opportunity, OpportunityMember
from ..rows import ListRow, list_rows
from ._common import render_page_or_fragment

PAGE_SIZE = 50
#: Deals whose days in the current stage count: open ones, and won ones in implementation.
AT_WORK = (rules.Status.OPEN, rules.Status.WON)

#: Cards shown per board column; the rest are behind "N more…" (the list filtered by stage).
BOARD_CARDS = 30


def health_labels() -> dict[str, str]:
    """The health flags' labels in the active language, translated once for a page's rows."""
    return {str(flag): str(label) for flag, label in rules.HEALTH_LABELS.items()}


def health_badges(flags: list[str], labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    labels = labels or health_labels()
    return [(f, labels[f]) for f in flags]


def decorate(rows: list[ListRow], now: datetime | None = None) -> list[dict[str, Any]]:
    """Each row of the list (``rows.ListRow``) with its health badges and days in stage (no
    query per row: the stage norms are read once)."""
    now = now or timezone.now()
    norms = dict(selectors.stage_norms())
    labels = health_labels()
    return [
        {
            "opp": o,
            "health": health_badges(selectors.health_flags(o, norms, now), labels),
            "days": (now - o.stage_entered_at).days if o.status in AT_WORK else None,
        }
        for o in rows
    ]


def _query_without_page(request: AuthenticatedRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return str(query.urlencode())


def _customer_name(request: AuthenticatedRequest, form: OpportunityFilterForm) -> str | None:
    """The name of the customer the list is narrowed to (only if the user may see it)."""
    pk = form.cleaned_data.get("customer") if hasattr(form, "cleaned_data") else None
    if not pk:
        return None
    name: str | None = (
        Customer.objects.visible_to(request.user).filter(pk=pk).values_list("name", flat=True)
    ).first()
    return name


# --- the list, the major-project list and their exports --------------------------------------


def _render_list(
    request: AuthenticatedRequest,
    *,
    form: OpportunityFilterForm,
    queryset: QuerySet[Opportunity],
    ignored: list[str],
    sort: str,
    template: str,
    extra: dict[str, Any],
    filters: selectors.OpportunityFilters | None = None,
) -> HttpResponse:
    # with the list's filters the totals can come from the rollup (``aggregates.totals_for``)
    totals = (
        aggregates.totals_for(user=request.user, filters=filters, queryset=queryset)
        if filters is not None
        else aggregates.totals(queryset)
    )
    paginator = Paginator(queryset, PAGE_SIZE)
    paginator.count = totals.count  # the totals counted the rows already: no second count
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "ignored": ignored,
        "page": page,
        "rows": decorate(list_rows(page.object_list)),
        "totals": totals,
        "sort": sort,
        "may_create": permissions.may_open_deals(permissions.capabilities_for(request.user)),
        "sorts": list(selectors.SORTS),
        "customer_filter": _customer_name(request, form),
        **extra,
    }
    fragment = "pipeline/partials/list_results.html"
    return render_page_or_fragment(request, template, fragment, context)


@login_required
@require_GET
def opportunity_list(request: AuthenticatedRequest) -> HttpResponse:
    """Filters in the query string (shareable); htmx swaps only the results and totals."""
    form = OpportunityFilterForm(request.GET, user=request.user)
    filters, ignored = form.filters()
    queryset = selectors.opportunity_list(user=request.user, filters=filters)
    query = _query_without_page(request)
    return _render_list(
        request,
        form=form,
        queryset=queryset,
        filters=filters,
        ignored=ignored,
        sort=filters.sort,
        template="pipeline/list.html",
        extra={
            "action": reverse("pipeline:list"),
            "export_url": reverse("pipeline:export") + (f"?{query}" if query else ""),
        },
    )


@login_required
@require_GET
def major_projects(request: AuthenticatedRequest) -> HttpResponse:
    """The major-project list (大项目名单): open or won deals from the policy's amount up."""
    threshold = services.policy().major_project_amount
    form = OpportunityFilterForm(request.GET, user=request.user, major=True)
    filters, ignored = form.filters()
    queryset = selectors.major_projects(user=request.user, filters=filters, threshold=threshold)
    query = _query_without_page(request)
    return _render_list(
        request,
        form=form,
        queryset=queryset,
        ignored=ignored,
        sort=filters.sort,
        template="pipeline/major.html",
        extra={
            "action": reverse("pipeline:major"),
            "threshold": threshold,
            "export_url": reverse("pipeline:major_export") + (f"?{query}" if query else ""),
        },
    )


@login_required
@require_GET
def list_export(request: AuthenticatedRequest) -> HttpResponse:
    """The list with the page's filters and sort, as .xlsx."""
    filters, _ignored = OpportunityFilterForm(request.GET, user=request.user).filters()
    queryset = selectors.opportunity_list(user=request.user, filters=filters)
    title = _("Opportunities")
    return download(exporting_lists.export_opportunities(queryset=queryset, title=title))


@login_required
@require_GET
def major_export(request: AuthenticatedRequest) -> HttpResponse:
    threshold = services.policy().major_project_amount
    form = OpportunityFilterForm(request.GET, user=request.user, major=True)
    filters, _ignored = form.filters()
    queryset = selectors.major_projects(user=request.user, filters=filters, threshold=threshold)
    title = _("Major-project list")
    return download(exporting_lists.export_opportunities(queryset=queryset, title=title))


# --- the board ------------------------------------------------------------------------------


@login_required
@require_GET
def board(request: AuthenticatedRequest) -> HttpResponse:
    """Open deals by stage. A card moves only through its gate dialog, never by dragging."""
    caps = permissions.capabilities_for(request.user)
    form = OpportunityFilterForm(request.GET, user=request.user, board=True)
    filters, ignored = form.filters()
    columns = aggregates.board(
        user=request.user, filters=filters, per_column=BOARD_CARDS, as_cards=True
    )
    every = [card for column in columns for card in column.cards]
    member_of = _deal_teams([card.pk for card in every])
    norms = dict(selectors.stage_norms())
    now = timezone.now()
    labels = health_labels()
    for card in every:
        card.health = health_badges(selectors.health_flags(card, norms, now), labels)
        card.days = (now - card.stage_entered_at).days if card.status in AT_WORK else None
        card.may_move = permissions.deal_access(
            caps,
            owner_id=card.owner_id,
            owner_unit_id=card.owner_unit_id,
            member_ids=member_of.get(card.pk, ()),
        ).run
    query = request.GET.copy()
    query.pop("page", None)
    view = []
    for column in columns:
        more_query = query.copy()
        more_query.setlist("stage", [str(column.stage.pk)])
        # the last column (implementation) holds the won deals being delivered
        more_query["status"] = rules.Status.WON if column is columns[-1] else rules.Status.OPEN
        view.append(
            {
                "column": column,
                "more": column.count - len(column.cards),
                "more_url": f"{reverse('pipeline:list')}?{more_query.urlencode()}",
            }
        )
    context = {"form": form, "ignored": ignored, "columns": view}
    return render_page_or_fragment(
        request, "pipeline/board.html", "pipeline/partials/board_columns.html", context
    )


def _deal_teams(ids: list[int]) -> dict[int, list[int]]:
    """Opportunity id → its team members' ids, in one query (for the per-card access check)."""
    teams: dict[int, list[int]] = {}
    rows = OpportunityMember.objects.filter(opportunity_id__in=ids).values_list(
        "opportunity_id", "user_id"
    )
    for opp_id, user_id in rows:
        teams.setdefault(opp_id, []).append(user_id)
    return teams
