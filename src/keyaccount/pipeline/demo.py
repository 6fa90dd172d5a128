"""Demo opportunities: about thirty deals of the demo customers in every stage, with histories
that went through the same services as the product, dated over the past nine months.

Each deal is walked from its creation through the gates: criteria checked by the people who
would check them, key evaluation elements learned stage by stage, KA follow-up entries, risk
assessments, competitors, buying roles (the power map), moves dated in the past; then won with
a contract and payment milestones, lost to a competitor, abandoned, or left open part-way
through its current stage. Three high-risk deals await the sales director, one was continued,
one abandoned on her decision; two histories carry a director's gate override and one a move
back. Deterministic: a fixed seed, every date relative to today. Company names are fictional.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from keyaccount.contacts.models import Contact
from keyaccount.contacts.services import contact_create
from keyaccount.customers.models import Customer, RegistrationStatus
from keyaccount.org.demo import person_name
from keyaccount.org.models import User
from keyaccount.process.models import ExitCriterion, Stage, Step

from . import services
from .models import Competitor, LossReason, Opportunity, PaymentMilestone, RiskFactor
from .rules import (
    Attitude,
    BuyingRole,
    Element,
    Influence,
    Knowledge,
    RiskDecision,
    Source,
    Strength,
    TeamRole,
)

SEED = 20260214
DIRECTOR = "zhao.min"

# --- the competitor catalogue ---------------------------------------------------------------

# name, short name, typical strengths, typical weaknesses
COMPETITORS: list[tuple[str, str, str, str]] = [
    ("金陵瑞能电力自动化股份有限公司", "瑞能电力",
     "电网调度与变电站自动化市场份额高，与各省电网公司合作多年，产品线完整",
     "报价偏高，定制化需求响应慢，地市级项目投入的服务人员少"),
    ("中原继电电气股份有限公司", "中原继电",
     "继电保护、配网自动化和用电采集产品齐全，硬件成本有优势",
     "软件平台能力一般，大型主站系统案例少"),
    ("东北智联软件股份有限公司", "智联软件",
     "行业软件与系统集成经验丰富，制造业和能源行业案例多",
     "华东、华北本地服务力量薄弱，核心骨干流动大"),
    ("华腾通信技术有限公司", "华腾通信",
     "5G、数据中心和网络基础设施全栈能力，品牌强，高层关系好",
     "行业应用依赖合作伙伴，价格刚性，项目交付多由分包完成"),
    ("云海信息科技股份有限公司", "云海信息",
     "国产服务器、数据库适配和云平台能力强，信创项目经验多",
     "应用软件能力弱，金融核心业务理解不深"),
    ("华软国际信息技术有限公司", "华软国际",
     "银行核心系统与渠道类项目交付人力规模大，城商行案例多",
     "产品化程度低，项目质量依赖驻场团队，后期维护成本高"),
    ("友信软件股份有限公司", "友信软件",
     "财务、供应链和ERP产品成熟，客户基础广",
     "行业专用系统经验少，二次开发周期长"),
    ("九州数码系统集成有限公司", "九州数码",
     "系统集成和分销渠道广，价格灵活，常以低价中标",
     "自有产品少，方案深度不足，售后依赖原厂"),
    ("远景软件技术有限公司", "远景软件",
     "多家客户的在位供应商，熟悉现有系统和接口",
     "技术架构老旧，国产化改造能力不足"),
    ("东方信息产业股份有限公司", "东方信息",
     "政企客户关系深厚，资质齐全",
     "技术团队规模小，复杂项目需外包"),
]  # fmt: skip

# What each competitor typically does on a deal, and what we do against it.
RIVAL_PLAYS: dict[str, tuple[str, str]] = {
    "瑞能电力": ("以在位优势主推整体升级，强调与现有主站的兼容性，报价上留有余地",
                 "突出我方本地化服务团队和国产化适配能力，组织客户参观样板工程"),
    "中原继电": ("以硬件低价切入，软件部分捆绑赠送",
                 "强调平台的可扩展性和全生命周期成本，提供分期实施方案"),
    "智联软件": ("以行业案例打动技术部门，承诺快速上线",
                 "安排技术交流和概念验证，用实测数据证明我方性能优势"),
    "华腾通信": ("高层路线，打包网络、算力和应用的整体方案",
                 "聚焦业务应用价值，联合生态伙伴提供开放方案，避免被锁定"),
    "云海信息": ("以信创基础设施为主，应用部分联合合作伙伴投标",
                 "突出应用层的行业理解和迁移经验，提供平滑迁移方案"),
    "华软国际": ("人海战术驻场，报价按人月计费压低首期价格",
                 "强调产品化和后期维护成本，提供固定总价与服务水平承诺"),
    "友信软件": ("以已有财务系统为基础，主张一体化扩展",
                 "强调专业系统的深度和与其系统的开放集成能力"),
    "九州数码": ("低价策略，承诺免费驻场运维一年",
                 "用全生命周期成本对比和交付风险分析说服采购与财务"),
    "远景软件": ("以原厂身份主张升级续约，强调数据迁移风险",
                 "提供数据迁移保障方案和双轨运行计划，降低客户切换顾虑"),
    "东方信息": ("依靠客户关系争取单一来源采购",
                 "推动公开招标，在技术规格中体现我方优势"),
}  # fmt: skip

# --- the deals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deal:
    """One demo opportunity and the history it is given.

    Days are counted back from today: created ``started`` days ago, entered its (last) stage
    ``entered`` days ago, closed ``closed`` days ago. ``step`` is the step it reached in that
    stage. ``risk``: low / medium / high_pending / high_continued / high_abandoned /
    reassessed (medium first, high in its current stage, awaiting a decision).
    """

    customer: str  # the start of the customer's name
    name: str
    owner: str
    wan: int  # amount in 万元 (10,000 yuan)
    stage: str
    step: int = 1
    outcome: str = "open"  # open / won / lost / abandoned
    started: int = 120
    entered: int = 0
    closed: int = 0
    signing: int = 90  # expected signing, days from today
    products: str = ""
    source: str = Source.CUSTOMER
    fit: bool = True
    fit_note: str = ""
    risk: str = "low"
    team: tuple[tuple[str, str], ...] = ()  # (username, TeamRole)
    rivals: tuple[tuple[str, str], ...] = ()  # (competitor short name, Strength)
    override: tuple[str, str, str] | None = None  # (stage code, criterion prefix, reason)
    back_from: str = ""  # stage code the deal was moved back from
    back_reason: str = ""
    was_wan: int = 0  # amount at creation when it changed since
    amount_reason: str = ""
    slip: int = 0  # days the expected signing date slipped later
    slip_reason: str = ""
    lost: tuple[str, str, str] | None = None  # (loss reason code, winner, lessons)
    reason: str = ""  # why abandoned, or why the director continued a high-risk deal
    collected: int = 0  # payment milestones collected (won deals)


S, E, W = Strength.STRONGER, Strength.EQUAL, Strength.WEAKER
CONSULTANT, ACCOUNT_MANAGER, OTHER = TeamRole.CONSULTANT, TeamRole.ACCOUNT_MANAGER, TeamRole.OTHER
POWER_FIT = "电网数字化是公司“十四五”重点行业方向"
BANK_FIT = "金融信创是公司重点拓展的业务方向"

DEALS: list[Deal] = [
    # --- customer development (客户开发) ---------------------------------------------------
    Deal("江苏省电网", "配网故障智能研判平台", "liu.yang", 380, "development", 1,
         started=24, signing=240, source=Source.OWN, fit_note=POWER_FIT,
         products="配网故障研判、停电范围分析、抢修指挥",
         rivals=(("瑞能电力", S),)),
    Deal("京畿电网", "变电站智能巡检机器人二期", "li.na", 1200, "development", 2,
         started=38, signing=200, risk="high_pending", fit_note=POWER_FIT,
         products="轨道式巡检机器人、视频联动、缺陷识别算法",
         rivals=(("中原继电", S), ("华腾通信", E))),
    Deal("晋能煤电", "燃煤电厂智慧安全管控平台", "guo.qiang", 650, "development", 2,
         started=78, signing=150, risk="high_pending", source=Source.REFERRAL,
         fit_note="能源行业安全生产数字化，与公司工业互联网方向一致",
         products="人员定位、危险源监测、安全风险分级管控",
         team=(("ma.lin", CONSULTANT),), rivals=(("智联软件", E),)),
    Deal("内蒙古草原风电", "风电场集控中心建设", "zhang.wei", 900, "development", 2,
         started=52, signing=180, risk="high_continued",
         fit_note="新能源集控是公司重点培育的方向",
         products="新能源集控系统、功率预测接入、远程监控",
         team=(("ma.lin", CONSULTANT),), rivals=(("瑞能电力", S), ("远景软件", E)),
         reason="客户为集团新能源板块重点企业，集控中心是后续二十个风场接入的入口项目；"
                "支付风险通过分期付款和履约保函控制，同意继续跟进。"),
    Deal("姑苏农村商业银行", "移动银行App重构", "he.jing", 260, "development", 3,
         started=72, signing=120, source=Source.MARKETING, fit_note=BANK_FIT,
         products="手机银行、开放银行接口、用户行为分析",
         rivals=(("华软国际", E),)),
    Deal("沪通电信", "政企客户智慧运维平台", "sun.li", 180, "development", 3,
         started=46, signing=160, risk="medium", source=Source.PARTNER,
         fit_note="运营商政企市场是公司渠道合作重点",
         products="统一监控、工单调度、移动运维App",
         rivals=(("九州数码", W),)),
    Deal("晋能煤电", "集团ERP财务共享中心", "guo.qiang", 1800, "development", 2,
         outcome="abandoned", started=33, signing=200, risk="high_abandoned", fit=False,
         fit_note="财务共享不是公司主营方向，仅为维护客户关系考虑",
         products="财务共享平台、费用报销、资金管理",
         rivals=(("友信软件", S),),
         reason="客户资金紧张、历史欠款未清，且财务共享不是我司主营方向；"
                "风险评估为高风险，决定放弃。"),
    Deal("姑苏农村商业银行", "数据仓库升级", "he.jing", 50, "development", 2,
         outcome="abandoned", started=150, entered=150, closed=112, signing=-80,
         source=Source.OWN, fit_note=BANK_FIT, products="数据仓库扩容、报表平台",
         reason="客户要求先免费试点三个月再决定是否立项，投入产出不匹配；"
                "经与陈浩讨论决定放弃，保持日常联系。"),
    # --- project initiation (立项) ---------------------------------------------------------
    Deal("浙江省电网", "调度自动化系统升级", "sun.li", 3200, "initiation", 2,
         started=125, entered=35, signing=150, fit_note=POWER_FIT,
         products="调度自动化主站、地调一体化、网络安全防护",
         team=(("xu.tao", CONSULTANT),), rivals=(("瑞能电力", S), ("中原继电", E)),
         was_wan=3000, amount_reason="客户将两个地调主站纳入范围，预算相应增加"),
    Deal("燕山农村商业银行", "核心业务系统国产化改造", "guo.qiang", 2800, "initiation", 1,
         started=115, entered=62, signing=210, risk="medium", fit_note=BANK_FIT,
         products="分布式核心系统、国产数据库迁移、双轨并行",
         rivals=(("华软国际", E), ("云海信息", W)),
         slip=60, slip_reason="信创改造方案需报监管部门备案，客户立项审批延后两个月"),
    Deal("华北物流", "智慧仓储管理系统", "li.na", 150, "initiation", 3,
         started=96, entered=26, signing=75, source=Source.REFERRAL,
         fit_note="物流行业是公司工业软件的延伸市场",
         products="WMS仓储管理、AGV调度接口、库存看板",
         rivals=(("九州数码", E),)),
    Deal("上海市城市电力", "电力营销系统数据治理", "liu.yang", 420, "initiation", 2,
         started=150, entered=28, signing=130, fit_note=POWER_FIT,
         products="数据标准、主数据管理、数据质量稽核",
         rivals=(("智联软件", E),), back_from="proposal",
         back_reason="客户调整立项范围，将数据中台建设并入本项目，预算需重新报批，"
                     "退回立项阶段。"),
    # --- proposal (提案) -------------------------------------------------------------------
    Deal("金陵商业银行", "数据中心灾备建设", "sun.li", 4600, "proposal", 2,
         started=200, entered=40, signing=120, fit_note=BANK_FIT,
         products="同城双活数据中心、异地灾备、容灾切换演练",
         team=(("xu.tao", CONSULTANT),),
         rivals=(("华腾通信", S), ("九州数码", W), ("云海信息", E))),
    Deal("北方移动通信", "5G专网智慧工厂解决方案", "li.na", 1500, "proposal", 1,
         started=140, entered=18, signing=160, source=Source.PARTNER,
         fit_note="5G行业应用是公司与运营商合作的重点",
         products="5G专网、边缘计算、工业视觉质检",
         team=(("ma.lin", CONSULTANT),), rivals=(("华腾通信", S),)),
    Deal("苏锡常智能制造", "MES制造执行系统升级", "liu.yang", 860, "proposal", 3,
         started=185, entered=58, signing=-12, fit_note="智能制造是公司工业互联网重点方向",
         products="MES、设备联网、质量追溯",
         team=(("he.jing", ACCOUNT_MANAGER),), rivals=(("智联软件", E), ("友信软件", W))),
    Deal("冀北电力", "输电线路在线监测系统", "guo.qiang", 760, "proposal", 2,
         started=170, entered=30, signing=90, risk="reassessed", fit_note=POWER_FIT,
         products="杆塔倾斜、覆冰和山火监测，无人机巡检数据平台",
         rivals=(("中原继电", S), ("瑞能电力", S))),
    # --- tender (招投标) -------------------------------------------------------------------
    Deal("江苏省电网", "新一代调度技术支持系统", "chen.hao", 4800, "tender", 2,
         started=250, entered=16, signing=45, fit_note=POWER_FIT,
         products="新一代调度技术支持系统、实时监控与智能告警、调度计划",
         team=(("xu.tao", CONSULTANT), ("liu.yang", OTHER)),
         rivals=(("瑞能电力", S), ("中原继电", E)),
         override=("proposal", "招标技术规格",
                   "客户已发布招标公告，投标窗口仅剩十天；技术规格中两项关键指标已按我方建议"
                   "调整，其余在澄清阶段争取。同意进入招投标阶段。")),
    Deal("钱塘城市商业银行", "信贷管理系统国产化改造", "liu.yang", 1350, "tender", 3,
         started=215, entered=36, signing=-8, fit_note=BANK_FIT,
         products="信贷全流程管理、国产数据库适配、风险预警",
         rivals=(("华软国际", S), ("友信软件", E)),
         slip=30, slip_reason="招标公告延期发布，客户通知开标推迟一个月"),
    Deal("津门城市商业银行", "核心业务系统国产化改造", "li.na", 5000, "tender", 1,
         started=265, entered=12, signing=70, source=Source.TENDER_NOTICE, fit_note=BANK_FIT,
         products="分布式核心系统、国产化基础设施、数据迁移",
         team=(("ma.lin", CONSULTANT),),
         rivals=(("华软国际", S), ("云海信息", E), ("九州数码", W))),
    # --- negotiation (商务谈判) ------------------------------------------------------------
    Deal("安徽省电网", "用电信息采集系统扩容", "he.jing", 980, "negotiation", 2,
         started=230, entered=18, signing=25, fit_note=POWER_FIT,
         products="采集主站扩容、HPLC通信模块、数据质量治理",
         rivals=(("中原继电", E),)),
    Deal("渤海重型机械", "设备健康管理平台", "zhang.wei", 340, "negotiation", 1,
         started=190, entered=8, signing=40, fit_note="智能制造是公司工业互联网重点方向",
         products="设备状态监测、预测性维护、备件管理",
         team=(("ma.lin", CONSULTANT),), rivals=(("智联软件", W),)),
    Deal("浙江省电网", "电力物资供应链平台", "sun.li", 2100, "negotiation", 3,
         started=270, entered=41, signing=-5, fit_note=POWER_FIT,
         products="供应链运营平台、供应商协同、智能仓储",
         rivals=(("友信软件", E), ("远景软件", W)),
         slip=20, slip_reason="合同需提交客户法律部二次审核，签约推迟"),
    # --- won: implementation (工程实施) ----------------------------------------------------
    Deal("江苏省电网", "变电站综合自动化改造", "liu.yang", 2600, "negotiation", outcome="won",
         started=268, entered=80, closed=62, signing=-62, fit_note=POWER_FIT,
         products="变电站监控系统、保护信息子站、一键顺控",
         team=(("xu.tao", CONSULTANT),), rivals=(("瑞能电力", S),), collected=1),
    Deal("金陵商业银行", "网点智能运维平台", "sun.li", 520, "negotiation", outcome="won",
         started=255, entered=140, closed=122, signing=-122, fit_note=BANK_FIT,
         products="网点设备监控、智能工单、远程运维",
         rivals=(("九州数码", E),), collected=2),
    Deal("京畿电网", "配电自动化主站升级", "li.na", 3800, "negotiation", outcome="won",
         started=262, entered=50, closed=31, signing=-31, fit_note=POWER_FIT,
         products="配电自动化主站、馈线自动化、配网图模管理",
         team=(("ma.lin", CONSULTANT),), rivals=(("瑞能电力", S), ("中原继电", E)),
         override=("initiation", "客户项目已正式立项",
                   "立项批复文件在集团流转中，客户信息中心已书面确认预算与采购计划；"
                   "为赶上年度集中招标批次，同意先行进入提案阶段。")),
    Deal("宁波港口装备", "港口设备远程运维系统", "he.jing", 95, "negotiation", outcome="won",
         started=210, entered=105, closed=92, signing=-92, source=Source.OWN,
         fit_note="港口装备远程运维可复制到集团其他码头",
         products="设备远程监控、故障诊断、运维知识库", collected=1),
    Deal("北方移动通信", "机房动环监控系统", "li.na", 210, "negotiation", outcome="won",
         started=180, entered=60, closed=46, signing=-46,
         fit_note="运营商基础设施运维是公司成熟产品线",
         products="动力环境监控、能耗管理、告警联动",
         rivals=(("东方信息", E),), collected=1),
    # --- lost (丢单) -----------------------------------------------------------------------
    Deal("华东石化工程", "工控安全防护体系建设", "sun.li", 1100, "tender", 3, outcome="lost",
         started=230, entered=75, closed=52, signing=-50,
         fit_note="工控安全是公司重点拓展的能源行业方向",
         products="工控安全监测、边界防护、安全运营中心",
         rivals=(("九州数码", E), ("智联软件", E)),
         lost=("price", "九州数码",
               "对手报价低于我方18%，评标办法中价格分占40%，我方技术分领先但不足以弥补。"
               "今后价格权重高的项目要提前做成本方案，并争取调整评分办法。")),
    Deal("冀北电力", "营销稽查监控平台", "guo.qiang", 300, "proposal", 3, outcome="lost",
         started=200, entered=120, closed=95, signing=-90, fit_note=POWER_FIT,
         products="营销稽查、异常用电分析、稽查工单",
         rivals=(("远景软件", S),),
         lost=("technical_fit", "远景软件",
               "客户要求与现有营销系统深度集成，远景软件为原系统厂商，接口优势明显。"
               "应更早识别在位厂商的集成壁垒，并准备接口改造方案。")),
    Deal("钱塘城市商业银行", "反洗钱监测系统", "liu.yang", 230, "negotiation", 2,
         outcome="lost", started=240, entered=130, closed=110, signing=-105, fit_note=BANK_FIT,
         products="反洗钱监测、可疑交易识别、监管报送",
         rivals=(("友信软件", E),),
         lost=("price", "友信软件",
               "谈判阶段客户要求再降价15%，超出价格底线，销售总监决定不再让步。"
               "需在投标前更充分地摸清客户的真实预算。")),
    Deal("内蒙古草原风电", "风功率预测系统", "zhang.wei", 120, "tender", 3, outcome="lost",
         started=220, entered=150, closed=128, signing=-120,
         fit_note="新能源集控是公司重点培育的方向", products="短期与超短期风功率预测",
         rivals=(("瑞能电力", S),),
         lost=("incumbent", "瑞能电力",
               "在位供应商以系统升级的方式续约，未能形成充分竞争。"
               "需提前一年介入客户的技改规划。")),
    # --- abandoned (放弃) ------------------------------------------------------------------
    Deal("宁波港口装备", "码头自动化改造（一期）", "he.jing", 3000, "initiation", 1,
         outcome="abandoned", started=240, entered=180, closed=150, signing=-60,
         fit_note="港口自动化已纳入集团规划", products="自动化轨道吊、码头操作系统",
         rivals=(("华腾通信", S),),
         reason="客户集团投资计划推迟至2027年，项目暂缓；保持关系，待重新立项时再跟进。"),
]  # fmt: skip

# --- what happens along the way --------------------------------------------------------------

# stage code -> [(step number, element, status, note)]
ELEMENT_PLAN: dict[str, list[tuple[int, str, str, str]]] = {
    "development": [
        (1, Element.NEED, Knowledge.PARTLY, "客户提出{products}方面的初步意向，具体范围待调研"),
        (2, Element.SCHEDULE, Knowledge.PARTLY, "客户计划年内启动，具体采购时间待定"),
        (2, Element.BUDGET, Knowledge.PARTLY, "预算约{wan}万元，资金来源待确认"),
        (2, Element.COMPETITION, Knowledge.PARTLY, "已知{rivals}在接触客户"),
        (2, Element.DECISION, Knowledge.PARTLY, "由分管副总牵头，信息中心组织评审，物资部执行采购"),
        (2, Element.PRIORITY_ITEMS, Knowledge.PARTLY, "客户关注方案成熟度、国产化适配和本地服务"),
        (3, Element.NEED, Knowledge.CONFIRMED, "需求分析报告已经客户确认：{products}"),
    ],
    "initiation": [
        (2, Element.DECISION, Knowledge.PARTLY,
         "决策链已基本摸清：总经理办公会审批，信息中心主导技术评审"),
        (3, Element.SCHEDULE, Knowledge.CONFIRMED, "采购计划已明确：{signing}前完成招标和签约"),
        (3, Element.BUDGET, Knowledge.CONFIRMED, "预算{wan}万元已列入年度投资计划并获批复"),
    ],
    "proposal": [
        (1, Element.PRIORITY_ITEMS, Knowledge.CONFIRMED,
         "优先评估项已确认：同行业案例、国产化适配、7×24小时本地服务、价格"),
        (2, Element.COMPETITION, Knowledge.CONFIRMED,
         "竞争格局清楚：{rivals}；我方在本地化服务上占优"),
    ],
    "tender": [
        (1, Element.DECISION, Knowledge.CONFIRMED,
         "评标委员会构成和评分办法已掌握：技术分60%、商务分40%，总经理办公会定标"),
    ],
}  # fmt: skip

# stage code -> entries of the KA follow-up form, one per step (progress, next steps, support)
FOLLOW_UPS: dict[str, list[tuple[str, str, str]]] = {
    "development": [
        ("拜访信息中心主任，介绍公司和同行业案例，客户对{name}表现出兴趣",
         "约分管副总做初次访谈", ""),
        ("与分管副总初次访谈，了解到客户的业务痛点和初步预算", "提交需求调研计划",
         "需要顾问参加下次调研"),
        ("完成三个部门的需求调研，形成需求分析报告初稿", "与客户确认需求分析报告", ""),
    ],
    "initiation": [
        ("协助客户编写立项建议书，把我方方案的选择标准写入立项需求", "跟踪立项评审会", ""),
        ("摸清决策链：总经理办公会审批，信息中心牵头评审，物资部组织采购",
         "安排与总会计师的沟通", "需要部门主管陪同高层拜访"),
        ("客户立项评审会通过，预算与采购进度表已确认", "准备技术交流材料", ""),
    ],
    "proposal": [
        ("组织技术交流会，客户技术评估人员认可我方技术路线", "准备概念验证环境",
         "需要研发支持搭建演示环境"),
        ("完成概念验证，关键指标全部达标；组织客户参观样板工程", "编制正式提案和报价", ""),
        ("正式提案和预算报价已提交客户，客户确认方案满足需求", "跟踪招标文件编制", ""),
    ],
    "tender": [
        ("获取招标文件，完成评分规则分析，决定投标", "组织标书编制和报价审批", ""),
        ("标书编制完成，投标报价已获销售总监审批", "按时递交投标文件", "需要商务部出具授权书"),
        ("已递交投标文件并参加开标，技术澄清顺利", "等待评标结果", ""),
    ],
    "negotiation": [
        ("谈判方案和价格底线已获批准，约定首轮谈判时间", "首轮商务谈判", ""),
        ("与客户就付款条件和交付进度达成一致，质保条款仍有分歧", "第二轮谈判",
         "需要法务参加合同条款讨论"),
        ("合同通过法务评审和内部审批，双方签字盖章", "组织项目启动会", ""),
    ],
}  # fmt: skip

RISK_PROFILES: dict[str, tuple[int, ...]] = {
    # ability_to_pay, budget_unconfirmed, decision_unclear, strong_incumbent,
    # technical_feasibility, delivery_capacity, price_pressure, relationship_coverage, compliance
    "low": (1, 1, 1, 2, 0, 1, 2, 1, 0),
    "medium": (1, 3, 2, 3, 1, 2, 3, 2, 1),
    "high_pending": (1, 3, 3, 5, 2, 3, 5, 4, 2),
    "high_pay": (5, 5, 3, 3, 1, 2, 4, 4, 2),
    "high_continued": (2, 4, 4, 3, 3, 4, 4, 3, 1),
    "high_abandoned": (5, 5, 4, 3, 2, 3, 3, 4, 2),
    "reassessed": (1, 2, 3, 5, 3, 2, 5, 4, 3),
}
RISK_NOTES: dict[str, str] = {
    "ability_to_pay": "客户近两年经营性现金流紧张，有历史欠款",
    "budget_unconfirmed": "预算尚未列入年度投资计划",
    "decision_unclear": "项目由哪位领导最终拍板尚不清楚",
    "strong_incumbent": "在位供应商与客户合作多年，关系深厚",
    "technical_feasibility": "部分功能需定制开发，需顾问评估可行性",
    "delivery_capacity": "同期在建项目多，交付资源紧张",
    "price_pressure": "竞争对手报价激进，毛利空间有限",
    "relationship_coverage": "尚未接触到分管领导和采购部门",
    "compliance": "招标文件可能设置倾向性资质条款",
}
RISK_SUMMARIES = {
    "low": "整体风险可控，按计划推进。",
    "medium": "预算与竞争存在不确定性，需加强高层关系并尽快确认预算。",
    "high": "在位供应商优势明显、价格压力大，建议慎重投入；请销售总监决定是否继续。",
}

# Who in the customer plays which part (contact key → buying role, influence), in the order
# they usually join the map as the deal advances.
ROLE_PLAN: list[tuple[str, str, str]] = [
    ("it_dir", BuyingRole.TECHNICAL_EVALUATOR, Influence.HIGH),
    ("vp_it", BuyingRole.DECISION_MAKER, Influence.HIGH),
    ("ops", BuyingRole.USER, Influence.MEDIUM),
    ("it_arch", BuyingRole.COACH, Influence.MEDIUM),
    ("proc", BuyingRole.GATEKEEPER, Influence.MEDIUM),
    ("cfo", BuyingRole.INFLUENCER, Influence.MEDIUM),
    ("fintech", BuyingRole.TECHNICAL_EVALUATOR, Influence.HIGH),
    ("risk", BuyingRole.INFLUENCER, Influence.MEDIUM),
    ("gov_ent", BuyingRole.USER, Influence.HIGH),
    ("gm", BuyingRole.DECISION_MAKER, Influence.HIGH),
]
TITLE_KEYS = {
    "总经理": "gm",
    "副总经理（分管信息化）": "vp_it",
    "总会计师": "cfo",
    "信息中心主任": "it_dir",
    "系统架构师": "it_arch",
    "物资采购部主任": "proc",
    "运维科科长": "ops",
    "金融科技部总经理": "fintech",
    "风险管理部总经理": "risk",
    "政企客户部总经理": "gov_ent",
}
# key, title, department, reports to key, for industries that need them on a good map
EXTRA_CONTACTS: dict[str, list[tuple[str, str, str, str]]] = {
    "banking": [
        ("fintech", "金融科技部总经理", "金融科技部", "vp_it"),
        ("risk", "风险管理部总经理", "风险管理部", "gm"),
    ],
    "telecom": [("gov_ent", "政企客户部总经理", "政企客户部", "gm")],
}
_DM, _TE, _US = BuyingRole.DECISION_MAKER, BuyingRole.TECHNICAL_EVALUATOR, BuyingRole.USER
_GK, _IN = BuyingRole.GATEKEEPER, BuyingRole.INFLUENCER
MOTIVES: dict[tuple[str, str], str] = {
    (_DM, Attitude.SUPPORTER): "希望项目成为集团标杆，提升个人在系统内的影响力",
    (_DM, Attitude.NEUTRAL): "关注投资回报和实施风险，尚未表态",
    (_DM, Attitude.OPPONENT): "与竞争对手高层关系密切，倾向维持现有供应商",
    (_TE, Attitude.SUPPORTER): "认可我方技术路线，希望借项目提升团队技术能力",
    (_TE, Attitude.NEUTRAL): "看重技术先进性，担心系统割接风险",
    (_TE, Attitude.OPPONENT): "主导过竞品选型，担心更换平台影响个人声誉",
    (_US, Attitude.SUPPORTER): "希望减少手工填报和夜间值守的工作量",
    (_US, Attitude.NEUTRAL): "担心新系统改变工作习惯、增加培训负担",
    (_US, Attitude.OPPONENT): "习惯现有系统，对更换持抵触态度",
    (BuyingRole.COACH, Attitude.SUPPORTER): "与我方合作多年，信任我方交付团队，愿意提供内部信息",
    (_GK, Attitude.SUPPORTER): "重视流程合规，认可我方资质齐全",
    (_GK, Attitude.NEUTRAL): "严格按招投标流程办事，关注合规风险",
    (_GK, Attitude.OPPONENT): "对我方上次投标的资格文件问题有看法，审核从严",
    (_IN, Attitude.SUPPORTER): "看重我方同行业案例，认为项目风险可控",
    (_IN, Attitude.NEUTRAL): "关注预算控制和付款安排",
    (_IN, Attitude.OPPONENT): "主张压缩预算，倾向低价方案",
}  # fmt: skip
GOALS: dict[str, str] = {
    "power-grid": "提升电网安全稳定运行水平，完成数字化转型考核指标",
    "power-generation": "提高发电效率和新能源消纳水平，降低运维成本",
    "banking": "满足监管对信息科技自主可控的要求，降低运营成本",
    "telecom": "拓展政企市场收入，提升网络运维效率",
    "manufacturing": "提高设备综合效率，降低停机损失和质量成本",
    "energy": "保障生产安全，满足等级保护和工控安全合规要求",
    "transport": "提升仓储周转效率，降低物流成本",
}
# name, percentage, due days after signing
MILESTONES: list[tuple[str, int, int]] = [
    ("预付款", 30, 10),
    ("到货验收款", 40, 100),
    ("终验款", 25, 200),
    ("质保金", 5, 380),
]


# --- loading --------------------------------------------------------------------------------


def load() -> None:
    """Create the demo opportunities (customers and users of the demo must exist)."""
    _Loader().run()


class _Loader:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.now = timezone.localtime()
        self.today = self.now.date()
        self.users = {u.username: u for u in User.objects.all()}
        self.director = self.users[DIRECTOR]
        self.stages = list(Stage.objects.order_by("order"))
        self.by_code = {s.code: s for s in self.stages}
        self.steps = {
            s.pk: list(Step.objects.filter(stage=s).order_by("order")) for s in self.stages
        }
        self.criteria = {
            s.pk: list(ExitCriterion.objects.filter(stage=s).order_by("order", "id"))
            for s in self.stages
        }
        self.factors = list(RiskFactor.objects.filter(is_active=True).order_by("order", "code"))
        self.loss_reasons = {r.code: r for r in LossReason.objects.all()}
        self.contract_no = 0

    # ``x`` days ago (a float ≥ 1, so never today) in office hours: a smaller x is later
    def at(self, x: float) -> datetime:
        days = int(x)
        fraction = x - days
        day = self.now - timedelta(days=days)
        start = day.replace(hour=9, minute=0, second=0, microsecond=0)
        return start + timedelta(minutes=int((1 - fraction) * 9 * 60) - 1)

    def on(self, x: float) -> date:
        return self.at(x).date()

    def run(self) -> None:
        self.competitors = self._competitors()
        customers = {
            c.name: c
            for c in Customer.objects.filter(status=RegistrationStatus.REGISTERED).select_related(
                "industry", "owner"
            )
        }
        of_deal = [
            next(c for name, c in customers.items() if name.startswith(deal.customer))
            for deal in DEALS
        ]
        for customer in {c.pk: c for c in of_deal}.values():
            self._extra_contacts(customer)
        for deal, customer in zip(DEALS, of_deal, strict=True):
            _Walk(self, deal, customer).run()

    def _competitors(self) -> dict[str, Competitor]:
        registrar, admin = self.users["chen.hao"], self.users["admin"]
        result = {}
        for name, short, strengths, weaknesses in COMPETITORS:
            comp = services.competitor_register(actor=registrar, name=name, short_name=short)
            # The catalogue's descriptions are kept in the back office.
            comp.strengths, comp.weaknesses = strengths, weaknesses
            comp._history_user = admin  # type: ignore[attr-defined]
            comp.save()
            result[short] = comp
        return result

    def _extra_contacts(self, customer: Customer) -> None:
        extra = EXTRA_CONTACTS.get(customer.industry.code if customer.industry else "", [])
        if not extra:
            return
        by_key = {TITLE_KEYS.get(c.title, ""): c for c in Contact.objects.filter(customer=customer)}
        for key, title, department, boss in extra:
            by_key[key] = contact_create(
                actor=customer.owner,
                customer=customer,
                data={
                    "name": self.person(),
                    "title": title,
                    "department": department,
                    "mobile": "1"
                    + self.rng.choice("3589")
                    + "".join(self.rng.choice("0123456789") for _ in range(9)),
                    "email": f"{key}{customer.pk}@customer.example.cn",
                    "reports_to": by_key.get(boss),
                },
            )

    def person(self) -> str:
        return person_name(self.rng)

    def next_contract_number(self, signed_on: date) -> str:
        self.contract_no += 1
        return f"HR-{signed_on.year}-{self.contract_no:03d}"


class _Walk:
    """One deal's history, event by event, in the order it happened."""

    def __init__(self, loader: _Loader, deal: Deal, customer: Customer) -> None:
        self.ld = loader
        self.deal = deal
        self.customer = customer
        self.owner = loader.users[deal.owner]
        self.rng = loader.rng
        self.team = {loader.users[u]: role for u, role in deal.team}
        self.consultant = next(
            (u for u, role in self.team.items() if role == TeamRole.CONSULTANT), None
        )
        self.contacts = {
            TITLE_KEYS.get(c.title, ""): c for c in Contact.objects.filter(customer=customer)
        }
        self.roles_set = 0
        self.mood = {"won": "good", "lost": "bad"}.get(deal.outcome) or self.rng.choice(
            ["good", "mixed", "mixed"]
        )

    # --- the walk ---------------------------------------------------------------------------

    def run(self) -> None:
        d, ld = self.deal, self.ld
        final = ld.by_code[d.stage]
        turn = ld.by_code[d.back_from] if d.back_from else final
        entered = d.entered or d.started
        back_at = entered
        if d.back_from:
            entered = entered + 15  # entered the later stage, then moved back
        signing = ld.today + timedelta(days=d.signing - d.slip)
        self.opp = services.opportunity_create(
            actor=self.owner,
            customer=self.customer,
            data={
                "name": d.name,
                "amount": Decimal(d.was_wan or d.wan) * 10_000,
                "expected_signing": signing,
                "products": d.products,
                "source": d.source,
                "strategic_fit": d.fit,
                "strategic_note": d.fit_note,
            },
            at=ld.at(d.started),
        )
        for user, role in self.team.items():
            services.member_add(actor=self.owner, opportunity=self.opp, user=user, role=role)
        self._rivals()
        # stages passed on the way, evenly over [started, entered]
        passed = [s for s in ld.stages if s.order < turn.order]
        span = (d.started - entered) / max(len(passed), 1)
        for i, stage in enumerate(passed):
            start = d.started - i * span
            self._pass_stage(stage, start, start - span)
        if d.back_from:
            self._stay(turn, entered, back_at, step=1)
            services.opportunity_move(
                actor=self.owner,
                opportunity=self.opp,
                forward=False,
                to_stage=final,
                reason=d.back_reason,
                at=ld.at(back_at),
            )
            services.element_set(
                actor=self.owner,
                opportunity=self.opp,
                element=Element.BUDGET,
                status=Knowledge.PARTLY,
                notes="范围调整后预算需重新报批，预计增加约30%",
            )
            entered = back_at
        end = d.closed or 1
        if d.outcome == "won":
            self._pass_stage(final, entered, end, win=True)
            self._milestones()
            self._deliver(end)
        else:
            self._stay(final, entered, end, step=d.step)
            if d.outcome == "lost" and d.lost:
                code, winner, lessons = d.lost
                services.opportunity_lose(
                    actor=self.owner,
                    opportunity=self.opp,
                    loss_reason=ld.loss_reasons[code],
                    winner=ld.competitors[winner],
                    lessons=lessons,
                    at=ld.at(end),
                )
            elif d.outcome == "abandoned" and d.risk != "high_abandoned":
                services.opportunity_abandon(
                    actor=self.owner, opportunity=self.opp, reason=d.reason, at=ld.at(end)
                )
        self._forecast_edits()

    def _pass_stage(self, stage: Stage, start: float, end: float, *, win: bool = False) -> None:
        """Go through every step of ``stage`` between ``start`` and ``end`` days ago and leave
        it through the gate (or by a director's override, or by winning)."""
        steps = self.ld.steps[stage.pk]
        width = (start - end) / len(steps)
        override = (
            self.deal.override
            if self.deal.override and self.deal.override[0] == stage.code
            else None
        )
        skip = override[1] if override else ""
        for i, step in enumerate(steps):
            a, b = start - i * width, start - (i + 1) * width
            last = i == len(steps) - 1
            self._work_in_step(stage, step, a, b, complete=True, stage_level=last, skip=skip)
            if not last:
                services.opportunity_move(actor=self.owner, opportunity=self.opp, at=self.ld.at(b))
        if win:
            self._win(end)
        elif override:
            services.opportunity_move(
                actor=self.ld.director,
                opportunity=self.opp,
                override=True,
                reason=override[2],
                at=self.ld.at(end),
            )
        else:
            services.opportunity_move(actor=self.owner, opportunity=self.opp, at=self.ld.at(end))

    def _deliver(self, signed: float) -> None:
        """A won deal moves through implementation as delivery goes on: one step further per
        collected milestone (hand-over done after the advance, acceptance after the next)."""
        stage = self.ld.stages[-1]
        steps = self.ld.steps[stage.pk]
        reach = min(len(steps) - 1, self.deal.collected)
        if reach <= 0 or signed <= 2:
            return
        width = (signed - 1) / (reach + 1)
        for i in range(reach):
            a, b = signed - i * width, signed - (i + 1) * width
            self._work_in_step(stage, steps[i], a, b, complete=True, stage_level=False)
            services.opportunity_move(actor=self.owner, opportunity=self.opp, at=self.ld.at(b))

    def _stay(self, stage: Stage, start: float, end: float, *, step: int) -> None:
        """Reach step ``step`` of ``stage`` and stop part-way through its checklist."""
        steps = self.ld.steps[stage.pk][:step]
        # earlier steps share the first 70% of the time, the current step the rest
        width = (start - end) * 0.7 / (len(steps) - 1) if len(steps) > 1 else 0.0
        for i, s in enumerate(steps):
            a = start - i * width
            current = i == len(steps) - 1
            b = end if current else a - width
            self._work_in_step(stage, s, a, b, complete=not current, stage_level=current)
            if not current:
                services.opportunity_move(actor=self.owner, opportunity=self.opp, at=self.ld.at(b))

    def _work_in_step(
        self,
        stage: Stage,
        step: Step,
        a: float,
        b: float,
        *,
        complete: bool,
        stage_level: bool,
        skip: str = "",
    ) -> None:
        """What the team does in one step between ``a`` and ``b`` days ago: elements, a
        follow-up entry, the power map, the risk assessment, then the step's checklist (all of
        it when ``complete``, part of it otherwise)."""
        d = self.deal
        span = a - b
        self._elements(stage, step, complete=complete)
        if step.order == 1 or stage_level:
            self._follow_up(stage, step, a - span * 0.3)
        self._power_map(stage, step)
        if step.code == "first_interview":
            self._risk(a - span * 0.4)
        if d.risk == "reassessed" and not complete and stage.code == d.stage:
            self._assess("reassessed", a - span * 0.7, summary_level="high")
        criteria = [c for c in self.ld.criteria[stage.pk] if c.step_id == step.pk]
        if stage_level:
            criteria += [c for c in self.ld.criteria[stage.pk] if c.step_id is None]
        moment = a - span * 0.75
        done = set(self.opp.checks.values_list("criterion_id", flat=True))
        for n, criterion in enumerate(criteria):
            if criterion.pk in done or (skip and criterion.text_zh.startswith(skip)):
                continue
            if criterion.text_zh.startswith("已完成风险评估表") and self.opp.risk_decision in (
                RiskDecision.PENDING,
                RiskDecision.ABANDON,
            ):
                continue
            if complete:
                wanted = criterion.mandatory or self.rng.random() < 0.6
            else:
                wanted = n < len(criteria) // 2 or (
                    criterion.step_id is None and self.rng.random() < 0.3
                )
            if wanted:
                services.criterion_set(
                    actor=self._checker(step),
                    opportunity=self.opp,
                    criterion=criterion,
                    checked=True,
                    note=self._check_note(criterion),
                    at=self.ld.at(moment - span * 0.05 * n),
                )
        if d.risk == "high_continued" and step.code == "first_interview" and not complete:
            self._continue_after_decision(criteria)
        if d.risk == "high_abandoned" and step.code == "first_interview" and not complete:
            assessment = self.opp.risk_assessments.order_by("-assessed_on", "-id").first()
            assert assessment is not None
            services.risk_decide(
                actor=self.ld.director,
                assessment=assessment,
                decision=RiskDecision.ABANDON,
                reason=d.reason,
            )

    def _checker(self, step: Step) -> User:
        if step.code in ("bid_preparation", "negotiation_preparation"):
            return self.ld.director  # the director approves the bid price and the bottom line
        if self.consultant and step.code in ("technical_exchange", "solution_validation"):
            return self.consultant
        return self.owner

    def _check_note(self, criterion: ExitCriterion) -> str:
        if criterion.text_zh.startswith("已识别至少一名内线"):
            coach = self.contacts.get("it_arch")
            return f"内线：{coach.name}（{coach.title}）" if coach else ""
        if criterion.text_zh.startswith("客户项目已正式立项"):
            return "已取得立项批复文件"
        if criterion.text_zh.startswith("已获得中标通知书"):
            return "中标通知书已收到，原件存档"
        return ""

    def _continue_after_decision(self, criteria: list[ExitCriterion]) -> None:
        assessment = self.opp.risk_assessments.order_by("-assessed_on", "-id").first()
        assert assessment is not None
        services.risk_decide(
            actor=self.ld.director,
            assessment=assessment,
            decision=RiskDecision.CONTINUE,
            reason=self.deal.reason,
        )
        for criterion in criteria:
            if criterion.text_zh.startswith("已完成风险评估表"):
                services.criterion_set(
                    actor=self.owner,
                    opportunity=self.opp,
                    criterion=criterion,
                    checked=True,
                    note="销售总监已决定继续跟进",
                )

    # --- the things recorded along the way --------------------------------------------------

    def _fill(self, text: str) -> str:
        d = self.deal
        rivals = "、".join(name for name, _s in d.rivals) or "暂无明显竞争对手"
        signing = self.ld.today + timedelta(days=d.signing)
        return text.format(
            name=d.name,
            products=d.products.split("、")[0] if d.products else d.name,
            wan=d.was_wan or d.wan,
            rivals=rivals,
            signing=f"{signing.year}年{signing.month}月",
        )

    def _elements(self, stage: Stage, step: Step, *, complete: bool) -> None:
        for number, element, status, note in ELEMENT_PLAN.get(stage.code, []):
            if number != step.order or (not complete and self.rng.random() < 0.4):
                continue
            services.element_set(
                actor=self.consultant if self.consultant and number > 1 else self.owner,
                opportunity=self.opp,
                element=element,
                status=status,
                notes=self._fill(note),
            )

    def _follow_up(self, stage: Stage, step: Step, x: float) -> None:
        entries = FOLLOW_UPS.get(stage.code)
        if not entries:
            return
        progress, next_steps, support = entries[(step.order - 1) % len(entries)]
        services.follow_up_add(
            actor=self.owner,
            opportunity=self.opp,
            on=self.ld.on(x),
            progress=self._fill(progress),
            next_steps=next_steps,
            support_needed=support,
        )

    def _power_map(self, stage: Stage, step: Step) -> None:
        """The map grows as the deal advances: two people after the lead, all of them by the
        tender."""
        wanted = min(2 * stage.order + step.order - 1, len(ROLE_PLAN))
        plan = [p for p in ROLE_PLAN if p[0] in self.contacts]
        if self.deal.wan < 1000:
            plan = [p for p in plan if p[0] != "gm"]
        goal = GOALS.get(self.customer.industry.code if self.customer.industry else "", "")
        for key, role, influence in plan[self.roles_set : wanted]:
            if key == "vp_it" and any(p[0] == "gm" for p in plan):
                role = BuyingRole.INFLUENCER  # the general manager decides the big ones
            attitude = self._attitude(role, self.mood)
            services.buying_role_set(
                actor=self.owner,
                opportunity=self.opp,
                contact=self.contacts[key],
                data={
                    "role": role,
                    "influence": influence,
                    "attitude": attitude,
                    "personal_motives": MOTIVES.get((role, attitude), ""),
                    "organisational_goals": goal,
                },
            )
        self.roles_set = max(self.roles_set, min(wanted, len(plan)))

    def _attitude(self, role: str, mood: str) -> str:
        if role == BuyingRole.COACH:
            return Attitude.SUPPORTER
        table: dict[str, dict[str, str]] = {
            BuyingRole.DECISION_MAKER: {"good": Attitude.SUPPORTER, "mixed": Attitude.NEUTRAL},
            BuyingRole.TECHNICAL_EVALUATOR: {"good": Attitude.SUPPORTER,
                                             "mixed": Attitude.SUPPORTER,
                                             "bad": Attitude.NEUTRAL},
            BuyingRole.INFLUENCER: {"good": Attitude.NEUTRAL},
            BuyingRole.GATEKEEPER: {"good": Attitude.NEUTRAL, "mixed": Attitude.NEUTRAL},
        }  # fmt: skip
        if role == BuyingRole.USER:
            return self.rng.choice([Attitude.SUPPORTER, Attitude.NEUTRAL, Attitude.UNKNOWN])
        return table.get(role, {}).get(mood, Attitude.OPPONENT)

    def _rivals(self) -> None:
        for short, strength in self.deal.rivals:
            theirs, ours = RIVAL_PLAYS[short]
            services.competitor_set(
                actor=self.owner,
                opportunity=self.opp,
                competitor=self.ld.competitors[short],
                strength=strength,
                their_strategy=theirs,
                our_strategy=ours,
            )

    def _risk(self, x: float) -> None:
        profile = self.deal.risk
        if profile in ("reassessed",):
            profile = "medium"
        if profile == "high_pending" and "煤电" in self.deal.customer:
            profile = "high_pay"
        level = "low" if profile == "low" else "medium" if profile == "medium" else "high"
        self._assess(profile, x, summary_level=level)

    def _assess(self, profile: str, x: float, *, summary_level: str) -> None:
        scores = {
            f.code: services.ScoreInput(score, RISK_NOTES.get(f.code, "") if score >= 3 else "")
            for f, score in zip(self.ld.factors, RISK_PROFILES[profile], strict=False)
        }
        for f in self.ld.factors[len(RISK_PROFILES[profile]) :]:
            scores[f.code] = services.ScoreInput(1)  # factors an administrator added later
        services.risk_assess(
            actor=self.consultant or self.owner,
            opportunity=self.opp,
            assessed_on=self.ld.on(x),
            scores=scores,
            summary=RISK_SUMMARIES[summary_level],
        )

    def _win(self, x: float) -> None:
        d = self.deal
        signed_on = self.ld.on(x)
        signed = (Decimal(d.wan) * 10_000 * Decimal("0.97")).quantize(
            Decimal(100), rounding=ROUND_HALF_UP
        )
        contract = services.opportunity_win(
            actor=self.owner,
            opportunity=self.opp,
            contract_number=self.ld.next_contract_number(signed_on),
            signed_amount=signed,
            signed_on=signed_on,
            milestones=[
                services.MilestoneInput(
                    name=name,
                    due_on=signed_on + timedelta(days=days),
                    percentage=Decimal(pct),
                )
                for name, pct, days in MILESTONES
            ],
            at=self.ld.at(x),
        )
        self.contract = contract

    def _milestones(self) -> None:
        """Payment milestones partly accepted, invoiced and collected."""
        today = self.ld.today
        yesterday = today - timedelta(days=1)
        for i, m in enumerate(PaymentMilestone.objects.filter(contract=self.contract)):
            if m.due_on > yesterday:
                break
            data: dict[str, object] = {
                "invoiced_on": m.due_on,
                "invoiced_amount": m.amount,
            }
            if i > 0:
                data["accepted_on"] = m.due_on - timedelta(days=5)
            if i < self.deal.collected:
                data["collected_on"] = min(m.due_on + timedelta(days=12), yesterday)
                data["collected_amount"] = m.amount
            services.milestone_update(
                actor=self.owner, milestone=m, data=data, expected_version=m.version
            )

    def _forecast_edits(self) -> None:
        d = self.deal
        if not (d.slip or d.was_wan) or d.outcome != "open":
            return
        opp = Opportunity.objects.get(pk=self.opp.pk)
        data: dict[str, object] = {}
        if d.slip:
            data["expected_signing"] = self.ld.today + timedelta(days=d.signing)
        if d.was_wan:
            data["amount"] = Decimal(d.wan) * 10_000
        services.opportunity_update(
            actor=self.owner,
            opportunity=opp,
            data=data,
            expected_version=opp.version,
            reason=d.slip_reason or d.amount_reason,
        )
