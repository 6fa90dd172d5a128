"""Pipeline reads: the list's filters, sorts and totals, health flags (SQL and Python agree),
the board, time in stage from transitions, the power map, conversion, and a fixed number of
queries whatever the number of opportunities."""

import importlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from keyaccount.contacts.models import Contact
from keyaccount.contacts.services import contact_create
from keyaccount.core import pinyin
from keyaccount.customers.models import Customer
from keyaccount.org.models import Industry, Region
from keyaccount.pipeline import aggregates, rules, selectors, services
from keyaccount.pipeline.forms_detail import CompetitorForm, LoseForm
from keyaccount.pipeline.models import Competitor, LossReason, Opportunity, StageTransition
from keyaccount.pipeline.selectors import OpportunityFilters
from keyaccount.process.models import Stage
from tests.api_support import Api
from tests.core.html_forms import form_data, submit
from tests.pipeline_support import (
    advance_to,
    high_risk_scores,
    make_opportunity,
    registered_customer,
    satisfy_stage,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def stage(order: int) -> Stage:
    return Stage.objects.get(order=order)


def place(customer: Customer, *, region: str, industry: str, grade: str, short: str = "") -> None:
    """Test setup: put a customer in a region and industry with a grade (the customers app's
    own services and tests cover how these are set)."""
    Customer.objects.filter(pk=customer.pk).update(
        region=Region.objects.get(code=region),
        industry=Industry.objects.get(code=industry),
        grade=grade,
        short_name=short,
    )
    customer.refresh_from_db()


@dataclass
class Book:
    a: Opportunity  # kam, 江苏 grid A, stage 1, 1 000 000 CNY, +30 days
    b: Opportunity  # kam, 江苏 grid A, stage 2, 2 000 000 CNY, +60 days, SCADA
    c: Opportunity  # colleague, 浙江 bank (no grade), stage 1, 500 000 USD, +90 days
    d: Opportunity  # north_kam, 河北 generation B, stage 1, 8 000 000 CNY, +200 days, high risk
    lost: Opportunity  # kam, 江苏 grid A, lost, 300 000 CNY

    def names(self, opps) -> list[str]:
        by_pk = {getattr(self, k).pk: k for k in ("a", "b", "c", "d", "lost")}
        return [by_pk[o.pk] for o in opps]


@pytest.fixture
def book(cast) -> Book:
    today = timezone.localdate()
    js = registered_customer(owner=cast.kam, assistant=cast.assistant, name="江苏省电力公司")
    place(js, region="CN-JS", industry="power-grid", grade="A", short="苏电")
    zj = registered_customer(
        owner=cast.colleague, assistant=cast.assistant, name="浙江商业银行", contacts=0
    )
    place(zj, region="CN-ZJ", industry="banking", grade="")
    hb = registered_customer(
        owner=cast.north_kam, assistant=cast.assistant, name="河北发电集团", contacts=0
    )
    place(hb, region="CN-HE", industry="power-generation", grade="B")
    a = make_opportunity(
        owner=cast.kam, customer=js, name="调度系统", amount=Decimal(1_000_000),
        signing=today + timedelta(days=30),
    )  # fmt: skip
    b = make_opportunity(
        owner=cast.kam, customer=js, name="配网自动化", amount=Decimal(2_000_000),
        signing=today + timedelta(days=60), products="SCADA 主站",
    )  # fmt: skip
    advance_to(b, actor=cast.kam, stage_order=2)
    c = make_opportunity(
        owner=cast.colleague, customer=zj, name="核心系统", amount=Decimal(500_000),
        signing=today + timedelta(days=90), currency=rules.Currency.USD,
    )  # fmt: skip
    d = make_opportunity(
        owner=cast.north_kam, customer=hb, name="电厂改造", amount=Decimal(8_000_000),
        signing=today + timedelta(days=200),
    )  # fmt: skip
    services.risk_assess(
        actor=cast.north_kam, opportunity=d, assessed_on=today, scores=high_risk_scores()
    )
    lost = make_opportunity(
        owner=cast.kam, customer=js, name="旧项目", amount=Decimal(300_000),
        signing=today + timedelta(days=10),
    )  # fmt: skip
    services.opportunity_lose(
        actor=cast.kam, opportunity=lost, loss_reason=price(), winner=None, lessons="价格"
    )
    return Book(*(Opportunity.objects.get(pk=o.pk) for o in (a, b, c, d, lost)))


def price() -> LossReason:
    return LossReason.objects.get(code="price")


def listed(user, **filters) -> list[Opportunity]:
    return list(selectors.opportunity_list(user=user, filters=OpportunityFilters(**filters)))


# --- filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"a", "b", "c", "d"}),
        ({"status": ""}, {"a", "b", "c", "d", "lost"}),
        ({"status": "lost"}, {"lost"}),
        ({"status": "won"}, set()),
        ({"q": "配网"}, {"b"}),
        ({"q": "江苏省"}, {"a", "b"}),  # customer name
        ({"q": "苏电"}, {"a", "b"}),  # customer short name
        ({"q": "scada"}, {"b"}),  # products, case-insensitive
        ({"q": "hbfd"}, {"d"}),  # pinyin initials of 河北发电集团
        ({"q": "没有这个"}, set()),
        ({"owner": "kam"}, {"a", "b"}),
        ({"team": "east"}, {"a", "b", "c"}),
        ({"team": "north"}, {"d"}),
        ({"team": "ka_dept"}, {"a", "b", "c", "d"}),
        ({"region": "CN-JS"}, {"a", "b"}),
        ({"region": "east_china"}, {"a", "b", "c"}),  # the sales region holding 江苏 and 浙江
        ({"industry": "power-grid"}, {"a", "b"}),
        ({"industry": "power"}, {"a", "b", "d"}),  # the parent industry
        ({"grades": ["A"]}, {"a", "b"}),
        ({"grades": ["B", "none"]}, {"c", "d"}),
        ({"customer": "js"}, {"a", "b"}),
        ({"signing_from": 31}, {"b", "c", "d"}),
        ({"signing_to": 60}, {"a", "b"}),
        ({"signing_from": 60, "signing_to": 90}, {"b", "c"}),
        ({"amount_min": Decimal(1_000_000)}, {"a", "b", "d"}),
        ({"amount_max": Decimal(1_000_000)}, {"a", "c"}),
        ({"amount_min": Decimal(600_000), "amount_max": Decimal(2_000_000)}, {"a", "b"}),
        ({"min_amount_major": Decimal(5_000_000)}, {"d"}),
        ({"risk": "high"}, {"d"}),
        ({"risk": "low"}, {"b"}),  # advance_to filled a low-risk form on the way
        ({"risk": "nonsense"}, {"a", "b", "c", "d"}),
        ({"health": ["risk_pending"]}, {"d"}),
        ({"health": ["not_a_flag"]}, {"a", "b", "c", "d"}),
        ({"stages": "2"}, {"b"}),
        ({"stages": "1"}, {"a", "c", "d"}),
    ],
)
def test_each_filter(cast, book, filters, expected):
    today = timezone.localdate()
    resolved = dict(filters)
    if "owner" in resolved:
        resolved["owner"] = getattr(cast, resolved["owner"]).pk
    if "team" in resolved:
        resolved["team"] = getattr(cast, resolved["team"]).pk
    if "region" in resolved:
        code = resolved["region"]
        region = Region.objects.get(code="CN-JS").parent if code == "east_china" else None
        resolved["region"] = (region or Region.objects.get(code=code)).pk
    if "industry" in resolved:
        resolved["industry"] = Industry.objects.get(code=resolved["industry"]).pk
    if "customer" in resolved:
        resolved["customer"] = book.a.customer_id
    for key in ("signing_from", "signing_to"):
        if key in resolved:
            resolved[key] = today + timedelta(days=resolved[key])
    if "stages" in resolved:
        resolved["stages"] = [stage(int(resolved["stages"])).pk]
    assert set(book.names(listed(cast.admin, **resolved))) == expected


def test_filters_never_widen_what_the_user_sees(cast, book):
    assert book.names(listed(cast.kam, status="")) == ["lost", "a", "b"]
    assert book.names(listed(cast.kam, team=cast.ka_dept.pk)) == ["a", "b"]
    assert listed(cast.outsider, status="") == []
    assert book.names(listed(cast.team_lead, q="")) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("signing", ["a", "b", "c", "d"]),
        ("-signing", ["d", "c", "b", "a"]),
        ("amount", ["c", "a", "b", "d"]),
        ("-amount", ["d", "b", "a", "c"]),
        # weighted: a 100 000 (10 %), b 500 000 (25 %), c 50 000 USD, d 800 000
        ("weighted", ["c", "a", "b", "d"]),
        ("-weighted", ["d", "b", "a", "c"]),
        ("stage", ["a", "c", "d", "b"]),
        ("-stage", ["b", "a", "c", "d"]),
        ("customer", None),
        ("name", None),
        ("age", None),
        ("-updated", None),
        ("no-such-sort", ["a", "b", "c", "d"]),
    ],
)
def test_sorting(cast, book, sort, expected):
    opps = listed(cast.admin, sort=sort)
    if expected is None:
        keys = {
            "customer": lambda o: (o.customer.name, o.pk),
            "name": lambda o: (o.name, o.pk),
            "age": lambda o: (o.stage_entered_at, o.pk),
            "-updated": lambda o: (o.updated_at, o.pk),
        }
        expected_order = sorted(opps, key=keys[sort], reverse=sort.startswith("-"))
        assert [o.pk for o in opps] == [o.pk for o in expected_order]
        assert len(opps) == 4
    else:
        assert book.names(opps) == expected


def test_rows_carry_the_probability_and_weighted_amount(cast, book):
    services.opportunity_update(
        actor=cast.kam,
        opportunity=book.a,
        data={
            "amount": Decimal("333.33"),
            "probability_override": 33,
            "probability_reason": "客户预算有限",
        },
        expected_version=book.a.version,
    )
    rows = {o.pk: o for o in listed(cast.admin)}
    for o in rows.values():
        assert o.prob == o.probability
        assert o.weighted == rules.weighted_amount(o.amount, o.prob)
    assert rows[book.a.pk].weighted == Decimal("110.00")  # 109.9989
    assert rows[book.b.pk].prob == 25


# --- totals ---------------------------------------------------------------------------------


def test_totals_per_currency_cny_first(cast, book):
    t = aggregates.totals(selectors.opportunity_list(user=cast.admin))
    assert t.count == 4
    assert t.by_currency == [
        {
            "currency": "CNY",
            "count": 3,
            "amount": Decimal("11000000.00"),
            "weighted": Decimal("1400000.00"),
        },
        {
            "currency": "USD",
            "count": 1,
            "amount": Decimal("500000.00"),
            "weighted": Decimal("50000.00"),
        },
    ]
    assert t.cny["amount"] == Decimal("11000000.00")
    only_usd = aggregates.totals(
        selectors.opportunity_list(user=cast.admin, filters=OpportunityFilters(q="核心"))
    )
    assert only_usd.cny == {"currency": "CNY", "count": 0, "amount": 0, "weighted": 0}
    nothing = aggregates.totals(selectors.opportunity_list(user=cast.outsider))
    assert (nothing.count, nothing.by_currency) == (0, [])


# --- health ---------------------------------------------------------------------------------


def test_health_flags_agree_in_sql_and_python(cast, book):
    now = timezone.now()
    today = timezone.localdate()
    norm = stage(1).norm_days
    # a: longer in stage 1 than its norm; c: signing date passed; b: slipped once
    Opportunity.objects.filter(pk=book.a.pk).update(
        stage_entered_at=now - timedelta(days=norm, hours=1)
    )
    Opportunity.objects.filter(pk=book.c.pk).update(expected_signing=today - timedelta(days=1))
    b = Opportunity.objects.get(pk=book.b.pk)
    services.opportunity_update(
        actor=cast.kam,
        opportunity=b,
        data={"expected_signing": b.expected_signing + timedelta(days=20)},
        expected_version=b.version,
    )
    # the lost deal is past its signing date and over the norm, but closed: no such flags
    Opportunity.objects.filter(pk=book.lost.pk).update(
        expected_signing=today - timedelta(days=5),
        stage_entered_at=now - timedelta(days=norm * 3),
        signing_slips=2,
    )
    everything = listed(cast.admin, status="")
    norms = dict(selectors.stage_norms())
    python = {o.pk: set(selectors.health_flags(o, norms, timezone.now())) for o in everything}
    expected = {
        "overdue_stage": {"a"},
        "past_signing": {"c"},
        "risk_pending": {"d"},
        "high_risk": {"d"},
        "slipped": {"b", "lost"},
    }
    for flag in rules.Health:
        in_sql = set(book.names(listed(cast.admin, status="", health=[flag.value])))
        in_python = set(book.names(o for o in everything if flag.value in python[o.pk]))
        assert in_sql == in_python == expected[flag.value], flag
    assert set(book.names(listed(cast.admin, health=["risk_pending", "high_risk"]))) == {"d"}
    assert listed(cast.admin, health=["risk_pending", "slipped"]) == []


def test_a_decided_high_risk_stays_high_but_no_longer_pending(cast, book):
    assessment = book.d.risk_assessments.get()
    services.risk_decide(
        actor=cast.director, assessment=assessment, decision="continue", reason="战略客户"
    )
    d = Opportunity.objects.get(pk=book.d.pk)
    assert selectors.health_flags(d, dict(selectors.stage_norms()), timezone.now()) == ["high_risk"]
    assert listed(cast.admin, health=["risk_pending"]) == []


def test_just_inside_the_stage_norm_is_not_overdue(cast, book):
    norm = stage(1).norm_days
    Opportunity.objects.filter(pk=book.a.pk).update(
        stage_entered_at=timezone.now() - timedelta(days=norm) + timedelta(minutes=5)
    )
    a = Opportunity.objects.get(pk=book.a.pk)
    assert "overdue_stage" not in selectors.health_flags(
        a, dict(selectors.stage_norms()), timezone.now()
    )
    assert book.a.pk not in {o.pk for o in listed(cast.admin, health=["overdue_stage"])}


# --- the board ------------------------------------------------------------------------------


def test_board_columns_sum_each_stage_and_limit_cards(cast, book):
    filters = OpportunityFilters(status="", sort="-amount")
    columns = aggregates.board(user=cast.admin, filters=filters, per_column=2)
    assert filters.status == ""  # the caller's filters are left alone
    assert [c.stage.order for c in columns] == [1, 2, 3, 4, 5, 6]
    first, second = columns[0], columns[1]
    # a + d in yuan; c (USD) counted apart, never added to yuan; the lost deal is not on the board
    assert (first.count, first.foreign, first.amount) == (3, 1, Decimal("9000000.00"))
    assert first.weighted == Decimal("900000.00")
    assert book.names(first.cards) == ["a", "c"]  # first two by signing date
    assert (second.count, second.amount, second.weighted) == (1, Decimal(2_000_000), 500_000)
    assert book.names(second.cards) == ["b"]
    assert all((c.count, c.cards) == (0, []) for c in columns[2:])
    mine = aggregates.board(user=cast.north_kam)
    assert [c.count for c in mine] == [1, 0, 0, 0, 0, 0]


def test_the_board_shows_won_deals_in_implementation_but_not_other_closed_ones(cast):
    customer = registered_customer(
        owner=cast.kam, assistant=cast.assistant, name="看板电网有限公司"
    )
    won = make_opportunity(owner=cast.kam, customer=customer, name="已签约项目")
    advance_to(won, actor=cast.kam, stage_order=5)
    satisfy_stage(won, actor=cast.kam)
    services.opportunity_win(
        actor=cast.kam,
        opportunity=won,
        contract_number="HT-BOARD-1",
        signed_amount=Decimal("1000000"),
        signed_on=timezone.localdate(),
    )
    gone = make_opportunity(owner=cast.kam, customer=customer, name="放弃项目")
    services.opportunity_abandon(actor=cast.kam, opportunity=gone, reason="客户取消")
    columns = aggregates.board(user=cast.kam)
    assert [c.count for c in columns] == [0, 0, 0, 0, 0, 1]
    assert [o.name for o in columns[-1].cards] == ["已签约项目"]


# --- time in stage, power map, conversion ---------------------------------------------------


def test_stage_durations_from_transitions(cast):
    customer = registered_customer(owner=cast.kam, assistant=cast.assistant, contacts=0)
    t0 = timezone.now() - timedelta(days=40)
    opp = services.opportunity_create(
        actor=cast.kam,
        customer=customer,
        data={
            "name": "时长测试",
            "amount": Decimal(100),
            "expected_signing": timezone.localdate() + timedelta(days=30),
        },
        at=t0,
    )

    def move(days, **kw):
        services.opportunity_move(
            actor=cast.director, opportunity=opp, override=True, reason="测试",
            at=t0 + timedelta(days=days), **kw,
        )  # fmt: skip

    move(2)  # step
    move(3)  # step
    move(10)  # → stage 2
    move(15, forward=False, to_stage=stage(1))
    for days in (16, 17, 20):  # three steps again, the last one advances
        move(days)
    now = t0 + timedelta(days=30)
    visits = selectors.stage_durations(selectors.transitions(opp), now)
    assert [(v["stage"].order, v["days"]) for v in visits] == [(1, 10), (2, 5), (1, 5), (2, 10)]
    assert visits[0]["start"] == t0
    services.opportunity_lose(
        actor=cast.kam,
        opportunity=opp,
        loss_reason=price(),
        winner=None,
        lessons="预算取消",
        at=t0 + timedelta(days=25),
    )
    visits = selectors.stage_durations(selectors.transitions(opp), now + timedelta(days=100))
    assert [(v["stage"].order, v["days"]) for v in visits] == [(1, 10), (2, 5), (1, 5), (2, 5)]


def test_stage_durations_restart_on_reopen(cast):
    s1, s2 = stage(1), stage(2)
    t0 = timezone.now() - timedelta(days=100)

    def row(kind, to, days):
        return StageTransition(kind=kind, to_stage=to, at=t0 + timedelta(days=days))

    rows = [
        row("created", s1, 0),
        row("step", s1, 1),
        row("abandoned", s1, 4),
        row("reopened", s1, 50),
        row("step", s1, 52),
        row("advance", s2, 60),
    ]
    visits = selectors.stage_durations(rows, t0 + timedelta(days=70))
    assert [(v["stage"], v["days"]) for v in visits] == [(s1, 4), (s1, 10), (s2, 10)]
    assert selectors.stage_durations([], timezone.now()) == []


def test_power_map_draws_the_org_chart_with_this_deals_roles(cast):
    customer = registered_customer(owner=cast.kam, assistant=cast.assistant, contacts=3)
    boss, one, two = customer.contacts.order_by("id")
    deep = contact_create(
        actor=cast.kam, customer=customer, data={"name": "工程师", "reports_to": one}
    )
    opp = make_opportunity(owner=cast.kam, customer=customer)
    other = make_opportunity(owner=cast.kam, customer=customer, name="另一个项目")
    services.buying_role_set(
        actor=cast.kam,
        opportunity=opp,
        contact=boss,
        data={"role": "decision_maker", "influence": "high", "attitude": "supporter"},
    )
    services.buying_role_set(
        actor=cast.kam,
        opportunity=opp,
        contact=deep,
        data={"role": "technical_evaluator", "influence": "medium", "attitude": "opponent"},
    )
    services.buying_role_set(
        actor=cast.kam,
        opportunity=other,
        contact=boss,
        data={"role": "gatekeeper", "influence": "low", "attitude": "neutral"},
    )
    pm = selectors.power_map(opp)
    assert (pm["contacts"], pm["involved"]) == (4, 2)
    (root,) = pm["roots"]
    assert (root["id"], root["role"], root["role_label"], root["attitude"], root["influence"]) == (
        boss.pk,
        "decision_maker",
        "Decision maker",
        "supporter",
        "high",
    )
    assert root["involved"] is True
    by_id = {c["id"]: c for c in root["children"]}
    assert set(by_id) == {one.pk, two.pk}
    assert (by_id[two.pk]["involved"], by_id[two.pk]["role"], by_id[two.pk]["children"]) == (
        False,
        "",
        [],
    )
    (engineer,) = by_id[one.pk]["children"]
    assert (engineer["id"], engineer["attitude_label"], engineer["influence_label"]) == (
        deep.pk,
        "Opponent",
        "Medium",
    )
    assert selectors.power_map(other)["roots"][0]["role"] == "gatekeeper"


def ids_in(nodes) -> list[int]:
    out: list[int] = []
    for n in nodes:
        out.append(n["id"])
        out.extend(ids_in(n["children"]))
    return out


def test_power_map_survives_reporting_loops_and_lines_to_other_customers(cast):
    customer = registered_customer(owner=cast.kam, assistant=cast.assistant, contacts=2)
    elsewhere = registered_customer(
        owner=cast.kam, assistant=cast.assistant, name="外单位有限公司", contacts=1
    )
    boss, deputy = customer.contacts.order_by("id")
    x = contact_create(actor=cast.kam, customer=customer, data={"name": "甲"})
    y = contact_create(actor=cast.kam, customer=customer, data={"name": "乙"})
    z = contact_create(actor=cast.kam, customer=customer, data={"name": "丙"})
    # data written around the services: a loop 甲 → 乙 → 丙 → 甲, and a line to another customer
    Contact.objects.filter(pk=x.pk).update(reports_to=z)
    Contact.objects.filter(pk=y.pk).update(reports_to=x)
    Contact.objects.filter(pk=z.pk).update(reports_to=y)
    Contact.objects.filter(pk=deputy.pk).update(reports_to=elsewhere.contacts.get())
    opp = make_opportunity(owner=cast.kam, customer=customer)
    pm = selectors.power_map(opp)
    drawn = ids_in(pm["roots"])
    assert sorted(drawn) == sorted([boss.pk, deputy.pk, x.pk, y.pk, z.pk])  # each exactly once
    assert pm["contacts"] == 5


def test_conversion_counts_deals_that_entered_each_stage(cast, book):
    rows = selectors.conversion(user=cast.admin)
    assert [(r["stage"].order, r["entered"]) for r in rows] == [
        (1, 5),
        (2, 1),
        (3, 0),
        (4, 0),
        (5, 0),
        (6, 0),
    ]
    services.opportunity_move(
        actor=cast.kam, opportunity=book.b, forward=False, to_stage=stage(1), reason="重新立项"
    )
    advance_to(book.b, actor=cast.kam, stage_order=2)
    assert selectors.conversion(user=cast.admin)[1]["entered"] == 1  # distinct deals
    assert [r["entered"] for r in selectors.conversion(user=cast.north_kam)][:2] == [1, 0]
    assert all(r["entered"] == 0 for r in selectors.conversion(user=cast.outsider))


# --- a fixed number of queries --------------------------------------------------------------


def fill(cast, n: int) -> None:
    customer = registered_customer(
        owner=cast.kam, assistant=cast.assistant, name=f"批量客户{n}有限公司", contacts=0
    )
    today = timezone.localdate()
    for i in range(n):
        make_opportunity(
            owner=cast.kam,
            customer=customer,
            name=f"项目{i}",
            amount=Decimal(1000 + i),
            signing=today + timedelta(days=i % 40 + 1),
            currency=rules.Currency.USD if i % 3 == 0 else rules.Currency.CNY,
        )


def count_reads(user) -> tuple[int, int, int]:
    filters = OpportunityFilters(health=["overdue_stage"], q="项目", sort="-weighted")
    norms = dict(selectors.stage_norms())
    now = timezone.now()
    with CaptureQueriesContext(connection) as listing:
        rows = list(selectors.opportunity_list(user=user, filters=OpportunityFilters(sort="stage")))
        for o in rows:
            assert o.customer.name and o.owner.username and o.stage.code
            assert o.step is None or o.step.code
            selectors.health_flags(o, norms, now)
    with CaptureQueriesContext(connection) as totalling:
        aggregates.totals(selectors.opportunity_list(user=user, filters=filters))
    with CaptureQueriesContext(connection) as boarding:
        for column in aggregates.board(user=user, filters=filters):
            for card in column.cards:
                assert card.customer.name and card.owner.username and card.stage.code
    return len(listing), len(totalling), len(boarding)


@pytest.mark.parametrize("role", ["kam", "team_lead", "director"])
def test_list_totals_and_board_take_the_same_queries_for_3_or_30_deals(cast, role):
    user = getattr(cast, role)
    fill(cast, 3)
    few = count_reads(user)
    fill(cast, 27)
    assert Opportunity.objects.count() == 30
    many = count_reads(user)
    assert few == many
    listing, totalling, boarding = many
    # the user's scope (at most 3), the stage norms for a health filter (1), the customers the
    # search finds (1), then: the list (1); the totals (1); the board's stages (1), its sums
    # (2: open deals; won deals in implementation), one card query per stage and one more for
    # the won cards of the last
    stages = Stage.objects.count()
    assert listing <= 3 + 1
    assert totalling <= 3 + 1 + 1 + 1
    assert boarding <= 3 + 1 + 1 + 1 + 2 + stages + 1


# --- by pinyin (issue 8 §4) -----------------------------------------------------------------


def test_the_list_finds_a_customers_deals_by_full_pinyin_initials_or_mixed_input(cast, book):
    for q in ("hebeifadian", "HeBei FaDian", "hbfd", "河北fadian", "fadianjituan"):
        assert set(book.names(listed(cast.director, q=q))) == {"d"}, q
    assert set(book.names(listed(cast.director, q="jiangsu"))) == {"a", "b"}
    assert set(book.names(listed(cast.director, q="zhejiang"))) == {"c"}
    # characters alone match the names, not their sound: 河 (hé) is no 合 or 核
    assert set(book.names(listed(cast.director, q="合"))) == set()
    assert set(book.names(listed(cast.kam, q="zhejiang"))) == set()  # not the kam's to see


def test_owners_and_the_customers_a_deal_opens_on_are_listed_by_pinyin(cast, book):
    for role, name in (("kam", "张伟"), ("colleague", "李娜"), ("north_kam", "阿依古丽")):
        user = getattr(cast, role)
        user.display_name = name
        user.save()
    owners = selectors.owners_for_filter(user=cast.director)
    assert [u.display_name for u in owners] == ["阿依古丽", "李娜", "张伟"]  # ā, lǐ, zhāng
    registered_customer(owner=cast.kam, assistant=cast.assistant, name="安徽能源集团", contacts=0)
    registered_customer(owner=cast.kam, assistant=cast.assistant, name="上海电力", contacts=0)
    picker = [c.name for c in selectors.customers_for_new_deal(user=cast.kam)]
    assert picker == ["安徽能源集团", "江苏省电力公司", "上海电力"]  # ān, jiāng, shàng


def test_the_deal_team_and_the_power_map_are_listed_by_pinyin(cast):
    customer = registered_customer(owner=cast.kam, assistant=cast.assistant, contacts=0)
    boss = contact_create(actor=cast.kam, customer=customer, data={"name": "周建"})
    for name in ("张伟", "阿依古丽", "李娜"):
        contact_create(actor=cast.kam, customer=customer, data={"name": name, "reports_to": boss})
    opp = make_opportunity(owner=cast.kam, customer=customer)
    tree = selectors.power_map(opp)["roots"][0]
    assert [c["name"] for c in tree["children"]] == ["阿依古丽", "李娜", "张伟"]
    for role, name in (("consultant", "赵强"), ("colleague", "安娜"), ("team_lead", "王芳")):
        user = getattr(cast, role)
        user.display_name = name
        user.save()
        services.member_add(actor=cast.kam, opportunity=opp, user=user, role="consultant")
    assert [m.user.display_name for m in selectors.team(opp)] == ["安娜", "王芳", "赵强"]


def test_the_competitor_catalogue_keeps_its_keys_and_lists_by_pinyin(cast, client_for):
    names = ["中软国际", "东软集团", "华为技术", "Accenture 埃森哲", "博彦科技"]
    made = {n: services.competitor_register(actor=cast.kam, name=n) for n in names}
    expected = ["Accenture 埃森哲", "博彦科技", "东软集团", "华为技术", "中软国际"]
    assert (made["东软集团"].pinyin_sort, made["东软集团"].pinyin_full) == (
        "dong1ruan3ji2tuan2",
        "dongruanjituan",
    )
    assert [c.name for c in Competitor.objects.all()] == expected
    catalogue = Api(cast.kam).get("/api/pipeline/competitors").json()
    assert [c["name"] for c in catalogue] == expected
    for form in (LoseForm(), CompetitorForm()):
        field = form.fields["winner" if isinstance(form, LoseForm) else "competitor"]
        assert [str(c) for c in field.queryset] == expected
    # renamed in the back office: the keys follow
    admin = client_for(cast.admin)
    url = f"/admin/pipeline/competitor/{made['中软国际'].pk}/change/"
    data = form_data(admin, url, "competitor_form")
    data["name"] = ["阿里云计算"]
    assert submit(admin, url, data).status_code == 302
    renamed = Competitor.objects.get(pk=made["中软国际"].pk)
    assert (renamed.pinyin_sort, renamed.pinyin_full, renamed.pinyin) == pinyin.keys("阿里云计算")
    assert Competitor.objects.first() == renamed  # ā comes first


def test_the_competitor_migration_fills_the_keys_of_old_rows(cast):
    for name in ("中软国际", "东软集团"):
        services.competitor_register(actor=cast.kam, name=name)
    Competitor.objects.update(pinyin="", pinyin_full="", pinyin_sort="")
    migration = importlib.import_module("keyaccount.pipeline.migrations.0008_fill_pinyin_keys")
    migration.forwards(django_apps, SimpleNamespace(connection=connection))
    for c in Competitor.objects.all():
        assert (c.pinyin_sort, c.pinyin_full, c.pinyin) == pinyin.keys(c.name)
    assert [c.name for c in Competitor.objects.all()] == ["东软集团", "中软国际"]
