"""Deals brought in from another system with their stage, owner, dates and outcome."""

from ninja import Field

from keyaccount.core.schemas import Id, InSchema, OutSchema

from .codes import CurrencyCode, Day, Money, StatusCode

#: Deals per request.
MAX_IMPORTED = 1000


class ImportedDealIn(InSchema):
    customer_id: Id = Field(description="A registered customer you can see.")
    name: str = Field(max_length=160)
    amount: Money = Field(description="Expected amount.")
    currency: CurrencyCode = "CNY"
    expected_signing: Day | None = Field(
        None, description="Needed for an open deal; a closed one defaults to its close date."
    )
    owner_id: Id | None = Field(None, description="Blank: the customer's owner.")
    stage_id: Id = Field(description="The stage it stands at (`GET /api/process/stages`).")
    step_id: Id | None = Field(None, description="A step of that stage; blank: its first step.")
    status: StatusCode = "open"
    created_on: Day | None = Field(
        None, description="When the deal was opened at the source; its history starts then."
    )
    closed_on: Day | None = Field(None, description="Won, lost or abandoned deals: when.")
    products: str = Field("", max_length=2000)
    contract_number: str = Field(
        "", max_length=60, description="Won deals; blank: `IMP-<id>`, to be corrected later."
    )
    signed_amount: Money | None = Field(None, description="Won deals; blank: the amount.")
    loss_reason: str | None = Field(
        None, max_length=40, description="Lost deals: a code of `GET /pipeline/loss-reasons`."
    )
    winner_id: Id | None = Field(None, description="Lost deals: the competitor who won.")
    close_reason: str = Field("", max_length=2000)


class OpportunitiesImportIn(InSchema):
    source: str = Field(
        "API", min_length=1, max_length=120, description="Where the deals come from, as "
        "their *imported* transition names it (e.g. the other system's name)."
    )  # fmt: skip
    deals: list[ImportedDealIn] = Field(min_length=1, max_length=MAX_IMPORTED)


class OpportunitiesImportOut(OutSchema):
    ids: list[int] = Field(description="The new opportunities' ids, in the order sent.")
