"""A won deal's contract and its payment milestones: adding one, recording its acceptance,
invoicing and collection."""

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

from keyaccount.core.schemas import InSchema, Version

from .codes import CurrencyCode, Day, Money


class MilestoneIn(InSchema):
    name: str = Field(max_length=120)
    due_on: Day
    amount: Money | None = Field(None, description="Amount; or give `percentage`.")
    percentage: Decimal | None = Field(
        None,
        ge=0,
        le=100,
        max_digits=5,
        decimal_places=2,
        description="Percent of the contract's amount.",
    )


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

    version: Version = Field(description="The `version` of the milestone as you read it.")
    name: str | None = Field(None, max_length=120)
    due_on: Day | None = None
    accepted_on: Day | None = None
    invoiced_on: Day | None = None
    invoiced_amount: Money | None = None
    collected_on: Day | None = None
    collected_amount: Money | None = None
