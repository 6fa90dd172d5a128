"""Tags of the deal lists and the board, rendered in Python: a list row or a card calls them
once each instead of including a template (a page shows up to 180 cards or 100 rows)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

HEALTH_CLASSES = {
    "past_signing": "bg-red-lt",
    "high_risk": "bg-red-lt",
    "risk_pending": "bg-purple-lt",
    "overdue_stage": "bg-orange-lt",
}


@register.simple_tag
def health_badges(health: list[tuple[str, str]]) -> SafeString:
    """The health flags as badges: ``[(code, label), …]`` from ``views.lists.health_badges``."""
    return format_html_join(
        "",
        '<span class="badge {} me-1 mb-1" data-testid="health-{}">{}</span>',
        ((HEALTH_CLASSES.get(code, "bg-yellow-lt"), code, label) for code, label in health),
    )


STATUS_CLASSES = {"open": "bg-blue-lt", "won": "bg-green-lt", "lost": "bg-red-lt"}


@register.simple_tag
def status_badge(status: str, label: str) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_CLASSES.get(status, "bg-secondary-lt"), label
    )
