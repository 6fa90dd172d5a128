"""Request and response schemas of the customers and contacts API (OpenAPI at /api/docs).

Inputs name foreign keys ``<field>_id``; errors from services (keyed by model field) are
reported under those names. Text inputs refuse NUL characters (no database stores them).
Amounts are decimals in yuan, sent and returned as strings or numbers (returned as strings,
so that no digit is lost).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from keyaccount.core.schemas import (
    MAX_ENTRIES,
    MAX_FILTER_VALUES,
    MAX_IDS,
    Id,
    InSchema,
    PageQuery,
    RefOut,
    RuleInt,
    UserRef,
    Version,
    rule_range,
)

from .filters import MAX_SEARCH, SCORE_RANGE
from .rules import MAX_FACTOR_SCORE

GradeCode = Literal["A", "B", "C", "D"]
GradeFilter = Literal["A", "B", "C", "D", "none"]
StatusCode = Literal["pending", "registered", "rejected"]
SortCode = Literal[
    "name", "-name", "grade", "-grade", "score", "-score", "updated", "-updated", "revenue",
    "-revenue",
]  # fmt: skip
DecisionFilter = Literal["pending", "approved", "rejected", "all"]
#: An evaluation's ratings run 1 to 5 (the model's validators say so, naming the field).
EVALUATION_RANGE = rule_range(1, 5)


class OwnerRef(UserRef):
    """A customer's owner and their org unit (the team filter of the KA list)."""

    unit_id: int | None
    unit_name: str | None


class CustomerQuery(PageQuery):
    """The filters of the KA list, documented and checked here (a malformed value is a 422);
    the route then reads them from the same query string as the list page does
    (``customers.filters.api_filters``), which refuses what the page would drop."""

    q: str = Field(
        "",
        max_length=MAX_SEARCH,
        description="Text search: name, short name, name without legal form, pinyin initials, "
        "credit code prefix.",
    )
    grade: list[GradeFilter] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Grades (repeatable: `grade=A&grade=B`); `none` for not yet graded.",
    )
    region: Id | None = Field(
        None, description="Active region id (includes its sub-regions); another is a 422."
    )
    industry: Id | None = Field(
        None, description="Active industry id (includes its sub-industries); another is a 422."
    )
    owner: Id | None = Field(
        None, description="Owner (user id) of customers I can see; another is a 422."
    )
    team: Id | None = Field(
        None,
        description="Org unit id of the owner (includes sub-units), one I can see; another is "
        "a 422.",
    )
    status: StatusCode | None = Field(None, description="Registration state.")
    score_min: Decimal | None = Field(
        None, ge=SCORE_RANGE[0], le=SCORE_RANGE[1], description="Weighted score from (one decimal)."
    )
    score_max: Decimal | None = Field(
        None,
        ge=SCORE_RANGE[0],
        le=SCORE_RANGE[1],
        description="Weighted score up to (one decimal); a reversed range is turned round.",
    )
    sort: SortCode = Field(
        "name",
        title="CustomerSort",
        description="name (pinyin order), grade, score, updated (last change) or revenue; "
        "`-` sorts descending.",
    )


class RegistrationQuery(PageQuery):
    decision: DecisionFilter = Field("pending", description="`all` for every decision.")


# --- customers ------------------------------------------------------------------------------


class CustomerListItem(Schema):
    id: int
    name: str
    short_name: str
    credit_code: str
    region: RefOut | None
    industry: RefOut | None
    owner: OwnerRef
    status: StatusCode
    status_label: str
    grade: GradeCode | None
    score: Decimal | None
    suggested_grade: GradeCode | None
    version: int
    updated_at: datetime


class CustomerPage(Schema):
    count: int = Field(description="Rows matching the filters, over all pages.")
    offset: int
    limit: int
    items: list[CustomerListItem]


class CustomerPermissions(Schema):
    """What the requester may do to this customer."""

    edit_profile: bool
    edit_contacts: bool
    score: bool
    grade: bool
    evaluate: bool
    allocate: bool


class CustomerDetail(CustomerListItem):
    address: str
    website: str
    revenue: Decimal | None
    profit: Decimal | None
    budget: Decimal | None
    actual_spend: Decimal | None
    employees: int | None
    technical_staff: int | None
    segment_trend: str
    sourcing_policy: str
    solution_importance: str
    supplier_attitude: str
    key_buying_factors: str
    key_decision_makers: str
    solution_familiarity: str
    demand_characteristics: str
    incumbent_suppliers: str
    notes: str
    created_at: datetime
    permissions: CustomerPermissions


class ProfileIn(InSchema):
    """Profile fields (客户档案表). On PATCH only the fields sent are changed."""

    short_name: str | None = None
    credit_code: str | None = Field(None, description="统一社会信用代码 (18 characters).")
    region_id: Id | None = None
    industry_id: Id | None = None
    address: str | None = None
    website: str | None = None
    revenue: Decimal | None = Field(None, description="Annual revenue in yuan.")
    profit: Decimal | None = Field(None, description="Annual profit in yuan.")
    budget: Decimal | None = Field(None, description="IT / solution budget in yuan.")
    actual_spend: Decimal | None = Field(None, description="Actual spend in yuan.")
    employees: int | None = Field(None, ge=0, le=10**9)
    technical_staff: int | None = Field(None, ge=0, le=10**9)
    segment_trend: str | None = None
    sourcing_policy: str | None = None
    solution_importance: str | None = None
    supplier_attitude: str | None = None
    key_buying_factors: str | None = None
    key_decision_makers: str | None = None
    solution_familiarity: str | None = None
    demand_characteristics: str | None = None
    incumbent_suppliers: str | None = None
    notes: str | None = None


class RegistrationIn(ProfileIn):
    name: str
    confirm_not_duplicate: bool = Field(
        False,
        description="Send again with `true` after a 409 listing likely duplicates, to confirm "
        "that this is a different company.",
    )


class CustomerPatch(ProfileIn):
    version: Version = Field(description="The `version` of the customer as you read it.")
    name: str | None = None


# --- registration ---------------------------------------------------------------------------


class DuplicateOut(Schema):
    """A likely duplicate: identity, owner and status only (even of a customer you cannot open)."""

    id: int
    name: str
    owner_name: str
    status: StatusCode
    status_label: str
    reason: str
    reason_label: str
    similarity: float
    exact: bool


class DuplicatesOut(Schema):
    """409: likely duplicates; send the request again with ``confirm_not_duplicate: true``."""

    detail: str
    needs_confirmation: bool
    duplicates: list[DuplicateOut]


class CustomerSummary(Schema):
    id: int
    name: str
    credit_code: str
    region: RefOut | None
    industry: RefOut | None
    owner: OwnerRef
    status: StatusCode
    status_label: str


class RegistrationOut(Schema):
    id: int
    customer: CustomerSummary
    requested_by: UserRef
    created_at: datetime
    confirmed_not_duplicate: bool
    duplicates_shown: list[dict[str, Any]]
    decision: Literal["pending", "approved", "rejected"]
    decision_label: str
    decided_by: UserRef | None
    decided_at: datetime | None
    reason: str


class RegistrationPage(Schema):
    count: int
    offset: int
    limit: int
    items: list[RegistrationOut]


class DecisionIn(InSchema):
    approve: bool
    reason: str = Field("", description="Required when rejecting.")


class BulkDecisionIn(DecisionIn):
    request_ids: list[Id] = Field(min_length=1, max_length=MAX_IDS)


class BulkDecisionOut(Schema):
    decided: int
    requests: list["RegistrationOut"]


# --- allocation -----------------------------------------------------------------------------


class AllocationIn(InSchema):
    customer_ids: list[Id] = Field(min_length=1, max_length=MAX_IDS)
    new_owner_id: Id
    reason: str


class AllocationOut(Schema):
    moved: int = Field(description="Customers whose owner changed (the others had it already).")
    new_owner: OwnerRef
    customer_ids: list[int]


class OwnerChangeOut(Schema):
    id: int
    old_owner: UserRef | None
    new_owner: UserRef
    changed_by: UserRef | None
    changed_at: datetime
    reason: str


# --- scorecard and grades -------------------------------------------------------------------


class GradeChangeOut(Schema):
    id: int
    old_grade: GradeCode | None
    new_grade: GradeCode
    suggested_grade: GradeCode | None
    score: Decimal | None
    changed_by: UserRef | None
    changed_at: datetime
    reason: str


class FactorOut(Schema):
    code: str
    group: str
    group_label: str
    name: str
    question: str
    weight: Decimal
    score: int | None
    justification: str
    scored_by: UserRef | None
    scored_at: datetime | None


class ThresholdsOut(Schema):
    a: Decimal
    b: Decimal
    c: Decimal


class ScorecardOut(Schema):
    customer_id: int
    factors: list[FactorOut]
    complete: bool = Field(description="Every weighted factor is scored.")
    score: Decimal | None = Field(description="Weighted score, 0–100.")
    suggested_grade: GradeCode | None
    grade: GradeCode | None
    thresholds: ThresholdsOut
    grade_history: list[GradeChangeOut]
    can_score: bool
    can_grade: bool


class FactorScoreIn(InSchema):
    score: RuleInt = Field(description="0 to 5.", json_schema_extra=rule_range(0, MAX_FACTOR_SCORE))
    justification: str


class ScorecardIn(InSchema):
    scores: dict[str, FactorScoreIn] = Field(
        max_length=MAX_ENTRIES, description="Factor code → score and justification."
    )


class GradeIn(InSchema):
    grade: GradeCode
    reason: str = Field("", description="Required when the grade differs from the suggestion.")


# --- evaluations ----------------------------------------------------------------------------


class EvaluationOut(Schema):
    id: int
    customer_id: int
    evaluated_on: date
    relationship: int
    needs_clarity: int
    competitive_position: int
    solution_fit: int
    payment_ability: int
    total: int
    summary: str
    next_steps: str
    evaluated_by: UserRef
    created_at: datetime


class EvaluationIn(InSchema):
    evaluated_on: date | None = Field(None, description="Defaults to today.")
    relationship: RuleInt = Field(description="1 to 5.", json_schema_extra=EVALUATION_RANGE)
    needs_clarity: RuleInt = Field(description="1 to 5.", json_schema_extra=EVALUATION_RANGE)
    competitive_position: RuleInt = Field(description="1 to 5.", json_schema_extra=EVALUATION_RANGE)
    solution_fit: RuleInt = Field(description="1 to 5.", json_schema_extra=EVALUATION_RANGE)
    payment_ability: RuleInt = Field(description="1 to 5.", json_schema_extra=EVALUATION_RANGE)
    summary: str
    next_steps: str = ""
