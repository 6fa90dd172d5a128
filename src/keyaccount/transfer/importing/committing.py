"""The commit of a previewed batch: every row checked again and written through the services
in one transaction, or nothing. Rows in error at the preview may be left out (``skip_errors``):
they are the *rejected* rows of the result, with their reasons; every other row is written or
none is."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyaccount.customers.models import ImportBatch
from keyaccount.org.models import User

from .batches import plan_sheets
from .columns import CONTACTS, EVALUATIONS, MILESTONES, OPPORTUNITIES, PEOPLE
from .contacts import commit_contacts
from .customers import commit_customers
from .evaluations import commit_evaluations
from .matching import Context
from .milestones import commit_milestones
from .opportunities import commit_opportunities
from .people import commit_people
from .plan import CREATE, ERROR, FAILED, UPDATE, Plan, Row, action_label

#: The states a batch may be committed from (a job run again after its worker died finds it
#: running; the transaction of the first run was rolled back).
COMMITTABLE = (ImportBatch.State.PREVIEWED, ImportBatch.State.QUEUED, ImportBatch.State.RUNNING)

Progress = Callable[[int, int], None]


@dataclass
class Outcome:
    committed: bool
    plan: Plan
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""
    rejected: list[Row] = field(default_factory=list)


class _Abort(Exception):
    pass


def commit(
    *,
    actor: User,
    batch: ImportBatch,
    plan: Plan,
    skip_errors: bool = False,
    progress: Progress | None = None,
) -> Outcome:
    """Write every row through the services in one transaction, or nothing.

    The batch is locked (a second commit of the same preview finds it imported) and the rows
    are checked again against the database as it is now; if that finds an error the preview
    did not show, or a row would now do something else than the preview said, or a service
    refuses a row, nothing is written and the new preview is kept in the batch (back in the
    *previewed* state) with the reasons. On success the batch is *done*, with the counts."""
    previewed = {(r.sheet, r.kind, r.number): (r.action, r.target, r.version) for r in plan.rows}
    counts: Counter[str] = Counter()
    failed = _("Nothing was imported: see the rows in error.")
    total = sum(1 for r in plan.rows if r.action in (CREATE, UPDATE))
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None and (done % 50 == 0 or done == total):
            progress(done, total)

    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().filter(
                pk=batch.pk, state__in=COMMITTABLE
            )
            if not locked.exists():
                return Outcome(False, plan, message=_("This preview was already imported."))
            if any(p.level == ERROR for p in plan.problems):
                raise _Abort
            ctx = Context.load(actor)
            ctx.step, ctx.committing = step, True
            plan_sheets(ctx, plan.sheets)
            rejected = _recheck(plan, previewed, skip_errors)
            if progress is not None:
                progress(0, total)
            for sheet in (s for s in plan.sheets if s.kind == PEOPLE):
                commit_people(ctx, sheet, counts)
            created = commit_customers(ctx, plan, counts)
            for sheet in (s for s in plan.sheets if s.kind == CONTACTS):
                commit_contacts(ctx, sheet, created, counts)
            for sheet in (s for s in plan.sheets if s.kind == EVALUATIONS):
                commit_evaluations(ctx, sheet, created, counts)
            for sheet in (s for s in plan.sheets if s.kind == OPPORTUNITIES):
                commit_opportunities(ctx, sheet, counts, source=plan.file_name)
            for sheet in (s for s in plan.sheets if s.kind == MILESTONES):
                commit_milestones(ctx, sheet, counts)
            if any(r.action == FAILED and id(r) not in rejected for r in plan.rows):
                raise _Abort
            result = {
                "counts": dict(counts),
                "rejected": len(rejected),
                "rows": sum(len(s.rows) for s in plan.sheets),
            }
            ImportBatch.objects.filter(pk=batch.pk).update(
                state=ImportBatch.State.DONE,
                result=result,
                payload=plan.as_json(),
                finished_at=timezone.now(),
                source=None,  # imported: no more mapping
            )
    except _Abort:
        ImportBatch.objects.filter(pk=batch.pk).update(
            payload=plan.as_json(),
            state=ImportBatch.State.PREVIEWED,
            result={"message": failed},
        )
        return Outcome(False, plan, message=failed)
    return Outcome(
        True, plan, counts=dict(counts), rejected=[r for r in plan.rows if id(r) in rejected]
    )


def _recheck(
    plan: Plan,
    previewed: dict[tuple[str, str, int], tuple[str, int | None, int | None]],
    skip_errors: bool,
) -> set[int]:
    """Compare the rows as they are now with the preview; returns the rows left out (by
    ``id``). Raises ``_Abort`` when something must stop the commit."""
    rejected: set[int] = set()
    for row in plan.rows:
        before = previewed[(row.sheet, row.kind, row.number)]
        if row.action == FAILED and before[0] == FAILED and skip_errors:
            rejected.add(id(row))
        elif row.action != FAILED and (row.action, row.target) != before[:2]:
            row.error(
                _("The data changed since the preview: this row would now be "
                  "“%(now)s” instead of “%(then)s”. Check the new preview.")
                % {"now": action_label(row.action), "then": action_label(before[0])}
            )  # fmt: skip
            row.action = FAILED
        elif before[2] is not None and row.target == before[1]:
            row.version = before[2]  # save against the version the importer saw
    if any(r.action == FAILED and id(r) not in rejected for r in plan.rows):
        raise _Abort
    return rejected
