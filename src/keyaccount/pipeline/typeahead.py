"""Type-ahead sources of the pipeline (``core.typeahead``): the lists' owner filter, the
customers a deal may be opened on, and whom a deal may be handed to."""

from keyaccount.core.typeahead import register
from keyaccount.customers.typeahead import customer_source
from keyaccount.org.typeahead import people_source

from . import permissions, selectors
from .forms import NEW_DEAL_CUSTOMERS, OWNERS, REASSIGN, reassign_people


def register_sources() -> None:
    register(OWNERS, people_source(lambda user: selectors.owners_for_filter(user=user)))
    register(
        NEW_DEAL_CUSTOMERS,
        customer_source(lambda user: selectors.customers_for_new_deal(user=user)),
    )
    register(
        REASSIGN, people_source(lambda user: reassign_people(permissions.capabilities_for(user)))
    )
