"""The benchmark's opportunities with their full histories, in bulk.

Each deal gets a ``created`` transition, one ``advance`` per stage up to its current one (the
last into implementation is the ``won``), and a closing transition when lost or abandoned; the
six key evaluation elements; a consultant on one deal in eight. Rows are built in Python as
plain dicts, in batches of ``BATCH`` deals, and written through ``core.bulk`` (millions of
rows on L).
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from keyaccount.core import bulk
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.org.models import User
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

PROJECTS = ["调度自动化系统升级", "核心业务系统国产化改造", "5G专网智慧工厂", "数据中心灾备建设",
            "配电自动化主站升级", "用电信息采集系统扩容", "设备健康管理平台", "MES制造执行系统升级",
            "智慧仓储管理系统", "信贷管理系统国产化改造", "移动银行App重构", "网络安全态势感知平台",
            "数据中台建设", "智能客服系统", "供应链协同平台", "变电站智能巡检", "工控安全防护体系",
            "财务共享中心", "机房动环监控系统", "营销稽查监控平台"]  # fmt: skip
PHASES = ["", "", "", "（一期）", "（二期）", "扩容", "运维服务"]
AMOUNTS = [5, 8, 12, 20, 35, 50, 80, 120, 260, 500, 900, 1500, 3000, 5000]  # 万元
SOURCES = list(deal_rules.Source.values)
ELEMENTS = list(deal_rules.Element.values)
# open deals by stage order (1..5), closed deals by outcome
OPEN_STAGE_WEIGHTS = [30, 22, 20, 15, 13]
STATUS_WEIGHTS = {
    deal_rules.Status.OPEN: 60,
    deal_rules.Status.WON: 15,
    deal_rules.Status.LOST: 15,
    deal_rules.Status.ABANDONED: 10,
}
BATCH = 20_000
TABLES = (Opportunity, StageTransition, KeyElement, OpportunityMember)
Row = dict[str, Any]


class _Context:
    """What every deal is drawn from, read once."""

    def __init__(self) -> None:
        self.stages = list(Stage.objects.order_by("order"))
        self.order = {s.pk: s.order for s in self.stages}
        self.steps = {
            s.pk: list(Step.objects.filter(stage=s).order_by("order").values_list("pk", flat=True))
            for s in self.stages
        }
        fields = ("pk", "owner_id", "owner__unit_id", "short_name", "name")
        self.customers = list(
            Customer.objects.filter(
                status=RegistrationStatus.REGISTERED, owner__username__startswith="u"
            ).values_list(*fields)
        )
        # The demo KAM liu.yang gets a realistic book of her own on her demo customers.
        liu = User.objects.get(username="liu.yang")
        self.mine = list(Customer.objects.filter(owner=liu).values_list(*fields))
        self.losses = list(LossReason.objects.values_list("pk", flat=True))
        self.winners = list(Competitor.objects.values_list("pk", flat=True))
        self.now = timezone.now()
        self.today = timezone.localdate()

    def first_step(self, stage_id: int) -> int | None:
        return (self.steps[stage_id] or [None])[0]

    def last_step(self, stage_id: int) -> int | None:
        return (self.steps[stage_id] or [None])[-1]


def opportunities(rng: random.Random, count: int, consultants: dict[int, int]) -> None:
    """``count`` opportunities on the generated customers (their owners own the deals), spread
    over stages and outcomes, with their histories."""
    ctx = _Context()
    ids = {model: bulk.Ids(model) for model in TABLES}
    for start in range(0, count, BATCH):
        opps: list[Row] = []
        plans: list[tuple[int, datetime]] = []  # (consultant or 0, created at)
        for i in range(start, min(start + BATCH, count)):
            opp, created = _deal(rng, ctx, ctx.mine if i % 300 == 0 and ctx.mine else ctx.customers)
            opps.append(opp)
            consultant = consultants.get(opp["owner_unit_id"], 0) if rng.random() < 0.125 else 0
            plans.append((consultant, created))
        ids[Opportunity].assign(opps)
        bulk.insert(Opportunity, opps)
        for model, rows in zip(TABLES[1:], _deal_rows(rng, ctx, opps, plans), strict=True):
            ids[model].assign(rows)
            bulk.insert(model, rows)
    bulk.reset_sequences(*TABLES)


def _deal(rng: random.Random, ctx: _Context, pool: list[tuple[Any, ...]]) -> tuple[Row, datetime]:
    pk, owner_id, unit_id, short, name = rng.choice(pool)
    status = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
    stages = ctx.stages
    if status == deal_rules.Status.OPEN:
        stage = rng.choices(stages[:5], OPEN_STAGE_WEIGHTS)[0]
    elif status == deal_rules.Status.WON:
        stage = stages[5]
    elif status == deal_rules.Status.LOST:
        stage = rng.choice(stages[2:5])
    else:
        stage = rng.choice(stages[:2])
    step = rng.choice(ctx.steps[stage.pk]) if ctx.steps[stage.pk] else None
    entered = ctx.now - timedelta(days=rng.randint(1, 150), minutes=rng.randint(0, 600))
    created = entered - timedelta(days=rng.randint(0, 60) * (stage.order - 1))
    closed = None
    if status == deal_rules.Status.WON:
        closed = entered  # winning is entering implementation
    elif status != deal_rules.Status.OPEN:
        closed = min(entered + timedelta(days=rng.randint(0, 20)), ctx.now)
    risk = rng.choices(["low", "medium", "high", ""], [55, 25, 8, 12])[0]
    decision = (
        rng.choice(["pending", "continue", "continue"]) if risk == "high" else
        ("not_needed" if risk else "")
    )  # fmt: skip
    override = rng.random() < 0.04
    lost = status == deal_rules.Status.LOST
    opp = {
        "customer_id": pk,
        "name": f"{(short or name)[:12]}{rng.choice(PROJECTS)}{rng.choice(PHASES)}",
        "amount": Decimal(rng.choice(AMOUNTS)) * 10_000 + Decimal(rng.randint(0, 99)) * 1000,
        "currency": "CNY" if rng.random() < 0.97 else "USD",
        "expected_signing": ctx.today + timedelta(days=rng.randint(-60, 360)),
        "products": "方案与实施服务",
        "source": rng.choice(SOURCES),
        "strategic_fit": rng.random() < 0.8,
        "owner_id": owner_id,
        "owner_unit_id": unit_id,  # no save(), which keeps it
        "stage_id": stage.pk,
        "step_id": step,
        "stage_entered_at": entered,
        "status": status,
        "probability_override": rng.randint(5, 95) if override else None,
        "probability_reason": "客户高层已口头确认" if override else "",
        "closed_at": closed,
        "loss_reason_id": rng.choice(ctx.losses) if lost and ctx.losses else None,
        "winner_id": rng.choice(ctx.winners) if lost and ctx.winners else None,
        "close_reason": "预算取消" if status in ("lost", "abandoned") else "",
        "risk_level": risk,
        "risk_decision": decision,
        "signing_slips": rng.choice([0, 0, 0, 0, 0, 0, 0, 1, 1, 2]),
        "created_at": created,
    }
    return opp, created


def _move(opp: Row, kind: str, at: datetime, **fields: Any) -> Row:
    return {"opportunity_id": opp["id"], "kind": kind, "actor_id": opp["owner_id"], "at": at,
            "from_status": "open", **fields}  # fmt: skip


def _history(ctx: _Context, opp: Row, created: datetime) -> list[Row]:
    """Created, every advance up to the deal's stage (evenly spread in time), the close."""
    stages = ctx.stages
    first = stages[0].pk
    rows = [
        _move(opp, "created", created, from_status="", to_stage_id=first,
              to_step_id=ctx.first_step(first), to_status="open")
    ]  # fmt: skip
    moves = ctx.order[opp["stage_id"]] - 1
    entered = opp["stage_entered_at"]
    span = entered - created
    for n in range(1, moves + 1):
        before, after = stages[n - 1].pk, stages[n].pk
        won = opp["status"] == "won" and n == moves
        last = n == moves
        rows.append(
            _move(
                opp, "won" if won else "advance", entered if last else created + span * n / moves,
                from_stage_id=before, from_step_id=ctx.last_step(before), to_stage_id=after,
                to_step_id=opp["step_id"] if last else ctx.first_step(after),
                to_status="won" if won else "open",
            )
        )  # fmt: skip
    if opp["status"] in ("lost", "abandoned"):
        rows.append(
            _move(
                opp, opp["status"], opp["closed_at"], from_stage_id=opp["stage_id"],
                from_step_id=opp["step_id"], to_stage_id=opp["stage_id"],
                to_step_id=opp["step_id"], to_status=opp["status"], reason=opp["close_reason"],
            )
        )  # fmt: skip
    return rows


def _deal_rows(
    rng: random.Random, ctx: _Context, opps: list[Row], plans: list[tuple[int, datetime]]
) -> tuple[list[Row], list[Row], list[Row]]:
    """The transitions, key elements and team members of ``opps``."""
    transitions: list[Row] = []
    elements: list[Row] = []
    members: list[Row] = []
    for opp, (consultant, created) in zip(opps, plans, strict=True):
        transitions.extend(_history(ctx, opp, created))
        known = min(ctx.order[opp["stage_id"]], 5)
        weights = [6 - known, 3, known]
        for element, status in zip(
            ELEMENTS, rng.choices(["unknown", "partly", "confirmed"], weights, k=6), strict=True
        ):
            elements.append({"opportunity_id": opp["id"], "element": element, "status": status})
        if consultant:
            members.append(
                {"opportunity_id": opp["id"], "user_id": consultant, "role": "consultant"}
            )
    return transitions, elements, members
