"""The power map and buying roles, the risk assessment form (风险评估表) with a sales
director's decision, and the printable / Excel forms (风险评估表, 大客户跟进表).

Every view reads the same way: check access → parse → one service or selector call → render
the page (or the htmx fragment) or redirect. An opportunity (or an assessment of one) outside
the user's visibility is a 404; an action the user may not take on a deal they can see is a 403.
Personal motives are sensitive: they only appear on these pages, behind that visibility.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyaccount.core.excel import content_disposition
from keyaccount.customers.models import Customer

from . import exporting, rules, selectors, services
from .forms_risk import BuyingRoleForm, RiskAssessmentForm, RiskDecideForm
from .models import BuyingRoleEntry, Opportunity, RiskAssessment, RiskFactor

#: Node colours of the power map by attitude to us; the page's legend uses the same.
ATTITUDE_COLORS = {
    rules.Attitude.SUPPORTER: "#2fb344",
    rules.Attitude.NEUTRAL: "#4f7cac",
    rules.Attitude.OPPONENT: "#d63939",
    rules.Attitude.UNKNOWN: "#b8c0ca",
}
UNINVOLVED_COLOR = "#e3e7ec"
#: Node sizes (px) by influence; contacts not involved in the deal are the smallest.
INFLUENCE_SIZES = {rules.Influence.HIGH: 34, rules.Influence.MEDIUM: 24, rules.Influence.LOW: 16}
UNINVOLVED_SIZE = 10


# --- helpers --------------------------------------------------------------------------------


def _visible(request: HttpRequest, pk: int) -> Opportunity:
    """The opportunity if the user may see it; otherwise 404, as if it did not exist."""
    queryset = selectors.detail_queryset(user=request.user).select_related(
        "customer__region__parent"
    )
    return get_object_or_404(queryset, pk=pk)


def _visible_assessment(request: HttpRequest, pk: int) -> RiskAssessment:
    """An assessment of an opportunity the user may see; otherwise 404."""
    queryset = exporting.risk_assessment_queryset(selectors.visible(request.user))
    return get_object_or_404(queryset, pk=pk)


def _access(request: HttpRequest, opp: Opportunity) -> Any:
    return services.access(request.user, opp)  # type: ignore[arg-type]


def _require_work(request: HttpRequest, opp: Opportunity) -> None:
    if not _access(request, opp).work:
        raise PermissionDenied(_("Only the deal's team and their managers may do this."))


def _partial(request: HttpRequest) -> bool:
    """An htmx request for a fragment (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _download(export: exporting.Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition(export.file_name)
    response["Cache-Control"] = "private, no-store"
    return response


def _int(value: str | None) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


# --- the power map --------------------------------------------------------------------------


def _chart_node(node: dict[str, Any]) -> dict[str, Any]:
    """A contact of ``selectors.power_map`` with what the chart draws: colour by attitude,
    size by influence, faded when not involved in the deal."""
    involved = node.get("involved", False)
    return {
        **node,
        "color": ATTITUDE_COLORS.get(node["attitude"], ATTITUDE_COLORS[rules.Attitude.UNKNOWN])
        if involved
        else UNINVOLVED_COLOR,
        "size": INFLUENCE_SIZES.get(node["influence"], INFLUENCE_SIZES[rules.Influence.LOW])
        if involved
        else UNINVOLVED_SIZE,
        "children": [_chart_node(child) for child in node.get("children", [])],
    }


def power_map_chart(opp: Opportunity) -> dict[str, Any] | None:
    """The tree the page draws (several top people hang under the customer's name), or None
    when the customer has no contacts."""
    data = selectors.power_map(opp)
    roots = [_chart_node(r) for r in data["roots"]]
    if not roots:
        return None
    tree = (
        roots[0]
        if len(roots) == 1
        else {"name": opp.customer.short_name or opp.customer.name, "root": True, "children": roots}
    )
    return {"tree": tree, "involved": data["involved"], "contacts": data["contacts"]}


def _legend() -> list[dict[str, str]]:
    return [
        *({"key": a.value, "label": str(a.label)} for a in rules.Attitude),
        {"key": "uninvolved", "label": _("Not involved in this deal")},
    ]


def _render_power_map(
    request: HttpRequest,
    opp: Opportunity,
    *,
    form: BuyingRoleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    access = _access(request, opp)
    partial = _partial(request)
    entries = exporting.buying_roles(opp)
    if form is None:
        initial: dict[str, Any] = {"attitude": rules.Attitude.UNKNOWN}
        if partial:
            # Back to the page the tab was opened on (the opportunity page) after saving.
            htmx = getattr(request, "htmx", None)
            initial["next"] = getattr(htmx, "current_url_abs_path", None) or ""
        editing = _int(request.GET.get("edit"))
        entry = next((e for e in entries if e.contact_id == editing), None)
        if entry is not None:
            initial.update({name: getattr(entry, name) for name in services.BUYING_FIELDS})
            initial["contact"] = entry.contact_id
        elif editing is not None:
            initial["contact"] = editing
        form = BuyingRoleForm(opportunity=opp, initial=initial)
    context = {
        "opp": opp,
        "may_work": access.work,
        "chart": power_map_chart(opp),
        "legend": _legend(),
        "entries": entries,
        "form": form,
        "customer_contacts_url": (
            reverse("customers:detail", args=[opp.customer_id]) + "?tab=contacts"
            if Customer.objects.visible_to(request.user).filter(pk=opp.customer_id).exists()
            else ""
        ),
    }
    template = "pipeline/partials/power_map.html" if partial else "pipeline/power_map.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def power_map(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer's org chart coloured by attitude and sized by influence, the involved
    contacts' table, and the form for their buying roles. A fragment for the htmx tab."""
    return _render_power_map(request, _visible(request, pk))


def _power_map_url(opp: Opportunity) -> str:
    return reverse("pipeline:power_map", args=[opp.pk])


@login_required
@require_POST
def buying_role_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or update a contact's buying role, influence, attitude and motives in this deal."""
    opp = _visible(request, pk)
    _require_work(request, opp)
    form = BuyingRoleForm(request.POST, opportunity=opp)
    if form.is_valid():
        contact = form.cleaned_data["contact"]
        try:
            services.buying_role_set(
                actor=request.user,  # type: ignore[arg-type]
                opportunity=opp,
                contact=contact,
                data=form.role_data(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Buying role of %(contact)s saved.") % {"contact": contact})
            return redirect(_safe_next(request, form.cleaned_data.get("next"), _power_map_url(opp)))
    return _render_power_map(request, opp, form=form, status=400)


@login_required
@require_POST
def buying_role_remove(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    """The contact plays no part in this deal any more (their other deals keep theirs)."""
    opp = _visible(request, pk)
    _require_work(request, opp)
    entry = get_object_or_404(
        BuyingRoleEntry.objects.select_related("contact"), opportunity=opp, contact_id=contact_id
    )
    services.buying_role_remove(
        actor=request.user,  # type: ignore[arg-type]
        opportunity=opp,
        contact=entry.contact,
    )
    messages.success(
        request, _("%(contact)s removed from the power map.") % {"contact": entry.contact}
    )
    return redirect(_safe_next(request, request.POST.get("next"), _power_map_url(opp)))


# --- the risk assessment form (风险评估表) --------------------------------------------------


def _factors() -> list[RiskFactor]:
    return list(RiskFactor.objects.filter(is_active=True).order_by("order", "code"))


@login_required
@require_http_methods(["GET", "POST"])
def risk_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill the risk assessment form: every active factor scored 0–5 with a note. High risk
    recommends abandoning and waits for a sales director's decision."""
    opp = _visible(request, pk)
    _require_work(request, opp)
    status = 200
    if request.method == "POST":
        form = RiskAssessmentForm(request.POST, factors=_factors())
        status = 400
        if form.is_valid():
            try:
                assessment = services.risk_assess(
                    actor=request.user,  # type: ignore[arg-type]
                    opportunity=opp,
                    assessed_on=form.cleaned_data["assessed_on"],
                    scores=form.scores(),
                    summary=form.cleaned_data["summary"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                text = _("Risk assessed: %(level)s (%(total)s%%).") % {
                    "level": assessment.get_level_display(),
                    "total": assessment.total,
                }
                if assessment.level == rules.RiskLevel.HIGH:
                    score = _("Risk score %(total)s%%.") % {"total": assessment.total}
                    messages.warning(
                        request, f"{score} {exporting.recommendation(assessment.level)}"
                    )
                else:
                    messages.success(request, text)
                return redirect("pipeline:risk_form", pk=assessment.pk)
    else:
        form = RiskAssessmentForm(factors=_factors(), initial={"assessed_on": timezone.localdate()})
    context = {
        "opp": opp,
        "form": form,
        "rows": form.rows(),
        "thresholds": services.thresholds(),
        "high_advice": exporting.recommendation(rules.RiskLevel.HIGH),
        "earlier": selectors.risk_assessments(opp),
    }
    return render(request, "pipeline/risk_new.html", context, status=status)


def _render_risk_form(
    request: HttpRequest,
    assessment: RiskAssessment,
    *,
    decide_form: RiskDecideForm | None = None,
    status: int = 200,
) -> HttpResponse:
    opp = assessment.opportunity
    may_decide = (
        assessment.decision == rules.RiskDecision.PENDING and _access(request, opp).override
    )
    context = {
        "assessment": assessment,
        "opp": opp,
        "form": exporting.risk_form(assessment),
        "pending": assessment.decision == rules.RiskDecision.PENDING,
        "may_decide": may_decide,
        "decide_form": decide_form or (RiskDecideForm() if may_decide else None),
    }
    return render(request, "pipeline/risk_form.html", context, status=status)


@login_required
@require_GET
def risk_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable risk assessment form, with the decide form for a sales director."""
    return _render_risk_form(request, _visible_assessment(request, pk))


@login_required
@require_GET
def risk_export(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(exporting.export_risk_form(_visible_assessment(request, pk)))


@login_required
@require_POST
def risk_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """A sales director continues or abandons a high-risk deal, with a reason."""
    assessment = _visible_assessment(request, pk)
    opp = assessment.opportunity
    if not _access(request, opp).override:
        raise PermissionDenied(_("Only a sales director decides on a high-risk deal."))
    form = RiskDecideForm(request.POST)
    if form.is_valid():
        try:
            services.risk_decide(
                actor=request.user,  # type: ignore[arg-type]
                assessment=assessment,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            text = (
                _("Decided: %(name)s continues.")
                if form.cleaned_data["decision"] == rules.RiskDecision.CONTINUE
                else _("Decided: %(name)s is abandoned.")
            )
            messages.success(request, text % {"name": opp.name})
            return redirect("pipeline:detail", pk=opp.pk)
    assessment.refresh_from_db()
    return _render_risk_form(request, assessment, decide_form=form, status=400)


# --- the KA follow-up form (大客户跟进表) ---------------------------------------------------


@login_required
@require_GET
def follow_up_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The KA follow-up form as a page to print on A4."""
    opp = _visible(request, pk)
    return render(
        request,
        "pipeline/follow_up_form.html",
        {"opp": opp, "form": exporting.follow_up_form(opp)},
    )


@login_required
@require_GET
def follow_up_export(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(exporting.export_follow_up_form(_visible(request, pk)))
