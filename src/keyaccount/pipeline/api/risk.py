"""Risk over REST: the factors of the risk assessment form, a deal's assessments, filling one
in, and a sales director's decision on a high-risk deal. Risk data follow the opportunity's
visibility."""

from typing import Any, cast

from django.utils import timezone
from ninja import Router, Status

from keyaccount.core.api_errors import errors
from keyaccount.core.schemas import Id
from keyaccount.org.requests import AuthenticatedRequest

from .. import selectors, services
from ..access import assessment_for, opportunity_for
from ..models import RiskAssessment, RiskFactor
from ..schemas import (
    RiskAssessmentIn,
    RiskAssessmentOut,
    RiskDecisionIn,
    RiskFactorOut,
    RiskScoreOut,
)
from ._convert import maybe_user, user_ref
from ._errors import service_errors

router = Router()


def assessment_out(a: RiskAssessment) -> RiskAssessmentOut:
    return RiskAssessmentOut(
        id=a.pk,
        opportunity_id=a.opportunity_id,
        assessed_on=a.assessed_on,
        assessed_by=user_ref(a.assessed_by),
        created_at=a.created_at,
        total=a.total,
        level=cast(Any, a.level),
        level_label=str(a.get_level_display()),
        summary=a.summary,
        decision=cast(Any, a.decision),
        decision_label=str(a.get_decision_display()),
        decided_by=maybe_user(a.decided_by),
        decided_at=a.decided_at,
        decision_reason=a.decision_reason,
        scores=[
            RiskScoreOut(
                factor=s.factor.code,
                name=s.factor.name,
                score=s.score,
                weight=s.weight,
                note=s.note,
            )
            for s in a.scores.all()
        ],
    )


@router.get(
    "/risk-factors",
    response={200: list[RiskFactorOut], **errors(422)},
    summary="The factors of the risk assessment form (风险评估表), with their weights",
)
def risk_factors(request: AuthenticatedRequest) -> list[RiskFactorOut]:
    """Each is scored 0 (no risk) to 5 (severe); the weighted total, as a percent of the
    worst possible, classes the risk by the policy's thresholds."""
    return [
        RiskFactorOut(code=f.code, name=f.name, question=f.question, weight=f.weight, order=f.order)
        for f in RiskFactor.objects.filter(is_active=True)
    ]


@router.get(
    "/opportunities/{opportunity_id}/risk-assessments",
    response={200: list[RiskAssessmentOut], **errors(404, 422)},
    summary="The deal's risk assessments, newest first (the first one counts)",
)
def risk_assessment_list(
    request: AuthenticatedRequest, opportunity_id: Id
) -> list[RiskAssessmentOut]:
    opp = opportunity_for(request.auth, opportunity_id)
    return [assessment_out(a) for a in selectors.risk_assessments(opp)]


@router.post(
    "/opportunities/{opportunity_id}/risk-assessments",
    response={201: RiskAssessmentOut, **errors(403, 404, 422)},
    summary="Fill in the risk assessment form",
)
def risk_assessment_create(
    request: AuthenticatedRequest, opportunity_id: Id, payload: RiskAssessmentIn
) -> Status[RiskAssessmentOut]:
    """Every active factor (`GET /pipeline/risk-factors`) needs a score 0–5 (422 naming the
    factor's code otherwise). A high total asks a sales director to decide continue or
    abandon; until then the deal is awaiting a risk decision and its gate stays closed."""
    opp = opportunity_for(request.auth, opportunity_id)
    with service_errors():
        made = services.risk_assess(
            actor=request.auth,
            opportunity=opp,
            assessed_on=payload.assessed_on or timezone.localdate(),
            scores={
                code: services.ScoreInput(score=s.score, note=s.note)
                for code, s in payload.scores.items()
            },
            summary=payload.summary,
        )
    return Status(201, assessment_out(assessment_for(request.auth, made.pk)))


@router.get(
    "/risk-assessments/{assessment_id}",
    response={200: RiskAssessmentOut, **errors(404, 422)},
    summary="One risk assessment: scores by factor, total, level, decision",
)
def risk_assessment_get(request: AuthenticatedRequest, assessment_id: Id) -> RiskAssessmentOut:
    return assessment_out(assessment_for(request.auth, assessment_id))


@router.post(
    "/risk-assessments/{assessment_id}/decision",
    response={200: RiskAssessmentOut, **errors(403, 404, 422)},
    summary="A sales director decides a high-risk deal: continue or abandon, with a reason",
)
def risk_assessment_decide(
    request: AuthenticatedRequest, assessment_id: Id, payload: RiskDecisionIn
) -> RiskAssessmentOut:
    """Only a sales director covering the deal decides (403 otherwise); a decided assessment
    is not decided again (422). Abandoning closes the deal."""
    with service_errors():
        services.risk_decide(
            actor=request.auth,
            assessment=assessment_for(request.auth, assessment_id),
            decision=payload.decision,
            reason=payload.reason,
        )
    return assessment_out(assessment_for(request.auth, assessment_id))
