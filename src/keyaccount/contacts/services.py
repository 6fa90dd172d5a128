"""Writes about customer contacts and their reporting lines."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from keyaccount.core import pinyin
from keyaccount.core.versioning import save_versioned
from keyaccount.customers import permissions
from keyaccount.customers.models import Customer
from keyaccount.customers.rules import mobile_problem, normalize_mobile
from keyaccount.org.models import User
from keyaccount.org.rules import would_create_cycle

from .models import Contact

CONTACT_FIELDS = (
    "name", "title", "department", "mobile", "phone", "email", "wechat", "reports_to", "notes",
    "is_active",
)  # fmt: skip


def refresh_keys(contact: Contact) -> None:
    """Tidy the name and derive its pinyin keys (``core.pinyin``): every write of a contact's
    name goes through here (pages, the API, the import)."""
    contact.name = (contact.name or "").strip()
    contact.pinyin_sort, contact.pinyin_full, contact.pinyin = pinyin.keys(contact.name)


def validate_contact(contact: Contact) -> None:
    errors: dict[str, list[str]] = {}
    if not (contact.name or "").strip():
        errors.setdefault("name", []).append(_("The contact needs a name."))
    if contact.mobile:
        problem = mobile_problem(contact.mobile)
        if problem:
            errors.setdefault("mobile", []).append(problem)
        else:
            contact.mobile = normalize_mobile(contact.mobile)
    boss = contact.reports_to
    if boss is not None:
        if boss.customer_id != contact.customer_id:
            errors.setdefault("reports_to", []).append(
                _("%(boss)s works for another customer: reporting lines stay inside one customer.")
                % {"boss": boss}
            )
        elif contact.pk is not None:
            parents = dict(
                Contact.objects.filter(customer_id=contact.customer_id).values_list(
                    "id", "reports_to_id"
                )
            )
            if would_create_cycle(parents, contact.pk, boss.pk):
                errors.setdefault("reports_to", []).append(
                    _("%(boss)s already reports (directly or not) to %(name)s.")
                    % {"boss": boss, "name": contact.name}
                )
    if errors:
        raise ValidationError(errors)


def _check(actor: User, customer: Customer) -> None:
    caps = permissions.capabilities_for(actor)
    if not permissions.can_edit_contacts(caps, customer.owner_id, customer.owner.unit_id):
        raise PermissionDenied(_("You may not change this customer's contacts."))


@transaction.atomic
def contact_create(*, actor: User, customer: Customer, data: Mapping[str, Any]) -> Contact:
    _check(actor, customer)
    contact = Contact(customer=customer)
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, data[field])
    refresh_keys(contact)
    validate_contact(contact)
    contact.full_clean()
    contact._history_user = actor  # type: ignore[attr-defined]
    contact.save()
    return contact


@transaction.atomic
def contact_update(
    *, actor: User, contact: Contact, data: Mapping[str, Any], expected_version: int
) -> Contact:
    _check(actor, contact.customer)
    for field in CONTACT_FIELDS:
        if field in data:
            setattr(contact, field, data[field])
    refresh_keys(contact)
    validate_contact(contact)
    return save_versioned(contact, expected_version=expected_version, actor=actor)  # type: ignore[return-value]
