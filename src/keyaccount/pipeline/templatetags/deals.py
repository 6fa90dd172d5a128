"""Tags of the deal lists and the board, rendered in Python: a list row or a card calls them
once each instead of including a template (a page shows up to 180 cards or 100 rows)."""

from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from keyaccount.core.html import html, html_join
from keyaccount.core.money import format_money
from keyaccount.core.templatetags.ka import pk_url, unit_of

register = template.Library()


def _words(context: Any) -> dict[Any, str]:
    """The fixed words of a page's rows and cards, translated once per page (a board has 180
    cards, and each ``gettext`` looks up the active language): in the render context, where
    the whole page's rows share it."""
    words: dict[Any, str] | None = context.render_context.get("deals.words")
    if words is None:
        words = {
            "days_in_stage": gettext("Days in stage"),
            "request_gate": gettext("Request gate →"),
            "overridden": gettext("Overridden, not the stage probability"),
        }
        context.render_context["deals.words"] = words
    return words


def _in_stage(words: dict[Any, str], days: int) -> str:
    """ "3 days in stage", translated once per number of days."""
    key = ("in_stage", days)
    if key not in words:
        text = ngettext("%(counter)s day in stage", "%(counter)s days in stage", days)
        words[key] = text % {"counter": days}
    return words[key]


HEALTH_CLASSES = {
    "past_signing": "bg-red-lt",
    "high_risk": "bg-red-lt",
    "risk_pending": "bg-purple-lt",
    "overdue_stage": "bg-orange-lt",
}


@register.simple_tag
def health_badges(health: list[tuple[str, str]]) -> SafeString:
    """The health flags as badges: ``[(code, label), …]`` from ``views.lists.health_badges``."""
    return html_join(
        '<span class="badge {} me-1 mb-1" data-testid="health-{}">{}</span>',
        ((HEALTH_CLASSES.get(code, "bg-yellow-lt"), code, label) for code, label in health),
    )


STATUS_CLASSES = {"open": "bg-blue-lt", "won": "bg-green-lt", "lost": "bg-red-lt"}


@register.simple_tag
def status_badge(status: str, label: str) -> SafeString:
    return html(
        '<span class="badge {}">{}</span>', STATUS_CLASSES.get(status, "bg-secondary-lt"), label
    )


@register.simple_tag(takes_context=True)
def deal_row(context: Any, row: dict[str, Any]) -> SafeString:
    """One row of the deal list (``views.lists.decorate`` of a ``rows.ListRow``), rendered in
    Python: a page has 50, and a template of ten cells costs most of the page's time. The
    cells, their classes and test ids are those the list's headings name
    (``partials/list_results.html``)."""
    o = row["opp"]
    words = _words(context)
    unit = unit_of(context.get("user"))
    customer, owner, stage = o.customer_name, o.owner_name, o.stage_name
    status = "" if o.status == "open" else status_badge(o.status, o.status_label)
    health = health_badges(row["health"])
    days = row["days"]
    step = (
        html(
            '<div class="text-secondary small">{}.{} {}</div>', o.stage_order, o.step_order,
            o.step_name,
        )
        if o.step_id
        else ""
    )  # fmt: skip
    in_stage = (
        html('<div class="text-secondary small d-xxl-none">{}</div>', _in_stage(words, days))
        if days is not None
        else ""
    )
    overridden = (
        html(' <span title="{}">*</span>', words["overridden"])
        if o.probability_override is not None
        else ""
    )
    return html(
        '<tr data-testid="opportunity-row">'
        '<td class="ka-name-cell"><a class="fw-medium" href="{}">{}</a>{}'
        '<div class="text-secondary small d-md-none">{} · {} · {}'
        '<span class="d-sm-none"> · {}</span></div>{}</td>'
        '<td class="d-none d-md-table-cell">{}</td>'
        '<td class="d-none d-lg-table-cell text-nowrap">{}</td>'
        '<td class="d-none d-sm-table-cell">{}{}{}</td>'
        '<td class="text-end text-nowrap">{}</td>'
        '<td class="text-end text-nowrap d-none d-md-table-cell">{}'
        '<div class="text-secondary small" data-testid="probability">{}%{}</div></td>'
        '<td class="text-nowrap d-none d-md-table-cell">{}</td>'
        '<td class="text-end d-none d-xxl-table-cell">{}</td>'
        '<td class="d-none d-md-table-cell">{}</td></tr>',
        pk_url("pipeline:detail", o.pk), o.name,
        html(" {}", status) if status else "",
        customer, owner, o.expected_signing.strftime("%Y-%m"),
        stage, html('<div class="d-md-none mt-1">{}</div>', health) if health else "",
        customer,
        owner,
        stage, step, in_stage,
        format_money(o.amount, unit, currency=o.currency),
        format_money(o.weighted, unit, currency=o.currency), o.prob, overridden,
        o.expected_signing.isoformat(),
        "—" if days is None else days,
        health,
    )  # fmt: skip


@register.simple_tag(takes_context=True)
def board_card(context: Any, card: Any) -> SafeString:
    """One card of the board (a ``cards.Card``), rendered in Python: a board has up to 180."""
    days, words = card.days, _words(context)
    in_stage = _in_stage(words, days) if days is not None else ""
    move = (
        html(
            '<a class="btn btn-sm btn-outline-primary text-nowrap" href="{}" '
            'data-testid="request-gate">{}</a>',
            pk_url("pipeline:move", card.pk),
            words["request_gate"],
        )
        if card.may_move
        else ""
    )
    health = health_badges(card.health)
    return html(
        '<article class="card card-sm mb-2" data-testid="board-card"><div class="card-body">'
        '<a class="fw-medium d-block" href="{}">{}</a>'
        '<div class="text-secondary small">{}</div>'
        '<div class="d-flex flex-wrap justify-content-between align-items-baseline '
        'column-gap-2 mt-1"><span class="fw-medium text-nowrap">{}</span>'
        '<span class="text-secondary small text-nowrap" title="{}">{}</span></div>{}'
        '<div class="d-flex flex-wrap justify-content-between align-items-center mt-2 gap-2">'
        '<span class="small text-secondary text-truncate">{}</span>{}</div></div></article>',
        pk_url("pipeline:detail", card.pk), card.name,
        card.customer_name,
        format_money(card.amount, unit_of(context.get("user")), currency=card.currency),
        words["days_in_stage"], in_stage,
        html('<div class="mt-1">{}</div>', health) if health else "",
        card.owner_name, move,
    )  # fmt: skip
