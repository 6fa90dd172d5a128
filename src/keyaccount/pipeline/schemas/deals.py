"""The deal itself: references to stages and steps, what the requester may do, the filters of
the lists, list items, pages, totals and the board, one opportunity in full, opening, editing
and reassigning it, and its forecast changes."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from keyaccount.core.schemas import (
    MAX_FILTER_VALUES,
    Id,
    InSchema,
    OutSchema,
    PageQuery,
    RefOut,
    UserRef,
    Version,
)
from keyaccount.customers.schemas import GradeFilter

from .codes import (
    CurrencyCode,
    Day,
    ForecastFieldCode,
    HealthCode,
    Money,
    RiskDecisionCode,
    RiskLevelCode,
    SortCode,
    SourceCode,
    StatusCode,
    StatusFilter,
)
from .work import ElementOut

# --- references -----------------------------------------------------------------------------


SORT_HELP = (
    "signing (expected signing date), amount, weighted (amount × probability), stage, "
    "customer, name, age (days in stage) or updated (last change); `-` sorts descending."
)


class StageRef(OutSchema):
    id: int
    code: str
    order: int
    name: str


class StepRef(OutSchema):
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
        max_length=MAX_FILTER_VALUES,
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
        max_length=MAX_FILTER_VALUES,
        description="Customer grades (repeatable); `none` for customers not yet graded.",
    )
    customer: Id | None = Field(None, description="Customer id.")
    signing_from: Day | None = Field(None, description="Expected signing on or after.")
    signing_to: Day | None = Field(None, description="Expected signing on or before.")
    amount_min: Money | None = Field(None, description="Amount from.")
    amount_max: Money | None = Field(None, description="Amount up to.")
    health: list[HealthCode] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Health flags, all of which must hold (repeatable).",
    )
    risk: RiskLevelCode | None = Field(None, description="Level of the latest risk assessment.")


class OpportunityQuery(FilterQuery, PageQuery):
    status: StatusFilter = Field("open", description="`all` for every status.")
    sort: SortCode = Field(
        "signing",
        title="OpportunitySort",
        description=SORT_HELP,
    )


class TotalsQuery(FilterQuery):
    status: StatusFilter = Field("open", description="`all` for every status.")


class BoardQuery(FilterQuery):
    per_column: int = Field(10, ge=1, le=100, description="Cards per stage (soonest signing).")


class MajorQuery(PageQuery):
    sort: SortCode = Field(
        "-amount",
        title="OpportunitySort",
        description=SORT_HELP,
    )


# --- opportunities --------------------------------------------------------------------------


class OpportunityListItem(OutSchema):
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


class OpportunityPage(OutSchema):
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
    version: Version = Field(description="The `version` of the opportunity as you read it.")
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


class ForecastChangeOut(Schema):
    id: int
    field: ForecastFieldCode
    field_label: str
    old_value: str
    new_value: str
    changed_by: UserRef | None
    changed_at: datetime
    reason: str
