"""Request and response schemas of the pipeline API (OpenAPI at /api/docs).

Amounts are decimals in the opportunity's currency, returned as strings so that no digit is
lost (send strings or numbers); dates are ISO 8601. Codes (status, stage, health flag, buying
role…) are stable English identifiers; each comes with a ``*_label`` in the requester's
language. Inputs name foreign keys ``<field>_id`` and refuse NUL characters in text.
"""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BeforeValidator

from keyaccount.core.api_errors import ErrorOut
from keyaccount.core.schemas import InSchema, PageQuery, RefOut, UserRef
from keyaccount.customers.schemas import GradeFilter

# The codes of ``pipeline.rules`` (a test keeps them equal to the enums).
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
MoveCode = Literal["created", "step", "advance", "back", "won", "lost", "abandoned", "reopened"]
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
#: A record id in a query string (a database integer).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
#: A money input: never negative, at most two decimals, within the column (18 digits).
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]


# --- references -----------------------------------------------------------------------------


class StageRef(Schema):
    id: int
    code: str
    order: int
    name: str


class StepRef(Schema):
    id: int
    code: str
    number: str = Field(description="`<stage order>.<step order>`, e.g. `2.1`.")
    name: str


class CodeLabel(Schema):
    code: str
    label: str


class DealPermissions(Schema):
    """What the requester may do to this opportunity (``pipeline.services.access``)."""

    run: bool = Field(
        description="Edit it, move it through the gates, close it, keep its team, contract "
        "and milestones (the owner and their managers)."
    )
    work: bool = Field(
        description="Check criteria, update key evaluation elements, competitors, buying "
        "roles, follow-ups and risk assessments (also the deal team)."
    )
    override: bool = Field(
        description="Override a closed gate and decide a high-risk deal (a sales director)."
    )


# --- filters --------------------------------------------------------------------------------


class FilterQuery(InSchema):
    """The filters of the opportunity list (``pipeline.selectors.OpportunityFilters``)."""

    q: str = Field(
        "",
        max_length=120,
        description="Text search: opportunity name, customer name or short name, pinyin "
        "initials of the customer, products.",
    )
    stage: list[str] = Field(
        default_factory=list,
        description="Stages, by id or code (repeatable: `stage=initiation&stage=proposal`).",
    )
    owner: Id | None = Field(None, description="Owner (user id).")
    team: Id | None = Field(None, description="Org unit id of the owner (includes sub-units).")
    region: Id | None = Field(None, description="Customer region id (includes sub-regions).")
    industry: Id | None = Field(
        None, description="Customer industry id (includes its sub-industries)."
    )
    grade: list[GradeFilter] = Field(
        default_factory=list,
        description="Customer grades (repeatable); `none` for customers not yet graded.",
    )
    customer: Id | None = Field(None, description="Customer id.")
    signing_from: Day | None = Field(None, description="Expected signing on or after.")
    signing_to: Day | None = Field(None, description="Expected signing on or before.")
    amount_min: Money | None = Field(None, description="Amount from.")
    amount_max: Money | None = Field(None, description="Amount up to.")
    health: list[HealthCode] = Field(
        default_factory=list,
        description="Health flags, all of which must hold (repeatable).",
    )
    risk: RiskLevelCode | None = Field(None, description="Level of the latest risk assessment.")


class OpportunityQuery(FilterQuery, PageQuery):
    status: StatusFilter = Field("open", description="`all` for every status.")
    sort: SortCode = Field("signing", description="`-` sorts descending.")


class TotalsQuery(FilterQuery):
    status: StatusFilter = Field("open", description="`all` for every status.")


class BoardQuery(FilterQuery):
    per_column: int = Field(10, ge=1, le=100, description="Cards per stage (soonest signing).")


class MajorQuery(PageQuery):
    sort: SortCode = Field("-amount", description="`-` sorts descending.")


# --- opportunities --------------------------------------------------------------------------


class OpportunityListItem(Schema):
    id: int
    name: str
    customer: RefOut
    owner: UserRef
    amount: Decimal
    currency: CurrencyCode
    expected_signing: date
    stage: StageRef
    step: StepRef | None
    stage_entered_at: datetime
    days_in_stage: int
    status: StatusCode
    status_label: str
    probability: int = Field(description="Percent: the override, else the stage's.")
    weighted: Decimal = Field(description="Amount × probability.")
    health: list[HealthCode]
    health_labels: list[str]
    risk_level: RiskLevelCode | None
    risk_decision: RiskDecisionCode | None
    version: int
    updated_at: datetime


class OpportunityPage(Schema):
    count: int = Field(description="Rows matching the filters, over all pages.")
    offset: int
    limit: int
    items: list[OpportunityListItem]


class MajorProjectPage(OpportunityPage):
    threshold: Decimal = Field(description="Open or won deals of at least this amount.")


class CurrencyTotal(Schema):
    currency: CurrencyCode
    count: int
    amount: Decimal
    weighted: Decimal


class TotalsOut(Schema):
    count: int
    by_currency: list[CurrencyTotal] = Field(description="CNY first; amounts never mixed.")


class BoardColumnOut(Schema):
    stage: StageRef
    count: int
    amount: Decimal
    weighted: Decimal
    cards: list[OpportunityListItem]


class BoardOut(Schema):
    columns: list[BoardColumnOut]


class ElementOut(Schema):
    element: ElementCode
    label: str
    status: KnowledgeCode
    status_label: str
    notes: str
    updated_by: UserRef | None
    updated_at: datetime | None


class OpportunityDetail(OpportunityListItem):
    products: str
    source: SourceCode | None
    source_label: str
    strategic_fit: bool
    strategic_note: str
    probability_override: int | None
    probability_reason: str
    stage_probability: int
    closed_at: datetime | None
    loss_reason: RefOut | None
    winner: RefOut | None
    close_reason: str
    signing_slips: int = Field(description="How often the signing date moved later.")
    elements: list[ElementOut]
    permissions: DealPermissions
    created_at: datetime


class DealFieldsIn(InSchema):
    """The fields of a deal. On PATCH only the fields sent change."""

    products: str | None = None
    source: SourceCode | None = None
    strategic_fit: bool | None = None
    strategic_note: str | None = None
    probability_override: int | None = Field(
        None, ge=0, le=100, description="Percent; needs `probability_reason`. `null` clears it."
    )
    probability_reason: str | None = None


class OpportunityIn(DealFieldsIn):
    customer_id: Id = Field(description="A registered customer you own or manage.")
    name: str = Field(max_length=160)
    amount: Money = Field(description="Expected amount.")
    currency: CurrencyCode = "CNY"
    expected_signing: Day


class OpportunityPatch(DealFieldsIn):
    version: int = Field(description="The `version` of the opportunity as you read it.")
    name: str | None = Field(None, max_length=160)
    amount: Money | None = None
    currency: CurrencyCode | None = None
    expected_signing: Day | None = None
    reason: str = Field(
        "",
        description="Why the amount, signing date or probability changes; kept with the "
        "forecast change rows.",
    )


class ReassignIn(InSchema):
    owner_id: Id
    reason: str


# --- the gate -------------------------------------------------------------------------------


class ChecklistItem(Schema):
    criterion_id: int
    text: str
    mandatory: bool
    step: str | None = Field(description="Step code, or `null` for the whole stage.")
    checked: bool
    checked_by: UserRef | None
    checked_at: datetime | None
    note: str


class GateForm(Schema):
    code: str
    label: str
    step: str | None = Field(description="Step code, or `null` for the whole stage.")
    present: bool


class GateElement(Schema):
    element: ElementCode
    label: str
    required: KnowledgeCode
    required_label: str
    actual: KnowledgeCode
    actual_label: str
    met: bool


class GateOut(Schema):
    opportunity_id: int
    status: StatusCode
    stage: StageRef
    step: StepRef | None
    steps: list[StepRef] = Field(description="The stage's steps in order.")
    checklist: list[ChecklistItem]
    forms: list[GateForm]
    elements: list[GateElement] = Field(description="The statuses the stage requires.")
    risk_pending: bool = Field(description="A high-risk assessment awaits a director.")
    missing_to_leave_step: list[str]
    missing_to_leave_stage: list[str]
    permissions: DealPermissions


class MoveIn(InSchema):
    override: bool = Field(
        False, description="A sales director passes a closed gate (needs `reason`)."
    )
    reason: str = ""


class BackIn(InSchema):
    to_stage: int | str = Field(description="An earlier stage, by id or code.")
    reason: str


class GateRefusedOut(ErrorOut):
    """409: the gate refuses the move; ``missing`` says what is missing, one sentence each."""

    missing: list[str]


class TransitionOut(Schema):
    id: int
    kind: MoveCode
    kind_label: str
    from_stage: StageRef | None
    from_step: StepRef | None
    to_stage: StageRef
    to_step: StepRef | None
    from_status: str
    to_status: StatusCode
    actor: UserRef | None
    at: datetime
    reason: str
    overridden: bool = Field(description="A director passed the gate although items missed.")
    missing: list[str] = Field(description="What was missing when the gate was overridden.")


class ForecastChangeOut(Schema):
    id: int
    field: ForecastFieldCode
    field_label: str
    old_value: str
    new_value: str
    changed_by: UserRef | None
    changed_at: datetime
    reason: str


# --- checklist and elements -----------------------------------------------------------------


class CheckIn(InSchema):
    note: str = Field("", max_length=300)


class CheckOut(Schema):
    criterion_id: int
    text: str
    checked_by: UserRef
    checked_at: datetime
    note: str


class ElementIn(InSchema):
    status: KnowledgeCode
    notes: str = ""


# --- competitors ----------------------------------------------------------------------------


class CompetitorOut(Schema):
    id: int
    name: str
    short_name: str
    strengths: str
    weaknesses: str
    is_active: bool


class CompetitorIn(InSchema):
    name: str = Field(max_length=120)
    short_name: str = Field("", max_length=40)


class DealCompetitorOut(Schema):
    competitor: RefOut
    strength: StrengthCode
    strength_label: str
    their_strategy: str
    our_strategy: str
    updated_by: UserRef | None
    updated_at: datetime


class DealCompetitorIn(InSchema):
    strength: StrengthCode
    their_strategy: str = ""
    our_strategy: str = ""


# --- buying roles and the power map ---------------------------------------------------------


class ContactRef(Schema):
    id: int
    name: str
    title: str
    department: str


class BuyingRoleOut(Schema):
    contact: ContactRef
    role: BuyingRoleCode
    role_label: str
    influence: InfluenceCode
    influence_label: str
    attitude: AttitudeCode
    attitude_label: str
    personal_motives: str
    organisational_goals: str
    notes: str
    updated_by: UserRef | None
    updated_at: datetime


class BuyingRoleIn(InSchema):
    role: BuyingRoleCode
    influence: InfluenceCode
    attitude: AttitudeCode = "unknown"
    personal_motives: str = ""
    organisational_goals: str = ""
    notes: str = ""


class PowerMapNode(Schema):
    id: int
    name: str
    title: str
    department: str
    involved: bool = Field(description="The contact has a buying role in this deal.")
    role: str
    role_label: str
    influence: str
    influence_label: str
    attitude: str
    attitude_label: str
    children: list["PowerMapNode"]


PowerMapNode.model_rebuild()


class PowerMapOut(Schema):
    roots: list[PowerMapNode]
    involved: int
    contacts: int


# --- team and follow-ups --------------------------------------------------------------------


class MemberOut(Schema):
    user: UserRef
    role: TeamRoleCode
    role_label: str
    note: str
    added_at: datetime


class TeamOut(Schema):
    owner: UserRef
    members: list[MemberOut]


class MemberIn(InSchema):
    user_id: Id
    role: TeamRoleCode
    note: str = Field("", max_length=200)


class FollowUpOut(Schema):
    id: int
    on: date
    progress: str
    next_steps: str
    support_needed: str
    author: UserRef
    created_at: datetime


class FollowUpIn(InSchema):
    on: Day | None = Field(None, description="Defaults to today; never in the future.")
    progress: str
    next_steps: str = ""
    support_needed: str = ""


# --- risk -----------------------------------------------------------------------------------


class RiskFactorOut(Schema):
    code: str
    name: str
    question: str
    weight: Decimal
    order: int


class LossReasonOut(Schema):
    id: int
    code: str
    name: str


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
    score: int = Field(description="0 (no risk) to 5 (severe).")
    note: str = Field("", max_length=300)


class RiskAssessmentIn(InSchema):
    assessed_on: Day | None = Field(None, description="Defaults to today; never in the future.")
    scores: dict[str, ScoreIn] = Field(description="Every active factor's code → its score.")
    summary: str = ""


class RiskDecisionIn(InSchema):
    decision: Literal["continue", "abandon"]
    reason: str


# --- outcomes, contract and milestones ------------------------------------------------------


class MilestoneIn(InSchema):
    name: str = Field(max_length=120)
    due_on: Day
    amount: Money | None = Field(None, description="Amount; or give `percentage`.")
    percentage: Decimal | None = Field(
        None, max_digits=5, decimal_places=2, description="Percent of the contract's amount."
    )


class WinIn(InSchema):
    contract_number: str = Field(max_length=60)
    signed_amount: Money
    signed_on: Day
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=100)
    override: bool = Field(False, description="A sales director passes a closed last gate.")
    reason: str = ""


class LoseIn(InSchema):
    loss_reason: str = Field(description="Code of a loss reason (`GET /pipeline/loss-reasons`).")
    winner_id: Id | None = Field(None, description="The competitor who won, if known.")
    lessons: str


class ReasonIn(InSchema):
    reason: str


class MilestoneOut(Schema):
    id: int
    contract_id: int
    order: int
    name: str
    percentage: Decimal | None
    amount: Decimal
    due_on: date
    accepted_on: date | None
    invoiced_on: date | None
    invoiced_amount: Decimal | None
    collected_on: date | None
    collected_amount: Decimal | None
    outstanding: Decimal
    version: int


class ContractOut(Schema):
    id: int
    opportunity_id: int
    number: str
    amount: Decimal
    currency: CurrencyCode
    signed_on: date
    version: int
    milestones: list[MilestoneOut]


class MilestonePatch(InSchema):
    """Only the fields sent change; `null` clears a date or an amount."""

    version: int = Field(description="The `version` of the milestone as you read it.")
    name: str | None = Field(None, max_length=120)
    due_on: Day | None = None
    accepted_on: Day | None = None
    invoiced_on: Day | None = None
    invoiced_amount: Money | None = None
    collected_on: Day | None = None
    collected_amount: Money | None = None
