"""Reference data shipped with the product: the eight roles, regions and industries.

Loaded by ``org/migrations/0002_reference_data.py``; administrators edit it afterwards.
"""

# code, name_zh, name_en, description_zh, description_en
ROLES: list[tuple[str, str, str, str, str]] = [
    (
        "kam",
        "大客户经理",
        "Key account manager",
        "拥有客户和销售机会，每天填写客户日常联络表，撰写周报，推动项目通过各阶段。",
        "Owns customers and opportunities, logs every contact daily, writes the weekly report, "
        "moves deals through the stages.",
    ),
    (
        "account_manager",
        "客户经理",
        "Account manager",
        "在较小的客户上做同样的工作，并支持大客户经理。",
        "Same work on smaller accounts; supports key account managers.",
    ),
    (
        "senior_kam",
        "高级大客户经理",
        "Senior key account manager",
        "拥有战略客户，辅导大客户经理，参加重要拜访。",
        "Owns strategic accounts, coaches KAMs, joins key visits.",
    ),
    (
        "sales_director",
        "销售总监",
        "Sales director",
        "查看全部门的销售机会，审批阶段关口例外、高风险项目继续决定和价格，主持销售机会评审。",
        "Sees the whole department's pipeline, approves stage-gate overrides, high-risk "
        "'continue' decisions and pricing, runs pipeline reviews.",
    ),
    (
        "consultant",
        "顾问/技术支持人员",
        "Consultant / technical support",
        "售前支持：初次访谈、需求调研、方案、演示、投标；查看自己参与的销售机会。",
        "Presales: first interviews, needs surveys, proposals, demos, bids; sees the "
        "opportunities they are on.",
    ),
    (
        "department_head",
        "大客户部门主管",
        "KA department head",
        "接收并审阅周报，维护大客户名单和大项目名单，向客户经理分配客户。",
        "Receives and reviews weekly reports, maintains the KA list and major-project list, "
        "allocates customers to managers.",
    ),
    (
        "department_assistant",
        "大客户部门助理",
        "KA department assistant",
        "进行客户备案登记，维护主数据的整洁；不编辑销售机会。",
        "Registers customers, keeps master data clean; does not edit deals.",
    ),
    (
        "administrator",
        "系统管理员",
        "Administrator",
        "管理用户、组织单元、流程配置和阈值。",
        "Users, org units, process configuration, thresholds.",
    ),
]

# code, name_zh, name_en, kind, parent code
REGIONS: list[tuple[str, str, str, str, str | None]] = [
    ("CN", "中国", "China", "country", None),
    ("NA", "北美", "North America", "global", None),
    ("EU", "欧洲", "Europe", "global", None),
    ("APAC", "亚太", "Asia-Pacific", "global", None),
    ("MEA", "中东及非洲", "Middle East and Africa", "global", None),
    ("LATAM", "拉丁美洲", "Latin America", "global", None),
    ("CN-NE", "东北", "Northeast China", "sales_region", "CN"),
    ("CN-N", "华北", "North China", "sales_region", "CN"),
    ("CN-E", "华东", "East China", "sales_region", "CN"),
    ("CN-S", "华南", "South China", "sales_region", "CN"),
    ("CN-C", "华中", "Central China", "sales_region", "CN"),
    ("CN-SW", "西南", "Southwest China", "sales_region", "CN"),
    ("CN-NW", "西北", "Northwest China", "sales_region", "CN"),
    ("CN-HMT", "港澳台", "Hong Kong, Macao and Taiwan", "sales_region", "CN"),
    ("CN-LN", "辽宁", "Liaoning", "province", "CN-NE"),
    ("CN-JL", "吉林", "Jilin", "province", "CN-NE"),
    ("CN-HL", "黑龙江", "Heilongjiang", "province", "CN-NE"),
    ("CN-BJ", "北京", "Beijing", "province", "CN-N"),
    ("CN-TJ", "天津", "Tianjin", "province", "CN-N"),
    ("CN-HE", "河北", "Hebei", "province", "CN-N"),
    ("CN-SX", "山西", "Shanxi", "province", "CN-N"),
    ("CN-NM", "内蒙古", "Inner Mongolia", "province", "CN-N"),
    ("CN-SH", "上海", "Shanghai", "province", "CN-E"),
    ("CN-JS", "江苏", "Jiangsu", "province", "CN-E"),
    ("CN-ZJ", "浙江", "Zhejiang", "province", "CN-E"),
    ("CN-AH", "安徽", "Anhui", "province", "CN-E"),
    ("CN-FJ", "福建", "Fujian", "province", "CN-E"),
    ("CN-JX", "江西", "Jiangxi", "province", "CN-E"),
    ("CN-SD", "山东", "Shandong", "province", "CN-E"),
    ("CN-GD", "广东", "Guangdong", "province", "CN-S"),
    ("CN-GX", "广西", "Guangxi", "province", "CN-S"),
    ("CN-HI", "海南", "Hainan", "province", "CN-S"),
    ("CN-HA", "河南", "Henan", "province", "CN-C"),
    ("CN-HB", "湖北", "Hubei", "province", "CN-C"),
    ("CN-HN", "湖南", "Hunan", "province", "CN-C"),
    ("CN-CQ", "重庆", "Chongqing", "province", "CN-SW"),
    ("CN-SC", "四川", "Sichuan", "province", "CN-SW"),
    ("CN-GZ", "贵州", "Guizhou", "province", "CN-SW"),
    ("CN-YN", "云南", "Yunnan", "province", "CN-SW"),
    ("CN-XZ", "西藏", "Tibet", "province", "CN-SW"),
    ("CN-SN", "陕西", "Shaanxi", "province", "CN-NW"),
    ("CN-GS", "甘肃", "Gansu", "province", "CN-NW"),
    ("CN-QH", "青海", "Qinghai", "province", "CN-NW"),
    ("CN-NX", "宁夏", "Ningxia", "province", "CN-NW"),
    ("CN-XJ", "新疆", "Xinjiang", "province", "CN-NW"),
    ("CN-HK", "香港", "Hong Kong", "province", "CN-HMT"),
    ("CN-MO", "澳门", "Macao", "province", "CN-HMT"),
    ("CN-TW", "台湾", "Taiwan", "province", "CN-HMT"),
]

# code, name_zh, name_en, parent code
INDUSTRIES: list[tuple[str, str, str, str | None]] = [
    ("power", "电力", "Electric power", None),
    ("power-grid", "电网", "Power grid", "power"),
    ("power-generation", "发电", "Power generation", "power"),
    ("finance", "金融", "Finance", None),
    ("banking", "银行", "Banking", "finance"),
    ("insurance", "保险", "Insurance", "finance"),
    ("securities", "证券", "Securities", "finance"),
    ("telecom", "电信", "Telecommunications", None),
    ("manufacturing", "制造业", "Manufacturing", None),
    ("distribution", "流通业", "Distribution and retail", None),
    ("services", "服务业", "Services", None),
    ("government", "政府及公共事业", "Government and public sector", None),
    ("energy", "石油石化", "Oil and petrochemicals", None),
    ("transport", "交通物流", "Transport and logistics", None),
    ("healthcare", "医疗卫生", "Healthcare", None),
    ("education", "教育", "Education", None),
    ("internet", "互联网", "Internet", None),
]
