"""The browser harness: Playwright for Python driving Debian's Chromium against ``live_server``.

- ``browser`` (session): one headless Chromium for the whole run. Never ``playwright install``:
  the Chromium is the distribution's, at ``/usr/bin/chromium`` (``CHROMIUM`` overrides the path).
  If it is missing, browser tests fail with a message saying what to install; they never skip.
- ``page``: a fresh context (cookies, storage) per test, desktop viewport, Chinese browser.
  ``new_page(phone=True, storage_state=...)`` opens more pages, e.g. a phone signed in as the
  same user.
- Every page collects console errors, uncaught exceptions and CSP violations; a test during
  which any occurred fails (the product runs under a strict Content-Security-Policy).
- A failed browser test leaves a full-page screenshot and the page HTML in ``test-artifacts/``;
  ``shot(page, name)`` saves checkpoint screenshots there on demand.
- ``live_server`` makes every test transactional: the database is flushed after each test,
  which also empties the tables filled by data migrations (roles, regions, industries, the
  default playbook, the default scorecard). ``reference_data`` puts them back before each test
  that needs them.
"""

import glob
import importlib
import os
import re
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import transaction
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# A browser of the product's users: Chinese, in China. The language the server picks for an
# anonymous visitor comes from this Accept-Language (Django's LocaleMiddleware).
BROWSER_LOCALE = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}

# Reported as console errors, through a listener installed before any page script runs.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || "?"}:${e.lineNumber}`);
});
"""

PAGES_KEY = pytest.StashKey[list[Page]]()
ERRORS_KEY = pytest.StashKey[list[str]]()


@contextmanager
def _async_unsafe_allowed() -> Iterator[None]:
    # Playwright's sync API keeps an asyncio event loop running in the main thread from start()
    # to stop(). Django sees that running loop and refuses every ORM call from the main thread
    # (SynchronousOnlyOperation) - but our fixtures and tests must use the ORM there, between
    # browser calls, never inside the loop. DJANGO_ALLOW_ASYNC_UNSAFE turns that guard off, for
    # exactly as long as Playwright runs (until the end of the session once a browser test ran).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with _async_unsafe_allowed(), sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Browser tests need Debian's Chromium: "
            "`apt-get install chromium fonts-noto-cjk` (never `playwright install`), "
            "or set CHROMIUM to its path.",
            pytrace=False,
        )
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """Roles, regions, industries, the default playbook, the default scorecard (factors and
    grade thresholds) and the pipeline defaults (risk factors, loss reasons, policy), as the
    data migrations leave them.

    Not ``serialized_rollback``: once any transactional test without it has flushed the
    database, post_migrate recreates content types under new ids and every later serialized
    restore fails on them. Rerunning the migrations' own loaders (idempotent) is robust.
    """
    from keyaccount.customers.models import ScoringFactor
    from keyaccount.org.models import Role
    from keyaccount.pipeline.models import RiskFactor
    from keyaccount.process.models import Stage

    with transaction.atomic():  # one commit, not one per row: much faster on PostgreSQL
        if not Role.objects.exists():
            importlib.import_module("keyaccount.org.migrations.0002_reference_data").load(
                django_apps, None
            )
        if not Stage.objects.exists():
            importlib.import_module("keyaccount.process.migrations.0002_default_playbook").load(
                django_apps, None
            )
            # the default playbook's evidence criteria (answered by the record)
            importlib.import_module("keyaccount.process.migrations.0005_default_evidence").forwards(
                django_apps, None
            )
        if not ScoringFactor.objects.exists():
            importlib.import_module("keyaccount.customers.migrations.0002_default_scorecard").load(
                django_apps, None
            )
        if not RiskFactor.objects.exists():
            importlib.import_module("keyaccount.pipeline.migrations.0002_defaults").load(
                django_apps, None
            )


@pytest.fixture(autouse=True)
def _browser_test_setup(request: pytest.FixtureRequest, reference_data: None) -> None:
    """Every test here is a browser test: marked (so ``-m "not browser"`` leaves it out), and
    given the reference data before any other fixture (autouse ones run first)."""
    if request.node.get_closest_marker("browser") is None:
        pytest.fail("Tests in tests/browser/ must be marked @pytest.mark.browser.", pytrace=False)
    # A failure's artifacts from an earlier run would otherwise pass for this run's.
    stem = _artifact_name(request.node.name)
    for stale in ARTIFACTS.glob(f"{glob.escape(stem)}*"):
        if re.fullmatch(rf"{re.escape(stem)}(-\d+)?\.(png|html)", stale.name):
            stale.unlink()


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any
) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context: ``new_page()``, ``new_page(phone=True, storage_state=s)``."""
    contexts = []
    pages = request.node.stash.setdefault(PAGES_KEY, [])
    errors = request.node.stash.setdefault(ERRORS_KEY, [])

    def make(*, phone: bool = False, storage_state: Any = None) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            storage_state=storage_state,
            **BROWSER_LOCALE,
            **(PHONE if phone else DESKTOP),
        )
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        label = "phone" if phone else "desktop"
        page.on(
            "console",
            lambda msg: (
                errors.append(f"[{label}] console error: {msg.text} ({msg.location.get('url')})")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: errors.append(f"[{label}] uncaught exception: {exc}"))
        pages.append(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A desktop page in a fresh browser context, on ``live_server``."""
    return new_page()


@pytest.fixture
def browser_errors(request: pytest.FixtureRequest) -> list[str]:
    """The console errors, uncaught exceptions and CSP violations seen so far in this test."""
    return request.node.stash.setdefault(ERRORS_KEY, [])


def _artifact_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_")


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot to ``test-artifacts/<name>.png`` (a journey checkpoint)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{_artifact_name(name)}.png"
    page.screenshot(path=str(path), full_page=True, scale="css")
    return path


def _save_failure_artifacts(item: pytest.Item, pages: list[Page]) -> list[Path]:
    saved = []
    for index, page in enumerate(pages):
        suffix = "" if index == 0 else f"-{index + 1}"
        name = _artifact_name(item.name) + suffix
        try:
            if page.is_closed():
                continue
            saved.append(shot(page, name))
            html = ARTIFACTS / f"{name}.html"
            html.write_text(page.content(), encoding="utf-8")
            saved.append(html)
        except Exception as exc:  # never hide the test's own failure behind this one
            item.add_report_section("call", "artifacts", f"could not save {name}: {exc}")
    return saved


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator:
    report = yield
    if report.when != "call":
        return report
    errors = item.stash.get(ERRORS_KEY, [])
    if report.passed and errors:
        report.outcome = "failed"
        report.longrepr = "The browser reported errors during the test:\n" + "\n".join(
            f"  {e}" for e in errors
        )
    elif report.failed and errors:
        report.sections.append(("browser errors", "\n".join(errors)))
    if report.failed:
        saved = _save_failure_artifacts(item, item.stash.get(PAGES_KEY, []))
        if saved:
            report.sections.append(("artifacts", "\n".join(str(p) for p in saved)))
    return report
