"""Tags of the KA list, rendered in Python: a page has 50 rows, and a template of ten cells
with two included badges per row costs most of the page's time."""

from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext

from keyaccount.core.html import html
from keyaccount.core.money import format_money
from keyaccount.core.templatetags.ka import pk_url, unit_of

register = template.Library()

STATUS_CLASSES = {"registered": "bg-green-lt", "pending": "bg-yellow-lt"}


@register.simple_tag
def status_badge(status: str, label: str) -> SafeString:
    """A registration status as a coloured badge (``partials/status_badge.html`` calls it)."""
    return html(
        '<span class="badge {}">{}</span>', STATUS_CLASSES.get(status, "bg-secondary-lt"), label
    )


@register.simple_tag
def grade_badge(grade: str, empty: str = "") -> SafeString:
    """A grade as a coloured badge. Without one: ``empty="none"`` shows nothing (a heading),
    ``empty="hint"`` says "not graded" (where a grade is expected), otherwise a plain dash (a
    table cell). ``partials/grade_badge.html`` calls it."""
    if grade:
        return html(
            '<span class="badge ka-grade ka-grade-{}" title="{}" data-testid="grade-badge">'
            "{}</span>",
            grade.lower(),
            gettext("Grade %(grade)s") % {"grade": grade},
            grade,
        )
    if empty == "hint":
        return html(
            '<span class="text-secondary" data-testid="not-graded">{}</span>', gettext("not graded")
        )
    if empty == "none":
        return SafeString("")
    return html('<span class="text-secondary" title="{}">—</span>', gettext("not graded"))


@register.simple_tag(takes_context=True)
def customer_row(context: Any, c: Any, tick: bool = False) -> SafeString:
    """One row of the KA list; ``tick``: the allocation checkbox in front."""
    region = str(c.region) if c.region_id else ""
    industry = str(c.industry) if c.industry_id else ""
    owner = str(c.owner)
    unit = str(c.owner.unit) if c.owner.unit_id else ""
    status_label = c.get_status_display()
    tick_cell = (
        html(
            '<td class="ka-tick-cell"><label class="ka-tick"><input class="form-check-input m-0" '
            'type="checkbox" name="customers" value="{}" form="ka-allocate" aria-label="{}">'
            "</label></td>",
            c.pk,
            gettext("Select %(name)s") % {"name": c.name},
        )
        if tick
        else ""
    )
    suggests = (
        html(
            '<div class="small text-secondary" title="{}">{}</div>',
            gettext("The scorecard suggests a different grade"),
            gettext("suggests %(g)s") % {"g": c.suggested_grade},
        )
        if c.suggested_grade and c.suggested_grade != c.grade
        else ""
    )
    return html(
        '<tr data-testid="customer-row">{}'
        '<td class="ka-name-cell"><a class="fw-medium" href="{}">{}</a>{}'
        '<div class="text-secondary small d-md-none">{}{} · {}{}</div></td>'
        '<td class="text-nowrap">{}{}</td>'
        '<td class="text-end">{}</td>'
        '<td class="d-none d-md-table-cell">{}</td>'
        '<td class="d-none d-lg-table-cell">{}</td>'
        '<td class="d-none d-md-table-cell text-nowrap">{}{}</td>'
        '<td class="text-end text-nowrap d-none d-lg-table-cell">{}</td>'
        '<td class="d-none d-md-table-cell">{}</td>'
        '<td class="text-nowrap text-secondary d-none d-xl-table-cell">{}</td></tr>',
        tick_cell,
        pk_url("customers:detail", c.pk), c.name,
        html('<div class="text-secondary small">{}</div>', c.short_name)
        if c.short_name
        else "",
        region, html(" · {}", industry) if industry else "", owner,
        html(" · {}", status_label) if c.status != "registered" else "",
        grade_badge(c.grade), suggests,
        "—" if c.score is None else c.score,
        region or "—",
        industry or "—",
        owner, html('<div class="text-secondary small">{}</div>', unit) if unit else "",
        format_money(c.revenue, unit_of(context.get("user"))),
        status_badge(c.status, status_label),
        date_format(localtime(c.updated_at), "SHORT_DATE_FORMAT"),
    )  # fmt: skip
