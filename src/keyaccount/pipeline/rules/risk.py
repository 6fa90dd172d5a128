"""Risk assessment, pure: the weighted total of the scored factors and its level."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .vocabulary import RiskLevel

RISK_MAX_SCORE = 5


@dataclass(frozen=True)
class RiskThresholds:
    medium_from: Decimal  # percent of the maximum weighted score
    high_from: Decimal


def risk_total(scores: Mapping[str, int], weights: Mapping[str, Decimal]) -> Decimal:
    """Weighted risk as a percentage of the worst possible (0 = no risk, 100 = every factor 5)."""
    used = {code: w for code, w in weights.items() if code in scores and w > 0}
    if not used:
        return Decimal(0)
    worst = sum(w * RISK_MAX_SCORE for w in used.values())
    got = sum(w * scores[code] for code, w in used.items())
    return (Decimal(100) * got / worst).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def risk_level(total: Decimal, thresholds: RiskThresholds) -> str:
    if total >= thresholds.high_from:
        return RiskLevel.HIGH
    if total >= thresholds.medium_from:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def validate_thresholds(medium_from: Decimal, high_from: Decimal) -> list[str]:
    problems = []
    if not (Decimal(0) < medium_from < high_from <= Decimal(100)):
        problems.append(
            _("Risk thresholds must satisfy 0 < medium < high ≤ 100 (got %(m)s and %(h)s).")
            % {"m": medium_from, "h": high_from}
        )
    return problems
