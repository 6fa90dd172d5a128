"""The customer's people in a deal over REST: buying roles (role, influence, attitude,
personal motives, organisational goals) and the power map. Personal motives follow the
opportunity's visibility."""

from typing import Any, cast

from django.db.models import QuerySet
from ninja import Router, Status

from keyaccount.contacts.models import Contact
from keyaccount.core.api_errors import errors
from keyaccount.core.lookup import get_or_404
from keyaccount.core.schemas import Id
from keyaccount.org.requests import AuthenticatedRequest

from .. import selectors, services
from ..access import buying_role_for, opportunity_for
from ..models import BuyingRoleEntry, Opportunity
from ..schemas import BuyingRoleIn, BuyingRoleOut, ContactRef, PowerMapOut
from ._convert import maybe_user
from ._errors import service_errors

router = Router()


def buying_role_out(row: BuyingRoleEntry) -> BuyingRoleOut:
    c = row.contact
    return BuyingRoleOut(
        contact=ContactRef(id=c.pk, name=c.name, title=c.title, department=c.department),
        role=cast(Any, row.role),
        role_label=str(row.get_role_display()),
        influence=cast(Any, row.influence),
        influence_label=str(row.get_influence_display()),
        attitude=cast(Any, row.attitude),
        attitude_label=str(row.get_attitude_display()),
        personal_motives=row.personal_motives,
        organisational_goals=row.organisational_goals,
        notes=row.notes,
        updated_by=maybe_user(row.updated_by),
        updated_at=row.updated_at,
    )


def _buying_roles(opp: Opportunity) -> QuerySet[BuyingRoleEntry]:
    return (
        BuyingRoleEntry.objects.filter(opportunity=opp)
        .select_related("contact", "updated_by")
        .order_by("contact__pinyin_sort", "contact_id")
    )


def _contact(opp: Opportunity, contact_id: int) -> Contact:
    """A contact of the deal's customer (any other is a 404: never a hint about it)."""
    return get_or_404(Contact.objects.filter(customer_id=opp.customer_id), pk=contact_id)


@router.get(
    "/opportunities/{opportunity_id}/buying-roles",
    response={200: list[BuyingRoleOut], **errors(404, 422)},
    summary="The customer's people in this deal: buying role, influence, attitude, motives",
)
def buying_role_list(request: AuthenticatedRequest, opportunity_id: Id) -> list[BuyingRoleOut]:
    opp = opportunity_for(request.auth, opportunity_id)
    return [buying_role_out(r) for r in _buying_roles(opp)]


@router.get(
    "/opportunities/{opportunity_id}/buying-roles/{contact_id}",
    response={200: BuyingRoleOut, **errors(404, 422)},
    summary="One contact's part in the deal (404 if they have none)",
)
def buying_role_get(
    request: AuthenticatedRequest, opportunity_id: Id, contact_id: Id
) -> BuyingRoleOut:
    opp = opportunity_for(request.auth, opportunity_id)
    return buying_role_out(get_or_404(_buying_roles(opp), contact_id=contact_id))


@router.put(
    "/opportunities/{opportunity_id}/buying-roles/{contact_id}",
    response={200: BuyingRoleOut, **errors(403, 404, 422)},
    summary="Set a contact's buying role, influence, attitude, motives and goals in the deal",
)
def buying_role_put(
    request: AuthenticatedRequest, opportunity_id: Id, contact_id: Id, payload: BuyingRoleIn
) -> BuyingRoleOut:
    """The contact is one of the deal's customer; the same person may play another role in
    another deal."""
    opp = opportunity_for(request.auth, opportunity_id)
    with service_errors():
        services.buying_role_set(
            actor=request.auth,
            opportunity=opp,
            contact=_contact(opp, contact_id),
            data=payload.model_dump(),
        )
    return buying_role_out(get_or_404(_buying_roles(opp), contact_id=contact_id))


@router.delete(
    "/opportunities/{opportunity_id}/buying-roles/{contact_id}",
    response={204: None, **errors(403, 404, 422)},
    summary="Remove a contact's part in the deal",
)
def buying_role_delete(
    request: AuthenticatedRequest, opportunity_id: Id, contact_id: Id
) -> Status[None]:
    opp = opportunity_for(request.auth, opportunity_id)
    row = buying_role_for(opp, contact_id)
    with service_errors():
        services.buying_role_remove(actor=request.auth, opportunity=opp, contact=row.contact)
    return Status(204, None)


@router.get(
    "/opportunities/{opportunity_id}/power-map",
    response={200: PowerMapOut, **errors(404, 422)},
    summary="The power map: the customer's org chart with each contact's part in the deal",
)
def power_map(request: AuthenticatedRequest, opportunity_id: Id) -> PowerMapOut:
    """Reporting lines from the customer's contacts, as a forest; contacts with a buying role
    in this deal are `involved` and carry role, influence and attitude."""
    opp = opportunity_for(request.auth, opportunity_id)
    return PowerMapOut.model_validate(selectors.power_map(opp))
