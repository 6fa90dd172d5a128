"""The power map of a deal and its buying roles: the customer's org chart coloured by each
contact's attitude to us and sized by their influence, the table of the contacts involved in the
deal, and the form that sets (or removes) a contact's buying role.

Personal motives are sensitive: they only appear on this page, behind the deal's visibility
(404 outside it). The deal's team and the owner's managers edit the roles (403 for the rest).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from keyaccount.core.http import safe_next, wants_fragment
from keyaccount.customers.models import Customer
from keyaccount.org.requests import AuthenticatedRequest

from .. import exporting, rules, selectors, services
from ..access import buying_role_for, opportunity_for
from ..forms_risk import BuyingRoleForm
from ..models import Opportunity
from ._common import render_page_or_fragment, require_work

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


def _int(value: str | None) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


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
    request: AuthenticatedRequest,
    opp: Opportunity,
    *,
    form: BuyingRoleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    access = services.access(request.user, opp)
    entries = exporting.buying_roles(opp)
    if form is None:
        initial: dict[str, Any] = {"attitude": rules.Attitude.UNKNOWN}
        if wants_fragment(request):
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
    return render_page_or_fragment(
        request,
        "pipeline/power_map.html",
        "pipeline/partials/power_map.html",
        context,
        status=status,
    )


@login_required
@require_GET
def power_map(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The customer's org chart coloured by attitude and sized by influence, the involved
    contacts' table, and the form for their buying roles. A fragment for the htmx tab."""
    return _render_power_map(request, opportunity_for(request.user, pk))


def _power_map_url(opp: Opportunity) -> str:
    return reverse("pipeline:power_map", args=[opp.pk])


@login_required
@require_POST
def buying_role_set(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Add or update a contact's buying role, influence, attitude and motives in this deal."""
    opp = opportunity_for(request.user, pk)
    require_work(services.access(request.user, opp))
    form = BuyingRoleForm(request.POST, opportunity=opp)
    if form.is_valid():
        contact = form.cleaned_data["contact"]
        try:
            services.buying_role_set(
                actor=request.user, opportunity=opp, contact=contact, data=form.role_data()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Buying role of %(contact)s saved.") % {"contact": contact})
            return redirect(safe_next(request, form.cleaned_data.get("next"), _power_map_url(opp)))
    return _render_power_map(request, opp, form=form, status=400)


@login_required
@require_POST
def buying_role_remove(request: AuthenticatedRequest, pk: int, contact_id: int) -> HttpResponse:
    """The contact plays no part in this deal any more (their other deals keep theirs)."""
    opp = opportunity_for(request.user, pk)
    require_work(services.access(request.user, opp))
    entry = buying_role_for(opp, contact_id)
    services.buying_role_remove(actor=request.user, opportunity=opp, contact=entry.contact)
    messages.success(
        request, _("%(contact)s removed from the power map.") % {"contact": entry.contact}
    )
    return redirect(safe_next(request, request.POST.get("next"), _power_map_url(opp)))
