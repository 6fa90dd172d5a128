"""Totals, counts and the board's columns of the deal lists: from the rollup where it answers
the filters (``pipeline.rollup``), else summed from the deals the list holds. The same
visibility as the lists: every figure starts from ``selectors.opportunity_list`` or from the
rollup's groups of what the user sees."""

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from keyaccount.core.request_cache import memo
from keyaccount.org.rules import descendants
from keyaccount.org.selectors import scope_for, unit_parents
from keyaccount.process.models import Stage

from . import rollup, rules
from .cards import cards as card_values
from .models import Opportunity, OpportunityMember
from .selectors import OpportunityFilters, filtered, opportunity_list


@dataclass(frozen=True)
class Totals:
    count: int
    by_currency: list[dict[str, Any]]  # currency, count, amount, weighted

    @property
    def cny(self) -> dict[str, Any]:
        for row in self.by_currency:
            if row["currency"] == rules.Currency.CNY:
                return row
        return {
            "currency": rules.Currency.CNY,
            "count": 0,
            "amount": Decimal(0),
            "weighted": Decimal(0),
        }


CENT = Decimal("0.01")


def _summed(qs: QuerySet[Opportunity], by: tuple[str, ...]) -> list[dict[str, Any]]:
    """Count, amount and weighted amount of the deals of ``qs`` per ``by``, from the deals."""
    rows = (
        qs.order_by()
        .values(*by)
        .annotate(count=Count("id"), amount_sum=Sum("amount"), weighted_sum=Sum("weighted"))
    )
    return [
        {
            **{k: r[k] for k in by},
            "count": r["count"],
            "amount": Decimal(r["amount_sum"] or 0).quantize(CENT),
            "weighted": Decimal(r["weighted_sum"] or 0).quantize(CENT),
        }
        for r in rows
    ]


def _team_only(user: Any, f: OpportunityFilters) -> QuerySet[Opportunity] | None:
    """The deals of the list that ``user`` sees only through a deal team (not their own, not
    owned in a unit they see): what the rollup's groups leave out."""
    scope = scope_for(user)
    if scope.everything or scope.user_id is None:
        return None
    uid = scope.user_id

    def on_team() -> list[int]:
        rows = OpportunityMember.objects.filter(user_id=uid).values_list("opportunity_id")
        return sorted({pk for (pk,) in rows})

    ids = memo(("pipeline.on_team", uid), on_team)  # once per request: the board asks twice
    if not ids:
        return None
    qs = filtered(Opportunity.objects.filter(pk__in=ids), f).exclude(owner_id=uid)
    if scope.all_units:
        return qs.filter(owner_unit__isnull=True)
    if scope.unit_ids:
        return qs.exclude(owner_unit_id__in=sorted(scope.unit_ids))
    return qs


def grouped(
    *,
    user: Any,
    filters: OpportunityFilters,
    by: tuple[str, ...],
    queryset: QuerySet[Opportunity] | None = None,
) -> list[dict[str, Any]]:
    """Count, amount and weighted amount of the list ``filters`` gives ``user``, per ``by``
    (``currency``, ``stage_id``): from the rollup where it answers the filters
    (``pipeline.rollup``), else from the deals (``queryset``, the list itself, when given)."""
    if not rollup.answers(filters):
        return _summed(
            queryset if queryset is not None else opportunity_list(user=user, filters=filters), by
        )
    f = filters
    rows = [
        {
            **{k: r[k] for k in by},
            "count": r["count"],
            "amount": (Decimal(r["amount_sum"] or 0) / 100).quantize(CENT),
            "weighted": (Decimal(r["weighted_sum"] or 0) / 100).quantize(CENT),
        }
        for r in rollup.sums(
            scope=scope_for(user),
            status=f.status if f.status in rules.Status.values else None,
            stages=f.stages,
            owner=f.owner,
            units=descendants(unit_parents(), [f.team]) if f.team else None,
            by=by,
        )
    ]
    extra = _team_only(user, f)
    if extra is not None:
        rows += _summed(extra, by)
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        key = tuple(r[k] for k in by)
        if key in merged:
            for k in ("count", "amount", "weighted"):
                merged[key][k] += r[k]
        else:
            merged[key] = r
    return list(merged.values())


def totals(qs: QuerySet[Opportunity]) -> Totals:
    """Count, amount and weighted amount of a filtered list, per currency (one query)."""
    return _totals(_summed(qs, ("currency",)))


def totals_for(
    *, user: Any, filters: OpportunityFilters, queryset: QuerySet[Opportunity] | None = None
) -> Totals:
    """The totals of the list ``filters`` gives ``user`` (``grouped``: from the rollup where it
    can)."""
    return _totals(grouped(user=user, filters=filters, by=("currency",), queryset=queryset))


def count_for(*, user: Any, filters: OpportunityFilters, queryset: QuerySet[Opportunity]) -> int:
    """How many deals the list has: from the rollup where it answers, else ``count()``."""
    if rollup.answers(filters):
        return totals_for(user=user, filters=filters).count
    return queryset.count()


def _totals(by: list[dict[str, Any]]) -> Totals:
    by = [r for r in by if r["count"]]
    by.sort(key=lambda r: (r["currency"] != rules.Currency.CNY, r["currency"]))
    return Totals(count=sum(r["count"] for r in by), by_currency=by)


@dataclass
class BoardColumn:
    stage: Stage
    count: int
    amount: Decimal
    weighted: Decimal  # yuan only
    cards: list[Any]  # opportunities, or ``cards.Card`` values
    foreign: int = 0  # deals in other currencies, counted but not in the sums


def board(
    *,
    user: Any,
    filters: OpportunityFilters | None = None,
    per_column: int = 30,
    as_cards: bool = False,
) -> list[BoardColumn]:
    """Deals at work by stage: open ones, and in the last stage (implementation) the won ones
    being delivered. Per column the count and the sums in yuan (one grouped query per status;
    deals in other currencies are counted apart, never added to yuan) and the first cards by
    signing date (one query per stage: the playbook has a handful), as opportunities or, with
    ``as_cards``, as plain values (``cards.Card``, what the board page renders)."""

    def load(qs: QuerySet[Opportunity]) -> list[Any]:
        return card_values(qs) if as_cards else list(qs)

    f = replace(filters or OpportunityFilters(), status="")  # the caller's filters stay
    stages = list(Stage.objects.order_by("order"))
    last = stages[-1].pk if stages else None
    base = opportunity_list(user=user, filters=f)
    sums: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"count": 0, "amount": Decimal(0), "weighted": Decimal(0), "foreign": 0}
    )
    # sums per stage and currency (the rollup where it answers): open deals, and won deals in
    # implementation
    at_work = [(replace(f, status=rules.Status.OPEN), base.filter(status=rules.Status.OPEN))]
    if last is not None and (not f.stages or last in f.stages):
        won = base.filter(status=rules.Status.WON, stage_id=last)
        at_work.append((replace(f, status=rules.Status.WON, stages=[last]), won))
    rows = [
        r
        for part, deals in at_work
        for r in grouped(user=user, filters=part, by=("stage_id", "currency"), queryset=deals)
    ]
    for r in rows:
        col = sums[r["stage_id"]]
        col["count"] += r["count"]
        if r["currency"] == rules.Currency.CNY:
            col["amount"] += r["amount"]
            col["weighted"] += r["weighted"]
        else:
            col["foreign"] += r["count"]
    columns = []
    for stage in stages:
        s = sums[stage.pk]
        # status and stage as equalities: the (status, stage, signing) index gives the first
        # cards without sorting the column
        cards = load(
            base.filter(stage_id=stage.pk, status=rules.Status.OPEN).order_by(
                "expected_signing", "id"
            )[:per_column]
        )
        if stage.pk == last and len(cards) < per_column:
            cards += load(
                base.filter(stage_id=stage.pk, status=rules.Status.WON).order_by(
                    "expected_signing", "id"
                )[: per_column - len(cards)]
            )
        columns.append(
            BoardColumn(
                stage=stage,
                count=s["count"],
                amount=s["amount"].quantize(Decimal("0.01")),
                weighted=s["weighted"].quantize(Decimal("0.01")),
                cards=cards,
                foreign=s["foreign"],
            )
        )
    return columns
