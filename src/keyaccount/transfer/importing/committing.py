"""The commit of a previewed batch: every row checked again and written through the services
in one transaction, or nothing."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from keyaccount.customers.models import ImportBatch
from keyaccount.org.models import User

from .batches import plan_sheets
from .columns import CONTACTS, EVALUATIONS
from .contacts import commit_contacts
from .customers import commit_customers
from .evaluations import commit_evaluations
from .matching import Context
from .plan import FAILED, Plan, action_label


@dataclass
class Outcome:
    committed: bool
    plan: Plan
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""


class _Abort(Exception):
    pass


def commit(*, actor: User, batch: ImportBatch, plan: Plan) -> Outcome:
    """Write every row through the services in one transaction, or nothing.

    The batch is locked (a second commit of the same preview finds it gone) and the rows are
    checked again against the database as it is now; if that finds an error, or a row would
    now do something else than the preview said, or a service refuses a row, nothing is
    written and the new preview is returned (and kept in the batch) with the reasons."""
    previewed = {(r.sheet, r.kind, r.number): (r.action, r.target, r.version) for r in plan.rows}
    counts: Counter[str] = Counter()
    failed = _("Nothing was imported: see the rows in error.")
    try:
        with transaction.atomic():
            if not ImportBatch.objects.select_for_update().filter(pk=batch.pk).exists():
                return Outcome(False, plan, message=_("This preview was already imported."))
            ctx = Context.load(actor)
            plan_sheets(ctx, plan.sheets)
            for row in plan.rows:
                before = previewed[(row.sheet, row.kind, row.number)]
                if row.action != FAILED and (row.action, row.target) != before[:2]:
                    row.error(
                        _("The data changed since the preview: this row would now be "
                          "“%(now)s” instead of “%(then)s”. Check the new preview.")
                        % {"now": action_label(row.action), "then": action_label(before[0])}
                    )  # fmt: skip
                    row.action = FAILED
                elif before[2] is not None and row.target == before[1]:
                    row.version = before[2]  # save against the version the importer saw
            if plan.has_errors:
                raise _Abort
            created = commit_customers(ctx, plan, counts)
            for sheet in (s for s in plan.sheets if s.kind == CONTACTS):
                commit_contacts(ctx, sheet, created, counts)
            for sheet in (s for s in plan.sheets if s.kind == EVALUATIONS):
                commit_evaluations(ctx, sheet, created, counts)
            if plan.has_errors:
                raise _Abort
            ImportBatch.objects.filter(pk=batch.pk).delete()
    except _Abort:
        ImportBatch.objects.filter(pk=batch.pk).update(payload=plan.as_json())
        return Outcome(False, plan, message=failed)
    return Outcome(True, plan, counts=dict(counts))
