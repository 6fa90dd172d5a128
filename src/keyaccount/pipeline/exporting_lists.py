"""The opportunity list and the major-project list (大项目名单) as Excel workbooks (rule 9).

The rows are the page's queryset (``visible_to(user)``, the same filters and sort), read in
chunks with everything joined, so an export is a fixed number of queries whatever its size.
Rows are streamed into a write-only workbook where every string is typed as a string: no cell
is ever a formula, whatever a name or product starts with.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from keyaccount.core.excel import XLSX_CONTENT_TYPE, Export, file_name, stream_sheet, workbook_bytes

from . import rules, selectors
from .models import Opportunity

#: (header, column width); amounts are the 8th and 10th columns.
COLUMNS = (
    (gettext_lazy("Opportunity"), 32),
    (gettext_lazy("Customer"), 30),
    (gettext_lazy("Customer grade"), 8),
    (gettext_lazy("Owner"), 12),
    (gettext_lazy("Team"), 14),
    (gettext_lazy("Stage"), 14),
    (gettext_lazy("Step"), 16),
    (gettext_lazy("Amount"), 16),
    (gettext_lazy("Currency"), 8),
    (gettext_lazy("Weighted amount"), 16),
    (gettext_lazy("Probability (%)"), 10),
    (gettext_lazy("Expected signing date"), 12),
    (gettext_lazy("Status"), 10),
    (gettext_lazy("Days in stage"), 10),
    (gettext_lazy("Health"), 28),
    (gettext_lazy("Risk"), 10),
    (gettext_lazy("Source"), 14),
    (gettext_lazy("Fits company strategy"), 10),
    (gettext_lazy("Products / solutions"), 30),
)
MONEY_COLUMNS = (7, 9)


def _cells(opp: Any, norms: dict[int, int], now: datetime) -> list[Any]:
    flags = selectors.health_flags(opp, norms, now)
    owner = opp.owner
    return [
        opp.name,
        opp.customer.name,
        opp.customer.grade,
        str(owner),
        str(owner.unit) if owner.unit_id else "",
        opp.stage.name,
        f"{opp.stage.order}.{opp.step.order} {opp.step.name}" if opp.step_id else "",
        opp.amount,
        opp.currency,
        opp.weighted,
        opp.prob,
        opp.expected_signing,
        opp.get_status_display(),
        (now - opp.stage_entered_at).days if opp.is_open else None,
        "、".join(str(rules.HEALTH_LABELS[rules.Health(f)]) for f in flags),
        opp.get_risk_level_display(),
        opp.get_source_display(),
        _("yes") if opp.strategic_fit else _("no"),
        opp.products,
    ]


def export_opportunities(*, queryset: QuerySet[Opportunity], title: str) -> Export:
    """The opportunities of ``queryset`` (a selector's, already visible and filtered)."""
    norms = dict(selectors.stage_norms())
    now = timezone.now()
    rows: Iterator[list[Any]] = (
        _cells(o, norms, now)
        for o in queryset.select_related("owner__unit").iterator(chunk_size=2000)
    )
    workbook = Workbook(write_only=True)
    stream_sheet(
        workbook,
        title,
        [str(header) for header, _width in COLUMNS],
        rows,
        widths=[width for _header, width in COLUMNS],
        money=MONEY_COLUMNS,
    )
    return Export(workbook_bytes(workbook), file_name(title, extension="xlsx"), XLSX_CONTENT_TYPE)
