"""What several page modules of the pipeline share: the opportunity page's address, the answer
after a successful action, a page-or-fragment render, the access checks of a deal's actions and
how a stage (and step) is named."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from keyaccount.core.http import wants_fragment
from keyaccount.org.requests import AuthenticatedRequest
from keyaccount.process.models import Stage, Step

from ..models import Opportunity
from ..permissions import DealAccess


def detail_url(opp: Opportunity | int, tab: str = "") -> str:
    """The opportunity page, on ``tab`` (the process tab is the page's default)."""
    url = reverse("pipeline:detail", args=[opp if isinstance(opp, int) else opp.pk])
    return f"{url}?tab={tab}" if tab and tab != "process" else url


def done(request: AuthenticatedRequest, opp: Opportunity, tab: str, text: str) -> HttpResponse:
    """Success: a message, then back to the tab (an htmx dialog asks the browser to go)."""
    messages.success(request, text)
    url = detail_url(opp, tab)
    if wants_fragment(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def render_page_or_fragment(
    request: AuthenticatedRequest,
    page: str,
    fragment: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """The whole ``page``, or only its ``fragment`` for htmx; the answer varies on HX-Request
    so no cache serves one for the other."""
    template = fragment if wants_fragment(request) else page
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def require_run(acc: DealAccess) -> None:
    if not acc.run:
        raise PermissionDenied(_("Only the deal's owner and their managers may do this."))


def require_work(acc: DealAccess) -> None:
    if not acc.work:
        raise PermissionDenied(_("Only the deal's team and their managers may do this."))


def stage_label(stage: Stage | None, step: Step | None = None) -> str:
    """``2. Stage`` or ``2. Stage · 2.1 Step``; a dash for no stage."""
    if stage is None:
        return "—"
    text = f"{stage.order}. {stage.name}"
    if step is not None:
        text += f" · {stage.order}.{step.order} {step.name}"
    return text
