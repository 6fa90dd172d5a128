"""The gates a sales director overrode, for the department head to review
(``/pipeline/overrides/``): awaiting review first, each with what was missing in the reader's
language, and the review (who, when, a note)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from keyaccount.org.requests import AuthenticatedRequest

from .. import permissions, selectors, services
from ..access import override_for
from ._common import stage_label

PER_PAGE = 50
STATUSES = ("awaiting", "reviewed", "all")


@login_required
@require_GET
def overrides(request: AuthenticatedRequest) -> HttpResponse:
    status = request.GET.get("status", "awaiting")
    status = status if status in STATUSES else "awaiting"
    page = Paginator(selectors.overrides(user=request.user, status=status), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    missing = selectors.missing_in_my_language(rows)
    caps = permissions.capabilities_for(request.user)
    return render(
        request,
        "pipeline/overrides.html",
        {
            "status": status,
            "page": page,
            "rows": [
                {
                    "t": t,
                    "from": stage_label(t.from_stage, t.from_step),
                    "to": stage_label(t.to_stage, t.to_step),
                    "missing": missing.get(t.pk, []),
                    "may_review": t.reviewed_at is None
                    and permissions.can_review_overrides(
                        caps, owner_unit_id=t.opportunity.owner.unit_id
                    ),
                }
                for t in rows
            ],
            "awaiting": selectors.overrides(user=request.user, status="awaiting").count(),
        },
    )


@login_required
@require_POST
def override_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    transition = override_for(request.user, pk)
    here = reverse("pipeline:overrides")
    try:
        services.override_review(
            actor=request.user, transition=transition, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(here)
    messages.success(
        request,
        _("The override on “%(deal)s” is reviewed.") % {"deal": transition.opportunity.name},
    )
    return redirect(here)
