"""The payment milestones sheet: each row on a contract in the system (by its number), matched
to the contract's milestone of the same name; and its commit (``pipeline.services``: new ones
set-based, a changed acceptance, invoice or collection through ``milestone_update``).

A second import of the same file changes nothing. A milestone already there gets the dates and
amounts of its acceptance, invoice and collection the file gives; its amount is not changed by
an import (the preview says so)."""

from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from keyaccount.core.versioning import StaleEditError
from keyaccount.pipeline import services as pipeline
from keyaccount.pipeline.models import Contract, Opportunity, PaymentMilestone

from .cells import choice_key, display, same
from .columns import MILESTONE_COLUMNS
from .matching import Context, chunks, fail, fail_lot
from .plan import CREATE, FAILED, UNCHANGED, UPDATE, Row, Sheet

#: what an import records on a milestone already there
STATE_FIELDS = (
    "accepted_on", "invoiced_on", "invoiced_amount", "collected_on", "collected_amount",
)  # fmt: skip
_COLUMNS = {c.key: c for c in MILESTONE_COLUMNS}


def _contracts(ctx: Context, numbers: set[str]) -> dict[str, Contract]:
    """The contracts of deals the importer sees, by number (``choice_key``: case and width
    ignored), in one query."""
    wanted = {choice_key(n) for n in numbers}
    visible = Opportunity.objects.visible_to(ctx.user).values("pk")
    found: dict[str, Contract] = {}
    rows = (
        Contract.objects.select_related("opportunity__owner")
        .annotate(key=Upper("number"))
        .filter(key__in={k.upper() for k in wanted}, opportunity__in=visible)
    )
    for contract in rows:
        found.setdefault(choice_key(contract.number), contract)
    return found


def plan_milestones(ctx: Context, sheet: Sheet) -> None:
    headers = sheet.headers
    numbers = {r.values["contract"] for r in sheet.rows if r.values.get("contract")}
    contracts = _contracts(ctx, numbers)
    existing: dict[tuple[int, str], PaymentMilestone] = {}
    for chunk in chunks(sorted({c.pk for c in contracts.values()})):
        for milestone in PaymentMilestone.objects.filter(contract_id__in=chunk):
            existing.setdefault((milestone.contract_id, choice_key(milestone.name)), milestone)
    runs = pipeline.access_many(ctx.user, (c.opportunity for c in contracts.values()))
    seen: dict[tuple[int, str], int] = {}
    for row in sheet.rows:
        if row.has_error:
            row.action = FAILED
            continue
        number, name = row.values.get("contract", ""), row.values.get("name", "")
        row.label = f"{number} · {name}"
        contract = contracts.get(choice_key(number))
        if contract is None:
            row.error(
                _("No contract numbered “%(number)s” that you can see (a won deal's contract; "
                  "import the deals first).") % {"number": number},
                headers["contract"],
            )  # fmt: skip
            row.action = FAILED
            continue
        if not runs[contract.opportunity_id].run:
            row.error(_("Only the deal's owner and their managers may do this."),
                      headers["contract"])  # fmt: skip
            row.action = FAILED
            continue
        key = (contract.pk, choice_key(name))
        if key in seen:
            row.error(
                _("Row %(row)s of this sheet is the same milestone (contract and name): keep "
                  "one of the two rows.") % {"row": seen[key]},
                headers["name"],
            )  # fmt: skip
            row.action = FAILED
            continue
        seen[key] = row.number
        found = existing.get(key)
        if found is None:
            _plan_new(row, sheet)
        else:
            _plan_known(ctx, row, sheet, found)


def _plan_new(row: Row, sheet: Sheet) -> None:
    headers = sheet.headers
    if "amount" not in row.values and "percentage" not in row.values:
        row.error(_("Give the milestone's amount or its percentage of the contract."),
                  headers.get("amount", headers["name"]))  # fmt: skip
        row.action = FAILED
        return
    row.action = CREATE


def _plan_known(ctx: Context, row: Row, sheet: Sheet, milestone: PaymentMilestone) -> None:
    headers = sheet.headers
    row.target, row.version = milestone.pk, milestone.version
    for key in ("due_on", *STATE_FIELDS):
        if key not in row.values:
            continue
        old, new = getattr(milestone, key), row.values[key]
        if not same(_COLUMNS[key], old, new):
            row.changes.append([headers[key], display(_COLUMNS[key], old, ctx.refs),
                                display(_COLUMNS[key], new, ctx.refs)])  # fmt: skip
    amount = row.values.get("amount")
    if amount is not None and amount != milestone.amount:
        row.warn(_("The milestone has the amount %(amount)s: an import does not change it; "
                   "edit it on the deal page.") % {"amount": milestone.amount},
                 headers["amount"])  # fmt: skip
    row.action = UPDATE if row.changes else UNCHANGED


# --- commit ---------------------------------------------------------------------------------


def commit_milestones(ctx: Context, sheet: Sheet, counts: Counter[str]) -> None:
    new = [r for r in sheet.rows if r.action == CREATE]
    if new:
        _create(ctx, sheet, new, counts)
    updates = [r for r in sheet.rows if r.action == UPDATE]
    milestones: dict[int, PaymentMilestone] = {}
    for chunk in chunks(sorted(r.target or 0 for r in updates)):
        for m in PaymentMilestone.objects.select_related("contract__opportunity").filter(
            pk__in=chunk
        ):
            milestones[m.pk] = m
    for row in updates:
        data: dict[str, Any] = {k: row.values[k] for k in ("due_on", *STATE_FIELDS)
                                if k in row.values}  # fmt: skip
        try:
            pipeline.milestone_update(
                actor=ctx.user,
                milestone=milestones[row.target or 0],
                data=data,
                expected_version=row.version or 0,
            )
            counts["milestones_updated"] += 1
        except (ValidationError, PermissionDenied, StaleEditError, KeyError) as exc:
            fail(row, exc, sheet.headers)
        ctx.step()


def _create(ctx: Context, sheet: Sheet, new: list[Row], counts: Counter[str]) -> None:
    contracts = _contracts(ctx, {r.values["contract"] for r in new})
    items = [
        pipeline.ImportedMilestone(
            contract=contracts[choice_key(row.values["contract"])],
            name=row.values["name"],
            due_on=row.values["due_on"],
            amount=row.values.get("amount"),
            percentage=row.values.get("percentage"),
            **{k: row.values.get(k) for k in STATE_FIELDS},
        )
        for row in new
    ]

    try:
        ids = pipeline.milestones_import(actor=ctx.user, items=items, step=ctx.steps)
    except ValidationError as exc:
        fail_lot(new, exc, sheet.headers, default=sheet.headers["name"])
        return
    counts["milestones_created"] += len(ids)
