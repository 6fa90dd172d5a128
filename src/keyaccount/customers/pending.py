"""The customers app's part of the home page's pending work (``core.pending``)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from keyaccount.core.pending import PendingItem
from keyaccount.org.capabilities import capabilities_for

from .models import RegistrationRequest


def pending_work(user: Any) -> list[PendingItem]:
    caps = capabilities_for(user)
    items: list[PendingItem] = []
    if caps.everything or caps.assisted_unit_ids:
        queue = RegistrationRequest.objects.filter(decision=RegistrationRequest.Decision.PENDING)
        if not caps.everything:
            queue = queue.filter(customer__owner_unit_id__in=sorted(caps.assisted_unit_ids))
        items.append(
            PendingItem(
                key="customers.registrations",
                label=_("Registrations to approve"),
                count=queue.count(),
                url=reverse("customers:registrations"),
                hint=_("Check each request for duplicates, then approve or reject it."),
                tone="warning",
                order=10,
            )
        )
    if caps.sells:
        mine = RegistrationRequest.objects.filter(
            decision=RegistrationRequest.Decision.PENDING, requested_by_id=user.pk
        )
        items.append(
            PendingItem(
                key="customers.my_registrations",
                label=_("My registration requests awaiting a decision"),
                count=mine.count(),
                url=reverse("customers:list") + "?status=pending",
                hint=_("The department assistant decides them; you are notified."),
                tone="secondary",
                order=90,
            )
        )
    return items
