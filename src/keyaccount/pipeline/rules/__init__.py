"""Pure rules of opportunities. No database here: services hand in plain data read from the
playbook and the opportunity, and these functions answer; the same functions serve pages, the
API, imports and the demo, so every rule is enforced once. Callers use ``rules.X``; the
submodules hold:

- ``vocabulary``: the pipeline's words (status, strength, team roles, sources, currencies, risk
  levels and decisions, moves, health flags), with those shared with the playbook;
- ``gate``: the stage gate: what is missing to leave a step or a stage, ``decide_move``,
  ``decide_win``;
- ``evidence``: evidence criteria: whether the record satisfies a criterion's facts;
- ``risk``: the risk total and level;
- ``deals``: what a deal's fields and its contract's payment milestones must satisfy, and the
  weighted forecast;
- ``imports``: what a deal brought in from another system must satisfy (dates, outcome).
"""

from .deals import (
    deal_problems,
    milestone_amount,
    milestone_problems,
    milestone_state_problems,
    milestone_total_problems,
    weighted_amount,
)
from .evidence import (
    EvidenceData,
    evidence_met,
    fact_met,
    unmet,
)
from .gate import (
    CriterionState,
    ElementState,
    FormState,
    GateInput,
    GateResult,
    Missing,
    MoveOutcome,
    MoveRequest,
    closed_text,
    decide_move,
    decide_win,
    element_missing_text,
    form_missing_text,
    missing_sentence,
    missing_to_leave,
    risk_pending_text,
)
from .imports import ImportedDeal, imported_problems
from .risk import (
    RISK_MAX_SCORE,
    RiskThresholds,
    risk_level,
    risk_total,
    validate_thresholds,
)
from .vocabulary import (
    HEALTH_LABELS,
    KNOWLEDGE_RANK,
    Attitude,
    BuyingRole,
    Currency,
    Element,
    Health,
    Influence,
    Knowledge,
    Move,
    RiskDecision,
    RiskLevel,
    Source,
    Status,
    Strength,
    TeamRole,
)

__all__ = [
    "HEALTH_LABELS",
    "KNOWLEDGE_RANK",
    "RISK_MAX_SCORE",
    "Attitude",
    "BuyingRole",
    "CriterionState",
    "Currency",
    "Element",
    "ElementState",
    "EvidenceData",
    "FormState",
    "GateInput",
    "GateResult",
    "Health",
    "ImportedDeal",
    "Influence",
    "Knowledge",
    "Missing",
    "Move",
    "MoveOutcome",
    "MoveRequest",
    "RiskDecision",
    "RiskLevel",
    "RiskThresholds",
    "Source",
    "Status",
    "Strength",
    "TeamRole",
    "closed_text",
    "deal_problems",
    "decide_move",
    "decide_win",
    "element_missing_text",
    "evidence_met",
    "fact_met",
    "form_missing_text",
    "imported_problems",
    "milestone_amount",
    "milestone_problems",
    "milestone_state_problems",
    "milestone_total_problems",
    "missing_sentence",
    "missing_to_leave",
    "risk_level",
    "risk_pending_text",
    "risk_total",
    "unmet",
    "validate_thresholds",
    "weighted_amount",
]
