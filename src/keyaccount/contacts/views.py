"""Pages to add and edit a customer's contacts (routed in ``customers/urls.py``)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from keyaccount.core.versioning import StaleEditError
from keyaccount.customers import permissions
from keyaccount.customers.models import Customer
from keyaccount.customers.tabs import TabRequest
from keyaccount.org.requests import AuthenticatedRequest
from keyaccount.org.visibility import get_visible_or_404

from . import selectors, services
from .forms import ContactForm
from .models import Contact


def customer_tab(tab: TabRequest) -> dict[str, Any]:
    """The customer page's *Contacts* tab: the contacts and their org chart."""
    contacts = list(selectors.contacts_for(user=tab.user, customer=tab.customer))
    roots = selectors.org_chart(contacts)
    customer = tab.customer
    if len(roots) == 1:
        tree: dict[str, Any] | None = roots[0]
    elif roots:
        tree = {"name": customer.short_name or customer.name, "root": True, "children": roots}
    else:
        tree = None
    return {"contacts": contacts, "chart": tree}


def _contacts_tab(customer: Customer) -> str:
    return reverse("customers:detail", args=[customer.pk]) + "?tab=contacts"


def _check_may_edit(request: AuthenticatedRequest, customer: Customer) -> None:
    caps = permissions.capabilities_for(request.user)
    if not permissions.can_edit_contacts(caps, customer.owner_id, customer.owner.unit_id):
        raise PermissionDenied(_("You may not change this customer's contacts."))


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    customer = get_visible_or_404(
        Customer.objects.select_related("owner__unit"), request.user, pk=pk
    )
    _check_may_edit(request, customer)
    colleagues = selectors.contacts_for(user=request.user, customer=customer)
    status = 200
    if request.method == "POST":
        form = ContactForm(request.POST, colleagues=colleagues, editing=False)
        status = 400
        if form.is_valid():
            try:
                contact = services.contact_create(
                    actor=request.user,
                    customer=customer,
                    data=form.data_for_service(),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Contact %(name)s added.") % {"name": contact})
                return redirect(_contacts_tab(customer))
    else:
        form = ContactForm(
            colleagues=colleagues,
            editing=False,
            initial={"reports_to": request.GET.get("reports_to") or None},
        )
    context = {"customer": customer, "form": form, "contact": None}
    return render(request, "contacts/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contact = get_visible_or_404(
        Contact.objects.select_related("customer__owner__unit", "reports_to"),
        request.user,
        pk=pk,
    )
    customer = contact.customer
    _check_may_edit(request, customer)
    colleagues = selectors.contacts_for(user=request.user, customer=customer).exclude(pk=pk)
    title, status = str(contact), 200
    if request.method == "POST":
        form = ContactForm(request.POST, colleagues=colleagues, editing=True)
        status = 400
        if form.is_valid():
            try:
                services.contact_update(
                    actor=request.user,
                    contact=contact,
                    data=form.data_for_service(),
                    expected_version=form.cleaned_data["version"],
                )
            except StaleEditError as exc:
                form.add_error(None, exc.message)
                status = 409
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Contact %(name)s saved.") % {"name": contact})
                return redirect(_contacts_tab(customer))
    else:
        form = ContactForm(
            instance=contact,
            colleagues=colleagues,
            editing=True,
            initial={"version": contact.version},
        )
    context = {"customer": customer, "form": form, "contact": contact, "title": title}
    return render(request, "contacts/form.html", context, status=status)
