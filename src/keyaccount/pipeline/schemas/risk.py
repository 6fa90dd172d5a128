"""The risk assessment form: its factors, an assessment's scores, total and level, filling it
in, and a sales director's decision on a high-risk deal."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from keyaccount.core.schemas import MAX_ENTRIES, InSchema, RuleInt, UserRef, rule_range

from ..rules import RISK_MAX_SCORE
from .codes import Day, RiskDecisionCode, RiskLevelCode


class RiskFactorOut(Schema):
    code: str
    name: str
    question: str
    weight: Decimal
    order: int


class RiskScoreOut(Schema):
    factor: str = Field(description="Factor code.")
    name: str
    score: int
    weight: Decimal
    note: str


class RiskAssessmentOut(Schema):
    id: int
    opportunity_id: int
    assessed_on: date
    assessed_by: UserRef
    created_at: datetime
    total: Decimal = Field(description="Weighted risk, percent of the worst possible.")
    level: RiskLevelCode
    level_label: str
    summary: str
    decision: RiskDecisionCode
    decision_label: str
    decided_by: UserRef | None
    decided_at: datetime | None
    decision_reason: str
    scores: list[RiskScoreOut]


class ScoreIn(InSchema):
    score: RuleInt = Field(
        description="0 (no risk) to 5 (severe).",
        json_schema_extra=rule_range(0, RISK_MAX_SCORE),
    )
    note: str = Field("", max_length=300)


class RiskAssessmentIn(InSchema):
    assessed_on: Day | None = Field(None, description="Defaults to today; never in the future.")
    scores: dict[str, ScoreIn] = Field(
        max_length=MAX_ENTRIES, description="Every active factor's code → its score."
    )
    summary: str = ""


class RiskDecisionIn(InSchema):
    decision: Literal["continue", "abandon"]
    reason: str
