from typing import Any

from django.db.models import QuerySet

from keyaccount.customers.models import Customer

from .models import Contact


def contacts_for(*, user: Any, customer: Customer) -> QuerySet[Contact]:
    return (
        Contact.objects.visible_to(user)
        .filter(customer=customer)
        .select_related("reports_to")
        .order_by("pinyin_sort", "id")  # by pinyin (``core.pinyin``)
    )


def org_chart(contacts: list[Contact]) -> list[dict[str, Any]]:
    """Contacts as a forest for the org chart: each node with its direct reports."""
    by_id: dict[int, dict[str, Any]] = {
        c.pk: {
            "id": c.pk,
            "name": c.name,
            "title": c.title,
            "department": c.department,
            "active": c.is_active,
            "children": [],
        }
        for c in contacts
    }
    roots: list[dict[str, Any]] = []
    for c in contacts:
        node = by_id[c.pk]
        parent = by_id.get(c.reports_to_id) if c.reports_to_id else None
        siblings: list[dict[str, Any]] = parent["children"] if parent else roots
        siblings.append(node)
    return roots
