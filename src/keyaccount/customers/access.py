"""The one fetch-or-404 per object type of customers, used by pages, the API and exports.

A customer outside the user's visibility, a missing one and a malformed or out-of-range id are
the same 404 (rule 2, ``core.lookup``).
"""

from keyaccount.core.lookup import get_or_404
from keyaccount.org.requests import Viewer

from . import selectors
from .models import Customer, RegistrationRequest


def customer_for(user: Viewer, pk: object) -> Customer:
    """A visible customer with its region, industry and owner's unit, or 404."""
    return get_or_404(selectors.customer_detail_queryset(user=user), pk=pk)


def registration_for(user: Viewer, pk: object, *, decision: str = "") -> RegistrationRequest:
    """A registration request of a visible customer (optionally only in ``decision``), or 404."""
    return get_or_404(selectors.registration_queue(user=user, decision=decision), pk=pk)
