"""Demo customers: power-grid companies, city commercial banks, telecom branches and
manufacturers across the East and North China teams, registered, scored and graded through
the same services as the product. Names are fictional."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from keyaccount.org.models import Industry, Region, User

from . import rules, services
from .models import RegistrationRequest

# name, industry, region, owner, revenue (亿元), employees, profile of scores (10 factors)
CUSTOMERS: list[tuple[str, str, str, str, int, int, tuple[int, ...]]] = [
    (
        "江苏省电网运营有限公司",
        "power-grid",
        "CN-JS",
        "liu.yang",
        4200,
        68000,
        (5, 4, 4, 5, 4, 4, 5, 4, 4, 5),
    ),
    (
        "浙江省电网运营有限公司",
        "power-grid",
        "CN-ZJ",
        "sun.li",
        3900,
        52000,
        (4, 4, 4, 4, 3, 4, 5, 3, 4, 5),
    ),
    (
        "上海市城市电力有限公司",
        "power-grid",
        "CN-SH",
        "liu.yang",
        1800,
        21000,
        (4, 3, 4, 4, 3, 3, 5, 3, 3, 4),
    ),
    (
        "安徽省电网运营有限公司",
        "power-grid",
        "CN-AH",
        "he.jing",
        1500,
        30000,
        (3, 3, 3, 3, 3, 3, 4, 3, 3, 4),
    ),
    (
        "金陵商业银行股份有限公司",
        "banking",
        "CN-JS",
        "sun.li",
        420,
        12000,
        (5, 5, 4, 5, 4, 5, 5, 4, 4, 3),
    ),
    (
        "姑苏农村商业银行股份有限公司",
        "banking",
        "CN-JS",
        "he.jing",
        85,
        3100,
        (4, 3, 4, 4, 3, 3, 4, 3, 4, 2),
    ),
    (
        "钱塘城市商业银行股份有限公司",
        "banking",
        "CN-ZJ",
        "liu.yang",
        260,
        8800,
        (4, 4, 4, 4, 4, 3, 5, 4, 4, 3),
    ),
    (
        "沪通电信股份有限公司上海分公司",
        "telecom",
        "CN-SH",
        "sun.li",
        650,
        9500,
        (3, 3, 3, 3, 2, 2, 5, 2, 3, 4),
    ),
    (
        "苏锡常智能制造集团有限公司",
        "manufacturing",
        "CN-JS",
        "liu.yang",
        310,
        15000,
        (4, 4, 3, 4, 3, 4, 4, 5, 3, 3),
    ),
    (
        "宁波港口装备股份有限公司",
        "manufacturing",
        "CN-ZJ",
        "he.jing",
        120,
        6400,
        (2, 2, 3, 2, 2, 2, 3, 2, 3, 2),
    ),
    (
        "华东石化工程有限公司",
        "energy",
        "CN-SD",
        "sun.li",
        2900,
        41000,
        (1, 1, 2, 1, 1, 1, 5, 1, 2, 5),
    ),
    (
        "京畿电网运营有限公司",
        "power-grid",
        "CN-BJ",
        "li.na",
        2600,
        33000,
        (5, 4, 5, 5, 4, 4, 5, 4, 4, 5),
    ),
    (
        "冀北电力有限公司",
        "power-grid",
        "CN-HE",
        "guo.qiang",
        1300,
        24000,
        (4, 3, 4, 4, 3, 3, 4, 3, 4, 4),
    ),
    (
        "津门城市商业银行股份有限公司",
        "banking",
        "CN-TJ",
        "li.na",
        380,
        9000,
        (4, 4, 4, 4, 3, 4, 5, 3, 4, 3),
    ),
    (
        "燕山农村商业银行股份有限公司",
        "banking",
        "CN-BJ",
        "guo.qiang",
        150,
        5200,
        (3, 3, 3, 3, 2, 3, 4, 2, 3, 2),
    ),
    (
        "北方移动通信有限公司北京分公司",
        "telecom",
        "CN-BJ",
        "li.na",
        880,
        11000,
        (4, 3, 3, 4, 3, 3, 5, 3, 3, 4),
    ),
    (
        "晋能煤电集团有限公司",
        "power-generation",
        "CN-SX",
        "guo.qiang",
        1900,
        56000,
        (2, 2, 2, 3, 2, 2, 3, 2, 2, 5),
    ),
    (
        "内蒙古草原风电有限公司",
        "power-generation",
        "CN-NM",
        "zhang.wei",
        95,
        1800,
        (3, 4, 3, 4, 4, 4, 3, 5, 3, 1),
    ),
    (
        "渤海重型机械股份有限公司",
        "manufacturing",
        "CN-TJ",
        "zhang.wei",
        260,
        13500,
        (3, 3, 4, 3, 3, 3, 4, 3, 3, 3),
    ),
    (
        "华北物流集团有限公司",
        "transport",
        "CN-HE",
        "li.na",
        140,
        9800,
        (2, 3, 3, 2, 2, 2, 4, 3, 3, 2),
    ),
]

JUSTIFY = {
    5: "已有稳定渠道和高层关系，优势明显",
    4: "条件较好，个别环节需加强",
    3: "一般，需要进一步投入验证",
    2: "较弱，短期内难以改善",
    1: "很弱，不具备条件",
    0: "不具备",
}


def credit_code(rng: random.Random, area: str) -> str:
    body = "91" + area + "".join(rng.choice(rules.CREDIT_CODE_CHARS[:10]) for _ in range(9))
    return body + rules.credit_code_check_char(body)


_AREA = {"CN-JS": "320000", "CN-ZJ": "330000", "CN-SH": "310000", "CN-AH": "340000",
         "CN-SD": "370000", "CN-BJ": "110000", "CN-HE": "130000", "CN-TJ": "120000",
         "CN-SX": "140000", "CN-NM": "150000"}  # fmt: skip


def load(*, password: str) -> None:
    rng = random.Random(20261127)
    users = {u.username: u for u in User.objects.all()}
    regions = {r.code: r for r in Region.objects.all()}
    industries = {i.code: i for i in Industry.objects.all()}
    assistant, head = users["lin.xiaoyu"], users["zhou.jian"]
    for name, industry, region, owner_name, revenue_yi, employees, profile in CUSTOMERS:
        owner = users[owner_name]
        result = services.registration_request(
            actor=owner,
            data={
                "name": name,
                "credit_code": credit_code(rng, _AREA[region]),
                "region": regions[region],
                "industry": industries[industry],
                "address": _address(rng, regions[region].name_zh),
                "revenue": Decimal(revenue_yi) * 100_000_000,
                "profit": Decimal(revenue_yi) * rng.randint(3, 12) * 1_000_000,
                "budget": Decimal(revenue_yi) * rng.randint(2, 9) * 100_000,
                "employees": employees,
                "technical_staff": employees // rng.randint(8, 30),
                "key_buying_factors": "方案成熟度、本地化服务能力、价格、同行业案例",
                "incumbent_suppliers": rng.choice(
                    ["远景软件、东方信息", "华信科技", "无明显在位供应商"]
                ),
            },
            confirm_not_duplicate=True,
        )
        request = result.request
        assert request is not None
        services.registration_decide(actor=assistant, request=request, approve=True)
        customer = request.customer
        factors = [
            "reachability", "profitability", "implementability", "value", "sustainability",
            "unique_offer", "ability_to_pay", "growth_potential", "service_fit", "size",
        ]  # fmt: skip
        services.scores_save(
            actor=owner,
            customer=customer,
            scores={f: (s, JUSTIFY[s]) for f, s in zip(factors, profile, strict=True)},
        )
        suggested = customer.suggested_grade
        if name.startswith("宁波港口"):
            services.grade_set(
                actor=head, customer=customer, grade="C",
                reason="港口自动化二期已纳入集团规划，提前布局，暂按C级跟进",
            )  # fmt: skip
        elif suggested:
            services.grade_set(actor=head, customer=customer, grade=suggested)
        _evaluations(rng, owner, customer)
    _pending(users, regions, industries, rng)


def _address(rng: random.Random, province: str) -> str:
    district = rng.choice(["建邺区", "鼓楼区", "滨江区", "朝阳区", "和平区"])
    street = rng.choice(["江东中路", "中山路", "长江路", "建设大街"])
    return f"{province}{district}{street}{rng.randint(1, 399)}号"


def _evaluations(rng: random.Random, owner: User, customer) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    for months_ago in (5, 2):
        services.evaluation_create(
            actor=owner,
            customer=customer,
            data={
                "evaluated_on": today - timedelta(days=30 * months_ago + rng.randint(0, 9)),
                "relationship": rng.randint(2, 5),
                "needs_clarity": rng.randint(2, 5),
                "competitive_position": rng.randint(2, 5),
                "solution_fit": rng.randint(3, 5),
                "payment_ability": rng.randint(3, 5),
                "summary": "与信息中心建立了定期沟通机制，需求逐步清晰；需加强与分管领导的接触。",
                "next_steps": "安排高层拜访；组织同行业案例参观。",
            },
        )


def _pending(users, regions, industries, rng) -> None:  # type: ignore[no-untyped-def]
    """Pending requests, two of them near-duplicates that the check catches."""
    for owner, name, region, industry in [
        ("sun.li", "江苏电网运营公司", "CN-JS", "power-grid"),  # near-duplicate
        ("guo.qiang", "京畿电网运营（北京）有限公司", "CN-BJ", "power-grid"),  # near-duplicate
        ("he.jing", "常州精密传动股份有限公司", "CN-JS", "manufacturing"),
        ("li.na", "保定新能源装备有限公司", "CN-HE", "manufacturing"),
    ]:
        result = services.registration_request(
            actor=users[owner],
            data={
                "name": name,
                "region": regions[region],
                "industry": industries[industry],
                "credit_code": credit_code(rng, _AREA.get(region, "320000")),
            },
            confirm_not_duplicate=True,
        )
        assert (
            result.request is not None
            and result.request.decision == RegistrationRequest.Decision.PENDING
        )
