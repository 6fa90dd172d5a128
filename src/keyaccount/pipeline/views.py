"""The pipeline's lists and the editing of opportunities: the list with its filters and totals,
the board by stage, the major-project list (大项目名单), their Excel exports, the short form that
opens a deal, the edit form and handing a deal to another manager.

Every view reads the same way: check access → parse → one service or selector call → render the
page (or the htmx fragment) or redirect. An opportunity or customer outside the user's
visibility is a 404; an action the user may not take on one they can see is a 403.
"""

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyaccount.core.excel import Export, content_disposition
from keyaccount.core.versioning import StaleEditError
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.customers.tabs import TabRequest
from keyaccount.org.visibility import get_visible_or_404

from . import exporting_lists, permissions, rules, selectors, services
from .forms import (
    OpportunityCreateForm,
    OpportunityEditForm,
    OpportunityFilterForm,
    ReassignForm,
    reassign_candidates,
)
from .models import Opportunity, OpportunityMember

PAGE_SIZE = 50
#: Deals whose days in the current stage count: open ones, and won ones in implementation.
AT_WORK = (rules.Status.OPEN, rules.Status.WON)

#: Cards shown per board column; the rest are behind "N more…" (the list filtered by stage).
BOARD_CARDS = 30


# --- helpers --------------------------------------------------------------------------------


def _caps(request: HttpRequest) -> permissions.Capabilities:
    return permissions.capabilities_for(request.user)


def _partial(request: HttpRequest) -> bool:
    """An htmx request for a fragment (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _visible_opportunity(request: HttpRequest, pk: int) -> Opportunity:
    queryset = Opportunity.objects.select_related("customer", "owner__unit", "stage", "step")
    return get_visible_or_404(queryset, request.user, pk=pk)


def _detail_url(opp: Opportunity) -> str:
    return reverse("pipeline:detail", args=[opp.pk])


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return str(query.urlencode())


def _customer_name(request: HttpRequest, form: OpportunityFilterForm) -> str | None:
    """The name of the customer the list is narrowed to (only if the user may see it)."""
    pk = form.cleaned_data.get("customer") if hasattr(form, "cleaned_data") else None
    if not pk:
        return None
    name: str | None = (
        Customer.objects.visible_to(request.user).filter(pk=pk).values_list("name", flat=True)
    ).first()
    return name


def _download(export: Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition(export.file_name)
    response["Cache-Control"] = "private, no-store"
    return response


def health_badges(flags: list[str]) -> list[tuple[str, str]]:
    return [(f, str(rules.HEALTH_LABELS[rules.Health(f)])) for f in flags]


def decorate(opps: Any, now: datetime | None = None) -> list[dict[str, Any]]:
    """Each loaded opportunity with its health badges and days in stage (no query per row:
    the stage norms are read once)."""
    now = now or timezone.now()
    norms = dict(selectors.stage_norms())
    return [
        {
            "opp": o,
            "health": health_badges(selectors.health_flags(o, norms, now)),
            "days": (now - o.stage_entered_at).days if o.status in AT_WORK else None,
        }
        for o in opps
    ]


# --- the list, the major-project list and their exports --------------------------------------


def _render_list(
    request: HttpRequest,
    *,
    form: OpportunityFilterForm,
    queryset: QuerySet[Opportunity],
    ignored: list[str],
    sort: str,
    template: str,
    extra: dict[str, Any],
) -> HttpResponse:
    totals = selectors.totals(queryset)
    paginator = Paginator(queryset, PAGE_SIZE)
    paginator.count = totals.count  # the totals counted the rows already: no second count
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "ignored": ignored,
        "page": page,
        "rows": decorate(page.object_list),
        "totals": totals,
        "sort": sort,
        "may_create": permissions.may_open_deals(_caps(request)),
        "sorts": list(selectors.SORTS),
        "customer_filter": _customer_name(request, form),
        **extra,
    }
    if _partial(request):
        template = "pipeline/partials/list_results.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def opportunity_list(request: HttpRequest) -> HttpResponse:
    """Filters in the query string (shareable); htmx swaps only the results and totals."""
    form = OpportunityFilterForm(request.GET, user=request.user)
    filters, ignored = form.filters()
    queryset = selectors.opportunity_list(user=request.user, filters=filters)
    query = _query_without_page(request)
    return _render_list(
        request,
        form=form,
        queryset=queryset,
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
def major_projects(request: HttpRequest) -> HttpResponse:
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
def list_export(request: HttpRequest) -> HttpResponse:
    """The list with the page's filters and sort, as .xlsx."""
    filters, _ignored = OpportunityFilterForm(request.GET, user=request.user).filters()
    queryset = selectors.opportunity_list(user=request.user, filters=filters)
    title = _("Opportunities")
    return _download(exporting_lists.export_opportunities(queryset=queryset, title=title))


@login_required
@require_GET
def major_export(request: HttpRequest) -> HttpResponse:
    threshold = services.policy().major_project_amount
    form = OpportunityFilterForm(request.GET, user=request.user, major=True)
    filters, _ignored = form.filters()
    queryset = selectors.major_projects(user=request.user, filters=filters, threshold=threshold)
    title = _("Major-project list")
    return _download(exporting_lists.export_opportunities(queryset=queryset, title=title))


# --- the board ------------------------------------------------------------------------------


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Open deals by stage. A card moves only through its gate dialog, never by dragging."""
    caps = _caps(request)
    form = OpportunityFilterForm(request.GET, user=request.user, board=True)
    filters, ignored = form.filters()
    columns = selectors.board(user=request.user, filters=filters, per_column=BOARD_CARDS)
    cards = decorate(card for column in columns for card in column.cards)
    by_id = {row["opp"].pk: row for row in cards}
    member_of = _deal_teams([row["opp"].pk for row in cards])
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
                "cards": [
                    {
                        **by_id[o.pk],
                        "may_move": permissions.deal_access(
                            caps,
                            owner_id=o.owner_id,
                            owner_unit_id=o.owner.unit_id,
                            member_ids=member_of.get(o.pk, ()),
                        ).run,
                    }
                    for o in column.cards
                ],
                "more": column.count - len(column.cards),
                "more_url": f"{reverse('pipeline:list')}?{more_query.urlencode()}",
            }
        )
    context = {"form": form, "ignored": ignored, "columns": view}
    template = "pipeline/board.html"
    if _partial(request):
        template = "pipeline/partials/board_columns.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _deal_teams(ids: list[int]) -> dict[int, list[int]]:
    """Opportunity id → its team members' ids, in one query (for the per-card access check)."""
    teams: dict[int, list[int]] = {}
    rows = OpportunityMember.objects.filter(opportunity_id__in=ids).values_list(
        "opportunity_id", "user_id"
    )
    for opp_id, user_id in rows:
        teams.setdefault(opp_id, []).append(user_id)
    return teams


# --- creating -------------------------------------------------------------------------------


def _chosen_customer(request: HttpRequest, caps: permissions.Capabilities) -> Customer | None:
    """The customer named by ``?customer=`` (or the posted form): 404 outside the user's
    visibility, 403 when they see it but may not open a deal on it."""
    raw = request.POST.get("customer") if request.method == "POST" else None
    raw = raw or request.GET.get("customer")
    if not raw:
        return None
    queryset = Customer.objects.select_related("owner__unit")
    customer = get_visible_or_404(queryset, request.user, pk=raw)
    if not permissions.can_open_deal(
        caps, customer_owner_id=customer.owner_id, owner_unit_id=customer.owner.unit_id
    ):
        raise PermissionDenied(
            _("Only the customer's owner and their managers open opportunities on it.")
        )
    return customer


def customer_tab(tab: TabRequest) -> dict[str, Any]:
    """The customer page's *Opportunities* tab: the customer's opportunities the user may see
    (open ones first), and whether they may open one on it; a fixed number of queries."""
    limit = 100
    customer = tab.customer
    opportunities = selectors.for_customer(user=tab.user, customer_id=customer.pk, limit=limit + 1)
    may_open = customer.status == RegistrationStatus.REGISTERED and permissions.can_open_deal(
        permissions.capabilities_for(tab.user),
        customer_owner_id=customer.owner_id,
        owner_unit_id=customer.owner.unit_id,
    )
    return {
        "opportunities": opportunities[:limit],
        "more_opportunities": len(opportunities) > limit,
        "may_open_deal": may_open,
    }


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request: HttpRequest) -> HttpResponse:
    """A deal opened on a registered customer in seconds: name, amount, date, and go."""
    caps = _caps(request)
    customer = _chosen_customer(request, caps)
    if customer is None and not permissions.may_open_deals(caps):
        raise PermissionDenied(_("Your role does not open opportunities."))
    customers = [] if customer is not None else selectors.customers_for_new_deal(user=request.user)
    status = 200
    if request.method == "POST":
        form = OpportunityCreateForm(request.POST, customer=customer, customers=customers)
        status = 400
        if form.is_valid() and customer is not None:
            try:
                opp = services.opportunity_create(
                    actor=request.user,  # type: ignore[arg-type]
                    customer=customer,
                    data=form.deal_data(),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Opportunity “%(name)s” opened.") % {"name": opp})
                return redirect(_detail_url(opp))
    else:
        form = OpportunityCreateForm(customer=customer, customers=customers)
    context = {"form": form, "customer": customer, "mode": "create"}
    return render(request, "pipeline/form.html", context, status=status)


# --- editing and handing over -----------------------------------------------------------------


def _edit_context(
    request: HttpRequest,
    opp: Opportunity,
    form: OpportunityEditForm,
    reassign_form: ReassignForm | None = None,
) -> dict[str, Any]:
    caps = _caps(request)
    may_reassign = permissions.can_reassign(caps, owner_unit_id=opp.owner.unit_id)
    if may_reassign and reassign_form is None:
        reassign_form = ReassignForm(candidates=reassign_candidates(caps, exclude=opp.owner_id))
    return {
        "opp": opp,
        "customer": opp.customer,
        "form": form,
        "mode": "edit",
        "stage_probability": opp.stage.probability,
        "reassign_form": reassign_form if may_reassign else None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Every field of the deal, refused (409) when someone saved in between."""
    opp = _visible_opportunity(request, pk)
    if not services.access(request.user, opp).run:  # type: ignore[arg-type]
        raise PermissionDenied(_("Only the deal's owner and their managers may edit it."))
    status = 200
    if request.method == "POST":
        form = OpportunityEditForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.opportunity_update(
                    actor=request.user,  # type: ignore[arg-type]
                    opportunity=opp,
                    data=form.deal_data(),
                    expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data["reason"].strip(),
                )
            except StaleEditError as exc:
                form.add_error(None, exc.message)
                status = 409
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Opportunity “%(name)s” saved.") % {"name": opp})
                return redirect(_detail_url(opp))
            opp = _visible_opportunity(request, pk)  # the stored deal, not the refused edit
    else:
        initial = {f: getattr(opp, f) for f in services.DEAL_FIELDS}
        form = OpportunityEditForm(initial={**initial, "version": opp.version})
    return render(request, "pipeline/form.html", _edit_context(request, opp, form), status=status)


@login_required
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager hands the deal to another selling user, with a reason."""
    opp = _visible_opportunity(request, pk)
    caps = _caps(request)
    if not permissions.can_reassign(caps, owner_unit_id=opp.owner.unit_id):
        raise PermissionDenied(_("Only the owner's managers may hand the deal to someone else."))
    form = ReassignForm(request.POST, candidates=reassign_candidates(caps, exclude=opp.owner_id))
    if form.is_valid():
        try:
            services.opportunity_reassign(
                actor=request.user,  # type: ignore[arg-type]
                opportunity=opp,
                owner=form.cleaned_data["owner"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("“%(name)s” now belongs to %(owner)s.")
                % {"name": opp, "owner": form.cleaned_data["owner"]},
            )
            return redirect(_detail_url(opp))
    initial = {f: getattr(opp, f) for f in services.DEAL_FIELDS}
    edit_form = OpportunityEditForm(initial={**initial, "version": opp.version})
    context = _edit_context(request, opp, edit_form, form)
    return render(request, "pipeline/form.html", context, status=400)
