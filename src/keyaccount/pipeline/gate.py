"""Read the playbook and an opportunity into the pure gate's input (``rules.GateInput``).

A handful of queries per opportunity, none per criterion or form. Pages, the API and the
services all call ``gate_input``, so what a page shows as missing is what a move is refused for.
"""

from collections.abc import Callable

from keyaccount.customers.models import Evaluation, RegistrationStatus
from keyaccount.process.models import ExitCriterion, FormCode, RequiredForm, Stage, Step

from . import rules
from .models import (
    CriterionCheck,
    ElementRequirement,
    FollowUp,
    KeyElement,
    Opportunity,
    RiskAssessment,
)


def _profile_filled(opp: Opportunity) -> bool:
    c = opp.customer
    return c.status == RegistrationStatus.REGISTERED and bool(c.region_id and c.industry_id)


def _follow_up(opp: Opportunity) -> bool:
    return FollowUp.objects.filter(opportunity_id=opp.pk).exists()


def _risk(opp: Opportunity) -> bool:
    return RiskAssessment.objects.filter(opportunity_id=opp.pk).exists()


def _evaluation(opp: Opportunity) -> bool:
    return Evaluation.objects.filter(customer_id=opp.customer_id).exists()


def _not_recorded_yet(opp: Opportunity) -> bool:
    """Daily contact logs and weekly reports are recorded by the activities module; until it
    is installed nothing can satisfy a playbook that requires them."""
    return False


FORM_PRESENT: dict[str, Callable[[Opportunity], bool]] = {
    FormCode.CUSTOMER_PROFILE: _profile_filled,
    FormCode.KA_FOLLOW_UP: _follow_up,
    FormCode.RISK_ASSESSMENT: _risk,
    FormCode.COMPREHENSIVE_EVALUATION: _evaluation,
    FormCode.DAILY_CONTACT_LOG: _not_recorded_yet,
    FormCode.WEEKLY_REPORT: _not_recorded_yet,
}


def stage_orders() -> list[int]:
    return list(Stage.objects.order_by("order").values_list("order", flat=True))


def gate_input(opp: Opportunity) -> rules.GateInput:
    """The gate's view of ``opp`` in its current stage."""
    stage = opp.stage
    step_ids = list(
        Step.objects.filter(stage_id=stage.pk).order_by("order").values_list("id", flat=True)
    )
    checked = set(
        CriterionCheck.objects.filter(
            opportunity_id=opp.pk, criterion__stage_id=stage.pk
        ).values_list("criterion_id", flat=True)
    )
    criteria = [
        rules.CriterionState(c.pk, c.text, c.mandatory, c.step_id, c.pk in checked)
        for c in ExitCriterion.objects.filter(stage_id=stage.pk).order_by("order", "id")
    ]
    forms = [
        rules.FormState(
            rf.form,
            str(rf.get_form_display()),
            rf.step_id,
            FORM_PRESENT.get(rf.form, _not_recorded_yet)(opp),
        )
        for rf in RequiredForm.objects.filter(stage_id=stage.pk).order_by("id")
    ]
    actual = dict(KeyElement.objects.filter(opportunity_id=opp.pk).values_list("element", "status"))
    elements = [
        rules.ElementState(
            req.element,
            str(req.get_element_display()),
            req.minimum,
            actual.get(req.element, rules.Knowledge.UNKNOWN),
        )
        for req in ElementRequirement.objects.filter(stage_id=stage.pk).order_by("id")
    ]
    return rules.GateInput(
        stage_id=stage.pk,
        stage_order=stage.order,
        step_id=opp.step_id,
        step_ids=step_ids,
        criteria=criteria,
        forms=forms,
        elements=elements,
        risk_pending=opp.risk_decision == rules.RiskDecision.PENDING,
        status=opp.status,
    )


def criterion_checks(opp: Opportunity) -> dict[int, CriterionCheck]:
    """The checks of the current stage's criteria by criterion id, with who checked them."""
    return {
        c.criterion_id: c
        for c in CriterionCheck.objects.filter(
            opportunity_id=opp.pk, criterion__stage_id=opp.stage_id
        ).select_related("checked_by")
    }


def move_target(opp: Opportunity, outcome: rules.MoveOutcome) -> tuple[Stage, Step | None]:
    """Where an allowed move takes ``opp``: the next step of its stage (a step move), or the
    first step of the stage ``outcome`` names (an advance, a move back, a win)."""
    if outcome.kind == rules.Move.STEP:
        steps = list(Step.objects.filter(stage_id=opp.stage_id).order_by("order"))
        ids = [s.pk for s in steps]
        at = ids.index(opp.step_id) + 1 if opp.step_id in ids else 0
        return opp.stage, steps[min(at, len(steps) - 1)] if steps else None
    stage = Stage.objects.get(order=int(outcome.to_stage_order or 0))
    return stage, Step.objects.filter(stage=stage).order_by("order").first()
