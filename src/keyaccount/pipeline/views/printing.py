"""The KA follow-up form (大客户跟进表) of a deal, as a page to print on A4 and as an Excel
download; both show only what the deal's viewers see (404 outside it)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from keyaccount.core.excel import download
from keyaccount.org.requests import AuthenticatedRequest

from .. import exporting
from ..access import opportunity_for


@login_required
@require_GET
def follow_up_form(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The KA follow-up form as a page to print on A4."""
    opp = opportunity_for(request.user, pk)
    return render(
        request,
        "pipeline/follow_up_form.html",
        {"opp": opp, "form": exporting.follow_up_form(opp)},
    )


@login_required
@require_GET
def follow_up_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return download(exporting.export_follow_up_form(opportunity_for(request.user, pk)))
