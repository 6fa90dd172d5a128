"""The foundation journey: sign in, the home page, the language switch, the sales process page
on a desktop and a phone, sign out; and the playbook edited in the back office.

Assertions lean on what does not depend on the zh-Hans catalog (being written): the ``lang``
of the page, the language switch's "EN"/"中文", names and playbook text from the database.
"""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from keyaccount.process.models import Stage, Step

from ..conftest import PASSWORD, Cast
from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOGIN_URL = re.compile(r"/accounts/login/(\?.*)?$")
STAGE_NAMES_ZH = ["客户开发", "立项", "提案", "招投标", "商务谈判", "工程实施"]


def log_in(page: Page, username: str, password: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form[action='/accounts/login/'] button[type=submit]")


def switch_language(page: Page, label: str) -> None:
    """Click the navbar's language switch, which must currently offer ``label``."""
    button = page.get_by_test_id("language-switch").locator("button")
    expect(button).to_have_text(label)
    button.click()


def expect_lang(page: Page, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)


def log_out(page: Page) -> None:
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(LOGIN_URL)


def horizontal_overflow(page: Page) -> int:
    """How far the page is wider than the viewport. Measured against the viewport we asked
    for: with phone emulation Chromium widens the layout (and ``innerWidth``) to fit content
    that overflows, so ``scrollWidth - innerWidth`` alone would read 0."""
    viewport = page.viewport_size
    assert viewport is not None
    widest = page.evaluate("Math.max(document.documentElement.scrollWidth, window.innerWidth)")
    return int(widest) - viewport["width"]


def test_foundation_journey(page: Page, new_page: Callable[..., Page], cast: Cast) -> None:
    kam = cast.kam

    # 1. Anonymous: the home page sends us to the login page, in Chinese.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect_lang(page, "zh-hans")
    expect(page.get_by_test_id("language-switch").locator("button")).to_have_text("EN")
    expect(page.locator("#id_username")).to_be_focused()
    shot(page, "journey-01-login")

    # 2. A wrong password is refused with a message; the right one opens the home page.
    log_in(page, kam.username, "not-the-password")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.locator(".alert-danger")).to_be_visible()
    expect(page.locator("#id_username")).to_have_value(kam.username)
    log_in(page, kam.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1.page-title")).to_have_text(kam.display_name)
    expect(page.get_by_test_id("my-roles")).to_contain_text("大客户经理")
    expect(page.get_by_test_id("user-menu")).to_contain_text(kam.display_name)
    shot(page, "journey-02-home")

    # 3. English, remembered on the user: after signing out, on a browser without our
    #    language cookie, signing in again brings English back.
    switch_language(page, "EN")
    expect(page).to_have_url(re.compile(r"/$"))
    expect_lang(page, "en")
    expect(page.get_by_test_id("my-roles")).to_contain_text("Key account manager")
    expect(page.get_by_test_id("language-switch").locator("button")).to_have_text("中文")
    kam.refresh_from_db()
    assert kam.language == "en"
    shot(page, "journey-03-home-english")
    log_out(page)
    expect_lang(page, "en")  # the language cookie still speaks for this browser
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    expect_lang(page, "zh-hans")  # a browser that never switched: the default
    log_in(page, kam.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect_lang(page, "en")
    expect(page.get_by_test_id("my-roles")).to_contain_text("Key account manager")

    # 4. The sales process page through the navigation: six stages with exit criteria,
    #    steps that open, and the chart.
    page.locator("#navbar-menu a.nav-link[href='/process/']").click()
    expect(page).to_have_url(re.compile(r"/process/$"))
    expect(page.locator("#navbar-menu .nav-item.active a")).to_have_attribute("href", "/process/")
    stages = page.get_by_test_id("stage")
    expect(stages).to_have_count(6)
    db_stages = list(Stage.objects.order_by("order"))
    for index, stage in enumerate(db_stages):
        section = stages.nth(index)
        expect(section).to_have_attribute("id", f"stage-{stage.code}")
        expect(section.locator("h2.card-title")).to_have_text(stage.name_en)
        expect(section.get_by_test_id("criteria").locator("li")).to_have_count(
            stage.criteria.count()
        )
        assert stage.criteria.exists(), f"stage {stage.code} has no exit criteria"
    step = Step.objects.filter(stage=db_stages[0]).order_by("order").first()
    assert step is not None
    body = page.locator(f"#step-{step.code}")
    expect(body).to_be_hidden()
    stages.first.locator(f"button[data-bs-target='#step-{step.code}']").click()
    expect(body).to_be_visible()
    expect(body).to_contain_text(step.objective_en.splitlines()[0])
    chart = page.locator("#playbook-chart canvas")
    expect(chart.first).to_be_visible()
    box = chart.first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    shot(page, "journey-04-process-english")

    # 5. Back to Chinese: the playbook speaks Chinese again.
    switch_language(page, "中文")
    expect(page).to_have_url(re.compile(r"/process/$"))
    expect_lang(page, "zh-hans")
    expect(page.get_by_test_id("stage").locator("h2.card-title")).to_have_text(STAGE_NAMES_ZH)
    expect(page.locator("#playbook-chart canvas").first).to_be_visible()
    shot(page, "journey-05-process-desktop")

    # 6. The same user on a phone: navigation behind the toggler, no sideways scrolling.
    phone = new_page(phone=True, storage_state=page.context.storage_state())
    phone.goto("/process/")
    expect_lang(phone, "zh-hans")
    toggler = phone.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    process_link = phone.locator("#navbar-menu a.nav-link[href='/process/']")
    expect(process_link).to_be_hidden()
    toggler.tap()
    expect(process_link).to_be_visible()
    expect(phone.locator("#navbar-menu a.nav-link[href='/']")).to_be_visible()
    expect(phone.get_by_test_id("stage")).to_have_count(6)
    expect(phone.locator("#playbook-chart canvas").first).to_be_visible()
    assert horizontal_overflow(phone) <= 1, "the process page scrolls sideways on a phone"
    shot(phone, "journey-06-process-phone")
    phone.goto("/")
    assert horizontal_overflow(phone) <= 1, "the home page scrolls sideways on a phone"
    shot(phone, "journey-06-home-phone")

    # 7. Sign out through the user menu.
    log_out(page)
    expect(page.locator("#id_username")).to_be_visible()
    page.goto("/process/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/process/$"))


def open_stage_list(page: Page, cast: Cast) -> None:
    """Sign in to the back office as the administrator, landing on the list of stages."""
    page.goto("/admin/process/stage/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next="))
    page.fill("#id_username", cast.admin.username)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/process/stage/$"))


def stage_row(page: Page, name: str) -> Locator:
    return page.locator("#result_list tbody tr").filter(
        has=page.get_by_role("link", name=name, exact=True)
    )


def test_playbook_edit_in_back_office_shows_on_process_page(page: Page, cast: Cast) -> None:
    proposal = Stage.objects.get(code="proposal")
    assert proposal.probability != 45
    open_stage_list(page, cast)

    stage_row(page, proposal.name_zh).locator("input[name$='-probability']").fill("45")
    page.locator("input[name='_save']").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert Stage.objects.get(pk=proposal.pk).probability == 45

    page.goto("/process/")
    section = page.locator("#stage-proposal")
    expect(section.locator(".badge.bg-blue-lt")).to_contain_text("45%")
    expect(page.get_by_test_id("stage-index")).to_contain_text(f"{proposal.name_zh} · 45%")


def test_playbook_edit_that_breaks_stage_order_is_refused(page: Page, cast: Cast) -> None:
    before = list(Stage.objects.order_by("order").values_list("code", "order"))
    initiation = Stage.objects.get(code="initiation")
    proposal = Stage.objects.get(code="proposal")
    open_stage_list(page, cast)

    stage_row(page, initiation.name_zh).locator("input[name$='-order']").fill(str(proposal.order))
    page.locator("input[name='_save']").click()
    expect(page.locator(".errornote")).to_be_visible()
    error = page.locator("ul.errorlist.nonform")
    expect(error).to_be_visible()
    expect(error).to_contain_text(initiation.name_zh)
    expect(error).to_contain_text(proposal.name_zh)
    assert list(Stage.objects.order_by("order").values_list("code", "order")) == before

    page.goto("/process/")
    expect(page.get_by_test_id("stage").locator("h2.card-title")).to_have_text(STAGE_NAMES_ZH)
    expect(page.locator("#stage-initiation .ka-stage-number")).to_have_text(str(initiation.order))
