"""The team's work on a deal, from the opportunity page: checking exit criteria (inline, with
htmx), the key evaluation elements, competitors, the deal team and KA follow-up entries.

The team (and the owner's managers) works on the checklist, elements, competitors and
follow-ups; only the owner and their managers change the team. A refused form re-shows the
page's tab (or, for htmx, the row) with its errors (400).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keyaccount.core.http import wants_fragment
from keyaccount.org.requests import AuthenticatedRequest
from keyaccount.process.models import ExitCriterion

from .. import rules, services
from ..access import competitor_for, criterion_for, opportunity_for, team_user_for
from ..forms_detail import CheckForm, CompetitorForm, ElementForm, FollowUpForm, MemberForm
from ..gate import checklist
from ..models import ElementRequirement, Opportunity
from ..permissions import DealAccess
from ._common import detail_url, done, require_run, require_work
from .detail import criterion_row, element_row, member_candidates, page_for, render_detail

# --- checklist and key evaluation elements (inline, htmx) -----------------------------------


def _check_response(
    request: AuthenticatedRequest,
    opp: Opportunity,
    acc: DealAccess,
    criterion: ExitCriterion,
    **kw: Any,
) -> HttpResponse:
    """The criterion's row, and the "still missing" box swapped out of band."""
    state = checklist(opp, user=request.user, acc=acc)
    found = state.row(criterion.pk)
    if found is None:
        raise Http404
    page = page_for(request, opp, acc)
    row = {**criterion_row(found, page), "errors": kw.get("errors", [])}
    context = {
        "opp": opp,
        "row": row,
        "may": {"check": acc.work and opp.status in (rules.Status.OPEN, rules.Status.WON)},
        "missing": state.missing,
        "in_last_stage": state.gate.in_last_stage,
        "oob": True,
    }
    html = render_to_string("pipeline/partials/detail_criterion.html", context, request)
    html += render_to_string("pipeline/partials/detail_missing.html", context, request)
    return HttpResponse(html, status=kw.get("status", 200))


@login_required
@require_POST
def check(request: AuthenticatedRequest, pk: int, criterion_id: int) -> HttpResponse:
    """Check or uncheck an exit criterion (who/when kept), with an optional note."""
    opp = opportunity_for(request.user, pk)
    acc = services.access(request.user, opp)
    require_work(acc)
    criterion = criterion_for(criterion_id)
    form = CheckForm(request.POST)
    errors: list[str] = []
    refused = 400
    if form.is_valid():
        try:
            services.criterion_set(
                actor=request.user,
                opportunity=opp,
                criterion=criterion,
                checked=form.cleaned_data["checked"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            errors = exc.messages
        except PermissionDenied as exc:  # shown on the row itself, saying who may tick it
            errors, refused = [str(exc)], 403
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    if wants_fragment(request) and criterion.stage_id == opp.stage_id:
        return _check_response(
            request, opp, acc, criterion, errors=errors, status=refused if errors else 200
        )
    if errors:
        bound = {"check_errors": {criterion.pk: errors}, "errors": errors}
        return render_detail(request, opp, "process", bound=bound, status=refused)
    checked = form.cleaned_data["checked"]
    text = (_("“%(criterion)s” checked.") if checked else _("“%(criterion)s” unchecked.")) % {
        "criterion": criterion.text
    }
    messages.success(request, text)
    return redirect(detail_url(opp))


@login_required
@require_POST
def element(request: AuthenticatedRequest, pk: int, element: str) -> HttpResponse:
    """Set a key evaluation element's status (unknown / partly known / confirmed) and notes."""
    opp = opportunity_for(request.user, pk)
    acc = services.access(request.user, opp)
    require_work(acc)
    if element not in rules.Element.values:
        raise Http404
    form = ElementForm(request.POST, auto_id=f"el-{element}-%s")
    status = 400
    if form.is_valid():
        try:
            services.element_set(
                actor=request.user,
                opportunity=opp,
                element=element,
                status=form.cleaned_data["status"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            status = 200
    label = rules.Element(element).label
    if wants_fragment(request):
        saved = opp.elements.select_related("updated_by").filter(element=element).first()
        required = (
            ElementRequirement.objects.filter(stage_id=opp.stage_id, element=element)
            .values_list("minimum", flat=True)
            .first()
        )
        e = element_row(opp, element, label, saved, required, form if status == 400 else None)
        context = {"opp": opp, "e": e, "may": {"work": acc.work}, "saved": status == 200}
        return render(request, "pipeline/partials/detail_element.html", context, status=status)
    if status == 400:
        bound = {"element": (element, form)}
        return render_detail(request, opp, "elements", bound=bound, status=400)
    messages.success(request, _("%(element)s saved.") % {"element": label})
    return redirect(detail_url(opp, "elements"))


# --- competitors, team, follow-ups ----------------------------------------------------------


@login_required
@require_POST
def competitor_set(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Add or update a competitor on the deal (a new name joins the catalogue)."""
    opp = opportunity_for(request.user, pk)
    acc = services.access(request.user, opp)
    require_work(acc)
    form = CompetitorForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            row = services.competitor_add(
                actor=request.user,
                opportunity=opp,
                competitor=d["competitor"],
                new_name=d["new_name"],
                strength=d["strength"],
                their_strategy=d["their_strategy"],
                our_strategy=d["our_strategy"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            text = _("Competitor %(name)s saved.") % {"name": row.competitor}
            return done(request, opp, "competitors", text)
    return render_detail(request, opp, "competitors", bound={"competitor": form}, status=400)


@login_required
@require_POST
def competitor_remove(request: AuthenticatedRequest, pk: int, competitor_id: int) -> HttpResponse:
    opp = opportunity_for(request.user, pk)
    acc = services.access(request.user, opp)
    require_work(acc)
    competitor = competitor_for(competitor_id)
    services.competitor_remove(actor=request.user, opportunity=opp, competitor=competitor)
    text = _("%(name)s removed from the competitors.") % {"name": competitor}
    return done(request, opp, "competitors", text)


@login_required
@require_POST
def member_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Put someone on the deal team with a role (or change their role)."""
    opp = opportunity_for(request.user, pk)
    acc = services.access(request.user, opp)
    require_run(acc)
    form = MemberForm(request.POST, candidates=member_candidates(opp))
    if form.is_valid():
        d = form.cleaned_data
        try:
            member = services.member_add(
                actor=request.user,
                opportunity=opp,
                user=d["user"],
                role=d["role"],
                note=d["note"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            text = _("%(user)s is on the team as %(role)s.") % {
                "user": member.user,
                "role": member.get_role_display(),
            }
            return done(request, opp, "team", text)
    return render_detail(request, opp, "team", bound={"member": form}, status=400)


@login_required
@require_POST
def member_remove(request: AuthenticatedRequest, pk: int, user_id: int) -> HttpResponse:
    opp = opportunity_for(request.user, pk)
    acc = services.access(request.user, opp)
    require_run(acc)
    user = team_user_for(user_id)
    services.member_remove(actor=request.user, opportunity=opp, user=user)
    return done(request, opp, "team", _("%(user)s left the team.") % {"user": user})


@login_required
@require_POST
def follow_up_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An entry of the KA follow-up form (大客户跟进表)."""
    opp = opportunity_for(request.user, pk)
    acc = services.access(request.user, opp)
    require_work(acc)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.follow_up_add(
                actor=request.user,
                opportunity=opp,
                on=d["on"],
                progress=d["progress"],
                next_steps=d["next_steps"],
                support_needed=d["support_needed"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return done(request, opp, "follow_up", _("Follow-up entry saved."))
    return render_detail(request, opp, "follow_up", bound={"follow_up": form}, status=400)
