"""Access-matrix entries for the power map and buying roles, the risk assessment form with the
sales director's decision, and the printable / Excel forms (``pipeline`` namespace, the routes
of ``views_forms``).

Not wired in by itself: ``registry.py`` adds them at its end, after its helpers exist.

Every object hangs on one opportunity of ``kam`` (east team) on kam's registered customer, with
the east consultant on its team (``kam_deal``). Who gets what (SPEC §2, ``pipeline.permissions``):

- the opportunity, its power map (with the personal motives), its assessments and its forms are
  seen by ``DEAL_VIEWERS``: the owner, the managers of the owner's unit (team lead, head,
  director), the department-wide roles (assistant), the administrator, and the consultant on
  the team; every other role gets 404 for every route, pages and downloads alike;
- buying roles and risk assessments are written by ``DEAL_WORKERS`` (the owner, their managers,
  the team; the administrator); the assistant sees the deal but does not edit it (403);
- a high-risk assessment is decided by ``DECIDERS``: a sales director covering the owner's unit
  and the administrator; every other viewer gets 403.

An allowed write answers 302 to a page whose id the entry cannot know when it is declared, so
those entries expect a plain ``302`` and their ``verify`` (``effect``) checks the exact
``Location`` and the work done; a denied write must change nothing (the harness's snapshot).
A form re-shown with its errors answers 400 (the ``*.invalid`` entries). The POST-only routes
answer 405 to a GET from anyone signed in, before the record is looked up.
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from keyaccount.contacts.services import contact_create
from keyaccount.customers import services as customer_services
from keyaccount.pipeline import rules, services
from keyaccount.pipeline.models import BuyingRoleEntry, Opportunity, RiskAssessment, RiskFactor

from ..conftest import Cast
from .api_customers import KAM_CUSTOMER_VIEWERS, _kam, kam_customer
from .pages_customers import download_shows, effect
from .registry import SIGNED_IN, Ctx, Expected, Route, page, page_shows, per_role

DEAL_VIEWERS = KAM_CUSTOMER_VIEWERS | {"consultant"}
DEAL_WORKERS = frozenset({"kam", "team_lead", "head", "director", "admin", "consultant"})
DECIDERS = frozenset({"director", "admin"})

DEAL_NAME = "矩阵调度自动化项目"
MOTIVES = "矩阵个人动机"  # sensitive: only behind the deal's visibility
PROGRESS = "矩阵跟进进展"


def on_deal(allowed: frozenset[str], yes: Expected = 200) -> dict[str, Expected]:
    """``yes`` for ``allowed``, 403 for the deal's other viewers, 404 for the rest."""
    return {
        role: yes if role in allowed else 403 if role in DEAL_VIEWERS else 404 for role in SIGNED_IN
    }


# --- objects --------------------------------------------------------------------------------


def kam_deal(c: Cast) -> dict[str, Any]:
    """kam's opportunity on kam's customer, the consultant on the team, the customer's contact
    王总 (a decision maker with personal motives) and 李工 (not involved yet), and a follow-up
    entry."""
    made = kam_customer(c)
    kam = _kam(c)
    opp = services.opportunity_create(
        actor=kam,
        customer=made["customer"],
        data={
            "name": DEAL_NAME,
            "amount": Decimal("1200000.00"),
            "expected_signing": timezone.localdate() + timedelta(days=120),
        },
    )
    services.member_add(
        actor=kam, opportunity=opp, user=c.consultant, role=rules.TeamRole.CONSULTANT
    )
    services.buying_role_set(
        actor=kam,
        opportunity=opp,
        contact=made["contact"],
        data={
            "role": rules.BuyingRole.DECISION_MAKER,
            "influence": rules.Influence.HIGH,
            "attitude": rules.Attitude.SUPPORTER,
            "personal_motives": MOTIVES,
        },
    )
    other = contact_create(
        actor=kam, customer=made["customer"], data={"name": "李工", "reports_to": made["contact"]}
    )
    services.follow_up_add(actor=kam, opportunity=opp, on=timezone.localdate(), progress=PROGRESS)
    return {**made, "opp": opp, "other": other}


def north_contact(c: Cast) -> dict[str, Any]:
    """A contact of north_kam's customer: not one of the deal's customer's contacts."""
    result = customer_services.registration_request(
        actor=c.north_kam, data={"name": "矩阵北方电网有限公司"}, confirm_not_duplicate=True
    )
    assert result.request is not None
    customer_services.registration_decide(actor=c.assistant, request=result.request, approve=True)
    customer = result.request.customer
    return {"stranger": contact_create(actor=c.north_kam, customer=customer, data={"name": "赵总"})}


def _scores(value: int) -> dict[str, services.ScoreInput]:
    codes = RiskFactor.objects.filter(is_active=True).values_list("code", flat=True)
    return {code: services.ScoreInput(value, "矩阵") for code in codes}


def kam_deal_high_risk(c: Cast) -> dict[str, Any]:
    """``kam_deal`` with a high-risk assessment awaiting a sales director's decision."""
    made = kam_deal(c)
    assessment = services.risk_assess(
        actor=_kam(c),
        opportunity=made["opp"],
        assessed_on=timezone.localdate(),
        scores=_scores(5),
    )
    return {**made, "assessment": assessment}


# --- urls, bodies, effects ------------------------------------------------------------------


def _deal_url(suffix: str) -> Callable[[Cast, SimpleNamespace], str]:
    return lambda c, o: f"/pipeline/{o.opp.pk}/{suffix}"


def _risk_url(suffix: str = "") -> Callable[[Cast, SimpleNamespace], str]:
    return lambda c, o: f"/pipeline/risk/{o.assessment.pk}/{suffix}"


def role_body(c: Cast, o: SimpleNamespace) -> dict[str, Any]:
    return {
        "contact": o.other.pk,
        "role": rules.BuyingRole.TECHNICAL_EVALUATOR,
        "influence": rules.Influence.MEDIUM,
        "attitude": rules.Attitude.OPPONENT,
        "personal_motives": "矩阵",
    }


def risk_body(c: Cast, o: SimpleNamespace) -> dict[str, Any]:
    body = {"assessed_on": timezone.localdate().isoformat(), "summary": "矩阵评估"}
    for code in RiskFactor.objects.filter(is_active=True).values_list("code", flat=True):
        body[f"score_{code}"] = "1"
    return body


def _power_map(ctx: Ctx) -> str:
    return f"/pipeline/{ctx.o.opp.pk}/power-map/"


role_set = effect(
    lambda ctx: BuyingRoleEntry.objects.filter(
        opportunity=ctx.o.opp, contact=ctx.o.other, role=rules.BuyingRole.TECHNICAL_EVALUATOR
    ).exists(),
    _power_map,
)
role_removed = effect(
    lambda ctx: (
        not BuyingRoleEntry.objects.filter(opportunity=ctx.o.opp, contact=ctx.o.contact).exists()
    ),
    _power_map,
)
assessed = effect(
    lambda ctx: RiskAssessment.objects.filter(
        opportunity=ctx.o.opp, summary="矩阵评估", assessed_by=ctx.user
    ).exists(),
    lambda ctx: f"/pipeline/risk/{RiskAssessment.objects.get(summary='矩阵评估').pk}/",
)
decided = effect(
    lambda ctx: (
        RiskAssessment.objects.get(pk=ctx.o.assessment.pk).decision == rules.RiskDecision.CONTINUE
        and Opportunity.objects.get(pk=ctx.o.opp.pk).risk_decision == rules.RiskDecision.CONTINUE
    ),
    lambda ctx: f"/pipeline/{ctx.o.opp.pk}/",
)


def never_names(text: str) -> Callable[[Ctx], None]:
    """Whatever the answer, it does not show ``text``."""

    def run(ctx: Ctx) -> None:
        assert text not in ctx.response.content.decode(), f"{ctx.role} sees {text!r}"

    return run


deal_shown = page_shows(lambda c, o: {DEAL_NAME: DEAL_VIEWERS, MOTIVES: DEAL_VIEWERS})


def _get_refused(name: str, url: str) -> Route:
    return page(name, url, signed_in=405)


# --- the routes -----------------------------------------------------------------------------

PIPELINE_FORMS_ROUTES: list[Route] = [
    # the power map: the deal's viewers, with the personal motives; nobody else
    page(
        "pipeline.power_map",
        _deal_url("power-map/"),
        setup=kam_deal,
        roles=per_role(DEAL_VIEWERS),
        verify=deal_shown,
    ),
    page("pipeline.power_map.missing", "/pipeline/987654321/power-map/", signed_in=404),
    # buying roles: the deal's team and their managers
    page(
        "pipeline.role_set",
        _deal_url("roles/"),
        method="POST",
        setup=kam_deal,
        body=role_body,
        roles=on_deal(DEAL_WORKERS, yes=302),
        verify=role_set,
    ),
    page(
        "pipeline.role_set.invalid",
        _deal_url("roles/"),
        method="POST",
        setup=kam_deal,
        body=lambda c, o: {**role_body(c, o), "role": ""},
        roles=on_deal(DEAL_WORKERS, yes=400),
        note="a buying role needs a role",
    ),
    page(
        "pipeline.role_set.other_customer",
        _deal_url("roles/"),
        method="POST",
        setup=(kam_deal, north_contact),
        body=lambda c, o: {**role_body(c, o), "contact": o.stranger.pk},
        roles=on_deal(DEAL_WORKERS, yes=400),
        verify=never_names("赵总"),
        note="only the deal's customer's contacts can be chosen; the other is not named",
    ),
    page(
        "pipeline.role_remove",
        lambda c, o: f"/pipeline/{o.opp.pk}/roles/{o.contact.pk}/remove/",
        method="POST",
        setup=kam_deal,
        roles=on_deal(DEAL_WORKERS, yes=302),
        verify=role_removed,
    ),
    _get_refused("pipeline.role_set.get", "/pipeline/987654321/roles/"),
    _get_refused("pipeline.role_remove.get", "/pipeline/987654321/roles/987654321/remove/"),
    # the risk assessment form (风险评估表)
    page(
        "pipeline.risk_new.form",
        _deal_url("risk/new/"),
        setup=kam_deal,
        roles=on_deal(DEAL_WORKERS),
        verify=page_shows(lambda c, o: {DEAL_NAME: DEAL_VIEWERS}),
    ),
    page(
        "pipeline.risk_new",
        _deal_url("risk/new/"),
        method="POST",
        setup=kam_deal,
        body=risk_body,
        roles=on_deal(DEAL_WORKERS, yes=302),
        verify=assessed,
    ),
    page(
        "pipeline.risk_new.invalid",
        _deal_url("risk/new/"),
        method="POST",
        setup=kam_deal,
        body=lambda c, o: {"assessed_on": timezone.localdate().isoformat()},
        roles=on_deal(DEAL_WORKERS, yes=400),
        note="every active factor needs a score",
    ),
    # the printable risk form, its workbook and the decision
    page(
        "pipeline.risk_form",
        _risk_url(),
        setup=kam_deal_high_risk,
        roles=per_role(DEAL_VIEWERS),
        verify=page_shows(lambda c, o: {DEAL_NAME: DEAL_VIEWERS}),
    ),
    page("pipeline.risk_form.missing", "/pipeline/risk/987654321/", signed_in=404),
    page(
        "pipeline.risk_export",
        _risk_url("export.xlsx"),
        setup=kam_deal_high_risk,
        roles=per_role(DEAL_VIEWERS),
        verify=download_shows(lambda c, o: {DEAL_NAME: DEAL_VIEWERS}),
    ),
    page(
        "pipeline.risk_decide",
        _risk_url("decide/"),
        method="POST",
        setup=kam_deal_high_risk,
        body={"decision": rules.RiskDecision.CONTINUE, "reason": "矩阵决定"},
        roles=on_deal(DECIDERS, yes=302),
        verify=decided,
    ),
    page(
        "pipeline.risk_decide.invalid",
        _risk_url("decide/"),
        method="POST",
        setup=kam_deal_high_risk,
        body={"decision": rules.RiskDecision.CONTINUE, "reason": ""},
        roles=on_deal(DECIDERS, yes=400),
        note="a decision needs a reason",
    ),
    _get_refused("pipeline.risk_decide.get", "/pipeline/risk/987654321/decide/"),
    # the KA follow-up form (大客户跟进表): printable and Excel, with the personal motives
    page(
        "pipeline.follow_up_form",
        _deal_url("follow-up-form/"),
        setup=kam_deal,
        roles=per_role(DEAL_VIEWERS),
        verify=page_shows(
            lambda c, o: {DEAL_NAME: DEAL_VIEWERS, MOTIVES: DEAL_VIEWERS, PROGRESS: DEAL_VIEWERS}
        ),
    ),
    page(
        "pipeline.follow_up_export",
        _deal_url("follow-up-form.xlsx"),
        setup=kam_deal,
        roles=per_role(DEAL_VIEWERS),
        verify=download_shows(
            lambda c, o: {DEAL_NAME: DEAL_VIEWERS, MOTIVES: DEAL_VIEWERS, PROGRESS: DEAL_VIEWERS}
        ),
    ),
]
