"""Pages about me and my organisation: language switch, API tokens, the org tree."""

import pytest
from django.conf import settings

from keyaccount.org.models import ApiToken
from keyaccount.org.services import api_token_create

# --- set_language ---------------------------------------------------------------------------


def test_set_language_saves_the_preference_sets_the_cookie_and_redirects(cast, client_for):
    response = client_for(cast.kam).post(
        "/settings/language/", {"language": "en", "next": "/process/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/process/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True
    assert cookie["max-age"] == settings.LANGUAGE_COOKIE_AGE
    cast.kam.refresh_from_db()
    assert cast.kam.language == "en"


def test_the_saved_language_is_used_on_the_next_page(cast, client_for):
    client = client_for(cast.kam)
    client.post("/settings/language/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post("/settings/language/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example.com/",
        "//evil.example.com/",
        "http://evil.example.com/process/",
        "javascript:alert(1)",
        "https:///evil.example.com",
        "",
    ],
)
def test_set_language_redirects_only_to_a_safe_next(cast, client_for, next_url):
    response = client_for(cast.kam).post(
        "/settings/language/", {"language": "en", "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_set_language_keeps_a_local_next_with_its_query(cast, client_for):
    response = client_for(cast.kam).post(
        "/settings/language/", {"language": "en", "next": "/org/?page=2"}
    )
    assert response["Location"] == "/org/?page=2"


def test_set_language_for_anonymous_sets_only_the_cookie(client, db):
    response = client.post("/settings/language/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get("/accounts/login/").content.decode()


def test_set_language_refuses_an_unknown_language_and_changes_nothing(cast, client_for):
    response = client_for(cast.kam).post("/settings/language/", {"language": "fr", "next": "/"})
    assert response.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    cast.kam.refresh_from_db()
    assert cast.kam.language == "zh-hans"


def test_set_language_refuses_get(cast, client_for):
    assert client_for(cast.kam).get("/settings/language/").status_code == 405


def test_set_language_requires_the_csrf_token(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.kam)
    response = client.post("/settings/language/", {"language": "en"})
    assert response.status_code == 403
    cast.kam.refresh_from_db()
    assert cast.kam.language == "zh-hans"


# --- API tokens -----------------------------------------------------------------------------


def test_tokens_page_requires_login(client, db):
    response = client.get("/settings/tokens/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/settings/tokens/"


def test_tokens_page_lists_only_my_tokens(cast, client_for):
    api_token_create(actor=cast.kam, name="my script")
    api_token_create(actor=cast.colleague, name="colleague script")
    response = client_for(cast.kam).get("/settings/tokens/")
    assert response.status_code == 200
    assert [t.name for t in response.context["tokens"]] == ["my script"]
    body = response.content.decode()
    assert "my script" in body
    assert "colleague script" not in body


def test_creating_a_token_shows_the_key_once(cast, client_for):
    client = client_for(cast.kam)
    response = client.post("/settings/tokens/", {"name": "nightly sync"})
    assert response.status_code == 200
    issued = response.context["issued"]
    assert issued.token.name == "nightly sync"
    assert response.content.decode().count(issued.key) == 1
    assert issued.key not in client.get("/settings/tokens/").content.decode()
    assert ApiToken.objects.get(user=cast.kam).prefix == issued.key[:10]


def test_creating_a_token_with_a_duplicate_name_is_refused_with_the_message(cast, client_for):
    cast.kam.language = "en"
    cast.kam.save()
    api_token_create(actor=cast.kam, name="nightly sync")
    response = client_for(cast.kam).post("/settings/tokens/", {"name": "nightly sync"})
    assert response.status_code == 400
    assert response.context["issued"] is None
    assert "You already have an active token with this name." in response.content.decode()
    assert ApiToken.objects.filter(user=cast.kam).count() == 1


def test_creating_a_token_without_a_name_is_refused(cast, client_for):
    response = client_for(cast.kam).post("/settings/tokens/", {"name": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert ApiToken.objects.count() == 0


def test_revoking_my_token(cast, client_for):
    token = api_token_create(actor=cast.kam, name="old").token
    response = client_for(cast.kam).post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/settings/tokens/"
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("role", ["colleague", "head", "admin"])
def test_revoking_someone_elses_token_is_a_404_and_changes_nothing(cast, client_for, role):
    token = api_token_create(actor=cast.kam, name="mine").token
    response = client_for(cast.roles()[role]).post(f"/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_a_missing_token_is_a_404(cast, client_for):
    assert client_for(cast.kam).post("/settings/tokens/999999/revoke/").status_code == 404


def test_revoking_by_get_is_refused(cast, client_for):
    token = api_token_create(actor=cast.kam, name="mine").token
    assert client_for(cast.kam).get(f"/settings/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


# --- the org tree page ----------------------------------------------------------------------


def test_org_tree_page_requires_login(client, db):
    assert client.get("/org/")["Location"] == "/accounts/login/?next=/org/"


def test_outsider_does_not_see_the_ka_departments_teams(cast, client_for):
    response = client_for(cast.outsider).get("/org/")
    assert response.status_code == 200
    assert [r.name for r in response.context["rows"]] == ["测试公司", "市场部"]
    body = response.content.decode()
    assert "华东团队" not in body
    assert "华北团队" not in body
    assert "大客户部" not in body


def test_kam_sees_the_own_team_and_the_chain_above_it(cast, client_for):
    response = client_for(cast.kam).get("/org/")
    assert [r.name for r in response.context["rows"]] == [
        "测试公司",
        "大客户部",
        "华东团队",
    ]
    assert "华北团队" not in response.content.decode()


def test_director_sees_both_teams_of_the_department(cast, client_for):
    response = client_for(cast.director).get("/org/")
    assert [r.name for r in response.context["rows"]] == [
        "测试公司",
        "大客户部",
        "华东团队",
        "华北团队",
    ]


def test_admin_sees_every_unit_and_the_manage_link(cast, client_for):
    client = client_for(cast.admin)
    response = client.get("/org/")  # the company open, its departments folded
    assert [r.name for r in response.context["rows"]] == ["测试公司", "大客户部", "市场部"]
    assert 'href="/admin/org/orgunit/"' in response.content.decode()
    opened = client.get(f"/org/?unit={cast.ka_dept.pk}").context["rows"]
    assert [r.name for r in opened] == ["测试公司", "大客户部", "华东团队", "华北团队", "市场部"]


def test_non_staff_do_not_get_the_manage_link(cast, client_for):
    assert 'href="/admin/org/orgunit/"' not in client_for(cast.head).get("/org/").content.decode()


def test_org_tree_page_runs_a_bounded_number_of_queries(
    cast, client_for, django_assert_max_num_queries
):
    from ..factories import OrgUnitFactory, UserFactory

    client = client_for(cast.admin)
    client.get("/org/")  # warm the session
    for n in range(20):
        unit = OrgUnitFactory(name=f"小组{n}", parent=cast.east)
        UserFactory(username=f"member{n}", unit=unit)
    with django_assert_max_num_queries(12):
        assert client.get("/org/").status_code == 200
