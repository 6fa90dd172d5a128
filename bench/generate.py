"""A large, realistic organisation for the benchmark (its size as parameters)."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from keyaccount.customers import rules, services
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.demo import load_demo
from keyaccount.org.models import Industry, OrgUnit, Region, Role, RoleAssignment, User
from keyaccount.org.rules import RoleCode
from keyaccount.pipeline import rules as deal_rules
from keyaccount.pipeline.models import (
    Competitor,
    KeyElement,
    LossReason,
    Opportunity,
    OpportunityMember,
    StageTransition,
)
from keyaccount.process.models import Stage, Step

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅鹏飞波宇浩然"


@transaction.atomic
def generate(
    *,
    teams: int,
    members_per_team: int,
    customers: int,
    password: str,
    opportunities: int = 100_000,
    seed: int = 7,
) -> dict[str, int]:
    """Demo company plus ``teams`` extra teams of ``members_per_team`` KAMs and a consultant
    each, ``customers`` customers and ``opportunities`` opportunities on them."""
    rng = random.Random(seed)
    load_demo(password=password)
    dept = OrgUnit.objects.get(name="大客户部")
    kam = Role.objects.get(code=RoleCode.KAM)
    units = OrgUnit.objects.bulk_create(
        [
            OrgUnit(name=f"区域团队{i:04d}", kind=OrgUnit.Kind.TEAM, parent=dept)
            for i in range(teams)
        ]
    )
    users = []
    for unit in units:
        for j in range(members_per_team):
            name = rng.choice(SURNAMES) + "".join(
                rng.choice(GIVEN) for _ in range(rng.randint(1, 2))
            )
            users.append(
                User(username=f"u{unit.pk}_{j}", display_name=name, unit=unit, password="!")
            )
    for user in users:
        user.refresh_name_keys()  # bulk_create skips save()
    User.objects.bulk_create(users, batch_size=1000)
    created = User.objects.filter(username__startswith="u")
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, role=kam) for u in created], batch_size=1000
    )
    _customers(rng, customers, list(created[: max(1, len(created))]))
    consultants = [
        User(username=f"c{unit.pk}", display_name=_person(rng), unit=unit, password="!")
        for unit in units
    ]
    for user in consultants:
        user.refresh_name_keys()
    User.objects.bulk_create(consultants, batch_size=1000)
    consultant_role = Role.objects.get(code=RoleCode.CONSULTANT)
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, role=consultant_role) for u in consultants], batch_size=1000
    )
    _opportunities(rng, opportunities, {u.unit_id: u.pk for u in consultants})
    return {
        "units": OrgUnit.objects.count(),
        "users": User.objects.count(),
        "customers": Customer.objects.count(),
        "opportunities": Opportunity.objects.count(),
    }


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


CITY = "江苏浙江上海北京天津河北山东广东四川湖北湖南河南福建安徽辽宁陕西"
TRADE = ["电网运营", "商业银行", "农村商业银行", "移动通信", "智能制造", "重型机械", "石化工程",
         "物流", "港口装备", "新能源", "精密传动", "数据服务", "城市燃气", "轨道交通"]  # fmt: skip
FORM = ["有限公司", "股份有限公司", "集团有限公司", "有限责任公司"]


def _customers(rng: random.Random, count: int, owners: list[User]) -> None:
    """``count`` registered, scored customers spread over the generated KAMs, in bulk."""
    regions = list(Region.objects.filter(kind=Region.Kind.PROVINCE))
    industries = list(Industry.objects.all())
    rows = []
    for i in range(count):
        place = CITY[2 * rng.randrange(len(CITY) // 2) :][:2]
        brand = rng.choice(SURNAMES) + rng.choice(GIVEN)
        name = f"{place}{brand}{rng.choice(TRADE)}{i:05d}{rng.choice(FORM)}"
        owner = rng.choice(owners)
        customer = Customer(
            name=name,
            owner=owner,
            owner_unit_id=owner.unit_id,  # bulk_create skips save(), which keeps it
            status=RegistrationStatus.REGISTERED,
            region=rng.choice(regions),
            industry=rng.choice(industries),
            revenue=Decimal(rng.randint(1, 5000)) * 1_000_000,
            employees=rng.randint(50, 60000),
            score=Decimal(rng.randint(200, 950)) / 10,
        )
        customer.grade = rules.suggest_grade(customer.score, THRESHOLDS) or ""
        customer.suggested_grade = customer.grade
        services.refresh_keys(customer)
        rows.append(customer)
    Customer.objects.bulk_create(rows, batch_size=2000)


THRESHOLDS = rules.Thresholds(a=Decimal(80), b=Decimal(65), c=Decimal(45))


PROJECTS = ["调度自动化系统升级", "核心业务系统国产化改造", "5G专网智慧工厂", "数据中心灾备建设",
            "配电自动化主站升级", "用电信息采集系统扩容", "设备健康管理平台", "MES制造执行系统升级",
            "智慧仓储管理系统", "信贷管理系统国产化改造", "移动银行App重构", "网络安全态势感知平台",
            "数据中台建设", "智能客服系统", "供应链协同平台", "变电站智能巡检", "工控安全防护体系",
            "财务共享中心", "机房动环监控系统", "营销稽查监控平台"]  # fmt: skip
PHASES = ["", "", "", "（一期）", "（二期）", "扩容", "运维服务"]
SOURCES = list(deal_rules.Source.values)
# open deals by stage order (1..5), closed deals by outcome
OPEN_STAGE_WEIGHTS = [30, 22, 20, 15, 13]
STATUS_WEIGHTS = {
    deal_rules.Status.OPEN: 60,
    deal_rules.Status.WON: 15,
    deal_rules.Status.LOST: 15,
    deal_rules.Status.ABANDONED: 10,
}
BATCH = 5000


def _opportunities(rng: random.Random, count: int, consultants: dict[int, int]) -> None:
    """``count`` opportunities on the generated customers (their owners own the deals), spread
    over stages and outcomes, with a created and a current-stage transition each, the six key
    evaluation elements, and a consultant on one deal in eight. In batches, set-based."""
    stages = list(Stage.objects.order_by("order"))
    steps = {s.pk: list(Step.objects.filter(stage=s).order_by("order")) for s in stages}
    customers = list(
        Customer.objects.filter(
            status=RegistrationStatus.REGISTERED, owner__username__startswith="u"
        ).values_list("pk", "owner_id", "owner__unit_id", "short_name", "name")
    )
    # The demo KAM liu.yang gets a realistic book of her own on her demo customers.
    liu = User.objects.get(username="liu.yang")
    mine = list(
        Customer.objects.filter(owner=liu).values_list(
            "pk", "owner_id", "owner__unit_id", "short_name", "name"
        )
    )
    losses = list(LossReason.objects.all())
    winners = list(Competitor.objects.all())
    now = timezone.now()
    today = timezone.localdate()
    statuses = list(STATUS_WEIGHTS)
    status_weights = list(STATUS_WEIGHTS.values())
    for start in range(0, count, BATCH):
        opps: list[Opportunity] = []
        plans: list[tuple[int, datetime]] = []  # (consultant or 0, created at)
        for i in range(start, min(start + BATCH, count)):
            pk, owner_id, unit_id, short, name = rng.choice(mine if i % 300 == 0 else customers)
            status = rng.choices(statuses, status_weights)[0]
            if status == deal_rules.Status.OPEN:
                stage = rng.choices(stages[:5], OPEN_STAGE_WEIGHTS)[0]
            elif status == deal_rules.Status.WON:
                stage = stages[5]
            elif status == deal_rules.Status.LOST:
                stage = rng.choice(stages[2:5])
            else:
                stage = rng.choice(stages[:2])
            step = rng.choice(steps[stage.pk]) if steps[stage.pk] else None
            entered = now - timedelta(days=rng.randint(1, 150), minutes=rng.randint(0, 600))
            created = entered - timedelta(days=rng.randint(0, 60) * (stage.order - 1))
            closed = None
            if status == deal_rules.Status.WON:
                closed = entered  # winning is entering implementation
            elif status != deal_rules.Status.OPEN:
                closed = min(entered + timedelta(days=rng.randint(0, 20)), now)
            risk = rng.choices(["low", "medium", "high", ""], [55, 25, 8, 12])[0]
            decision = (
                rng.choice(["pending", "continue", "continue"]) if risk == "high" else
                ("not_needed" if risk else "")
            )  # fmt: skip
            override = rng.random() < 0.04
            opps.append(
                Opportunity(
                    customer_id=pk,
                    name=f"{(short or name)[:12]}{rng.choice(PROJECTS)}{rng.choice(PHASES)}",
                    amount=Decimal(
                        rng.choice([5, 8, 12, 20, 35, 50, 80, 120, 260, 500, 900, 1500, 3000, 5000])
                    )
                    * 10_000
                    + Decimal(rng.randint(0, 99)) * 1000,
                    currency="CNY" if rng.random() < 0.97 else "USD",
                    expected_signing=today + timedelta(days=rng.randint(-60, 360)),
                    products="方案与实施服务",
                    source=rng.choice(SOURCES),
                    strategic_fit=rng.random() < 0.8,
                    owner_id=owner_id,
                    owner_unit_id=unit_id,  # bulk_create skips save(), which keeps it
                    stage=stage,
                    step=step,
                    stage_entered_at=entered,
                    status=status,
                    probability_override=rng.randint(5, 95) if override else None,
                    probability_reason="客户高层已口头确认" if override else "",
                    closed_at=closed,
                    loss_reason=rng.choice(losses) if status == deal_rules.Status.LOST else None,
                    winner=rng.choice(winners)
                    if status == deal_rules.Status.LOST and winners
                    else None,
                    close_reason="预算取消" if status in ("lost", "abandoned") else "",
                    risk_level=risk,
                    risk_decision=decision,
                    signing_slips=rng.choice([0, 0, 0, 0, 0, 0, 0, 1, 1, 2]),
                )
            )
            consultant = consultants.get(unit_id, 0) if rng.random() < 0.125 else 0
            plans.append((consultant, created))
        Opportunity.objects.bulk_create(opps, batch_size=1000)
        _deal_rows(rng, opps, plans, stages, steps)


def _deal_rows(
    rng: random.Random,
    opps: list[Opportunity],
    plans: list[tuple[int, datetime]],
    stages: list[Stage],
    steps: dict[int, list[Step]],
) -> None:
    transitions: list[StageTransition] = []
    elements: list[KeyElement] = []
    members: list[OpportunityMember] = []
    first_step = steps[stages[0].pk][0] if steps[stages[0].pk] else None
    for opp, (consultant, created) in zip(opps, plans, strict=True):
        transitions.append(
            StageTransition(
                opportunity=opp, kind="created", to_stage=stages[0], to_step=first_step,
                to_status="open", actor_id=opp.owner_id, at=created,
            )
        )  # fmt: skip
        if opp.stage.order > 1:
            before = stages[opp.stage.order - 2]
            transitions.append(
                StageTransition(
                    opportunity=opp,
                    kind="won" if opp.status == "won" else "advance",
                    from_stage=before, from_step=(steps[before.pk] or [None])[-1],
                    from_status="open",
                    to_stage=opp.stage, to_step=opp.step,
                    to_status="won" if opp.status == "won" else "open",
                    actor_id=opp.owner_id, at=opp.stage_entered_at,
                )
            )  # fmt: skip
        if opp.status in ("lost", "abandoned"):
            transitions.append(
                StageTransition(
                    opportunity=opp, kind=opp.status, from_stage=opp.stage, from_step=opp.step,
                    from_status="open", to_stage=opp.stage, to_step=opp.step,
                    to_status=opp.status, actor_id=opp.owner_id, at=opp.closed_at,
                    reason=opp.close_reason,
                )
            )  # fmt: skip
        known = min(opp.stage.order, 5)
        for e in deal_rules.Element.values:
            status = rng.choices(["unknown", "partly", "confirmed"], [6 - known, 3, known])[0]
            elements.append(KeyElement(opportunity=opp, element=e, status=status))
        if consultant:
            members.append(
                OpportunityMember(opportunity=opp, user_id=consultant, role="consultant")
            )
    StageTransition.objects.bulk_create(transitions, batch_size=2000)
    KeyElement.objects.bulk_create(elements, batch_size=2000)
    OpportunityMember.objects.bulk_create(members, batch_size=2000)
