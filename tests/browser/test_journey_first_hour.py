"""The first hour of issue 8 (§5), in the browser: the rough edges a new user hit.

The department head allocates customers on a phone, in Chinese and in English: ticks two on the
KA list, a sheet at the bottom of the screen counts them and takes the new owner and the
reason, and the owner changes. The allocation page answers a plain visit (no 405): how to pick
customers, or the form for the customers its address names, which is also where a refused
allocation leaves the browser, so a refresh is a plain visit. The KAM's pipeline list (its
totals, in a fixed unit too) and risk form fit a phone, and the risk form labels its scale's
ends. Closed tree selects (region, industry, team) show their option, then its parent, with
no leading blanks, and a customer without a grade shows no stray badge.

Assertions lean on data-testids, names from the database and the English catalog, not on the
wording of the zh-Hans catalog (still being written).
"""

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from keyaccount.customers import services as customer_services
from keyaccount.customers.models import Customer, OwnerChange
from keyaccount.org.models import Industry, Region, User
from keyaccount.pipeline import services

from ..conftest import Cast
from .conftest import ARTIFACTS, shot
from .test_journey_customers import accept_refusal, registered, sign_in, success_message
from .test_journey_foundation import expect_lang, horizontal_overflow, switch_language
from .test_journey_pipeline import assert_fits_phone
from .typeahead import pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = {
    "kam": "王伟",
    "colleague": "李娜",
    "north_kam": "赵强",
    "head": "周健",
    "assistant": "林晓雨",
}
UNGRADED = "江苏华扬科技股份有限公司"  # the KAM's, never graded
SECOND = "南京紫金数据服务有限公司"  # the KAM's, allocated with UNGRADED
GRADED = "杭州钱塘智能制造有限公司"  # the colleague's, graded B
DEALS = "江苏华扬电力集团有限公司"  # the KAM's customer with the open deals
#: a select's shown option: its label, and whether any option starts with a blank
SELECT_STATE = """(select) => ({
  shown: select.options[select.selectedIndex].label,
  padded: Array.from(select.options).filter((o) => /^\\s/.test(o.label)).map((o) => o.label),
})"""


def screen_shot(page: Page, name: str) -> None:
    """What the phone's screen shows (``shot`` takes the whole page, where a sheet fixed to
    the bottom of the screen sits wherever the screen's bottom was)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), scale="css")


def allocation_sheet(page: Page) -> Locator:
    return page.get_by_test_id("bulk-allocate")


def tick(page: Page, customer: Customer) -> None:
    page.locator(f"input[name=customers][value='{customer.pk}']").check()


def allocate_on_phone(
    phone: Page, customers: list[Customer], to: User, reason: str, lang: str
) -> None:
    """Tick the customers on the KA list, allocate them through the sheet, see it done."""
    phone.goto("/customers/")
    sheet = allocation_sheet(phone)
    expect(sheet).to_be_hidden()  # nothing ticked: the list has the whole screen
    expect(phone.get_by_test_id("allocate-hint")).to_be_visible()
    shot(phone, f"first-hour-01-list-phone-{lang}")
    for customer in customers:
        tick(phone, customer)
    expect(sheet).to_be_visible()
    expect(phone.get_by_test_id("ticked-count")).to_have_text(str(len(customers)))
    expect(phone.get_by_test_id("allocate-hint")).to_be_hidden()
    box = sheet.bounding_box()
    assert box is not None and box["y"] + box["height"] >= 843 and box["width"] == 390, box
    assert horizontal_overflow(phone) <= 1, "the KA list scrolls sideways with the sheet open"
    #    Scrolled to the end, the last customer shows above the sheet, not under it.
    phone.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")  # at once
    last = phone.get_by_test_id("customer-row").last.bounding_box()
    sheet_box = sheet.bounding_box()
    assert last is not None and sheet_box is not None
    assert last["y"] + last["height"] <= sheet_box["y"] + 1, (last, sheet_box)
    pick(sheet, "new_owner", to.display_name, to.display_name, to.pk)
    sheet.locator("input[name=reason]").fill(reason)
    screen_shot(phone, f"first-hour-02-sheet-phone-{lang}")
    sheet.locator("button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/customers/$"))
    expect(success_message(phone)).to_contain_text(to.display_name)
    expect(sheet).to_be_hidden()
    for customer in customers:
        row = phone.get_by_test_id("customer-row").filter(has_text=customer.name)
        expect(row).to_contain_text(to.display_name)  # the phone's line under the name
        customer.refresh_from_db()
        assert customer.owner == to
        assert OwnerChange.objects.filter(customer=customer, new_owner=to, reason=reason).exists()
    shot(phone, f"first-hour-03-allocated-phone-{lang}")


def test_first_hour_journey(
    new_page: Callable[..., Page], cast: Cast, browser_errors: list[str]
) -> None:
    for role, display_name in NAMES.items():
        user = getattr(cast, role)
        user.display_name = display_name
        user.save()
    jiangsu, zhejiang = Region.objects.get(code="CN-JS"), Region.objects.get(code="CN-ZJ")
    grid = Industry.objects.get(code="power-grid")
    ungraded = registered(cast, cast.kam, UNGRADED, region=jiangsu, industry=grid)
    second = registered(cast, cast.kam, SECOND, region=jiangsu)
    graded = registered(cast, cast.colleague, GRADED, region=zhejiang)
    customer_services.grade_set(actor=cast.head, customer=graded, grade="B", reason="试点客户")
    deals = registered(cast, cast.kam, DEALS, region=jiangsu)
    opp = None
    for name, amount, currency in (
        ("调度自动化系统升级", "3600000", "CNY"),
        ("数据中心扩容", "912345678.90", "CNY"),
        ("海外运维服务", "800000", "USD"),
    ):
        opp = services.opportunity_create(
            actor=cast.kam,
            customer=deals,
            data={
                "name": name,
                "amount": Decimal(amount),
                "currency": currency,
                "expected_signing": timezone.localdate() + timedelta(days=120),
            },
        )
    assert opp is not None

    # 1. The department head, on a phone in Chinese, allocates two of the KAM's customers to
    #    the colleague from the KA list; in English, two customers to the north team's KAM.
    head = sign_in(new_page, cast.head)
    phone = new_page(phone=True, storage_state=head.context.storage_state())
    phone.goto("/customers/")
    expect_lang(phone, "zh-hans")
    allocate_on_phone(phone, [ungraded, second], cast.colleague, "华东客户统一由李娜跟进", "zh")
    switch_language(phone, "EN")
    expect_lang(phone, "en")
    #    Ticking and unticking: the count follows, the heading's box ticks the whole page,
    #    "Untick all" empties it and hides the sheet.
    tick(phone, second)
    tick(phone, graded)
    expect(phone.get_by_test_id("ticked-count")).to_have_text("2")
    phone.get_by_test_id("tick-all").check()
    expect(phone.locator("input[name=customers]:checked")).to_have_count(4)
    expect(phone.get_by_test_id("ticked-count")).to_have_text("4")
    phone.get_by_test_id("untick").click()
    expect(phone.get_by_test_id("ticked-count")).to_have_text("0")
    expect(phone.get_by_test_id("tick-all")).not_to_be_checked()
    expect(allocation_sheet(phone)).to_be_hidden()
    expect(phone.locator("input[name=customers]:checked")).to_have_count(0)
    allocate_on_phone(
        phone, [second, graded], cast.north_kam, "Handed to the north team for now", "en"
    )

    # 2. The allocation page answers a visit: with no customer named, how to pick them, with
    #    a link to the KA list; naming two, the form for them.
    response = phone.goto("/customers/allocate/")
    assert response is not None and response.status == 200
    expect(phone.get_by_test_id("allocate-how")).to_be_visible()
    assert horizontal_overflow(phone) <= 1
    shot(phone, "first-hour-04-allocate-visit-phone")
    phone.get_by_test_id("to-ka-list").click()
    expect(phone).to_have_url(re.compile(r"/customers/$"))
    response = phone.goto(f"/customers/allocate/?customers={ungraded.pk},{graded.pk}")
    assert response is not None and response.status == 200
    form = phone.get_by_test_id("allocate-form")
    expect(form.get_by_test_id("allocate-customers").locator("li")).to_have_count(2)
    expect(form).to_contain_text(UNGRADED)
    expect(form).to_contain_text(GRADED)
    #    Refused (no reason): the browser is left at the address of the page, so a refresh
    #    is a plain visit of it, not the allocation sent again.
    pick(form, "new_owner", cast.kam.display_name, cast.kam.display_name, cast.kam.pk)
    form.get_by_test_id("allocate-submit").click()
    expect(phone.locator("#id_reason ~ .invalid-feedback")).to_be_visible()
    accept_refusal(phone, browser_errors, "/customers/allocate/")
    expect(phone).to_have_url(re.compile(r"/customers/allocate/\?customers=\d+%2C\d+$"))
    shot(phone, "first-hour-05-allocate-refused-phone")
    response = phone.reload()
    assert response is not None and response.status == 200
    assert response.request.method == "GET"
    expect(phone.get_by_test_id("allocate-customers").locator("li")).to_have_count(2)
    assert Customer.objects.get(pk=ungraded.pk).owner == cast.colleague

    # 3. The KAM's pipeline list and risk form on a phone: nothing scrolls sideways, in both
    #    languages, with amounts by size and in a fixed unit (long totals wrap in their card).
    kam = sign_in(new_page, cast.kam)
    kam_phone = new_page(phone=True, storage_state=kam.context.storage_state())
    for lang, unit in (("zh-hans", "auto"), ("en", "auto"), ("en", "wan"), ("zh-hans", "yuan")):
        User.objects.filter(pk=cast.kam.pk).update(money_unit=unit)
        kam_phone.goto("/pipeline/")
        if not kam_phone.locator(f"html[lang='{lang}']").count():
            switch_language(kam_phone, "EN" if lang == "en" else "中文")
        expect_lang(kam_phone, lang)
        expect(kam_phone.get_by_test_id("opportunity-row")).to_have_count(3)
        expect(kam_phone.get_by_test_id("total-CNY")).to_be_visible()
        assert_fits_phone(kam_phone, f"the pipeline list ({lang}, {unit})")
        shot(kam_phone, f"first-hour-06-pipeline-phone-{lang}-{unit}")
        kam_phone.goto(f"/pipeline/{opp.pk}/risk/new/")
        expect(kam_phone.get_by_test_id("risk-form")).to_be_visible()
        assert_fits_phone(kam_phone, f"the risk assessment form ({lang})")
        ends = kam_phone.get_by_test_id("scale-ends").first
        expect(ends).to_be_visible()
        if lang == "en":
            expect(ends).to_have_text(re.compile(r"^0 = no risk\s*5 = severe risk$"))
        low, high = ends.locator("span").first, ends.locator("span").last
        scores = kam_phone.locator(".ka-risk-scores").first.bounding_box()
        low_box, high_box = low.bounding_box(), high.bounding_box()
        assert scores and low_box and high_box
        assert abs(low_box["x"] - scores["x"]) <= 2  # under the 0
        assert abs(high_box["x"] + high_box["width"] - scores["x"] - scores["width"]) <= 8
        if unit == "auto":
            shot(kam_phone, f"first-hour-07-risk-form-phone-{lang}")
            first_factor = kam_phone.get_by_test_id("risk-form").locator("fieldset").first
            first_factor.scroll_into_view_if_needed()
            screen_shot(kam_phone, f"first-hour-07-risk-form-screen-{lang}")

    # 4. Closed tree selects show their option, then its parent, no leading blanks: the KA
    #    list's region filter, the profile form's region and industry, the pipeline's team.
    head.goto("/customers/")
    expect_lang(head, "en")
    head.select_option("#id_region", str(jiangsu.pk))
    expect(head).to_have_url(re.compile(rf"region={jiangsu.pk}"))
    state = head.locator("#id_region").evaluate(SELECT_STATE)
    assert state == {"shown": "Jiangsu (East China)", "padded": []}, state
    shot(head, "first-hour-08-region-filter")
    head.goto(f"/customers/{ungraded.pk}/edit/")
    state = head.locator("#id_region").evaluate(SELECT_STATE)
    assert state == {"shown": "Jiangsu (East China)", "padded": []}, state
    state = head.locator("#id_industry").evaluate(SELECT_STATE)
    assert state == {"shown": "Power grid (Electric power)", "padded": []}, state
    head.goto(f"/pipeline/?team={cast.east.pk}")
    expect(head.locator("#id_team")).to_have_value(cast.east.name)  # the picker shows the team
    switch_language(head, "中文")
    head.goto(f"/customers/?region={jiangsu.pk}")
    state = head.locator("#id_region").evaluate(SELECT_STATE)
    assert state["shown"].startswith("江苏") and "华东" in state["shown"], state
    assert state["padded"] == [], state

    # 5. A customer without a grade: no stray badge in its heading; the summary says so.
    head.goto(f"/customers/{ungraded.pk}/")
    title = head.locator("h1.page-title")
    expect(title.get_by_test_id("customer-name")).to_have_text(UNGRADED)
    expect(title.locator(".badge")).to_have_count(0)
    expect(title).not_to_contain_text("—")
    expect(head.get_by_test_id("summary").get_by_test_id("not-graded")).to_be_visible()
    shot(head, "first-hour-09-ungraded-customer")
    head.goto(f"/customers/{graded.pk}/")
    expect(head.locator("h1.page-title").get_by_test_id("grade-badge")).to_have_text("B")
