"""A large, realistic organisation for the benchmark (its size as parameters)."""

import random
from decimal import Decimal

from django.db import transaction

from keyaccount.core.demo import load_demo
from keyaccount.customers import rules, services
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.org.models import Industry, OrgUnit, Region, Role, RoleAssignment, User
from keyaccount.org.rules import RoleCode

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅鹏飞波宇浩然"


@transaction.atomic
def generate(
    *, teams: int, members_per_team: int, customers: int, password: str, seed: int = 7
) -> dict[str, int]:
    """Demo company plus ``teams`` extra teams of ``members_per_team`` people each."""
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
    User.objects.bulk_create(users, batch_size=1000)
    created = User.objects.filter(username__startswith="u")
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, role=kam) for u in created], batch_size=1000
    )
    _customers(rng, customers, list(created[: max(1, len(created))]))
    return {
        "units": OrgUnit.objects.count(),
        "users": User.objects.count(),
        "customers": Customer.objects.count(),
    }


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
        customer = Customer(
            name=name,
            owner=rng.choice(owners),
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
