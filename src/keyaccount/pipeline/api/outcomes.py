"""How a deal ends over REST: won (the last gate, with its contract and payment milestones),
lost, abandoned, reopened; and the loss reasons."""

from ninja import Router, Status

from keyaccount.core.api_errors import errors
from keyaccount.core.schemas import Id
from keyaccount.org.requests import AuthenticatedRequest

from .. import selectors, services
from ..access import opportunity_for
from ..models import Competitor, LossReason
from ..schemas import (
    ContractOut,
    GateRefusedOut,
    LoseIn,
    LossReasonOut,
    OpportunityDetail,
    ReasonIn,
    WinIn,
)
from ._convert import contract_out, milestone_input, opportunity_detail
from ._errors import GATE_DOC, no_such, refused, service_errors

router = Router()


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
    request: AuthenticatedRequest, opportunity_id: Id, payload: WinIn
) -> Status[ContractOut] | Status[GateRefusedOut]:
    opp = opportunity_for(request.auth, opportunity_id)
    try:
        with service_errors():
            contract = services.opportunity_win(
                actor=request.auth,
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


@router.post(
    "/opportunities/{opportunity_id}/lose",
    response={200: OpportunityDetail, **errors(403, 404, 422)},
    summary="Record the deal as lost: the reason, who won, the lessons",
)
def opportunity_lose(
    request: AuthenticatedRequest, opportunity_id: Id, payload: LoseIn
) -> OpportunityDetail:
    """`loss_reason` is a code of `GET /pipeline/loss-reasons`; `winner_id` a competitor of
    the catalogue (or `null` when unknown)."""
    user = request.auth
    opp = opportunity_for(user, opportunity_id)
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
    return opportunity_detail(opportunity_for(user, opportunity_id), user)


@router.post(
    "/opportunities/{opportunity_id}/abandon",
    response={200: OpportunityDetail, **errors(403, 404, 422)},
    summary="Abandon the deal (放弃), with a reason",
)
def opportunity_abandon(
    request: AuthenticatedRequest, opportunity_id: Id, payload: ReasonIn
) -> OpportunityDetail:
    user = request.auth
    with service_errors():
        services.opportunity_abandon(
            actor=user, opportunity=opportunity_for(user, opportunity_id), reason=payload.reason
        )
    return opportunity_detail(opportunity_for(user, opportunity_id), user)


@router.post(
    "/opportunities/{opportunity_id}/reopen",
    response={200: OpportunityDetail, **errors(403, 404, 422)},
    summary="Reopen a lost or abandoned deal, with a reason",
)
def opportunity_reopen(
    request: AuthenticatedRequest, opportunity_id: Id, payload: ReasonIn
) -> OpportunityDetail:
    """The deal comes back in the stage it left. A won deal is not reopened (422)."""
    user = request.auth
    with service_errors():
        services.opportunity_reopen(
            actor=user, opportunity=opportunity_for(user, opportunity_id), reason=payload.reason
        )
    return opportunity_detail(opportunity_for(user, opportunity_id), user)


# --- catalogues -----------------------------------------------------------------------------


@router.get(
    "/loss-reasons",
    response={200: list[LossReasonOut], **errors(422)},
    summary="Why deals are lost: the list kept in the back office",
)
def loss_reasons(request: AuthenticatedRequest) -> list[LossReasonOut]:
    return [
        LossReasonOut(id=r.pk, code=r.code, name=r.name)
        for r in LossReason.objects.filter(is_active=True)
    ]
