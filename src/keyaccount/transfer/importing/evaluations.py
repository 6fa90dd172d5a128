"""The evaluations sheet: one new evaluation per row unless the customer already has the
same one (date, scores, summary); and its commit."""

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.customers import permissions, services
from keyaccount.customers.models import Customer, Evaluation

from .columns import EVALUATION_COLUMNS
from .matching import (
    Context,
    CustomerRef,
    chunks,
    fail,
    load_customers,
    may_edit,
    resolve_customer,
    row_customer,
)
from .plan import CREATE, FAILED, UNCHANGED, Sheet


def plan_evaluations(ctx: Context, sheet: Sheet) -> None:
    headers = sheet.headers
    refs: dict[int, CustomerRef] = {}
    today = timezone.localdate()
    for row in sheet.rows:
        if "customer" not in row.values and "customer_code" not in row.values:
            if not row.has_error:
                row.error(_("Which customer? This cell is required."), headers["customer"])
            continue
        ref = resolve_customer(ctx, row, headers)
        if ref is None:
            continue
        if not may_edit(ctx, ref, permissions.can_evaluate):
            row.error(
                _("Only the owner and their managers evaluate this customer."),
                headers["customer"],
            )
            continue
        for column in EVALUATION_COLUMNS:
            if (
                column.required
                and column.key not in row.values
                and column.key != "customer"
                and not any(p.column == headers[column.key] for p in row.problems)
            ):
                row.error(_("This cell is required."), headers[column.key])
        when = row.values.get("evaluated_on")
        if when and when > today:
            row.error(_("An evaluation cannot be dated in the future."), headers["evaluated_on"])
        refs[row.number] = ref
        row.label = f"{row.label} · {when.isoformat() if when else ''}"
    customer_ids = sorted({r.customer_id for r in refs.values() if r.customer_id is not None})
    existing: dict[tuple[int, date], list[tuple[Any, ...]]] = defaultdict(list)
    fields_ = ("customer_id", "evaluated_on", *Evaluation.DIMENSIONS, "summary")
    for chunk in chunks(customer_ids):
        for values in Evaluation.objects.filter(customer_id__in=chunk).values_list(*fields_):
            existing[(values[0], values[1])].append((*values[2:-1], values[-1].strip()))
    seen: dict[tuple[str, Any], int] = {}
    for row in sheet.rows:
        ref = refs.get(row.number)
        if ref is None or row.has_error:
            row.action = FAILED
            continue
        row.customer_ref = ref.key
        signature = (*(row.values[d] for d in Evaluation.DIMENSIONS), row.values["summary"].strip())
        dup_key = (ref.key, (row.values["evaluated_on"], signature))
        if dup_key in seen:
            row.error(
                _("Row %(row)s of this sheet is the same evaluation: keep one of the two rows.")
                % {"row": seen[dup_key]},
                headers["summary"],
            )
            row.action = FAILED
            continue
        seen[dup_key] = row.number
        same_day = existing.get((ref.customer_id or 0, row.values["evaluated_on"]), [])
        if signature in same_day:
            row.action = UNCHANGED
            continue
        if same_day:
            row.warn(
                _("The customer already has an evaluation of this date; this row adds another."),
                headers["evaluated_on"],
            )
        row.action = CREATE


# --- commit ---------------------------------------------------------------------------------


def commit_evaluations(
    ctx: Context, sheet: Sheet, created: dict[int, Customer], counts: Counter[str]
) -> None:
    work = [r for r in sheet.rows if r.action == CREATE]
    customers = load_customers(work)
    for row in work:
        customer = row_customer(row.customer_ref, created, customers)
        if customer is None:
            row.action = FAILED
            row.error(_("Its customer could not be saved."), sheet.headers["customer"])
            continue
        data = {
            k: v for k, v in row.values.items()
            if k in ("evaluated_on", "summary", "next_steps", *Evaluation.DIMENSIONS)
        }  # fmt: skip
        try:
            services.evaluation_create(actor=ctx.user, customer=customer, data=data)
            counts["evaluations_created"] += 1
        except (ValidationError, PermissionDenied) as exc:
            fail(row, exc, sheet.headers)
        ctx.step()
