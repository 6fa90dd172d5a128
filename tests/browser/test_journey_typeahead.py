"""Pickers that scale with people (issue 10): the head narrows the deal list to one owner and
then one team by typing, on a laptop and on a phone; a KAM opens a deal on a customer found by
its pinyin initials, without a select of every customer. The keyboard works too."""

import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from keyaccount.pipeline import services
from keyaccount.pipeline.models import Opportunity

from ..conftest import Cast
from ..pipeline_support import registered_customer
from .conftest import shot
from .pipeline_pages import assert_fits_phone
from .test_journey_customers import accept_refusal, sign_in, success_message
from .test_journey_foundation import switch_language
from .test_journey_gate import NAMES, name_cast
from .typeahead import answered, pick, picker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _deal(cast: Cast, owner_customer, name: str, actor) -> Opportunity:
    return services.opportunity_create(
        actor=actor,
        customer=owner_customer,
        data={
            "name": name,
            "amount": 1_200_000,
            "expected_signing": timezone.localdate().replace(day=1),
        },
    )


def test_filters_and_the_new_deal_pick_by_typing(
    new_page: Callable[..., Page], cast: Cast, browser_errors: list[str]
) -> None:
    name_cast(cast)
    grid = registered_customer(owner=cast.kam, assistant=cast.assistant, name="钱塘电网有限公司")
    bank = registered_customer(
        owner=cast.north_kam, assistant=cast.assistant, name="北方银行股份有限公司"
    )
    _deal(cast, grid, "钱塘调度系统", cast.kam)
    _deal(cast, bank, "北方核心系统", cast.north_kam)

    # 1. The head types part of a KAM's name into the owner filter and taps the suggestion:
    #    the list reloads for that owner, and the address says so.
    head = sign_in(new_page, cast.head)
    head.goto("/pipeline/")
    expect(head.get_by_test_id("opportunity-row")).to_have_count(2)
    pick(head, "owner", "ww", NAMES["kam"], cast.kam.pk)  # 王伟 by pinyin initials
    expect(head).to_have_url(re.compile(rf"owner={cast.kam.pk}"))
    expect(head.get_by_test_id("opportunity-row")).to_have_count(1)
    expect(head.get_by_test_id("opportunity-row")).to_contain_text("钱塘调度系统")
    shot(head, "typeahead-01-owner-filter")

    # 2. Emptying the box clears the filter; the team filter picks with the keyboard.
    box = picker(head, "owner").locator("input[type=search]")
    box.fill("")
    box.blur()
    expect(head).not_to_have_url(re.compile(r"owner=\d"))
    expect(head.get_by_test_id("opportunity-row")).to_have_count(2)
    team = picker(head, "team").locator("input[type=search]")
    team.click()
    team.fill(cast.north.name[:2])
    answered(picker(head, "team"), cast.north.name[:2])
    expect(picker(head, "team").locator("[data-ka-pick]").first).to_be_visible()
    team.press("ArrowDown")
    team.press("Enter")
    expect(head).to_have_url(re.compile(rf"team={cast.north.pk}"))
    expect(head.get_by_test_id("opportunity-row")).to_have_count(1)
    expect(head.get_by_test_id("opportunity-row")).to_contain_text("北方核心系统")

    # 3. In English, nothing found is said so.
    switch_language(head, "EN")
    owner = picker(head, "owner").locator("input[type=search]")
    owner.click()
    owner.fill("qqqqq")
    expect(picker(head, "owner").locator("[role=status]")).to_contain_text("Nothing matches")
    shot(head, "typeahead-02-nothing-found-en")

    # 4. The KAM, on a phone, opens a deal without a customer chosen first: the customer is
    #    found by its pinyin initials; a name typed and left unpicked is refused by name.
    kam = sign_in(lambda: new_page(phone=True), cast.kam)
    kam.goto("/pipeline/new/")
    form = kam.get_by_test_id("opportunity-form")
    form.locator("input[name=name]").fill("钱塘二期")
    form.locator("input[name=amount]").fill("80万")
    form.locator("input[name=expected_signing]").fill("2027-06-30")
    form.locator("button[type=submit]").click()
    expect(kam.locator(".invalid-feedback").first).to_be_visible()
    accept_refusal(kam, browser_errors, "/pipeline/new/")
    pick(kam, "customer", "qtdw", "钱塘电网有限公司", grid.pk)
    assert_fits_phone(kam, "the create page with its customer picker")
    shot(kam, "typeahead-03-new-deal-phone")
    kam.get_by_test_id("opportunity-form").locator("button[type=submit]").click()
    expect(success_message(kam)).to_contain_text("钱塘二期")
    assert Opportunity.objects.filter(name="钱塘二期", customer=grid, owner=cast.kam).exists()
