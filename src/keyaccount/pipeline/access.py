"""The one fetch-or-404 per object type of the pipeline, used by pages, the API and exports.

Each helper of a deal's record starts from the opportunities ``user`` may see (rule 2), or from
a deal already fetched that way: a record outside them, a missing one and a malformed or
out-of-range id are all the same 404 (``core.lookup``). The shared catalogues a deal's actions
name (exit criteria of the playbook, competitors, users) are seen by everyone signed in; their
helpers only turn a missing id into the same 404.
"""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from keyaccount.core.lookup import get_or_404
from keyaccount.org.models import User
from keyaccount.org.requests import Viewer
from keyaccount.process.models import ExitCriterion

from . import selectors
from .models import (
    BuyingRoleEntry,
    Competitor,
    Contract,
    Opportunity,
    PaymentMilestone,
    RiskAssessment,
    RiskScore,
    StageTransition,
)


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


def buying_role_for(opp: Opportunity, contact_id: object) -> BuyingRoleEntry:
    """The buying role of a contact in a (visible) opportunity, with the contact, or 404."""
    entries = BuyingRoleEntry.objects.filter(opportunity=opp).select_related("contact")
    return get_or_404(entries, contact_id=contact_id)


def criterion_for(pk: object) -> ExitCriterion:
    """An exit criterion of the playbook, or 404. Any stage's: checking one of another stage
    than the deal's is refused by the service with a message, not hidden."""
    return get_or_404(ExitCriterion.objects.all(), pk=pk)


def competitor_for(pk: object) -> Competitor:
    """A company of the competitor catalogue, or 404."""
    return get_or_404(Competitor.objects.all(), pk=pk)


def team_user_for(pk: object) -> User:
    """The user a deal-team action names, or 404 when there is no such user. Anyone: taking
    someone off a team they are not on changes nothing."""
    return get_or_404(User.objects.all(), pk=pk)


def override_for(user: Viewer, pk: object) -> StageTransition:
    """An overridden move of an opportunity ``user`` may see, or 404."""
    return get_or_404(selectors.overrides(user=user, status="all"), pk=pk)
