"""A large, realistic organisation for the benchmark (its size as parameters)."""

import random

from django.db import transaction

from keyaccount.core.demo import load_demo
from keyaccount.org.models import OrgUnit, Role, RoleAssignment, User
from keyaccount.org.rules import RoleCode

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅鹏飞波宇浩然"


@transaction.atomic
def generate(*, teams: int, members_per_team: int, password: str, seed: int = 7) -> dict[str, int]:
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
    return {"units": OrgUnit.objects.count(), "users": User.objects.count()}
