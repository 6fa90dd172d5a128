"""The default key-account sales playbook (大客户销售流程), as plain Python data.

This module is the shipped default of the sales process: six sequential stages matched to the
customer's procurement process (客户开发 Customer development, 立项 Project initiation, 提案
Proposal, 招投标 Tender, 商务谈判 Negotiation, 工程实施 Implementation), each with its steps,
responsible roles, required forms and exit criteria, in Simplified Chinese and English.

It is loaded into the database by a data migration; from then on the process lives in the
database and an administrator can edit it (rename, add steps and criteria, change probabilities
and stage norms) without code. Changing this file does not change an installed process.

Stage 1 and its steps "lead discovery" and "first interview" follow the wording of the source
training deck (seed/000_f60f718eaf0e64be.txt); the other stages follow SPEC section 4.

Text fields named ``activities_*``, ``results_*`` and ``reports_*`` hold one item per line
("\\n" separated), without bullets or numbers. The module has no Django imports so that it can
be imported by migrations, tests and tools alike.
"""

from typing import Any, NotRequired, TypedDict

__all__ = [
    "DEFAULT_PLAYBOOK",
    "FORM_CODES",
    "ROLE_CODES",
    "CriterionData",
    "StageData",
    "StepData",
    "validate_shape",
]

ROLE_CODES: tuple[str, ...] = (
    "kam",  # key account manager
    "account_manager",  # account manager
    "senior_kam",  # senior key account manager
    "sales_director",  # sales director
    "consultant",  # consultant / technical support
    "department_head",  # KA department head
    "department_assistant",  # KA department assistant
    "administrator",  # system administrator
)

FORM_CODES: tuple[str, ...] = (
    "customer_profile",  # customer profile form
    "ka_follow_up",  # KA follow-up form
    "daily_contact_log",  # daily customer contact log
    "risk_assessment",  # risk assessment form
    "comprehensive_evaluation",  # comprehensive customer evaluation form
    "weekly_report",  # weekly report
)


class CriterionData(TypedDict):
    text_zh: str
    text_en: str
    mandatory: bool
    # facts that answer it from the record (process.evidence); absent: a person ticks it
    evidence: NotRequired[list[dict[str, Any]]]
    step: str | None  # code of the step it belongs to, or None for the stage as a whole


class StepData(TypedDict):
    code: str  # slug, unique in the playbook, e.g. "lead_discovery"
    order: int  # 1, 2, 3 within the stage
    name_zh: str
    name_en: str
    objective_zh: str
    objective_en: str
    activities_zh: str  # one item per line ("\n" separated), no bullets or numbers
    activities_en: str
    results_zh: str  # one item per line
    results_en: str
    reports_zh: str  # one item per line
    reports_en: str
    roles: list[str]  # role codes, see ROLE_CODES


class StageData(TypedDict):
    code: str  # "development", "initiation", "proposal", "tender", "negotiation", ...
    order: int  # 1..6
    probability: int  # default win probability in percent, for the weighted forecast
    norm_days: int  # days a stage normally takes
    name_zh: str
    name_en: str
    objective_zh: str
    objective_en: str
    activities_zh: str
    activities_en: str
    results_zh: str
    results_en: str
    reports_zh: str
    reports_en: str
    roles: list[str]  # role codes, see ROLE_CODES
    required_forms: list[str]  # form codes, see FORM_CODES
    criteria: list[CriterionData]  # exit criteria of the stage gate
    steps: list[StepData]


def _lines(*items: str) -> str:
    """Join list items into the one-item-per-line text format."""
    return "\n".join(items)


# --------------------------------------------------------------------------------------------
# Stage 1: customer development
# --------------------------------------------------------------------------------------------

_DEVELOPMENT: StageData = {
    "code": "development",
    "order": 1,
    "probability": 10,
    "norm_days": 60,
    "name_zh": "客户开发",
    "name_en": "Customer development",
    "objective_zh": (
        "利用必要的市场开发手段和销售技巧，在客户立项前期，及时掌握客户可能的项目信息，"
        "建立强大的项目获取渠道，增加市场覆盖率；通过客户开发，提高现有客户的使用率，"
        "增加新客户的市场占有率，保持新客户的增长，稳固提升公司的经营业绩。"
    ),
    "objective_en": (
        "Use the necessary market development methods and sales skills to learn of the "
        "customer's possible projects early, before the customer initiates them; build strong "
        "channels for acquiring projects and widen market coverage. Through customer "
        "development, raise the use of our offerings by existing customers, grow our market "
        "share among new customers, keep new customers growing and steadily improve the "
        "company's business results."
    ),
    "activities_zh": _lines(
        "客户线索寻找：利用必要的市场开发手段和销售技巧，在客户立项前期，及时掌握客户可能的"
        "项目信息，建立强大的项目获取渠道，增加市场覆盖率",
        "评估销售机会：尽量搜集和明确客户的需求、项目/采购进度表、预算、竞争、决策和"
        "优先评估项等关键评估元素",
        "通过客户分析，判断项目是否符合公司战略规划、市场定位及产品和技术的经营方向；否则，"
        "须确定项目对公司未来发展方向或市场影响力的因素是否有相关性",
        "如果是大客户或大项目，判断属于A级、B级、C级、D级客户的哪一级别，明确客户的类型，"
        "填写大客户跟进表",
        "大客户部门更新大客户名单或大项目名单，并做适当客户分配",
    ),
    "activities_en": _lines(
        "Lead finding: use the necessary market development methods and sales skills to learn "
        "of the customer's possible projects before project initiation, build strong project "
        "acquisition channels and widen market coverage",
        "Evaluate the sales opportunity: collect and clarify as far as possible the key "
        "evaluation elements - the customer's need, project/procurement schedule, budget, "
        "competition, decision and priority evaluation items",
        "Through customer analysis, judge whether the project fits the company's strategic "
        "plan, market positioning and product and technology direction; if not, determine "
        "whether it matters for the company's future direction or market influence",
        "For a key account or major project, grade the customer A, B, C or D, define the "
        "customer type and fill in the KA follow-up form",
        "The KA department updates the KA list or major-project list and allocates the "
        "customer appropriately",
    ),
    "results_zh": _lines(
        "客户需求意向已初步确认，关键评估元素已初步明确",
        "项目与公司战略规划、市场定位及产品和技术经营方向的符合性已判断",
        "大客户或大项目已评定A级/B级/C级/D级，大客户跟进表已填写",
        "风险评估已完成，高风险机会已决定继续或放弃",
        "需求调研已完成，客户方项目发起人已明确",
        "大客户名单或大项目名单已更新，客户已分配",
    ),
    "results_en": _lines(
        "Customer's intent confirmed and the key evaluation elements initially clarified",
        "Fit with the company's strategic plan, market positioning and product and technology "
        "direction judged",
        "Key account or major project graded A/B/C/D and the KA follow-up form filled in",
        "Risk assessment done; for a high-risk opportunity, continue or abandon decided",
        "Needs survey completed and the customer's project sponsor identified",
        "KA list or major-project list updated and the customer allocated",
    ),
    "reports_zh": _lines(
        "大客户经理每天填写客户日常联络表",
        "每周至少有一次向大客户部门主管汇报进展情况（周报）",
        "由大客户部门助理进行客户备案登记",
        "大客户经理填写客户档案表、大客户跟进表和风险评估表",
        "在此过程中不断进行总结和评估，填写客户综合评估表",
    ),
    "reports_en": _lines(
        "The KAM fills in the daily customer contact log every day",
        "Progress reported to the KA department head at least once a week (weekly report)",
        "The KA department assistant carries out customer registration",
        "The KAM fills in the customer profile form, the KA follow-up form and the risk "
        "assessment form",
        "Summarise and evaluate continuously and fill in the comprehensive customer evaluation "
        "form",
    ),
    "roles": [
        "kam",
        "account_manager",
        "senior_kam",
        "sales_director",
        "consultant",
        "department_head",
    ],
    "required_forms": ["customer_profile", "ka_follow_up", "risk_assessment"],
    "criteria": [
        {
            "text_zh": "客户需求意向已初步确认",
            "text_en": "Customer's intent confirmed",
            "mandatory": True,
            "evidence": [{"fact": "elements", "elements": ["need"], "minimum": "partly"}],
            "step": "lead_discovery",
        },
        {
            "text_zh": "已完成风险评估表；如为高风险，销售总监已决定继续",
            "text_en": (
                "Risk assessment form completed; if the risk is high, a sales director has "
                "decided to continue"
            ),
            "mandatory": True,
            "evidence": [{"fact": "risk_cleared"}],
            "step": "first_interview",
        },
        {
            "text_zh": "关键评估元素（需求、进度、预算、竞争、决策、优先评估项）已明确",
            "text_en": (
                "Key evaluation elements (need, schedule, budget, competition, decision, "
                "priority evaluation items) clarified"
            ),
            "mandatory": True,
            "evidence": [{"fact": "elements", "elements": "all", "minimum": "partly"}],
            "step": "first_interview",
        },
        {
            "text_zh": "需求分析报告已提交客户，客户方项目发起人已明确",
            "text_en": "Needs analysis delivered to the customer and project sponsor identified",
            "mandatory": True,
            "step": "needs_survey",
        },
        {
            "text_zh": (
                "项目符合公司战略规划、市场定位及产品和技术经营方向，或对公司未来发展方向"
                "或市场影响力具有相关性"
            ),
            "text_en": (
                "Project fits the company's strategy, market positioning and product direction, "
                "or matters for its future direction or market influence"
            ),
            "mandatory": True,
            "evidence": [{"fact": "strategic_fit"}],
            "step": None,
        },
        {
            "text_zh": "客户等级（A级/B级/C级/D级）已评定，大客户跟进表已填写",
            "text_en": "Customer graded (A/B/C/D) and the KA follow-up form filled in",
            "mandatory": True,
            "evidence": [{"fact": "customer_graded"}, {"fact": "form", "form": "ka_follow_up"}],
            "step": None,
        },
    ],
    "steps": [
        {
            "code": "lead_discovery",
            "order": 1,
            "name_zh": "发现客户线索",
            "name_en": "Lead discovery",
            "objective_zh": (
                "通过市场营销手段发现合适的目标客户和客户线索；定期讨论并公布相关发现目标客户的"
                "策略和方式；大客户经理应积极主动地采取营销措施来提高发现目标客户的数量和质量。"
            ),
            "objective_en": (
                "Find suitable target customers and leads through marketing; discuss and "
                "publish the strategies and methods for finding target customers regularly. "
                "Key account managers take the initiative in marketing to raise both the "
                "number and the quality of the target customers found."
            ),
            "activities_zh": _lines(
                "可采用包括电话访问在内的多种形式来发现客户线索",
                "激发和引起客户对我们提供的产品/解决方案的兴趣",
                "使客户了解到我们的产品/解决方案及公司能够给它带来的价值",
                "了解客户的初步需求意向、预算、项目进度表、竞争、决策等",
            ),
            "activities_en": _lines(
                "Find leads by phone calls and other forms of contact",
                "Raise and arouse the customer's interest in our products/solutions",
                "Let the customer learn the value our products/solutions and our company can "
                "bring it",
                "Learn the customer's initial intent, budget, project schedule, competition, "
                "decision and so on",
            ),
            "results_zh": _lines(
                "发现和初步确认客户对产品/解决方案应用有意向",
                "了解客户公司经营的基本情况",
                "了解关键评估元素",
                "推动进入下一步销售流程，或扩大客户关系",
            ),
            "results_en": _lines(
                "Customer's intent to apply our products/solutions found and initially confirmed",
                "Basic business situation of the customer's company known",
                "Key evaluation elements learned",
                "Moved on to the next step of the sales process, or the customer relationship "
                "widened",
            ),
            "reports_zh": _lines(
                "大客户经理每天填写客户日常联络表",
                "每周至少有一次向大客户部门主管汇报进展情况",
                "由大客户部门助理进行客户备案登记",
            ),
            "reports_en": _lines(
                "The KAM fills in the daily customer contact log every day",
                "Progress reported to the KA department head at least once a week",
                "The KA department assistant carries out customer registration",
            ),
            "roles": ["kam", "account_manager"],
        },
        {
            "code": "first_interview",
            "order": 2,
            "name_zh": "初次访谈",
            "name_en": "First interview",
            "objective_zh": (
                "了解客户经营和客户对产品/解决方案应用的相关信息，明确客户的需求；目的是促使"
                "客户大致了解我们的产品/解决方案，初步认识到我们为客户所提供的价值，提高客户对"
                "产品/解决方案应用的认识，并达到客户愿意进一步与我们共同探讨产品/解决方案应用的"
                "方案，和配合来进行需求初步调查的工作。"
            ),
            "objective_en": (
                "Understand the customer's business and its use of products/solutions, and "
                "clarify its needs. The aim is that the customer roughly understands our "
                "products/solutions, begins to see the value we offer, gains a better "
                "understanding of applying them, and is willing to explore a solution with us "
                "and to work with us on a preliminary needs survey."
            ),
            "activities_zh": _lines(
                "向客户初步介绍公司情况、产品/解决方案情况，建立客户对我们的初步信任",
                "向客户说明我们这次访谈的目的",
                "明确我们有无竞争者和竞争者的情况",
                "了解客户自己已有的评估标准",
                "进行初步调查，以便为客户提供初步的解决方案",
                "了解客户关键评估元素",
                "进行客户风险评估，填写风险评估表，如果风险很大，建议放弃",
            ),
            "activities_en": _lines(
                "Introduce our company and products/solutions and build the customer's initial "
                "trust in us",
                "Explain to the customer the purpose of this interview",
                "Find out whether we have competitors and what their position is",
                "Learn the evaluation criteria the customer already has",
                "Do a preliminary survey so as to offer the customer a preliminary solution",
                "Learn the customer's key evaluation elements",
                "Assess the customer's risk and fill in the risk assessment form; if the risk is "
                "high, recommend abandoning",
            ),
            "results_zh": _lines(
                "进一步确认客户类型和客户状况",
                "明确关键评估元素",
                "促使客户对我们的产品/解决方案感兴趣，愿意进一步进行了解，愿意与我们一起进行"
                "产品/解决方案的需求调查和分析",
                "向客户灌输产品/解决方案的选择标准",
                "进一步在专业上，能够追赶相对优势竞争者，超越相对弱势的竞争者",
            ),
            "results_en": _lines(
                "Customer type and situation confirmed",
                "Key evaluation elements clear",
                "Customer interested in our products/solutions, wants to learn more and is "
                "willing to survey and analyse its needs together with us",
                "Our selection criteria for products/solutions planted with the customer",
                "Professionally catching up with stronger competitors and passing weaker ones",
            ),
            "reports_zh": _lines(
                "大客户经理每天填写客户日常联络表和客户档案表",
                "每周至少有一次向大客户部门主管汇报进展情况",
                "由大客户部门助理进行客户备案登记",
                "大客户经理负责对每次联系的信息和情况进行记录，填写客户日常联络表",
                "在此过程中不断进行总结和评估，填写客户综合评估表",
            ),
            "reports_en": _lines(
                "The KAM fills in the daily customer contact log and the customer profile form "
                "every day",
                "Progress reported to the KA department head at least once a week",
                "The KA department assistant carries out customer registration",
                "The KAM records the information and situation of every contact in the daily "
                "customer contact log",
                "Summarise and evaluate continuously and fill in the comprehensive customer "
                "evaluation form",
            ),
            "roles": ["consultant", "kam", "senior_kam", "sales_director"],
        },
        {
            "code": "needs_survey",
            "order": 3,
            "name_zh": "需求调研",
            "name_en": "Needs survey",
            "objective_zh": (
                "与客户共同开展需求调研，系统掌握客户的业务现状、问题和对产品/解决方案的具体"
                "需求，形成双方认可的需求分析，并明确客户方项目发起人。"
            ),
            "objective_en": (
                "Survey the customer's needs jointly with the customer, gain a systematic "
                "understanding of its current business, problems and specific requirements for "
                "products/solutions, deliver a needs analysis both sides agree on, and identify "
                "the customer's project sponsor."
            ),
            "activities_zh": _lines(
                "与客户商定调研范围、调研计划和访谈对象",
                "对客户业务部门、技术部门和使用部门进行访谈和现场调研",
                "收集客户现有系统、业务流程、数据和管理制度等资料",
                "梳理客户的业务问题、改进目标和优先级",
                "进一步核实预算、项目/采购进度表和决策流程等关键评估元素",
                "编写需求分析报告并与客户共同确认",
                "识别并接触客户方项目发起人，了解其个人动机和组织目标",
            ),
            "activities_en": _lines(
                "Agree the survey scope, plan and interviewees with the customer",
                "Interview and survey on site the customer's business, technical and user "
                "departments",
                "Collect material on the customer's current systems, business processes, data "
                "and management rules",
                "Sort out the customer's business problems, improvement goals and priorities",
                "Verify further the key evaluation elements such as budget, project/procurement "
                "schedule and decision process",
                "Write the needs analysis report and confirm it together with the customer",
                "Identify and meet the customer's project sponsor and learn their personal "
                "motives and organisational goals",
            ),
            "results_zh": _lines(
                "需求调研已完成，需求分析报告已提交并获得客户认可",
                "客户方项目发起人及其对项目的态度已明确",
                "客户需求与我方产品/解决方案的匹配度已初步评估",
                "关键评估元素进一步明确，为客户立项打下基础",
            ),
            "results_en": _lines(
                "Needs survey completed; needs analysis report delivered and accepted by the "
                "customer",
                "Customer's project sponsor and their attitude to the project identified",
                "Fit between the customer's needs and our products/solutions initially assessed",
                "Key evaluation elements further clarified, laying the ground for project "
                "initiation",
            ),
            "reports_zh": _lines(
                "大客户经理每天填写客户日常联络表",
                "顾问/技术支持人员提交需求分析报告",
                "更新客户档案表和客户综合评估表",
                "每周通过周报向大客户部门主管汇报调研进展",
            ),
            "reports_en": _lines(
                "The KAM fills in the daily customer contact log every day",
                "The consultant/technical support submits the needs analysis report",
                "Customer profile form and comprehensive customer evaluation form updated",
                "Survey progress reported weekly to the KA department head in the weekly report",
            ),
            "roles": ["consultant", "kam", "senior_kam"],
        },
    ],
}


# --------------------------------------------------------------------------------------------
# Stage 2: project initiation
# --------------------------------------------------------------------------------------------

_INITIATION: StageData = {
    "code": "initiation",
    "order": 2,
    "probability": 25,
    "norm_days": 45,
    "name_zh": "立项",
    "name_en": "Project initiation",
    "objective_zh": (
        "协助客户建立其项目，使项目的需求、预算和进度安排与我方产品/解决方案相匹配，推动客户"
        "正式立项；同时摸清客户的决策流程和决策人，发展内线/支持者。"
    ),
    "objective_en": (
        "Help the customer establish its project with requirements, budget and schedule that "
        "fit our products/solutions, and drive the project to formal approval; meanwhile map "
        "the customer's decision process and decision makers and develop a coach/supporter."
    ),
    "activities_zh": _lines(
        "向项目发起人提供立项所需的资料和建议，协助客户编写项目建议书或可行性研究报告",
        "引导客户将我方产品/解决方案的优势和选择标准纳入立项需求",
        "协助客户估算项目预算，明确资金来源和预算审批渠道",
        "与客户共同制定项目/采购进度表",
        "分析客户组织政治和个人动机，绘制权力图，明确决策流程和决策人",
        "识别并发展内线/支持者，扩大与客户关键人员的关系覆盖",
        "跟踪客户内部立项审批进展，及时排除障碍",
    ),
    "activities_en": _lines(
        "Give the project sponsor the material and advice needed for initiation and help the "
        "customer write the project proposal or feasibility study",
        "Guide the customer to build the strengths and selection criteria of our solution into "
        "the project requirements",
        "Help the customer estimate the budget and clarify the funding source and budget "
        "approval path",
        "Draw up the project/procurement schedule together with the customer",
        "Analyse organisational politics and personal motives, draw the power map, and clarify "
        "the decision process and decision makers",
        "Identify and develop a coach/supporter and widen relationship coverage of the "
        "customer's key people",
        "Follow the customer's internal approval and remove obstacles in time",
    ),
    "results_zh": _lines(
        "客户项目已正式立项",
        "项目预算和项目/采购进度表已确认",
        "决策流程和决策人已摸清（权力图）",
        "已识别内线/支持者",
        "立项需求与我方产品/解决方案基本匹配",
    ),
    "results_en": _lines(
        "Customer's project formally approved",
        "Budget and project/procurement schedule confirmed",
        "Decision process and decision makers mapped (power map)",
        "Coach/supporter identified",
        "Approved requirements broadly match our products/solutions",
    ),
    "reports_zh": _lines(
        "大客户经理每天填写客户日常联络表",
        "每周通过周报向大客户部门主管汇报立项进展",
        "更新客户综合评估表，记录关键评估元素的变化",
        "顾问/技术支持人员提交立项支持资料",
    ),
    "reports_en": _lines(
        "The KAM fills in the daily customer contact log every day",
        "Initiation progress reported weekly to the KA department head in the weekly report",
        "Comprehensive customer evaluation form updated with changes to the key evaluation "
        "elements",
        "The consultant/technical support submits the initiation support material",
    ),
    "roles": ["kam", "senior_kam", "consultant"],
    "required_forms": ["comprehensive_evaluation"],
    "criteria": [
        {
            "text_zh": "客户项目已正式立项（已获得立项批复或会议纪要）",
            "text_en": (
                "Customer's project formally approved (approval document or meeting minutes "
                "obtained)"
            ),
            "mandatory": True,
            "step": "project_approval",
        },
        {
            "text_zh": "项目预算已确认",
            "text_en": "Project budget confirmed",
            "mandatory": True,
            "evidence": [{"fact": "elements", "elements": ["budget"], "minimum": "confirmed"}],
            "step": "project_approval",
        },
        {
            "text_zh": "项目/采购进度表已确认",
            "text_en": "Project/procurement schedule confirmed",
            "mandatory": True,
            "evidence": [{"fact": "elements", "elements": ["schedule"], "minimum": "confirmed"}],
            "step": "project_approval",
        },
        {
            "text_zh": "决策流程和决策人已摸清（权力图已完成）",
            "text_en": "Decision process and decision makers mapped (power map completed)",
            "mandatory": True,
            "evidence": [
                {"fact": "elements", "elements": ["decision"], "minimum": "confirmed"},
                {"fact": "buying_roles", "all": [{"role": "decision_maker"}]},
            ],
            "step": "decision_mapping",
        },
        {
            "text_zh": "已识别至少一名内线/支持者",
            "text_en": "At least one coach/supporter identified",
            "mandatory": True,
            "evidence": [
                {
                    "fact": "buying_roles",
                    "any": [{"role": "coach"}, {"attitude": "supporter"}],
                    "min": 1,
                }
            ],
            "step": "decision_mapping",
        },
        {
            "text_zh": "立项需求已体现我方产品/解决方案的选择标准",
            "text_en": "Approved requirements reflect our solution's selection criteria",
            "mandatory": False,
            "step": "initiation_support",
        },
    ],
    "steps": [
        {
            "code": "initiation_support",
            "order": 1,
            "name_zh": "协助立项",
            "name_en": "Initiation support",
            "objective_zh": (
                "协助项目发起人完成立项准备，使立项需求、预算和进度与我方产品/解决方案相匹配。"
            ),
            "objective_en": (
                "Help the project sponsor prepare the initiation so that the requirements, "
                "budget and schedule fit our products/solutions."
            ),
            "activities_zh": _lines(
                "与项目发起人沟通立项思路和时间安排",
                "协助客户编写项目建议书或可行性研究报告",
                "提供技术方案要点、投资估算和同类项目案例",
                "引导客户将我方产品/解决方案的选择标准纳入立项需求",
            ),
            "activities_en": _lines(
                "Discuss the initiation approach and timing with the project sponsor",
                "Help the customer write the project proposal or feasibility study",
                "Provide the outline of the technical solution, an investment estimate and "
                "references of similar projects",
                "Guide the customer to build our selection criteria into the project requirements",
            ),
            "results_zh": _lines(
                "立项文件的需求范围体现我方产品/解决方案",
                "项目投资估算与我方方案相符",
                "项目发起人认可并支持我方",
            ),
            "results_en": _lines(
                "Scope in the initiation documents reflects our products/solutions",
                "Investment estimate consistent with our solution",
                "Project sponsor accepts and supports us",
            ),
            "reports_zh": _lines(
                "大客户经理每天填写客户日常联络表",
                "顾问/技术支持人员提交立项支持资料",
                "周报中汇报立项准备进展",
            ),
            "reports_en": _lines(
                "The KAM fills in the daily customer contact log every day",
                "The consultant/technical support submits the initiation support material",
                "Preparation progress reported in the weekly report",
            ),
            "roles": ["kam", "consultant", "senior_kam"],
        },
        {
            "code": "decision_mapping",
            "order": 2,
            "name_zh": "决策链分析",
            "name_en": "Decision mapping",
            "objective_zh": (
                "全面分析客户组织政治和个人动机，摸清决策流程和决策人，发展内线/支持者。"
            ),
            "objective_en": (
                "Analyse the customer's organisational politics and personal motives in full, "
                "map the decision process and decision makers, and develop a coach/supporter."
            ),
            "activities_zh": _lines(
                "梳理客户组织架构和汇报关系",
                "识别每位联系人的购买角色（决策人、技术评估人、使用者、内线、把关者、影响者）",
                "评估每位联系人的影响力、对我方的态度、个人动机和组织目标",
                "绘制权力图并制定关系发展策略",
                "通过高层拜访和日常联络扩大关系覆盖",
            ),
            "activities_en": _lines(
                "Work out the customer's organisation chart and reporting lines",
                "Identify each contact's buying role (decision maker, technical evaluator, "
                "user, coach, gatekeeper, influencer)",
                "Assess each contact's influence, attitude towards us, personal motives and "
                "organisational goals",
                "Draw the power map and set a relationship development strategy",
                "Widen relationship coverage through senior-level visits and daily contact",
            ),
            "results_zh": _lines(
                "决策流程和决策人已摸清",
                "权力图已完成并持续更新",
                "已识别至少一名内线/支持者",
                "针对反对者和中立者的策略已制定",
            ),
            "results_en": _lines(
                "Decision process and decision makers mapped",
                "Power map completed and kept up to date",
                "At least one coach/supporter identified",
                "Strategy for opponents and neutral contacts in place",
            ),
            "reports_zh": _lines(
                "大客户经理每天填写客户日常联络表",
                "在系统中更新联系人的购买角色、影响力和态度",
                "周报中汇报关系覆盖情况和需要的支持",
            ),
            "reports_en": _lines(
                "The KAM fills in the daily customer contact log every day",
                "Contacts' buying roles, influence and attitude updated in the system",
                "Relationship coverage and help needed reported in the weekly report",
            ),
            "roles": ["kam", "senior_kam"],
        },
        {
            "code": "project_approval",
            "order": 3,
            "name_zh": "立项确认",
            "name_en": "Approval confirmation",
            "objective_zh": "跟踪客户内部审批，确认项目已正式立项，预算和进度已落实。",
            "objective_en": (
                "Follow the customer's internal approval and confirm that the project is "
                "formally approved and its budget and schedule are settled."
            ),
            "activities_zh": _lines(
                "跟踪客户内部立项审批流程和进度",
                "通过内线了解审批中的分歧和障碍，及时提供支持",
                "获取立项批复或会议纪要等立项依据",
                "确认批准的预算金额、资金来源和项目/采购进度表",
                "更新关键评估元素和客户综合评估表",
            ),
            "activities_en": _lines(
                "Follow the customer's internal approval process and its progress",
                "Learn from the coach about disagreements and obstacles in the approval and "
                "give support in time",
                "Obtain the approval document, meeting minutes or other evidence of approval",
                "Confirm the approved budget, funding source and project/procurement schedule",
                "Update the key evaluation elements and the comprehensive customer evaluation form",
            ),
            "results_zh": _lines(
                "客户项目已正式立项",
                "预算和项目/采购进度表已确认",
                "销售机会的预计金额和预计签约日期已更新",
            ),
            "results_en": _lines(
                "Customer's project formally approved",
                "Budget and project/procurement schedule confirmed",
                "Opportunity amount and expected signing date updated",
            ),
            "reports_zh": _lines(
                "大客户经理每天填写客户日常联络表",
                "更新客户综合评估表",
                "周报中汇报立项结果",
            ),
            "reports_en": _lines(
                "The KAM fills in the daily customer contact log every day",
                "Comprehensive customer evaluation form updated",
                "Approval result reported in the weekly report",
            ),
            "roles": ["kam", "senior_kam"],
        },
    ],
}


# --------------------------------------------------------------------------------------------
# Stage 3: proposal
# --------------------------------------------------------------------------------------------

_PROPOSAL: StageData = {
    "code": "proposal",
    "order": 3,
    "probability": 40,
    "norm_days": 45,
    "name_zh": "提案",
    "name_en": "Proposal",
    "objective_zh": (
        "通过技术交流、方案展示、演示/概念验证/样板客户参观和正式提案，使客户确信我方解决方案"
        "满足其需求，争取技术评估人员的支持，并使招标技术规格体现我方优势。"
    ),
    "objective_en": (
        "Through technical exchanges, solution presentations, demos / proofs of concept / "
        "reference visits and a formal proposal, convince the customer that our solution meets "
        "its need, win the support of the technical evaluators and make the tender "
        "specifications reflect our strengths."
    ),
    "activities_zh": _lines(
        "组织技术交流会，向客户技术和业务部门介绍解决方案",
        "根据需求分析报告进行方案展示和针对性讲解",
        "安排产品演示、概念验证或样板客户参观",
        "安排销售总监等高层拜访客户决策层",
        "编制并提交正式提案和预算报价",
        "协助客户编写招标技术规格，体现我方优势",
        "跟踪竞争对手动向，针对每个竞争对手制定应对策略",
    ),
    "activities_en": _lines(
        "Hold technical exchanges presenting the solution to the customer's technical and "
        "business departments",
        "Present the solution based on the needs analysis and address specific concerns",
        "Arrange product demos, proofs of concept or reference customer visits",
        "Arrange top-level visits by the sales director or executives to the customer's "
        "decision makers",
        "Prepare and submit the formal proposal and budget quote",
        "Help the customer write tender specifications that reflect our strengths",
        "Track competitors and set a strategy against each of them",
    ),
    "results_zh": _lines(
        "客户认可我方解决方案满足其需求",
        "技术评估人员支持我方",
        "招标技术规格体现我方优势",
        "正式提案和预算报价已提交",
    ),
    "results_en": _lines(
        "Customer accepts that our solution meets its need",
        "Technical evaluators support us",
        "Tender specifications reflect our strengths",
        "Formal proposal and budget quote submitted",
    ),
    "reports_zh": _lines(
        "大客户经理每天填写客户日常联络表",
        "顾问/技术支持人员提交提案文件和演示/验证记录",
        "周报中汇报客户反馈和竞争态势",
        "更新客户综合评估表",
    ),
    "reports_en": _lines(
        "The KAM fills in the daily customer contact log every day",
        "The consultant/technical support submits the proposal and demo/validation records",
        "Customer feedback and the competitive situation reported in the weekly report",
        "Comprehensive customer evaluation form updated",
    ),
    "roles": ["consultant", "kam", "senior_kam", "sales_director"],
    "required_forms": [],
    "criteria": [
        {
            "text_zh": "技术评估人员支持我方",
            "text_en": "Technical evaluators support us",
            "mandatory": True,
            "evidence": [
                {
                    "fact": "buying_roles",
                    "any": [{"role": "technical_evaluator", "attitude": "supporter"}],
                    "min": 1,
                }
            ],
            "step": "technical_exchange",
        },
        {
            "text_zh": "演示/概念验证/样板客户参观已完成并获得客户认可",
            "text_en": (
                "Demo / proof of concept / reference visit done and accepted by the customer"
            ),
            "mandatory": False,
            "step": "solution_validation",
        },
        {
            "text_zh": "正式提案和预算报价已提交客户",
            "text_en": "Formal proposal and budget quote submitted to the customer",
            "mandatory": True,
            "step": "formal_proposal",
        },
        {
            "text_zh": "客户确认我方解决方案满足其需求",
            "text_en": "Customer confirms that our solution meets its need",
            "mandatory": True,
            "step": "formal_proposal",
        },
        {
            "text_zh": "招标技术规格已体现我方优势",
            "text_en": "Tender specifications reflect our strengths",
            "mandatory": True,
            "step": None,
        },
        {
            "text_zh": "已与决策人、技术评估人和使用者等多名客户关键人员建立联系",
            "text_en": (
                "Several key customer contacts engaged (decision maker, technical evaluator, user)"
            ),
            "mandatory": True,
            "evidence": [
                {
                    "fact": "buying_roles",
                    "all": [
                        {"role": "decision_maker"},
                        {"role": "technical_evaluator"},
                        {"role": "user"},
                    ],
                }
            ],
            "step": None,
        },
    ],
    "steps": [
        {
            "code": "technical_exchange",
            "order": 1,
            "name_zh": "技术交流",
            "name_en": "Technical exchange",
            "objective_zh": (
                "与客户技术和业务部门深入交流，展示我方对客户需求的理解和技术实力，争取技术"
                "评估人员的认可。"
            ),
            "objective_en": (
                "Hold in-depth exchanges with the customer's technical and business "
                "departments, show our understanding of the need and our technical strength, "
                "and win the technical evaluators' approval."
            ),
            "activities_zh": _lines(
                "与客户商定技术交流的议题、参加人员和时间",
                "介绍解决方案架构、功能和实施方法",
                "针对需求分析中的重点和难点进行专题讲解",
                "了解技术评估人员的关注点和评估标准",
                "记录客户提出的问题并及时答复",
            ),
            "activities_en": _lines(
                "Agree topics, participants and dates of the technical exchange with the customer",
                "Present the solution architecture, functions and implementation approach",
                "Give focused sessions on the key and difficult points of the needs analysis",
                "Learn the technical evaluators' concerns and evaluation criteria",
                "Record the customer's questions and answer them promptly",
            ),
            "results_zh": _lines(
                "客户技术人员理解并认可我方解决方案",
                "技术评估人员的关注点已明确",
                "客户提出的问题已答复",
            ),
            "results_en": _lines(
                "Customer's technical staff understand and accept our solution",
                "Technical evaluators' concerns clear",
                "Customer's questions answered",
            ),
            "reports_zh": _lines(
                "大客户经理每天填写客户日常联络表",
                "顾问/技术支持人员提交技术交流纪要",
            ),
            "reports_en": _lines(
                "The KAM fills in the daily customer contact log every day",
                "The consultant/technical support submits the minutes of the technical exchange",
            ),
            "roles": ["consultant", "kam"],
        },
        {
            "code": "solution_validation",
            "order": 2,
            "name_zh": "方案验证",
            "name_en": "Solution validation",
            "objective_zh": (
                "通过产品演示、概念验证和样板客户参观，用事实证明我方解决方案的可行性和价值，"
                "并通过高层拜访加强客户决策层对我方的信任。"
            ),
            "objective_en": (
                "Prove the feasibility and value of our solution with demos, proofs of concept "
                "and reference visits, and strengthen the decision makers' trust in us through "
                "top-level visits."
            ),
            "activities_zh": _lines(
                "根据客户关注点设计演示脚本或概念验证方案",
                "进行产品演示或概念验证，并与客户共同确认结果",
                "组织客户参观样板客户，与同行交流应用效果",
                "安排销售总监或公司高层拜访客户决策层",
            ),
            "activities_en": _lines(
                "Design the demo script or proof-of-concept plan around the customer's concerns",
                "Run the demo or proof of concept and confirm the results with the customer",
                "Organise visits to reference customers to share results with peers",
                "Arrange visits by the sales director or executives to the customer's decision "
                "makers",
            ),
            "results_zh": _lines(
                "演示/概念验证结果获得客户认可",
                "客户对我方交付能力和应用效果建立信心",
                "客户决策层对我方态度积极",
            ),
            "results_en": _lines(
                "Demo / proof-of-concept results accepted by the customer",
                "Customer confident in our delivery capability and results",
                "Customer's decision makers positive towards us",
            ),
            "reports_zh": _lines(
                "大客户经理每天填写客户日常联络表",
                "顾问/技术支持人员提交演示/概念验证报告",
                "周报中汇报客户反馈",
            ),
            "reports_en": _lines(
                "The KAM fills in the daily customer contact log every day",
                "The consultant/technical support submits the demo / proof-of-concept report",
                "Customer feedback reported in the weekly report",
            ),
            "roles": ["consultant", "kam", "senior_kam", "sales_director"],
        },
        {
            "code": "formal_proposal",
            "order": 3,
            "name_zh": "正式提案",
            "name_en": "Formal proposal",
            "objective_zh": (
                "提交正式提案和预算报价，使客户确认我方解决方案满足其需求，并使招标技术规格体现"
                "我方优势。"
            ),
            "objective_en": (
                "Submit the formal proposal and budget quote, have the customer confirm that "
                "our solution meets its need, and make the tender specifications reflect our "
                "strengths."
            ),
            "activities_zh": _lines(
                "编写正式提案，包括解决方案、实施计划、服务承诺和预算报价",
                "组织内部评审提案和报价",
                "向客户正式提交并讲解提案",
                "协助客户编写招标技术规格和评分标准",
                "针对竞争对手的方案制定差异化策略",
            ),
            "activities_en": _lines(
                "Write the formal proposal: solution, implementation plan, service commitments "
                "and budget quote",
                "Review the proposal and quote internally",
                "Submit and present the proposal to the customer",
                "Help the customer draft the tender specifications and scoring criteria",
                "Set a differentiation strategy against competitors' solutions",
            ),
            "results_zh": _lines(
                "正式提案和预算报价已提交",
                "客户确认我方解决方案满足其需求",
                "招标技术规格体现我方优势",
            ),
            "results_en": _lines(
                "Formal proposal and budget quote submitted",
                "Customer confirms that our solution meets its need",
                "Tender specifications reflect our strengths",
            ),
            "reports_zh": _lines(
                "提案文件和报价归档到销售机会",
                "周报中汇报提案结果",
                "更新客户综合评估表",
            ),
            "reports_en": _lines(
                "Proposal and quote filed with the opportunity",
                "Proposal outcome reported in the weekly report",
                "Comprehensive customer evaluation form updated",
            ),
            "roles": ["consultant", "kam", "senior_kam"],
        },
    ],
}


# --------------------------------------------------------------------------------------------
# Stage 4: tender
# --------------------------------------------------------------------------------------------

_TENDER: StageData = {
    "code": "tender",
    "order": 4,
    "probability": 60,
    "norm_days": 30,
    "name_zh": "招投标",
    "name_en": "Tender",
    "objective_zh": (
        "获取并分析招标文件，作出投标决策，按要求编制和递交高质量的技术标和商务标，争取中标，"
        "获得中标通知书。"
    ),
    "objective_en": (
        "Obtain and analyse the tender documents, decide whether to bid, prepare and submit a "
        "high-quality technical and commercial bid as required, and win the award notice."
    ),
    "activities_zh": _lines(
        "获取招标文件，分析资格要求、技术要求和评分规则",
        "评估中标可能性，作出投标/不投标决策",
        "编制技术标和商务标",
        "制定投标报价并报销售总监审批",
        "缴纳投标保证金",
        "按时递交投标文件并参加开标",
        "参加答疑和澄清，跟踪评标进展",
    ),
    "activities_en": _lines(
        "Obtain the tender documents and analyse qualification requirements, technical "
        "requirements and scoring rules",
        "Assess the chance of winning and make the bid/no-bid decision",
        "Prepare the technical and commercial bid",
        "Set the bid price and submit it to the sales director for approval",
        "Pay the bid bond",
        "Submit the bid on time and attend the bid opening",
        "Answer questions and clarifications and follow the evaluation",
    ),
    "results_zh": _lines(
        "投标文件已按时递交",
        "已获得中标通知书",
    ),
    "results_en": _lines(
        "Bid submitted on time",
        "Award notice received",
    ),
    "reports_zh": _lines(
        "大客户经理每天填写客户日常联络表",
        "投标决策和报价审批记录归档",
        "周报中汇报投标进展和开标结果",
    ),
    "reports_en": _lines(
        "The KAM fills in the daily customer contact log every day",
        "Bid decision and price approval records filed",
        "Bid progress and opening results reported in the weekly report",
    ),
    "roles": ["kam", "consultant", "sales_director", "senior_kam"],
    "required_forms": [],
    "criteria": [
        {
            "text_zh": "已获取招标文件并完成评分规则分析",
            "text_en": "Tender documents obtained and scoring rules analysed",
            "mandatory": True,
            "step": "bid_decision",
        },
        {
            "text_zh": "投标/不投标决策已作出并记录",
            "text_en": "Bid/no-bid decision made and recorded",
            "mandatory": True,
            "step": "bid_decision",
        },
        {
            "text_zh": "投标报价已获销售总监审批",
            "text_en": "Bid price approved by the sales director",
            "mandatory": True,
            "step": "bid_preparation",
        },
        {
            "text_zh": "投标保证金已缴纳，投标文件已按时递交",
            "text_en": "Bid bond paid and bid submitted on time",
            "mandatory": True,
            "step": "bid_submission",
        },
        {
            "text_zh": "投标澄清已完成",
            "text_en": "Bid clarifications answered",
            "mandatory": False,
            "step": "bid_submission",
        },
        {
            "text_zh": "已获得中标通知书",
            "text_en": "Award notice received",
            "mandatory": True,
            "step": None,
        },
    ],
    "steps": [
        {
            "code": "bid_decision",
            "order": 1,
            "name_zh": "标书分析与投标决策",
            "name_en": "Tender analysis and bid decision",
            "objective_zh": ("及时获取招标文件，全面分析评分规则和竞争态势，作出投标/不投标决策。"),
            "objective_en": (
                "Obtain the tender documents in time, analyse the scoring rules and the "
                "competitive situation in full, and make the bid/no-bid decision."
            ),
            "activities_zh": _lines(
                "购买或下载招标文件，确认投标截止时间和开标时间",
                "分析资格要求、技术要求、商务条款和评分规则",
                "对照评分规则评估我方和竞争对手的得分",
                "识别废标风险和需要澄清的问题",
                "组织投标决策会，作出投标/不投标决策",
            ),
            "activities_en": _lines(
                "Buy or download the tender documents; confirm the submission deadline and "
                "opening date",
                "Analyse qualification requirements, technical requirements, commercial terms "
                "and scoring rules",
                "Score ourselves and each competitor against the scoring rules",
                "Identify risks of disqualification and questions needing clarification",
                "Hold the bid decision meeting and make the bid/no-bid decision",
            ),
            "results_zh": _lines(
                "招标文件分析已完成",
                "投标/不投标决策已作出并记录",
                "投标团队和分工已确定",
            ),
            "results_en": _lines(
                "Tender documents analysed",
                "Bid/no-bid decision made and recorded",
                "Bid team and responsibilities set",
            ),
            "reports_zh": _lines(
                "提交招标文件分析",
                "投标决策记录归档",
            ),
            "reports_en": _lines(
                "Tender analysis submitted",
                "Bid decision record filed",
            ),
            "roles": ["kam", "consultant", "sales_director"],
        },
        {
            "code": "bid_preparation",
            "order": 2,
            "name_zh": "投标文件编制",
            "name_en": "Bid preparation",
            "objective_zh": "按照招标文件要求编制技术标和商务标，确定投标报价并完成审批。",
            "objective_en": (
                "Prepare the technical and commercial bid as the tender documents require, set "
                "the bid price and have it approved."
            ),
            "activities_zh": _lines(
                "编制技术标，逐条响应技术要求",
                "编制商务标，准备资质证明、业绩证明等材料",
                "制定投标报价策略，报销售总监审批",
                "缴纳投标保证金",
                "内部评审投标文件，检查完整性和符合性",
            ),
            "activities_en": _lines(
                "Write the technical bid, answering every technical requirement",
                "Write the commercial bid and prepare qualification and reference certificates",
                "Set the pricing strategy and submit the bid price to the sales director for "
                "approval",
                "Pay the bid bond",
                "Review the bid internally for completeness and compliance",
            ),
            "results_zh": _lines(
                "技术标和商务标已完成",
                "投标报价已获销售总监审批",
                "投标保证金已缴纳",
            ),
            "results_en": _lines(
                "Technical and commercial bid complete",
                "Bid price approved by the sales director",
                "Bid bond paid",
            ),
            "reports_zh": _lines(
                "报价审批记录归档",
                "周报中汇报投标准备进展",
            ),
            "reports_en": _lines(
                "Price approval record filed",
                "Bid preparation progress reported in the weekly report",
            ),
            "roles": ["consultant", "kam", "sales_director"],
        },
        {
            "code": "bid_submission",
            "order": 3,
            "name_zh": "递交与开标",
            "name_en": "Submission and opening",
            "objective_zh": "按时递交投标文件，参加开标，做好澄清工作，争取中标。",
            "objective_en": (
                "Submit the bid on time, attend the opening, handle clarifications well and win "
                "the award."
            ),
            "activities_zh": _lines(
                "按时递交投标文件",
                "参加开标，记录各投标人报价",
                "参加答疑和澄清，按要求提交澄清文件",
                "通过内线跟踪评标进展",
                "获取中标通知书；未中标时了解原因和中标的竞争对手",
            ),
            "activities_en": _lines(
                "Submit the bid on time",
                "Attend the bid opening and record every bidder's price",
                "Answer questions and clarifications and submit clarification documents as "
                "required",
                "Follow the evaluation through the coach",
                "Obtain the award notice; if lost, learn the reason and the winning competitor",
            ),
            "results_zh": _lines(
                "投标文件已按时递交",
                "投标澄清已完成",
                "已获得中标通知书，或已记录未中标原因和中标的竞争对手",
            ),
            "results_en": _lines(
                "Bid submitted on time",
                "Clarifications answered",
                "Award notice received, or the loss reason and winning competitor recorded",
            ),
            "reports_zh": _lines(
                "大客户经理每天填写客户日常联络表",
                "开标记录和评标结果归档",
                "周报中汇报开标结果",
            ),
            "reports_en": _lines(
                "The KAM fills in the daily customer contact log every day",
                "Opening record and evaluation result filed",
                "Opening results reported in the weekly report",
            ),
            "roles": ["kam", "consultant"],
        },
    ],
}


# --------------------------------------------------------------------------------------------
# Stage 5: commercial negotiation
# --------------------------------------------------------------------------------------------

_NEGOTIATION: StageData = {
    "code": "negotiation",
    "order": 5,
    "probability": 80,
    "norm_days": 30,
    "name_zh": "商务谈判",
    "name_en": "Negotiation",
    "objective_zh": (
        "在价格、付款条件、交付进度、质保和合同条款上与客户达成一致，完成法务评审和内部审批，"
        "签订合同。"
    ),
    "objective_en": (
        "Agree price, payment terms, delivery schedule, warranty and contract terms with the "
        "customer, complete legal review and internal approval, and sign the contract."
    ),
    "activities_zh": _lines(
        "制定谈判策略，确定价格底线和让步方案",
        "就价格、付款条件、交付进度、质保和合同条款与客户谈判",
        "组织法务评审和合同内部审批",
        "签订合同并归档",
    ),
    "activities_en": _lines(
        "Set the negotiation strategy, price floor and concession plan",
        "Negotiate price, payment terms, delivery schedule, warranty and contract terms with "
        "the customer",
        "Organise legal review and internal contract approval",
        "Sign and file the contract",
    ),
    "results_zh": _lines(
        "合同已签订（金额、日期、付款里程碑）",
        "销售机会赢单",
    ),
    "results_en": _lines(
        "Contract signed (amount, date, payment milestones)",
        "Opportunity won",
    ),
    "reports_zh": _lines(
        "大客户经理每天填写客户日常联络表",
        "谈判纪要和审批记录归档",
        "周报中汇报谈判进展和签约结果",
    ),
    "reports_en": _lines(
        "The KAM fills in the daily customer contact log every day",
        "Negotiation minutes and approval records filed",
        "Negotiation progress and signing reported in the weekly report",
    ),
    "roles": ["kam", "senior_kam", "sales_director", "consultant"],
    "required_forms": [],
    "criteria": [
        {
            "text_zh": "谈判方案和价格底线已获销售总监批准",
            "text_en": "Negotiation plan and price floor approved by the sales director",
            "mandatory": True,
            "step": "negotiation_preparation",
        },
        {
            "text_zh": "价格、付款条件、交付进度和质保条款已与客户达成一致",
            "text_en": (
                "Price, payment terms, delivery schedule and warranty agreed with the customer"
            ),
            "mandatory": True,
            "step": "contract_negotiation",
        },
        {
            "text_zh": "合同已通过法务评审和内部审批",
            "text_en": "Contract passed legal review and internal approval",
            "mandatory": True,
            "step": "contract_signing",
        },
        {
            "text_zh": "合同已签订（金额、日期、付款里程碑）",
            "text_en": "Contract signed (amount, date, payment milestones)",
            "mandatory": True,
            "evidence": [{"fact": "contract_signed"}],
            "step": "contract_signing",
        },
    ],
    "steps": [
        {
            "code": "negotiation_preparation",
            "order": 1,
            "name_zh": "谈判准备",
            "name_en": "Negotiation preparation",
            "objective_zh": "明确谈判目标、价格底线和让步策略，获得必要的授权。",
            "objective_en": (
                "Set the negotiation goals, price floor and concession strategy and obtain the "
                "necessary authority."
            ),
            "activities_zh": _lines(
                "分析中标条件、客户的关注点和谈判对手",
                "确定价格底线、付款条件和可让步事项",
                "报销售总监审批谈判方案和价格权限",
                "确定谈判团队和分工",
            ),
            "activities_en": _lines(
                "Analyse the award conditions, the customer's concerns and its negotiators",
                "Set the price floor, payment terms and possible concessions",
                "Submit the negotiation plan and pricing authority to the sales director for "
                "approval",
                "Set the negotiation team and responsibilities",
            ),
            "results_zh": _lines(
                "谈判方案已获批准",
                "谈判团队和授权已明确",
            ),
            "results_en": _lines(
                "Negotiation plan approved",
                "Negotiation team and authority clear",
            ),
            "reports_zh": _lines("谈判方案归档"),
            "reports_en": _lines("Negotiation plan filed"),
            "roles": ["kam", "senior_kam", "sales_director"],
        },
        {
            "code": "contract_negotiation",
            "order": 2,
            "name_zh": "合同谈判",
            "name_en": "Contract negotiation",
            "objective_zh": "与客户就价格、付款条件、交付进度、质保和合同条款达成一致。",
            "objective_en": (
                "Reach agreement with the customer on price, payment terms, delivery schedule, "
                "warranty and contract terms."
            ),
            "activities_zh": _lines(
                "与客户商务和采购部门进行谈判",
                "确定付款里程碑及对应的验收条件",
                "确认交付范围、交付进度和质保服务条款",
                "协商违约责任、知识产权等合同条款",
                "超出授权的让步报销售总监审批",
            ),
            "activities_en": _lines(
                "Negotiate with the customer's commercial and procurement departments",
                "Fix the payment milestones and the acceptance condition of each",
                "Confirm delivery scope, delivery schedule and warranty and service terms",
                "Negotiate liability, intellectual property and other contract terms",
                "Submit concessions beyond our authority to the sales director for approval",
            ),
            "results_zh": _lines(
                "价格、付款条件、交付进度和质保条款已达成一致",
                "合同文本已定稿",
            ),
            "results_en": _lines(
                "Price, payment terms, delivery schedule and warranty agreed",
                "Contract text final",
            ),
            "reports_zh": _lines(
                "大客户经理每天填写客户日常联络表",
                "谈判纪要归档",
            ),
            "reports_en": _lines(
                "The KAM fills in the daily customer contact log every day",
                "Negotiation minutes filed",
            ),
            "roles": ["kam", "senior_kam", "sales_director", "consultant"],
        },
        {
            "code": "contract_signing",
            "order": 3,
            "name_zh": "合同评审与签订",
            "name_en": "Contract review and signing",
            "objective_zh": "完成法务评审和内部审批，签订合同。",
            "objective_en": "Complete legal review and internal approval and sign the contract.",
            "activities_zh": _lines(
                "提交合同法务评审",
                "完成合同内部审批流程",
                "与客户签订合同，录入合同金额、签约日期和付款里程碑",
                "将销售机会标记为赢单",
            ),
            "activities_en": _lines(
                "Submit the contract for legal review",
                "Complete the internal contract approval",
                "Sign the contract with the customer and record amount, signing date and "
                "payment milestones",
                "Mark the opportunity as won",
            ),
            "results_zh": _lines(
                "合同已签订（金额、日期、付款里程碑）",
                "销售机会已赢单",
            ),
            "results_en": _lines(
                "Contract signed (amount, date, payment milestones)",
                "Opportunity won",
            ),
            "reports_zh": _lines(
                "合同归档",
                "周报中汇报签约结果",
            ),
            "reports_en": _lines(
                "Contract filed",
                "Signing reported in the weekly report",
            ),
            "roles": ["kam", "sales_director"],
        },
    ],
}


# --------------------------------------------------------------------------------------------
# Stage 6: implementation
# --------------------------------------------------------------------------------------------

_IMPLEMENTATION: StageData = {
    "code": "implementation",
    "order": 6,
    "probability": 100,
    "norm_days": 180,
    "name_zh": "工程实施",
    "name_en": "Implementation",
    "objective_zh": (
        "顺利完成项目交付和验收，按付款里程碑开票回款，提升客户满意度，把客户发展为样板客户，"
        "并从客户的新需求中发现新的销售机会。"
    ),
    "objective_en": (
        "Deliver the project and pass acceptance, invoice and collect per payment milestone, "
        "raise customer satisfaction, turn the customer into a reference customer and find new "
        "opportunities in its new needs."
    ),
    "activities_zh": _lines(
        "召开项目启动会，将项目移交给实施团队",
        "跟踪实施里程碑和交付质量",
        "组织验收，获取验收证书",
        "按付款里程碑开票和回款",
        "提供售后服务，进行客户满意度调查",
        "挖掘客户的新需求，形成新的销售机会",
    ),
    "activities_en": _lines(
        "Hold the kick-off meeting and hand the project over to the delivery team",
        "Track implementation milestones and delivery quality",
        "Organise acceptance and obtain the acceptance certificate",
        "Invoice and collect per payment milestone",
        "Provide after-sales service and run a customer satisfaction survey",
        "Explore the customer's new needs and turn them into new opportunities",
    ),
    "results_zh": _lines(
        "项目已通过验收",
        "合同款项已全部回收",
        "客户成为样板客户",
    ),
    "results_en": _lines(
        "Project accepted",
        "Contract amount fully collected",
        "Customer is a reference customer",
    ),
    "reports_zh": _lines(
        "大客户经理每天填写客户日常联络表",
        "周报中汇报实施进展、验收和回款情况",
        "更新客户综合评估表",
    ),
    "reports_en": _lines(
        "The KAM fills in the daily customer contact log every day",
        "Implementation progress, acceptance and collection reported in the weekly report",
        "Comprehensive customer evaluation form updated",
    ),
    "roles": ["kam", "account_manager", "consultant", "senior_kam"],
    "required_forms": [],
    "criteria": [
        {
            "text_zh": "项目启动会已召开，向实施团队的交接已完成",
            "text_en": "Kick-off meeting held and hand-over to the delivery team completed",
            "mandatory": True,
            "step": "project_handover",
        },
        {
            "text_zh": "验收证书已签署",
            "text_en": "Acceptance certificate signed",
            "mandatory": True,
            "evidence": [{"fact": "milestones", "state": "accepted", "which": "any"}],
            "step": "delivery_acceptance",
        },
        {
            "text_zh": "所有付款里程碑款项已全部回收",
            "text_en": "All payment milestones collected",
            "mandatory": True,
            "evidence": [{"fact": "milestones", "state": "collected", "which": "all"}],
            "step": "collection_service",
        },
        {
            "text_zh": "客户满意度调查已完成",
            "text_en": "Customer satisfaction survey completed",
            "mandatory": False,
            "step": "collection_service",
        },
        {
            "text_zh": "客户的新需求已登记为新的销售机会",
            "text_en": "Customer's new needs registered as new opportunities",
            "mandatory": False,
            "evidence": [{"fact": "new_opportunity"}],
            "step": "collection_service",
        },
        {
            "text_zh": "客户同意作为样板客户",
            "text_en": "Customer agreed to act as a reference customer",
            "mandatory": False,
            "step": None,
        },
    ],
    "steps": [
        {
            "code": "project_handover",
            "order": 1,
            "name_zh": "项目启动与交接",
            "name_en": "Kick-off and hand-over",
            "objective_zh": "将合同承诺、客户需求和客户关系完整移交给实施团队，正式启动项目。",
            "objective_en": (
                "Hand the contract commitments, customer requirements and customer "
                "relationships over to the delivery team in full and formally start the project."
            ),
            "activities_zh": _lines(
                "召开内部交接会，移交合同、技术方案、承诺事项和客户联系人",
                "与客户共同召开项目启动会",
                "确认实施计划、里程碑和双方项目组成员",
            ),
            "activities_en": _lines(
                "Hold the internal hand-over meeting: contract, technical solution, commitments "
                "and customer contacts",
                "Hold the project kick-off meeting with the customer",
                "Confirm the implementation plan, milestones and both sides' project teams",
            ),
            "results_zh": _lines(
                "交接已完成",
                "项目启动会已召开",
                "实施计划和里程碑已与客户确认",
            ),
            "results_en": _lines(
                "Hand-over completed",
                "Kick-off meeting held",
                "Implementation plan and milestones confirmed with the customer",
            ),
            "reports_zh": _lines("交接记录和启动会纪要归档"),
            "reports_en": _lines("Hand-over record and kick-off minutes filed"),
            "roles": ["kam", "consultant"],
        },
        {
            "code": "delivery_acceptance",
            "order": 2,
            "name_zh": "实施与验收",
            "name_en": "Delivery and acceptance",
            "objective_zh": "按计划完成各交付里程碑，通过客户验收。",
            "objective_en": "Complete every delivery milestone as planned and pass acceptance.",
            "activities_zh": _lines(
                "跟踪每个实施里程碑的进度和质量",
                "及时协调解决实施中的问题和变更",
                "维护与客户各层级的关系，管理客户期望",
                "组织初验和终验，获取验收证书",
            ),
            "activities_en": _lines(
                "Track the progress and quality of every implementation milestone",
                "Resolve implementation issues and change requests promptly",
                "Keep relationships at every level of the customer and manage expectations",
                "Organise preliminary and final acceptance and obtain the acceptance certificate",
            ),
            "results_zh": _lines(
                "各里程碑按计划完成",
                "验收证书已签署",
            ),
            "results_en": _lines(
                "Milestones completed as planned",
                "Acceptance certificate signed",
            ),
            "reports_zh": _lines(
                "大客户经理每天填写客户日常联络表",
                "周报中汇报实施进展和验收情况",
            ),
            "reports_en": _lines(
                "The KAM fills in the daily customer contact log every day",
                "Implementation progress and acceptance reported in the weekly report",
            ),
            "roles": ["consultant", "kam", "account_manager"],
        },
        {
            "code": "collection_service",
            "order": 3,
            "name_zh": "回款与客户服务",
            "name_en": "Collection and service",
            "objective_zh": (
                "按付款里程碑开票回款，提供持续服务，提高客户满意度，发展样板客户和新的销售机会。"
            ),
            "objective_en": (
                "Invoice and collect per payment milestone, keep serving the customer, raise "
                "satisfaction, and develop a reference customer and new opportunities."
            ),
            "activities_zh": _lines(
                "根据付款里程碑开具发票并跟踪回款",
                "跟进逾期款项，必要时升级处理",
                "提供售后服务和定期回访",
                "进行客户满意度调查",
                "邀请客户成为样板客户",
                "发现客户新需求并登记为新的销售机会",
            ),
            "activities_en": _lines(
                "Invoice per payment milestone and follow up collection",
                "Chase overdue payments and escalate when needed",
                "Provide after-sales service and regular follow-up visits",
                "Run the customer satisfaction survey",
                "Invite the customer to become a reference customer",
                "Find new needs and register them as new opportunities",
            ),
            "results_zh": _lines(
                "合同款项已全部回收",
                "客户满意",
                "客户同意作为样板客户",
                "新需求已转化为新的销售机会",
            ),
            "results_en": _lines(
                "Contract amount fully collected",
                "Customer satisfied",
                "Customer agreed to act as a reference customer",
                "New needs turned into new opportunities",
            ),
            "reports_zh": _lines(
                "周报中汇报回款和服务情况",
                "每月汇报回款情况",
                "更新客户综合评估表",
            ),
            "reports_en": _lines(
                "Collection and service reported in the weekly report",
                "Collections reported monthly",
                "Comprehensive customer evaluation form updated",
            ),
            "roles": ["kam", "account_manager"],
        },
    ],
}


DEFAULT_PLAYBOOK: list[StageData] = [
    _DEVELOPMENT,
    _INITIATION,
    _PROPOSAL,
    _TENDER,
    _NEGOTIATION,
    _IMPLEMENTATION,
]


def _check_orders(orders: list[int], where: str) -> None:
    if orders != list(range(1, len(orders) + 1)):
        raise ValueError(f"{where}: orders must be 1..{len(orders)} in sequence, got {orders}")


def _check_roles(roles: list[str], where: str) -> None:
    unknown = [role for role in roles if role not in ROLE_CODES]
    if unknown:
        raise ValueError(f"{where}: unknown role codes {unknown}")


def validate_shape(playbook: list[StageData]) -> None:
    """Check the structure of a playbook; raise ValueError describing the first problem found.

    Checks: stage codes and step codes are unique in the playbook; stage orders are 1..n and
    step orders are 1..m within each stage; every stage has at least one criterion; a
    criterion's step is None or the code of a step of the same stage; role and form codes are
    known (ROLE_CODES, FORM_CODES).
    """
    _check_orders([stage["order"] for stage in playbook], "stages")
    stage_codes: set[str] = set()
    step_codes: set[str] = set()
    for stage in playbook:
        code = stage["code"]
        if code in stage_codes:
            raise ValueError(f"duplicate stage code {code!r}")
        stage_codes.add(code)
        _check_roles(stage["roles"], f"stage {code!r}")
        unknown_forms = [form for form in stage["required_forms"] if form not in FORM_CODES]
        if unknown_forms:
            raise ValueError(f"stage {code!r}: unknown form codes {unknown_forms}")
        _check_orders([step["order"] for step in stage["steps"]], f"steps of stage {code!r}")
        own_steps: set[str] = set()
        for step in stage["steps"]:
            if step["code"] in step_codes:
                raise ValueError(f"duplicate step code {step['code']!r}")
            step_codes.add(step["code"])
            own_steps.add(step["code"])
            _check_roles(step["roles"], f"step {step['code']!r}")
        if not stage["criteria"]:
            raise ValueError(f"stage {code!r} has no exit criteria")
        for criterion in stage["criteria"]:
            if criterion["step"] is not None and criterion["step"] not in own_steps:
                raise ValueError(
                    f"stage {code!r}: criterion {criterion['text_en']!r} refers to step "
                    f"{criterion['step']!r}, which is not a step of this stage"
                )


if __name__ == "__main__":
    validate_shape(DEFAULT_PLAYBOOK)
    print(len(DEFAULT_PLAYBOOK))
