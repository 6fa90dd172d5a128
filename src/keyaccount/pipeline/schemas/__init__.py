"""Request and response schemas of the pipeline API (OpenAPI at /api/docs).

Amounts are decimals in the opportunity's currency, returned as strings so that no digit is
lost (send strings or numbers); dates are ISO 8601. Codes (status, stage, health flag, buying
role…) are stable English identifiers; each comes with a ``*_label`` in the requester's
language. Inputs name foreign keys ``<field>_id`` and refuse NUL characters in text.

One submodule per sub-domain, as in ``pipeline.api``; every schema is imported here, so
callers keep ``schemas.X``:

- ``codes``: the codes of ``pipeline.rules`` as ``Literal`` types (``StatusCode``,
  ``HealthCode``, ``SortCode``…) and the input types ``Day`` and ``Money`` (``Id``, the
  bounded record id, is ``core.schemas.Id``, shared by every app and re-exported here).
- ``deals``: ``StageRef``, ``StepRef``, ``DealPermissions``; the list filters
  (``FilterQuery`` and the queries built on it); list items, pages, totals and the board;
  ``OpportunityDetail``; opening, editing and reassigning a deal; ``ForecastChangeOut``.
- ``gate``: the gate (``GateOut`` and its checklist, forms and elements), checks, moving
  forward and back, ``GateRefusedOut`` and ``TransitionOut``.
- ``imports``: deals brought in from another system (``OpportunitiesImportIn``).
- ``outcomes``: won (``WinIn``), lost, abandoned, reopened; ``LossReasonOut``.
- ``contracts``: the contract and its payment milestones.
- ``work``: key evaluation elements, competitors (catalogue and on the deal), the deal team,
  follow-up entries.
- ``power_map``: buying roles and the power map.
- ``risk``: risk factors, assessments and the director's decision.
"""

from keyaccount.core.schemas import Id

from .codes import (
    AttitudeCode,
    BuyingRoleCode,
    CurrencyCode,
    Day,
    ElementCode,
    ForecastFieldCode,
    HealthCode,
    InfluenceCode,
    KnowledgeCode,
    Money,
    MoveCode,
    RiskDecisionCode,
    RiskLevelCode,
    SortCode,
    SourceCode,
    StatusCode,
    StatusFilter,
    StrengthCode,
    TeamRoleCode,
)
from .contracts import ContractOut, MilestoneIn, MilestoneOut, MilestonePatch
from .deals import (
    BoardColumnOut,
    BoardOut,
    BoardQuery,
    CodeLabel,
    CurrencyTotal,
    DealFieldsIn,
    DealPermissions,
    FilterQuery,
    ForecastChangeOut,
    MajorProjectPage,
    MajorQuery,
    OpportunityDetail,
    OpportunityIn,
    OpportunityListItem,
    OpportunityPage,
    OpportunityPatch,
    OpportunityQuery,
    ReassignIn,
    StageRef,
    StepRef,
    TotalsOut,
    TotalsQuery,
)
from .gate import (
    BackIn,
    CheckIn,
    ChecklistItem,
    CheckOut,
    EvidenceFact,
    GateElement,
    GateForm,
    GateOut,
    GateRefusedOut,
    MoveIn,
    TransitionOut,
)
from .imports import ImportedDealIn, OpportunitiesImportIn, OpportunitiesImportOut
from .outcomes import LoseIn, LossReasonOut, ReasonIn, WinIn
from .power_map import BuyingRoleIn, BuyingRoleOut, ContactRef, PowerMapNode, PowerMapOut
from .risk import (
    RiskAssessmentIn,
    RiskAssessmentOut,
    RiskDecisionIn,
    RiskFactorOut,
    RiskScoreOut,
    ScoreIn,
)
from .work import (
    CompetitorIn,
    CompetitorOut,
    DealCompetitorIn,
    DealCompetitorOut,
    ElementIn,
    ElementOut,
    FollowUpIn,
    FollowUpOut,
    MemberIn,
    MemberOut,
    TeamOut,
)

__all__ = [
    "AttitudeCode",
    "BackIn",
    "BoardColumnOut",
    "BoardOut",
    "BoardQuery",
    "BuyingRoleCode",
    "BuyingRoleIn",
    "BuyingRoleOut",
    "CheckIn",
    "CheckOut",
    "ChecklistItem",
    "CodeLabel",
    "CompetitorIn",
    "CompetitorOut",
    "ContactRef",
    "ContractOut",
    "CurrencyCode",
    "CurrencyTotal",
    "Day",
    "DealCompetitorIn",
    "DealCompetitorOut",
    "DealFieldsIn",
    "DealPermissions",
    "ElementCode",
    "ElementIn",
    "ElementOut",
    "EvidenceFact",
    "FilterQuery",
    "FollowUpIn",
    "FollowUpOut",
    "ForecastChangeOut",
    "ForecastFieldCode",
    "GateElement",
    "GateForm",
    "GateOut",
    "GateRefusedOut",
    "HealthCode",
    "Id",
    "ImportedDealIn",
    "InfluenceCode",
    "KnowledgeCode",
    "LoseIn",
    "LossReasonOut",
    "MajorProjectPage",
    "MajorQuery",
    "MemberIn",
    "MemberOut",
    "MilestoneIn",
    "MilestoneOut",
    "MilestonePatch",
    "Money",
    "MoveCode",
    "MoveIn",
    "OpportunitiesImportIn",
    "OpportunitiesImportOut",
    "OpportunityDetail",
    "OpportunityIn",
    "OpportunityListItem",
    "OpportunityPage",
    "OpportunityPatch",
    "OpportunityQuery",
    "PowerMapNode",
    "PowerMapOut",
    "ReasonIn",
    "ReassignIn",
    "RiskAssessmentIn",
    "RiskAssessmentOut",
    "RiskDecisionCode",
    "RiskDecisionIn",
    "RiskFactorOut",
    "RiskLevelCode",
    "RiskScoreOut",
    "ScoreIn",
    "SortCode",
    "SourceCode",
    "StageRef",
    "StatusCode",
    "StatusFilter",
    "StepRef",
    "StrengthCode",
    "TeamOut",
    "TeamRoleCode",
    "TotalsOut",
    "TotalsQuery",
    "TransitionOut",
    "WinIn",
]
