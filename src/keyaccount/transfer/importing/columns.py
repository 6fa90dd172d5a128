"""The columns of each kind of sheet, their headers in both languages, and header matching."""

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy, pgettext_lazy

from keyaccount.contacts.models import Contact
from keyaccount.core.parsing import simplified
from keyaccount.customers.models import Customer, Evaluation
from keyaccount.pipeline.models import Contract, Opportunity, PaymentMilestone

CUSTOMERS, CONTACTS, EVALUATIONS = "customers", "contacts", "evaluations"
OPPORTUNITIES, PEOPLE, MILESTONES = "opportunities", "people", "milestones"
#: in the order they are planned and written (a later kind may name a record of an earlier one)
KINDS = (CUSTOMERS, CONTACTS, EVALUATIONS, OPPORTUNITIES, PEOPLE, MILESTONES)


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy translation: the header in the user's language
    type: str  # text, name, code, amount, int, region, industry, grade, url, email, mobile, …
    required: bool = False
    help: Any = ""
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    width: int = 16

    @property
    def header(self) -> str:
        return str(self.label)


def model_label(model: Any, name: str) -> Any:
    return capfirst(model._meta.get_field(name).verbose_name)


def _max(model: Any, name: str) -> int | None:
    length: int | None = model._meta.get_field(name).max_length
    return length


def _text(model: Any, name: str, help_: Any = "", width: int = 24) -> Column:
    return Column(
        name, model_label(model, name), "text", help=help_, max_length=_max(model, name),
        width=width,
    )  # fmt: skip


_AMOUNT_HELP = gettext_lazy("Yuan. 1250000, 125万, 1.2亿 and full-width digits are understood.")

CUSTOMER_COLUMNS: tuple[Column, ...] = (
    Column(
        "name", gettext_lazy("Customer name"), "name", required=True,
        help=gettext_lazy("The registered company name. Matches an existing customer when "
                          "the credit code is blank."),
        aliases=("name", "名称", "客户全称", "公司名称", "company", "company name"),
        max_length=_max(Customer, "name"), width=32,
    ),
    Column("short_name", model_label(Customer, "short_name"), "text",
           max_length=_max(Customer, "short_name")),
    Column(
        "credit_code", model_label(Customer, "credit_code"), "code",
        help=gettext_lazy("18 characters, checked by its check character. Matches an existing "
                          "customer first."),
        aliases=("信用代码", "credit code", "uscc"), width=22,
    ),
    Column("region", model_label(Customer, "region"), "region",
           help=gettext_lazy("Choose from the list: code and name, e.g. “CN-JS 江苏”."), width=20),
    Column("industry", model_label(Customer, "industry"), "industry",
           help=gettext_lazy("Choose from the list: code and name, e.g. “banking 银行”."),
           width=20),
    _text(Customer, "address", width=30),
    Column("website", model_label(Customer, "website"), "url",
           max_length=_max(Customer, "website"), width=24),
    Column("revenue", model_label(Customer, "revenue"), "amount", help=_AMOUNT_HELP),
    Column("profit", model_label(Customer, "profit"), "amount",
           help=gettext_lazy("Yuan; may be negative.")),
    Column("budget", model_label(Customer, "budget"), "amount", help=_AMOUNT_HELP),
    Column("actual_spend", model_label(Customer, "actual_spend"), "amount", help=_AMOUNT_HELP),
    Column("employees", model_label(Customer, "employees"), "int"),
    Column("technical_staff", model_label(Customer, "technical_staff"), "int"),
    _text(Customer, "segment_trend"),
    _text(Customer, "sourcing_policy"),
    _text(Customer, "solution_importance"),
    _text(Customer, "supplier_attitude"),
    _text(Customer, "key_buying_factors"),
    _text(Customer, "key_decision_makers"),
    _text(Customer, "solution_familiarity"),
    _text(Customer, "demand_characteristics"),
    _text(Customer, "incumbent_suppliers"),
    _text(Customer, "notes"),
    Column("grade", model_label(Customer, "grade"), "grade",
           help=gettext_lazy("A, B, C or D. Set only by the team manager, department head or "
                             "sales director; leave blank otherwise."), width=10),
    Column("grade_reason", gettext_lazy("Grade reason"), "text",
           help=gettext_lazy("Needed when the grade differs from the scorecard's suggestion."),
           aliases=("定级原因", "定级理由", "等级理由"), width=24),
    Column("owner", model_label(Customer, "owner"), "user",
           help=gettext_lazy("Existing customers: the department head (or an administrator) "
                             "allocates them to this person by user name, e-mail or name. New "
                             "customers are registered in your name."),
           aliases=("负责人", "客户经理", "account owner", "sales agent"), width=16),
)  # fmt: skip

CONTACT_COLUMNS: tuple[Column, ...] = (
    Column(
        "customer", gettext_lazy("Customer"), "customer", required=True,
        help=gettext_lazy("The customer's full name (or its credit code) as in the system or "
                          "on the customer sheet of this file."),
        aliases=("customer name", "客户名称", "客户全称", "公司名称"), width=32,
    ),
    Column("customer_code", gettext_lazy("Customer credit code"), "code",
           help=gettext_lazy("Optional: identifies the customer when its name is ambiguous."),
           aliases=("客户统一社会信用代码", "统一社会信用代码", "credit code",
                    "unified social credit code"), width=22),
    Column("name", gettext_lazy("Contact name"), "text", required=True,
           aliases=("联系人", "姓名", "name", "contact"), max_length=_max(Contact, "name")),
    _text(Contact, "title", width=18),
    _text(Contact, "department", width=18),
    Column("mobile", model_label(Contact, "mobile"), "mobile",
           help=gettext_lazy("Mainland mobile, 11 digits. Name and mobile identify the contact "
                             "within the customer."),
           aliases=("手机号", "手机号码", "mobile phone"), width=16),
    _text(Contact, "phone", width=16),
    Column("email", model_label(Contact, "email"), "email", aliases=("邮箱", "email"),
           max_length=_max(Contact, "email"), width=24),
    _text(Contact, "wechat", width=16),
    Column("reports_to", model_label(Contact, "reports_to"), "text",
           help=gettext_lazy("Name of another contact of the same customer (in the system or "
                             "in this file)."),
           aliases=("上级", "汇报对象"), max_length=_max(Contact, "name"), width=16),
    _text(Contact, "notes"),
)  # fmt: skip

_SCORE_HELP = gettext_lazy("1 (weak) to 5 (strong).")

EVALUATION_COLUMNS: tuple[Column, ...] = (
    Column("customer", gettext_lazy("Customer"), "customer", required=True,
           help=CONTACT_COLUMNS[0].help,
           aliases=("customer name", "客户名称", "客户全称", "公司名称"), width=32),
    CONTACT_COLUMNS[1],
    Column("evaluated_on", gettext_lazy("Evaluation date"), "date", required=True,
           help=gettext_lazy("2025-03-05, 2025/3/5, 2025年3月5日 or an Excel date; not in the "
                             "future."),
           aliases=("date", "日期", "评估时间"), width=14),
    *(
        Column(name, model_label(Evaluation, name), "score", required=True, help=_SCORE_HELP,
               width=12)
        for name in Evaluation.DIMENSIONS
    ),
    Column("summary", model_label(Evaluation, "summary"), "text", required=True,
           aliases=("评估总结",), width=40),
    _text(Evaluation, "next_steps", width=30),
)  # fmt: skip

_DATE_HELP = gettext_lazy("2025-03-05, 2025/3/5, 2025年3月5日 or an Excel date.")

OPPORTUNITY_COLUMNS: tuple[Column, ...] = (
    Column("customer", gettext_lazy("Customer"), "customer", required=True,
           help=CONTACT_COLUMNS[0].help,
           aliases=("account", "customer name", "客户名称", "客户全称", "公司名称"), width=32),
    CONTACT_COLUMNS[1],
    Column("name", gettext_lazy("Opportunity name"), "text", required=True,
           help=gettext_lazy("With the customer, identifies the deal: a second import of the "
                             "same row changes nothing."),
           aliases=("opportunity", "deal", "deal name", "商机", "商机名称", "项目名称"),
           max_length=_max(Opportunity, "name"), width=30),
    Column("amount", gettext_lazy("Expected amount"), "amount", required=True,
           help=_AMOUNT_HELP, aliases=("amount", "金额", "预计金额", "商机金额")),
    Column("currency", model_label(Opportunity, "currency"), "currency",
           help=gettext_lazy("CNY (blank), USD, EUR …; or 人民币, 美元."),
           aliases=("币种", "货币"), width=10),
    Column("stage", model_label(Opportunity, "stage"), "stage", required=True,
           help=gettext_lazy("The stage's name in either language or its number (1–6). A won "
                             "deal may leave it blank: it stands in implementation."),
           aliases=("deal stage", "销售阶段", "阶段"), width=18),
    Column("step", model_label(Opportunity, "step"), "step",
           help=gettext_lazy("Optional: a step of that stage, by name; blank: its first step."),
           aliases=("步骤",), width=18),
    Column("owner", model_label(Opportunity, "owner"), "user",
           help=gettext_lazy("User name, e-mail or full name of a person in the system; blank: "
                             "the customer's owner."),
           aliases=("sales agent", "salesperson", "负责人", "销售", "销售代表", "客户经理"),
           width=16),
    Column("expected_signing", model_label(Opportunity, "expected_signing"), "date",
           help=gettext_lazy("Needed for an open deal; a closed one defaults to its close date."),
           aliases=("expected close date", "预计签约日期", "预计签单日期"), width=14),
    Column("created_on", gettext_lazy("Created on"), "date",
           help=gettext_lazy("When the deal was opened in the other system; blank: today. The "
                             "deal's history starts on this date."),
           aliases=("engage date", "created", "created date", "创建日期", "立项日期"), width=14),
    Column("status", model_label(Opportunity, "status"), "deal_status",
           help=gettext_lazy("Open (blank), won, lost or abandoned; 进行中, 赢单, 输单, 放弃."),
           aliases=("outcome", "状态", "结果"), width=12),
    Column("closed_on", gettext_lazy("Closed on"), "date",
           help=gettext_lazy("The date a won, lost or abandoned deal was closed."),
           aliases=("close date", "closed", "关闭日期", "结单日期"), width=14),
    Column("contract_number", model_label(Contract, "number"), "text",
           help=gettext_lazy("Won deals: the contract's number (unique). Blank: IMP-<deal id>, "
                             "to be corrected on the deal page."),
           aliases=("contract no", "合同号", "合同编号"), max_length=_max(Contract, "number"),
           width=18),
    Column("signed_amount", gettext_lazy("Signed amount"), "amount",
           help=gettext_lazy("Won deals: the contract's amount; blank: the expected amount."),
           aliases=("close value", "签约金额", "合同金额"), width=16),
    Column("loss_reason", model_label(Opportunity, "loss_reason"), "loss_reason",
           help=gettext_lazy("Lost deals: one of the loss reasons an administrator keeps."),
           aliases=("丢单原因", "输单原因"), width=18),
    Column("winner", model_label(Opportunity, "winner"), "competitor",
           help=gettext_lazy("Lost deals: the competitor who won, from the competitor list."),
           aliases=("中标方", "赢单方"), width=18),
    Column("products", model_label(Opportunity, "products"), "text",
           aliases=("product", "产品"), width=20),
    Column("close_reason", model_label(Opportunity, "close_reason"), "text", width=24),
)  # fmt: skip

PEOPLE_COLUMNS: tuple[Column, ...] = (
    Column("username", gettext_lazy("User name"), "username", required=True,
           help=gettext_lazy("How the person signs in; identifies them: a second import of "
                             "the same row changes nothing."),
           aliases=("username", "login", "user", "用户名", "账号", "登录名"), max_length=150,
           width=16),
    Column("display_name", gettext_lazy("Full name"), "text", required=True,
           aliases=("name", "full name", "display name", "姓名", "员工姓名", "sales agent"),
           max_length=60, width=14),
    Column("email", gettext_lazy("E-mail"), "email",
           aliases=("email", "e-mail", "邮箱", "电子邮箱"), max_length=254, width=24),
    Column("unit", gettext_lazy("Org unit"), "unit_path",
           help=gettext_lazy("The unit's path from the company, e.g. 华瑞科技/大客户部/华东团队; "
                             "units missing are created."),
           aliases=("unit", "team", "department", "regional office", "部门", "团队", "所属部门",
                    "所属团队"), width=30),
    Column("role", gettext_lazy("Role"), "role",
           help=gettext_lazy("One of the roles (KAM, sales director …) by name or code."),
           aliases=("role", "position", "角色", "岗位"), width=18),
    Column("covers", gettext_lazy("Covers unit"), "unit_path",
           help=gettext_lazy("For the department head, assistant and sales director: the "
                             "unit's path they are responsible for; blank: their own unit."),
           aliases=("负责部门", "管辖部门"), width=30),
)  # fmt: skip

MILESTONE_COLUMNS: tuple[Column, ...] = (
    Column("contract", model_label(Contract, "number"), "text", required=True,
           help=gettext_lazy("The number of a contract in the system (a won deal's)."),
           aliases=("contract", "contract no", "contract number", "合同号", "合同编号"),
           max_length=_max(Contract, "number"), width=18),
    Column("name", gettext_lazy("Milestone"), "text", required=True,
           help=gettext_lazy("With the contract, identifies the milestone: a second import "
                             "of the same row changes nothing."),
           aliases=("milestone", "payment milestone", "里程碑", "付款节点", "回款节点",
                    "节点名称", "付款阶段"), max_length=_max(PaymentMilestone, "name"), width=20),
    Column("amount", model_label(PaymentMilestone, "amount"), "amount",
           help=gettext_lazy("The amount due, or leave it blank and give the percentage."),
           aliases=("amount", "节点金额", "应收金额", "金额"), width=16),
    Column("percentage", model_label(PaymentMilestone, "percentage"), "percent",
           help=gettext_lazy("30 or 30%: the share of the contract's amount."),
           aliases=("percent", "比例", "付款比例"), width=10),
    Column("due_on", model_label(PaymentMilestone, "due_on"), "date", required=True,
           help=_DATE_HELP, aliases=("due date", "due", "应收日期", "计划回款日期", "到期日"),
           width=14),
    Column("accepted_on", model_label(PaymentMilestone, "accepted_on"), "date",
           aliases=("accepted", "验收日期"), width=14),
    Column("invoiced_on", model_label(PaymentMilestone, "invoiced_on"), "date",
           aliases=("invoiced", "invoice date", "开票日期"), width=14),
    Column("invoiced_amount", model_label(PaymentMilestone, "invoiced_amount"), "amount",
           aliases=("invoiced amount", "开票金额"), width=16),
    Column("collected_on", model_label(PaymentMilestone, "collected_on"), "date",
           aliases=("collected", "paid on", "回款日期", "到账日期"), width=14),
    Column("collected_amount", model_label(PaymentMilestone, "collected_amount"), "amount",
           aliases=("collected amount", "paid", "回款金额", "到账金额", "实收金额"), width=16),
)  # fmt: skip

COLUMNS: dict[str, tuple[Column, ...]] = {
    CUSTOMERS: CUSTOMER_COLUMNS,
    CONTACTS: CONTACT_COLUMNS,
    EVALUATIONS: EVALUATION_COLUMNS,
    OPPORTUNITIES: OPPORTUNITY_COLUMNS,
    PEOPLE: PEOPLE_COLUMNS,
    MILESTONES: MILESTONE_COLUMNS,
}

SHEET_TITLES = {
    CUSTOMERS: pgettext_lazy("import sheet", "Customers"),
    CONTACTS: pgettext_lazy("import sheet", "Contacts"),
    EVALUATIONS: pgettext_lazy("import sheet", "Evaluations"),
    OPPORTUNITIES: pgettext_lazy("import sheet", "Opportunities"),
    PEOPLE: pgettext_lazy("import sheet", "People"),
    MILESTONES: pgettext_lazy("import sheet", "Payment milestones"),
}

#: Columns that exports add and imports ignore quietly (so an export can be imported again).
EXPORT_ONLY: dict[str, tuple[Any, ...]] = {
    CUSTOMERS: (
        gettext_lazy("Team"), model_label(Customer, "status"),
        model_label(Customer, "score"), model_label(Customer, "suggested_grade"),
        gettext_lazy("Updated"),
    ),
    CONTACTS: (model_label(Contact, "is_active"),),
    EVALUATIONS: (gettext_lazy("Total"), model_label(Evaluation, "evaluated_by")),
    OPPORTUNITIES: (),
    PEOPLE: (),
    MILESTONES: (),
}  # fmt: skip

_BRACKETED_TAIL = re.compile(r"\([^()]*\)$")


def header_key(text: object) -> str:
    """How headers are compared: width, case, spaces, ``*`` and a bracketed tail ignored, and
    Traditional characters read as Simplified (客戶名稱 is 客户名称)."""
    value = simplified(unicodedata.normalize("NFKC", str(text or ""))).lower()
    value = re.sub(r"[\s*:：]+", "", value)
    value = _BRACKETED_TAIL.sub("", value)
    return value


def both_languages(label: Any) -> set[str]:
    keys = set()
    for language in ("en", "zh-hans"):
        with translation.override(language):
            keys.add(header_key(str(label)))
    return keys


def header_index(kind: str) -> dict[str, str]:
    """Normalised header → column key, for either language."""
    index: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for alias in (*column.aliases, column.key):
            index.setdefault(header_key(alias), column.key)
    for column in COLUMNS[kind]:  # the real labels win over aliases of other columns
        for key in both_languages(column.label):
            index[key] = column.key
    return index


def export_only_headers(kind: str) -> set[str]:
    keys: set[str] = set()
    for label in EXPORT_ONLY[kind]:
        keys |= both_languages(label)
    return keys
