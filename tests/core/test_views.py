"""The shell: home, health check, Content-Security-Policy, error pages, navigation."""

import re
from html.parser import HTMLParser
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import DatabaseError, connection
from django.test import RequestFactory

from keyaccount.core import views
from keyaccount.core.navigation import navigation_for

# --- health check -------------------------------------------------------------------------


def test_healthz_answers_200_with_the_database_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_never_cached(client, db):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_unreachable(client, db):
    with mock.patch.object(connection, "cursor", side_effect=DatabaseError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def test_healthz_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405


# --- home -----------------------------------------------------------------------------------


def test_home_sends_anonymous_users_to_the_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_home_shows_my_roles_and_unit(cast, client_for):
    cast.head.language = "en"
    cast.head.save()
    response = client_for(cast.head).get("/")
    assert response.status_code == 200
    assert [a.role.code for a in response.context["assignments"]] == ["department_head"]
    assert response.context["scope_unit_count"] == 3
    assert {u.name for u in response.context["visible_units"]} == {
        "测试公司",
        "大客户部",
        "华东团队",
        "华北团队",
    }
    # by the pinyin of the shown name (用户N, by N: as the cast made them)
    assert [c.username for c in response.context["colleagues"]] == ["director", "assistant"]


# --- Content-Security-Policy --------------------------------------------------------------


class ScriptCollector(HTMLParser):
    """Every <script> tag with its attributes and whether it has inline content."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.inline_handlers: list[str] = []
        self.style_attributes = 0
        self.style_blocks = 0
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.inline_handlers += [name for name in attributes if name.startswith("on")]
        self.style_attributes += "style" in attributes
        if tag == "style":
            self.style_blocks += 1
        if tag == "script":
            self._in_script = {**attributes, "_body": ""}
            self.scripts.append(self._in_script)

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script["_body"] = (self._in_script["_body"] or "") + data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def header_nonce(response) -> str:
    policy = response["Content-Security-Policy"]
    match = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_\-+/=]+)'", policy)
    assert match is not None, policy
    return match.group(1)


PAGES = ["/", "/process/", "/org/", "/settings/tokens/", "/accounts/password/", "/no-such-page/"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_a_strict_content_security_policy(cast, client_for, path):
    response = client_for(cast.kam).get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "style-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


@pytest.mark.parametrize("path", PAGES)
def test_every_script_carries_the_requests_nonce(cast, client_for, path):
    response = client_for(cast.kam).get(path)
    nonce = header_nonce(response)
    parser = ScriptCollector()
    parser.feed(response.content.decode())
    executable = [s for s in parser.scripts if s.get("type") != "application/json"]
    assert len(executable) >= 2  # tabler and htmx on every page of the shell
    assert [s.get("nonce") for s in executable] == [nonce] * len(executable)
    assert all(s.get("src") for s in executable), "inline script found"


def test_json_data_blocks_are_not_executable_scripts(cast, client_for):
    parser = ScriptCollector()
    parser.feed(client_for(cast.kam).get("/process/").content.decode())
    data_blocks = [s for s in parser.scripts if s.get("type") == "application/json"]
    assert [s["id"] for s in data_blocks] == ["playbook-chart-data"]
    assert all(s.get("src") is None for s in data_blocks)


@pytest.mark.parametrize("path", [*PAGES, "/accounts/login/"])
def test_pages_have_no_inline_handlers_or_styles_that_the_policy_would_block(
    cast, client_for, path
):
    user = None if path == "/accounts/login/" else cast.kam
    parser = ScriptCollector()
    parser.feed(client_for(user).get(path).content.decode())
    assert parser.inline_handlers == []
    assert (parser.style_attributes, parser.style_blocks) == (0, 0)


def test_the_login_page_scripts_carry_the_nonce(client, db):
    response = client.get("/accounts/login/")
    parser = ScriptCollector()
    parser.feed(response.content.decode())
    # tabler, htmx, the type-ahead pickers
    assert [s.get("nonce") for s in parser.scripts] == [header_nonce(response)] * 3


def test_each_request_gets_a_new_nonce(cast, client_for):
    client = client_for(cast.kam)
    assert header_nonce(client.get("/")) != header_nonce(client.get("/"))


def test_pages_cannot_be_framed(cast, client_for):
    assert client_for(cast.kam).get("/")["X-Frame-Options"] == "DENY"


# --- error pages --------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "html_lang"), [("en", "en"), ("zh-hans", "zh-hans")])
def test_missing_url_while_signed_in_is_a_404_page_in_my_language(
    cast, client_for, language, html_lang
):
    cast.kam.language = language
    cast.kam.save()
    response = client_for(cast.kam).get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert f'<html lang="{html_lang}">' in body
    assert '<div class="ka-error-code">404</div>' in body
    assert response["Content-Language"] == language


def test_missing_url_for_anonymous_user_is_a_404_not_a_login_redirect(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert '<div class="ka-error-code">404</div>' in response.content.decode()


def test_error_handlers_are_wired():
    from keyaccount import urls

    assert urls.handler403 == "keyaccount.core.views.error_403"
    assert urls.handler404 == "keyaccount.core.views.error_404"
    assert urls.handler500 == "keyaccount.core.views.error_500"


def test_500_page_renders_without_a_database():
    # No `db` fixture: any query here would fail the test.
    request = RequestFactory().get("/anything/")
    response = views.error_500(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert '<div class="empty-header">500</div>' in body
    assert '<a href="/" class="btn btn-primary">' in body
    assert "<script" not in body


def test_403_page_renders_with_status_403(cast):
    request = RequestFactory().get("/somewhere/")
    request.user = cast.kam
    response = views.error_403(request)
    assert response.status_code == 403
    assert "<html lang=" in response.content.decode()


# --- navigation ---------------------------------------------------------------------------


def labels(items):
    return [str(item["label"]) for item in items]


def test_navigation_hides_the_back_office_from_non_staff():
    from django.utils import translation

    user = SimpleNamespace(is_authenticated=True, is_staff=False)
    staff = SimpleNamespace(is_authenticated=True, is_staff=True)
    with translation.override("en"):
        for_user = labels(navigation_for(user, "/"))
        for_staff = labels(navigation_for(staff, "/"))
    assert for_user[0] == "Home"
    assert {"Sales process", "Organisation", "API"} <= set(for_user)
    assert "Back office" not in for_user
    assert for_staff == [*for_user, "Back office"]


def test_navigation_is_empty_for_anonymous_users():
    assert navigation_for(SimpleNamespace(is_authenticated=False, is_staff=False), "/") == []


@pytest.mark.parametrize(
    ("path", "active"),
    [("/", "home"), ("/process/", "route"), ("/org/", "sitemap"), ("/api/docs", "api")],
)
def test_navigation_marks_only_the_current_section_active(path, active):
    user = SimpleNamespace(is_authenticated=True, is_staff=True)
    items = navigation_for(user, path)
    assert [item["icon"] for item in items if item["active"]] == [active]
