"""Type-ahead sources of the customers app (``core.typeahead``): the KA list's owner filter,
the customers a list can be narrowed to, and the people a head may allocate customers to."""

from typing import Any

from django.db.models import QuerySet

from keyaccount.core.i18n import is_chinese
from keyaccount.core.typeahead import Option, Source, register
from keyaccount.org.typeahead import people_source

from . import permissions
from .filters import OWNERS
from .forms import allocatable_people
from .models import Customer
from .selectors import matching, owners_for_filter


def customer_options(customers: QuerySet[Customer], text: str, limit: int) -> list[Option]:
    """The first ``limit`` of ``customers`` found by ``text`` (``selectors.matching``), by
    pinyin, each with its region."""
    if text:
        customers = customers.filter(matching(text))
    rows = customers.order_by("pinyin_sort", "id").values_list(
        "pk", "name", "region__name_zh", "region__name_en"
    )[:limit]
    chinese = is_chinese()
    return [
        Option(pk, name, (zh or en if chinese else en or zh) or "") for pk, name, zh, en in rows
    ]


def customer_source(offered: Any) -> Source:
    """A source of the customers ``offered(user)`` (a queryset) holds."""
    return Source(
        search=lambda user, text, limit: customer_options(offered(user), text, limit),
        pick=lambda user, ids: {
            o.id: o for o in customer_options(offered(user).filter(pk__in=ids), "", len(ids))
        },
    )


def register_sources() -> None:
    register(OWNERS, people_source(lambda user: owners_for_filter(user=user)))
    register("customers", customer_source(lambda user: Customer.objects.visible_to(user)))
    register(
        "allocatable",
        people_source(lambda user: allocatable_people(permissions.capabilities_for(user))),
    )
