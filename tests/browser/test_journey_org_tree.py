"""The org tree on a laptop and a phone: the head opens a team of his department (its people
load in place, the button says it is open), folds it again with the keyboard, and finds a KAM
by the initials of his name; a KAM's tree has nothing of the other team."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from keyaccount.org.models import User

from ..conftest import Cast
from .conftest import shot
from .pipeline_pages import assert_fits_phone
from .test_journey_customers import sign_in
from .test_journey_gate import NAMES, name_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_opens_a_team_and_finds_a_kam(
    new_page: Callable[..., Page], cast: Cast, browser_errors: list[str]
) -> None:
    name_cast(cast)
    User.objects.filter(pk=cast.head.pk).update(language="en")  # the texts below, in English
    head = sign_in(new_page, cast.head)
    head.goto("/org/")
    tree = head.get_by_test_id("org-tree")
    east = tree.get_by_role("button", name=cast.east.name)
    expect(east).to_have_attribute("aria-expanded", "false")
    expect(tree).not_to_contain_text(NAMES["kam"])  # folded: the team's people are not loaded

    east.click()
    expect(east).to_have_attribute("aria-expanded", "true")
    expect(tree.get_by_label(f"People in {cast.east.name}")).to_contain_text(NAMES["kam"])
    expect(head).to_have_url(re.compile(r"/org/$"))  # in place, not the no-JS ?unit= page
    shot(head, "org-01-team-open")

    east.focus()
    head.keyboard.press("Enter")
    expect(east).to_have_attribute("aria-expanded", "false")
    expect(tree.get_by_label(f"People in {cast.east.name}")).to_be_hidden()
    head.keyboard.press("Space")
    expect(east).to_have_attribute("aria-expanded", "true")

    head.get_by_role("searchbox").fill("ww")  # 王伟 by the initials of his name
    results = head.get_by_test_id("org-people-hits")
    expect(results).to_contain_text(NAMES["kam"])
    expect(head).to_have_url(re.compile(r"/org/\?q=ww$"))
    results.get_by_role("link", name=cast.east.name).first.click()
    expect(head).to_have_url(re.compile(rf"/org/\?unit={cast.east.pk}$"))
    expect(head.get_by_test_id("org-tree")).to_contain_text(NAMES["kam"])
    assert browser_errors == []


def test_a_kam_on_a_phone_sees_his_team_and_nothing_of_the_other(
    new_page: Callable[..., Page], cast: Cast, browser_errors: list[str]
) -> None:
    name_cast(cast)
    kam = sign_in(lambda **kw: new_page(phone=True, **kw), cast.kam)
    kam.goto("/org/")
    tree = kam.get_by_test_id("org-tree")
    expect(tree.get_by_role("button", name=cast.east.name)).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(tree).to_contain_text(NAMES["colleague"])
    expect(tree).not_to_contain_text(cast.north.name)
    assert_fits_phone(kam, "the org tree")
    shot(kam, "org-02-kam-phone")
    assert browser_errors == []
