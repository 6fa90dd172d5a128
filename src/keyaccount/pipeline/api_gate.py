"""The stage-gate process over REST: the gate of an opportunity (checklist, forms, elements,
what is missing), checking criteria off, moving forward (the gate, or a director's override)
and back, the transitions, the outcomes (won with its contract and payment milestones, lost,
abandoned, reopened).

The gate is decided by ``pipeline.services`` (``rules.decide_move``/``decide_win`` on
``gate.gate_input``), never here: a refused move answers 409 with ``GateRefusedOut``, whose
``missing`` lists what is missing, one sentence each, exactly the sentences ``GET …/gate``
shows. Mounted on ``/api/pipeline/`` with ``pipeline.api``.
"""

from typing import Any, cast

from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from keyaccount.core.api_errors import errors
from keyaccount.core.lookup import get_or_404
from keyaccount.process.models import ExitCriterion, Stage, Step

from . import gate, rules, selectors, services
from .api import (
    deal,
    id_in_text,
    maybe_user,
    no_such,
    opportunity_detail,
    permissions_out,
    service_errors,
    stage_ref,
    step_ref,
    user_ref,
)
from .models import (
    Competitor,
    Contract,
    CriterionCheck,
    LossReason,
    Opportunity,
    PaymentMilestone,
    StageTransition,
)
from .schemas import (
    BackIn,
    CheckIn,
    ChecklistItem,
    CheckOut,
    ContractOut,
    GateElement,
    GateForm,
    GateOut,
    GateRefusedOut,
    LoseIn,
    LossReasonOut,
    MilestoneIn,
    MilestoneOut,
    MilestonePatch,
    MoveIn,
    OpportunityDetail,
    ReasonIn,
    TransitionOut,
    WinIn,
)

router = Router(tags=["pipeline"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def refused(exc: services.GateRefused) -> Status[GateRefusedOut]:
    """409 with the gate's list of what is missing."""
    detail = _("The gate refuses this move: %(missing)s") % {"missing": " ".join(exc.problems)}
    return Status(409, GateRefusedOut(detail=detail, missing=exc.problems))


def transition_out(t: StageTransition) -> TransitionOut:
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
        missing=[str(m.get("text", "")) for m in t.missing or [] if isinstance(m, dict)],
    )


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


def gate_out(opp: Opportunity, user: Any) -> GateOut:
    """What the gate sees (``gate.gate_input``) and what it says is missing
    (``rules.missing_to_leave``), with who checked each criterion, when and why."""
    state = gate.gate_input(opp)
    steps = list(Step.objects.filter(stage_id=opp.stage_id).order_by("order"))
    step_codes = {s.pk: s.code for s in steps}
    checks = gate.criterion_checks(opp)
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
                criterion_id=c.id,
                text=c.text,
                mandatory=c.mandatory,
                step=step_codes.get(c.step_id) if c.step_id is not None else None,
                checked=c.checked,
                checked_by=maybe_user(checks[c.id].checked_by) if c.id in checks else None,
                checked_at=checks[c.id].checked_at if c.id in checks else None,
                note=checks[c.id].note if c.id in checks else "",
            )
            for c in state.criteria
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
def gate_get(request: HttpRequest, opportunity_id: int) -> GateOut:
    """`missing_to_leave_step` is what keeps the deal in its current step,
    `missing_to_leave_stage` what keeps it in the stage (the sentences a refused move lists)."""
    return gate_out(deal(request, opportunity_id), _user(request))


def _criterion(criterion_id: int) -> ExitCriterion:
    return get_or_404(ExitCriterion.objects.all(), pk=criterion_id)


@router.put(
    "/opportunities/{opportunity_id}/checks/{criterion_id}",
    response={200: CheckOut, **errors(403, 404, 422)},
    summary="Check an exit criterion off (who and when are kept), with an optional note",
)
def check_put(
    request: HttpRequest, opportunity_id: int, criterion_id: int, payload: CheckIn
) -> CheckOut:
    """The deal team and the owner's managers check criteria of the deal's current stage
    (a criterion of another stage is a 422). Checking again replaces the note."""
    with service_errors():
        checked = services.criterion_set(
            actor=_user(request),
            opportunity=deal(request, opportunity_id),
            criterion=_criterion(criterion_id),
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
def check_delete(request: HttpRequest, opportunity_id: int, criterion_id: int) -> Status[None]:
    with service_errors():
        services.criterion_set(
            actor=_user(request),
            opportunity=deal(request, opportunity_id),
            criterion=_criterion(criterion_id),
            checked=False,
        )
    return Status(204, None)


# --- moving through the gates ---------------------------------------------------------------

GATE_DOC = (
    " A move the gate refuses answers **409** with `missing`, the list of what is missing "
    "(one sentence each), and changes nothing. 403: you may not move this deal (only its "
    "owner and their managers do)."
)


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
    request: HttpRequest, opportunity_id: int, payload: MoveIn
) -> TransitionOut | Status[GateRefusedOut]:
    opp = deal(request, opportunity_id)
    try:
        with service_errors():
            result = services.opportunity_move(
                actor=_user(request),
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
    request: HttpRequest, opportunity_id: int, payload: BackIn
) -> TransitionOut | Status[GateRefusedOut]:
    opp = deal(request, opportunity_id)
    target = stage_by(payload.to_stage)
    try:
        with service_errors():
            result = services.opportunity_move(
                actor=_user(request),
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
def transitions(request: HttpRequest, opportunity_id: int) -> list[TransitionOut]:
    return [transition_out(t) for t in selectors.transitions(deal(request, opportunity_id))]


# --- outcomes -------------------------------------------------------------------------------


@router.post(
    "/opportunities/{opportunity_id}/win",
    response={201: ContractOut, 409: GateRefusedOut, **errors(403, 404, 422)},
    summary="The contract is signed: record the deal as won, with its payment milestones",
    description=(
        "Winning is the last gate: from the negotiation stage, with that stage done (or a "
        "sales director's `override` with a `reason`). The deal enters implementation; each "
        "milestone has an amount or a percentage of the signed amount, and together they may "
        "not exceed it. Bad contract data is a 422 naming the field (`milestones[2]` for the "
        "second milestone). The answer is the contract." + GATE_DOC
    ),
)
def opportunity_win(
    request: HttpRequest, opportunity_id: int, payload: WinIn
) -> Status[ContractOut] | Status[GateRefusedOut]:
    opp = deal(request, opportunity_id)
    try:
        with service_errors():
            contract = services.opportunity_win(
                actor=_user(request),
                opportunity=opp,
                contract_number=payload.contract_number,
                signed_amount=payload.signed_amount,
                signed_on=payload.signed_on,
                milestones=[milestone_input(m) for m in payload.milestones],
                override=payload.override,
                reason=payload.reason,
            )
    except services.GateRefused as exc:
        return refused(exc)
    return Status(201, contract_out(selectors.contract_of(opp) or contract))


def milestone_input(m: MilestoneIn) -> services.MilestoneInput:
    return services.MilestoneInput(
        name=m.name, due_on=m.due_on, amount=m.amount, percentage=m.percentage
    )


@router.post(
    "/opportunities/{opportunity_id}/lose",
    response={200: OpportunityDetail, **errors(403, 404, 422)},
    summary="Record the deal as lost: the reason, who won, the lessons",
)
def opportunity_lose(
    request: HttpRequest, opportunity_id: int, payload: LoseIn
) -> OpportunityDetail:
    """`loss_reason` is a code of `GET /pipeline/loss-reasons`; `winner_id` a competitor of
    the catalogue (or `null` when unknown)."""
    user = _user(request)
    opp = deal(request, opportunity_id)
    reason = LossReason.objects.filter(code=payload.loss_reason, is_active=True).first()
    if reason is None:
        raise no_such("loss_reason", payload.loss_reason)
    winner = None
    if payload.winner_id is not None:
        winner = Competitor.objects.filter(pk=payload.winner_id).first()
        if winner is None:
            raise no_such("winner_id", payload.winner_id)
    with service_errors():
        services.opportunity_lose(
            actor=user, opportunity=opp, loss_reason=reason, winner=winner, lessons=payload.lessons
        )
    return opportunity_detail(deal(request, opportunity_id), user)


@router.post(
    "/opportunities/{opportunity_id}/abandon",
    response={200: OpportunityDetail, **errors(403, 404, 422)},
    summary="Abandon the deal (放弃), with a reason",
)
def opportunity_abandon(
    request: HttpRequest, opportunity_id: int, payload: ReasonIn
) -> OpportunityDetail:
    user = _user(request)
    with service_errors():
        services.opportunity_abandon(
            actor=user, opportunity=deal(request, opportunity_id), reason=payload.reason
        )
    return opportunity_detail(deal(request, opportunity_id), user)


@router.post(
    "/opportunities/{opportunity_id}/reopen",
    response={200: OpportunityDetail, **errors(403, 404, 422)},
    summary="Reopen a lost or abandoned deal, with a reason",
)
def opportunity_reopen(
    request: HttpRequest, opportunity_id: int, payload: ReasonIn
) -> OpportunityDetail:
    """The deal comes back in the stage it left. A won deal is not reopened (422)."""
    user = _user(request)
    with service_errors():
        services.opportunity_reopen(
            actor=user, opportunity=deal(request, opportunity_id), reason=payload.reason
        )
    return opportunity_detail(deal(request, opportunity_id), user)


# --- contract and payment milestones --------------------------------------------------------


@router.get(
    "/opportunities/{opportunity_id}/contract",
    response={200: ContractOut, **errors(404, 422)},
    summary="The signed contract of a won deal, with its payment milestones",
)
def contract_get(request: HttpRequest, opportunity_id: int) -> ContractOut:
    """404 while the deal has no contract."""
    contract = selectors.contract_of(deal(request, opportunity_id))
    if contract is None:
        raise Http404
    return contract_out(contract)


@router.post(
    "/opportunities/{opportunity_id}/milestones",
    response={201: MilestoneOut, **errors(403, 404, 422)},
    summary="Add a payment milestone to the deal's contract",
)
def milestone_create(
    request: HttpRequest, opportunity_id: int, payload: MilestoneIn
) -> Status[MilestoneOut]:
    """An amount or a percentage of the contract; all milestones together may not exceed the
    signed amount. 404 while the deal has no contract."""
    contract = selectors.contract_of(deal(request, opportunity_id))
    if contract is None:
        raise Http404
    with service_errors():
        made = services.milestone_add(
            actor=_user(request), contract=contract, data=milestone_input(payload)
        )
    return Status(201, milestone_out(made))


def _milestone(request: HttpRequest, milestone_id: int) -> PaymentMilestone:
    visible = selectors.visible(_user(request)).values("pk")
    milestones = PaymentMilestone.objects.filter(contract__opportunity__in=visible)
    return get_or_404(milestones.select_related("contract__opportunity__owner"), pk=milestone_id)


@router.patch(
    "/milestones/{milestone_id}",
    response={200: MilestoneOut, **errors(403, 404, 409, 422)},
    summary="Record a milestone's acceptance, invoicing and collection",
)
def milestone_patch(
    request: HttpRequest, milestone_id: int, payload: MilestonePatch
) -> MilestoneOut:
    """Only the fields sent change (`null` clears a date or amount). Dates are never in the
    future; a collected amount needs its date and never exceeds the milestone. `version` is
    the one you read (409 if someone saved since)."""
    milestone = _milestone(request, milestone_id)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "name" in data and data["name"] is None:
        data["name"] = ""
    with service_errors():
        services.milestone_update(
            actor=_user(request), milestone=milestone, data=data, expected_version=payload.version
        )
    return milestone_out(_milestone(request, milestone_id))


@router.delete(
    "/milestones/{milestone_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Delete a payment milestone (never an invoiced or collected one)",
)
def milestone_delete(request: HttpRequest, milestone_id: int) -> Status[None]:
    with service_errors():
        services.milestone_delete(actor=_user(request), milestone=_milestone(request, milestone_id))
    return Status(204, None)


# --- catalogues -----------------------------------------------------------------------------


@router.get(
    "/loss-reasons",
    response={200: list[LossReasonOut], **errors(422)},
    summary="Why deals are lost: the list kept in the back office",
)
def loss_reasons(request: HttpRequest) -> list[LossReasonOut]:
    return [
        LossReasonOut(id=r.pk, code=r.code, name=r.name)
        for r in LossReason.objects.filter(is_active=True)
    ]
