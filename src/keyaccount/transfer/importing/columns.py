"""The columns of each kind of sheet, their headers in both languages, and header matching."""

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy, pgettext_lazy

from keyaccount.contacts.models import Contact
from keyaccount.customers.models import Customer, Evaluation

CUSTOMERS, CONTACTS, EVALUATIONS = "customers", "contacts", "evaluations"
KINDS = (CUSTOMERS, CONTACTS, EVALUATIONS)


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

COLUMNS: dict[str, tuple[Column, ...]] = {
    CUSTOMERS: CUSTOMER_COLUMNS,
    CONTACTS: CONTACT_COLUMNS,
    EVALUATIONS: EVALUATION_COLUMNS,
}

SHEET_TITLES = {
    CUSTOMERS: pgettext_lazy("import sheet", "Customers"),
    CONTACTS: pgettext_lazy("import sheet", "Contacts"),
    EVALUATIONS: pgettext_lazy("import sheet", "Evaluations"),
}

#: Columns that exports add and imports ignore quietly (so an export can be imported again).
EXPORT_ONLY: dict[str, tuple[Any, ...]] = {
    CUSTOMERS: (
        model_label(Customer, "owner"), gettext_lazy("Team"), model_label(Customer, "status"),
        model_label(Customer, "score"), model_label(Customer, "suggested_grade"),
        gettext_lazy("Updated"),
    ),
    CONTACTS: (model_label(Contact, "is_active"),),
    EVALUATIONS: (gettext_lazy("Total"), model_label(Evaluation, "evaluated_by")),
}  # fmt: skip

_BRACKETED_TAIL = re.compile(r"\([^()]*\)$")


def header_key(text: object) -> str:
    """How headers are compared: width, case, spaces, ``*`` and a bracketed tail ignored."""
    value = unicodedata.normalize("NFKC", str(text or "")).lower()
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
