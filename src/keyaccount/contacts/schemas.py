"""Request and response schemas of the contacts API (OpenAPI at /api/docs)."""

from datetime import datetime

from ninja import Field, Schema

from keyaccount.core.schemas import Id, InSchema, RefOut, Version


class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    title: str
    department: str
    mobile: str
    phone: str
    email: str
    wechat: str
    reports_to: RefOut | None
    notes: str
    is_active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class ContactFieldsIn(InSchema):
    title: str | None = None
    department: str | None = None
    mobile: str | None = Field(None, description="Mainland mobile (11 digits, +86 allowed).")
    phone: str | None = None
    email: str | None = None
    wechat: str | None = None
    reports_to_id: Id | None = Field(None, description="A contact of the same customer.")
    notes: str | None = None
    is_active: bool | None = None


class ContactIn(ContactFieldsIn):
    customer_id: Id
    name: str


class ContactPatch(ContactFieldsIn):
    version: Version = Field(description="The `version` of the contact as you read it.")
    name: str | None = None


class ContactQuery(InSchema):
    customer: Id = Field(description="The customer whose contacts to list.")


class OrgChartNode(Schema):
    id: int
    name: str
    title: str
    department: str
    active: bool
    children: list["OrgChartNode"]


OrgChartNode.model_rebuild()
