"""The customers sheet: matching each row to a live customer (credit code, then name), what
it changes, grades and likely duplicates; and its commit (registration requests, profile
updates, grades)."""

from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from keyaccount.core.versioning import StaleEditError
from keyaccount.customers import imports as customer_imports
from keyaccount.customers import permissions, rules, services
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.org.models import User

from .cells import display, same
from .columns import CONTACTS, CUSTOMER_COLUMNS, CUSTOMERS, EVALUATIONS
from .duplicates import DuplicateIndex
from .matching import Context, Live, People, chunks, fail, fail_lot
from .plan import CREATE, FAILED, UNCHANGED, UPDATE, Plan, Row, Sheet


def _exact_duplicate_message(ctx: Context, c: Live) -> str:
    """What the registration check says of a company someone else has (its own words)."""
    view = ctx.duplicate_view(rules.DuplicateMatch(c.id, rules.DuplicateReason.SAME_NAME, 1.0))
    error = services._exact_duplicate_error(view)
    return " ".join(m for messages in error.message_dict.values() for m in messages)


_PROFILE_KEYS = tuple(c.key for c in CUSTOMER_COLUMNS if c.key in services.PROFILE_FIELDS)
_FK = {"region": "region_id", "industry": "industry_id"}


def plan_customers(ctx: Context, sheet: Sheet) -> None:
    columns = {c.key: c for c in CUSTOMER_COLUMNS}
    headers = sheet.headers
    # Who each row is, and which existing customer it matches.
    matches: dict[int, int] = {}
    seen_code: dict[str, int] = {}
    seen_name: dict[str, int] = {}
    seen_target: dict[int, int] = {}
    for row in sheet.rows:
        name = row.values.get("name", "")
        code = row.values.get("credit_code", "")
        row.label = name or code
        if "name" not in row.values:
            if not row.has_error:
                row.error(_("The customer needs a name."), headers["name"])
            continue
        nkey = rules.name_key(name)
        if not nkey:
            row.error(
                _("“%(name)s” has nothing left once the legal form is removed.") % {"name": name},
                headers["name"],
            )
            continue
        first = seen_code.get(code) if code else None
        first = first or seen_name.get(nkey)
        if first is not None:
            row.error(
                _("Row %(row)s of this sheet is the same company: keep one of the two rows.")
                % {"row": first},
                headers["name"],
            )
            continue
        if code:
            seen_code[code] = row.number
        seen_name[nkey] = row.number
        by_code = ctx.by_code.get(code) if code else None
        by_name = ctx.by_name.get(nkey)
        if by_code is not None and by_name is not None and by_code != by_name:
            ctx.owner_names([ctx.live[by_code].owner_id, ctx.live[by_name].owner_id])
            row.error(
                _("The credit code belongs to “%(a)s” but the name is that of “%(b)s”: "
                  "correct one of them.")
                % {"a": ctx.live[by_code].name, "b": ctx.live[by_name].name},
                headers.get("credit_code", ""),
            )  # fmt: skip
            continue
        target = by_code if by_code is not None else by_name
        if target is None:
            continue
        c = ctx.live[target]
        if not c.visible:  # someone else's: say whose, change nothing
            ctx.owner_names([c.owner_id])
            row.error(_exact_duplicate_message(ctx, c), headers["name"])
            continue
        if code and c.credit_code and c.credit_code != code:
            row.error(
                _("“%(name)s” is registered with the credit code %(code)s: correct the code "
                  "in the file, or the customer's profile first.")
                % {"name": c.name, "code": c.credit_code},
                headers.get("credit_code", ""),
            )  # fmt: skip
            continue
        if target in seen_target:
            row.error(
                _("Row %(row)s of this sheet already updates this customer.")
                % {"row": seen_target[target]},
                headers["name"],
            )
            continue
        seen_target[target] = row.number
        matches[row.number] = target
    ctx.owner_names(ctx.live[t].owner_id for t in matches.values())
    # The matched customers' current values, in chunks.
    current: dict[int, Customer] = {}
    wanted = sorted({t for t in matches.values() if ctx.live[t].visible})
    for chunk in chunks(wanted):
        for customer in Customer.objects.filter(pk__in=chunk):
            current[customer.pk] = customer
    can_register = permissions.can_request_registration(ctx.caps)
    people = People.load(ctx.user) if "owner" in headers else None
    creates: list[Row] = []
    for row in sheet.rows:
        if row.has_error:
            row.action = FAILED
            continue
        target = matches.get(row.number)
        if target is None:
            if not can_register:
                row.error(
                    _("No customer you can see matches this row, and only account managers "
                      "and key account managers register new customers."),
                    headers["name"],
                )  # fmt: skip
            else:
                row.action = CREATE
                creates.append(row)
                _check_new_grade(ctx, row, headers)
                owner = row.values.get("owner")
                if people is not None and owner and people.find(owner) != [ctx.user.pk]:
                    row.warn(
                        _("A new customer is registered in your name: the department head "
                          "allocates it to %(owner)s once it is approved.") % {"owner": owner},
                        headers["owner"],
                    )  # fmt: skip
            if row.has_error:
                row.action = FAILED
            continue
        c = ctx.live[target]
        row.target = target
        customer = current[target]
        row.version = customer.version
        for key in _PROFILE_KEYS:
            if key not in row.values:
                continue
            old = getattr(customer, _FK.get(key, key))
            new = row.values[key]
            if not same(columns[key], old, new):
                row.changes.append(
                    [headers[key], display(columns[key], old, ctx.refs),
                     display(columns[key], new, ctx.refs)]
                )  # fmt: skip
        _check_grade(ctx, row, headers, customer, c)
        _check_owner(ctx, people, sheet, row, customer, c)
        if not row.changes:
            row.action = UNCHANGED if not row.has_error else FAILED
            continue
        if any(ch[0] not in _not_profile(headers) for ch in row.changes) and (
            not permissions.can_edit_profile(ctx.caps, c.owner_id, c.owner_unit_id)
        ):
            row.error(_("You may not edit this customer's profile."), headers["name"])
        if row.has_error:
            row.action = FAILED
        else:
            row.action = UPDATE
            if customer.status == RegistrationStatus.PENDING:
                row.warn(_("This customer's registration is still awaiting approval."))
    _warn_duplicates(ctx, creates, headers)
    for row in sheet.rows:
        if row.action == CREATE and not row.has_error:
            ctx.file_customers.setdefault(rules.name_key(row.values["name"]), row)
            if row.values.get("credit_code"):
                ctx.file_customers.setdefault(row.values["credit_code"], row)
        elif row.action == FAILED:
            key = rules.name_key(row.values.get("name", ""))
            if key:
                ctx.file_customers.setdefault(key, row)
            if row.values.get("credit_code"):
                ctx.file_customers.setdefault(row.values["credit_code"], row)


def _not_profile(headers: dict[str, str]) -> set[str]:
    """The changes that are no profile edit: the grade, the owner."""
    return {headers.get("grade", ""), headers.get("owner", "")} - {""}


def _check_owner(
    ctx: Context, people: People | None, sheet: Sheet, row: Row, customer: Customer, c: Live
) -> None:
    """An owner other than the customer's: an allocation, for those who allocate; for others
    the column is left out of the row (exports carry it), with a warning."""
    text = row.values.get("owner")
    if people is None or not text:
        return
    header = sheet.headers["owner"]
    found = people.find(text)
    if len(found) != 1:
        sheet.note_unknown("owner", text, planner=True)
        if found:
            message = _("Several people are called “%(value)s”: write the user name; the owner "
                        "stays as it is.")  # fmt: skip
        else:
            message = _("Nobody in the system is called or has the user name or e-mail "
                        "“%(value)s”: the owner stays as it is.")  # fmt: skip
        row.warn(message % {"value": text}, header)
        return
    if found[0] == customer.owner_id:
        return
    if not permissions.can_allocate(ctx.caps, c.owner_unit_id):
        row.warn(_("Only the department head allocates customers: the owner stays %(owner)s.")
                 % {"owner": ctx.owners.get(c.owner_id, "")}, header)  # fmt: skip
        return
    if customer.status != RegistrationStatus.REGISTERED:
        row.warn(_("A customer is allocated once its registration is approved."), header)
        return
    row.changes.append([header, ctx.owners.get(c.owner_id, ""), people.names[found[0]]])
    row.values["owner"] = people.usernames[found[0]]


def _check_new_grade(ctx: Context, row: Row, headers: dict[str, str]) -> None:
    grade = row.values.get("grade")
    if grade and not permissions.can_grade(ctx.caps, ctx.user.unit_id):
        row.error(
            _("Grades are set by the team manager, department head or sales director: "
              "leave this cell blank."),
            headers["grade"],
        )  # fmt: skip


def _check_grade(
    ctx: Context, row: Row, headers: dict[str, str], customer: Customer, c: Live
) -> None:
    grade = row.values.get("grade")
    if not grade or grade == customer.grade:
        return
    row.changes.append([headers["grade"], customer.grade, grade])
    if not permissions.can_grade(ctx.caps, c.owner_unit_id):
        row.error(
            _("Grades are set by the team manager, department head or sales director: "
              "leave this cell blank."),
            headers["grade"],
        )  # fmt: skip
    elif rules.grade_needs_reason(
        new_grade=grade, suggested=customer.suggested_grade or None
    ) and not row.values.get("grade_reason"):
        row.error(
            _("The scorecard suggests %(suggested)s: say why the customer is graded "
              "%(grade)s (column “%(column)s”).")
            % {"suggested": customer.suggested_grade, "grade": grade,
               "column": CUSTOMER_COLUMNS[-1].header},
            headers["grade"],
        )  # fmt: skip


def _warn_duplicates(ctx: Context, creates: list[Row], headers: dict[str, str]) -> None:
    """Likely duplicates of the new customers: existing ones, and earlier rows of the file.
    One index holds both (the file's rows under negative ids, each added once checked), so
    each row is looked up once. A commit keeps those the preview showed (the ones the importer
    confirmed as different, recorded with the request) instead of looking again."""
    if ctx.committing:
        for row in creates:
            row.duplicates = [m for m in row.duplicates if m.id in ctx.live]
        ctx.owner_names(ctx.live[m.id].owner_id for r in creates for m in r.duplicates)
        return
    index = DuplicateIndex(
        (rules.Candidate(id=c.id, credit_code=c.credit_code, name_key=c.name_key,
                         core_key=c.core_key) for c in ctx.live.values()),
        order=(rules.core_key(r.values["name"]) for r in creates),
    )  # fmt: skip
    found: dict[int, list[rules.DuplicateMatch]] = {}
    row_of: dict[int, Row] = {}
    for row in creates:
        name, code = row.values["name"], row.values.get("credit_code", "")
        matches = index.find(credit_code=code, name=name, limit=len(index.by_id))
        found[row.number] = [m for m in matches if m.id > 0][:5]
        for match in [m for m in matches if m.id < 0][:3]:
            other = row_of[-match.id]
            row.warn(
                _("Likely the same company as row %(row)s (“%(name)s”, %(reason)s).")
                % {"row": other.number, "name": other.values["name"],
                   "reason": dict(rules.DuplicateReason.choices)[match.reason]},
                headers["name"],
            )  # fmt: skip
        index.add(
            rules.Candidate(
                id=-row.number, credit_code=code, name_key=rules.name_key(name),
                core_key=rules.core_key(name),
            )
        )  # fmt: skip
        row_of[row.number] = row
    ctx.owner_names(ctx.live[m.id].owner_id for ms in found.values() for m in ms)
    for row in creates:
        row.duplicates = found[row.number]
        for match in found[row.number]:
            view = ctx.duplicate_view(match)
            row.warn(
                _("Likely duplicate of “%(name)s” (%(reason)s; %(status)s, owned by %(owner)s): "
                  "the row is imported as a new customer only if you confirm it is different.")
                % {"name": view.name, "reason": view.reason_label, "status": view.status_label,
                   "owner": view.owner_name},
                headers["name"],
            )  # fmt: skip


# --- commit ---------------------------------------------------------------------------------


def commit_customers(ctx: Context, plan: Plan, counts: Counter[str]) -> dict[int, Customer]:
    """The new customers registered in one set-based call per sheet; the changed ones (fewer,
    each against the version its importer saw) through the services one by one."""
    created: dict[int, Customer] = {}
    for sheet in (s for s in plan.sheets if s.kind == CUSTOMERS):
        headers = {**_field_headers(sheet), **sheet.headers}
        new = [r for r in sheet.rows if r.action == CREATE]
        ids = _register(ctx, new, headers) if new else None
        if ids is not None:
            # loaded for what comes next: the contacts and evaluations of the file, grades
            others = any(s.kind in (CONTACTS, EVALUATIONS) for s in plan.sheets)
            number_of = {
                pk: r.number
                for pk, r in zip(ids, new, strict=True)
                if others or r.values.get("grade")
            }
            for chunk in chunks(list(number_of)):
                for customer in Customer.objects.select_related("owner").filter(pk__in=chunk):
                    created[number_of[customer.pk]] = customer
            counts["customers_created"] += len(new)
        allocations: dict[str, list[tuple[Row, Customer]]] = {}
        wanted = sorted(r.target for r in sheet.rows if r.action == UPDATE and r.target)
        current: dict[int, Customer] = {}
        for chunk in chunks(wanted):
            for customer in Customer.objects.select_related("owner").filter(pk__in=chunk):
                current[customer.pk] = customer
        for row in sheet.rows:
            if row.action != UPDATE and row.number not in created:
                continue  # registered above, or nothing to do
            try:
                if row.action == CREATE:
                    customer = created[row.number]
                else:
                    data = {
                        k: _model_value(ctx, k, v)
                        for k, v in row.values.items()
                        if k in _PROFILE_KEYS
                    }
                    customer = current[row.target or 0]
                    not_profile = _not_profile(sheet.headers)
                    profile_changed = any(ch[0] not in not_profile for ch in row.changes)
                    if profile_changed:
                        services.customer_update(
                            actor=ctx.user,
                            customer=customer,
                            data=data,
                            expected_version=row.version or 0,
                        )
                        counts["customers_updated"] += 1
                    ctx.step()
                grade = row.values.get("grade")
                if grade and grade != customer.grade:
                    services.grade_set(
                        actor=ctx.user,
                        customer=customer,
                        grade=grade,
                        reason=row.values.get("grade_reason", ""),
                    )
                    counts["grades_set"] += 1
                owner_header = sheet.headers.get("owner")
                if row.action == UPDATE and any(ch[0] == owner_header for ch in row.changes):
                    allocations.setdefault(row.values["owner"], []).append((row, customer))
            except (ValidationError, PermissionDenied, StaleEditError) as exc:
                fail(row, exc, headers)
        _allocate(ctx, sheet, allocations, counts, plan.file_name)
    return created


def _register(ctx: Context, new: list[Row], headers: dict[str, str]) -> list[int] | None:
    """Register the sheet's new customers at once (their ids); on a refusal the rows it names
    fail and nothing is registered."""
    items = [
        customer_imports.NewCustomer(
            data={k: _model_value(ctx, k, v) for k, v in r.values.items() if k in _PROFILE_KEYS},
            duplicates=[ctx.duplicate_view(m) for m in r.duplicates],
        )
        for r in new
    ]

    try:
        return customer_imports.registrations_import(actor=ctx.user, items=items, step=ctx.steps)
    except (ValidationError, PermissionDenied) as exc:
        fail_lot(new, exc, headers, default=headers["name"])
        return None


def _allocate(
    ctx: Context,
    sheet: Sheet,
    allocations: dict[str, list[tuple[Row, Customer]]],
    counts: Counter[str],
    file_name: str,
) -> None:
    """The owner column: each new owner's customers allocated at once (``customers_allocate``:
    one change row each, the people told)."""
    owners = {u.username: u for u in User.objects.filter(username__in=allocations)}
    for username, items in allocations.items():
        try:
            moved = services.customers_allocate(
                actor=ctx.user,
                customers=[customer for _row, customer in items],
                new_owner=owners[username],
                reason=_("Imported from “%(file)s”") % {"file": file_name},
            )
            counts["customers_allocated"] += moved
        except (ValidationError, PermissionDenied, KeyError) as exc:
            for row, _customer in items:
                fail(row, exc, {"new_owner": sheet.headers["owner"], **sheet.headers})


def _field_headers(sheet: Sheet) -> dict[str, str]:
    return {"reason": sheet.headers.get("grade_reason", sheet.headers.get("grade", ""))}


def _model_value(ctx: Context, key: str, value: Any) -> Any:
    if key == "region":
        return ctx.refs.regions[value]
    if key == "industry":
        return ctx.refs.industries[value]
    return value
