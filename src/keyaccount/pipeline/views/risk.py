"""The risk assessment of a deal (风险评估表): filling it in (every active factor scored 0–5
with a note), the printable form with its Excel download, and a sales director's decision on a
high-risk deal (continue or abandon, with a reason).

An assessment of a deal outside the user's visibility is a 404; the deal's team and the owner's
managers fill one in, only a sales director covering the owner's unit decides (403 otherwise).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from keyaccount.core.excel import download
from keyaccount.org.requests import AuthenticatedRequest

from .. import exporting, rules, selectors, services
from ..access import assessment_for, opportunity_for
from ..forms_risk import RiskAssessmentForm, RiskDecideForm
from ..models import RiskAssessment, RiskFactor
from ._common import require_work


def _factors() -> list[RiskFactor]:
    return list(RiskFactor.objects.filter(is_active=True).order_by("order", "code"))


@login_required
@require_http_methods(["GET", "POST"])
def risk_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Fill the risk assessment form: every active factor scored 0–5 with a note. High risk
    recommends abandoning and waits for a sales director's decision."""
    opp = opportunity_for(request.user, pk)
    require_work(services.access(request.user, opp))
    status = 200
    if request.method == "POST":
        form = RiskAssessmentForm(request.POST, factors=_factors())
        status = 400
        if form.is_valid():
            try:
                assessment = services.risk_assess(
                    actor=request.user,
                    opportunity=opp,
                    assessed_on=form.cleaned_data["assessed_on"],
                    scores=form.scores(),
                    summary=form.cleaned_data["summary"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                text = _("Risk assessed: %(level)s (%(total)s%%).") % {
                    "level": assessment.get_level_display(),
                    "total": assessment.total,
                }
                if assessment.level == rules.RiskLevel.HIGH:
                    score = _("Risk score %(total)s%%.") % {"total": assessment.total}
                    messages.warning(
                        request, f"{score} {exporting.recommendation(assessment.level)}"
                    )
                else:
                    messages.success(request, text)
                return redirect("pipeline:risk_form", pk=assessment.pk)
    else:
        form = RiskAssessmentForm(factors=_factors(), initial={"assessed_on": timezone.localdate()})
    context = {
        "opp": opp,
        "form": form,
        "rows": form.rows(),
        "thresholds": services.thresholds(),
        "high_advice": exporting.recommendation(rules.RiskLevel.HIGH),
        "earlier": selectors.risk_assessments(opp),
    }
    return render(request, "pipeline/risk_new.html", context, status=status)


def _render_risk_form(
    request: AuthenticatedRequest,
    assessment: RiskAssessment,
    *,
    decide_form: RiskDecideForm | None = None,
    status: int = 200,
) -> HttpResponse:
    opp = assessment.opportunity
    may_decide = (
        assessment.decision == rules.RiskDecision.PENDING
        and services.access(request.user, opp).override
    )
    context = {
        "assessment": assessment,
        "opp": opp,
        "form": exporting.risk_form(assessment),
        "pending": assessment.decision == rules.RiskDecision.PENDING,
        "may_decide": may_decide,
        "decide_form": decide_form or (RiskDecideForm() if may_decide else None),
    }
    return render(request, "pipeline/risk_form.html", context, status=status)


@login_required
@require_GET
def risk_form(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The printable risk assessment form, with the decide form for a sales director."""
    return _render_risk_form(request, assessment_for(request.user, pk))


@login_required
@require_GET
def risk_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return download(exporting.export_risk_form(assessment_for(request.user, pk)))


@login_required
@require_POST
def risk_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A sales director continues or abandons a high-risk deal, with a reason."""
    assessment = assessment_for(request.user, pk)
    opp = assessment.opportunity
    if not services.access(request.user, opp).override:
        raise PermissionDenied(_("Only a sales director decides on a high-risk deal."))
    form = RiskDecideForm(request.POST)
    if form.is_valid():
        try:
            services.risk_decide(
                actor=request.user,
                assessment=assessment,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            text = (
                _("Decided: %(name)s continues.")
                if form.cleaned_data["decision"] == rules.RiskDecision.CONTINUE
                else _("Decided: %(name)s is abandoned.")
            )
            messages.success(request, text % {"name": opp.name})
            return redirect("pipeline:detail", pk=opp.pk)
    assessment.refresh_from_db()
    return _render_risk_form(request, assessment, decide_form=form, status=400)
