"""The dialogs of the opportunity page that move the deal: the gate (next step or next stage,
with a sales director's override), moving back, and the outcomes (won with the contract, lost,
abandoned, reopened).

Each is one form and one service call (``_dialog``): GET shows the form (a whole page, or the
modal's content for htmx); POST answers a refusal of the gate with what is missing and a
refusal of the service with the fields marked (both 400). Only the deal's owner and their
managers open them (403 for the rest of those who see the deal).
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from keyaccount.core.http import wants_fragment
from keyaccount.org.requests import AuthenticatedRequest
from keyaccount.process.models import Stage

from .. import rules, services
from ..access import opportunity_for
from ..forms_detail import BackForm, LoseForm, MoveForm, ReasonForm, WinForm
from ..gate import gate_input, move_target, stage_orders
from ..models import Opportunity
from ..permissions import DealAccess
from ..services import GateRefused
from ._common import detail_url, done, render_page_or_fragment, require_run, stage_label

#: The dialogs of the gate and the outcomes (``pipeline/gate.html``), by kind.
DIALOG_TITLES = {
    "move": gettext_lazy("Request the gate"),
    "back": gettext_lazy("Move back"),
    "win": gettext_lazy("Won: the contract is signed"),
    "lose": gettext_lazy("Lost"),
    "abandon": gettext_lazy("Abandon the opportunity"),
    "reopen": gettext_lazy("Reopen the opportunity"),
}


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
        target = stage_label(*move_target(opp, outcome))
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
    request: AuthenticatedRequest,
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
        "current": stage_label(opp.stage, opp.step),
        "action": reverse(f"pipeline:{kind}", args=[opp.pk]),
        "in_modal": wants_fragment(request),
        "dialog_template": f"pipeline/partials/detail_dialog_{kind}.html",
        "detail_url": detail_url(opp),
        **(extra or {}),
    }
    refusal = list(refusal or [])
    shown = set(context.get("preview", {}).get("problems", []))
    context["refusal"] = [p for p in refusal if p not in shown]
    # a refused submit says so at its button, even when what is missing is listed already
    context["refused"] = bool(refusal)
    return render_page_or_fragment(
        request, "pipeline/gate.html", "pipeline/gate.html#dialog", context, status=status
    )


def _form_data(request: AuthenticatedRequest) -> Any:
    return request.POST if request.method == "POST" else None


#: What a dialog does with its valid form: call one service, answer (tab to show, message).
Act = Callable[[Opportunity, Any], tuple[str, str]]


def _dialog(
    request: AuthenticatedRequest,
    pk: int,
    *,
    kind: str,
    make_form: Callable[[Any, Opportunity], Any],
    act: Act,
    extra: Callable[[Opportunity, DealAccess], dict[str, Any]] | None = None,
) -> HttpResponse:
    """A gate or outcome dialog: GET shows the form; POST calls one service. A refusal of the
    gate lists what is missing, a refusal of the service marks the fields (both 400)."""
    opp = opportunity_for(request.user, pk)
    acc = services.access(request.user, opp)
    require_run(acc)
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
                return done(request, opp, tab, text)
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
def move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The gate: GET shows the target and what is missing; POST requests the move."""

    def act(opp: Opportunity, form: Any) -> tuple[str, str]:
        result = services.opportunity_move(
            actor=request.user,
            opportunity=opp,
            forward=True,
            override=form.cleaned_data["override"],
            reason=form.cleaned_data["reason"],
        )
        t = result.transition
        if t.kind == rules.Move.STEP:
            text = _("Moved on to step %(step)s.") % {"step": stage_label(t.to_stage, t.to_step)}
        else:
            text = _("Moved on to the stage %(stage)s.") % {"stage": stage_label(t.to_stage)}
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
def move_back(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Back to an earlier stage, with a reason (the gate refuses a move back without one)."""

    def act(opp: Opportunity, form: Any) -> tuple[str, str]:
        result = services.opportunity_move(
            actor=request.user,
            opportunity=opp,
            forward=False,
            to_stage=form.cleaned_data["to_stage"],
            reason=form.cleaned_data["reason"],
        )
        stage = stage_label(result.transition.to_stage)
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
def win(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Won: the contract (number, signed amount, date) and its first payment milestones."""

    def act(opp: Opportunity, form: Any) -> tuple[str, str]:
        d = form.cleaned_data
        contract = services.opportunity_win(
            actor=request.user,
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
            "stage": stage_label(opp.stage),
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
def lose(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def act(opp: Opportunity, form: Any) -> tuple[str, str]:
        d = form.cleaned_data
        services.opportunity_lose(
            actor=request.user,
            opportunity=opp,
            loss_reason=d["loss_reason"],
            winner=d["winner"],
            lessons=d["lessons"],
        )
        return "process", _("The opportunity is recorded as lost.")

    return _dialog(request, pk, kind="lose", make_form=lambda data, opp: LoseForm(data), act=act)


def _reason_dialog(
    request: AuthenticatedRequest, pk: int, *, kind: str, service: Any, message: str
) -> HttpResponse:
    """A closing or reopening dialog: one written reason, one service call."""

    def act(opp: Opportunity, form: Any) -> tuple[str, str]:
        service(actor=request.user, opportunity=opp, reason=form.cleaned_data["reason"])
        return "process", message

    return _dialog(request, pk, kind=kind, make_form=lambda data, opp: ReasonForm(data), act=act)


@login_required
@require_http_methods(["GET", "POST"])
def abandon(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _reason_dialog(
        request,
        pk,
        kind="abandon",
        service=services.opportunity_abandon,
        message=_("The opportunity is abandoned."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _reason_dialog(
        request,
        pk,
        kind="reopen",
        service=services.opportunity_reopen,
        message=_("The opportunity is open again."),
    )
