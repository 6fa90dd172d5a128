"""The one fetch-or-404 per object type of the pipeline, used by pages, the API and exports.

Each helper starts from the opportunities ``user`` may see (rule 2): a record outside them, a
missing one and a malformed or out-of-range id are all the same 404 (``core.lookup``).
"""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from keyaccount.core.lookup import get_or_404
from keyaccount.org.requests import Viewer

from . import selectors
from .models import Contract, Opportunity, PaymentMilestone, RiskAssessment, RiskScore


def opportunity_for(user: Viewer, pk: object) -> Opportunity:
    """A visible opportunity with what its pages show (forecast annotations, customer, owner,
    stage), or 404."""
    return get_or_404(
        selectors.detail_queryset(user=user).select_related("customer__region__parent"), pk=pk
    )


def contract_for(opp: Opportunity) -> Contract:
    """The signed contract of a (visible) opportunity, or 404 while it has none."""
    contract = selectors.contract_of(opp)
    if contract is None:
        raise Http404
    return contract


def milestone_for(user: Viewer, pk: object) -> PaymentMilestone:
    """A payment milestone of a contract whose opportunity ``user`` may see, or 404."""
    visible = selectors.visible(user).values("pk")
    milestones = PaymentMilestone.objects.filter(contract__opportunity__in=visible)
    return get_or_404(
        milestones.select_related("contract__opportunity__owner", "contract__opportunity__stage"),
        pk=pk,
    )


def assessments_visible(user: Viewer) -> QuerySet[RiskAssessment]:
    """Risk assessments of the opportunities ``user`` may see, with what their form shows."""
    scores = RiskScore.objects.select_related("factor").order_by("factor__order", "factor__code")
    return (
        RiskAssessment.objects.filter(opportunity__in=selectors.visible(user).values("pk"))
        .select_related(
            "opportunity__customer",
            "opportunity__owner__unit",
            "opportunity__stage",
            "opportunity__step",
            "assessed_by",
            "decided_by",
        )
        .prefetch_related(Prefetch("scores", queryset=scores))
    )


def assessment_for(user: Viewer, pk: object) -> RiskAssessment:
    """A risk assessment of an opportunity ``user`` may see, or 404."""
    return get_or_404(assessments_visible(user), pk=pk)
