"""The stage gate: what the gate sees and says is missing (checklist, forms, elements),
checking criteria off, moving forward and back, a refused move and the transitions."""

from datetime import datetime

from ninja import Field, Schema

from keyaccount.core.api_errors import ErrorOut
from keyaccount.core.schemas import Id, InSchema, UserRef

from .codes import ElementCode, KnowledgeCode, MoveCode, StatusCode
from .deals import DealPermissions, StageRef, StepRef


class EvidenceFact(Schema):
    """One fact of an evidence criterion (``process.evidence``), as the playbook states it."""

    fact: str = Field(description="The kind of fact, e.g. `elements`, `buying_roles`, `form`.")
    text: str = Field(description="The fact in words, in your language.")
    met: bool


class ChecklistItem(Schema):
    criterion_id: int
    text: str
    mandatory: bool
    step: str | None = Field(description="Step code, or `null` for the whole stage.")
    checked: bool = Field(
        description="Met: by its evidence (an evidence criterion) or by a tick (a manual one)."
    )
    evidence: list[EvidenceFact] = Field(
        description="The facts that answer an evidence criterion from the record (it cannot be "
        "ticked by hand); empty for a manual criterion."
    )
    may_check: bool = Field(description="You may tick or untick it (manual criteria only).")
    who_may_check: str = Field(description="Who may tick it, when you may not.")
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
    to_stage: Id | str = Field(description="An earlier stage, by id or code.")
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


# --- the checklist --------------------------------------------------------------------------


class CheckIn(InSchema):
    note: str = Field("", max_length=300)


class CheckOut(Schema):
    criterion_id: int
    text: str
    checked_by: UserRef
    checked_at: datetime
    note: str
