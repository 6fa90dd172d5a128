"""Every URL pattern and every API operation of the product is in the access-matrix registry.

A route nobody registered is a route whose access nobody checked: these tests list each one.
"""

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from keyaccount.api import api as ninja_api

from .registry import EXCLUDED_PREFIXES, ROUTES, Route


def join(prefix: str, pattern: str) -> str:
    """Join routes as ``ResolverMatch.route`` does (a nested regex loses its leading ``^``)."""
    return prefix + pattern.removeprefix("^") if prefix else pattern


def url_patterns(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    """Every URL pattern of the site as a full route string, through every ``include``."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = join(prefix, str(entry.pattern))
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry, route)
        else:
            assert isinstance(entry, URLPattern)
            yield route


def openapi_path(route: str) -> str:
    """``api/org/units/<unit_id>`` (Django) → ``/api/org/units/{unit_id}`` (OpenAPI)."""
    return "/" + re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", route)


def resolved(cast) -> list[tuple[Route, str]]:
    """Each registry entry with the URL pattern its URL resolves to."""
    out = []
    for route in ROUTES:
        with transaction.atomic():  # each route's setup on its own, as in the matrix
            url = route.url(cast, route.objects(cast))
            transaction.set_rollback(True)
        out.append((route, resolve(urlsplit(url).path).route))  # stale entry: Resolver404
    return out


def api_operations() -> set[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete", "head", "options"}
    }


def test_every_url_pattern_is_registered(cast):
    patterns = {pattern for _, pattern in resolved(cast)}
    site = {p for p in url_patterns() if not p.startswith(EXCLUDED_PREFIXES)}
    assert len(site) >= 15, "the resolver walk found suspiciously few URL patterns"
    missing = sorted(site - patterns)
    assert not missing, "URL patterns missing from tests/access/registry.py:\n" + "\n".join(missing)


def test_every_api_operation_is_registered(cast):
    existing = api_operations()
    assert existing, "the OpenAPI schema lists no operation"
    operation_paths = {path for _, path in existing}
    registered: set[tuple[str, str]] = set()
    for route, pattern in resolved(cast):
        path = openapi_path(pattern)
        # ``api(..., operation=False)`` exactly for the API's URLs that are not operations.
        assert route.api == (path in operation_paths), (
            f"{route.name}: operation={route.api}, but {path} is "
            f"{'' if path in operation_paths else 'not '}in the OpenAPI schema"
        )
        if route.api:
            assert (route.method, path) in existing, f"{route.name}: no {route.method} {path}"
            registered.add((route.method, path))
    missing = sorted(existing - registered)
    assert not missing, "API operations missing from tests/access/registry.py:\n" + "\n".join(
        f"{method} {path}" for method, path in missing
    )


def test_admin_is_covered_by_representative_entries(cast):
    """The back office is excluded wholesale, so at least its front door must be registered."""
    patterns = {pattern for _, pattern in resolved(cast)}
    assert "admin/" in patterns
    assert any(p.startswith("admin/") and p.endswith("/change/") for p in patterns)


def test_walk_and_registry_agree_on_route_strings(cast):
    """Guard the comparison itself: what the walk yields is what ``resolve`` reports."""
    walked = set(url_patterns())
    patterns = {pattern for _, pattern in resolved(cast)}
    assert patterns <= walked, sorted(patterns - walked)
