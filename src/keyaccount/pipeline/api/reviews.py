"""Gate overrides over REST: what a sales director passed without its criteria, and the
department head's review of it."""

from ninja import Query, Router

from keyaccount.core.api_errors import errors
from keyaccount.core.schemas import Id, RefOut
from keyaccount.org.requests import AuthenticatedRequest

from .. import permissions, selectors, services
from ..access import override_for
from ..models import StageTransition
from ..schemas.reviews import OverrideOut, OverridePage, OverrideQuery, ReviewIn
from ._convert import maybe_user, transition_out, user_ref
from ._errors import service_errors

router = Router()


def override_out(
    t: StageTransition, missing: list[str], caps: permissions.Capabilities
) -> OverrideOut:
    opp = t.opportunity
    return OverrideOut(
        transition=transition_out(t, missing),
        opportunity=RefOut(id=opp.pk, name=opp.name),
        customer=RefOut(id=opp.customer_id, name=opp.customer.name),
        owner=user_ref(opp.owner),
        reviewed_by=maybe_user(t.reviewed_by),
        reviewed_at=t.reviewed_at,
        review_note=t.review_note,
        may_review=t.reviewed_at is None
        and permissions.can_review_overrides(caps, owner_unit_id=opp.owner.unit_id),
    )


@router.get(
    "/overrides",
    response={200: OverridePage, **errors(422)},
    summary="Gates a sales director overrode, awaiting review or reviewed",
)
def override_list(request: AuthenticatedRequest, query: Query[OverrideQuery]) -> OverridePage:
    qs = selectors.overrides(user=request.auth, status=query.status)
    offset, limit = query.window()
    rows = list(qs[offset : offset + limit])
    missing = selectors.missing_in_my_language(rows)
    caps = permissions.capabilities_for(request.auth)
    return OverridePage(
        count=qs.count(),
        awaiting=selectors.overrides(user=request.auth, status="awaiting").count(),
        items=[override_out(t, missing.get(t.pk, []), caps) for t in rows],
    )


@router.post(
    "/overrides/{transition_id}/review",
    response={200: OverrideOut, **errors(403, 404, 422)},
    summary="Mark a gate override reviewed (the KA department head), with a note",
)
def override_review(
    request: AuthenticatedRequest, transition_id: Id, payload: ReviewIn
) -> OverrideOut:
    """Reviewing twice is a 422 naming who reviewed it; someone else than the department head
    covering the deal's owner gets a 403."""
    with service_errors():
        row = services.override_review(
            actor=request.auth,
            transition=override_for(request.auth, transition_id),
            note=payload.note,
        )
    row = override_for(request.auth, row.pk)
    missing = selectors.missing_in_my_language([row])
    return override_out(row, missing.get(row.pk, []), permissions.capabilities_for(request.auth))
