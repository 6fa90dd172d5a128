"""The deal team's working records: key evaluation elements, competitors (the catalogue and
those on the deal), the deal team and the KA follow-up form."""

from datetime import date, datetime

from ninja import Field, Schema

from keyaccount.core.schemas import Id, InSchema, RefOut, UserRef

from .codes import Day, ElementCode, KnowledgeCode, StrengthCode, TeamRoleCode

# --- key evaluation elements ----------------------------------------------------------------


class ElementOut(Schema):
    element: ElementCode
    label: str
    status: KnowledgeCode
    status_label: str
    notes: str
    updated_by: UserRef | None
    updated_at: datetime | None


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
