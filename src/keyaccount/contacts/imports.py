"""Contacts added many at once (an import file), as ``services.contact_create`` adds one,
written set-based through ``core.bulk`` (one ``executemany`` or ``COPY`` per table and
chunk): each with its created history row, the reporting lines among them included.

All or none: a contact the actor may not add, or an invalid one, refuses the lot with the
messages under ``<position>.<field>`` (positions from 1)."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.core import bulk
from keyaccount.customers import permissions
from keyaccount.customers.models import Customer
from keyaccount.org.models import User

from .models import Contact
from .services import CONTACT_FIELDS, refresh_keys, validate_contact

CHUNK = 2000

_NOT_CHECKED = ["customer", "reports_to", "pinyin", "pinyin_full", "pinyin_sort", "version"]


@dataclass(frozen=True)
class NewContact:
    """One contact to add: its customer (with its owner), its fields (``CONTACT_FIELDS`` but
    ``reports_to``), and its boss: an existing contact, or the position (from 1) of another
    new contact of the same lot."""

    customer: Customer
    data: Mapping[str, Any]
    boss: Contact | int | None = None


def _checked(actor: User, items: Sequence[NewContact]) -> list[Contact]:
    caps = permissions.capabilities_for(actor)
    errors: dict[str, list[str]] = {}
    allowed: dict[int, bool] = {}
    contacts = []
    for position, item in enumerate(items, start=1):
        customer = item.customer
        if customer.pk not in allowed:
            allowed[customer.pk] = permissions.can_edit_contacts(
                caps, customer.owner_id, customer.owner.unit_id
            )
        if not allowed[customer.pk]:
            errors.setdefault(str(position), []).append(
                _("You may not change this customer's contacts.")
            )
        contact = Contact(customer=customer)
        for name in CONTACT_FIELDS:
            if name in item.data and name != "reports_to":
                setattr(contact, name, item.data[name])
        if isinstance(item.boss, Contact):
            contact.reports_to = item.boss
        refresh_keys(contact)
        bulk.check(errors, position, contact, validate_contact, _NOT_CHECKED)
        contacts.append(contact)
    _check_new_bosses(items, errors)
    if errors:
        raise ValidationError(errors)
    return contacts


def _check_new_bosses(items: Sequence[NewContact], errors: dict[str, list[str]]) -> None:
    """A boss among the new contacts works for the same customer, and no line runs in a
    circle."""
    for position, item in enumerate(items, start=1):
        if not isinstance(item.boss, int):
            continue
        if not 1 <= item.boss <= len(items) or item.boss == position:
            errors.setdefault(f"{position}.reports_to", []).append(_("Choose another boss."))
            continue
        boss = items[item.boss - 1]
        if boss.customer.pk != item.customer.pk:
            errors.setdefault(f"{position}.reports_to", []).append(
                _("%(boss)s works for another customer: reporting lines stay inside one customer.")
                % {"boss": boss.data.get("name", "")}
            )
            continue
        seen = {position}
        at: Any = item.boss
        while isinstance(at, int) and 1 <= at <= len(items):
            if at in seen:
                errors.setdefault(f"{position}.reports_to", []).append(
                    _("%(boss)s already reports (directly or not) to %(name)s.")
                    % {"boss": boss.data.get("name", ""), "name": item.data.get("name", "")}
                )
                break
            seen.add(at)
            at = items[at - 1].boss


@transaction.atomic
def contacts_import(
    *,
    actor: User,
    items: Sequence[NewContact],
    step: Callable[[int], None] | None = None,
) -> list[int]:
    """Add the contacts, all or none, and return their ids in order; ``step(n)`` is told after
    each chunk of ``n`` contacts."""
    contacts = _checked(actor, items)
    now = timezone.now()
    ids = bulk.reserve_ids(Contact, len(contacts))
    rows = [bulk.row_of(c, now) | {"id": pk} for c, pk in zip(contacts, ids, strict=True)]
    for row, item in zip(rows, items, strict=True):
        if isinstance(item.boss, int):
            row["reports_to_id"] = ids[item.boss - 1]
    base = bulk.defaults(Contact)
    for start in range(0, len(rows), CHUNK):
        chunk = [base | r for r in rows[start : start + CHUNK]]
        bulk.insert(Contact, chunk)
        bulk.history_created(Contact.history.model, chunk, actor.pk, now)
        if step is not None:
            step(len(chunk))
    return ids
