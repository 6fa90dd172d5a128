"""Every write about opportunities. Keyword-only, atomic, ``actor=`` first; every state change
leaves a row (rule 3): transitions, overrides, checks, risk decisions, forecast changes. What
the input must satisfy is decided by pure functions in ``pipeline.rules``; the gate by
``rules.decide_move`` / ``rules.decide_win`` on ``gate.gate_input``. Pages, the API, imports and
the demo call these functions, so every rule is enforced once.

Callers use ``services.X``; the submodules hold:

- ``_common``: who may run or work on a deal (``access``), ``GateRefused``, the row lock, the
  version bump, the transition row and closing a deal, shared by the others;
- ``deals``: opening and editing a deal (``DEAL_FIELDS``, forecast rows, slips), handing it
  to another owner, its team members;
- ``work``: the team's work on the deal: the exit-criteria checklist, the key evaluation
  elements, competitors and the competitor catalogue, buying roles (``BUYING_FIELDS``),
  follow-up entries;
- ``risk``: the pipeline policy and its risk thresholds, the risk assessment (``ScoreInput``)
  and a sales director's decision on a high-risk deal;
- ``moves``: moving through the gates (``MoveResult``), won with the contract, lost,
  abandoned, reopened;
- ``reviews``: the department head's review of a gate a sales director overrode;
- ``imports``: deals brought in from another system at their stage and status, dated by the
  source, with one *imported* transition (``opportunities_import``), set-based;
- ``contracts``: a won deal's payment milestones (``MilestoneInput``, ``MILESTONE_FIELDS``):
  checking them against the contract, adding, recording acceptance, invoicing and collection,
  deleting; ``milestone_imports``: many of them from another system at once
  (``milestones_import``), set-based.
"""

from ._common import GateRefused, access, access_many
from .contracts import (
    MILESTONE_FIELDS,
    MilestoneInput,
    milestone_add,
    milestone_delete,
    milestone_update,
)
from .deals import (
    DEAL_FIELDS,
    member_add,
    member_remove,
    opportunity_create,
    opportunity_reassign,
    opportunity_update,
)
from .imports import import_refusal, opportunities_import
from .milestone_imports import ImportedMilestone, milestones_import
from .moves import (
    MoveResult,
    opportunity_abandon,
    opportunity_lose,
    opportunity_move,
    opportunity_reopen,
    opportunity_win,
)
from .reviews import override_review
from .risk import ScoreInput, policy, risk_assess, risk_decide, thresholds
from .work import (
    BUYING_FIELDS,
    buying_role_remove,
    buying_role_set,
    competitor_add,
    competitor_register,
    competitor_remove,
    competitor_set,
    criterion_set,
    element_set,
    follow_up_add,
)

__all__ = [
    "BUYING_FIELDS",
    "DEAL_FIELDS",
    "MILESTONE_FIELDS",
    "GateRefused",
    "ImportedMilestone",
    "MilestoneInput",
    "MoveResult",
    "ScoreInput",
    "access",
    "access_many",
    "buying_role_remove",
    "buying_role_set",
    "competitor_add",
    "competitor_register",
    "competitor_remove",
    "competitor_set",
    "criterion_set",
    "element_set",
    "follow_up_add",
    "import_refusal",
    "member_add",
    "member_remove",
    "milestone_add",
    "milestone_delete",
    "milestone_update",
    "milestones_import",
    "opportunities_import",
    "opportunity_abandon",
    "opportunity_create",
    "opportunity_lose",
    "opportunity_move",
    "opportunity_reassign",
    "opportunity_reopen",
    "opportunity_update",
    "opportunity_win",
    "override_review",
    "policy",
    "risk_assess",
    "risk_decide",
    "thresholds",
]
