"""The opportunity page (``/pipeline/<pk>/``) and the context of each of its tabs: process
(the checklist of the current stage with its steps, required forms and elements), key
evaluation elements, competitors, team, KA follow-up, risk, power map, contract (won deals)
and history.

Only the open tab is read, through its reader, in a fixed number of queries whatever the
number of competitors, members or transitions. The actions that re-show the page with a
refused form (``work``, ``contracts``) render it through ``render_detail``.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from keyaccount.customers.models import Customer
from keyaccount.org.models import User
from keyaccount.org.requests import AuthenticatedRequest
from keyaccount.process.evidence import Fact, describe
from keyaccount.process.models import FormCode, Stage, Step

from .. import rules, selectors, services
from ..access import opportunity_for
from ..forms_detail import (
    CompetitorForm,
    ElementForm,
    FollowUpForm,
    MemberForm,
    MilestoneAddForm,
    MilestoneEditForm,
    milestone_initial,
)
from ..gate import CriterionView, checklist
from ..models import ElementRequirement, ForecastChange, Opportunity, RiskAssessment
from ..permissions import DealAccess
from ._common import detail_url, stage_label

TABS = (
    "process", "elements", "competitors", "team", "follow_up", "risk", "power_map", "contract",
    "history",
)  # fmt: skip
TAB_LABELS = {
    "process": gettext_lazy("Process"),
    "elements": gettext_lazy("Key evaluation elements"),
    "competitors": gettext_lazy("Competitors"),
    "team": gettext_lazy("Team"),
    "follow_up": gettext_lazy("KA follow-up"),
    "risk": gettext_lazy("Risk"),
    "power_map": gettext_lazy("Power map"),
    "contract": gettext_lazy("Contract"),
    "history": gettext_lazy("History"),
}
STATUS_BADGES: dict[str, str] = {
    rules.Status.OPEN: "bg-blue-lt",
    rules.Status.WON: "bg-green-lt",
    rules.Status.LOST: "bg-red-lt",
    rules.Status.ABANDONED: "bg-secondary-lt",
}
RISK_BADGES: dict[str, str] = {
    rules.RiskLevel.LOW: "bg-green-lt",
    rules.RiskLevel.MEDIUM: "bg-yellow-lt",
    rules.RiskLevel.HIGH: "bg-red-lt",
}


@dataclass
class Page:
    """What every tab reader gets: the opportunity, the user's access and the forms to re-show."""

    request: AuthenticatedRequest
    opp: Opportunity
    acc: DealAccess
    customer_visible: bool
    bound: dict[str, Any]
    now: datetime


def page_for(
    request: AuthenticatedRequest,
    opp: Opportunity,
    acc: DealAccess,
    bound: dict[str, Any] | None = None,
) -> Page:
    customer_visible = Customer.objects.visible_to(request.user).filter(pk=opp.customer_id).exists()
    return Page(request, opp, acc, customer_visible, bound or {}, timezone.now())


def tabs_for(opp: Opportunity) -> list[str]:
    """The contract tab exists for won deals only."""
    return [t for t in TABS if t != "contract" or opp.status == rules.Status.WON]


def detail_context(
    request: AuthenticatedRequest, opp: Opportunity, tab: str, *, bound: dict[str, Any]
) -> dict[str, Any]:
    user = request.user
    acc = services.access(user, opp)
    now = timezone.now()
    tabs = tabs_for(opp)
    if tab not in tabs:
        tab = "process"
    stages = list(Stage.objects.order_by("order"))
    orders = [s.order for s in stages]
    page = page_for(request, opp, acc, bound)
    customer_visible = page.customer_visible
    is_open = opp.status == rules.Status.OPEN
    won = opp.status == rules.Status.WON
    last_order = orders[-1] if orders else opp.stage.order
    last_step = (
        Step.objects.filter(stage_id=opp.stage_id).order_by("-order").values_list("id", flat=True)
    ).first()
    done = opp.stage.order == last_order and opp.step_id == last_step
    penultimate = orders[-2] if len(orders) > 1 else None
    may = {
        **acc.as_dict(),
        # a won deal moves on through implementation, up to its last step
        "move": acc.run and (is_open or (won and opp.stage.order == last_order and not done)),
        "back": acc.run and is_open and bool(orders) and opp.stage.order > orders[0],
        "win": acc.run and is_open and opp.stage.order == penultimate,
        "close": acc.run and is_open,
        "reopen": acc.run and opp.status in (rules.Status.LOST, rules.Status.ABANDONED),
        "check": acc.work and (is_open or won),
    }
    latest_risk = None
    if opp.risk_decision == rules.RiskDecision.PENDING:
        latest_risk = (
            RiskAssessment.objects.filter(opportunity_id=opp.pk)
            .order_by("-assessed_on", "-id")
            .first()
        )
    norms = {s.pk: s.norm_days for s in stages}
    context: dict[str, Any] = {
        "opp": opp,
        "tab": tab,
        "tabs": [(t, TAB_LABELS[t]) for t in tabs],
        "tab_template": f"pipeline/partials/detail_{tab}.html",
        "may": may,
        "process_done": won and done,
        "in_last_stage": opp.stage.order == last_order,
        "customer_visible": customer_visible,
        "stages": [
            {
                "stage": s,
                "state": "done"
                if s.order < opp.stage.order
                else "current"
                if s.pk == opp.stage_id
                else "next",
            }
            for s in stages
        ],
        "status_badge": STATUS_BADGES.get(opp.status, "bg-secondary-lt"),
        "risk_badge": RISK_BADGES.get(opp.risk_level, ""),
        "flags": [
            (f, rules.HEALTH_LABELS[rules.Health(f)])
            for f in selectors.health_flags(opp, norms, now)
        ],
        "days_in_stage": max(0, (now - opp.stage_entered_at).days),
        "latest_risk": latest_risk,
        "risk_choices": [
            (rules.RiskDecision.CONTINUE, rules.RiskDecision.CONTINUE.label),
            (rules.RiskDecision.ABANDON, rules.RiskDecision.ABANDON.label),
        ],
        "errors": bound.get("errors", []),
    }
    readers = {
        "process": _process,
        "elements": _elements,
        "competitors": _competitors,
        "team": _team,
        "follow_up": _follow_up,
        "risk": _risk,
        "power_map": _power_map,
        "contract": _contract,
        "history": _history,
    }
    context.update(readers[tab](page))
    return context


def _form_link(code: str, page: Page) -> str | None:
    """Where a required form is filled in (None: nowhere yet, or not for this user)."""
    opp = page.opp
    if code == FormCode.RISK_ASSESSMENT:
        return reverse("pipeline:risk_new", args=[opp.pk]) if page.acc.work else None
    if code == FormCode.KA_FOLLOW_UP:
        return detail_url(opp, "follow_up")
    if code == FormCode.CUSTOMER_PROFILE and page.customer_visible:
        return reverse("customers:detail", args=[opp.customer_id])
    if code == FormCode.COMPREHENSIVE_EVALUATION and page.customer_visible:
        return reverse("customers:detail", args=[opp.customer_id]) + "?tab=evaluations"
    return None


def evidence_link(fact: Mapping[str, Any], page: Page) -> str | None:
    """Where the fact behind an evidence criterion is recorded (None: nowhere this user may go
    from here)."""
    opp, kind = page.opp, fact.get("fact")
    if kind == Fact.FORM:
        return _form_link(str(fact.get("form", "")), page)
    if kind == Fact.RISK_CLEARED:
        return detail_url(opp, "risk")
    if kind == Fact.ELEMENTS:
        return detail_url(opp, "elements")
    if kind == Fact.BUYING_ROLES:
        return reverse("pipeline:power_map", args=[opp.pk])
    if kind == Fact.CUSTOMER_GRADED and page.customer_visible:
        return reverse("customers:detail", args=[opp.customer_id]) + "?tab=scorecard"
    if kind == Fact.STRATEGIC_FIT and page.acc.run:
        return reverse("pipeline:edit", args=[opp.pk])
    if kind in (Fact.CONTRACT_SIGNED, Fact.MILESTONES) and opp.status == rules.Status.WON:
        return detail_url(opp, "contract")
    if kind == Fact.NEW_OPPORTUNITY and page.customer_visible:
        return reverse("customers:detail", args=[opp.customer_id]) + "?tab=opportunities"
    return None


def criterion_row(row: CriterionView, page: Page) -> dict[str, Any]:
    """What the checklist shows of one criterion: met or not (by its evidence, with a link to
    where the evidence is recorded, or by a tick: who, when, note), and whether this user may
    tick it (or who may)."""
    facts = row.unmet or row.state.evidence
    link = next((u for u in (evidence_link(f, page) for f in facts) if u), None)
    return {
        "id": row.state.id,
        "text": row.state.text,
        "mandatory": row.state.mandatory,
        "checked": row.met,
        "check": row.check,
        "evidence": row.evidence,
        "evidence_text": row.evidence_text,
        "unmet_text": describe(row.unmet) if row.unmet else "",
        "evidence_link": link,
        "may_tick": row.may_tick,
        "who_may": row.who_may,
    }


def _process(page: Page) -> dict[str, Any]:
    opp = page.opp
    state = checklist(opp, user=page.request.user, acc=page.acc)
    gate = state.gate
    steps = list(
        Step.objects.filter(stage_id=opp.stage_id).order_by("order").prefetch_related("roles")
    )
    by_id = {s.pk: s for s in steps}
    errors = page.bound.get("check_errors", {})
    groups = []
    for step in [*steps, None]:
        step_id = step.pk if step is not None else None
        rows = [
            {**criterion_row(c, page), "errors": errors.get(c.state.id, [])}
            for c in state.criteria
            if (c.state.step_id if c.state.step_id in by_id else None) == step_id
        ]
        if rows or step is not None:
            groups.append({"step": step, "current": step_id == opp.step_id, "rows": rows})
    missing_elements = {m.ref for m in state.missing if m.kind == "element"}
    current = by_id.get(opp.step_id) if opp.step_id else None
    return {
        "stage_roles": list(opp.stage.roles.all()),
        "current_step": current,
        "step_groups": groups,
        "required_forms": [
            {
                "state": f,
                "step": by_id.get(f.step_id) if f.step_id else None,
                "link": _form_link(f.code, page),
            }
            for f in gate.forms
        ],
        "required_elements": [
            {
                "state": e,
                "satisfied": e.element not in missing_elements,
                "required_label": rules.Knowledge(e.required).label,
                "actual_label": rules.Knowledge(e.actual).label,
            }
            for e in gate.elements
        ],
        "missing": state.missing,
    }


def _elements(page: Page) -> dict[str, Any]:
    opp = page.opp
    saved = {e.element: e for e in opp.elements.select_related("updated_by")}
    required = dict(
        ElementRequirement.objects.filter(stage_id=opp.stage_id).values_list("element", "minimum")
    )
    bound_code, bound_form = page.bound.get("element", (None, None))
    return {
        "elements": [
            element_row(
                opp,
                code,
                label,
                saved.get(code),
                required.get(code),
                bound_form if code == bound_code else None,
            )
            for code, label in rules.Element.choices
        ]
    }


def element_row(
    opp: Opportunity,
    code: str,
    label: Any,
    row: Any,
    required: str | None,
    form: ElementForm | None = None,
) -> dict[str, Any]:
    status = row.status if row is not None else rules.Knowledge.UNKNOWN
    notes = row.notes if row is not None else ""
    return {
        "code": code,
        "label": label,
        "row": row,
        "status": status,
        "status_label": rules.Knowledge(status).label,
        "required": required,
        "required_label": rules.Knowledge(required).label if required else "",
        "satisfied": required is None
        or rules.KNOWLEDGE_RANK[rules.Knowledge(status)]
        >= rules.KNOWLEDGE_RANK[rules.Knowledge(required)],
        "form": form
        or ElementForm(initial={"status": status, "notes": notes}, auto_id=f"el-{code}-%s"),
    }


def _competitors(page: Page) -> dict[str, Any]:
    return {
        "competitor_rows": selectors.competitors(page.opp),
        "competitor_form": page.bound.get("competitor") or CompetitorForm(),
        "strength_choices": rules.Strength.choices,
    }


def member_candidates(opp: Opportunity) -> list[User]:
    """Who may be put on the deal team: the active users other than its owner."""
    users = (
        User.objects.filter(is_active=True)
        .exclude(pk=opp.owner_id)
        .select_related("unit")
        .order_by("unit__name", "pinyin_sort", "id")
    )
    return list(users)


def _team(page: Page) -> dict[str, Any]:
    form = page.bound.get("member")
    if form is None and page.acc.run:
        form = MemberForm(candidates=member_candidates(page.opp))
    return {"members": selectors.team(page.opp), "member_form": form}


def _follow_up(page: Page) -> dict[str, Any]:
    form = page.bound.get("follow_up") or FollowUpForm(initial={"on": timezone.localdate()})
    entries = list(page.opp.follow_ups.select_related("author").order_by("-on", "-id"))
    return {"follow_ups": entries, "follow_up_form": form}


def _risk(page: Page) -> dict[str, Any]:
    assessments = selectors.risk_assessments(page.opp)
    return {
        "assessments": assessments,
        "latest_assessment": assessments[0] if assessments else None,
        "risk_badges": RISK_BADGES,
    }


def _power_map(page: Page) -> dict[str, Any]:
    return {"power_map_url": reverse("pipeline:power_map", args=[page.opp.pk])}


def _contract(page: Page) -> dict[str, Any]:
    contract = selectors.contract_of(page.opp)
    milestones = list(contract.milestones.all()) if contract is not None else []
    edit_id, edit_form = page.bound.get("milestone_edit", (None, None))
    if edit_id is None and page.acc.run:
        wanted = page.request.GET.get("edit", "")
        for m in milestones:
            if wanted == str(m.pk):
                edit_id, edit_form = m.pk, MilestoneEditForm(initial=milestone_initial(m))
    planned = sum((m.amount for m in milestones), Decimal(0))
    collected = sum((m.collected_amount or Decimal(0) for m in milestones), Decimal(0))
    return {
        "contract": contract,
        "milestones": milestones,
        "edit_id": edit_id,
        "edit_form": edit_form,
        "milestone_form": page.bound.get("milestone") or MilestoneAddForm(),
        "totals": {
            "planned": planned,
            "collected": collected,
            "outstanding": planned - collected,
            "unplanned": (contract.amount - planned) if contract is not None else Decimal(0),
        },
    }


def _forecast_value(field: str, value: str) -> Any:
    if not value:
        return None
    if field == ForecastChange.Field.AMOUNT:
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def _history(page: Page) -> dict[str, Any]:
    rows = selectors.transitions(page.opp)
    durations = selectors.stage_durations(rows, page.now, page.opp.closed_at)
    missing = selectors.missing_in_my_language(rows)
    changes = [
        {
            "row": c,
            "old": _forecast_value(c.field, c.old_value),
            "new": _forecast_value(c.field, c.new_value),
            "money": c.field == ForecastChange.Field.AMOUNT,
        }
        for c in page.opp.forecast_changes.select_related("changed_by").order_by(
            "-changed_at", "-id"
        )
    ]
    return {
        "transitions": [
            {
                "t": t,
                "from": stage_label(t.from_stage, t.from_step) if t.from_stage_id else "",
                "to": stage_label(t.to_stage, t.to_step),
                "missing": missing.get(t.pk, []),
            }
            for t in reversed(rows)
        ],
        "durations": durations,
        "forecast_changes": changes,
    }


def render_detail(
    request: AuthenticatedRequest,
    opp: Opportunity,
    tab: str,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page on ``tab``, re-showing the forms in ``bound`` (a refused action's answer)."""
    context = detail_context(request, opp, tab, bound=bound or {})
    return render(request, "pipeline/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opp = opportunity_for(request.user, pk)
    return render_detail(request, opp, request.GET.get("tab", "process"))
