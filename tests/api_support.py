"""Helpers for the REST API tests: a JSON client signed in by session or by personal token, and
customers built through the services (registration request → assistant approves)."""

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keyaccount.customers import rules, services
from keyaccount.customers.models import Customer
from keyaccount.org.models import User
from keyaccount.org.services import api_token_create

VIAS = ("session", "token")
_token_names = itertools.count(1)


class Api:
    """A JSON client for /api/ as one user, by browser session or by ``Authorization: Bearer``."""

    def __init__(self, user: User | None, via: str = "session", *, csrf: bool = False) -> None:
        self.user = user
        self.via = via
        headers: dict[str, str] = {}
        if user is not None and via == "token":
            issued = api_token_create(actor=user, name=f"tests-{next(_token_names)}")
            headers["Authorization"] = f"Bearer {issued.key}"
        self.client = Client(enforce_csrf_checks=csrf, headers=headers)
        if user is not None and via == "session":
            self.client.force_login(user)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, data=params or {})

    def _send(self, method: str, path: str, body: Any, **headers: str) -> Any:
        return getattr(self.client, method)(
            path, data=json.dumps(body), content_type="application/json", headers=headers or None
        )

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self._send("post", path, body, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self._send("patch", path, body, **headers)

    def put(self, path: str, body: Any, **headers: str) -> Any:
        return self._send("put", path, body, **headers)


def credit_code(n: int) -> str:
    """A valid unified social credit code, different for every ``n``."""
    first17 = f"91320{n:012d}"
    return first17 + rules.credit_code_check_char(first17)


def registered(
    owner: User, assistant: User, name: str, *, approve: bool = True, **fields: Any
) -> Customer:
    """A customer requested by ``owner`` and (by default) approved by ``assistant``."""
    result = services.registration_request(
        actor=owner, data={"name": name, **fields}, confirm_not_duplicate=True
    )
    assert result.request is not None
    if approve:
        services.registration_decide(actor=assistant, request=result.request, approve=True)
    return Customer.objects.get(pk=result.request.customer_id)


@contextmanager
def count_queries() -> Iterator[CaptureQueriesContext]:
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
