"""Running one registry entry as one role, checking the outcome, and snapshotting the database."""

import hashlib
import json
from collections.abc import Callable
from functools import cache
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.files import File
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from keyaccount.org.models import User

from ..conftest import Cast
from .registry import (
    ADMIN_LOGIN,
    ANONYMOUS,
    LOGIN,
    Ctx,
    Expected,
    Redirect,
    Route,
    status_of,
)

#: Tables a request may write without changing anything of the product: sessions (signing in and
#: out) and django-axes' log of sign-in attempts.
UNTRACKED_APPS = frozenset({"sessions", "axes"})


@cache
def tracked_tables() -> tuple[tuple[str, str], ...]:
    """(label, SELECT statement) for every table except ``UNTRACKED_APPS``."""
    quote = connection.ops.quote_name
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in UNTRACKED_APPS or meta.proxy or not meta.managed:
            continue
        sql = f"SELECT * FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)}"  # noqa: S608
        tables.append((meta.label, sql))
    return tuple(tables)


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row, for every table except ``UNTRACKED_APPS``.

    Covers every app of the product and the test apps (with their history and many-to-many
    tables), auth, content types and the admin log: one plain query per table.
    """
    state: dict[str, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        for label, sql in tracked_tables():
            cursor.execute(sql)
            rows = cursor.fetchall()
            state[label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


def diff(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    """One line per table that differs: its row counts, and "(contents)" if only rows changed."""
    lines = []
    for label in sorted(set(before) | set(after)):
        (rows_before, hash_before), (rows_after, hash_after) = (
            before.get(label, (0, "")),
            after.get(label, (0, "")),
        )
        if (rows_before, hash_before) != (rows_after, hash_after):
            same_count = rows_before == rows_after
            lines.append(
                f"{label}: {rows_before} → {rows_after} rows"
                + (" (contents)" if same_count else "")
            )
    return lines


def send(route: Route, client: Client, url: str, body: dict, **headers: str) -> HttpResponse:
    """Send the route's request: form-encoded for pages, JSON for the API."""
    method = route.method.lower()
    if not route.write:
        return getattr(client, method)(url, headers=headers or None)
    if route.api and any(isinstance(v, File) for v in body.values()):  # an upload
        return getattr(client, method)(url, data=body, headers=headers or None)
    if route.api:
        return getattr(client, method)(
            url, data=json.dumps(body), content_type="application/json", headers=headers or None
        )
    if method == "post":
        return client.post(url, data=body, headers=headers or None)
    # Other unsafe methods on pages: urlencoded like a browser form would send them.
    return getattr(client, method)(
        url,
        data=urlencode(body),
        content_type="application/x-www-form-urlencoded",
        headers=headers or None,
    )


def user_of(cast: Cast, role: str) -> User | None:
    return None if role == ANONYMOUS else cast.roles()[role]


def run(
    route: Route,
    role: str,
    cast: Cast,
    make_client: Callable[[User | None], Client],
    *,
    headers: dict[str, str] | None = None,
    expected: Expected | None = None,
) -> Ctx:
    """Request ``route`` as ``role``; assert the outcome, the snapshot on denial, ``verify``."""
    o = route.objects(cast)
    user = user_of(cast, role)
    client = make_client(user)
    url = route.url(cast, o)
    ctx = Ctx(
        route=route,
        role=role,
        cast=cast,
        o=o,
        user=user,
        client=client,
        url=url,
        expected=route.expect[role] if expected is None else expected,
    )
    before = snapshot() if route.write and ctx.denied else None
    ctx.response = send(route, client, url, route.body(cast, o), **(headers or {}))
    assert_outcome(ctx)
    if before is not None:
        changed = diff(before, snapshot())
        assert not changed, f"denied {route.name} as {role} changed: {changed}"
    if route.verify is not None:
        route.verify(ctx)
    return ctx


def login_location(url: str, login: str) -> str:
    login_url = reverse("admin:login") if login == ADMIN_LOGIN else settings.LOGIN_URL
    return redirect_to_login(url, login_url)["Location"]


def assert_outcome(ctx: Ctx) -> None:
    response = ctx.response
    expected = ctx.expected
    got = response.status_code
    want = status_of(expected)
    where = f"{ctx.route.method} {ctx.url} as {ctx.role}"
    assert got == want, f"{where}: expected {want}, got {got}" + (
        f" → {response.headers.get('Location')}" if got in (301, 302) else ""
    )
    if isinstance(expected, Redirect):
        location = response.headers["Location"]
        if expected.to in (LOGIN, ADMIN_LOGIN):
            assert location == login_location(ctx.url, expected.to), f"{where}: → {location}"
        else:
            assert location == expected.to, f"{where}: → {location}, not {expected.to}"
