"""Read the playbook and an opportunity into the pure gate's input (``rules.GateInput``).

A handful of queries per opportunity, none per criterion or form: what the record says for the
evidence criteria (``rules.EvidenceData``) is read only for the facts the stage's criteria ask
about, one query per kind at most. Pages, the API and the services all call ``gate_input``, so
what a page shows as missing is what a move is refused for.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from keyaccount.customers.models import Evaluation, RegistrationStatus
from keyaccount.org.models import User
from keyaccount.org.rules import RoleCode
from keyaccount.process.evidence import Fact, describe
from keyaccount.process.models import ExitCriterion, FormCode, RequiredForm, Stage, Step

from . import permissions, rules
from .models import (
    BuyingRoleEntry,
    Contract,
    CriterionCheck,
    ElementRequirement,
    FollowUp,
    KeyElement,
    Opportunity,
    OpportunityMember,
    PaymentMilestone,
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


def risk_cleared(opp: Opportunity) -> bool:
    """Assessed, and not high risk unless a sales director decided to continue (the latest
    assessment's level and decision are kept on the deal)."""
    if not opp.risk_level:
        return False
    return (
        opp.risk_level != rules.RiskLevel.HIGH or opp.risk_decision == rules.RiskDecision.CONTINUE
    )


def evidence_data(
    opp: Opportunity,
    facts: Iterable[Mapping[str, Any]],
    *,
    elements: Mapping[str, str],
    forms: Mapping[str, bool],
) -> rules.EvidenceData:
    """What the record says about ``opp`` for ``facts``: one query per kind of fact asked about,
    none for what is on the deal already (risk, grade, strategic fit)."""
    kinds = {f.get("fact") for f in facts}
    wanted_forms = {f.get("form") for f in facts if f.get("fact") == Fact.FORM}
    on_file = {code for code, present in forms.items() if present}
    for code in wanted_forms - set(forms):
        if code in FORM_PRESENT and FORM_PRESENT[code](opp):
            on_file.add(code)
    contacts: list[tuple[str, str]] = []
    if Fact.BUYING_ROLES in kinds:
        contacts = list(
            BuyingRoleEntry.objects.filter(opportunity_id=opp.pk).values_list("role", "attitude")
        )
    milestones: list[tuple[bool, bool]] = []
    if Fact.MILESTONES in kinds:
        milestones = [
            (accepted is not None, (collected or Decimal(0)) >= amount)
            for accepted, collected, amount in PaymentMilestone.objects.filter(
                contract__opportunity_id=opp.pk
            ).values_list("accepted_on", "collected_amount", "amount")
        ]
    new_opportunity = False
    if Fact.NEW_OPPORTUNITY in kinds and opp.status == rules.Status.WON and opp.closed_at:
        new_opportunity = (
            Opportunity.objects.filter(customer_id=opp.customer_id, created_at__gt=opp.closed_at)
            .exclude(pk=opp.pk)
            .exists()
        )
    return rules.EvidenceData(
        forms=frozenset(on_file),
        risk_cleared=risk_cleared(opp),
        elements=dict(elements),
        contacts=contacts,
        customer_graded=bool(opp.customer.grade),
        strategic_fit=bool(opp.strategic_fit),
        contract_signed=Fact.CONTRACT_SIGNED in kinds
        and Contract.objects.filter(opportunity_id=opp.pk).exists(),
        milestones=milestones,
        new_opportunity=new_opportunity,
    )


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
        rules.CriterionState(
            c.pk, c.text, c.mandatory, c.step_id, c.pk in checked, tuple(c.evidence or ())
        )
        for c in ExitCriterion.objects.filter(stage_id=stage.pk).order_by("order", "id")
    ]
    required = list(RequiredForm.objects.filter(stage_id=stage.pk).order_by("id"))
    present = {rf.form: FORM_PRESENT.get(rf.form, _not_recorded_yet)(opp) for rf in required}
    forms = [
        rules.FormState(rf.form, str(rf.get_form_display()), rf.step_id, present[rf.form])
        for rf in required
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
        evidence=evidence_data(
            opp, [f for c in criteria for f in c.evidence], elements=actual, forms=present
        ),
        in_last_stage=not Stage.objects.filter(order__gt=stage.order).exists(),
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
    return stage, first_step(stage)


def first_step(stage: Stage) -> Step | None:
    """Where a deal entering ``stage`` starts (None when the stage has no steps)."""
    return Step.objects.filter(stage=stage).order_by("order").first()


def responsible_roles(stage_id: int) -> dict[int, frozenset[str]]:
    """The role codes each step of the stage names as responsible (one query)."""
    through = Step.roles.through
    found: dict[int, set[str]] = {}
    for step_id, code in through.objects.filter(step__stage_id=stage_id).values_list(
        "step_id", "role__code"
    ):
        found.setdefault(step_id, set()).add(code)
    return {step_id: frozenset(codes) for step_id, codes in found.items()}


def tickers(
    criterion: ExitCriterion, roles: Mapping[int, frozenset[str]] | None = None
) -> frozenset[str]:
    """Who besides the owner and their managers may tick ``criterion``: the roles its step
    names (none for a criterion of the stage as a whole)."""
    if criterion.step_id is None:
        return frozenset()
    if roles is None:
        roles = responsible_roles(criterion.stage_id)
    return roles.get(criterion.step_id, frozenset())


def who_may_tick(criterion: ExitCriterion, responsible: frozenset[str]) -> str:
    """The refusal for someone who may not tick ``criterion``, saying who may."""
    return _who_may(criterion.text, responsible, dict(RoleCode.choices))


def _who_may(text: str, responsible: frozenset[str], names: Mapping[str, Any]) -> str:
    if not responsible:
        return _("Only the deal's owner or their managers may tick “%(criterion)s”.") % {
            "criterion": text
        }
    roles = _("、").join(str(names.get(code, code)) for code in sorted(responsible))
    return _(
        "Only the deal's owner, their managers or a team member who is %(roles)s may tick "
        "“%(criterion)s”."
    ) % {"roles": roles, "criterion": text}


@dataclass(frozen=True)
class CriterionView:
    """One criterion of the checklist as ``user`` sees it."""

    state: rules.CriterionState
    met: bool  # by its evidence, or by a tick
    check: CriterionCheck | None  # the tick (manual criteria), with who/when/note
    may_tick: bool  # ``user`` may tick or untick it (manual criteria only)
    who_may: str  # who may, when ``user`` may not
    evidence_text: str  # what makes it met, for a criterion with evidence
    unmet: tuple[Mapping[str, Any], ...]  # its facts that do not hold yet

    @property
    def evidence(self) -> bool:
        return bool(self.state.evidence)


@dataclass(frozen=True)
class Checklist:
    gate: rules.GateInput
    criteria: tuple[CriterionView, ...]
    missing: tuple[rules.Missing, ...]

    def row(self, criterion_id: int) -> CriterionView | None:
        return next((c for c in self.criteria if c.state.id == criterion_id), None)


def checklist(opp: Opportunity, *, user: User, acc: permissions.DealAccess) -> Checklist:
    """The gate of the current stage as ``user`` sees it: each criterion met or not (by its
    evidence or its tick), who ticked it, whether ``user`` may tick it, and what is still
    missing to leave the stage. A fixed number of queries."""
    gate = gate_input(opp)
    checks = criterion_checks(opp)
    roles = responsible_roles(opp.stage_id)
    team_role = (
        OpportunityMember.objects.filter(opportunity_id=opp.pk, user_id=user.pk)
        .values_list("role", flat=True)
        .first()
    )
    held = permissions.roles_held(permissions.capabilities_for(user), team_role)
    workable = opp.status in (rules.Status.OPEN, rules.Status.WON)
    names = dict(RoleCode.choices)
    views = []
    for c in gate.criteria:
        responsible = roles.get(c.step_id, frozenset()) if c.step_id else frozenset()
        may = (
            workable
            and not c.evidence
            and permissions.may_tick(acc, responsible=responsible, held=held)
        )
        views.append(
            CriterionView(
                state=c,
                met=gate.met(c),
                check=checks.get(c.id) if not c.evidence else None,
                may_tick=may,
                who_may="" if may or c.evidence else _who_may(c.text, responsible, names),
                evidence_text=describe(c.evidence) if c.evidence else "",
                unmet=tuple(rules.unmet(c.evidence, gate.evidence)) if c.evidence else (),
            )
        )
    # Leaving the stage before implementation is the win, which records the contract: what
    # is missing to leave it is what the won dialog says (no "contract signed").
    leaving = gate
    if Stage.objects.filter(order__gt=opp.stage.order).count() == 1:
        leaving = replace(gate, evidence=replace(gate.evidence, contract_signed=True))
    return Checklist(gate, tuple(views), rules.missing_to_leave(leaving, whole_stage=True).missing)
