"""Shared helpers for pipeline tests: a registered customer with contacts and an opportunity on
it, made through the services (as a user would), and a way to satisfy a stage's gate."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from keyaccount.contacts.models import Contact
from keyaccount.contacts.services import contact_create
from keyaccount.customers import services as customer_services
from keyaccount.customers.models import Customer
from keyaccount.org.models import Industry, Region, User
from keyaccount.pipeline import rules, services
from keyaccount.pipeline.models import Opportunity, RiskFactor
from keyaccount.process.models import ExitCriterion


def registered_customer(
    *, owner: User, assistant: User, name: str = "测试电网有限公司", contacts: int = 3
) -> Customer:
    """A registered customer of ``owner`` with a region, an industry and ``contacts`` contacts
    reporting to the first one."""
    result = customer_services.registration_request(
        actor=owner,
        data={
            "name": name,
            "region": Region.objects.filter(kind=Region.Kind.PROVINCE).first(),
            "industry": Industry.objects.first(),
        },
        confirm_not_duplicate=True,
    )
    assert result.request is not None
    customer_services.registration_decide(actor=assistant, request=result.request, approve=True)
    customer = Customer.objects.get(pk=result.request.customer_id)
    boss: Contact | None = None
    for i in range(contacts):
        data: dict[str, Any] = {"name": f"联系人{i + 1}", "title": "总经理" if i == 0 else "处长"}
        if boss is not None:
            data["reports_to"] = boss
        contact = contact_create(actor=owner, customer=customer, data=data)
        boss = boss or contact
    return customer


def make_opportunity(
    *,
    owner: User,
    customer: Customer,
    name: str = "调度自动化系统升级",
    amount: Decimal = Decimal("3500000.00"),
    signing: date | None = None,
    **data: Any,
) -> Opportunity:
    return services.opportunity_create(
        actor=owner,
        customer=customer,
        data={
            "name": name,
            "amount": amount,
            "expected_signing": signing or timezone.localdate() + timedelta(days=120),
            **data,
        },
    )


def low_risk_scores() -> dict[str, services.ScoreInput]:
    return {
        code: services.ScoreInput(1) for code in RiskFactor.objects.values_list("code", flat=True)
    }


def high_risk_scores() -> dict[str, services.ScoreInput]:
    return {
        code: services.ScoreInput(5) for code in RiskFactor.objects.values_list("code", flat=True)
    }


def _grader(opp: Opportunity) -> User | None:
    """Someone who may grade the deal's customer: the owner's unit manager, else a superuser."""
    unit = opp.customer.owner.unit
    if unit is not None and unit.manager_id:
        return unit.manager
    return User.objects.filter(is_superuser=True, is_active=True).first()


def supply_evidence(opp: Opportunity, *, actor: User) -> None:
    """What the default playbook's evidence criteria ask of the record: the deal fits the
    strategy, the customer is graded, and the power map has a decision maker, a technical
    evaluator and a user, all supporters."""
    opp.refresh_from_db()
    if not opp.strategic_fit:
        services.opportunity_update(
            actor=opp.owner,
            opportunity=opp,
            data={"strategic_fit": True},
            expected_version=opp.version,
        )
    customer = opp.customer
    customer.refresh_from_db()
    grader = _grader(opp)
    if not customer.grade and grader is not None:
        customer_services.grade_set(actor=grader, customer=customer, grade="A", reason="重点客户")
    roles = ["decision_maker", "technical_evaluator", "user"]
    have = set(opp.buying_roles.values_list("role", flat=True))
    contacts = list(Contact.objects.filter(customer=customer).order_by("pk"))
    for role, contact in zip(roles, contacts, strict=False):
        if role not in have and not opp.buying_roles.filter(contact=contact).exists():
            services.buying_role_set(
                actor=actor,
                opportunity=opp,
                contact=contact,
                data={"role": role, "influence": "high", "attitude": "supporter"},
            )


def satisfy_stage(opp: Opportunity, *, actor: User) -> None:
    """Check every manual criterion of the current stage, confirm every element, supply what
    its evidence criteria ask of the record (``supply_evidence``) and the forms the default
    playbook asks for (a follow-up entry, a low-risk assessment, an evaluation), so the gate
    opens."""
    opp.refresh_from_db()
    if opp.is_open:
        supply_evidence(opp, actor=actor)
    for criterion in ExitCriterion.objects.filter(stage_id=opp.stage_id, evidence=[]):
        services.criterion_set(actor=actor, opportunity=opp, criterion=criterion, checked=True)
    for element in rules.Element.values:
        services.element_set(
            actor=actor, opportunity=opp, element=element, status="confirmed", notes="已确认"
        )
    if not opp.follow_ups.exists():
        services.follow_up_add(
            actor=actor, opportunity=opp, on=timezone.localdate(), progress="拜访客户，确认需求"
        )
    if not opp.risk_assessments.exists():
        services.risk_assess(
            actor=actor, opportunity=opp, assessed_on=timezone.localdate(), scores=low_risk_scores()
        )
    if not opp.customer.evaluations.exists():
        customer_services.evaluation_create(
            actor=opp.customer.owner,
            customer=opp.customer,
            data={
                "evaluated_on": timezone.localdate(),
                "relationship": 3,
                "needs_clarity": 3,
                "competitive_position": 3,
                "solution_fit": 3,
                "payment_ability": 3,
                "summary": "关系稳定",
            },
        )
    opp.refresh_from_db()


def advance_to(opp: Opportunity, *, actor: User, stage_order: int) -> Opportunity:
    """Walk ``opp`` step by step through the gates until it is in the stage ``stage_order``."""
    opp.refresh_from_db()
    while opp.stage.order < stage_order:
        satisfy_stage(opp, actor=actor)
        services.opportunity_move(actor=actor, opportunity=opp)
        opp.refresh_from_db()
    return opp
