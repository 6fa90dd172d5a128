"""The demo deals: about thirty opportunities of the demo customers and the history each is
given (stage reached, outcome, team, competitors, overrides, slips, risk profile, and what the
record still lacks where a deal waits on an evidence criterion)."""

from dataclasses import dataclass

from keyaccount.pipeline.rules import Source, Strength, TeamRole


@dataclass(frozen=True)
class Deal:
    """One demo opportunity and the history it is given.

    Days are counted back from today: created ``started`` days ago, entered its (last) stage
    ``entered`` days ago, closed ``closed`` days ago. ``step`` is the step it reached in that
    stage. ``risk``: low / medium / high_pending / high_continued / high_abandoned /
    reassessed (medium first, high in its current stage, awaiting a decision).

    ``fit``: the deal is recorded as fitting the company's strategy, which the first stage's gate
    asks; a deal that does not fit leaves that stage only by a director's ``override`` (or
    stops before it). ``override``: the stage whose gate a sales director opened, the manual
    criterion the team left unticked there ("" for none: the gap is in the record) and the
    reason. ``gaps``: what the record still lacks in the current step, so the deal waits on an
    evidence criterion: "budget" (not confirmed), "decision_maker" (nobody on the power map
    decides), "tech_support" (the technical evaluators are not won over yet).
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
    override: tuple[str, str, str] | None = None  # (stage code, criterion prefix or "", reason)
    back_from: str = ""  # stage code the deal was moved back from
    back_reason: str = ""
    was_wan: int = 0  # amount at creation when it changed since
    amount_reason: str = ""
    slip: int = 0  # days the expected signing date slipped later
    slip_reason: str = ""
    lost: tuple[str, str, str] | None = None  # (loss reason code, winner, lessons)
    reason: str = ""  # why abandoned, or why the director continued a high-risk deal
    collected: int = 0  # payment milestones collected (won deals)
    gaps: tuple[str, ...] = ()  # budget / decision_maker / tech_support, see above


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
         was_wan=3000, amount_reason="客户将两个地调主站纳入范围，预算相应增加",
         gaps=("decision_maker",)),
    Deal("燕山农村商业银行", "核心业务系统国产化改造", "guo.qiang", 2800, "initiation", 3,
         started=115, entered=62, signing=210, risk="medium", fit_note=BANK_FIT,
         products="分布式核心系统、国产数据库迁移、双轨并行",
         rivals=(("华软国际", E), ("云海信息", W)),
         slip=60, slip_reason="信创改造方案需报监管部门备案，客户立项审批延后两个月",
         gaps=("budget",)),
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
         team=(("ma.lin", CONSULTANT),), rivals=(("华腾通信", S),), gaps=("tech_support",)),
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
         started=210, entered=105, closed=92, signing=-92, source=Source.OWN, fit=False,
         fit_note="港口装备不在公司重点行业方向内，属设备健康管理产品的延伸应用",
         products="设备远程监控、故障诊断、运维知识库", collected=1,
         override=("development", "",
                   "客户是港口装备龙头企业，远程运维可复用设备健康管理产品，投入小、回款条件好，"
                   "并可复制到集团其他码头；同意作为延伸市场试点进入立项阶段。")),
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
