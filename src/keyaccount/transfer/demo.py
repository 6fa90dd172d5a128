"""Demo data of the import: a KAM's list of trade-fair leads, imported with one row left out
(its credit code is mistyped). The result page shows the counts and offers the rejected row as
a file; the four new customers wait as registration requests, for the assistant to approve at
once.

And moving in: the sales director brings last year's deals over from the old CRM's export (its
own headers, stage names and agents, amounts in 万元) with a mapping saved as
``LEGACY_MAPPING``: won deals with their contracts, lost ones with their reason, open ones at
their stages, each with its *imported* transition dated by the old system."""

from decimal import Decimal

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
    load_legacy_deals()
    load_legacy_milestones()


LEGACY_MAPPING = "旧CRM商机导出"
LEGACY_HEADER = (
    "Account,Deal,Agent,Phase,Value (10k),Engaged,Close date,Result,Contract,Lost because"
)
#: account, deal, agent, phase, value in 万元, engaged, closed or expected, result, contract
LEGACY_DEALS = [
    ("江苏省电网运营有限公司", "2025 配网自动化终端", "Liu Yang", "", 620, "2025-01-08",
     "2025-06-20", "Closed Won", "HR-2025-031", ""),
    ("江苏省电网运营有限公司", "2025 调度数据网安全加固", "Liu Yang", "Closing", 410, "2025-03-12",
     "2025-09-30", "Closed Lost", "", "price"),
    ("江苏省电网运营有限公司", "新一代用电信息采集主站", "Liu Yang", "Bidding", 1850, "2025-08-01",
     "2027-03-31", "Open", "", ""),
    ("浙江省电网运营有限公司", "2025 营销系统运维", "Sun Li", "", 260, "2025-02-17", "2025-05-30",
     "Closed Won", "HR-2025-044", ""),
    ("浙江省电网运营有限公司", "变电站巡检机器人试点", "Sun Li", "Qualifying", 380, "2025-04-02",
     "2025-11-15", "Closed Lost", "", "price"),
    ("浙江省电网运营有限公司", "数字孪生变电站", "Sun Li", "Proposing", 960, "2025-10-20",
     "2027-06-30", "Open", "", ""),
]  # fmt: skip
LEGACY_STAGES = {"qualifying": "initiation", "proposing": "proposal", "bidding": "tender",
                 "closing": "negotiation"}  # fmt: skip
LEGACY_AGENTS = {"liu yang": "liu.yang", "sun li": "sun.li"}


def _legacy_csv() -> bytes:
    lines = [LEGACY_HEADER]
    for row in LEGACY_DEALS:
        lines.append(",".join(str(cell) for cell in row))
    return ("\n".join(lines) + "\n").encode("utf-8")


def load_legacy_deals() -> None:
    director = User.objects.get(username="zhao.min")
    columns = {
        "account": "customer", "deal": "name", "agent": "owner", "phase": "stage",
        "value": "amount", "engaged": "created_on", "closedate": "closed_on",
        "result": "status", "contract": "contract_number", "lostbecause": "loss_reason",
    }  # fmt: skip
    sheet = importing.SheetMapping(
        kind=importing.OPPORTUNITIES,
        columns=columns,
        values={"stage": LEGACY_STAGES, "owner": LEGACY_AGENTS},
        units={"amount": Decimal(10000)},
    )
    saved = importing.save_as(name=LEGACY_MAPPING, sheet=sheet, user=director)
    mapping = importing.from_saved(saved)
    data = _legacy_csv()
    plan = importing.preview(
        user=director, file_name="旧CRM-商机导出.csv", data=data, mapping=mapping
    )
    batch = importing.save_batch(user=director, plan=plan, source=data, mapping=mapping)
    outcome = importing.commit(actor=director, batch=batch, plan=plan)
    if not outcome.committed:
        problems = [p.message for r in outcome.plan.rows for p in r.problems]
        raise RuntimeError(f"the demo's legacy deals failed: {outcome.message} {problems}")


#: the legacy won deals' payment milestones, from the old system's receivables list
LEGACY_MILESTONES = (
    "合同编号,付款节点,付款比例,应收日期,验收日期,开票日期,开票金额,回款日期,回款金额\n"
    "HR-2025-031,预付款,30%,2025-07-15,,2025-07-10,1860000,2025-07-28,1860000\n"
    "HR-2025-031,验收款,60%,2025-12-31,2025-12-18,2025-12-20,3720000,,\n"
    "HR-2025-031,质保金,10%,2026-12-31,,,,,\n"
    "HR-2025-044,首付款,50%,2025-06-30,,2025-06-25,1300000,2025-07-05,1300000\n"
    "HR-2025-044,尾款,50%,2025-10-31,2025-10-20,2025-10-25,1300000,,\n"
)


def load_legacy_milestones() -> None:
    """The payment milestones of the legacy won deals, collected or not (a receivables list
    brought in after the deals, by the administrator)."""
    admin = User.objects.get(username="admin")
    data = LEGACY_MILESTONES.encode("utf-8")
    plan = importing.preview(user=admin, file_name="旧系统-回款计划.csv", data=data)
    batch = importing.save_batch(user=admin, plan=plan, source=data)
    outcome = importing.commit(actor=admin, batch=batch, plan=plan)
    if not outcome.committed:
        problems = [p.message for r in outcome.plan.rows for p in r.problems]
        raise RuntimeError(f"the demo's legacy milestones failed: {outcome.message} {problems}")
