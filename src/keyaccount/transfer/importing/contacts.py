"""The contacts sheet: matching each row to a contact of its customer (name and mobile),
reporting lines (in the system or in the file, no circles); and its commit."""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from keyaccount.contacts import imports as contact_imports
from keyaccount.contacts import services as contact_services
from keyaccount.contacts.models import Contact
from keyaccount.core.versioning import StaleEditError
from keyaccount.customers import permissions, rules
from keyaccount.customers.models import Customer

from .cells import display, same
from .columns import CONTACT_COLUMNS
from .matching import (
    Context,
    CustomerRef,
    chunks,
    fail,
    fail_lot,
    load_customers,
    may_edit,
    resolve_customer,
    row_customer,
)
from .plan import CREATE, FAILED, UNCHANGED, UPDATE, Row, Sheet


@dataclass
class _Person:
    """A contact as the org chart of one customer sees it: existing, or a new row."""

    key: str  # "c:<contact id>" or "r:<row number>"
    name: str
    boss: str | None  # key of the boss, if any


def plan_contacts(ctx: Context, sheet: Sheet) -> None:
    columns = {c.key: c for c in CONTACT_COLUMNS}
    headers = sheet.headers
    refs: dict[int, CustomerRef] = {}
    for row in sheet.rows:
        if "customer" not in row.values and "customer_code" not in row.values:
            if not row.has_error:
                row.error(_("Which customer? This cell is required."), headers["customer"])
            continue
        ref = resolve_customer(ctx, row, headers)
        if ref is None:
            continue
        if not may_edit(ctx, ref, permissions.can_edit_contacts):
            row.error(_("You may not change this customer's contacts."), headers["customer"])
            continue
        if "name" not in row.values:
            if not row.has_error:
                row.error(_("The contact needs a name."), headers["name"])
            continue
        row.label = f"{row.label} · {row.values['name']}"
        refs[row.number] = ref
    # Existing contacts of the customers concerned, in chunks.
    customer_ids = sorted({r.customer_id for r in refs.values() if r.customer_id is not None})
    existing: dict[int, list[Contact]] = defaultdict(list)
    for chunk in chunks(customer_ids):
        for contact in Contact.objects.filter(customer_id__in=chunk).order_by("id"):
            existing[contact.customer_id].append(contact)
    contact_by_id = {c.pk: c for contacts in existing.values() for c in contacts}
    # The org chart of each customer: existing contacts and the new ones of this file.
    charts: dict[str, dict[str, _Person]] = defaultdict(dict)
    for cid in customer_ids:
        for contact in existing[cid]:
            upward = f"c:{contact.reports_to_id}" if contact.reports_to_id else None
            charts[f"id:{cid}"][f"c:{contact.pk}"] = _Person(
                f"c:{contact.pk}", contact.name, upward
            )
    # Match each row: same name and mobile; else the one namesake without a mobile.
    person_of_row: dict[int, str] = {}
    claimed: dict[str, int] = {}
    for row in sheet.rows:
        ref = refs.get(row.number)
        if ref is None or row.has_error:
            continue
        name = row.values["name"]
        mobile = row.values.get("mobile", "")
        match: Contact | None = None
        if ref.customer_id is not None:
            namesakes = [c for c in existing[ref.customer_id] if c.name.strip() == name]
            exact = [c for c in namesakes if rules.normalize_mobile(c.mobile) == mobile]
            blank = [c for c in namesakes if not c.mobile]
            if exact:
                match = exact[0]
            elif not mobile and len(namesakes) == 1:
                match = namesakes[0]
            elif len(blank) == 1:
                match = blank[0]
            elif namesakes:
                row.warn(
                    _("%(customer)s already has a contact named %(name)s with another "
                      "mobile: this row adds a second one.")
                    % {"customer": ctx.live[ref.customer_id].name, "name": name},
                    headers["name"],
                )  # fmt: skip
        key = f"c:{match.pk}" if match else f"n:{ref.key}:{name}:{mobile}"
        if key in claimed:
            row.error(
                _("Row %(row)s of this sheet is the same contact: keep one of the two rows.")
                % {"row": claimed[key]},
                headers["name"],
            )
            continue
        claimed[key] = row.number
        if match:
            row.target, row.version = match.pk, match.version
            person_of_row[row.number] = key
        else:
            person_of_row[row.number] = f"r:{row.number}"
            charts[ref.key][f"r:{row.number}"] = _Person(f"r:{row.number}", name, None)
    # Reporting lines: a name among the customer's contacts, in the system or in the file.
    for row in sheet.rows:
        person = person_of_row.get(row.number)
        boss_name = row.values.get("reports_to")
        if person is None or not boss_name:
            continue
        chart = charts[refs[row.number].key]
        customer_name = row.label.split(" · ")[0]
        found = [p for p in chart.values() if p.name.strip() == boss_name and p.key != person]
        if not found:
            row.error(
                _("%(customer)s has no contact named “%(name)s”, in the system or in this file.")
                % {"customer": customer_name, "name": boss_name},
                headers["reports_to"],
            )  # fmt: skip
        elif len(found) > 1:
            row.error(
                _("%(customer)s has %(n)s contacts named “%(name)s”: the reporting line is "
                  "ambiguous; set it on the contact's page instead.")
                % {"customer": customer_name, "n": len(found), "name": boss_name},
                headers["reports_to"],
            )  # fmt: skip
        else:
            chart[person].boss = found[0].key
            row.boss = found[0].key
    # No circles (A reports to B reports to A).
    for row in sheet.rows:
        person = person_of_row.get(row.number)
        if person is None or not row.boss:
            continue
        chart = charts[refs[row.number].key]
        seen = {person}
        boss: str | None = row.boss
        while boss is not None and boss in chart:
            if boss in seen:
                row.error(
                    _("This reporting line goes round in a circle: %(name)s would end up "
                      "reporting to themself.") % {"name": row.values["name"]},
                    headers["reports_to"],
                )  # fmt: skip
                break
            seen.add(boss)
            boss = chart[boss].boss
    # What each row changes.
    for row in sheet.rows:
        if row.has_error or row.number not in person_of_row:
            row.action = FAILED
            continue
        row.customer_ref = refs[row.number].key
        if row.target is None:
            row.action = CREATE
            continue
        contact = contact_by_id[row.target]
        for key in ("title", "department", "mobile", "phone", "email", "wechat", "notes"):
            column = columns[key]
            if key in row.values and not same(column, getattr(contact, key), row.values[key]):
                row.changes.append(
                    [headers[key], display(column, getattr(contact, key), ctx.refs),
                     display(column, row.values[key], ctx.refs)]
                )  # fmt: skip
        old_boss = f"c:{contact.reports_to_id}" if contact.reports_to_id else ""
        if row.boss and row.boss != old_boss:
            old = contact_by_id.get(contact.reports_to_id or 0)
            row.changes.append(
                [headers["reports_to"], old.name if old else "", row.values["reports_to"]]
            )
        else:
            row.boss = ""  # unchanged: leave the reporting line alone
        row.action = UPDATE if row.changes else UNCHANGED


# --- commit ---------------------------------------------------------------------------------


def commit_contacts(
    ctx: Context, sheet: Sheet, created: dict[int, Customer], counts: Counter[str]
) -> None:
    work = {r.number: r for r in sheet.rows if r.action in (CREATE, UPDATE)}
    customers = load_customers(work.values())
    wanted = sorted(
        {r.target for r in work.values() if r.target}
        | {int(r.boss[2:]) for r in work.values() if r.boss.startswith("c:")}
    )
    contacts: dict[int, Contact] = {}
    for chunk in chunks(wanted):
        for contact in Contact.objects.select_related("customer__owner").filter(pk__in=chunk):
            contacts[contact.pk] = contact

    made = _create(ctx, sheet, [r for r in work.values() if r.action == CREATE], created,
                   customers, contacts, counts)  # fmt: skip
    for row in (r for r in work.values() if r.action == UPDATE):
        data = _fields(row)
        if row.boss:
            boss = _boss(row, sheet, made, contacts)
            if boss is None:
                continue
            data["reports_to"] = boss
        try:
            contact_services.contact_update(
                actor=ctx.user,
                contact=contacts[row.target or 0],
                data=data,
                expected_version=row.version or 0,
            )
            counts["contacts_updated"] += 1
        except (ValidationError, PermissionDenied, StaleEditError) as exc:
            fail(row, exc, sheet.headers)
        ctx.step()


def _fields(row: Row) -> dict[str, Any]:
    """The contact's fields the row gives (its boss apart)."""
    return {
        k: v for k, v in row.values.items()
        if k in contact_services.CONTACT_FIELDS and k != "reports_to"
    }  # fmt: skip


def _boss[T](
    row: Row, sheet: Sheet, new_ones: Mapping[int, T], contacts: Mapping[int, Contact]
) -> T | Contact | None:
    """The row's boss: a contact already there, or one this file adds (``new_ones`` by row
    number); None, and the row fails, when it could not be saved."""
    kind, number = row.boss[:1], int(row.boss[2:])
    boss = new_ones.get(number) if kind == "r" else contacts.get(number)
    if boss is None:
        row.action = FAILED
        row.error(_("Its boss could not be saved."), sheet.headers["reports_to"])
    return boss


def _create(
    ctx: Context,
    sheet: Sheet,
    new: list[Row],
    created: dict[int, Customer],
    customers: dict[int, Customer],
    contacts: dict[int, Contact],
    counts: Counter[str],
) -> dict[int, Contact]:
    """The sheet's new contacts added at once (``contacts_import``); returns them by row."""
    position = {r.number: i for i, r in enumerate(new, start=1)}
    items: list[contact_imports.NewContact] = []
    for row in new:
        customer = row_customer(row.customer_ref, created, customers)
        if customer is None:
            row.action = FAILED
            row.error(_("Its customer could not be saved."), sheet.headers["customer"])
            continue
        boss = _boss(row, sheet, position, contacts) if row.boss else None
        if row.boss and boss is None:
            continue
        items.append(contact_imports.NewContact(customer=customer, data=_fields(row), boss=boss))
    if len(items) != len(new):
        return {}

    try:
        ids = contact_imports.contacts_import(actor=ctx.user, items=items, step=ctx.steps)
    except (ValidationError, PermissionDenied) as exc:
        fail_lot(new, exc, sheet.headers)
        return {}
    counts["contacts_created"] += len(ids)
    made: dict[int, Contact] = {}
    number_of = {pk: r.number for pk, r in zip(ids, new, strict=True)}
    for chunk in chunks(ids):
        for contact in Contact.objects.filter(pk__in=chunk):
            made[number_of[contact.pk]] = contact
    return made
