"""A large, realistic organisation for the benchmark (its size as parameters), written through
bulk paths: rows are built in Python with their derived keys and saved with ``bulk_create`` in
large batches; the deals and their histories are in ``bench.deals``, the stored values that
``bulk_create`` skips are filled afterwards by ``bench.derived``."""

import random
import sys
import time
from decimal import Decimal
from functools import lru_cache

from django.db import transaction

from keyaccount.contacts.models import Contact
from keyaccount.core import bulk, pinyin
from keyaccount.customers import rules, services
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.demo import load_demo
from keyaccount.org.models import Industry, OrgUnit, Region, Role, RoleAssignment, User
from keyaccount.org.rules import RoleCode

from .datasets import Dataset
from .deals import opportunities as generate_opportunities
from .derived import derive

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅鹏飞波宇浩然"
BATCH = 5000


@transaction.atomic
def generate(*, size: Dataset, password: str, seed: int = 7) -> dict[str, int]:
    """The demo company plus ``size.teams`` extra teams of ``size.members`` KAMs and a
    consultant each, their customers, contacts and opportunities with their histories."""
    rng = random.Random(seed)
    clock = _Clock()
    load_demo(password=password)
    clock.lap("demo")
    dept = OrgUnit.objects.get(name="大客户部")
    units = OrgUnit.objects.bulk_create(
        [
            OrgUnit(name=f"区域团队{i:04d}", kind=OrgUnit.Kind.TEAM, parent=dept)
            for i in range(size.teams)
        ]
    )
    kams = _people(rng, [(f"u{u.pk}_{j}", u) for u in units for j in range(size.members)])
    _assign(kams, RoleCode.KAM)
    _customers(rng, size.customers, kams)
    clock.lap("customers")
    consultants = _people(rng, [(f"c{u.pk}", u) for u in units])
    _assign(consultants, RoleCode.CONSULTANT)
    _contacts(rng, size.contacts)
    clock.lap("contacts")
    generate_opportunities(rng, size.opportunities, {u.unit_id: u.pk for u in consultants})
    clock.lap("deals")
    derive()
    clock.lap("derived")
    return {
        "units": OrgUnit.objects.count(),
        "users": User.objects.count(),
        "customers": Customer.objects.count(),
        "contacts": Contact.objects.count(),
        "opportunities": size.opportunities,
    }


class _Clock:
    """Seconds per phase, on stderr (where the time goes on a large dataset)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        print(f"  generated {phase} in {now - self.start:.1f} s", file=sys.stderr, flush=True)
        self.start = now


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


@lru_cache(maxsize=65536)
def _keys(name: str) -> pinyin.Keys:
    """Names repeat (a surname and one or two given characters): derive each once."""
    return pinyin.keys(name)


def _people(rng: random.Random, logins: list[tuple[str, OrgUnit]]) -> list[User]:
    users = [
        User(username=login, display_name=_person(rng), unit=unit, password="!")
        for login, unit in logins
    ]
    for user in users:
        user.refresh_name_keys()  # bulk_create skips save()
    return User.objects.bulk_create(users, batch_size=BATCH)


def _assign(users: list[User], code: str) -> None:
    role = Role.objects.get(code=code)
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, role=role) for u in users], batch_size=BATCH
    )


CITY = "江苏浙江上海北京天津河北山东广东四川湖北湖南河南福建安徽辽宁陕西"
TRADE = ["电网运营", "商业银行", "农村商业银行", "移动通信", "智能制造", "重型机械", "石化工程",
         "物流", "港口装备", "新能源", "精密传动", "数据服务", "城市燃气", "轨道交通"]  # fmt: skip
FORM = ["有限公司", "股份有限公司", "集团有限公司", "有限责任公司"]
THRESHOLDS = rules.Thresholds(a=Decimal(80), b=Decimal(65), c=Decimal(45))


def _customers(rng: random.Random, count: int, owners: list[User]) -> None:
    """``count`` registered, scored customers spread over the generated KAMs."""
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
    Customer.objects.bulk_create(rows, batch_size=BATCH)


#: title, department; the first reports to nobody, the others to the first
CONTACT_ROLES = [
    ("总经理", "总经理办公室"),
    ("副总经理（分管信息化）", "公司领导"),
    ("信息中心主任", "信息中心"),
    ("物资采购部主任", "物资采购部"),
    ("系统架构师", "信息中心"),
    ("运维科科长", "信息中心"),
    ("总会计师", "财务部"),
]


def _contact(
    rng: random.Random, customer_id: int, role: tuple[str, str], **extra: object
) -> dict[str, object]:
    """One contact's row (for ``bulk.insert``)."""
    name = _person(rng)
    # what ``contacts.services.refresh_keys`` derives (the generated names are already tidy)
    sort, full, initials = _keys(name)
    return {
        "customer_id": customer_id,
        "name": name,
        "title": role[0],
        "department": role[1],
        "mobile": "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9)),
        "pinyin_sort": sort,
        "pinyin_full": full,
        "pinyin": initials,
        **extra,
    }


def _contacts(rng: random.Random, count: int) -> None:
    """``count`` contacts on the generated customers, ``len(CONTACT_ROLES)`` per customer at
    most: a head first (in one bulk insert, for the ids), then the people reporting to them."""
    if count <= 0:
        return
    customers = list(
        Customer.objects.filter(owner__username__startswith="u")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    per = min(len(CONTACT_ROLES), -(-count // max(1, len(customers))))
    with_contacts = customers[: -(-count // per)]
    ids = bulk.Ids(Contact)
    heads = [_contact(rng, pk, CONTACT_ROLES[0]) for pk in with_contacts]
    ids.assign(heads)
    rows: list[dict[str, object]] = []
    left = count - len(heads)
    for head in heads:
        for role in CONTACT_ROLES[1:per]:
            if left <= 0:
                break
            rows.append(_contact(rng, head["customer_id"], role, reports_to_id=head["id"]))
            left -= 1
    ids.assign(rows)
    bulk.insert(Contact, heads + rows)  # the heads first: the others refer to them
    bulk.reset_sequences(Contact)
