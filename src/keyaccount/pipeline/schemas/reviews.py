"""Gate overrides and their review by the department head."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from keyaccount.core.schemas import InSchema, PageQuery, RefOut, UserRef

from .gate import TransitionOut


class OverrideOut(Schema):
    transition: TransitionOut
    opportunity: RefOut
    customer: RefOut
    owner: UserRef
    reviewed_by: UserRef | None
    reviewed_at: datetime | None
    review_note: str
    may_review: bool = Field(description="You may mark it reviewed (the department head).")


class OverridePage(Schema):
    count: int
    awaiting: int = Field(description="Overrides awaiting review that you can see.")
    items: list[OverrideOut]


class OverrideQuery(PageQuery):
    status: Literal["awaiting", "reviewed", "all"] = Field(
        "awaiting", description="Awaiting review (oldest first), reviewed or all (newest first)."
    )


class ReviewIn(InSchema):
    note: str = Field("", max_length=2000)
