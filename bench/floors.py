"""The real floor of a page: the best hand-written queries for the same answer.

The replayed-SQL floor (``runner``) says what the page's own statements cost; this says what
the database needs for what the page shows: the rows of the page in the page's order, the
count, the totals — with the simplest predicate that gives the same visible set (the user's
own records, or those owned in the units the user sees) and, where the product has no index
for it, an index made for the floor while it is timed (``Floor.indexes``) and dropped after.

Each entry of ``FLOORS`` (route label → factory) builds a ``Floor`` once, untimed: its
candidate statement lists (the planner may do better with the unit list looked up through an
index or tested row by row; the faster one counts), the answer they give, and the answer the
product's own selectors give, which must be the same (``runner`` checks it).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.lookups import In

from keyaccount.customers import selectors as customer_selectors
from keyaccount.customers.filters import CustomerFilters
from keyaccount.customers.models import Customer
from keyaccount.org.models import User
from keyaccount.org.selectors import scope_for
from keyaccount.pipeline import aggregates, rules, search, selectors, services
from keyaccount.pipeline.models import Opportunity, OpportunityMember
from keyaccount.process.models import Stage

PAGE = 50  # both lists and the API show 50 rows a page
Statement = tuple[str, tuple[Any, ...]]


@dataclass(frozen=True)
class Floor:
    candidates: list[list[Statement]]  # each: the statements that give the whole answer
    answer: Callable[[list[list[tuple[Any, ...]]]], Any]  # from one candidate's result rows
    expected: Any  # the same answer from the product's selectors
    indexes: dict[str, str] = field(default_factory=dict)  # name → CREATE INDEX, per vendor


def _sql(qs: QuerySet[Any]) -> Statement:
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def _visible(user: User, *, team: bool, test_rows: bool) -> Q:
    """Own records, or owned in the user's units; a deal team only where it adds rows."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    condition = Q(owner_id=scope.user_id)
    if scope.all_units:
        condition |= Q(owner_unit_id__isnull=False)
    elif scope.unit_ids and test_rows:  # "+ 0": no index lookup, a test on each row
        condition |= Q(In(F("owner_unit_id") + 0, sorted(scope.unit_ids)))
    elif scope.unit_ids:
        condition |= Q(owner_unit_id__in=sorted(scope.unit_ids))
    if team:
        on_team = OpportunityMember.objects.filter(user_id=scope.user_id).values("opportunity_id")
        extra = Opportunity.objects.filter(id__in=on_team).exclude(condition)
        if extra.exists():
            condition |= Q(id__in=on_team)
    return condition


def _variants(user: User) -> list[bool]:
    return [False, True] if scope_for(user).unit_ids else [False]


def _page(count: int, page: int) -> int:
    """The page the Paginator shows for ``?page=`` (the last one when past the end)."""
    return max(1, min(page, math.ceil(count / PAGE) or 1))


# --- deals ----------------------------------------------------------------------------------

DEAL_COLUMNS = (
    "id", "name", "amount", "currency", "weighted", "forecast_probability", "expected_signing",
    "stage_entered_at", "status", "risk_level", "risk_decision", "signing_slips", "owner_id",
    "owner_unit_id", "customer__name", "owner__display_name", "stage__name_zh", "step__name_zh",
)  # fmt: skip


def _deals(
    username: str,
    *,
    where: Q | None = None,
    status: str | None = rules.Status.OPEN,
    sort: str = "signing",
    page: int = 1,
    with_totals: bool = True,
    product: selectors.OpportunityFilters | None = None,
    indexes: dict[str, str] | None = None,
) -> Floor:
    """A deal list: the page in the list's order, and the count with the totals by currency
    (one grouped query, as the count is their sum), or only the count (the API)."""
    user = User.objects.get(username=username)
    order = selectors.SORTS[sort]
    filters = product or selectors.OpportunityFilters(status=status or "", sort=sort)
    truth = selectors.opportunity_list(user=user, filters=filters)
    count = truth.count()
    number = _page(count, page)
    window = slice((number - 1) * PAGE, number * PAGE)
    expected = (count, list(truth.values_list("id", flat=True)[window]))
    candidates = []
    for test_rows in _variants(user):
        visible = _visible(user, team=True, test_rows=test_rows)
        base = Opportunity.objects.filter(where or Q(), visible)
        if status:
            base = base.filter(status=status)
        statements = [_sql(base.order_by(*order).values_list(*DEAL_COLUMNS)[window])]
        if with_totals:
            grouped = base.order_by().values("currency")
            grouped = grouped.annotate(n=Count("id"), a=Sum("amount"), w=Sum("weighted"))
            statements.append(_sql(grouped))
        else:
            statements.append(_count_sql(base))
        candidates.append(statements)

    def answer(results: list[list[tuple[Any, ...]]]) -> Any:
        counted = results[1][0][0] if not with_totals else sum(r[1] for r in results[1])
        return (counted, [r[0] for r in results[0]])

    return Floor(candidates, answer, expected, indexes or {})


#: the best index for "one stage, by amount": the page and the predicate from the index alone
STAGE_AMOUNT = {
    "bench_floor_opp_stage_amount": "CREATE INDEX bench_floor_opp_stage_amount ON "
    "pipeline_opportunity (status, stage_id, amount, id, owner_unit_id, owner_id)"
}


def _stage_deals(username: str, page: int = 1) -> Floor:
    stage = Stage.objects.get(pk=3)
    filters = selectors.OpportunityFilters(stages=[stage.pk], sort="-amount")
    return _deals(
        username, where=Q(stage_id=stage.pk), sort="-amount", page=page, product=filters,
        indexes=STAGE_AMOUNT,
    )  # fmt: skip


def _deal_search(username: str, text: str) -> Floor:
    filters = selectors.OpportunityFilters(q=text)
    return _deals(username, where=search.matching(text), product=filters)


def _major(username: str) -> Floor:
    threshold = services.policy().major_project_amount
    user = User.objects.get(username=username)
    filters = selectors.OpportunityFilters(status="")
    truth = selectors.major_projects(user=user, filters=filters, threshold=threshold)
    floor = _deals(
        username,
        where=Q(amount__gte=threshold) & Q(status__in=[rules.Status.OPEN, rules.Status.WON]),
        status=None,
        product=filters,
    )
    expected = (truth.count(), list(truth.values_list("id", flat=True)[:PAGE]))
    return Floor(floor.candidates, floor.answer, expected)


def _board(username: str, per_column: int = 30) -> Floor:
    """Per stage the count and sums of the deals at work (one grouped query) and the first
    cards by signing date (one query per stage)."""
    user = User.objects.get(username=username)
    stages = list(Stage.objects.order_by("order"))
    columns = aggregates.board(user=user, per_column=per_column)
    expected = [(c.stage.pk, c.count, [o.pk for o in c.cards]) for c in columns]
    at_work = Q(status=rules.Status.OPEN) | Q(status=rules.Status.WON, stage_id=stages[-1].pk)
    candidates = []
    for test_rows in _variants(user):
        base = Opportunity.objects.filter(_visible(user, team=True, test_rows=test_rows))
        sums = base.filter(at_work).order_by().values("stage_id", "currency")
        sums = sums.annotate(n=Count("id"), a=Sum("amount"), w=Sum("weighted"))
        statements = [_sql(sums)]
        for stage in stages:
            statuses = [rules.Status.OPEN] + ([rules.Status.WON] if stage is stages[-1] else [])
            for status in statuses:
                cards = base.filter(stage_id=stage.pk, status=status)
                cards = cards.order_by("expected_signing", "id").values_list(*DEAL_COLUMNS)
                statements.append(_sql(cards[:per_column]))
        candidates.append(statements)

    def answer(results: list[list[tuple[Any, ...]]]) -> Any:
        counts: dict[int, int] = {}
        for row in results[0]:
            counts[row[0]] = counts.get(row[0], 0) + row[2]
        cards = iter(results[1:])
        out = []
        for stage in stages:
            ids = [r[0] for r in next(cards)]
            if stage is stages[-1]:
                ids = (ids + [r[0] for r in next(cards)])[:per_column]
            out.append((stage.pk, counts.get(stage.pk, 0), ids))
        return out

    return Floor(candidates, answer, expected)


# --- customers ------------------------------------------------------------------------------

CUSTOMER_COLUMNS = (
    "id", "name", "short_name", "status", "grade", "score", "revenue", "updated_at", "owner_id",
    "region__name_zh", "industry__name_zh", "owner__display_name", "owner__unit__name",
)  # fmt: skip


def _customers(
    username: str,
    *,
    where: Q | None = None,
    page: int = 1,
    product: CustomerFilters | None = None,
    indexes: dict[str, str] | None = None,
) -> Floor:
    """A customer list: the page in the list's order and the count."""
    user = User.objects.get(username=username)
    filters = product or CustomerFilters()
    truth = customer_selectors.customer_list(user=user, filters=filters)
    count = truth.count()
    number = _page(count, page)
    window = slice((number - 1) * PAGE, number * PAGE)
    expected = (count, list(truth.values_list("id", flat=True)[window]))
    order = customer_selectors.SORTS[filters.sort]
    candidates = []
    for test_rows in _variants(user):
        visible = _visible(user, team=False, test_rows=test_rows)
        base = Customer.objects.filter(where or Q(), visible)
        page_rows = base.order_by(*order).values_list(*CUSTOMER_COLUMNS)[window]
        candidates.append([_sql(page_rows), _count_sql(base)])

    def answer(results: list[list[tuple[Any, ...]]]) -> Any:
        return (results[1][0][0], [r[0] for r in results[0]])

    return Floor(candidates, answer, expected, indexes or {})


def _count_sql(qs: QuerySet[Any]) -> Statement:
    inner, params = _sql(qs.order_by().values("pk"))
    return f"SELECT COUNT(*) FROM ({inner}) counted", params  # noqa: S608 (the ORM's SQL)


def _graded(username: str, page: int = 1) -> Floor:
    filters = CustomerFilters(grades=["A"], sort="-score")
    desc = "score DESC NULLS LAST" if connection.vendor == "postgresql" else "score DESC"
    index = {
        "bench_floor_customer_grade_score": "CREATE INDEX bench_floor_customer_grade_score ON "
        f"customers_customer (grade, {desc}, id, owner_unit_id, owner_id)"
    }
    return _customers(username, where=Q(grade__in=["A"]), page=page, product=filters, indexes=index)


def _customer_search(username: str, text: str) -> Floor:
    filters = CustomerFilters(q=text)
    return _customers(username, where=customer_selectors.matching(text), product=filters)


def _api_deals(username: str) -> Floor:
    """The API's first 50 open deals by signing date and the count (no totals)."""
    return _deals(username, with_totals=False)


HEAD, KAM = "zhou.jian", "liu.yang"
FLOORS: dict[str, Callable[[], Floor]] = {
    "GET /pipeline/ (list, head)": lambda: _deals(HEAD),
    "GET /pipeline/ (list, KAM)": lambda: _deals(KAM),
    "GET /pipeline/?page=100 (head)": lambda: _deals(HEAD, page=100),
    "GET /pipeline/?page=100 (KAM)": lambda: _deals(KAM, page=100),
    "GET /pipeline/?stage=3&sort=-amount": lambda: _stage_deals(HEAD),
    "GET /pipeline/?stage=3&sort=-amount&page=100": lambda: _stage_deals(HEAD, page=100),
    "GET /pipeline/?stage=3&sort=-amount (KAM)": lambda: _stage_deals(KAM),
    "GET /pipeline/?q=… (full pinyin)": lambda: _deal_search(HEAD, "jiangsu"),
    "GET /pipeline/board/ (head)": lambda: _board(HEAD),
    "GET /pipeline/major/ (head)": lambda: _major(HEAD),
    "GET /customers/ (KA list, head)": lambda: _customers(HEAD),
    "GET /customers/ (KA list, KAM)": lambda: _customers(KAM),
    "GET /customers/?page=100 (head)": lambda: _customers(HEAD, page=100),
    "GET /customers/?sort=name (by pinyin)": lambda: _customers(HEAD),
    "GET /customers/?grade=A&sort=-score": lambda: _graded(HEAD),
    "GET /customers/?grade=A&sort=-score&page=100": lambda: _graded(HEAD, page=100),
    "GET /customers/?grade=A&sort=-score (KAM)": lambda: _graded(KAM),
    "GET /customers/?q=… (search, head)": lambda: _customer_search(HEAD, "jsdw"),
    "GET /customers/?q=… (full pinyin)": lambda: _customer_search(HEAD, "jiangsu"),
    "GET /api/pipeline/opportunities": lambda: _api_deals(HEAD),
}
