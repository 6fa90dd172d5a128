"""What the demo deals meet and record along the way: the competitor catalogue and what each
rival does on a deal, the key evaluation elements learned stage by stage, the KA follow-up
entries, what a deal waiting on an evidence criterion still lacks, the risk profiles and notes,
the power map (who plays which buying role, their motives, the customer's goals), extra
contacts by industry and the payment milestones.

The plans are made so that a deal that goes on has what the playbook's evidence criteria ask
before the gate that asks it: the need known in the lead, all six elements partly known after
the first interview, the decision process confirmed and a decision maker on the map by the
decision mapping, budget and schedule confirmed at the project approval, the technical
evaluators won over in the technical exchange, and the decision maker, a technical evaluator
and a user on the map by the end of the proposal."""

from keyaccount.pipeline.rules import Attitude, BuyingRole, Element, Influence, Knowledge

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


# --- what happens along the way --------------------------------------------------------------

# stage code -> [(step number, element, status, note)]: what the team learns in each step
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
        (2, Element.DECISION, Knowledge.CONFIRMED,
         "决策链已摸清：总经理办公会审批，信息中心主导技术评审，物资部组织采购"),
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

# What a deal waiting on an evidence criterion still lacks (``Deal.gaps``): the element it
# knows only partly (element, note), and the follow-up entry of its current step.
GAP_ELEMENTS: dict[str, tuple[str, str]] = {
    "budget": (
        Element.BUDGET,
        "预算约{wan}万元已报客户年度投资计划，需待监管部门备案后批复，尚未确认",
    ),
    "decision_maker": (
        Element.DECISION,
        "总经理与分管副总对项目由哪个部门牵头意见不一，最终拍板人尚未明确",
    ),
}
GAP_FOLLOW_UPS: dict[str, tuple[str, str, str]] = {
    "budget": ("立项评审会原则通过，但预算须待监管部门备案后才能列入年度投资计划，尚未批复",
               "跟踪预算批复进度，准备分期实施方案以降低首年投入", "需要部门主管拜访总会计师"),
    "decision_maker": ("与分管副总和信息中心深入交流，总经理尚未表态，项目最终由谁拍板仍不明确",
                       "通过内线安排与总经理见面", "需要销售总监陪同高层拜访"),
    "tech_support": ("技术交流会上客户技术评估人员对我方方案存疑，倾向{rivals}的整体方案",
                     "安排样板工程参观和专项技术交流", "需要研发专家参加技术澄清"),
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
# they usually join the map as the deal advances: the technical evaluator, the decision maker
# (the general manager in the big deals, where the vice president influences) and a user, then
# the coach, all of them by the decision mapping; the others as the deal goes on.
ROLE_PLAN: list[tuple[str, str, str]] = [
    ("it_dir", BuyingRole.TECHNICAL_EVALUATOR, Influence.HIGH),
    ("vp_it", BuyingRole.DECISION_MAKER, Influence.HIGH),
    ("ops", BuyingRole.USER, Influence.MEDIUM),
    ("it_arch", BuyingRole.COACH, Influence.MEDIUM),
    ("gm", BuyingRole.DECISION_MAKER, Influence.HIGH),
    ("proc", BuyingRole.GATEKEEPER, Influence.MEDIUM),
    ("cfo", BuyingRole.INFLUENCER, Influence.MEDIUM),
    ("fintech", BuyingRole.TECHNICAL_EVALUATOR, Influence.HIGH),
    ("risk", BuyingRole.INFLUENCER, Influence.MEDIUM),
    ("gov_ent", BuyingRole.USER, Influence.HIGH),
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
