"""Demo data of the import: a KAM's list of trade-fair leads, imported with one row left out
(its credit code is mistyped). The result page shows the counts and offers the rejected row as
a file; the four new customers wait as registration requests, for the assistant to approve at
once."""

from keyaccount.customers import rules
from keyaccount.org.models import User

from . import importing

LEADS = [
    ("苏州瑞丰精密机械有限公司", "江苏", "制造业", "1.8亿"),
    ("无锡恒通新能源科技股份有限公司", "江苏", "制造业", "6.5亿"),
    ("常州鼎盛轨道交通装备有限公司", "江苏", "制造业", "3.2亿"),
    ("南京星帆数据服务有限公司", "江苏", "", "8600万"),
]
BAD = ("镇江海润港务有限公司", "91321100MA1X", "江苏", "", "")


def _code(n: int) -> str:
    body = f"91320500MA2{n:06d}"
    return body + rules.credit_code_check_char(body)


def _csv() -> bytes:
    lines = ["客户名称,统一社会信用代码,区域,行业,年营业收入（元）"]
    for n, (name, region, industry, revenue) in enumerate(LEADS, start=1):
        lines.append(f"{name},{_code(n)},{region},{industry},{revenue}")
    lines.append(",".join(BAD))
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def load() -> None:
    user = User.objects.get(username="liu.yang")
    plan = importing.preview(user=user, file_name="展会线索-2026秋.csv", data=_csv())
    batch = importing.save_batch(user=user, plan=plan)
    outcome = importing.commit(actor=user, batch=batch, plan=plan, skip_errors=True)
    if not outcome.committed:  # the demo is built through the product: it must be right
        raise RuntimeError(f"the demo import failed: {outcome.message}")
