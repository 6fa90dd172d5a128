"""The opportunity page (``/pipeline/<pk>/``) with its tabs, and its actions: the gate (next
step or next stage, with a sales director's override), moving back, the outcomes (won, lost,
abandoned, reopened), the checklist, key evaluation elements, competitors, the team, KA
follow-up entries and payment milestones.

Every view reads the same way: check access → parse → one service call → render the page (or
the htmx fragment) or redirect. An opportunity outside the user's visibility is a 404, the
same as one that does not exist; an action the user may not take on an opportunity they can
see is a 403 (``services.access``: run / work / override). Only the open tab is read, in a
fixed number of queries whatever the number of competitors, members or transitions.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from keyaccount.core.versioning import StaleEditError
from keyaccount.customers.models import Customer
from keyaccount.org.models import User
from keyaccount.process.models import ExitCriterion, FormCode, Stage, Step

from . import rules, selectors, services
from .forms_detail import (
    BackForm,
    CheckForm,
    CompetitorForm,
    ElementForm,
    FollowUpForm,
    LoseForm,
    MemberForm,
    MilestoneAddForm,
    MilestoneEditForm,
    MoveForm,
    ReasonForm,
    WinForm,
    milestone_initial,
)
from .gate import criterion_checks, gate_input, move_target, stage_orders
from .models import (
    Competitor,
    CriterionCheck,
    ElementRequirement,
    ForecastChange,
    Opportunity,
    PaymentMilestone,
    RiskAssessment,
)
from .permissions import DealAccess
from .services import GateRefused

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
#: The dialogs of the gate and the outcomes (``pipeline/gate.html``), by kind.
DIALOG_TITLES = {
    "move": gettext_lazy("Request the gate"),
    "back": gettext_lazy("Move back"),
    "win": gettext_lazy("Won: the contract is signed"),
    "lose": gettext_lazy("Lost"),
    "abandon": gettext_lazy("Abandon the opportunity"),
    "reopen": gettext_lazy("Reopen the opportunity"),
}


# --- helpers --------------------------------------------------------------------------------


def _opportunity(request: HttpRequest, pk: int) -> Opportunity:
    """The opportunity if the user may see it (with its forecast annotations), else 404."""
    try:
        return selectors.detail_queryset(user=request.user).get(pk=pk)
    except Opportunity.DoesNotExist as exc:
        raise Http404 from exc


def _milestone(request: HttpRequest, pk: int) -> PaymentMilestone:
    """A payment milestone of a contract whose opportunity the user may see, else 404."""
    visible = selectors.visible(request.user).values("pk")
    queryset = PaymentMilestone.objects.select_related("contract").filter(
        contract__opportunity__in=visible
    )
    return get_object_or_404(queryset, pk=pk)


def _partial(request: HttpRequest) -> bool:
    """An htmx request for a fragment (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _require_run(acc: DealAccess) -> None:
    if not acc.run:
        raise PermissionDenied(_("Only the deal's owner and their managers may do this."))


def _require_work(acc: DealAccess) -> None:
    if not acc.work:
        raise PermissionDenied(_("Only the deal's team and their managers may do this."))


def detail_url(opp: Opportunity | int, tab: str = "") -> str:
    url = reverse("pipeline:detail", args=[opp if isinstance(opp, int) else opp.pk])
    return f"{url}?tab={tab}" if tab and tab != "process" else url


def _done(request: HttpRequest, opp: Opportunity, tab: str, text: str) -> HttpResponse:
    """Success: a message, then back to the tab (an htmx dialog asks the browser to go)."""
    messages.success(request, text)
    url = detail_url(opp, tab)
    if _partial(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _stage_label(stage: Stage | None, step: Step | None = None) -> str:
    if stage is None:
        return "—"
    text = f"{stage.order}. {stage.name}"
    if step is not None:
        text += f" · {stage.order}.{step.order} {step.name}"
    return text


# --- the page -------------------------------------------------------------------------------


@dataclass
class Page:
    """What every tab reader gets: the opportunity, the user's access and the forms to re-show."""

    request: HttpRequest
    opp: Opportunity
    acc: DealAccess
    customer_visible: bool
    bound: dict[str, Any]
    now: datetime


def tabs_for(opp: Opportunity) -> list[str]:
    """The contract tab exists for won deals only."""
    return [t for t in TABS if t != "contract" or opp.status == rules.Status.WON]


def detail_context(
    request: HttpRequest, opp: Opportunity, tab: str, *, bound: dict[str, Any]
) -> dict[str, Any]:
    user = request.user
    acc = services.access(user, opp)  # type: ignore[arg-type]
    now = timezone.now()
    tabs = tabs_for(opp)
    if tab not in tabs:
        tab = "process"
    stages = list(Stage.objects.order_by("order"))
    orders = [s.order for s in stages]
    customer_visible = Customer.objects.visible_to(user).filter(pk=opp.customer_id).exists()
    page = Page(request, opp, acc, customer_visible, bound, now)
    is_open = opp.status == rules.Status.OPEN
    won = opp.status == rules.Status.WON
    last_order = orders[-1] if orders else opp.stage.order
    penultimate = orders[-2] if len(orders) > 1 else None
    may = {
        **acc.as_dict(),
        "move": acc.run and (is_open or (won and opp.stage.order == last_order)),
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


def checklist(opp: Opportunity) -> dict[str, Any]:
    """The gate's view of the current stage and the checks behind it (who/when/note)."""
    gate = gate_input(opp)
    return {
        "gate": gate,
        "checks": criterion_checks(opp),
        "missing": rules.missing_to_leave(gate, whole_stage=True).missing,
    }


def criterion_row(state: rules.CriterionState, check: CriterionCheck | None) -> dict[str, Any]:
    return {
        "id": state.id,
        "text": state.text,
        "mandatory": state.mandatory,
        "checked": state.checked,
        "check": check,
    }


def _process(page: Page) -> dict[str, Any]:
    opp = page.opp
    state = checklist(opp)
    gate: rules.GateInput = state["gate"]
    steps = list(
        Step.objects.filter(stage_id=opp.stage_id).order_by("order").prefetch_related("roles")
    )
    by_id = {s.pk: s for s in steps}
    errors = page.bound.get("check_errors", {})
    groups = []
    for step in [*steps, None]:
        step_id = step.pk if step is not None else None
        rows = [
            {**criterion_row(c, state["checks"].get(c.id)), "errors": errors.get(c.id, [])}
            for c in gate.criteria
            if (c.step_id if c.step_id in by_id else None) == step_id
        ]
        if rows or step is not None:
            groups.append({"step": step, "current": step_id == opp.step_id, "rows": rows})
    missing_elements = {m.ref for m in state["missing"] if m.kind == "element"}
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
        "missing": state["missing"],
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


def _member_candidates(opp: Opportunity) -> list[User]:
    users = (
        User.objects.filter(is_active=True)
        .exclude(pk=opp.owner_id)
        .select_related("unit")
        .order_by("unit__name", "username")
    )
    return list(users)


def _team(page: Page) -> dict[str, Any]:
    form = page.bound.get("member")
    if form is None and page.acc.run:
        form = MemberForm(candidates=_member_candidates(page.opp))
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
    durations = selectors.stage_durations(rows, page.now)
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
                "from": _stage_label(t.from_stage, t.from_step) if t.from_stage_id else "",
                "to": _stage_label(t.to_stage, t.to_step),
            }
            for t in reversed(rows)
        ],
        "durations": durations,
        "forecast_changes": changes,
    }


def _render_detail(
    request: HttpRequest,
    opp: Opportunity,
    tab: str,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = detail_context(request, opp, tab, bound=bound or {})
    return render(request, "pipeline/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    opp = _opportunity(request, pk)
    return _render_detail(request, opp, request.GET.get("tab", "process"))


# --- the gate dialog and the outcomes -------------------------------------------------------


def _gate_preview(opp: Opportunity, acc: DealAccess) -> dict[str, Any]:
    """What a forward move would do: its target, what is missing, and whether a sales
    director's override (with a reason) would open the gate. All answers come from the rules."""
    gate = gate_input(opp)
    orders = stage_orders()
    plain = rules.decide_move(
        gate, rules.MoveRequest(forward=True), stage_orders=orders, can_override=acc.override
    )
    forced = rules.decide_move(
        gate,
        rules.MoveRequest(forward=True, override=True, reason="override"),
        stage_orders=orders,
        can_override=True,
    )
    outcome = plain if plain.allowed else forced
    target = ""
    if outcome.allowed:
        target = _stage_label(*move_target(opp, outcome))
    return {
        "allowed": plain.allowed,
        "kind": outcome.kind,
        "problems": list(plain.problems),
        "overridable": not plain.allowed and forced.allowed,
        "target": target,
        "advance": outcome.kind == rules.Move.ADVANCE,
    }


def _win_preview(opp: Opportunity, acc: DealAccess) -> dict[str, Any]:
    gate = gate_input(opp)
    orders = stage_orders()
    plain = rules.decide_win(
        gate, stage_orders=orders, override=False, can_override=acc.override, reason=""
    )
    forced = rules.decide_win(
        gate, stage_orders=orders, override=True, can_override=True, reason="override"
    )
    return {
        "allowed": plain.allowed,
        "problems": list(plain.problems),
        "overridable": not plain.allowed and forced.allowed,
    }


def _render_dialog(
    request: HttpRequest,
    opp: Opportunity,
    acc: DealAccess,
    kind: str,
    form: Any,
    *,
    refusal: list[str] | None = None,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The gate or outcome dialog: a whole page, or the modal's content for htmx."""
    context: dict[str, Any] = {
        "opp": opp,
        "kind": kind,
        "title": DIALOG_TITLES[kind],
        "form": form,
        "acc": acc,
        "current": _stage_label(opp.stage, opp.step),
        "action": reverse(f"pipeline:{kind}", args=[opp.pk]),
        "in_modal": _partial(request),
        "dialog_template": f"pipeline/partials/detail_dialog_{kind}.html",
        "detail_url": detail_url(opp),
        **(extra or {}),
    }
    refusal = list(refusal or [])
    shown = set(context.get("preview", {}).get("problems", []))
    context["refusal"] = [p for p in refusal if p not in shown]
    template = "pipeline/gate.html#dialog" if _partial(request) else "pipeline/gate.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _form_data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


#: What a dialog does with its valid form: call one service, answer (tab to show, message).
Act = Callable[[Opportunity, Any], tuple[str, str]]


def _dialog(
    request: HttpRequest,
    pk: int,
    *,
    kind: str,
    make_form: Callable[[Any, Opportunity], Any],
    act: Act,
    extra: Callable[[Opportunity, DealAccess], dict[str, Any]] | None = None,
) -> HttpResponse:
    """A gate or outcome dialog: GET shows the form; POST calls one service. A refusal of the
    gate lists what is missing, a refusal of the service marks the fields (both 400)."""
    opp = _opportunity(request, pk)
    acc = services.access(_actor(request), opp)
    _require_run(acc)
    form = make_form(_form_data(request), opp)
    refusal: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                tab, text = act(opp, form)
            except GateRefused as exc:
                refusal = exc.problems
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                return _done(request, opp, tab, text)
    return _render_dialog(
        request,
        opp,
        acc,
        kind,
        form,
        refusal=refusal,
        status=status,
        extra=extra(opp, acc) if extra else None,
    )


def _earlier_stages(opp: Opportunity) -> list[Stage]:
    return list(Stage.objects.filter(order__lt=opp.stage.order).order_by("order"))


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """The gate: GET shows the target and what is missing; POST requests the move."""

    def act(opp: Opportunity, form: Any) -> tuple[str, str]:
        result = services.opportunity_move(
            actor=_actor(request),
            opportunity=opp,
            forward=True,
            override=form.cleaned_data["override"],
            reason=form.cleaned_data["reason"],
        )
        t = result.transition
        if t.kind == rules.Move.STEP:
            text = _("Moved on to step %(step)s.") % {"step": _stage_label(t.to_stage, t.to_step)}
        else:
            text = _("Moved on to the stage %(stage)s.") % {"stage": _stage_label(t.to_stage)}
        if result.overridden:
            text += " " + _("The gate was overridden; the reason is recorded.")
        return "process", text

    return _dialog(
        request,
        pk,
        kind="move",
        make_form=lambda data, opp: MoveForm(data),
        act=act,
        extra=lambda opp, acc: {"preview": _gate_preview(opp, acc)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def move_back(request: HttpRequest, pk: int) -> HttpResponse:
    """Back to an earlier stage, with a reason (the gate refuses a move back without one)."""

    def act(opp: Opportunity, form: Any) -> tuple[str, str]:
        result = services.opportunity_move(
            actor=_actor(request),
            opportunity=opp,
            forward=False,
            to_stage=form.cleaned_data["to_stage"],
            reason=form.cleaned_data["reason"],
        )
        stage = _stage_label(result.transition.to_stage)
        return "process", _("Moved back to the stage %(stage)s.") % {"stage": stage}

    return _dialog(
        request,
        pk,
        kind="back",
        make_form=lambda data, opp: BackForm(data, earlier=_earlier_stages(opp)),
        act=act,
        extra=lambda opp, acc: {"earlier": _earlier_stages(opp)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def win(request: HttpRequest, pk: int) -> HttpResponse:
    """Won: the contract (number, signed amount, date) and its first payment milestones."""

    def act(opp: Opportunity, form: Any) -> tuple[str, str]:
        d = form.cleaned_data
        contract = services.opportunity_win(
            actor=_actor(request),
            opportunity=opp,
            contract_number=d["contract_number"],
            signed_amount=d["signed_amount"],
            signed_on=d["signed_on"],
            milestones=form.milestones(),
            override=d["override"],
            reason=d["reason"],
        )
        text = _("Won: contract %(number)s is recorded and the deal enters %(stage)s.") % {
            "number": contract.number,
            "stage": _stage_label(opp.stage),
        }
        return "contract", text

    return _dialog(
        request,
        pk,
        kind="win",
        make_form=lambda data, opp: WinForm(data, initial={"signed_on": timezone.localdate()}),
        act=act,
        extra=lambda opp, acc: {"preview": _win_preview(opp, acc)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def lose(request: HttpRequest, pk: int) -> HttpResponse:
    def act(opp: Opportunity, form: Any) -> tuple[str, str]:
        d = form.cleaned_data
        services.opportunity_lose(
            actor=_actor(request),
            opportunity=opp,
            loss_reason=d["loss_reason"],
            winner=d["winner"],
            lessons=d["lessons"],
        )
        return "process", _("The opportunity is recorded as lost.")

    return _dialog(request, pk, kind="lose", make_form=lambda data, opp: LoseForm(data), act=act)


def _reason_dialog(
    request: HttpRequest, pk: int, *, kind: str, service: Any, done: str
) -> HttpResponse:
    """A closing or reopening dialog: one written reason, one service call."""

    def act(opp: Opportunity, form: Any) -> tuple[str, str]:
        service(actor=_actor(request), opportunity=opp, reason=form.cleaned_data["reason"])
        return "process", done

    return _dialog(request, pk, kind=kind, make_form=lambda data, opp: ReasonForm(data), act=act)


@login_required
@require_http_methods(["GET", "POST"])
def abandon(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_dialog(
        request,
        pk,
        kind="abandon",
        service=services.opportunity_abandon,
        done=_("The opportunity is abandoned."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _reason_dialog(
        request,
        pk,
        kind="reopen",
        service=services.opportunity_reopen,
        done=_("The opportunity is open again."),
    )


# --- checklist and key evaluation elements (inline, htmx) -----------------------------------


def _check_response(
    request: HttpRequest, opp: Opportunity, acc: DealAccess, criterion: ExitCriterion, **kw: Any
) -> HttpResponse:
    """The criterion's row, and the "still missing" box swapped out of band."""
    state = checklist(opp)
    gate: rules.GateInput = state["gate"]
    found = [c for c in gate.criteria if c.id == criterion.pk]
    if not found:
        raise Http404
    row = {
        **criterion_row(found[0], state["checks"].get(criterion.pk)),
        "errors": kw.get("errors", []),
    }
    context = {
        "opp": opp,
        "row": row,
        "may": {"check": acc.work and opp.status in (rules.Status.OPEN, rules.Status.WON)},
        "missing": state["missing"],
        "oob": True,
    }
    html = render_to_string("pipeline/partials/detail_criterion.html", context, request)
    html += render_to_string("pipeline/partials/detail_missing.html", context, request)
    return HttpResponse(html, status=kw.get("status", 200))


@login_required
@require_POST
def check(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    """Check or uncheck an exit criterion (who/when kept), with an optional note."""
    opp = _opportunity(request, pk)
    acc = services.access(_actor(request), opp)
    _require_work(acc)
    criterion = get_object_or_404(ExitCriterion, pk=criterion_id)
    form = CheckForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            services.criterion_set(
                actor=_actor(request),
                opportunity=opp,
                criterion=criterion,
                checked=form.cleaned_data["checked"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    if _partial(request) and criterion.stage_id == opp.stage_id:
        return _check_response(
            request, opp, acc, criterion, errors=errors, status=400 if errors else 200
        )
    if errors:
        bound = {"check_errors": {criterion.pk: errors}, "errors": errors}
        return _render_detail(request, opp, "process", bound=bound, status=400)
    done = form.cleaned_data["checked"]
    text = (_("“%(criterion)s” checked.") if done else _("“%(criterion)s” unchecked.")) % {
        "criterion": criterion.text
    }
    messages.success(request, text)
    return redirect(detail_url(opp))


@login_required
@require_POST
def element(request: HttpRequest, pk: int, element: str) -> HttpResponse:
    """Set a key evaluation element's status (unknown / partly known / confirmed) and notes."""
    opp = _opportunity(request, pk)
    acc = services.access(_actor(request), opp)
    _require_work(acc)
    if element not in rules.Element.values:
        raise Http404
    form = ElementForm(request.POST, auto_id=f"el-{element}-%s")
    status = 400
    if form.is_valid():
        try:
            services.element_set(
                actor=_actor(request),
                opportunity=opp,
                element=element,
                status=form.cleaned_data["status"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            status = 200
    label = rules.Element(element).label
    if _partial(request):
        saved = opp.elements.select_related("updated_by").filter(element=element).first()
        required = (
            ElementRequirement.objects.filter(stage_id=opp.stage_id, element=element)
            .values_list("minimum", flat=True)
            .first()
        )
        e = element_row(opp, element, label, saved, required, form if status == 400 else None)
        context = {"opp": opp, "e": e, "may": {"work": acc.work}, "saved": status == 200}
        return render(request, "pipeline/partials/detail_element.html", context, status=status)
    if status == 400:
        bound = {"element": (element, form)}
        return _render_detail(request, opp, "elements", bound=bound, status=400)
    messages.success(request, _("%(element)s saved.") % {"element": label})
    return redirect(detail_url(opp, "elements"))


# --- competitors, team, follow-ups ----------------------------------------------------------


@login_required
@require_POST
def competitor_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or update a competitor on the deal (a new name joins the catalogue)."""
    opp = _opportunity(request, pk)
    acc = services.access(_actor(request), opp)
    _require_work(acc)
    form = CompetitorForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            row = services.competitor_add(
                actor=_actor(request),
                opportunity=opp,
                competitor=d["competitor"],
                new_name=d["new_name"],
                strength=d["strength"],
                their_strategy=d["their_strategy"],
                our_strategy=d["our_strategy"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            text = _("Competitor %(name)s saved.") % {"name": row.competitor}
            return _done(request, opp, "competitors", text)
    return _render_detail(request, opp, "competitors", bound={"competitor": form}, status=400)


@login_required
@require_POST
def competitor_remove(request: HttpRequest, pk: int, competitor_id: int) -> HttpResponse:
    opp = _opportunity(request, pk)
    acc = services.access(_actor(request), opp)
    _require_work(acc)
    competitor = get_object_or_404(Competitor, pk=competitor_id)
    services.competitor_remove(actor=_actor(request), opportunity=opp, competitor=competitor)
    text = _("%(name)s removed from the competitors.") % {"name": competitor}
    return _done(request, opp, "competitors", text)


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Put someone on the deal team with a role (or change their role)."""
    opp = _opportunity(request, pk)
    acc = services.access(_actor(request), opp)
    _require_run(acc)
    form = MemberForm(request.POST, candidates=_member_candidates(opp))
    if form.is_valid():
        d = form.cleaned_data
        try:
            member = services.member_add(
                actor=_actor(request),
                opportunity=opp,
                user=d["user"],
                role=d["role"],
                note=d["note"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            text = _("%(user)s is on the team as %(role)s.") % {
                "user": member.user,
                "role": member.get_role_display(),
            }
            return _done(request, opp, "team", text)
    return _render_detail(request, opp, "team", bound={"member": form}, status=400)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    opp = _opportunity(request, pk)
    acc = services.access(_actor(request), opp)
    _require_run(acc)
    user = get_object_or_404(User, pk=user_id)
    services.member_remove(actor=_actor(request), opportunity=opp, user=user)
    return _done(request, opp, "team", _("%(user)s left the team.") % {"user": user})


@login_required
@require_POST
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    """An entry of the KA follow-up form (大客户跟进表)."""
    opp = _opportunity(request, pk)
    acc = services.access(_actor(request), opp)
    _require_work(acc)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.follow_up_add(
                actor=_actor(request),
                opportunity=opp,
                on=d["on"],
                progress=d["progress"],
                next_steps=d["next_steps"],
                support_needed=d["support_needed"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _done(request, opp, "follow_up", _("Follow-up entry saved."))
    return _render_detail(request, opp, "follow_up", bound={"follow_up": form}, status=400)


# --- payment milestones ---------------------------------------------------------------------


@login_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    opp = _opportunity(request, pk)
    acc = services.access(_actor(request), opp)
    _require_run(acc)
    contract = selectors.contract_of(opp)
    if contract is None:
        raise Http404
    form = MilestoneAddForm(request.POST)
    if form.is_valid():
        try:
            milestone = services.milestone_add(
                actor=_actor(request), contract=contract, data=form.milestone()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            text = _("Milestone %(name)s added.") % {"name": milestone.name}
            return _done(request, opp, "contract", text)
    return _render_detail(request, opp, "contract", bound={"milestone": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record acceptance, invoicing and collection of a milestone (refused if stale)."""
    milestone = _milestone(request, pk)
    opp = _opportunity(request, milestone.contract.opportunity_id)
    acc = services.access(_actor(request), opp)
    _require_run(acc)
    if request.method == "GET":
        form = MilestoneEditForm(initial=milestone_initial(milestone))
        status = 200
    else:
        form = MilestoneEditForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.milestone_update(
                    actor=_actor(request),
                    milestone=milestone,
                    data=form.data_for_service(),
                    expected_version=form.cleaned_data["version"],
                )
            except StaleEditError as exc:
                form.add_error(None, exc.message)
                status = 409
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                text = _("Milestone %(name)s saved.") % {"name": milestone.name}
                return _done(request, opp, "contract", text)
    if _partial(request):
        context = {"opp": opp, "m": milestone, "edit_form": form, "may": {"run": acc.run}}
        return render(
            request, "pipeline/partials/detail_milestone_edit.html", context, status=status
        )
    bound = {"milestone_edit": (milestone.pk, form)}
    return _render_detail(request, opp, "contract", bound=bound, status=status)


@login_required
@require_POST
def milestone_delete(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _milestone(request, pk)
    opp = _opportunity(request, milestone.contract.opportunity_id)
    acc = services.access(_actor(request), opp)
    _require_run(acc)
    name = milestone.name
    try:
        services.milestone_delete(actor=_actor(request), milestone=milestone)
    except ValidationError as exc:
        return _render_detail(request, opp, "contract", bound={"errors": exc.messages}, status=400)
    return _done(request, opp, "contract", _("Milestone %(name)s deleted.") % {"name": name})
