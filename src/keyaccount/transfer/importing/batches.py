"""The preview of an upload (read, parse, check every row; nothing written) and the
``ImportBatch`` that keeps it: a preview until it is imported, discarded or a day old, the
result of an import for a week."""

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.customers.models import ImportBatch
from keyaccount.org.models import User

from .cells import References
from .columns import (
    CONTACTS,
    CUSTOMERS,
    EVALUATIONS,
    KINDS,
    MILESTONES,
    OPPORTUNITIES,
    PEOPLE,
)
from .contacts import plan_contacts
from .customers import plan_customers
from .evaluations import plan_evaluations
from .mapping import Mapping
from .matching import Context
from .milestones import plan_milestones
from .opportunities import plan_opportunities
from .people import plan_people
from .plan import FAILED, INFO, Plan, Problem, Sheet, parse_tables
from .reading import read_upload

BATCH_LIFETIME = timedelta(days=1)
RESULT_LIFETIME = timedelta(days=7)


def _live() -> Q:
    now = timezone.now()
    return Q(state=ImportBatch.State.PREVIEWED, created_at__gte=now - BATCH_LIFETIME) | (
        ~Q(state=ImportBatch.State.PREVIEWED) & Q(created_at__gte=now - RESULT_LIFETIME)
    )


def prune_batches() -> int:
    """Forget expired previews and old results; returns how many."""
    deleted, _counts = ImportBatch.objects.exclude(_live()).delete()
    return deleted


_PLANNERS = {
    CUSTOMERS: plan_customers,
    CONTACTS: plan_contacts,
    EVALUATIONS: plan_evaluations,
    OPPORTUNITIES: plan_opportunities,
    PEOPLE: plan_people,
    MILESTONES: plan_milestones,
}


def plan_sheets(ctx: Context, sheets: list[Sheet]) -> None:
    """Check every row against the database; customers first (contacts may name them)."""
    for sheet in sheets:
        sheet.unresolved = {}
    for row in (r for s in sheets for r in s.rows):
        del row.problems[row.parsed :]
        row.action, row.target, row.version, row.changes = "", None, None, []
        row.customer_ref, row.boss, row.label = "", "", ""
        if not ctx.committing:
            row.duplicates = []
    for kind in KINDS:
        for sheet in sheets:
            if sheet.kind == kind:
                _PLANNERS[kind](ctx, sheet)
    for row in (r for s in sheets for r in s.rows):
        if row.has_error:
            row.action = FAILED


def progress_key(batch: ImportBatch) -> str:
    """Where the progress of a batch's job (its check, then its commit) is reported."""
    return f"import:{batch.pk}"


def preview(*, user: User, file_name: str, data: bytes, mapping: Mapping | None = None) -> Plan:
    """Read, parse (as ``mapping`` says, where it says anything) and check an upload; writes
    nothing. ``FileRefusedError`` if unreadable."""
    read = read_upload(file_name, data)
    refs = References.load()
    sheets, problems, unread = parse_tables(read, refs, mapping)
    if read.file_type == "csv":
        problems.insert(
            0, Problem(INFO, _("Read as CSV text in %(encoding)s.") % {"encoding": read.encoding})
        )
    ctx = Context.load(user, refs)
    plan_sheets(ctx, sheets)
    return Plan(file_name, read.file_type, read.encoding, problems, sheets, unread)


def save_batch(
    *, user: User, plan: Plan, source: bytes | None = None, mapping: Mapping | None = None
) -> ImportBatch:
    """Keep the preview (and the file, so that it may be mapped again)."""
    prune_batches()
    return ImportBatch.objects.create(
        user=user,
        file_name=plan.file_name[:200],
        payload=plan.as_json(),
        source=source,
        mapping=(mapping or Mapping()).as_json(),
    )


def batch_mapping(batch: ImportBatch) -> Mapping:
    return Mapping.from_json(batch.mapping)


def load_batch(*, user: User, batch_id: Any) -> tuple[ImportBatch, Plan] | None:
    """The user's own unexpired batch, or None (someone else's is the same as a missing one)."""
    batch = ImportBatch.objects.filter(_live(), user=user, pk=batch_id).first()
    if batch is None:
        return None
    if batch.state in (ImportBatch.State.READING, ImportBatch.State.REFUSED):
        return batch, Plan(batch.file_name, "", "", [], [])  # nothing checked (yet)
    try:
        return batch, Plan.from_json(batch.file_name, batch.payload)
    except (KeyError, TypeError, ValueError):
        batch.delete()
        return None
