"""Opening, editing and handing over a deal: the short form that opens one on a registered
customer, the edit form (a stale edit is refused naming who saved in between), a manager
handing the deal to another selling user, and the customer page's *Opportunities* tab.

A customer or opportunity outside the user's visibility is a 404; one they see but may not act
on is a 403.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyaccount.core.versioning import StaleEditError
from keyaccount.customers.access import customer_for
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.customers.tabs import TabRequest
from keyaccount.org.requests import AuthenticatedRequest

from .. import permissions, selectors, services
from ..access import opportunity_for
from ..forms import OpportunityCreateForm, OpportunityEditForm, ReassignForm
from ..models import Opportunity
from ._common import detail_url


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


# --- opening --------------------------------------------------------------------------------


def _chosen_customer(
    request: AuthenticatedRequest, caps: permissions.Capabilities
) -> Customer | None:
    """The customer named by ``?customer=`` (or the posted form): 404 outside the user's
    visibility, 403 when they see it but may not open a deal on it."""
    raw = request.POST.get("customer") if request.method == "POST" else None
    raw = raw or request.GET.get("customer")
    if not raw:
        return None
    customer = customer_for(request.user, raw)
    if not permissions.can_open_deal(
        caps, customer_owner_id=customer.owner_id, owner_unit_id=customer.owner.unit_id
    ):
        raise PermissionDenied(
            _("Only the customer's owner and their managers open opportunities on it.")
        )
    return customer


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request: AuthenticatedRequest) -> HttpResponse:
    """A deal opened on a registered customer in seconds: name, amount, date, and go."""
    caps = permissions.capabilities_for(request.user)
    customer = _chosen_customer(request, caps)
    if customer is None and not permissions.may_open_deals(caps):
        raise PermissionDenied(_("Your role does not open opportunities."))
    none_to_pick = customer is None and not (
        selectors.customers_for_new_deal(user=request.user).exists()
    )
    status = 200
    if request.method == "POST":
        form = OpportunityCreateForm(request.POST, customer=customer, user=request.user)
        status = 400
        if form.is_valid() and customer is not None:
            try:
                opp = services.opportunity_create(
                    actor=request.user, customer=customer, data=form.deal_data()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Opportunity “%(name)s” opened.") % {"name": opp})
                return redirect(detail_url(opp))
    else:
        form = OpportunityCreateForm(customer=customer, user=request.user)
    context = {"form": form, "customer": customer, "mode": "create", "none_to_pick": none_to_pick}
    return render(request, "pipeline/form.html", context, status=status)


# --- editing and handing over -----------------------------------------------------------------


def _edit_context(
    request: AuthenticatedRequest,
    opp: Opportunity,
    form: OpportunityEditForm,
    reassign_form: ReassignForm | None = None,
) -> dict[str, Any]:
    caps = permissions.capabilities_for(request.user)
    may_reassign = permissions.can_reassign(caps, owner_unit_id=opp.owner.unit_id)
    if may_reassign and reassign_form is None:
        reassign_form = ReassignForm(user=request.user, current_owner=opp.owner_id)
    return {
        "opp": opp,
        "customer": opp.customer,
        "form": form,
        "mode": "edit",
        "stage_probability": opp.stage.probability,
        "reassign_form": reassign_form if may_reassign else None,
    }


def _edit_form(opp: Opportunity) -> OpportunityEditForm:
    """The edit form filled with the stored deal."""
    initial = {f: getattr(opp, f) for f in services.DEAL_FIELDS}
    return OpportunityEditForm(initial={**initial, "version": opp.version})


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Every field of the deal, refused (409) when someone saved in between."""
    opp = opportunity_for(request.user, pk)
    if not services.access(request.user, opp).run:
        raise PermissionDenied(_("Only the deal's owner and their managers may edit it."))
    status = 200
    if request.method == "POST":
        form = OpportunityEditForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.opportunity_update(
                    actor=request.user,
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
                return redirect(detail_url(opp))
            opp = opportunity_for(request.user, pk)  # the stored deal, not the refused edit
    else:
        form = _edit_form(opp)
    return render(request, "pipeline/form.html", _edit_context(request, opp, form), status=status)


@login_required
@require_POST
def reassign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A manager hands the deal to another selling user, with a reason."""
    opp = opportunity_for(request.user, pk)
    caps = permissions.capabilities_for(request.user)
    if not permissions.can_reassign(caps, owner_unit_id=opp.owner.unit_id):
        raise PermissionDenied(_("Only the owner's managers may hand the deal to someone else."))
    form = ReassignForm(request.POST, user=request.user, current_owner=opp.owner_id)
    if form.is_valid():
        try:
            services.opportunity_reassign(
                actor=request.user,
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
            return redirect(detail_url(opp))
    context = _edit_context(request, opp, _edit_form(opp), form)
    return render(request, "pipeline/form.html", context, status=400)
