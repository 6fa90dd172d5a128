"""What the customer page shows on each of its tabs. Reads only: everything here starts from a
customer the view already fetched through ``get_visible_or_404`` (rule 2), and only the open
tab is read, in a fixed number of queries."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from keyaccount.core.money import format_money
from keyaccount.org.models import Industry, Region
from keyaccount.org.requests import AuthenticatedRequest

from . import permissions, selectors, services, tabs
from .forms import (
    COUNT_FIELDS,
    MONEY_FIELDS,
    PROFILE_GROUPS,
    AllocateForm,
    EvaluationForm,
    GradeForm,
    ScorecardForm,
)
from .models import Customer, Evaluation, ScoringFactor

#: The model's labels say "(yuan)"; the page shows amounts in the user's unit.
MONEY_LABELS = {
    "revenue": gettext_lazy("Annual revenue"),
    "profit": gettext_lazy("Annual profit"),
    "budget": gettext_lazy("IT / solution budget"),
    "actual_spend": gettext_lazy("Actual spend"),
}
TEXT_HISTORY_LIMIT = 100


def _verbose(model: Any, name: str) -> str:
    return str(capfirst(model._meta.get_field(name).verbose_name))


def field_label(name: str) -> str:
    if name in MONEY_LABELS:
        return str(MONEY_LABELS[name])
    return _verbose(Customer, name)


def region_path(region: Region | None) -> str:
    """江苏 shown as ``华东 › 江苏`` (its sales region first)."""
    if region is None:
        return ""
    parent = region.parent
    if parent is not None and parent.kind == Region.Kind.SALES_REGION:
        return f"{parent.name} › {region.name}"
    return region.name


def detail_context(
    request: AuthenticatedRequest, customer: Customer, tab: str, *, bound: dict[str, Any]
) -> dict[str, Any]:
    user = request.user
    caps = permissions.capabilities_for(user)
    unit = customer.owner.unit_id
    may = {
        "edit": permissions.can_edit_profile(caps, customer.owner_id, unit),
        "contacts": permissions.can_edit_contacts(caps, customer.owner_id, unit),
        "score": permissions.can_score(caps, customer.owner_id, unit),
        "grade": permissions.can_grade(caps, unit),
        "evaluate": permissions.can_evaluate(caps, customer.owner_id, unit),
        "allocate": permissions.can_allocate(caps, unit),
    }
    shown = tabs.tab(tab) or tabs.tabs()[0]
    context: dict[str, Any] = {
        "customer": customer,
        "tab": shown.key,
        "tabs": [(t.key, t.label) for t in tabs.tabs()],
        "tab_template": shown.template,
        "tab_scripts": shown.scripts,
        "may": may,
        "region_path": region_path(customer.region),
    }
    if may["allocate"]:
        context["allocate_form"] = AllocateForm(
            user=user,
            initial={
                "customers": [customer.pk],
                "next": reverse("customers:detail", args=[customer.pk]) + "?tab=history",
            },
        )
    context.update(shown.read(tabs.TabRequest(user, customer, may, bound)))
    return context


def _profile(tab: tabs.TabRequest) -> dict[str, Any]:
    customer = tab.customer
    groups = []
    for label, names in PROFILE_GROUPS:
        rows = []
        for name in names:
            value: Any = getattr(customer, name)
            kind = "text"
            if name in MONEY_FIELDS:
                # a detail view: the exact amount (lists and cards show it scaled)
                value = format_money(value, exact=True) if value is not None else ""
                kind = "plain"
            elif name in COUNT_FIELDS:
                value, kind = (f"{value:,}" if value is not None else ""), "plain"
            elif name == "region":
                value, kind = region_path(customer.region), "plain"
            elif name == "industry":
                value, kind = (customer.industry.name if customer.industry else ""), "plain"
            elif name == "website":
                kind = "url"
            elif name == "credit_code":
                kind = "code"
            rows.append({"label": field_label(name), "value": value, "kind": kind})
        groups.append({"label": label, "rows": rows})
    return {"groups": groups}


def _scorecard(tab: tabs.TabRequest) -> dict[str, Any]:
    customer, bound = tab.customer, tab.bound
    factors = list(ScoringFactor.objects.filter(is_active=True).order_by("order", "code"))
    saved = {s.factor_id: s for s in customer.scores.select_related("scored_by")}
    form = bound.get("scores") or ScorecardForm(
        factors=factors,
        initial={
            **{f"score_{f.code}": saved[f.pk].score for f in factors if f.pk in saved},
            **{f"why_{f.code}": saved[f.pk].justification for f in factors if f.pk in saved},
        },
    )
    rows = form.rows(saved)
    groups = [
        {"label": label, "rows": [r for r in rows if r["factor"].group == group]}
        for group, label in ScoringFactor.Group.choices
    ]
    total_weight = sum((f.weight for f in factors if f.weight > 0), Decimal(0))
    grade_form = bound.get("grade") or GradeForm(
        initial={"grade": customer.grade or customer.suggested_grade}
    )
    return {
        "score_groups": [g for g in groups if g["rows"]],
        "score_form": form,
        "total_weight": total_weight,
        "scored": len(saved),
        "factor_count": len(factors),
        "thresholds": services.thresholds(),
        "grade_form": grade_form,
        "grade_changes": list(customer.grade_changes.select_related("changed_by")),
    }


def _evaluations(tab: tabs.TabRequest) -> dict[str, Any]:
    user, customer, bound = tab.user, tab.customer, tab.bound
    evaluations = list(selectors.evaluations_for(user=user, customer=customer))
    form = bound.get("evaluation") or EvaluationForm(initial={"evaluated_on": timezone.localdate()})
    labels = [_verbose(Evaluation, d) for d in Evaluation.DIMENSIONS]
    rows = [
        {"evaluation": e, "values": [getattr(e, d) for d in Evaluation.DIMENSIONS]}
        for e in evaluations
    ]
    latest_values: list[int] = rows[0]["values"] if rows else []  # type: ignore[assignment]
    return {
        "evaluations": rows,
        "latest": rows[0] if rows else None,
        "latest_scores": list(zip(labels, latest_values, strict=False)),
        "dimension_labels": labels,
        "evaluation_form": form,
        "dimension_fields": [form[d] for d in Evaluation.DIMENSIONS],
    }


# --- history ----------------------------------------------------------------------------------

_SHOWN_VALUES = {"name", "short_name", "credit_code", "region", "industry", "address", "website"}
#: Owner changes, registration decisions and grade changes have their own rows; the score and
#: the suggestion are derived from the scorecard (saved without a profile version).
_COVERED_ELSEWHERE = {"owner", "status", "grade", "score", "suggested_grade"}


def _history(tab: tabs.TabRequest) -> dict[str, Any]:
    """One timeline: profile edits (with the fields changed), owner changes, registration
    requests and decisions, grade changes; newest first."""
    customer = tab.customer
    entries: list[dict[str, Any]] = []
    records = list(
        customer.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : TEXT_HISTORY_LIMIT + 1
        ]
    )
    names = _reference_names(records)
    for i, newer in enumerate(records[:TEXT_HISTORY_LIMIT]):
        older = records[i + 1] if i + 1 < len(records) else None
        if older is None:
            entries.append(_entry(newer.history_date, newer.history_user, "created"))
            continue
        delta = newer.diff_against(older)
        changes = [c for c in delta.changes if c.field not in _COVERED_ELSEWHERE]
        if not changes:
            continue
        entry = _entry(newer.history_date, newer.history_user, "edited")
        entry["changes"] = [_change(c.field, c.old, c.new, names) for c in changes]
        entry["reason"] = newer.history_change_reason or ""
        entries.append(entry)
    for o in customer.owner_changes.select_related("old_owner", "new_owner", "changed_by"):
        entries.append({**_entry(o.changed_at, o.changed_by, "owner"), "row": o})
    for r in customer.registrations.select_related("requested_by", "decided_by"):
        entries.append({**_entry(r.created_at, r.requested_by, "requested"), "row": r})
        if r.decided_at:
            entries.append({**_entry(r.decided_at, r.decided_by, "decided"), "row": r})
    for g in customer.grade_changes.select_related("changed_by"):
        entries.append({**_entry(g.changed_at, g.changed_by, "graded"), "row": g})
    entries.sort(key=lambda e: e["when"], reverse=True)
    return {"entries": entries, "truncated": len(records) > TEXT_HISTORY_LIMIT}


def _entry(when: datetime, who: Any, kind: str) -> dict[str, Any]:
    return {"when": when, "who": who, "kind": kind}


def _reference_names(records: list[Any]) -> dict[str, dict[Any, str]]:
    """Names of the regions and industries the history mentions (two small queries)."""
    region_ids = {r.region_id for r in records if r.region_id}
    industry_ids = {r.industry_id for r in records if r.industry_id}
    return {
        "region": {r.pk: r.name for r in Region.objects.filter(pk__in=region_ids)}
        if region_ids
        else {},
        "industry": {i.pk: i.name for i in Industry.objects.filter(pk__in=industry_ids)}
        if industry_ids
        else {},
    }


def _change(field: str, old: Any, new: Any, names: dict[str, dict[Any, str]]) -> dict[str, Any]:
    label = field_label(field) if field in {f.name for f in Customer._meta.fields} else field
    if field in names:
        old, new = names[field].get(old, old), names[field].get(new, new)
    if field in MONEY_FIELDS:
        old, new = format_money(old, exact=True), format_money(new, exact=True)
    shown = field in _SHOWN_VALUES or field in MONEY_FIELDS or field in COUNT_FIELDS
    return {
        "label": label,
        "old": "" if old is None else old,
        "new": "" if new is None else new,
        "shown": shown,
    }


def register_tabs() -> None:
    """The customer's own tabs (contacts and opportunities are added by their apps)."""
    for key, label, order, read in (
        ("profile", gettext_lazy("Profile"), 10, _profile),
        ("scorecard", gettext_lazy("Scorecard and grade"), 40, _scorecard),
        ("evaluations", gettext_lazy("Evaluations"), 50, _evaluations),
        ("history", gettext_lazy("History"), 60, _history),
    ):
        tabs.register(tabs.CustomerTab(key, label, order, f"customers/tabs/{key}.html", read))
