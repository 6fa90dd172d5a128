"""The pipeline's list pages and the editing of opportunities: the list (filters, sorting,
totals, pagination, htmx fragment, Excel export), the board, the major-project list, the short
create form, the edit form (stale edits refused naming who) and handing a deal over; and the
customer page's opportunities tab. Records are made through the services."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from keyaccount.customers.models import Customer
from keyaccount.pipeline import services
from keyaccount.pipeline.forecast import refresh_forecast
from keyaccount.pipeline.models import ForecastChange, Opportunity, PipelinePolicy
from keyaccount.pipeline.views import lists as views
from keyaccount.process.models import Stage

from ..pipeline_support import make_opportunity, registered_customer


@pytest.fixture(autouse=True)
def english(cast):
    """Everyone reads the pages in English, amounts in yuan (exact figures to compare)."""
    for user in cast.roles().values():
        user.language = "en"
        user.money_unit = "yuan"
        user.save()


@pytest.fixture
def grid(cast) -> Customer:
    """kam's registered customer (pinyin initials ``csdwyxgs``)."""
    return registered_customer(owner=cast.kam, assistant=cast.assistant, contacts=0)


@pytest.fixture
def north_customer(cast) -> Customer:
    return registered_customer(
        owner=cast.north_kam, assistant=cast.assistant, name="北方电力有限公司", contacts=0
    )


def opp(cast, customer: Customer, name: str, **data) -> Opportunity:
    return make_opportunity(owner=customer.owner, customer=customer, name=name, **data)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def names(response) -> list[str]:
    return [row["opp"].name for row in response.context["rows"]]


def first_month(months: int) -> date:
    """The first day of the month ``months`` from now."""
    today = timezone.localdate().replace(day=1)
    year, month = divmod(today.month - 1 + months, 12)
    return date(today.year + year, month + 1, 1)


def stage(order: int) -> Stage:
    return Stage.objects.get(order=order)


def put_in_stage(o: Opportunity, order: int) -> None:
    """Arrange a deal in a later stage (the gate has its own tests)."""
    Opportunity.objects.filter(pk=o.pk).update(stage=stage(order), step=None)
    refresh_forecast(Opportunity.objects.filter(pk=o.pk))  # .update() skips save()


# --- who sees what ---------------------------------------------------------------------------


def test_the_list_shows_only_visible_deals(cast, client_for, grid, north_customer):
    mine = opp(cast, grid, "华东调度系统")
    theirs = opp(cast, north_customer, "华北配网项目")
    services.member_add(actor=cast.kam, opportunity=mine, user=cast.consultant, role="consultant")
    seen = {
        role: set(names(client_for(getattr(cast, role)).get("/pipeline/")))
        for role in ("kam", "north_kam", "consultant", "colleague", "head", "assistant", "outsider")
    }
    assert seen["kam"] == {mine.name}
    assert seen["north_kam"] == {theirs.name}
    assert seen["consultant"] == {mine.name}, "consultants see only the deals they are on"
    assert seen["colleague"] == set()
    assert seen["head"] == seen["assistant"] == {mine.name, theirs.name}
    assert seen["outsider"] == set()


def test_a_row_shows_the_deal_at_a_glance(cast, client_for, grid):
    o = opp(cast, grid, "调度自动化系统升级", amount=Decimal("3500000"), currency="CNY")
    response = client_for(cast.kam).get("/pipeline/")
    assert response.status_code == 200
    page = text(response)
    assert f'href="/pipeline/{o.pk}/"' in page
    assert "测试电网有限公司" in page
    assert "CNY 3,500,000" in page  # amount, in yuan as the user chose
    assert "CNY 350,000" in page  # weighted at the first stage's 10%
    assert "10%" in page
    assert stage(1).name in page
    row = response.context["rows"][0]
    assert row["days"] == 0 and row["health"] == []


# --- filters ---------------------------------------------------------------------------------


@pytest.fixture
def deals(cast, grid, north_customer) -> dict[str, Opportunity]:
    made = {
        "small": opp(cast, grid, "小型运维服务", amount=Decimal("200000")),
        "big": opp(cast, grid, "省级调度平台", amount=Decimal("8000000"), signing=first_month(3)),
        "usd": opp(cast, grid, "海外备件采购", amount=Decimal("1000000"), currency="USD"),
        "north": opp(cast, north_customer, "北方配网改造", amount=Decimal("5000000")),
        "late": opp(
            cast,
            grid,
            "逾期签约项目",
            amount=Decimal("600000"),
            signing=timezone.localdate() - timedelta(days=3),
        ),
    }
    put_in_stage(made["big"], 3)
    dropped = opp(cast, grid, "已放弃项目", amount=Decimal("9000000"))
    services.opportunity_abandon(actor=cast.kam, opportunity=dropped, reason="客户预算取消")
    made["abandoned"] = dropped
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"small", "big", "usd", "north", "late"}),
        ("q=调度", {"big"}),
        ("q=csdw", {"small", "big", "usd", "late"}),  # the customer's pinyin initials
        ("q=BFDL", {"north"}),  # initials in capitals too
        ("status=abandoned", {"abandoned"}),
        ("status=all", {"small", "big", "usd", "north", "late", "abandoned"}),
        ("stage={stage3}", {"big"}),
        ("stage={stage1}&stage={stage3}", {"small", "big", "usd", "north", "late"}),
        ("owner={north_kam}", {"north"}),
        ("team={north}", {"north"}),
        ("amount_min=50万&amount_max=600万", {"usd", "north", "late"}),
        ("amount_min=600万&amount_max=50万", {"usd", "north", "late"}),  # swapped back
        ("signing_from={m3}&signing_to={m3}", {"big"}),
        ("health=past_signing", {"late"}),
        ("grade=none", {"small", "big", "usd", "north", "late"}),
        ("grade=A", set()),
        ("risk=high", set()),
    ],
)
def test_filters(cast, client_for, deals, query, expected):
    query = query.format(
        stage1=stage(1).pk,
        stage3=stage(3).pk,
        north_kam=cast.north_kam.pk,
        north=cast.north.pk,
        m3=first_month(3).strftime("%Y-%m"),
    )
    response = client_for(cast.head).get(f"/pipeline/?{query}")
    assert response.status_code == 200
    assert set(names(response)) == {deals[k].name for k in expected}
    assert response.context["ignored"] == []


def test_a_region_filter_takes_the_whole_subtree(cast, client_for, deals):
    province = deals["small"].customer.region
    assert province is not None and province.parent_id is not None
    shown = set(names(client_for(cast.head).get(f"/pipeline/?region={province.parent_id}")))
    assert deals["small"].name in shown


def test_bad_filter_values_are_dropped_with_a_message(cast, client_for, deals):
    response = client_for(cast.head).get(
        "/pipeline/?signing_from=2026-13&amount_min=lots&stage=abc&sort=nonsense"
    )
    assert response.status_code == 200
    ignored = " ".join(response.context["ignored"])
    assert "Signing from" in ignored and "Amount from" in ignored and "Stage" in ignored
    assert len(names(response)) == 5, "the other filters still apply (open deals)"


# --- sorting, totals, pagination, htmx -------------------------------------------------------


def test_sorting_by_the_column_headers(cast, client_for, deals):
    client = client_for(cast.head)
    by_amount = names(client.get("/pipeline/?sort=-amount"))
    assert by_amount[0] == deals["big"].name and by_amount[-1] == deals["small"].name
    assert names(client.get("/pipeline/?sort=signing"))[0] == deals["late"].name
    assert names(client.get("/pipeline/?sort=-stage"))[0] == deals["big"].name
    page = client.get("/pipeline/?sort=-amount").content.decode()
    assert 'data-testid="sort-amount"' in page and "sort=amount" in page  # the toggle


def test_totals_per_currency(cast, client_for, deals):
    response = client_for(cast.head).get("/pipeline/")
    totals = response.context["totals"]
    assert totals.count == 5
    cny, usd = totals.by_currency
    assert (cny["currency"], cny["count"], cny["amount"]) == ("CNY", 4, Decimal("13800000.00"))
    # 10% of the first-stage deals, 40% of the proposal-stage one
    assert cny["weighted"] == Decimal("580000.00") + Decimal("3200000.00")
    assert (usd["currency"], usd["amount"], usd["weighted"]) == (
        "USD",
        Decimal("1000000.00"),
        Decimal("100000.00"),
    )
    page = text(response)
    assert "CNY 13,800,000" in page and "USD 1,000,000" in page


def test_the_list_pages_by_fifty_and_keeps_the_filters(cast, client_for, grid):
    for n in range(51):
        opp(cast, grid, f"分页项目{n:02d}")
    client = client_for(cast.kam)
    first = client.get("/pipeline/?q=分页&sort=name")
    assert len(names(first)) == 50 and first.context["page"].paginator.count == 51
    assert "page=2" in first.content.decode()
    second = client.get("/pipeline/?q=分页&sort=name&page=2")
    assert names(second) == ["分页项目50"]


def test_htmx_gets_only_the_results(cast, client_for, deals):
    response = client_for(cast.head).get("/pipeline/?q=调度", headers={"HX-Request": "true"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content and 'id="ka-filters"' not in content
    assert deals["big"].name in content and deals["small"].name not in content
    assert "HX-Request" in response["Vary"]


def test_the_list_runs_a_fixed_number_of_queries(
    cast, client_for, grid, django_assert_max_num_queries
):
    client = client_for(cast.kam)
    for n in range(3):
        opp(cast, grid, f"查询计数{n}")
    client.get("/pipeline/")  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        assert client.get("/pipeline/").status_code == 200
    for n in range(3, 30):
        o = opp(cast, grid, f"查询计数{n}", currency="USD" if n % 2 else "CNY")
        if n % 3 == 0:
            services.member_add(actor=cast.kam, opportunity=o, user=cast.consultant, role="other")
    with django_assert_max_num_queries(len(few)):
        response = client.get("/pipeline/")
    assert len(names(response)) == 30


def test_the_board_runs_a_fixed_number_of_queries(
    cast, client_for, grid, django_assert_max_num_queries
):
    client = client_for(cast.team_lead)
    for n in range(3):
        opp(cast, grid, f"看板计数{n}")
    client.get("/pipeline/board/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/pipeline/board/").status_code == 200
    for n in range(3, 30):
        o = opp(cast, grid, f"看板计数{n}")
        put_in_stage(o, 1 + n % 5)
        if n % 4 == 0:
            services.member_add(actor=cast.kam, opportunity=o, user=cast.consultant, role="other")
    with django_assert_max_num_queries(len(few)):
        response = client.get("/pipeline/board/")
    assert sum(len(c["column"].cards) for c in response.context["columns"]) == 30


# --- the export ------------------------------------------------------------------------------


def rows_of(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_the_export_follows_the_filters_and_holds_no_formula(cast, client_for, grid, deals):
    formula = opp(cast, grid, '=HYPERLINK("http://evil.example","x")', products="+cmd|' /C")
    client = client_for(cast.kam)
    response = client.get("/pipeline/export.xlsx?sort=-amount")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0][0] == "Opportunity"
    exported = [r[0] for r in rows[1:]]
    assert deals["north"].name not in exported, "only what the user sees"
    assert exported[0] == deals["big"].name, "sorted like the page"
    assert formula.name in exported
    workbook = load_workbook(io.BytesIO(response.content))
    for row in workbook.worksheets[0].iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula"
    big = rows[exported.index(deals["big"].name) + 1]
    assert big[7] == 8000000 and big[8] == "CNY" and big[9] == 3200000 and big[10] == 40
    filtered = rows_of(client.get("/pipeline/export.xlsx?q=csdw&currency=x&amount_min=700万"))
    assert [r[0] for r in filtered[1:]] == [deals["big"].name]


# --- the board -------------------------------------------------------------------------------


def test_the_board_groups_open_deals_by_stage(cast, client_for, deals):
    response = client_for(cast.kam).get("/pipeline/board/")
    assert response.status_code == 200
    columns = response.context["columns"]
    assert [c["column"].stage.order for c in columns] == [1, 2, 3, 4, 5, 6]
    first, _second, third = columns[:3]
    assert first["column"].count == 3  # small, usd, late (north is not kam's)
    assert [card.name for card in third["column"].cards] == [deals["big"].name]
    page = text(response)
    assert deals["abandoned"].name not in page
    assert f'href="/pipeline/{deals["big"].pk}/move/"' in page, "kam requests the gate"
    assert "Request gate →" in page
    assert "draggable" not in page


def test_the_board_offers_no_gate_to_who_cannot_move_the_deal(cast, client_for, deals):
    page = text(client_for(cast.assistant).get("/pipeline/board/"))
    assert deals["big"].name in page
    assert "/move/" not in page


def test_a_full_column_links_to_the_rest(cast, client_for, deals, monkeypatch):
    monkeypatch.setattr(views, "BOARD_CARDS", 1)
    response = client_for(cast.head).get("/pipeline/board/?q=csdw")
    first = response.context["columns"][0]
    assert first["more"] == 2  # three of kam's customer's deals in the first stage, one shown
    assert f"stage={stage(1).pk}" in first["more_url"] and "q=csdw" in first["more_url"]
    assert "2 more…" in text(response)
    rest = client_for(cast.head).get(first["more_url"])
    assert set(names(rest)) == {deals["small"].name, deals["late"].name, deals["usd"].name}


def test_the_board_filters_and_swaps_with_htmx(cast, client_for, deals):
    client = client_for(cast.head)
    response = client.get(f"/pipeline/board/?owner={cast.north_kam.pk}")
    cards = [c.name for col in response.context["columns"] for c in col["column"].cards]
    assert cards == [deals["north"].name]
    partial = client.get("/pipeline/board/?health=past_signing", headers={"HX-Request": "true"})
    content = partial.content.decode()
    assert "<html" not in content and deals["late"].name in content
    assert deals["small"].name not in content


# --- the major-project list ------------------------------------------------------------------


def test_the_major_project_list(cast, client_for, deals):
    policy = services.policy()
    PipelinePolicy.objects.filter(pk=policy.pk).update(major_project_amount=Decimal("5000000"))
    Opportunity.objects.filter(pk=deals["north"].pk).update(status="won")
    response = client_for(cast.head).get("/pipeline/major/")
    assert response.status_code == 200
    assert set(names(response)) == {deals["big"].name, deals["north"].name}, (
        "open or won from 5,000,000 on; the abandoned 9,000,000 one is left out"
    )
    page = text(response)
    assert "Major-project list" in page and "CNY 5,000,000" in page
    assert set(names(client_for(cast.head).get("/pipeline/major/?status=won"))) == {
        deals["north"].name
    }
    assert names(client_for(cast.kam).get("/pipeline/major/")) == [deals["big"].name]
    rows = rows_of(client_for(cast.head).get("/pipeline/major/export.xlsx"))
    assert {r[0] for r in rows[1:]} == {deals["big"].name, deals["north"].name}


# --- creating --------------------------------------------------------------------------------


def test_a_kam_opens_a_deal_from_the_customer_in_seconds(cast, client_for, grid):
    client = client_for(cast.kam)
    form = client.get(f"/pipeline/new/?customer={grid.pk}")
    assert form.status_code == 200
    assert grid.name in text(form)
    assert f'name="customer" value="{grid.pk}"' in form.content.decode()
    response = client.post(
        "/pipeline/new/",
        {
            "customer": grid.pk,
            "name": " 配网 自动化 ",
            "amount": "120万",
            "currency": "CNY",
            "expected_signing": (timezone.localdate() + timedelta(days=90)).isoformat(),
            "products": "配网自动化主站",
            "source": "customer",
            "strategic_fit": "on",
            "strategic_note": "国网重点方向",
        },
    )
    made = Opportunity.objects.get(name="配网 自动化")
    assert response.status_code == 302 and response["Location"] == f"/pipeline/{made.pk}/"
    assert (made.amount, made.owner, made.customer) == (Decimal("1200000.00"), cast.kam, grid)
    assert made.strategic_fit and made.stage.order == 1 and made.source == "customer"


def test_the_create_form_lists_the_customers_one_may_open_deals_on(
    cast, client_for, grid, north_customer
):
    offered = client_for(cast.team_lead).get("/suggest/new-deal-customers/").context["options"]
    assert grid.pk in {o.id for o in offered} and north_customer.pk not in {o.id for o in offered}
    page = client_for(cast.team_lead).get("/pipeline/new/").content.decode()
    assert 'hx-get="/suggest/new-deal-customers/"' in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"amount": "很多"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"expected_signing": ""}, "expected_signing"),
        ({"customer": ""}, "customer"),
    ],
)
def test_a_bad_deal_is_refused_with_the_form(cast, client_for, grid, changes, field):
    body = {
        "customer": grid.pk,
        "name": "新项目",
        "amount": "100000",
        "currency": "CNY",
        "expected_signing": timezone.localdate().isoformat(),
        **changes,
    }
    response = client_for(cast.kam).post("/pipeline/new/", body)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Opportunity.objects.exists()


def test_who_may_open_a_deal(cast, client_for, grid):
    url = f"/pipeline/new/?customer={grid.pk}"
    assert client_for(cast.assistant).get(url).status_code == 403, "sees it, may not open"
    assert client_for(cast.north_kam).get(url).status_code == 404, "cannot see the customer"
    assert client_for(cast.head).get(url).status_code == 200
    assert client_for(cast.consultant).get("/pipeline/new/").status_code == 403
    assert client_for(cast.kam).get("/pipeline/new/?customer=abc").status_code == 404
    body = {"customer": grid.pk, "name": "x", "amount": "1", "expected_signing": "2030-01-01"}
    assert client_for(cast.assistant).post("/pipeline/new/", body).status_code == 403
    assert client_for(cast.outsider).post("/pipeline/new/", body).status_code == 404
    assert not Opportunity.objects.exists()


# --- editing and handing over ----------------------------------------------------------------


def edit_body(o: Opportunity, **changes) -> dict:
    body = {f: getattr(o, f) for f in services.DEAL_FIELDS}
    body = {k: ("" if v is None else v) for k, v in body.items()}
    body["strategic_fit"] = "on" if o.strategic_fit else ""
    body["version"] = o.version
    body.update(changes)
    return {k: v for k, v in body.items() if v != "" or k in changes}


def test_an_edit_records_the_forecast_change_with_its_reason(cast, client_for, grid):
    o = opp(cast, grid, "调度系统", amount=Decimal("1000000"))
    client = client_for(cast.kam)
    form = client.get(f"/pipeline/{o.pk}/edit/")
    assert form.status_code == 200 and 'name="version"' in form.content.decode()
    later = o.expected_signing + timedelta(days=30)
    response = client.post(
        f"/pipeline/{o.pk}/edit/",
        edit_body(
            o,
            amount="150万",
            expected_signing=later.isoformat(),
            probability_override="30",
            probability_reason="客户高层已表态支持",
            reason="客户扩大了范围",
        ),
    )
    assert response.status_code == 302 and response["Location"] == f"/pipeline/{o.pk}/"
    o.refresh_from_db()
    assert (o.amount, o.expected_signing, o.probability, o.signing_slips) == (
        Decimal("1500000.00"),
        later,
        30,
        1,
    )
    changes = {c.field: c for c in ForecastChange.objects.filter(opportunity=o)}
    assert set(changes) == {"amount", "expected_signing", "probability"}
    assert {c.reason for c in changes.values()} == {"客户扩大了范围"}
    assert changes["amount"].changed_by == cast.kam


def test_a_probability_override_needs_a_reason(cast, client_for, grid):
    o = opp(cast, grid, "调度系统")
    response = client_for(cast.kam).post(
        f"/pipeline/{o.pk}/edit/", edit_body(o, probability_override="70")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["probability_reason"]
    o.refresh_from_db()
    assert o.probability_override is None and o.version == 1


def test_a_stale_edit_is_refused_naming_who_saved_in_between(cast, client_for, grid):
    cast.team_lead.display_name = "陈静"
    cast.team_lead.save()
    o = opp(cast, grid, "调度系统", amount=Decimal("1000000"))
    opened = edit_body(o, amount="200万")
    services.opportunity_update(
        actor=cast.team_lead, opportunity=o, data={"amount": Decimal("900000")}, expected_version=1
    )
    response = client_for(cast.kam).post(f"/pipeline/{o.pk}/edit/", opened)
    assert response.status_code == 409
    assert "陈静" in text(response) and "were not saved" in text(response)
    o.refresh_from_db()
    assert o.amount == Decimal("900000.00")


def test_who_may_edit(cast, client_for, grid):
    o = opp(cast, grid, "调度系统")
    services.member_add(actor=cast.kam, opportunity=o, user=cast.consultant, role="consultant")
    url = f"/pipeline/{o.pk}/edit/"
    assert client_for(cast.team_lead).get(url).status_code == 200
    assert client_for(cast.assistant).get(url).status_code == 403, "sees it, may not edit"
    assert client_for(cast.consultant).get(url).status_code == 403, "works on it, may not edit"
    assert client_for(cast.colleague).get(url).status_code == 404
    assert client_for(cast.kam).get("/pipeline/987654321/edit/").status_code == 404
    response = client_for(cast.assistant).post(url, edit_body(o, name="改名"))
    assert response.status_code == 403
    o.refresh_from_db()
    assert o.name == "调度系统"


def test_a_manager_hands_the_deal_over(cast, client_for, grid):
    o = opp(cast, grid, "调度系统")
    page = client_for(cast.team_lead).get(f"/pipeline/{o.pk}/edit/")
    assert 'data-testid="reassign-form"' in page.content.decode()
    assert (
        'data-testid="reassign-form"'
        not in client_for(cast.kam).get(f"/pipeline/{o.pk}/edit/").content.decode()
    )
    url = f"/pipeline/{o.pk}/reassign/"
    refused = client_for(cast.team_lead).post(url, {"owner": cast.colleague.pk, "reason": ""})
    assert refused.status_code == 400
    assert refused.context["reassign_form"].errors["reason"]
    assert (
        client_for(cast.kam).post(url, {"owner": cast.colleague.pk, "reason": "x"}).status_code
        == 403
    )
    response = client_for(cast.team_lead).post(
        url, {"owner": cast.colleague.pk, "reason": "王伟调往华北"}
    )
    assert response.status_code == 302 and response["Location"] == f"/pipeline/{o.pk}/"
    o.refresh_from_db()
    assert o.owner == cast.colleague
    assert o.history.first().history_change_reason == "王伟调往华北"


def test_a_deal_goes_only_to_someone_the_manager_manages(cast, client_for, grid):
    o = opp(cast, grid, "调度系统")
    response = client_for(cast.team_lead).post(
        f"/pipeline/{o.pk}/reassign/", {"owner": cast.north_kam.pk, "reason": "换人"}
    )
    assert response.status_code == 400
    o.refresh_from_db()
    assert o.owner == cast.kam


# --- the customer page -----------------------------------------------------------------------


def test_the_customer_page_lists_its_opportunities(cast, client_for, grid):
    mine = opp(cast, grid, "调度系统")
    other = opp(cast, grid, "运维服务")
    services.opportunity_abandon(actor=cast.kam, opportunity=other, reason="客户取消")
    services.member_add(actor=cast.kam, opportunity=mine, user=cast.consultant, role="consultant")
    url = f"/customers/{grid.pk}/?tab=opportunities"
    page = text(client_for(cast.kam).get(url))
    assert mine.name in page and other.name in page and "Abandoned" in page
    assert f'href="/pipeline/new/?customer={grid.pk}"' in page
    assistant = client_for(cast.assistant).get(url)
    assert assistant.status_code == 200 and mine.name in text(assistant)
    assert "/pipeline/new/" not in text(assistant), "the assistant opens no deal"
    listed = client_for(cast.kam).get(f"/pipeline/?customer={grid.pk}&status=all")
    assert set(names(listed)) == {mine.name, other.name}
    assert "Only the opportunities of" in text(listed)


# --- navigation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "active"),
    [
        ("/pipeline/", ["Opportunities"]),
        ("/pipeline/board/", ["Opportunities"]),
        ("/pipeline/major/", ["Major projects"]),
    ],
)
def test_the_navigation_leads_to_the_lists(cast, client_for, path, active):
    items = client_for(cast.kam).get(path).context["nav_items"]
    urls = {str(i["label"]): i["url"] for i in items}
    assert urls["Opportunities"] == "/pipeline/" and urls["Major projects"] == "/pipeline/major/"
    assert [str(i["label"]) for i in items if i["active"]] == active
