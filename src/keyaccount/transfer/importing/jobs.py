"""The commit of an import as a background job: queued from the page, the API or the CLI,
run by the worker, followed by a progress bar, and summed up in a result with the rejected
rows as a file to correct and upload again."""

import logging
from collections.abc import Callable
from typing import Any

from django.tasks import TaskResultStatus, task
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook

from keyaccount.core import jobs
from keyaccount.core.excel import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Export,
    file_name,
    stream_sheet,
    workbook_bytes,
    write_csv,
)
from keyaccount.customers.models import ImportBatch
from keyaccount.org.models import User

from .batches import progress_key, prune_batches
from .cells import References, display
from .columns import COLUMNS, SHEET_TITLES
from .committing import COMMITTABLE, Outcome, commit
from .plan import CREATE, ERROR, FAILED, UNCHANGED, UPDATE, WARNING, Plan, Row, Sheet
from .previewing import check_preview_job

log = logging.getLogger(__name__)


def start_commit(*, user: User, batch: ImportBatch, skip_errors: bool = False) -> bool:
    """Queue the commit of a previewed batch; False if it is already queued or imported, or
    could not be queued (the batch then says why).

    Called outside of a transaction (a page, the API, the CLI): the batch is *queued* and
    committed before the job is enqueued, so a worker never finds it still *previewed*."""
    queued = ImportBatch.objects.filter(
        pk=batch.pk, user=user, state=ImportBatch.State.PREVIEWED
    ).update(state=ImportBatch.State.QUEUED, skip_errors=skip_errors, result={})
    if queued:
        jobs.report_progress(progress_key(batch), done=0, total=0, phase="queued")
        try:
            result = commit_import.enqueue(str(batch.pk), translation.get_language())
        except Exception:
            # the queue is unreachable (Redis down, the database busy): nothing was queued, so
            # the batch must not wait for ever; the page says so and the import may be retried
            log.exception("the commit of import %s could not be enqueued", batch.pk)
            ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.QUEUED).update(
                state=ImportBatch.State.PREVIEWED, result={"message": _not_queued()}
            )
            return False
        ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.QUEUED).update(
            result={"job": result.id}
        )
    return bool(queued)


def _not_queued() -> str:
    return _(
        "The import could not be handed to the background worker (its queue is unreachable); "
        "nothing was imported. Try again in a moment; if it fails again, tell your "
        "administrator."
    )


def commit_refusal(plan: Plan, skip_errors: bool) -> str:
    """Why this preview cannot be imported as asked, or ""."""
    if any(p.level == ERROR for p in plan.problems):
        return _("Nothing was imported: the file itself has errors (listed above the rows).")
    if not plan.has_work:
        return _("Every row is already up to date: there is nothing to import.")
    if plan.has_errors and not skip_errors:
        return _("Nothing was imported: correct the rows in error first.")
    return ""


def shown(row: Row, show: str) -> bool:
    """Whether a preview's filter (all, errors, warnings, create, update, unchanged) shows
    the row."""
    if show == "errors":
        return row.action == FAILED
    if show == "warnings":
        return any(p.level == WARNING for p in row.problems)
    if show in (CREATE, UPDATE, UNCHANGED):
        return row.action == show
    return True


def _stopped() -> str:
    return _(
        "The import stopped before it was done (the background worker failed); nothing was "
        "imported. Import the file again; if it stops again, tell your administrator."
    )


def check_job(batch: ImportBatch) -> ImportBatch:
    """A batch whose job failed for good (an error, or its worker died too often) is back to
    *previewed* with the reason, never left "importing" for ever (and a check of the file,
    *refused*: ``check_preview_job``)."""
    if batch.state == ImportBatch.State.READING:
        return check_preview_job(batch)
    job_id = batch.result.get("job")
    if batch.state not in COMMITTABLE[1:] or not job_id:
        return batch
    if not commit_import.get_backend().supports_get_result:  # the immediate backend: done
        return batch
    try:
        status = commit_import.get_result(job_id).status
    except TaskResultDoesNotExist:  # pruned, or enqueued on another backend
        return batch
    if status == TaskResultStatus.FAILED:
        ImportBatch.objects.filter(pk=batch.pk, state=batch.state).update(
            state=ImportBatch.State.PREVIEWED, result={"message": _stopped()}
        )
        batch.refresh_from_db()
    return batch


def run_commit(batch_id: str, language: str | None = None) -> Outcome | None:
    """The job's work: None when the batch is gone or no longer waits to be imported."""
    batch = ImportBatch.objects.select_related("user").filter(pk=batch_id).first()
    if batch is None or batch.state not in COMMITTABLE[1:]:
        return None
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportBatch.State.RUNNING)
    plan = Plan.from_json(batch.file_name, batch.payload)
    key = progress_key(batch)

    def progress(done: int, total: int) -> None:
        jobs.report_progress(key, done=done, total=total, phase="writing")

    with translation.override(language or batch.user.language or None):
        outcome = commit(
            actor=batch.user,
            batch=batch,
            plan=plan,
            skip_errors=batch.skip_errors,
            progress=progress,
        )
    jobs.report_progress(key, done=1, total=1, phase="finished")
    return outcome


@task()
def commit_import(batch_id: str, language: str | None = None) -> dict[str, Any]:
    try:
        outcome = run_commit(batch_id, language)
    except Exception:
        # a fault, not a refusal: the transaction was rolled back; say so on the page, and let
        # the job be recorded as failed with its traceback
        with translation.override(language):
            ImportBatch.objects.filter(pk=batch_id).update(
                state=ImportBatch.State.PREVIEWED, result={"message": _stopped()}
            )
        raise
    if outcome is None:
        return {"committed": False, "skipped": True}
    return {"committed": outcome.committed, "counts": outcome.counts}


@task()
def prune_import_batches() -> int:
    return prune_batches()


def summary(counts: dict[str, int]) -> str:
    """What an import did, in a sentence."""
    parts: list[str] = []
    texts: dict[str, Callable[[int], str]] = {
        "customers_created": lambda n: ngettext(
            "%(n)s registration request", "%(n)s registration requests", n
        ),
        "customers_updated": lambda n: ngettext(
            "%(n)s customer updated", "%(n)s customers updated", n
        ),
        "grades_set": lambda n: ngettext("%(n)s grade set", "%(n)s grades set", n),
        "customers_allocated": lambda n: ngettext(
            "%(n)s customer allocated", "%(n)s customers allocated", n
        ),
        "contacts_created": lambda n: ngettext("%(n)s contact added", "%(n)s contacts added", n),
        "contacts_updated": lambda n: ngettext(
            "%(n)s contact updated", "%(n)s contacts updated", n
        ),
        "evaluations_created": lambda n: ngettext(
            "%(n)s evaluation added", "%(n)s evaluations added", n
        ),
        "opportunities_created": lambda n: ngettext(
            "%(n)s opportunity imported", "%(n)s opportunities imported", n
        ),
        "people_created": lambda n: ngettext("%(n)s person added", "%(n)s people added", n),
        "units_created": lambda n: ngettext("%(n)s org unit added", "%(n)s org units added", n),
        "milestones_created": lambda n: ngettext(
            "%(n)s payment milestone added", "%(n)s payment milestones added", n
        ),
        "milestones_updated": lambda n: ngettext(
            "%(n)s payment milestone updated", "%(n)s payment milestones updated", n
        ),
    }
    for key, text in texts.items():
        if counts.get(key):
            parts.append(text(counts[key]) % {"n": counts[key]})
    if not parts:
        return _("Imported: nothing needed to change.")
    return _("Imported: %(parts)s.") % {"parts": _("; ").join(parts)}


# --- the rejected rows ----------------------------------------------------------------------


def rejected_rows(plan: Plan) -> list[tuple[Sheet, Row]]:
    return [(s, r) for s in plan.sheets for r in s.rows if r.action == FAILED]


def _reasons(row: Row) -> str:
    parts = []
    for p in row.problems:
        if p.level != "error":
            continue
        parts.append(f"{p.column}: {p.message}" if p.column else p.message)
    return "\n".join(parts)


def rejected_export(plan: Plan, *, fmt: str = "xlsx") -> Export:
    """The rows left out, with the reason per row and their cells as the file had them (a
    refused cell as it was written), one sheet per sheet of the file: correct and upload."""
    refs = References.load()
    fixed = [_("Sheet"), _("Row"), _("Why it was not imported")]
    tables: list[tuple[str, list[str], list[list[Any]]]] = []
    for sheet in plan.sheets:
        rows = [r for r in sheet.rows if r.action == FAILED]
        if not rows:
            continue
        columns = {c.key: c for c in COLUMNS[sheet.kind]}
        keys = list(sheet.headers)
        title = sheet.title or str(SHEET_TITLES[sheet.kind])
        body = []
        for row in rows:
            cells: list[Any] = [title, row.number, _reasons(row)]
            for key in keys:
                written = sheet.headers[key]
                if written in row.raw:
                    cells.append(row.raw[written])
                else:
                    value = row.values.get(key)
                    if columns[key].type in ("region", "industry"):
                        value = display(columns[key], value, refs)
                    cells.append(value)
            body.append(cells)
        tables.append((title, [*map(str, fixed), *(sheet.headers[k] for k in keys)], body))
    base = f"{plan.file_name.rsplit('.', 1)[0]}-{_('rejected rows')}"
    if fmt == "csv":
        header = [str(h) for h in fixed]
        extra: list[str] = []
        for _title, heads, _body in tables:
            extra += [h for h in heads[len(fixed) :] if h not in extra]
        lines = []
        for _title, heads, body in tables:
            for cells in body:
                by_header = dict(zip(heads[len(fixed) :], cells[len(fixed) :], strict=True))
                lines.append([*cells[: len(fixed)], *(by_header.get(h) for h in extra)])
        return Export(
            write_csv([*header, *extra], lines),
            file_name(base, extension="csv"),
            CSV_CONTENT_TYPE,
        )
    workbook = Workbook(write_only=True)
    if not tables:
        stream_sheet(workbook, str(_("Rejected rows")), [str(h) for h in fixed], [])
    for title, heads, body in tables:
        stream_sheet(workbook, title, heads, body, widths=[12, 6, 50])
    return Export(workbook_bytes(workbook), file_name(base, extension="xlsx"), XLSX_CONTENT_TYPE)
