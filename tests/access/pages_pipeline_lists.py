"""Access-matrix entries for the pipeline's lists and the editing of opportunities (URL
namespace ``pipeline``: the list, the board, the major-project list, their exports, creating,
editing and handing a deal over) and the customer page's opportunities tab.

Wired in by ``registry.py`` (``PIPELINE_LIST_ROUTES``). The objects are two opportunities on
``kam``'s registered customer (``api_customers.kam_customer``), made through the services: one
with the consultant on its team (``deal``), one without (``other_deal``). Who gets what (SPEC §2,
``pipeline.permissions``):

- an opportunity is seen by its owner, the managers of the owner's unit (team_lead, head and
  director), the department-wide roles (head, director, assistant), the administrator and its
  team: the consultant sees the deal they are on and not the other one; everyone else (the
  colleague and account manager of the same team, the north KAM, the outsider) gets 404;
- the lists, the board and the exports answer 200 to everyone signed in and hold only what the
  role sees;
- the owner and their managers run the deal (edit it); the consultant on it and the assistant
  see it but get 403; the owner's managers hand it over (kam gets 403 for their own deal);
- a deal is opened on a customer by its owner or the owner's managers: the assistant, who sees
  kam's customer, gets 403; whoever cannot see the customer gets 404. The blank create form
  answers 403 to the roles that open no deal at all (consultant, assistant).

Observed and recorded here: a form re-shown with its errors answers 400; an edit against a stale
version answers 409 (the form again, naming who saved in between) and changes nothing; the
POST-only hand-over answers 405 to a GET before it looks the deal up.
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from keyaccount.pipeline import services
from keyaccount.pipeline.models import Opportunity

from ..conftest import Cast
from .api_customers import KAM_CUSTOMER_VIEWERS, _kam, kam_customer
from .pages_customers import download_shows, effect
from .registry import SIGNED_IN, Ctx, Expected, Route, page, page_shows, per_role

DEAL = "矩阵测试调度项目"  # the consultant is on its team
OTHER_DEAL = "矩阵测试运维项目"  # the consultant is not
NEW_DEAL = "矩阵测试新项目"

#: Who sees kam's deals without being on their team.
DEAL_VIEWERS = frozenset({"kam", "team_lead", "head", "director", "assistant", "admin"})
TEAM_DEAL_VIEWERS = DEAL_VIEWERS | {"consultant"}
#: Who runs kam's deals: the owner and the managers of the east team.
RUNNERS = frozenset({"kam", "team_lead", "head", "director", "admin"})
REASSIGNERS = RUNNERS - {"kam"}
#: Who opens deals on kam's customer, and who opens deals at all.
OPENERS = RUNNERS
MAY_OPEN_DEALS = frozenset(SIGNED_IN) - {"consultant", "assistant"}


def on_deal(allowed: frozenset[str], yes: Expected = 200) -> dict[str, Expected]:
    """``yes`` for ``allowed``, 403 for the others who see the team deal, 404 for the rest."""
    return {
        role: yes if role in allowed else 403 if role in TEAM_DEAL_VIEWERS else 404
        for role in SIGNED_IN
    }


def on_customer(allowed: frozenset[str], yes: Expected = 200) -> dict[str, Expected]:
    """``yes`` for ``allowed``, 403 for the others who see kam's customer, 404 for the rest."""
    return {
        role: yes if role in allowed else 403 if role in KAM_CUSTOMER_VIEWERS else 404
        for role in SIGNED_IN
    }


# --- objects --------------------------------------------------------------------------------


def kam_deals(c: Cast) -> dict[str, Any]:
    """Two deals of kam above the major-project amount; the consultant is on the first."""
    made = kam_customer(c)
    signing = timezone.localdate() + timedelta(days=90)
    deals = [
        services.opportunity_create(
            actor=_kam(c),
            customer=made["customer"],
            data={"name": name, "amount": Decimal("6000000"), "expected_signing": signing},
        )
        for name in (DEAL, OTHER_DEAL)
    ]
    services.member_add(actor=_kam(c), opportunity=deals[0], user=c.consultant, role="consultant")
    return {**made, "deal": deals[0], "other_deal": deals[1]}


def kam_deal_edited_since(c: Cast) -> dict[str, Any]:
    """``kam_deals`` whose deal the team lead saved after it was opened at version 1."""
    made = kam_deals(c)
    services.opportunity_update(
        actor=c.team_lead, opportunity=made["deal"], data={"products": "主站"}, expected_version=1
    )
    return made


# --- verify helpers -------------------------------------------------------------------------


def deal_now(ctx: Ctx) -> Opportunity:
    return Opportunity.objects.get(pk=ctx.o.deal.pk)


def deal_url(suffix: str = "") -> Callable[[Cast, SimpleNamespace], str]:
    return lambda c, o: f"/pipeline/{o.deal.pk}/{suffix}"


def deals_texts(c: Cast, o: SimpleNamespace) -> dict[str, frozenset[str]]:
    return {DEAL: TEAM_DEAL_VIEWERS, OTHER_DEAL: DEAL_VIEWERS}


deals_shown = page_shows(deals_texts)
deals_downloaded = download_shows(deals_texts)

created = effect(
    lambda ctx: Opportunity.objects.filter(name=NEW_DEAL, customer=ctx.o.customer).exists(),
    lambda ctx: f"/pipeline/{Opportunity.objects.get(name=NEW_DEAL).pk}/",
)
edited = effect(
    lambda ctx: deal_now(ctx).name == "矩阵改名", lambda ctx: f"/pipeline/{ctx.o.deal.pk}/"
)
handed_over = effect(
    lambda ctx: deal_now(ctx).owner_id == ctx.cast.colleague.pk,
    lambda ctx: f"/pipeline/{ctx.o.deal.pk}/",
)


# --- bodies ---------------------------------------------------------------------------------


def create_body(c: Cast, o: SimpleNamespace) -> dict[str, Any]:
    return {
        "customer": o.customer.pk,
        "name": NEW_DEAL,
        "amount": "80万",
        "currency": "CNY",
        "expected_signing": (timezone.localdate() + timedelta(days=60)).isoformat(),
    }


def edit_body(c: Cast, o: SimpleNamespace, **changes: Any) -> dict[str, Any]:
    deal = o.deal
    return {
        "name": "矩阵改名",
        "amount": str(deal.amount),
        "currency": deal.currency,
        "expected_signing": deal.expected_signing.isoformat(),
        "version": 1,
        **changes,
    }


def reassign_body(c: Cast, o: SimpleNamespace) -> dict[str, Any]:
    """To colleague: sells, in the east team every reassigner manages."""
    return {"owner": c.colleague.pk, "reason": "矩阵"}


# --- the routes -----------------------------------------------------------------------------

PIPELINE_LIST_ROUTES: list[Route] = [
    # the lists and the board: everyone, showing only what they see
    page("pipeline.list", "/pipeline/", setup=kam_deals, verify=deals_shown),
    page("pipeline.board", "/pipeline/board/", setup=kam_deals, verify=deals_shown),
    page("pipeline.major", "/pipeline/major/", setup=kam_deals, verify=deals_shown),
    page("pipeline.export", "/pipeline/export.xlsx", setup=kam_deals, verify=deals_downloaded),
    page(
        "pipeline.major_export",
        "/pipeline/major/export.xlsx",
        setup=kam_deals,
        verify=deals_downloaded,
    ),
    # the customer page's opportunities tab follows the customer's visibility
    page(
        "customers.detail.opportunities",
        lambda c, o: f"/customers/{o.customer.pk}/?tab=opportunities",
        setup=kam_deals,
        roles=per_role(KAM_CUSTOMER_VIEWERS),
        verify=page_shows(deals_texts),
    ),
    # opening a deal
    page("pipeline.create.form", "/pipeline/new/", roles=per_role(MAY_OPEN_DEALS, no=403)),
    page(
        "pipeline.create.form.customer",
        lambda c, o: f"/pipeline/new/?customer={o.customer.pk}",
        setup=kam_customer,
        roles=on_customer(OPENERS),
    ),
    page(
        "pipeline.create",
        "/pipeline/new/",
        method="POST",
        setup=kam_customer,
        body=create_body,
        roles=on_customer(OPENERS, yes=302),
        verify=created,
    ),
    page(
        "pipeline.create.invalid",
        "/pipeline/new/",
        method="POST",
        setup=kam_customer,
        body=lambda c, o: {**create_body(c, o), "amount": "很多"},
        roles=on_customer(OPENERS, yes=400),
        note="the form re-shown with its errors",
    ),
    page(
        "pipeline.create.missing_customer",
        "/pipeline/new/",
        method="POST",
        body={"customer": "987654321", "name": NEW_DEAL},
        signed_in=404,
    ),
    # editing
    page("pipeline.edit.form", deal_url("edit/"), setup=kam_deals, roles=on_deal(RUNNERS)),
    page(
        "pipeline.edit",
        deal_url("edit/"),
        method="POST",
        setup=kam_deals,
        body=edit_body,
        roles=on_deal(RUNNERS, yes=302),
        verify=edited,
    ),
    page(
        "pipeline.edit.invalid",
        deal_url("edit/"),
        method="POST",
        setup=kam_deals,
        body=lambda c, o: edit_body(c, o, probability_override="70"),
        roles=on_deal(RUNNERS, yes=400),
        note="a probability override needs a reason",
    ),
    page(
        "pipeline.edit.stale",
        deal_url("edit/"),
        method="POST",
        setup=kam_deal_edited_since,
        body=edit_body,
        roles=on_deal(RUNNERS, yes=409),
        note="the team lead saved after the form was opened: refused, naming them",
    ),
    page("pipeline.edit.missing", "/pipeline/987654321/edit/", signed_in=404),
    # handing the deal over
    page(
        "pipeline.reassign",
        deal_url("reassign/"),
        method="POST",
        setup=kam_deals,
        body=reassign_body,
        roles=on_deal(REASSIGNERS, yes=302),
        verify=handed_over,
    ),
    page(
        "pipeline.reassign.invalid",
        deal_url("reassign/"),
        method="POST",
        setup=kam_deals,
        body=lambda c, o: {**reassign_body(c, o), "reason": " "},
        roles=on_deal(REASSIGNERS, yes=400),
        note="a hand-over needs a reason",
    ),
    page("pipeline.reassign.get", "/pipeline/987654321/reassign/", signed_in=405),
]
