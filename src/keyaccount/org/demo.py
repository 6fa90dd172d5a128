"""Demo data of the organisation: the company tree, its people and their roles.

``keyaccount.demo.load_demo`` calls this first, then each app above adds its part; everything is
created through the same services as the product uses.
"""

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from . import services as org_services
from .models import OrgUnit, Region, User
from .rules import RoleCode


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: RoleCode
    unit: str
    covers: str | None = None
    manages: str | None = None
    staff: bool = False


COMPANY = "华锐智能科技有限公司"
KA_DEPT = "大客户部"
TEAM_EAST = "华东大客户团队"
TEAM_NORTH = "华北大客户团队"
MARKETING = "市场部"

# unit name, kind, parent, region code
UNITS: list[tuple[str, str, str | None, str | None]] = [
    (COMPANY, OrgUnit.Kind.COMPANY, None, "CN"),
    (KA_DEPT, OrgUnit.Kind.DEPARTMENT, COMPANY, "CN"),
    (TEAM_EAST, OrgUnit.Kind.TEAM, KA_DEPT, "CN-E"),
    (TEAM_NORTH, OrgUnit.Kind.TEAM, KA_DEPT, "CN-N"),
    (MARKETING, OrgUnit.Kind.DEPARTMENT, COMPANY, "CN"),
]

USERS: list[DemoUser] = [
    DemoUser("admin", "王磊", RoleCode.ADMINISTRATOR, COMPANY, staff=True),
    DemoUser("zhao.min", "赵敏", RoleCode.SALES_DIRECTOR, KA_DEPT, covers=KA_DEPT),
    DemoUser(
        "zhou.jian", "周健", RoleCode.DEPARTMENT_HEAD, KA_DEPT, covers=KA_DEPT, manages=KA_DEPT
    ),
    DemoUser("lin.xiaoyu", "林晓雨", RoleCode.DEPARTMENT_ASSISTANT, KA_DEPT, covers=KA_DEPT),
    DemoUser("chen.hao", "陈浩", RoleCode.SENIOR_KAM, TEAM_EAST, manages=TEAM_EAST),
    DemoUser("liu.yang", "刘洋", RoleCode.KAM, TEAM_EAST),
    DemoUser("sun.li", "孙丽", RoleCode.KAM, TEAM_EAST),
    DemoUser("he.jing", "何静", RoleCode.ACCOUNT_MANAGER, TEAM_EAST),
    DemoUser("xu.tao", "徐涛", RoleCode.CONSULTANT, TEAM_EAST),
    DemoUser("zhang.wei", "张伟", RoleCode.SENIOR_KAM, TEAM_NORTH, manages=TEAM_NORTH),
    DemoUser("li.na", "李娜", RoleCode.KAM, TEAM_NORTH),
    DemoUser("guo.qiang", "郭强", RoleCode.ACCOUNT_MANAGER, TEAM_NORTH),
    DemoUser("ma.lin", "马琳", RoleCode.CONSULTANT, TEAM_NORTH),
    DemoUser("feng.yu", "冯宇", RoleCode.KAM, MARKETING),
]


def load(*, password: str) -> list[DemoUser]:
    """The company tree and the demo users, all sharing ``password``."""
    regions = {r.code: r for r in Region.objects.all()}
    units: dict[str, OrgUnit] = {}
    for name, kind, parent, region in UNITS:
        units[name] = org_services.org_unit_save(
            actor=None,
            unit=OrgUnit(
                name=name,
                kind=kind,
                parent=units.get(parent) if parent else None,
                region=regions.get(region) if region else None,
            ),
        )
    hashed = make_password(password)  # hash once: argon2 is slow on purpose
    for spec in USERS:
        user = User.objects.create(
            username=spec.username,
            password=hashed,
            display_name=spec.display_name,
            email=f"{spec.username}@huarui.example.cn",
            unit=units[spec.unit],
            is_staff=spec.staff,
            is_superuser=spec.staff,
        )
        org_services.role_assign(
            actor=None,
            user=user,
            role_code=spec.role,
            unit=units[spec.covers] if spec.covers else None,
        )
        if spec.manages:
            unit = units[spec.manages]
            unit.manager = user
            org_services.org_unit_save(actor=None, unit=unit)
    return USERS


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
)
GIVEN = "伟芳敏静丽强磊军洋勇艳杰涛明超霞平刚华玉兰萍建国红梅鹏飞波宇浩"


def person_name(rng: random.Random) -> str:
    """A plausible Chinese name: a surname and one or two given characters."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
