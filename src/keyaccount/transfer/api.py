"""Imports over REST: upload a file (checked, nothing written), read the preview's rows,
commit it as a background job, follow its progress, download the rejected rows.

The same pipeline, the same limits and the same role check as the import page
(``transfer.importing``); a batch is its importer's own: anyone else gets 404."""

import uuid
from typing import Literal, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from pydantic import Field

from keyaccount.core.api_errors import ErrorOut, errors
from keyaccount.core.excel import download
from keyaccount.core.jobs import read_progress
from keyaccount.core.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_OFFSET,
    MAX_PAGE_SIZE,
    InSchema,
    OutSchema,
)
from keyaccount.customers import permissions
from keyaccount.customers.models import ImportBatch
from keyaccount.org.requests import AuthenticatedRequest

from . import importing

router = Router(tags=["imports"])

State = Literal["reading", "refused", "previewed", "queued", "running", "done"]
Action = Literal["create", "update", "unchanged", "error"]
RowFilter = Literal["all", "errors", "warnings", "create", "update", "unchanged"]


class ProblemOut(OutSchema):
    level: Literal["error", "warning", "info"]
    message: str
    row: int | None = Field(None, description="The row number in the file.")
    column: str = Field("", description="The column's header as the file has it.")


class CountsOut(OutSchema):
    rows: int
    create: int
    update: int
    unchanged: int
    error: int
    warning: int


class ProgressOut(OutSchema):
    done: int
    total: int
    percent: int


class ResultOut(OutSchema):
    counts: dict[str, int] = Field(
        description="What was written: customers_created, customers_updated, grades_set, "
        "contacts_created, contacts_updated, evaluations_created, opportunities_created."
    )
    rejected: int = Field(description="Rows left out (in error at the preview).")
    summary: str


class ImportOut(OutSchema):
    id: uuid.UUID
    file_name: str
    state: State
    counts: CountsOut
    problems: list[ProblemOut] = Field(description="About the file or a whole sheet.")
    can_commit: bool = Field(description="Every row is right and there is something to write.")
    can_commit_valid: bool = Field(
        description="Some rows are in error but the others may be imported without them "
        "(`skip_errors`)."
    )
    message: str = Field("", description="Why the last commit wrote nothing, if it did not.")
    progress: ProgressOut | None = None
    result: ResultOut | None = None


class RowOut(OutSchema):
    sheet: str
    number: int
    action: Action
    label: str
    changes: list[list[str]] = Field(description="[header, old value, new value] per change.")
    problems: list[ProblemOut]


class RowPage(OutSchema):
    count: int
    offset: int
    limit: int
    items: list[RowOut]


class RowQuery(InSchema):
    show: RowFilter = "all"
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class CommitIn(InSchema):
    skip_errors: bool = Field(
        False, description="Import the good rows and leave out the rows in error."
    )


class RejectedQuery(InSchema):
    format: Literal["xlsx", "csv"] = "xlsx"


def check_importer(request: AuthenticatedRequest) -> None:
    if not permissions.can_import(permissions.capabilities_for(request.auth)):
        raise PermissionDenied(_("Your role does not import customers."))


def load_import(
    request: AuthenticatedRequest, batch_id: uuid.UUID
) -> tuple[ImportBatch, importing.Plan]:
    check_importer(request)
    found = importing.load_batch(user=request.auth, batch_id=batch_id)
    if found is None:
        raise Http404(_("No such import: it was discarded, or is too old."))
    return importing.check_job(found[0]), found[1]


def import_out(batch: ImportBatch, plan: importing.Plan) -> ImportOut:
    file_errors = any(p.level == importing.ERROR for p in plan.problems)
    progress = read_progress(importing.progress_key(batch))
    active = batch.state in (ImportBatch.State.QUEUED, ImportBatch.State.RUNNING)
    result = None
    if batch.state == ImportBatch.State.DONE:
        counts = batch.result.get("counts", {})
        result = ResultOut(
            counts=counts,
            rejected=batch.result.get("rejected", 0),
            summary=importing.summary(counts),
        )
    previewed = batch.state == ImportBatch.State.PREVIEWED
    return ImportOut(
        id=batch.pk,
        file_name=batch.file_name,
        state=cast(State, batch.state),
        counts=CountsOut(**plan.counts()),
        problems=[ProblemOut(**vars(p)) for p in plan.problems],
        can_commit=previewed and not plan.has_errors and plan.has_work,
        can_commit_valid=previewed and not file_errors and plan.has_work and plan.has_errors,
        message=batch.result.get("message", ""),
        progress=ProgressOut(done=progress.done, total=progress.total, percent=progress.percent)
        if active and progress
        else None,
        result=result,
    )


@router.post(
    "/imports",
    response={201: ImportOut, 202: ImportOut, **errors(400, 403, 422)},
    summary="Upload a file to import (checked; nothing written)",
    operation_id="import_upload",
)
def import_upload(
    request: AuthenticatedRequest, file: File[UploadedFile], mapping: Form[str] = ""
) -> Status[ImportOut]:
    """An .xlsx workbook or a .csv file (UTF-8, GB18030/GBK), as on the import page. Every row
    is checked by the background worker: 202 with `state` *reading* while it runs (follow
    `GET /imports/{id}` until *previewed*, or *refused* with the reason in `message`), 201
    once checked (at once when jobs run in the request); the answer then says what each row
    would do (`counts`, `GET /imports/{id}/rows`). A file refused as soon as it is read is a
    422 saying why. `mapping`: the name of a saved mapping (`GET /import-mappings`) to read it
    with; see and change how it was read with `GET`/`PUT /imports/{id}/mapping`."""
    check_importer(request)
    chosen = None
    if mapping:
        saved = importing.saved(mapping)
        if saved is None:
            raise ValidationError({"mapping": _("There is no saved mapping of that name.")})
        chosen = importing.from_saved(saved)
    if file.size is not None and file.size > importing.MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(max)s MB, the largest file that can be imported.")
             % {"max": importing.MAX_BYTES // 1024 // 1024}}
        )  # fmt: skip
    name = str(file.name or "")[:200]
    batch = importing.start_preview(
        user=request.auth, file_name=name, data=file.read(), mapping=chosen
    )
    if batch.state == ImportBatch.State.REFUSED:
        batch.delete()
        raise ValidationError({"file": batch.result.get("message", "")})
    batch, plan = load_import(request, batch.pk)
    return Status(
        201 if batch.state == ImportBatch.State.PREVIEWED else 202, import_out(batch, plan)
    )


@router.get(
    "/imports/{batch_id}",
    response={200: ImportOut, **errors(403, 404)},
    summary="An import: its preview, progress or result",
    operation_id="import_get",
)
def import_get(request: AuthenticatedRequest, batch_id: uuid.UUID) -> ImportOut:
    return import_out(*load_import(request, batch_id))


@router.get(
    "/imports/{batch_id}/rows",
    response={200: RowPage, **errors(403, 404, 422)},
    summary="The rows of an import's preview, with what each does and its problems",
    operation_id="import_rows",
)
def import_rows(
    request: AuthenticatedRequest, batch_id: uuid.UUID, query: Query[RowQuery]
) -> RowPage:
    _batch, plan = load_import(request, batch_id)
    rows = [r for r in plan.rows if importing.shown(r, query.show)]
    window = rows[query.offset : query.offset + query.limit]
    return RowPage(
        count=len(rows),
        offset=query.offset,
        limit=query.limit,
        items=[
            RowOut(
                sheet=r.sheet,
                number=r.number,
                action=cast(Action, r.action),
                label=r.label,
                changes=r.changes,
                problems=[ProblemOut(**vars(p)) for p in r.problems],
            )
            for r in window
        ],
    )


@router.post(
    "/imports/{batch_id}/commit",
    response={202: ImportOut, **errors(400, 403, 404, 409, 422, 503)},
    summary="Import the previewed rows, as a background job",
    operation_id="import_commit",
)
def import_commit(
    request: AuthenticatedRequest, batch_id: uuid.UUID, payload: CommitIn
) -> Status[ImportOut | ErrorOut]:
    """All rows or none; with `skip_errors`, the rows in error at the preview are left out (and
    downloadable from `/imports/{id}/rejected`). Answers 202 at once: follow `state` and
    `progress` with `GET /imports/{id}` until it is `done` (or back to `previewed` with a
    `message` when nothing could be written). 409 if it is already queued or imported."""
    batch, plan = load_import(request, batch_id)
    if batch.state != ImportBatch.State.PREVIEWED:
        return Status(409, ErrorOut(detail=_("This import is already queued or done.")))
    refusal = importing.commit_refusal(plan, payload.skip_errors)
    if refusal:
        raise ValidationError({"skip_errors": refusal})
    if not importing.start_commit(user=request.auth, batch=batch, skip_errors=payload.skip_errors):
        batch.refresh_from_db()
        return Status(503, ErrorOut(detail=batch.result.get("message", "")))
    return Status(202, import_out(*load_import(request, batch_id)))


@router.delete(
    "/imports/{batch_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Discard a preview (nothing was imported)",
    operation_id="import_discard",
)
def import_discard(request: AuthenticatedRequest, batch_id: uuid.UUID) -> Status[ErrorOut | None]:
    batch, _plan = load_import(request, batch_id)
    if batch.state != ImportBatch.State.PREVIEWED:
        return Status(409, ErrorOut(detail=_("This import is already queued or done.")))
    batch.delete()
    return Status(204, None)


@router.get(
    "/imports/{batch_id}/rejected",
    response={200: None, **errors(403, 404, 422)},
    summary="The rows in error, with the reason per row, as .xlsx or .csv",
    operation_id="import_rejected",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file",
                "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def import_rejected(
    request: AuthenticatedRequest, batch_id: uuid.UUID, query: Query[RejectedQuery]
) -> HttpResponse:
    _batch, plan = load_import(request, batch_id)
    return download(importing.rejected_export(plan, fmt=query.format))
