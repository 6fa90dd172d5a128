"""The printable forms of an opportunity and their workbooks (rule 9): the risk assessment form
(风险评估表) and the KA follow-up form (大客户跟进表).

Each form is read once into a ``Form`` (header items, sections of label/value items, tables);
the printable page and the .xlsx are both drawn from it, so they always hold the same content.
The reads start from an opportunity (or assessment) the view fetched inside the user's
visibility, and are a fixed number of queries whatever the number of rows.

Workbooks: one sheet laid out like the paper form, headers in the user's language (gettext),
amounts as numbers in the deal's currency, dates as dates, and no cell ever a formula, whatever
a note starts with (``=``, ``+``, ``-``, ``@``).

Decision recorded here: the KA follow-up form's workbook keeps the buying roles' personal
motives. It is served only to those who may see the opportunity (the same visibility as the
printable page and the power map), and the paper form it replaces carries them too.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from keyaccount.core.excel import (
    DATE_FORMAT,
    MONEY_FORMAT,
    XLSX_CONTENT_TYPE,
    Export,
    clean,
    file_name,
    new_workbook,
    workbook_bytes,
)
from keyaccount.org.models import Region

from . import rules
from .models import (
    BuyingRoleEntry,
    FollowUp,
    KeyElement,
    Opportunity,
    OpportunityCompetitor,
    RiskAssessment,
)

PERCENT_FORMAT = '0.0"%"'
#: Columns of the form sheet: wide enough for a table of up to eight columns.
SHEET_WIDTHS = (24, 20, 14, 14, 14, 28, 28, 22)


# --- the content of a form ------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One line of a form: a label and its value.

    ``kind``: text, long (multi-line), money (``currency`` says which), percent, int, date,
    datetime.
    """

    label: str
    value: Any
    kind: str = "text"
    currency: str = ""
    key: str = ""  # for templates that single an item out (e.g. the risk level)
    tone: str = ""  # how the page stresses it: a risk level, "advice", "pending"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text, long, int, decimal, percent, date


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    empty: str
    key: str = ""

    @property
    def cells(self) -> list[list[tuple[Any, str]]]:
        """Each row's values paired with their column's kind (for templates)."""
        kinds = [c.kind for c in self.columns]
        return [list(zip(row, kinds, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Section:
    title: str
    items: list[Item]
    key: str = ""


@dataclass
class Form:
    name: str  # the form's name, e.g. 风险评估表
    title: str  # what it is about: customer · opportunity
    header: list[Item]
    blocks: list[Section | Table] = field(default_factory=list)

    @property
    def sections(self) -> list[Section]:
        return [b for b in self.blocks if isinstance(b, Section)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def block(self, key: str) -> Section | Table | None:
        return next((b for b in self.blocks if b.key == key), None)


def _person(user: Any) -> str:
    return str(user) if user is not None else ""


def _stage(opp: Opportunity) -> str:
    return f"{opp.stage} · {opp.step}" if opp.step_id else str(opp.stage)


# --- the risk assessment form (风险评估表) --------------------------------------------------


def recommendation(level: str) -> str:
    """What the form recommends for a risk level (high: abandon, a director decides)."""
    if level == rules.RiskLevel.HIGH:
        return _(
            "High risk: we recommend abandoning this opportunity. "
            "A sales director decides to continue or abandon."
        )
    if level == rules.RiskLevel.MEDIUM:
        return _("Medium risk: act on the factors scored 4 or 5 before the next stage.")
    return _("Low risk: continue with the opportunity.")


def decision_items(assessment: RiskAssessment) -> list[Item]:
    """The director's decision (who, when, why), or that it is still awaited."""
    if assessment.decision in (rules.RiskDecision.CONTINUE, rules.RiskDecision.ABANDON):
        return [
            Item(_("Decision"), str(assessment.get_decision_display()), key="decision"),
            Item(_("Decided by"), _person(assessment.decided_by)),
            Item(_("Decided at"), assessment.decided_at, "datetime"),
            Item(_("Reason"), assessment.decision_reason, "long"),
        ]
    pending = assessment.decision == rules.RiskDecision.PENDING
    return [
        Item(
            _("Decision"),
            str(assessment.get_decision_display()),
            key="decision",
            tone="pending" if pending else "",
        )
    ]


def risk_assessment_queryset(opportunities: QuerySet[Opportunity]) -> QuerySet[RiskAssessment]:
    """Assessments of the given (visible) opportunities, with what the form shows."""
    return RiskAssessment.objects.filter(opportunity__in=opportunities.values("pk")).select_related(
        "opportunity__customer",
        "opportunity__owner__unit",
        "opportunity__stage",
        "opportunity__step",
        "assessed_by",
        "decided_by",
    )


def risk_form(assessment: RiskAssessment) -> Form:
    """The risk assessment form of one assessment (two queries: the scores with their
    factors)."""
    opp = assessment.opportunity
    scores = list(
        assessment.scores.select_related("factor").order_by("factor__order", "factor__code")
    )
    form = Form(
        name=_("Risk assessment form"),
        title=f"{opp.customer.name} · {opp.name}",
        header=[
            Item(_("Customer"), opp.customer.name),
            Item(_("Opportunity"), opp.name),
            Item(_("Stage"), _stage(opp)),
            Item(_("Owner"), _person(opp.owner)),
            Item(_("Assessed on"), assessment.assessed_on, "date"),
            Item(_("Assessed by"), _person(assessment.assessed_by)),
        ],
    )
    form.blocks.append(
        Table(
            _("Risk factors"),
            [
                Column(_("Factor")),
                Column(_("Question"), "long"),
                Column(_("Score (0–5)"), "int"),
                Column(_("Weight"), "decimal"),
                Column(_("Note"), "long"),
            ],
            [[s.factor.name, s.factor.question, s.score, s.weight, s.note] for s in scores],
            _("No factor was scored."),
            key="factors",
        )
    )
    form.blocks.append(
        Section(
            _("Result"),
            [
                Item(_("Risk score (%)"), assessment.total, "percent", key="total"),
                Item(
                    _("Risk level"),
                    str(assessment.get_level_display()),
                    key="level",
                    tone=assessment.level,
                ),
                Item(
                    _("Recommendation"),
                    recommendation(assessment.level),
                    "long",
                    key="recommendation",
                    tone="advice" if assessment.level == rules.RiskLevel.HIGH else "",
                ),
                Item(_("Summary"), assessment.summary, "long"),
            ],
            key="result",
        )
    )
    form.blocks.append(Section(_("Risk decision"), decision_items(assessment), key="decision"))
    return form


# --- the KA follow-up form (大客户跟进表) ---------------------------------------------------


def buying_roles(opp: Opportunity) -> list[BuyingRoleEntry]:
    """The contacts involved in the deal, the most influential first (one query)."""
    rank: dict[str, int] = {value: i for i, value in enumerate(rules.Influence.values)}
    rows = list(
        BuyingRoleEntry.objects.filter(opportunity=opp)
        .select_related("contact", "updated_by")
        .order_by("contact__pinyin_sort", "id")
    )
    rows.sort(key=lambda r: rank.get(r.influence, len(rank)))
    return rows


def _elements(opp: Opportunity) -> list[KeyElement]:
    order = {e: i for i, e in enumerate(rules.Element.values)}
    rows = list(KeyElement.objects.filter(opportunity=opp).select_related("updated_by"))
    rows.sort(key=lambda r: order.get(r.element, len(order)))
    return rows


def _competitors(opp: Opportunity) -> list[OpportunityCompetitor]:
    order = {s: i for i, s in enumerate(rules.Strength.values)}
    rows = list(
        OpportunityCompetitor.objects.filter(opportunity=opp)
        .select_related("competitor")
        .order_by("competitor__pinyin_sort", "competitor_id")
    )
    rows.sort(key=lambda r: order.get(r.strength, len(order)))
    return rows


def latest_assessment(opp: Opportunity) -> RiskAssessment | None:
    return (
        RiskAssessment.objects.filter(opportunity=opp)
        .select_related("assessed_by", "decided_by")
        .order_by("-assessed_on", "-id")
        .first()
    )


def _region(opp: Opportunity) -> str:
    region = opp.customer.region
    if region is None:
        return ""
    parent = region.parent
    if parent is not None and parent.kind == Region.Kind.SALES_REGION:
        return f"{parent.name} › {region.name}"  # 华东 › 江苏
    return region.name


def follow_up_form(opp: Opportunity) -> Form:
    """The KA follow-up form of an opportunity: identity, key evaluation elements,
    competitors, buying roles, the latest risk and the follow-up entries."""
    customer, owner = opp.customer, opp.owner
    probability = getattr(opp, "prob", None)
    probability = opp.probability if probability is None else probability
    weighted = rules.weighted_amount(opp.amount, probability)
    form = Form(
        name=_("KA follow-up form"),
        title=f"{customer.name} · {opp.name}",
        header=[
            Item(_("Customer"), customer.name),
            Item(_("Opportunity"), opp.name),
            Item(_("Owner"), _person(owner)),
            Item(_("Printed on"), timezone.localdate(), "date"),
        ],
    )
    form.blocks.append(
        Section(
            _("Opportunity"),
            [
                Item(_("Customer"), customer.name),
                Item(_("Customer grade"), customer.grade or "—"),
                Item(_("Region"), _region(opp)),
                Item(_("Industry"), str(customer.industry) if customer.industry_id else ""),
                Item(_("Owner"), _person(owner)),
                Item(_("Team"), str(owner.unit) if owner.unit_id else ""),
                Item(_("Stage / step"), _stage(opp)),
                Item(_("Status"), str(opp.get_status_display())),
                Item(_("Amount"), opp.amount, "money", opp.currency),
                Item(_("Probability (%)"), probability, "int"),
                Item(_("Weighted amount"), weighted, "money", opp.currency),
                Item(_("Expected signing date"), opp.expected_signing, "date"),
                Item(_("Fits company strategy"), _("yes") if opp.strategic_fit else _("no")),
                Item(_("Strategic fit note"), opp.strategic_note, "long"),
                Item(_("Products / solutions"), opp.products, "long"),
            ],
            key="identity",
        )
    )
    form.blocks.append(
        Table(
            _("Key evaluation elements"),
            [
                Column(_("Element")),
                Column(_("Status")),
                Column(_("Notes"), "long"),
                Column(_("Updated by")),
                Column(_("Updated at"), "date"),
            ],
            [
                [
                    str(e.get_element_display()),
                    str(e.get_status_display()),
                    e.notes,
                    _person(e.updated_by),
                    timezone.localtime(e.updated_at).date() if e.updated_at else None,
                ]
                for e in _elements(opp)
            ],
            _("No key evaluation element recorded."),
            key="elements",
        )
    )
    form.blocks.append(
        Table(
            _("Competitors"),
            [
                Column(_("Competitor")),
                Column(_("Strength vs us")),
                Column(_("Their likely strategy"), "long"),
                Column(_("Our strategy against them"), "long"),
            ],
            [
                [
                    c.competitor.name,
                    str(c.get_strength_display()),
                    c.their_strategy,
                    c.our_strategy,
                ]
                for c in _competitors(opp)
            ],
            _("No competitor recorded."),
            key="competitors",
        )
    )
    form.blocks.append(
        Table(
            _("Buying roles"),
            [
                Column(_("Contact")),
                Column(_("Buying role")),
                Column(_("Influence")),
                Column(_("Attitude to us")),
                Column(_("Personal motives"), "long"),
                Column(_("Organisational goals"), "long"),
                Column(_("Notes"), "long"),
            ],
            [
                [
                    str(r.contact),
                    str(r.get_role_display()),
                    str(r.get_influence_display()),
                    str(r.get_attitude_display()),
                    r.personal_motives,
                    r.organisational_goals,
                    r.notes,
                ]
                for r in buying_roles(opp)
            ],
            _("No buying role recorded."),
            key="roles",
        )
    )
    latest = latest_assessment(opp)
    risk_items = (
        [
            Item(_("Risk level"), str(latest.get_level_display()), key="level", tone=latest.level),
            Item(_("Risk score (%)"), latest.total, "percent"),
            Item(_("Assessed on"), latest.assessed_on, "date"),
            Item(_("Assessed by"), _person(latest.assessed_by)),
            Item(
                _("Recommendation"),
                recommendation(latest.level),
                "long",
                key="recommendation",
                tone="advice" if latest.level == rules.RiskLevel.HIGH else "",
            ),
            *decision_items(latest),
        ]
        if latest is not None
        else [Item(_("Risk level"), _("Not assessed yet"), key="level")]
    )
    form.blocks.append(Section(_("Latest risk assessment"), risk_items, key="risk"))
    entries = FollowUp.objects.filter(opportunity=opp).select_related("author")
    form.blocks.append(
        Table(
            _("Follow-up entries"),
            [
                Column(_("Date"), "date"),
                Column(_("Progress"), "long"),
                Column(_("Next steps"), "long"),
                Column(_("Support needed"), "long"),
                Column(_("Author")),
            ],
            [
                [f.on, f.progress, f.next_steps, f.support_needed, _person(f.author)]
                for f in entries.order_by("-on", "-id")
            ],
            _("No follow-up entry yet."),
            key="follow_ups",
        )
    )
    return form


# --- workbooks ------------------------------------------------------------------------------

_THIN = Side(style="thin", color="D0D4DA")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="E8EEF7")
_LABEL_FILL = PatternFill("solid", fgColor="F7F8FA")
_TOP = Alignment(vertical="top", wrap_text=True)


class FormSheet:
    """Writes a ``Form`` into one worksheet, top to bottom, like the paper form. Every text
    is typed as text: nothing a user wrote can become a formula."""

    def __init__(self, workbook: Any, title: str, widths: Sequence[int] = SHEET_WIDTHS):
        self.sheet = workbook.create_sheet(title=title[:31])
        self.width = len(widths)
        self.row = 0
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width

    def put(self, column: int, value: Any, kind: str = "text", **style: Any) -> Any:
        value = clean(value)
        if isinstance(value, bool):
            value = str(value)
        cell = self.sheet.cell(row=self.row, column=column, value=value)
        if isinstance(value, str):
            cell.data_type = TYPE_STRING  # never a formula, whatever it starts with
        elif isinstance(value, datetime | date):
            cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(value, datetime) else DATE_FORMAT
        elif kind == "money":
            cell.number_format = MONEY_FORMAT
        elif kind == "percent":
            cell.number_format = PERCENT_FORMAT
        cell.alignment = _TOP
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    def _value(self, value: Any, kind: str) -> Any:
        if kind == "datetime" and isinstance(value, datetime):
            return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
        return "" if value is None else value

    def heading(self, form: Form) -> None:
        self.row += 1
        self.put(1, form.name, font=Font(bold=True, size=13))
        self.put(2, form.title, font=Font(bold=True, size=13))
        self.sheet.merge_cells(
            start_row=self.row, start_column=2, end_row=self.row, end_column=self.width
        )
        self.items(form.header)

    def title(self, text: str) -> None:
        self.row += 2
        self.put(1, text, font=Font(bold=True), fill=_HEAD_FILL)
        for column in range(2, self.width + 1):
            self.sheet.cell(row=self.row, column=column).fill = _HEAD_FILL

    def items(self, items: Sequence[Item]) -> None:
        for item in items:
            self.row += 1
            self.put(1, item.label, font=Font(bold=True), fill=_LABEL_FILL, border=_BOX)
            value = self._value(item.value, item.kind)
            if item.kind == "money" and item.currency and isinstance(value, Decimal):
                self.put(2, value, "money", border=_BOX)
                self.put(3, item.currency, border=_BOX)
                continue
            self.put(2, value, item.kind, border=_BOX)
            self.sheet.merge_cells(
                start_row=self.row, start_column=2, end_row=self.row, end_column=self.width
            )

    def table(self, table: Table) -> None:
        self.title(table.title)
        self.row += 1
        for column, spec in enumerate(table.columns, start=1):
            self.put(column, spec.label, font=Font(bold=True), fill=_LABEL_FILL, border=_BOX)
        if not table.rows:
            self.row += 1
            self.put(1, table.empty, font=Font(italic=True, color="8A9099"))
        for values in table.rows:
            self.row += 1
            for column, (spec, value) in enumerate(zip(table.columns, values, strict=True), 1):
                self.put(column, self._value(value, spec.kind), spec.kind, border=_BOX)

    def write(self, form: Form) -> None:
        self.heading(form)
        for block in form.blocks:
            if isinstance(block, Table):
                self.table(block)
            else:
                self.title(block.title)
                self.items(block.items)
        self.sheet.print_options.gridLines = False
        self.sheet.page_setup.orientation = "landscape"
        self.sheet.page_setup.fitToWidth = 1
        self.sheet.page_setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True


def form_workbook(form: Form) -> bytes:
    workbook = new_workbook()
    FormSheet(workbook, form.name).write(form)
    return workbook_bytes(workbook)


def export_risk_form(assessment: RiskAssessment) -> Export:
    """The risk assessment form (风险评估表) as a workbook."""
    form = risk_form(assessment)
    opp = assessment.opportunity
    name = file_name(form.name, opp.customer.name, opp.name, extension="xlsx")
    return Export(form_workbook(form), name, XLSX_CONTENT_TYPE)


def export_follow_up_form(opp: Opportunity) -> Export:
    """The KA follow-up form (大客户跟进表) as a workbook (with the personal motives: see the
    module's docstring)."""
    form = follow_up_form(opp)
    name = file_name(form.name, opp.customer.name, opp.name, extension="xlsx")
    return Export(form_workbook(form), name, XLSX_CONTENT_TYPE)
