"""How a deal ends (or comes back): won with its contract, lost (the reason, who won),
abandoned, reopened; and the loss reasons."""

from ninja import Field, Schema

from keyaccount.core.schemas import Id, InSchema

from .codes import Day, Money
from .contracts import MilestoneIn


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


class LossReasonOut(Schema):
    id: int
    code: str
    name: str
