"""Demo data of contacts: the same management chain at every registered demo customer,
created by the customer's owner through the product's service."""

import random

from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.org.demo import person_name

from .models import Contact
from .services import contact_create

CONTACT_TREE = [
    # key, title, department, reports to key
    ("gm", "总经理", "总经理办公室", None),
    ("vp_it", "副总经理（分管信息化）", "公司领导", "gm"),
    ("cfo", "总会计师", "财务部", "gm"),
    ("it_dir", "信息中心主任", "信息中心", "vp_it"),
    ("it_arch", "系统架构师", "信息中心", "it_dir"),
    ("proc", "物资采购部主任", "物资采购部", "vp_it"),
    ("ops", "运维科科长", "信息中心", "it_dir"),
]


def load() -> None:
    rng = random.Random(20261128)
    customers = Customer.objects.filter(status=RegistrationStatus.REGISTERED).select_related(
        "owner__unit"
    )
    for customer in customers.order_by("pk"):
        created: dict[str, Contact] = {}
        for key, title, dept, boss in CONTACT_TREE:
            created[key] = contact_create(
                actor=customer.owner,
                customer=customer,
                data={
                    "name": person_name(rng),
                    "title": title,
                    "department": dept,
                    "mobile": "1"
                    + rng.choice("3589")
                    + "".join(rng.choice("0123456789") for _ in range(9)),
                    "email": f"{key}{customer.pk}@customer.example.cn",
                    "reports_to": created.get(boss) if boss else None,
                },
            )
