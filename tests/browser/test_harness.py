"""The harness's own guard: errors in the browser must fail a test, or it guards nothing."""

import pytest
from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_csp_violations_and_uncaught_errors_are_caught(page: Page, browser_errors: list[str]):
    page.goto("/accounts/login/")
    assert browser_errors == []

    # An inline script without the nonce (the CSP blocks it) and an uncaught exception.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.head.append(script);
          setTimeout(() => { throw new Error("boom from the page"); });
        }"""
    )
    for _ in range(50):
        if len(browser_errors) >= 2:
            break
        page.wait_for_timeout(50)

    assert page.evaluate("window.injected === undefined")
    assert any("CSP violation: script-src" in e for e in browser_errors), browser_errors
    assert any("boom from the page" in e for e in browser_errors), browser_errors
    browser_errors.clear()  # seen and expected: the hook would otherwise fail this test
