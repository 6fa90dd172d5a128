"""The stage gate over REST: the gate of an opportunity (checklist, forms, elements, what is
missing), checking criteria off, moving forward (the gate, or a director's override) and back,
the transitions."""

from typing import Any, cast

from django.db.models import Q
from ninja import Router, Status

from keyaccount.core.api_errors import errors
from keyaccount.core.schemas import Id
from keyaccount.org.models import User
from keyaccount.org.requests import AuthenticatedRequest
from keyaccount.process.evidence import describe_fact
from keyaccount.process.models import Stage, Step

from .. import gate, rules, selectors, services
from ..access import criterion_for, opportunity_for
from ..models import CriterionCheck, Opportunity
from ..schemas import (
    BackIn,
    CheckIn,
    ChecklistItem,
    CheckOut,
    EvidenceFact,
    GateElement,
    GateForm,
    GateOut,
    GateRefusedOut,
    MoveIn,
    TransitionOut,
)
from ._convert import (
    id_in_text,
    maybe_user,
    permissions_out,
    stage_ref,
    step_ref,
    transition_out,
    user_ref,
)
from ._errors import GATE_DOC, no_such, refused, service_errors

router = Router()


def stage_by(value: int | str) -> Stage:
    """A stage by id or code; an unknown one is a 422 on ``to_stage``."""
    text = str(value)
    number = id_in_text(text)
    lookup = Q(code=text) | Q(pk=number) if number is not None else Q(code=text)
    stage = Stage.objects.filter(lookup).first()
    if stage is None:
        raise no_such("to_stage", text)
    return stage


# --- the gate and its checklist -------------------------------------------------------------


def gate_out(opp: Opportunity, user: User) -> GateOut:
    """What the gate sees (``gate.checklist``) and what it says is missing
    (``rules.missing_to_leave``), with who checked each criterion, when and why, or the facts
    of the record that answer it."""
    acc = services.access(user, opp)
    shown = gate.checklist(opp, user=user, acc=acc)
    state = shown.gate
    steps = list(Step.objects.filter(stage_id=opp.stage_id).order_by("order"))
    step_codes = {s.pk: s.code for s in steps}
    to_leave_step = rules.missing_to_leave(state, whole_stage=False).missing
    to_leave_stage = rules.missing_to_leave(state, whole_stage=True).missing
    unmet = {m.ref for m in to_leave_stage if m.kind == "element"}
    return GateOut(
        opportunity_id=opp.pk,
        status=cast(Any, opp.status),
        stage=stage_ref(opp.stage),
        step=step_ref(opp.step, opp.stage),
        steps=[s for s in (step_ref(s, opp.stage) for s in steps) if s is not None],
        checklist=[
            ChecklistItem(
                criterion_id=row.state.id,
                text=row.state.text,
                mandatory=row.state.mandatory,
                step=step_codes.get(row.state.step_id) if row.state.step_id is not None else None,
                checked=row.met,
                evidence=[
                    EvidenceFact(
                        fact=str(f.get("fact")), text=describe_fact(f), met=f not in row.unmet
                    )
                    for f in row.state.evidence
                ],
                may_check=row.may_tick,
                who_may_check=row.who_may,
                checked_by=maybe_user(row.check.checked_by) if row.check else None,
                checked_at=row.check.checked_at if row.check else None,
                note=row.check.note if row.check else "",
            )
            for row in shown.criteria
        ],
        forms=[
            GateForm(
                code=f.code,
                label=f.label,
                step=step_codes.get(f.step_id) if f.step_id is not None else None,
                present=f.present,
            )
            for f in state.forms
        ],
        elements=[
            GateElement(
                element=cast(Any, e.element),
                label=e.label,
                required=cast(Any, e.required),
                required_label=str(rules.Knowledge(e.required).label),
                actual=cast(Any, e.actual),
                actual_label=str(rules.Knowledge(e.actual).label),
                met=e.element not in unmet,
            )
            for e in state.elements
        ],
        risk_pending=state.risk_pending,
        missing_to_leave_step=[m.text for m in to_leave_step],
        missing_to_leave_stage=[m.text for m in to_leave_stage],
        permissions=permissions_out(user, opp),
    )


@router.get(
    "/opportunities/{opportunity_id}/gate",
    response={200: GateOut, **errors(404, 422)},
    summary="The gate: current stage and step, checklist, forms, elements, what is missing",
)
def gate_get(request: AuthenticatedRequest, opportunity_id: Id) -> GateOut:
    """`missing_to_leave_step` is what keeps the deal in its current step,
    `missing_to_leave_stage` what keeps it in the stage (the sentences a refused move lists)."""
    return gate_out(opportunity_for(request.auth, opportunity_id), request.auth)


@router.put(
    "/opportunities/{opportunity_id}/checks/{criterion_id}",
    response={200: CheckOut, **errors(403, 404, 422)},
    summary="Check an exit criterion off (who and when are kept), with an optional note",
)
def check_put(
    request: AuthenticatedRequest, opportunity_id: Id, criterion_id: Id, payload: CheckIn
) -> CheckOut:
    """A manual criterion of the deal's current stage is ticked by the deal's owner, their
    managers, or a team member holding a role its step names as responsible (a criterion of the
    stage as a whole: the owner and their managers); anyone else gets a 403 that says who may.
    A criterion the record answers (`evidence` in the gate) cannot be ticked: 422, as for a
    criterion of another stage. Checking again replaces the note."""
    with service_errors():
        checked = services.criterion_set(
            actor=request.auth,
            opportunity=opportunity_for(request.auth, opportunity_id),
            criterion=criterion_for(criterion_id),
            checked=True,
            note=payload.note,
        )
    row = cast(CriterionCheck, checked)  # a check is returned whenever ``checked=True``
    return CheckOut(
        criterion_id=row.criterion_id,
        text=row.criterion.text,
        checked_by=user_ref(row.checked_by),
        checked_at=row.checked_at,
        note=row.note,
    )


@router.delete(
    "/opportunities/{opportunity_id}/checks/{criterion_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Uncheck an exit criterion",
)
def check_delete(
    request: AuthenticatedRequest, opportunity_id: Id, criterion_id: Id
) -> Status[None]:
    with service_errors():
        services.criterion_set(
            actor=request.auth,
            opportunity=opportunity_for(request.auth, opportunity_id),
            criterion=criterion_for(criterion_id),
            checked=False,
        )
    return Status(204, None)


# --- moving through the gates ---------------------------------------------------------------


@router.post(
    "/opportunities/{opportunity_id}/move",
    response={200: TransitionOut, 409: GateRefusedOut, **errors(403, 404, 422)},
    summary="Request the next step or stage (the gate)",
    description=(
        "Forward from a step that is not the stage's last is a step move; from the last step "
        "it is an advance to the next stage, allowed only when the stage's mandatory criteria, "
        "required forms and element statuses are there and no high-risk assessment awaits a "
        "decision (`GET …/gate` shows what is missing). A sales director may pass a closed "
        "gate with `override: true` and a written `reason`: the transition keeps both the "
        "reason and what was missing. The answer is the transition." + GATE_DOC
    ),
)
def opportunity_move(
    request: AuthenticatedRequest, opportunity_id: Id, payload: MoveIn
) -> TransitionOut | Status[GateRefusedOut]:
    opp = opportunity_for(request.auth, opportunity_id)
    try:
        with service_errors():
            result = services.opportunity_move(
                actor=request.auth,
                opportunity=opp,
                forward=True,
                override=payload.override,
                reason=payload.reason,
            )
    except services.GateRefused as exc:
        return refused(exc)
    return transition_out(result.transition)


@router.post(
    "/opportunities/{opportunity_id}/back",
    response={200: TransitionOut, 409: GateRefusedOut, **errors(403, 404, 422)},
    summary="Move the deal back to an earlier stage, with a reason",
    description=(
        "`to_stage` is an earlier stage of the playbook (id or code); the deal re-enters it at "
        "its first step. The answer is the transition." + GATE_DOC
    ),
)
def opportunity_back(
    request: AuthenticatedRequest, opportunity_id: Id, payload: BackIn
) -> TransitionOut | Status[GateRefusedOut]:
    opp = opportunity_for(request.auth, opportunity_id)
    target = stage_by(payload.to_stage)
    try:
        with service_errors():
            result = services.opportunity_move(
                actor=request.auth,
                opportunity=opp,
                forward=False,
                to_stage=target,
                reason=payload.reason,
            )
    except services.GateRefused as exc:
        return refused(exc)
    return transition_out(result.transition)


@router.get(
    "/opportunities/{opportunity_id}/transitions",
    response={200: list[TransitionOut], **errors(404, 422)},
    summary="Every move of the deal, oldest first (from, to, who, when, override reason)",
)
def transitions(request: AuthenticatedRequest, opportunity_id: Id) -> list[TransitionOut]:
    opp = opportunity_for(request.auth, opportunity_id)
    rows = selectors.transitions(opp)
    missing = selectors.missing_in_my_language(rows)
    return [transition_out(t, missing.get(t.pk, [])) for t in rows]
