"""Reading and checking an upload as a background job: the page, the API and a mapping
changed on the page hand the file to the worker (a file of 200,000 rows, or a hostile one, is
never read in a web thread), and follow it like a commit (``reading`` → ``previewed``, or
``refused`` with the reason the file cannot be read)."""

import logging
from typing import Any

from django.tasks import TaskResultStatus, task
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import translation
from django.utils.translation import gettext as _

from keyaccount.core import jobs
from keyaccount.customers.models import ImportBatch
from keyaccount.org.models import User

from .batches import preview, progress_key, prune_batches
from .mapping import Mapping
from .reading import FileRefusedError

log = logging.getLogger(__name__)

READING = ImportBatch.State.READING
REFUSED = ImportBatch.State.REFUSED


def start_preview(
    *, user: User, file_name: str, data: bytes, mapping: Mapping | None = None
) -> ImportBatch:
    """Keep the upload and queue its check; the batch is *reading* until the worker is done
    (at once with the immediate backend). Called outside of a transaction."""
    prune_batches()
    batch = ImportBatch.objects.create(
        user=user,
        file_name=file_name[:200],
        payload={},
        source=data,
        mapping=(mapping or Mapping()).as_json(),
        state=READING,
    )
    _enqueue(batch)
    batch.refresh_from_db()
    return batch


def start_remap(*, user: User, batch: ImportBatch, mapping: Mapping) -> bool:
    """Read the batch's file again as ``mapping`` says, in the worker; False when the batch is
    no longer a preview or its file is gone."""
    queued = ImportBatch.objects.filter(
        pk=batch.pk, user=user, state=ImportBatch.State.PREVIEWED, source__isnull=False
    ).update(state=READING, mapping=mapping.as_json(), result={})
    if queued:
        _enqueue(batch)
    batch.refresh_from_db()
    return bool(queued)


def _enqueue(batch: ImportBatch) -> None:
    jobs.report_progress(progress_key(batch), done=0, total=0, phase="reading")
    try:
        result = preview_import.enqueue(str(batch.pk), translation.get_language())
    except Exception:
        log.exception("the check of import %s could not be enqueued", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk, state=READING).update(
            state=REFUSED, result={"message": _not_queued()}
        )
        return
    ImportBatch.objects.filter(pk=batch.pk, state=READING).update(result={"job": result.id})


def _not_queued() -> str:
    return _(
        "The file could not be handed to the background worker (its queue is unreachable), so "
        "it was not checked. Upload it again in a moment; if it fails again, tell your "
        "administrator."
    )


def _stopped() -> str:
    return _(
        "The check of the file stopped before it was done (the background worker failed). "
        "Upload it again; if it stops again, tell your administrator."
    )


def run_preview(batch_id: str, language: str | None = None) -> str:
    """The job's work: the batch *previewed* (or *refused*, with the reason); what it did."""
    batch = ImportBatch.objects.select_related("user").filter(pk=batch_id, state=READING).first()
    if batch is None or batch.source is None:
        return "skipped"
    with translation.override(language or batch.user.language or None):
        try:
            plan = preview(
                user=batch.user,
                file_name=batch.file_name,
                data=bytes(batch.source),
                mapping=Mapping.from_json(batch.mapping),
            )
        except FileRefusedError as exc:
            ImportBatch.objects.filter(pk=batch.pk, state=READING).update(
                state=REFUSED, result={"message": exc.message}, source=None
            )
            return "refused"
    ImportBatch.objects.filter(pk=batch.pk, state=READING).update(
        state=ImportBatch.State.PREVIEWED, payload=plan.as_json(), result={}
    )
    jobs.report_progress(progress_key(batch), done=1, total=1, phase="finished")
    return "previewed"


@task()
def preview_import(batch_id: str, language: str | None = None) -> dict[str, Any]:
    try:
        return {"outcome": run_preview(batch_id, language)}
    except Exception:
        with translation.override(language):  # a fault: say so on the page, keep the trace
            ImportBatch.objects.filter(pk=batch_id, state=READING).update(
                state=REFUSED, result={"message": _stopped()}, source=None
            )
        raise


def check_preview_job(batch: ImportBatch) -> ImportBatch:
    """A check whose job failed for good (its worker died too often) is *refused* with the
    reason, never left "checking" for ever."""
    job_id = batch.result.get("job")
    if batch.state != READING or not job_id:
        return batch
    if not preview_import.get_backend().supports_get_result:
        return batch
    try:
        status = preview_import.get_result(job_id).status
    except TaskResultDoesNotExist:
        return batch
    if status == TaskResultStatus.FAILED:
        ImportBatch.objects.filter(pk=batch.pk, state=READING).update(
            state=REFUSED, result={"message": _stopped()}, source=None
        )
        batch.refresh_from_db()
    return batch
