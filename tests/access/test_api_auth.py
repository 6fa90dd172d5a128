"""The other ways in: personal API tokens give the same matrix as the session, dead tokens give
nothing, and a session's unsafe request without its CSRF token is refused and changes nothing."""

import pytest
from django.test import Client
from django.utils import timezone

from keyaccount.org.models import ApiToken
from keyaccount.org.services import api_token_create

from .harness import run, snapshot, user_of
from .registry import ROLES, ROUTES, SIGNED_IN, Route, is_denied

API_READS = [route for route in ROUTES if route.api and route.method == "GET"]
WRITES = [route for route in ROUTES if route.write]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def no_session(user) -> Client:
    return Client()


@pytest.mark.parametrize(
    ("route", "role"),
    [
        pytest.param(route, role, id=f"{route.name}-{role}")
        for route in API_READS
        for role in SIGNED_IN
    ],
)
def test_token_gives_the_same_matrix_as_the_session(route: Route, role: str, cast):
    key = api_token_create(actor=user_of(cast, role), name="matrix").key
    run(route, role, cast, no_session, headers=bearer(key))


def _revoked(cast) -> str:
    issued = api_token_create(actor=cast.kam, name="old script")
    ApiToken.objects.filter(pk=issued.token.pk).update(revoked_at=timezone.now())
    return issued.key


def _of_inactive_user(cast) -> str:
    issued = api_token_create(actor=cast.kam, name="script")
    cast.kam.is_active = False
    cast.kam.save(update_fields=["is_active"])
    return issued.key


def _unknown(cast) -> str:
    return "ka_" + "x" * 43


DEAD_TOKENS = {"revoked": _revoked, "inactive_user": _of_inactive_user, "unknown": _unknown}


@pytest.mark.parametrize(
    ("route", "kind"),
    [
        pytest.param(route, kind, id=f"{route.name}-{kind}")
        for route in API_READS
        for kind in DEAD_TOKENS
    ],
)
def test_dead_token_is_401(route: Route, kind: str, cast):
    key = DEAD_TOKENS[kind](cast)
    run(route, "kam", cast, no_session, headers=bearer(key), expected=401)


def test_token_is_not_a_session(cast):
    """A token authenticates its request only: it signs nobody in for the pages."""
    key = api_token_create(actor=cast.kam, name="script").key
    client = Client()
    assert client.get("/api/me", headers=bearer(key)).status_code == 200
    assert client.get("/", headers=bearer(key)).status_code == 302
    assert client.get("/api/me").status_code == 401


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def actor_for(route: Route) -> str:
    """A role the write is allowed to, so only CSRF can be what refuses it."""
    allowed = [role for role in ROLES if not is_denied(route.expect[role])]
    return allowed[0] if allowed else SIGNED_IN[0]


@pytest.mark.parametrize(
    "route", [pytest.param(route, id=f"{route.name}-{route.method}") for route in WRITES]
)
def test_unsafe_request_without_csrf_token_is_refused(route: Route, cast):
    """Every write, pages and API alike, as a session user who may do it: 403, nothing changed."""
    run(route, actor_for(route), cast, csrf_client, expected=403)


def test_with_its_csrf_token_the_same_write_goes_through(cast):
    """The control for the test above: the refusal is the CSRF check, not something else."""
    client = csrf_client(cast.kam)
    assert client.get("/settings/tokens/").status_code == 200
    before = snapshot()
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/settings/tokens/", {"name": "nightly export", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=cast.kam, name="nightly export").count() == 1
    assert snapshot() != before
