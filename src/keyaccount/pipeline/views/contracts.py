"""The payment milestones of a won deal's contract, from the contract tab of the opportunity
page: adding one, recording its acceptance, invoicing and collection (refused, 409, when someone
saved in between) and deleting it. Only the deal's owner and their managers change them.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyaccount.core.http import wants_fragment
from keyaccount.core.versioning import StaleEditError
from keyaccount.org.requests import AuthenticatedRequest

from .. import services
from ..access import contract_for, milestone_for, opportunity_for
from ..forms_detail import MilestoneAddForm, MilestoneEditForm, milestone_initial
from ._common import done, require_run
from .detail import render_detail


@login_required
@require_POST
def milestone_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opp = opportunity_for(request.user, pk)
    acc = services.access(request.user, opp)
    require_run(acc)
    contract = contract_for(opp)
    form = MilestoneAddForm(request.POST)
    if form.is_valid():
        try:
            milestone = services.milestone_add(
                actor=request.user, contract=contract, data=form.milestone()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            text = _("Milestone %(name)s added.") % {"name": milestone.name}
            return done(request, opp, "contract", text)
    return render_detail(request, opp, "contract", bound={"milestone": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Record acceptance, invoicing and collection of a milestone (refused if stale)."""
    milestone = milestone_for(request.user, pk)
    opp = opportunity_for(request.user, milestone.contract.opportunity_id)
    acc = services.access(request.user, opp)
    require_run(acc)
    if request.method == "GET":
        form = MilestoneEditForm(initial=milestone_initial(milestone))
        status = 200
    else:
        form = MilestoneEditForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.milestone_update(
                    actor=request.user,
                    milestone=milestone,
                    data=form.data_for_service(),
                    expected_version=form.cleaned_data["version"],
                )
            except StaleEditError as exc:
                form.add_error(None, exc.message)
                status = 409
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                text = _("Milestone %(name)s saved.") % {"name": milestone.name}
                return done(request, opp, "contract", text)
    if wants_fragment(request):
        context = {"opp": opp, "m": milestone, "edit_form": form, "may": {"run": acc.run}}
        return render(
            request, "pipeline/partials/detail_milestone_edit.html", context, status=status
        )
    bound = {"milestone_edit": (milestone.pk, form)}
    return render_detail(request, opp, "contract", bound=bound, status=status)


@login_required
@require_POST
def milestone_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    milestone = milestone_for(request.user, pk)
    opp = opportunity_for(request.user, milestone.contract.opportunity_id)
    acc = services.access(request.user, opp)
    require_run(acc)
    name = milestone.name
    try:
        services.milestone_delete(actor=request.user, milestone=milestone)
    except ValidationError as exc:
        return render_detail(request, opp, "contract", bound={"errors": exc.messages}, status=400)
    return done(request, opp, "contract", _("Milestone %(name)s deleted.") % {"name": name})
