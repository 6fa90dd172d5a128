"""The customer's people in a deal: buying roles (influence, attitude, motives) and the power
map (the customer's org chart with each contact's part in the deal)."""

from datetime import datetime

from ninja import Field, Schema

from keyaccount.core.schemas import InSchema, UserRef

from .codes import AttitudeCode, BuyingRoleCode, InfluenceCode


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
