"""The codes and input types every pipeline schema shares.

The codes are those of ``pipeline.rules`` (a test keeps them equal to the enums); the input
types refuse what pydantic would otherwise take (``0`` as a date, a negative amount).
"""

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field
from pydantic import BeforeValidator

StatusCode = Literal["open", "won", "lost", "abandoned"]
StatusFilter = Literal["open", "won", "lost", "abandoned", "all"]
HealthCode = Literal["overdue_stage", "past_signing", "risk_pending", "high_risk", "slipped"]
RiskLevelCode = Literal["low", "medium", "high"]
RiskDecisionCode = Literal["not_needed", "pending", "continue", "abandon"]
CurrencyCode = Literal["CNY", "USD", "EUR", "HKD", "JPY"]
SourceCode = Literal[
    "marketing", "customer", "referral", "partner", "tender_notice", "own", "other"
]  # fmt: skip
ElementCode = Literal["need", "schedule", "budget", "competition", "decision", "priority_items"]
KnowledgeCode = Literal["unknown", "partly", "confirmed"]
StrengthCode = Literal["stronger", "equal", "weaker"]
BuyingRoleCode = Literal[
    "decision_maker", "technical_evaluator", "user", "coach", "gatekeeper", "influencer"
]  # fmt: skip
InfluenceCode = Literal["high", "medium", "low"]
AttitudeCode = Literal["supporter", "neutral", "opponent", "unknown"]
TeamRoleCode = Literal["consultant", "senior_kam", "account_manager", "director", "other"]
MoveCode = Literal[
    "created", "step", "advance", "back", "won", "lost", "abandoned", "reopened", "imported"
]
ForecastFieldCode = Literal["amount", "expected_signing", "probability"]
SortCode = Literal[
    "signing", "-signing", "amount", "-amount", "weighted", "-weighted", "stage", "-stage",
    "customer", "name", "age", "-updated",
]  # fmt: skip


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)


def _iso_date(value: object) -> object:
    """Only ``YYYY-MM-DD`` text is a date here (pydantic would also take ``0`` as 1970-01-01)."""
    if isinstance(value, int | float) or (isinstance(value, str) and not ISO_DATE.match(value)):
        raise ValueError(_("Give a date as YYYY-MM-DD."))
    return value


#: A date input, ISO 8601 only.
Day = Annotated[date, BeforeValidator(_iso_date)]
#: A money input: never negative, at most two decimals, within the column (18 digits).
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
