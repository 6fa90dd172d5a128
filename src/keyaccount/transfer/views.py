"""Pages and downloads for importing and exporting customers and contacts."""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import MemoryFileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from keyaccount.core.excel import FORMATS, XLSX_CONTENT_TYPE, Export, download, file_name
from keyaccount.core.jobs import read_progress
from keyaccount.customers import access, permissions, selectors
from keyaccount.customers.filters import CustomerFilters, parse_filters
from keyaccount.customers.models import Customer, ImportBatch, ImportMapping
from keyaccount.org.requests import AuthenticatedRequest

from . import exporting, importing, mapping_form

PER_PAGE = 100
FILTERS = ("all", "errors", "warnings", "create", "update", "unchanged")


def _format(request: AuthenticatedRequest) -> str:
    fmt = request.GET.get("format", "xlsx").lower()
    return fmt if fmt in FORMATS else "xlsx"


def _visible_customer(request: AuthenticatedRequest, pk: int) -> Customer:
    return access.customer_for(request.user, pk)


def _list_filters(request: AuthenticatedRequest) -> CustomerFilters:
    """The KA list's filters as its page reads them: the values it drops are dropped here too."""
    return parse_filters(request.GET, selectors.filter_choices(user=request.user)).filters


# --- exports --------------------------------------------------------------------------------


@login_required
@require_GET
def export_list(request: AuthenticatedRequest) -> HttpResponse:
    """The KA list with the list page's filters, as .xlsx or CSV."""
    filters = _list_filters(request)
    return download(
        exporting.export_customers(user=request.user, filters=filters, fmt=_format(request))
    )


@login_required
@require_GET
def export_contacts(request: AuthenticatedRequest) -> HttpResponse:
    filters = _list_filters(request)
    return download(
        exporting.export_contacts(user=request.user, filters=filters, fmt=_format(request))
    )


@login_required
@require_GET
def export_profile(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    customer = _visible_customer(request, pk)
    return download(exporting.export_profile(user=request.user, customer=customer))


@login_required
@require_GET
def export_evaluations(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    customer = _visible_customer(request, pk)
    return download(exporting.export_evaluations(user=request.user, customer=customer))


@login_required
@require_GET
def print_profile(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The profile form (客户档案表) as a page to print on A4."""
    customer = _visible_customer(request, pk)
    return render(
        request,
        "transfer/print_profile.html",
        {
            "customer": customer,
            "sections": exporting.profile_sections(customer),
            "contacts": exporting.profile_contacts(user=request.user, customer=customer),
        },
    )


# --- import ---------------------------------------------------------------------------------


def _check_import(request: AuthenticatedRequest) -> None:
    if not permissions.can_import(permissions.capabilities_for(request.user)):
        raise PermissionDenied(_("Your role does not import customers."))


@login_required
@require_GET
def import_template(request: AuthenticatedRequest) -> HttpResponse:
    _check_import(request)
    name = file_name(str(_("Customer import template")), extension="xlsx")
    return download(Export(importing.build_template(), name, XLSX_CONTENT_TYPE))


class BoundedUploadHandler(MemoryFileUploadHandler):
    """Keeps the upload in memory up to the import's limit and stops reading beyond it, so a
    huge upload is neither buffered nor written to disk."""

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        self.activated = True

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.received = 0
        super().new_file(*args, **kwargs)  # raises StopFutureHandlers: we keep the file

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > importing.MAX_BYTES:
            self.request.import_too_big = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


def _too_big() -> str:
    return _("The file is larger than %(max)s MB, the largest file that can be imported.") % {
        "max": importing.MAX_BYTES // 1024 // 1024
    }


@csrf_exempt  # the CSRF check runs in ``_import`` once the upload handlers are in place
@login_required
def import_view(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        _check_import(request)
        request.upload_handlers = [BoundedUploadHandler(request)]
    return _import(request)


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def _import(request: AuthenticatedRequest) -> HttpResponse:
    """Upload → preview (nothing written) → commit (all rows or none)."""
    _check_import(request)
    if request.method == "POST":
        action = request.POST.get("action", "preview")
        if action == "preview":
            return _upload(request)
        if action in ("commit", "discard"):
            return _decide(request, action)
        if action == "remap":
            return _remap(request)
        return _page(request, error=_("Unknown action."), status=400)
    batch_id = request.GET.get("batch")
    if batch_id:
        found = _batch(request, batch_id)
        if found is None:
            return _expired(request)
        batch, plan = found
        batch = importing.check_job(batch)
        if "progress" in request.GET:
            return _progress(request, batch)
        if "rejected" in request.GET:
            fmt = "csv" if request.GET.get("rejected") == "csv" else "xlsx"
            return download(importing.rejected_export(plan, fmt=fmt))
        return _page(request, batch=batch, plan=plan)
    return _page(request)


def _job_context(batch: ImportBatch) -> dict[str, Any]:
    return {
        "batch": batch,
        "progress": read_progress(importing.progress_key(batch)),
        "waiting": batch.state == ImportBatch.State.QUEUED,
    }


def _progress(request: AuthenticatedRequest, batch: ImportBatch) -> HttpResponse:
    """The progress bar, polled by the page while the job runs; a reload once it is over."""
    if batch.state not in (
        ImportBatch.State.READING,
        ImportBatch.State.QUEUED,
        ImportBatch.State.RUNNING,
    ):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "transfer/partials/import_progress.html", _job_context(batch))


def _batch(request: AuthenticatedRequest, batch_id: str) -> tuple[Any, importing.Plan] | None:
    try:
        key = uuid.UUID(str(batch_id))
    except ValueError:
        return None
    return importing.load_batch(user=request.user, batch_id=key)


def _expired(request: AuthenticatedRequest) -> HttpResponse:
    return _page(
        request,
        error=_(
            "This preview no longer exists: it was imported, discarded or is more than a day "
            "old. Upload the file again."
        ),
        status=404,
    )


def _upload(request: AuthenticatedRequest) -> HttpResponse:
    if getattr(request, "import_too_big", False):
        return _page(request, error=_too_big(), status=400)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, error=_("Choose a file to import (.xlsx or .csv)."), status=400)
    if upload.size is not None and upload.size > importing.MAX_BYTES:
        return _page(request, error=_too_big(), status=400)
    name = str(upload.name or "")[:200]
    data = upload.read()
    mapping = None
    if request.POST.get("mapping"):
        saved = importing.saved(request.POST["mapping"])
        if saved is None:
            return _page(request, error=_("There is no saved mapping of that name."), status=400)
        mapping = importing.from_saved(saved)
    batch = importing.start_preview(user=request.user, file_name=name, data=data, mapping=mapping)
    if batch.state == ImportBatch.State.REFUSED:  # read at once (the immediate backend)
        batch.delete()
        return _page(request, error=batch.result.get("message", ""), status=400, file_name=name)
    return HttpResponseRedirect(f"{reverse('customers_io:import')}?batch={batch.pk}")


def _remap(request: AuthenticatedRequest) -> HttpResponse:
    """The mapping panel's form: read the file again as it says (and save it by name)."""
    found = _batch(request, request.POST.get("batch", ""))
    if found is None:
        return _expired(request)
    batch, plan = found
    here = f"{reverse('customers_io:import')}?batch={batch.pk}"
    if batch.state != ImportBatch.State.PREVIEWED or batch.source is None:
        messages.error(request, _("This preview can no longer be mapped: upload the file again."))
        return HttpResponseRedirect(here)
    try:
        mapping = mapping_form.read_form(request.POST, importing.batch_mapping(batch))
    except mapping_form.MappingFormError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(here)
    if not importing.start_remap(user=request.user, batch=batch, mapping=mapping):
        messages.error(request, _("This preview can no longer be mapped: upload the file again."))
        return HttpResponseRedirect(here)
    name = " ".join(str(request.POST.get("save_as", "")).split())[:80]
    if name and plan.sheets:
        try:
            importing.save_as(
                name=name, sheet=mapping.for_sheet(plan.sheets[0].title), user=request.user
            )
            messages.success(request, _("The mapping was saved as “%(name)s”.") % {"name": name})
        except PermissionError:
            messages.error(
                request,
                _("A mapping called “%(name)s” was saved by someone else: choose another "
                  "name.") % {"name": name},
            )  # fmt: skip
    return HttpResponseRedirect(here)


def _decide(request: AuthenticatedRequest, action: str) -> HttpResponse:
    found = _batch(request, request.POST.get("batch", ""))
    if found is None:
        return _expired(request)
    batch, plan = found
    here = reverse("customers_io:import")
    if batch.state != ImportBatch.State.PREVIEWED:  # queued, running or done: show where it is
        return HttpResponseRedirect(f"{here}?batch={batch.pk}")
    if action == "discard":
        batch.delete()
        messages.info(request, _("The preview was discarded; nothing was imported."))
        return HttpResponseRedirect(here)
    skip = request.POST.get("skip_errors") == "1"
    refusal = importing.commit_refusal(plan, skip)
    if refusal:
        messages.error(request, refusal)
        return HttpResponseRedirect(f"{here}?batch={batch.pk}&show=errors")
    importing.start_commit(user=request.user, batch=batch, skip_errors=skip)
    return HttpResponseRedirect(f"{here}?batch={batch.pk}")


def _page(
    request: AuthenticatedRequest,
    *,
    batch: Any = None,
    plan: importing.Plan | None = None,
    error: str = "",
    status: int = 200,
    file_name: str = "",
) -> HttpResponse:
    kinds = dict(mapping_form.kind_choices())
    context: dict[str, Any] = {
        "error": error,
        "file_name": file_name,
        "max_mb": importing.MAX_BYTES // 1024 // 1024,
        "max_rows": f"{importing.MAX_ROWS:,}",
        "sheets": [
            (importing.SHEET_TITLES[kind], importing.COLUMNS[kind]) for kind in importing.KINDS
        ],
        "registers": permissions.can_request_registration(
            permissions.capabilities_for(request.user)
        ),
        "saved_mappings": [
            (name, kinds.get(kind, kind))
            for name, kind in ImportMapping.objects.values_list("name", "kind")
        ],
    }
    if batch is not None and batch.state == ImportBatch.State.REFUSED:
        context.update(error=batch.result.get("message", ""), file_name=batch.file_name)
        return render(request, "transfer/import.html", context, status=status)
    if batch is not None and batch.state != ImportBatch.State.PREVIEWED:
        context.update(_job_context(batch))
        if batch.state == ImportBatch.State.DONE:
            context.update(
                result=batch.result,
                summary=importing.summary(batch.result.get("counts", {})),
                rejected=batch.result.get("rejected", 0),
            )
        return render(request, "transfer/import_job.html", context, status=status)
    if batch is not None and batch.result.get("message"):
        context["error"] = batch.result["message"]
    if plan is not None:
        # the rows in error first when there are some (a check that ends reloads the page)
        show = request.GET.get("show", "errors" if plan.has_errors else "all")
        show = show if show in FILTERS else "all"
        rows = [r for r in plan.rows if importing.shown(r, show)]
        page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
        titles = {s.title: (s.title or str(importing.SHEET_TITLES[s.kind])) for s in plan.sheets}
        counts = plan.counts()
        panel = mapping_form.panel(plan, importing.batch_mapping(batch), request.user)
        context.update(
            panel=panel,
            panel_open=any(s.needs_attention for s in panel),
            can_remap=batch.source is not None,
            kind_choices=mapping_form.kind_choices(),
            units=[(k, str(v)) for k, v in importing.UNITS.items()],
            batch=batch,
            plan=plan,
            show=show,
            page=page,
            counts=counts,
            filters=[
                ("all", _("All rows"), counts["rows"]),
                ("errors", _("Errors"), counts[importing.FAILED]),
                ("warnings", _("Warnings"), counts["warning"]),
                ("create", _("New"), counts[importing.CREATE]),
                ("update", pgettext("import rows", "Updated"), counts[importing.UPDATE]),
                ("unchanged", _("Unchanged"), counts[importing.UNCHANGED]),
            ],
            rows=[
                {
                    "row": row,
                    "sheet": titles.get(row.sheet, row.sheet),
                    "action": importing.action_label(row.action),
                    "badge": {
                        importing.CREATE: "bg-green-lt",
                        importing.UPDATE: "bg-blue-lt",
                        importing.UNCHANGED: "bg-secondary-lt",
                        importing.FAILED: "bg-red-lt",
                    }.get(row.action, "bg-secondary-lt"),
                }
                for row in page.object_list
            ],
            file_problems=plan.problems,
            kinds=[
                (titles.get(s.title, s.title), str(importing.SHEET_TITLES[s.kind]), len(s.rows))
                for s in plan.sheets
            ],
            can_commit=not plan.has_errors and plan.has_work,
            file_errors=any(p.level == importing.ERROR for p in plan.problems),
            can_skip=bool(counts[importing.FAILED])
            and plan.has_work
            and not importing.commit_refusal(plan, True),
            good_rows=counts[importing.CREATE] + counts[importing.UPDATE],
        )
    return render(request, "transfer/import.html", context, status=status)
