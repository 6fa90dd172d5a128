"""Customer contacts over REST. A contact is visible exactly when its customer is (404
otherwise); writes go through ``contacts.services``; errors are mapped in ``core.api_errors``.
The customer's org chart is ``GET /api/customers/{id}/org-chart``."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from keyaccount.core.api_errors import errors, remap_errors
from keyaccount.core.schemas import Id, RefOut
from keyaccount.customers.access import customer_for
from keyaccount.org.models import User
from keyaccount.org.requests import AuthenticatedRequest

from . import selectors, services
from .access import contact_for
from .models import Contact
from .schemas import (
    ContactFieldsIn,
    ContactIn,
    ContactOut,
    ContactPatch,
    ContactQuery,
    OrgChartNode,
)

router = Router(tags=["contacts"])

_ERROR_NAMES = {"reports_to": "reports_to_id", "customer": "customer_id"}


def _user(request: AuthenticatedRequest) -> User:
    return request.auth


def contact_out(c: Contact) -> ContactOut:
    boss = c.reports_to
    return ContactOut(
        id=c.pk,
        customer_id=c.customer_id,
        name=c.name,
        title=c.title,
        department=c.department,
        mobile=c.mobile,
        phone=c.phone,
        email=c.email,
        wechat=c.wechat,
        reports_to=RefOut(id=boss.pk, name=boss.name) if boss is not None else None,
        notes=c.notes,
        is_active=c.is_active,
        version=c.version,
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def _get_contact(request: AuthenticatedRequest, contact_id: int) -> Contact:
    return contact_for(request.auth, contact_id)


def contact_data(
    request: AuthenticatedRequest, payload: ContactFieldsIn, *, partial: bool
) -> dict[str, Any]:
    """The service's ``data``: ``reports_to_id`` becomes the contact (one the requester can
    see, else a 422 on that field), a ``null`` text becomes empty."""
    sent = payload.model_dump(exclude_unset=partial, exclude={"version", "customer_id"})
    data: dict[str, Any] = {}
    for field, value in sent.items():
        if field == "reports_to_id":
            boss = None
            if value is not None:
                boss = Contact.objects.visible_to(_user(request)).filter(pk=value).first()
                if boss is None:
                    raise ValidationError(
                        {
                            "reports_to_id": [
                                _("There is no such contact (id %(id)s).") % {"id": value}
                            ]
                        }
                    )
            data["reports_to"] = boss
        elif field == "is_active":
            if value is not None:
                data[field] = value
        elif field in services.CONTACT_FIELDS:
            data[field] = value if value is not None else ""
    return data


@router.get(
    "/",
    response={200: list[ContactOut], **errors(404, 422)},
    summary="The contacts of a customer",
)
def contact_list(request: AuthenticatedRequest, query: Query[ContactQuery]) -> list[ContactOut]:
    """`customer` is required; a customer you cannot see is a 404."""
    user = _user(request)
    customer = customer_for(user, query.customer)
    return [contact_out(c) for c in selectors.contacts_for(user=user, customer=customer)]


@router.get(
    "/{contact_id}",
    response={200: ContactOut, **errors(404, 422)},
    summary="One contact",
)
def contact_get(request: AuthenticatedRequest, contact_id: Id) -> ContactOut:
    return contact_out(_get_contact(request, contact_id))


@router.post(
    "/",
    response={201: ContactOut, **errors(403, 404, 422)},
    summary="Add a contact to a customer",
)
def contact_create(request: AuthenticatedRequest, payload: ContactIn) -> Status[ContactOut]:
    """Mainland mobiles are checked and normalised; a reporting line stays inside the
    customer. Who may edit the customer's profile may add contacts (else 403)."""
    user = _user(request)
    customer = customer_for(user, payload.customer_id)
    data = contact_data(request, payload, partial=False)
    try:
        contact = services.contact_create(actor=user, customer=customer, data=data)
    except ValidationError as exc:
        raise remap_errors(exc, _ERROR_NAMES) from exc
    return Status(201, contact_out(_get_contact(request, contact.pk)))


@router.patch(
    "/{contact_id}",
    response={200: ContactOut, **errors(403, 404, 409, 422)},
    summary="Change a contact",
)
def contact_patch(
    request: AuthenticatedRequest, contact_id: Id, payload: ContactPatch
) -> ContactOut:
    """Only the fields sent change. `version` is the one you read: if someone saved since, the
    answer is 409 naming who."""
    contact = _get_contact(request, contact_id)
    data = contact_data(request, payload, partial=True)
    try:
        services.contact_update(
            actor=_user(request), contact=contact, data=data, expected_version=payload.version
        )
    except ValidationError as exc:
        raise remap_errors(exc, _ERROR_NAMES) from exc
    return contact_out(_get_contact(request, contact_id))


#: Routes about one customer's contacts, mounted under ``/api/customers/``.
customer_router = Router(tags=["contacts"])


@customer_router.get(
    "/{customer_id}/org-chart",
    response={200: list[OrgChartNode], **errors(404, 422)},
    summary="The customer's org chart: contacts as a forest of reporting lines",
)
def org_chart(request: AuthenticatedRequest, customer_id: Id) -> list[OrgChartNode]:
    customer = customer_for(_user(request), customer_id)
    contacts = list(selectors.contacts_for(user=_user(request), customer=customer))
    return [OrgChartNode.model_validate(node) for node in selectors.org_chart(contacts)]
