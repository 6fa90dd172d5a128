"""Picking from a type-ahead (``core.typeahead``) as a user does: type into the search box,
wait for the suggestion, tap it; the hidden id is then what the form sends."""

from playwright.sync_api import Locator, Page, expect


def picker(scope: Page | Locator, name: str) -> Locator:
    """The type-ahead whose hidden input is named ``name``."""
    return scope.locator(f"[data-ka-typeahead]:has(input[type=hidden][name={name}])")


def answered(root: Locator, text: str) -> None:
    """Wait until the suggestions shown answer ``text``: focusing the box lists the first
    choices, and that list may still be showing when the answer to the typing arrives."""
    expect(root.locator(".ka-typeahead-options")).to_have_attribute("data-ka-answered", text)


def pick(scope: Page | Locator, name: str, text: str, option: str, value: int) -> None:
    """Type ``text`` into the picker ``name`` and tap the suggestion showing ``option``; the
    picker then holds ``value``."""
    root = picker(scope, name)
    box = root.locator("input[type=search]")
    box.click()
    box.fill(text)
    answered(root, text)
    choice = root.locator("[data-ka-pick]", has_text=option).first
    expect(choice).to_be_visible()
    choice.click()
    expect(root.locator(f"input[type=hidden][name={name}]")).to_have_value(str(value))
    expect(box).to_have_value(option)
