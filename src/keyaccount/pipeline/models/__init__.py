"""Opportunities (销售机会/项目) and what the stage-gate process records about them (SPEC §4, §6).

Every state change is a row: stage transitions (with override reasons), criterion checks, risk
decisions, forecast changes (amount, signing date, probability). Writes go through
``pipeline.services``; reads through ``pipeline.selectors`` on ``visible_to(user)``.

One submodule per sub-domain; every model is imported here (Django finds an app's models in
``pipeline.models``) and callers keep importing ``from keyaccount.pipeline.models import X``:

- ``fields``: ``money_field``, the Decimal field every amount uses.
- ``catalog``: what an administrator keeps: ``Competitor``, ``LossReason`` and ``RiskFactor``
  (bilingual ``CatalogEntry`` lists), ``PipelinePolicy``, ``ElementRequirement``.
- ``opportunity``: ``Opportunity`` and its records: ``OpportunityMember``, ``StageTransition``,
  ``CriterionCheck``, ``KeyElement``, ``OpportunityCompetitor``, ``BuyingRoleEntry``,
  ``ForecastChange``, ``FollowUp``.
- ``risk``: ``RiskAssessment`` and its ``RiskScore`` rows.
- ``contracts``: ``Contract`` and its ``PaymentMilestone`` rows.
- ``rollup``: ``OpportunityRollup`` and ``OpportunityUnitRollup``, the totals per owner (or
  unit), status, stage and currency.
"""

from .catalog import (
    CatalogEntry,
    Competitor,
    ElementRequirement,
    LossReason,
    PipelinePolicy,
    RiskFactor,
)
from .contracts import Contract, PaymentMilestone
from .fields import money_field
from .opportunity import (
    BuyingRoleEntry,
    CriterionCheck,
    FollowUp,
    ForecastChange,
    KeyElement,
    Opportunity,
    OpportunityCompetitor,
    OpportunityMember,
    StageTransition,
)
from .risk import RiskAssessment, RiskScore
from .rollup import OpportunityRollup, OpportunityUnitRollup

__all__ = [
    "BuyingRoleEntry",
    "CatalogEntry",
    "Competitor",
    "Contract",
    "CriterionCheck",
    "ElementRequirement",
    "FollowUp",
    "ForecastChange",
    "KeyElement",
    "LossReason",
    "Opportunity",
    "OpportunityCompetitor",
    "OpportunityMember",
    "OpportunityRollup",
    "OpportunityUnitRollup",
    "PaymentMilestone",
    "PipelinePolicy",
    "RiskAssessment",
    "RiskFactor",
    "RiskScore",
    "StageTransition",
    "money_field",
]
