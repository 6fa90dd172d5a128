"""The access matrix: every registered route × every role, the exact outcome, nothing changed on
denial. See ``registry.py`` for how to register a route and what the expectations mean."""

import pytest

from .harness import run
from .registry import ROLES, ROUTES, Route

CASES = [
    pytest.param(route, role, id=f"{route.name}-{route.method}-{role}")
    for route in ROUTES
    for role in ROLES
]


@pytest.mark.parametrize(("route", "role"), CASES)
def test_access(route: Route, role: str, cast, client_for):
    run(route, role, cast, client_for)
