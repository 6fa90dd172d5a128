"""Model → schema conversions shared by the pipeline routes (people, references, stages and
steps, amounts, list items and the full deal, transitions, the contract and its milestones),
and the few input conversions more than one route needs."""

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from django.db.models import Model
from django.utils import timezone

from keyaccount.core.schemas import RefOut, UserRef
from keyaccount.org.models import User
from keyaccount.process.models import Stage, Step

from .. import rules, selectors, services
from ..models import Contract, KeyElement, Opportunity, PaymentMilestone, StageTransition
from ..schemas import (
    ContractOut,
    DealPermissions,
    ElementOut,
    MilestoneIn,
    MilestoneOut,
    OpportunityDetail,
    OpportunityListItem,
    StageRef,
    StepRef,
    TransitionOut,
)

CENT = Decimal("0.01")


# --- people, references, stages -------------------------------------------------------------


def user_ref(user: User) -> UserRef:
    return UserRef(id=user.pk, username=user.username, name=str(user))


def maybe_user(user: User | None) -> UserRef | None:
    return user_ref(user) if user is not None else None


def ref(obj: Model | None) -> RefOut | None:
    return RefOut(id=obj.pk, name=str(obj)) if obj is not None else None


def stage_ref(stage: Stage) -> StageRef:
    return StageRef(id=stage.pk, code=stage.code, order=stage.order, name=stage.name)


def step_ref(step: Step | None, stage: Stage | None) -> StepRef | None:
    """``stage`` is the step's own (already loaded): its order numbers the step."""
    if step is None:
        return None
    order = stage.order if stage is not None else step.stage.order
    return StepRef(id=step.pk, code=step.code, number=f"{order}.{step.order}", name=step.name)


def cents(value: Decimal | None) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def id_in_text(value: str) -> int | None:
    """A stage id given as text (``"7"``), or None for a code."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


# --- opportunities --------------------------------------------------------------------------


def norms() -> dict[int, int]:
    return dict(selectors.stage_norms())


class PageRefs:
    """What the items of one page share, made once per page rather than once per row: the
    references of stages and steps and the labels of statuses and health flags, each in the
    requester's language (a page of 50 deals otherwise asks for some 350 translations)."""

    def __init__(self) -> None:
        self._stages: dict[int, StageRef] = {}
        self._steps: dict[int, StepRef | None] = {}
        self._labels: dict[str, str] = {}

    def stage(self, stage: Stage) -> StageRef:
        if stage.pk not in self._stages:
            self._stages[stage.pk] = stage_ref(stage)
        return self._stages[stage.pk]

    def step(self, step_id: int | None, o: Opportunity) -> StepRef | None:
        if step_id is None:
            return None
        if step_id not in self._steps:
            self._steps[step_id] = step_ref(o.step, o.stage)
        return self._steps[step_id]

    def label(self, key: str, make: Any) -> str:
        if key not in self._labels:
            self._labels[key] = str(make())
        return self._labels[key]


def _item_fields(
    o: Opportunity, stage_norms: dict[int, int], now: datetime, refs: PageRefs | None = None
) -> dict[str, Any]:
    refs = refs or PageRefs()
    probability = o.forecast_probability  # stored with the deal (``pipeline.forecast``)
    flags = selectors.health_flags(o, stage_norms, now)
    return {
        "id": o.pk,
        "name": o.name,
        "customer": RefOut(id=o.customer_id, name=o.customer.name),
        "owner": user_ref(o.owner),
        "amount": o.amount,
        "currency": o.currency,
        "expected_signing": o.expected_signing,
        "stage": refs.stage(o.stage),
        "step": refs.step(o.step_id, o),
        "stage_entered_at": o.stage_entered_at,
        "days_in_stage": max(0, (now - o.stage_entered_at).days),
        "status": o.status,
        "status_label": refs.label(f"status:{o.status}", o.get_status_display),
        "probability": probability,
        "weighted": cents(o.weighted),
        "health": flags,
        "health_labels": [
            refs.label(f"health:{f}", lambda f=f: rules.HEALTH_LABELS[rules.Health(f)])
            for f in flags
        ],
        "risk_level": o.risk_level or None,
        "risk_decision": o.risk_decision or None,
        "version": o.version,
        "updated_at": o.updated_at,
    }


def list_item(
    o: Opportunity, stage_norms: dict[int, int], now: datetime, refs: PageRefs | None = None
) -> OpportunityListItem:
    """One deal of a list; the items of a page share ``refs``."""
    return OpportunityListItem(**_item_fields(o, stage_norms, now, refs))


def element_out(row: KeyElement) -> ElementOut:
    return ElementOut(
        element=cast(Any, row.element),
        label=str(row.get_element_display()),
        status=cast(Any, row.status),
        status_label=str(row.get_status_display()),
        notes=row.notes,
        updated_by=maybe_user(row.updated_by),
        updated_at=row.updated_at,
    )


def elements_of(opp: Opportunity) -> list[KeyElement]:
    """The six key evaluation elements in the playbook's order (unknown where never set)."""
    rows = {
        r.element: r
        for r in KeyElement.objects.filter(opportunity=opp).select_related("updated_by")
    }
    return [rows.get(e) or KeyElement(opportunity=opp, element=e) for e in rules.Element.values]


def permissions_out(user: User, opp: Opportunity) -> DealPermissions:
    return DealPermissions(**services.access(user, opp).as_dict())


def opportunity_detail(opp: Opportunity, user: User) -> OpportunityDetail:
    return OpportunityDetail(
        **_item_fields(opp, norms(), timezone.now()),
        products=opp.products,
        source=cast(Any, opp.source or None),
        source_label=str(opp.get_source_display()) if opp.source else "",
        strategic_fit=opp.strategic_fit,
        strategic_note=opp.strategic_note,
        probability_override=opp.probability_override,
        probability_reason=opp.probability_reason,
        stage_probability=opp.stage.probability,
        closed_at=opp.closed_at,
        loss_reason=ref(opp.loss_reason),
        winner=ref(opp.winner),
        close_reason=opp.close_reason,
        signing_slips=opp.signing_slips,
        elements=[element_out(e) for e in elements_of(opp)],
        permissions=permissions_out(user, opp),
        created_at=opp.created_at,
    )


def transition_out(t: StageTransition, missing: list[str] | None = None) -> TransitionOut:
    """A transition; ``missing`` (in the reader's language) as ``selectors.missing_in_my_language``
    gives it for many rows at once."""
    if missing is None:
        missing = selectors.missing_in_my_language([t]).get(t.pk, [])
    return TransitionOut(
        id=t.pk,
        kind=cast(Any, t.kind),
        kind_label=str(t.get_kind_display()),
        from_stage=stage_ref(t.from_stage) if t.from_stage is not None else None,
        from_step=step_ref(t.from_step, t.from_stage),
        to_stage=stage_ref(t.to_stage),
        to_step=step_ref(t.to_step, t.to_stage),
        from_status=t.from_status,
        to_status=cast(Any, t.to_status),
        actor=maybe_user(t.actor),
        at=t.at,
        reason=t.reason,
        overridden=t.overridden,
        missing=missing,
    )


# --- the contract and its milestones --------------------------------------------------------


def milestone_out(m: PaymentMilestone) -> MilestoneOut:
    return MilestoneOut(
        id=m.pk,
        contract_id=m.contract_id,
        order=m.order,
        name=m.name,
        percentage=m.percentage,
        amount=m.amount,
        due_on=m.due_on,
        accepted_on=m.accepted_on,
        invoiced_on=m.invoiced_on,
        invoiced_amount=m.invoiced_amount,
        collected_on=m.collected_on,
        collected_amount=m.collected_amount,
        outstanding=m.outstanding,
        version=m.version,
    )


def contract_out(c: Contract) -> ContractOut:
    return ContractOut(
        id=c.pk,
        opportunity_id=c.opportunity_id,
        number=c.number,
        amount=c.amount,
        currency=cast(Any, c.currency),
        signed_on=c.signed_on,
        version=c.version,
        milestones=[milestone_out(m) for m in c.milestones.all()],
    )


def milestone_input(m: MilestoneIn) -> services.MilestoneInput:
    return services.MilestoneInput(
        name=m.name, due_on=m.due_on, amount=m.amount, percentage=m.percentage
    )
