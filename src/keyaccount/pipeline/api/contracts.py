"""A won deal's contract over REST, and its payment milestones: adding one, recording its
acceptance, invoicing and collection, deleting one."""

from ninja import Router, Status

from keyaccount.core.api_errors import errors
from keyaccount.core.schemas import Id
from keyaccount.org.requests import AuthenticatedRequest

from .. import services
from ..access import contract_for, milestone_for, opportunity_for
from ..schemas import ContractOut, MilestoneIn, MilestoneOut, MilestonePatch
from ._convert import contract_out, milestone_input, milestone_out
from ._errors import service_errors

router = Router()


@router.get(
    "/opportunities/{opportunity_id}/contract",
    response={200: ContractOut, **errors(404, 422)},
    summary="The signed contract of a won deal, with its payment milestones",
)
def contract_get(request: AuthenticatedRequest, opportunity_id: Id) -> ContractOut:
    """404 while the deal has no contract."""
    return contract_out(contract_for(opportunity_for(request.auth, opportunity_id)))


@router.post(
    "/opportunities/{opportunity_id}/milestones",
    response={201: MilestoneOut, **errors(403, 404, 422)},
    summary="Add a payment milestone to the deal's contract",
)
def milestone_create(
    request: AuthenticatedRequest, opportunity_id: Id, payload: MilestoneIn
) -> Status[MilestoneOut]:
    """An amount or a percentage of the contract; all milestones together may not exceed the
    signed amount. 404 while the deal has no contract."""
    contract = contract_for(opportunity_for(request.auth, opportunity_id))
    with service_errors():
        made = services.milestone_add(
            actor=request.auth, contract=contract, data=milestone_input(payload)
        )
    return Status(201, milestone_out(made))


@router.patch(
    "/milestones/{milestone_id}",
    response={200: MilestoneOut, **errors(403, 404, 409, 422)},
    summary="Record a milestone's acceptance, invoicing and collection",
)
def milestone_patch(
    request: AuthenticatedRequest, milestone_id: Id, payload: MilestonePatch
) -> MilestoneOut:
    """Only the fields sent change (`null` clears a date or amount). Dates are never in the
    future; a collected amount needs its date and never exceeds the milestone. `version` is
    the one you read (409 if someone saved since)."""
    milestone = milestone_for(request.auth, milestone_id)
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "name" in data and data["name"] is None:
        data["name"] = ""
    with service_errors():
        services.milestone_update(
            actor=request.auth, milestone=milestone, data=data, expected_version=payload.version
        )
    return milestone_out(milestone_for(request.auth, milestone_id))


@router.delete(
    "/milestones/{milestone_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Delete a payment milestone (never an invoiced or collected one)",
)
def milestone_delete(request: AuthenticatedRequest, milestone_id: Id) -> Status[None]:
    with service_errors():
        services.milestone_delete(
            actor=request.auth, milestone=milestone_for(request.auth, milestone_id)
        )
    return Status(204, None)
