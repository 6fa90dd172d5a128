"""Customer pages: the KA list, the customer page with its tabs and forms, profile edits,
registration and its queue, allocation, scorecard, grade and evaluations.

Every view reads the same way: check access → parse → one service or selector call → render
the page (or the htmx fragment) or redirect. A customer outside the user's visibility is a 404;
an action the user may not take on a customer they can see is a 403.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyaccount.core.lookup import MAX_ID
from keyaccount.core.versioning import StaleEditError
from keyaccount.org.requests import AuthenticatedRequest

from . import access, permissions, selectors, services
from .filters import CustomerFilterForm
from .forms import (
    AMOUNT_HINT,
    AllocateForm,
    BulkDecideForm,
    DecideForm,
    DuplicateCheckForm,
    EvaluationForm,
    GradeForm,
    ProfileForm,
    RegistrationForm,
    ScorecardForm,
    allocation_query_ids,
)
from .models import Customer, RegistrationRequest, ScoringFactor
from .rules import DuplicateReason
from .views_detail import detail_context

PAGE_SIZE = 50


# --- helpers --------------------------------------------------------------------------------


def _caps(request: AuthenticatedRequest) -> permissions.Capabilities:
    return permissions.capabilities_for(request.user)


def _visible_customer(request: AuthenticatedRequest, pk: int) -> Customer:
    return access.customer_for(request.user, pk)


def _partial(request: AuthenticatedRequest) -> bool:
    """An htmx request for a fragment (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def io_url(name: str, *args: Any, query: str = "") -> str | None:
    """A link to the import/export pages, or None where they are not installed."""
    try:
        url = reverse(f"customers_io:{name}", args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def _safe_next(request: AuthenticatedRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _detail_url(customer: Customer, tab: str = "") -> str:
    url = reverse("customers:detail", args=[customer.pk])
    return f"{url}?tab={tab}" if tab and tab != "profile" else url


def _may_import(caps: permissions.Capabilities) -> bool:
    return permissions.can_import(caps)


def _may_allocate_somewhere(caps: permissions.Capabilities) -> bool:
    return caps.everything or bool(caps.head_unit_ids)


# --- the KA list (大客户名单) ------------------------------------------------------------------


@login_required
@require_GET
def customer_list(request: AuthenticatedRequest) -> HttpResponse:
    """The KA list: filters in the query string (shareable), htmx swaps only the results."""
    caps = _caps(request)
    form = CustomerFilterForm(request.GET, choices=selectors.filter_choices(user=request.user))
    filters, ignored = form.filters()
    customers = selectors.customer_list(user=request.user, filters=filters)
    # Paginator counts with one COUNT(*) without ordering or joins for select_related.
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    export_query = request.GET.copy()
    export_query.pop("page", None)
    allocate_form = None
    if _may_allocate_somewhere(caps):
        allocate_form = AllocateForm(user=request.user, initial={"next": request.get_full_path()})
    context = {
        "form": form,
        "filters": filters,
        "ignored": ignored,
        "page": page,
        "sort": filters.sort,
        "allocate_form": allocate_form,
        "may_register": permissions.can_request_registration(caps),
        "import_url": io_url("import") if _may_import(caps) else None,
        "template_url": io_url("template") if _may_import(caps) else None,
        "export_xlsx": io_url("export_list", query=_with(export_query, format="xlsx")),
        "export_csv": io_url("export_list", query=_with(export_query, format="csv")),
    }
    template = "customers/list.html#results" if _partial(request) else "customers/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _with(query: Any, **extra: str) -> str:
    q = query.copy()
    for key, value in extra.items():
        q[key] = value
    return str(q.urlencode())


# --- the customer page ------------------------------------------------------------------------


@login_required
@require_GET
def customer_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    customer = _visible_customer(request, pk)
    return _render_detail(request, customer, request.GET.get("tab", "profile"))


def _render_detail(
    request: AuthenticatedRequest,
    customer: Customer,
    tab: str,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = detail_context(request, customer, tab, bound=bound or {})
    context["io"] = {
        "export_profile": io_url("export_profile", customer.pk),
        "print_profile": io_url("print_profile", customer.pk),
        "export_evaluations": io_url("export_evaluations", customer.pk),
    }
    return render(request, "customers/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The customer profile form (客户档案表), refused when someone saved in between."""
    customer = _visible_customer(request, pk)
    if not permissions.can_edit_profile(_caps(request), customer.owner_id, customer.owner.unit_id):
        raise PermissionDenied(_("You may not edit this customer's profile."))
    title, status = customer.name, 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.customer_update(
                    actor=request.user,
                    customer=customer,
                    data=form.profile_data(),
                    expected_version=form.cleaned_data["version"],
                )
            except StaleEditError as exc:
                form.add_error(None, exc.message)
                status = 409
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Profile of %(name)s saved.") % {"name": customer})
                return redirect(_detail_url(customer))
    else:
        initial = {f: getattr(customer, f) for f in services.PROFILE_FIELDS}
        initial.update(
            region=customer.region_id, industry=customer.industry_id, version=customer.version
        )
        form = ProfileForm(initial=initial)
    context = {"customer": customer, "title": title, "form": form}
    return render(request, "customers/edit.html", context, status=status)


# --- registration (备案登记) -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def register(request: AuthenticatedRequest) -> HttpResponse:
    """A KAM asks to register a customer; likely duplicates must be confirmed as different."""
    if not permissions.can_request_registration(_caps(request)):
        raise PermissionDenied(_("Only account managers and key account managers register."))
    duplicates: list[selectors.DuplicateView] = []
    status = 200
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                result = services.registration_request(
                    actor=request.user,
                    data=form.profile_data(),
                    confirm_not_duplicate=form.cleaned_data["confirm_not_duplicate"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                if result.request is not None:
                    messages.success(
                        request,
                        _(
                            "Registration of %(name)s requested. The KA department assistant "
                            "will approve or reject it."
                        )
                        % {"name": result.request.customer},
                    )
                    return redirect(_detail_url(result.request.customer))
                duplicates = result.duplicates
                if form.cleaned_data["duplicates_seen"]:
                    form.add_error(
                        "confirm_not_duplicate",
                        _("Tick the box if this is really a different company."),
                    )
                else:
                    status = 200
    else:
        form = RegistrationForm(initial={"name": request.GET.get("name", "")[:120]})
    context = {"form": form, "duplicates": duplicates, "amount_hint": AMOUNT_HINT}
    return render(request, "customers/register.html", context, status=status)


@login_required
@require_GET
def register_check(request: AuthenticatedRequest) -> HttpResponse:
    """Likely duplicates of the name being typed (an htmx fragment of the registration form)."""
    if not permissions.can_request_registration(_caps(request)):
        raise PermissionDenied
    form = DuplicateCheckForm(request.GET)
    duplicates: list[selectors.DuplicateView] = []
    searched = False
    if form.is_valid():
        name, code = form.cleaned_data["name"].strip(), form.cleaned_data["credit_code"].strip()
        searched = len(name) >= 2 or len(code) >= 18
        if searched:
            duplicates = selectors.find_likely_duplicates(name=name, credit_code=code)
    return render(
        request,
        "customers/partials/duplicates.html",
        {"duplicates": duplicates, "live": True, "checked": searched},
    )


def _registration_rows(
    caps: permissions.Capabilities, requests: Any, failed: tuple[int, DecideForm] | None
) -> list[dict[str, Any]]:
    labels = dict(DuplicateReason.choices)
    rows = []
    for r in requests:
        form = failed[1] if failed and failed[0] == r.pk else DecideForm()
        rows.append(
            {
                "request": r,
                "can_decide": permissions.can_decide_registration(caps, r.customer.owner.unit_id),
                "duplicates": [
                    {**d, "reason_label": labels.get(d.get("reason", ""), "")}
                    for d in (r.duplicates_shown or [])
                ],
                "form": form,
            }
        )
    return rows


def _render_registrations(
    request: AuthenticatedRequest,
    tab: str,
    *,
    failed: tuple[int, DecideForm] | None = None,
    bulk: BulkDecideForm | None = None,
    status: int = 200,
) -> HttpResponse:
    caps = _caps(request)
    pending = selectors.registration_queue(user=request.user, decision="pending")
    if tab == "decided":
        decided = selectors.registration_queue(user=request.user, decision="").exclude(
            decision=RegistrationRequest.Decision.PENDING
        )
        page = Paginator(decided, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = _registration_rows(caps, page.object_list, None)
        pending_count = pending.count()
    else:
        page = None
        rows = _registration_rows(caps, list(pending), failed)
        pending_count = len(rows)
    context = {
        "tab": tab,
        "rows": rows,
        "page": page,
        "pending_count": pending_count,
        "failed_form": failed[1] if failed else None,
        "may_register": permissions.can_request_registration(caps),
        "bulk_form": bulk,
        "selected": set(request.POST.getlist("requests")) if bulk else set(),
        "can_decide_any": any(row["can_decide"] for row in rows),
    }
    return render(request, "customers/registrations.html", context, status=status)


@login_required
@require_GET
def registrations(request: AuthenticatedRequest) -> HttpResponse:
    """The assistant's queue; everyone else sees the requests for customers they can see."""
    tab = "decided" if request.GET.get("tab") == "decided" else "pending"
    return _render_registrations(request, tab)


@login_required
@require_POST
def decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    registration = access.registration_for(request.user, pk)
    _check_decider(request, [registration])
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.registration_decide(
                actor=request.user,
                request=registration,
                approve=form.approve,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            text = (
                _("%(name)s is registered; it belongs to %(owner)s.")
                if form.approve
                else _("Registration of %(name)s rejected.")
            )
            name, owner = registration.customer.name, registration.customer.owner
            messages.success(request, text % {"name": name, "owner": owner})
            return redirect("customers:registrations")
    return _render_registrations(request, "pending", failed=(registration.pk, form), status=400)


def _check_decider(request: AuthenticatedRequest, requests: list[RegistrationRequest]) -> None:
    caps = _caps(request)
    if not all(
        permissions.can_decide_registration(caps, r.customer.owner.unit_id) for r in requests
    ):
        raise PermissionDenied(
            _("Registration requests are decided by the KA department assistant.")
        )


@login_required
@require_POST
def decide_many(request: AuthenticatedRequest) -> HttpResponse:
    """The assistant approves, or rejects with one reason, the ticked requests at once."""
    posted = request.POST.getlist("requests")
    ids = sorted({int(v) for v in posted if v.isdigit() and 0 < int(v) <= MAX_ID})
    visible = selectors.registration_queue(user=request.user, decision="")
    found = list(visible.filter(pk__in=ids))
    if len(found) != len(ids) or len(ids) != len(set(posted)):
        raise Http404  # a request the user cannot see is the same as a missing one
    _check_decider(request, found)
    pending_ids = [r.pk for r in found if r.decision == RegistrationRequest.Decision.PENDING]
    form = BulkDecideForm(request.POST, pending_ids=pending_ids)
    if form.is_valid():
        try:
            decided = services.registrations_decide(
                actor=request.user,
                requests=found,
                approve=form.approve,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            n = len(decided)
            text = (
                ngettext("%(n)s customer registered.", "%(n)s customers registered.", n)
                if form.approve
                else ngettext("%(n)s registration rejected.", "%(n)s registrations rejected.", n)
            )
            messages.success(request, text % {"n": n})
            return redirect("customers:registrations")
    return _render_registrations(request, "pending", bulk=form, status=400)


# --- allocation ---------------------------------------------------------------------------------


def _customers_to_allocate(
    request: AuthenticatedRequest, caps: permissions.Capabilities, ids: list[int]
) -> list[Customer]:
    """The customers named by id: 404 unless the user sees every one, 403 unless the user may
    allocate every one."""
    customers = list(selectors.customer_list(user=request.user).filter(pk__in=ids))
    if len(customers) != len(ids):
        raise Http404
    if not all(permissions.can_allocate(caps, c.owner.unit_id) for c in customers):
        raise PermissionDenied(_("Only the department head allocates customers."))
    return customers


def _allocation_page_url(customers: list[Customer], next_url: str) -> str:
    """Where a visit shows the allocation page again for the same customers."""
    query = {"customers": ",".join(str(c.pk) for c in customers)} if customers else {}
    if next_url:
        query["next"] = next_url
    url = reverse("customers:allocate")
    return f"{url}?{urlencode(query)}" if query else url


@login_required
@require_http_methods(["GET", "POST"])
def allocate(request: AuthenticatedRequest) -> HttpResponse:
    """The department head (re)allocates customers to a manager, with a reason.

    A POST makes the change: the customers ticked on the KA list, or listed on this page. A GET
    (a bookmark, a refresh after a refused POST) shows this page for the customers its query
    names (``?customers=1,2``), or, naming none, says how to pick them on the KA list.
    """
    caps = _caps(request)
    if request.method == "GET":
        return _allocation_page(request, caps)
    form = AllocateForm(request.POST, user=request.user)
    customers = _customers_to_allocate(request, caps, form.customer_ids())
    if form.is_valid():
        try:
            moved = services.customers_allocate(
                actor=request.user,
                customers=customers,
                new_owner=form.cleaned_data["new_owner"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(count)s of %(total)s customers allocated to %(owner)s.")
                % {
                    "count": moved,
                    "total": len(customers),
                    "owner": form.cleaned_data["new_owner"],
                },
            )
            default = (
                _detail_url(customers[0], "history")
                if len(customers) == 1
                else reverse("customers:list")
            )
            return redirect(_safe_next(request, form.cleaned_data.get("next"), default))
    next_url = _safe_next(request, request.POST.get("next"), "")
    context = {
        "form": form,
        "customers": customers,
        "back": next_url or reverse("customers:list"),
        "page_url": _allocation_page_url(customers, next_url),
    }
    return render(request, "customers/allocate.html", context, status=400)


def _allocation_page(request: AuthenticatedRequest, caps: permissions.Capabilities) -> HttpResponse:
    """A visit: the form for the customers the query names, or how to pick them (no change)."""
    try:
        ids = allocation_query_ids(request.GET.getlist("customers"))
    except ValidationError:
        raise Http404 from None
    if not ids and not _may_allocate_somewhere(caps):
        raise PermissionDenied(_("Only the department head allocates customers."))
    customers = _customers_to_allocate(request, caps, ids)
    next_url = _safe_next(request, request.GET.get("next"), "")
    form = AllocateForm(user=request.user, initial={"next": next_url})
    context = {
        "form": form,
        "customers": customers,
        "back": next_url or reverse("customers:list"),
        "page_url": _allocation_page_url(customers, next_url),
    }
    return render(request, "customers/allocate.html", context)


# --- scorecard, grade, evaluations -------------------------------------------------------------


@login_required
@require_POST
def scores(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    customer = _visible_customer(request, pk)
    if not permissions.can_score(_caps(request), customer.owner_id, customer.owner.unit_id):
        raise PermissionDenied(_("Only the owner and their managers score this customer."))
    factors = list(ScoringFactor.objects.filter(is_active=True).order_by("order", "code"))
    form = ScorecardForm(request.POST, factors=factors)
    if form.is_valid():
        try:
            score, suggested = services.scores_save(
                actor=request.user,
                customer=customer,
                scores=form.scores(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if score is None:
                text = _("Scorecard saved. Score every factor to get a suggested grade.")
            else:
                text = _("Scorecard saved: weighted score %(score)s, suggested grade %(grade)s.")
            messages.success(request, text % {"score": score, "grade": suggested})
            return redirect(_detail_url(customer, "scorecard"))
    return _render_detail(request, customer, "scorecard", bound={"scores": form}, status=400)


@login_required
@require_POST
def grade(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    customer = _visible_customer(request, pk)
    if not permissions.can_grade(_caps(request), customer.owner.unit_id):
        raise PermissionDenied(
            _("Grades are set by the team manager, department head or director.")
        )
    form = GradeForm(request.POST)
    if form.is_valid():
        try:
            services.grade_set(
                actor=request.user,
                customer=customer,
                grade=form.cleaned_data["grade"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(name)s is now graded %(grade)s.")
                % {"name": customer, "grade": customer.grade},
            )
            return redirect(_detail_url(customer, "scorecard"))
    return _render_detail(request, customer, "scorecard", bound={"grade": form}, status=400)


@login_required
@require_POST
def evaluation_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    customer = _visible_customer(request, pk)
    if not permissions.can_evaluate(_caps(request), customer.owner_id, customer.owner.unit_id):
        raise PermissionDenied(_("Only the owner and their managers evaluate this customer."))
    form = EvaluationForm(request.POST)
    if form.is_valid():
        try:
            services.evaluation_create(
                actor=request.user,
                customer=customer,
                data=form.cleaned_data,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Evaluation saved."))
            return redirect(_detail_url(customer, "evaluations"))
    return _render_detail(request, customer, "evaluations", bound={"evaluation": form}, status=400)
