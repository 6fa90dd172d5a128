"""Access-matrix entries for the customers and contacts REST API (issue 3).

Not wired in by itself: ``registry.py`` adds them at its end, after its helpers exist::

    from .api_customers import CUSTOMERS_API_ROUTES  # noqa: E402

    ROUTES.extend(CUSTOMERS_API_ROUTES)

Every object is a customer owned by ``kam`` (east team), registered through the services, so it
is visible to ``KAM_CUSTOMER_VIEWERS`` and a 404 for every other role. Who may act on a visible
customer (SPEC §2, ``customers.permissions``): the owner and their managers score and evaluate;
the owner, managers and the department assistant edit the profile and contacts; only managers
grade; only the department head allocates; only the assistant decides registrations; the
administrator may do everything.
"""

from collections.abc import Callable, Iterable, Mapping
from types import SimpleNamespace
from typing import Any

from keyaccount.contacts.models import Contact
from keyaccount.contacts.services import contact_create
from keyaccount.customers import services
from keyaccount.customers.models import Customer, RegistrationRequest
from keyaccount.org.models import User

from ..conftest import Cast
from .registry import SIGNED_IN, Ctx, Expected, Route, api, per_role

KAM_CUSTOMER_VIEWERS = frozenset({"kam", "team_lead", "head", "director", "assistant", "admin"})
SELLERS = frozenset({"kam", "colleague", "north_kam", "team_lead", "account_manager", "outsider"})
SCORERS = frozenset({"kam", "team_lead", "head", "director", "admin"})
GRADERS = frozenset({"team_lead", "head", "director", "admin"})
ALLOCATORS = frozenset({"head", "admin"})
DECIDERS = frozenset({"assistant", "admin"})


def visible(allowed: Iterable[str], yes: Expected = 200) -> dict[str, Expected]:
    """``yes`` for ``allowed``, 403 for the other viewers of kam's customer, 404 for the rest."""
    allowed = set(allowed)
    return {
        role: yes if role in allowed else 403 if role in KAM_CUSTOMER_VIEWERS else 404
        for role in SIGNED_IN
    }


# --- objects --------------------------------------------------------------------------------


def _kam(c: Cast) -> User:
    """kam as the services saw them when the records were made: active even when a test
    (``test_api_auth``'s dead tokens) has deactivated them before the setup runs."""
    kam = User.objects.get(pk=c.kam.pk)
    kam.is_active = True
    return kam


def kam_customer(c: Cast) -> dict[str, Any]:
    """A registered customer of kam with one contact."""
    result = services.registration_request(
        actor=_kam(c), data={"name": "矩阵测试电网有限公司"}, confirm_not_duplicate=True
    )
    assert result.request is not None
    services.registration_decide(actor=c.assistant, request=result.request, approve=True)
    customer = Customer.objects.get(pk=result.request.customer_id)
    contact = contact_create(actor=_kam(c), customer=customer, data={"name": "王总"})
    return {"customer": customer, "contact": contact}


def kam_pending_request(c: Cast) -> dict[str, Any]:
    result = services.registration_request(
        actor=_kam(c), data={"name": "矩阵测试待备案公司"}, confirm_not_duplicate=True
    )
    assert result.request is not None
    return {"request": result.request}


# --- verify helpers -------------------------------------------------------------------------


def api_page_lists(
    ids: Callable[[Cast, SimpleNamespace], Mapping[int, Iterable[str]]],
) -> Callable[[Ctx], None]:
    """On a 200 paginated API list (``{"items": [...]}``), each id is listed exactly for its
    roles."""

    def run(ctx: Ctx) -> None:
        if ctx.response.status_code != 200:
            return
        listed = {item["id"] for item in ctx.response.json()["items"]}
        for pk, viewers in ids(ctx.cast, ctx.o).items():
            should = ctx.role in set(viewers)
            assert (pk in listed) == should, (
                f"{ctx.role}: id {pk} {'missing from' if should else 'leaked into'} {ctx.url}"
            )

    return run


def customer_now(ctx: Ctx) -> Customer:
    return Customer.objects.get(pk=ctx.o.customer.pk)


def done_exactly_when_allowed(changed: Callable[[Ctx], bool]) -> Callable[[Ctx], None]:
    """The write took effect exactly when it was answered with success (the harness has already
    checked the status against the role, and that a denied write changed nothing at all)."""

    def run(ctx: Ctx) -> None:
        succeeded = ctx.response.status_code < 300
        assert changed(ctx) == succeeded, f"{ctx.role}: {ctx.response.status_code}"

    return run


owner_is_colleague = done_exactly_when_allowed(
    lambda ctx: customer_now(ctx).owner_id == ctx.cast.colleague.pk
)
request_approved = done_exactly_when_allowed(
    lambda ctx: RegistrationRequest.objects.get(pk=ctx.o.request.pk).decision == "approved"
)
notes_saved = done_exactly_when_allowed(lambda ctx: customer_now(ctx).notes == "matrix")
graded_b = done_exactly_when_allowed(lambda ctx: customer_now(ctx).grade == "B")
contact_renamed = done_exactly_when_allowed(
    lambda ctx: Contact.objects.get(pk=ctx.o.contact.pk).name == "王董"
)


# --- the routes -----------------------------------------------------------------------------

EVALUATION = {
    "relationship": 3,
    "needs_clarity": 3,
    "competitive_position": 3,
    "solution_fit": 3,
    "payment_ability": 3,
    "summary": "矩阵",
}


def _customer_url(suffix: str = "") -> Callable[[Cast, SimpleNamespace], str]:
    return lambda c, o: f"/api/customers/{o.customer.pk}{suffix}"


CUSTOMERS_API_ROUTES: list[Route] = [
    api(
        "api.customers.list",
        "/api/customers/",
        setup=kam_customer,
        verify=api_page_lists(lambda c, o: {o.customer.pk: KAM_CUSTOMER_VIEWERS}),
    ),
    api(
        "api.customers.registrations",
        "/api/customers/registrations",
        setup=kam_pending_request,
        verify=api_page_lists(lambda c, o: {o.request.pk: KAM_CUSTOMER_VIEWERS}),
    ),
    api(
        "api.customers.registration.create",
        "/api/customers/registrations",
        method="POST",
        body={"name": "矩阵测试新客户有限公司"},
        roles=per_role(SELLERS | {"admin"}, yes=201, no=403),
        note="account managers and KAMs request registrations; the administrator may too",
    ),
    api(
        "api.customers.registration.decide",
        lambda c, o: f"/api/customers/registrations/{o.request.pk}/decision",
        method="POST",
        setup=kam_pending_request,
        body={"approve": True},
        roles=visible(DECIDERS),
        verify=request_approved,
    ),
    api(
        "api.customers.registrations.decide",
        "/api/customers/registrations/decisions",
        method="POST",
        setup=kam_pending_request,
        body=lambda c, o: {"request_ids": [o.request.pk], "approve": True},
        roles=visible(DECIDERS),
        verify=request_approved,
    ),
    api(
        "api.customers.allocate",
        "/api/customers/allocations",
        method="POST",
        setup=kam_customer,
        body=lambda c, o: {
            "customer_ids": [o.customer.pk],
            "new_owner_id": c.colleague.pk,
            "reason": "矩阵",
        },
        roles=visible(ALLOCATORS),
        verify=owner_is_colleague,
    ),
    api(
        "api.customers.detail",
        _customer_url(),
        setup=kam_customer,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
    ),
    api("api.customers.detail.missing", "/api/customers/987654321", signed_in=404),
    api(
        "api.customers.update",
        _customer_url(),
        method="PATCH",
        setup=kam_customer,
        body=lambda c, o: {"version": o.customer.version, "notes": "matrix"},
        roles=per_role(KAM_CUSTOMER_VIEWERS),
        verify=notes_saved,
    ),
    api(
        "api.customers.owner_changes",
        _customer_url("/owner-changes"),
        setup=kam_customer,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
    ),
    api(
        "api.customers.grade_changes",
        _customer_url("/grade-changes"),
        setup=kam_customer,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
    ),
    api(
        "api.customers.scorecard",
        _customer_url("/scorecard"),
        setup=kam_customer,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
    ),
    api(
        "api.customers.scorecard.save",
        _customer_url("/scorecard"),
        method="PUT",
        setup=kam_customer,
        body={"scores": {"reachability": {"score": 3, "justification": "矩阵"}}},
        roles=visible(SCORERS),
    ),
    api(
        "api.customers.grade",
        _customer_url("/grade"),
        method="POST",
        setup=kam_customer,
        body={"grade": "B", "reason": "矩阵"},
        roles=visible(GRADERS, yes=201),
        verify=graded_b,
    ),
    api(
        "api.customers.evaluations",
        _customer_url("/evaluations"),
        setup=kam_customer,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
    ),
    api(
        "api.customers.evaluation.create",
        _customer_url("/evaluations"),
        method="POST",
        setup=kam_customer,
        body=EVALUATION,
        roles=visible(SCORERS, yes=201),
    ),
    api(
        "api.customers.org_chart",
        _customer_url("/org-chart"),
        setup=kam_customer,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
    ),
    api(
        "api.contacts.list",
        lambda c, o: f"/api/contacts/?customer={o.customer.pk}",
        setup=kam_customer,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
    ),
    api(
        "api.contacts.detail",
        lambda c, o: f"/api/contacts/{o.contact.pk}",
        setup=kam_customer,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
    ),
    api(
        "api.contacts.create",
        "/api/contacts/",
        method="POST",
        setup=kam_customer,
        body=lambda c, o: {"customer_id": o.customer.pk, "name": "李工"},
        roles=per_role(KAM_CUSTOMER_VIEWERS, yes=201),
    ),
    api(
        "api.contacts.update",
        lambda c, o: f"/api/contacts/{o.contact.pk}",
        method="PATCH",
        setup=kam_customer,
        body=lambda c, o: {"version": o.contact.version, "name": "王董"},
        roles=per_role(KAM_CUSTOMER_VIEWERS),
        verify=contact_renamed,
    ),
]
