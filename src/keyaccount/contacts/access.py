"""The one fetch-or-404 for contacts, used by pages and the API: a contact of a customer the
user may not see is the same 404 as a missing one (rule 2)."""

from keyaccount.org.requests import Viewer
from keyaccount.org.visibility import get_visible_or_404

from .models import Contact


def contact_for(user: Viewer, pk: object) -> Contact:
    """A visible contact with its customer (and the customer's owner's unit), or 404."""
    queryset = Contact.objects.select_related("customer__owner__unit", "reports_to")
    return get_visible_or_404(queryset, user, pk=pk)
