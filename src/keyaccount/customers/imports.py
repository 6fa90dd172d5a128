"""Customers registered many at once (an import file): each becomes a registration request of
the importing KAM, exactly as ``services.registration_request`` makes one, written set-based
through ``core.bulk`` (one ``executemany`` or ``COPY`` per table and chunk) instead of a dozen
statements per customer.

The caller (the import's planner) has shown the likely duplicates and the importer confirmed
them; exact duplicates, in the database or within the lot, refuse the whole lot here, as does
any invalid profile: the messages under ``<position>.<field>`` (positions from 1)."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.core import bulk
from keyaccount.org.models import User

from . import permissions, rules
from .models import Customer, RegistrationRequest, RegistrationStatus
from .selectors import DuplicateView, duplicate_view
from .services import PROFILE_FIELDS, _exact_duplicate_error, refresh_keys, validate_profile

#: Customers written per statement.
CHUNK = 2000

#: What ``full_clean`` leaves to others: the owner (the actor, set here), region and industry
#: (given as loaded objects; one removed meanwhile fails the insert), the keys derived by
#: ``refresh_keys``, and the fields registration never writes.
_NOT_CHECKED = [
    "owner", "owner_unit", "region", "industry", "name_key", "core_key", "pinyin",
    "pinyin_full", "pinyin_sort", "status", "grade", "score", "suggested_grade", "version",
]  # fmt: skip


@dataclass(frozen=True)
class NewCustomer:
    """One customer to register: its profile (``PROFILE_FIELDS``; region and industry as
    objects) and the likely duplicates the importer was shown and confirmed as different."""

    data: Mapping[str, Any]
    duplicates: Sequence[DuplicateView] = field(default=())


def _built(actor: User, items: Sequence[NewCustomer]) -> list[Customer]:
    """The customers as ``registration_request`` would save them, checked field by field."""
    errors: dict[str, list[str]] = {}
    customers = []
    for position, item in enumerate(items, start=1):
        customer = Customer(owner=actor, status=RegistrationStatus.PENDING)
        customer.owner_unit_id = actor.unit_id
        for name in PROFILE_FIELDS:
            if name in item.data:
                setattr(customer, name, item.data[name])
        refresh_keys(customer)
        bulk.check(errors, position, customer, validate_profile, _NOT_CHECKED)
        customers.append(customer)
    if errors:
        raise ValidationError(errors)
    return customers


def _exact_duplicates(customers: Sequence[Customer]) -> None:
    """Refuse the lot when a customer is in the database already (by credit code or name, as
    ``registration_request`` checks) or twice in the lot."""
    errors: dict[str, list[str]] = {}
    first: dict[str, int] = {}
    for position, c in enumerate(customers, start=1):
        for key in (f"n:{c.name_key}", f"c:{c.credit_code}" if c.credit_code else ""):
            if not key:
                continue
            if key in first:
                errors.setdefault(f"{position}.name", []).append(
                    _("The same company as customer %(n)s of this import.") % {"n": first[key]}
                )
                break
            first[key] = position
    for start in range(0, len(customers), CHUNK):
        chunk = customers[start : start + CHUNK]
        codes = {c.credit_code for c in chunk if c.credit_code}
        found = (
            Customer.objects.exclude(status=RegistrationStatus.REJECTED)
            .filter(Q(name_key__in={c.name_key for c in chunk}) | Q(credit_code__in=codes))
            .select_related("owner")
        )
        for other in found:
            for key, reason in (
                (f"c:{other.credit_code}", rules.DuplicateReason.CREDIT_CODE),
                (f"n:{other.name_key}", rules.DuplicateReason.SAME_NAME),
            ):
                at = first.get(key) if key != "c:" else None
                if at is None:
                    continue
                view = duplicate_view(other, reason)
                for messages in _exact_duplicate_error(view).message_dict.values():
                    errors.setdefault(f"{at}.name", []).extend(messages)
                break
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def registrations_import(
    *,
    actor: User,
    items: Sequence[NewCustomer],
    step: Callable[[int], None] | None = None,
) -> list[int]:
    """Register the customers as requests of ``actor``, all or none; returns their ids in
    order. ``step(n)`` is told after each chunk of ``n`` customers."""
    if not permissions.can_request_registration(permissions.capabilities_for(actor)):
        raise PermissionDenied(
            _("Only account managers and key account managers register customers.")
        )
    customers = _built(actor, items)
    _exact_duplicates(customers)
    now = timezone.now()
    written: list[int] = []
    historical = Customer.history.model
    try:
        with transaction.atomic():
            for start in range(0, len(customers), CHUNK):
                chunk = customers[start : start + CHUNK]
                rows = [bulk.row_of(c, now) for c in chunk]
                ids = bulk.insert_new(Customer, rows)
                bulk.history_created(historical, rows, actor.pk, now)
                requests = [
                    {
                        "customer_id": pk,
                        "requested_by_id": actor.pk,
                        "confirmed_not_duplicate": bool(item.duplicates),
                        "duplicates_shown": [d.as_json() for d in item.duplicates],
                        "created_at": now,
                        "updated_at": now,
                    }
                    for pk, item in zip(ids, items[start : start + CHUNK], strict=True)
                ]
                bulk.insert_new(RegistrationRequest, requests)
                written.extend(ids)
                if step is not None:
                    step(len(chunk))
    except IntegrityError as exc:  # a registration committed meanwhile took one of the names
        raise ValidationError(
            _("Another registration of one of these companies was saved meanwhile: nothing "
              "was imported. Check the file again.")
        ) from exc  # fmt: skip
    return written
