"""Integers no database key can hold, sent to every route of the access matrix.

A hostile battery (issue 8 §6) found integers ≥ 2^63 answered with 500: SQLite refuses to even
compare with them (``OverflowError``). Every id and integer input is now bounded where it is
read: the URL converter of page ids (``core.converters``), the API's schemas (``core.schemas.Id``
and bounded counts) and the forms (``core.forms``). This module walks every route registered in
the access matrix (``registry.ROUTES``) as a role that may use it, and sends, one request each:

- every integer segment of its path replaced by 2^64 and by 0: a page answers 404 (the URL does
  not resolve, or names nothing), the API 422 (the id is out of range);
- for an API operation, every integer its OpenAPI schema takes in the query string or the JSON
  body (a list of ids too, and nested objects the entry's body has), replaced by 2^64 and by one
  less than its minimum: 422;
- for a page, every integer value of the entry's query string and form body, and the integer
  fields its form or filter takes (``PAGE_QUERY_INTEGERS``, ``PAGE_BODY_INTEGERS``), replaced by
  2^64: a form refuses it (400, or 404 for the record it names), a GET filter drops it with a
  message and answers as it would without it (the list's lenient behaviour).

Never a 500 or a traceback; a write changes nothing (the matrix's snapshot). Two static tests
keep the bounds from coming undone: every integer and list of the API's request schemas has its
bounds, and every integer field of the product's forms is bounded.
"""

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from django import forms
from django.test import Client
from django.urls import Resolver404, resolve

from keyaccount.api import api as ninja_api
from keyaccount.core.lookup import MAX_ID
from keyaccount.org.models import User

from ..conftest import Cast
from .harness import diff, send, snapshot
from .registry import ROUTES, SIGNED_IN, Route, is_denied, status_of

HUGE = 2**64  # 18446744073709551616: beyond a signed 64-bit key (and an unsigned one's range)

#: Integer GET parameters of the pages (resolver name → parameters): the filters and the
#: ``?customer=``/``?edit=``/``?page=`` a page reads besides those in the registry's URLs.
PAGE_QUERY_INTEGERS: dict[str, tuple[str, ...]] = {
    "customers:list": ("region", "industry", "owner", "team", "page"),
    "customers_io:export_list": ("region", "industry", "owner", "team"),
    "customers_io:export_contacts": ("region", "industry", "owner", "team"),
    "customers:registrations": ("page",),
    "pipeline:list": ("owner", "team", "region", "industry", "customer", "stage", "page"),
    "pipeline:board": ("owner", "team", "region", "industry", "customer", "stage"),
    "pipeline:major": ("owner", "team", "region", "industry", "customer", "stage", "page"),
    "pipeline:export": ("owner", "team", "region", "industry", "customer", "stage"),
    "pipeline:major_export": ("owner", "team", "region", "industry", "customer", "stage"),
    "pipeline:overrides": ("page",),
    "pipeline:create": ("customer",),
    "pipeline:power_map": ("edit",),
    "pipeline:detail": ("edit",),
    "contacts:contact_add": ("reports_to",),
    "org:notifications": ("page",),
}

#: Integer form fields of the pages' writes that the registry's bodies leave out (optional ones).
PAGE_BODY_INTEGERS: dict[str, tuple[str, ...]] = {
    "customers:edit": ("region", "industry", "employees", "technical_staff"),
    "customers:register": ("region", "industry"),
    "contacts:contact_add": ("reports_to",),
    "contacts:contact_edit": ("reports_to",),
    "pipeline:lose": ("winner",),
    "pipeline:competitor_set": ("competitor",),
    "pipeline:create": ("customer",),
}


# --- what to send ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    where: str
    url: str
    body: dict[str, Any]
    allowed: frozenset[int]


def _with_path(url: str, index: int, value: int) -> str:
    parts = urlsplit(url)
    segments = parts.path.split("/")
    segments[index] = str(value)
    return urlunsplit(parts._replace(path="/".join(segments)))


def _with_query(url: str, name: str, value: Any) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    return urlunsplit(parts._replace(query=urlencode([*query, (name, str(value))])))


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdigit())


def _view_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


# --- the API's schema -----------------------------------------------------------------------


@cache
def _openapi() -> dict[str, Any]:
    return ninja_api.get_openapi_schema(path_prefix="/api/")


@cache
def _operations() -> list[tuple[re.Pattern[str], str, dict[str, Any]]]:
    found = []
    for template, methods in _openapi()["paths"].items():
        pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template)) + r"\Z")
        found.extend((pattern, method.upper(), op) for method, op in methods.items())
    return found


def _operation(route: Route, path: str) -> dict[str, Any] | None:
    for pattern, method, op in _operations():
        if method == route.method and pattern.match(path):
            return op
    return None


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = _openapi()["components"]["schemas"][name]
    return schema


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(schema)
    if "anyOf" in schema:
        return [b for s in schema["anyOf"] for b in _branches(s)]
    if "allOf" in schema:
        return [b for s in schema["allOf"] for b in _branches(s)]
    return [schema]


def _integer(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The integer branch of a schema (a scalar), if it takes one."""
    return next((b for b in _branches(schema) if b.get("type") == "integer"), None)


def _integer_items(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The integer items of a schema that takes a list of integers."""
    for branch in _branches(schema):
        if branch.get("type") == "array" and "items" in branch:
            found = _integer(branch["items"])
            if found is not None:
                return found
    return None


def _bad_values(integer: dict[str, Any]) -> list[int]:
    values = [HUGE]
    if "minimum" in integer:
        values.append(int(integer["minimum"]) - 1)
    return values


Key = tuple[str | int, ...]


def _body_integers(schema: dict[str, Any], body: Any, at: Key = ()) -> Iterator[tuple[Key, Any]]:
    """(where in the body, a bad value) for every integer the body schema takes: its own
    properties, and those of the nested objects the entry's body fills in."""
    for branch in _branches(schema):
        for name, prop in branch.get("properties", {}).items():
            key = (*at, name)
            integer, items = _integer(prop), _integer_items(prop)
            if integer is not None:
                yield from ((key, v) for v in _bad_values(integer))
            elif items is not None:
                yield from ((key, [v]) for v in _bad_values(items))
            sub = body.get(name) if isinstance(body, dict) else None
            if isinstance(sub, dict):
                for nested in _branches(prop):
                    yield from _body_integers(nested, sub, key)
                    if "additionalProperties" in nested:
                        for k, v in sub.items():
                            yield from _body_integers(nested["additionalProperties"], v, (*key, k))
            elif isinstance(sub, list) and sub:
                for nested in _branches(prop):
                    if nested.get("type") == "array" and "items" in nested:
                        yield from _body_integers(nested["items"], sub[0], (*key, 0))


def _set(body: dict[str, Any], key: Key, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target: Any = changed
    for part in key[:-1]:
        target = target[part]
    target[key[-1]] = value
    return changed


def _api_probes(route: Route, url: str, body: dict[str, Any]) -> Iterator[Probe]:
    path = urlsplit(url).path
    op = _operation(route, path)
    assert op is not None, f"{route.name}: no API operation for {route.method} {path}"
    refused = frozenset({422})
    for param in op.get("parameters", []):
        if param["in"] != "query":
            continue
        integer = _integer(param["schema"]) or _integer_items(param["schema"])
        if integer is not None:
            for value in _bad_values(integer):
                yield Probe(f"query {param['name']}={value}", _with_query(url, param["name"], value), body, refused)
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if content is not None and route.write:
        for key, value in _body_integers(content["schema"], body):
            yield Probe(f"body {'.'.join(map(str, key))}={value}", url, _set(body, key, value), refused)


def _page_probes(route: Route, url: str, body: dict[str, Any], expected: int) -> Iterator[Probe]:
    parts = urlsplit(url)
    name = _view_name(parts.path)
    query = dict(parse_qsl(parts.query))
    params = [k for k, v in query.items() if _is_int(v)]
    params += [p for p in PAGE_QUERY_INTEGERS.get(name or "", ()) if p not in params]
    # A GET filter drops what it cannot use and answers as it would have without it; a form
    # that reads an id from the query string (the customer of a new deal) answers 404 for it.
    lenient = frozenset({expected, 404})
    if not route.write:
        for param in params:
            yield Probe(f"query {param}", _with_query(url, param, HUGE), body, lenient)
        return
    fields = [k for k, v in body.items() if _is_int(v) or (isinstance(v, list) and v and all(map(_is_int, v)))]
    fields += [f for f in PAGE_BODY_INTEGERS.get(name or "", ()) if f not in fields]
    refused = frozenset({400, 404})
    for param in params:
        yield Probe(f"query {param}", _with_query(url, param, HUGE), body, refused)
    for field in fields:
        value = [HUGE] if isinstance(body.get(field), list) else HUGE
        yield Probe(f"body {field}", url, {**body, field: value}, refused)


def probes(route: Route, url: str, body: dict[str, Any], expected: int) -> list[Probe]:
    found = []
    segments = urlsplit(url).path.split("/")
    for index, segment in enumerate(segments):
        if _is_int(segment):
            for value in (HUGE, 0):
                found.append(
                    Probe(
                        f"path segment {index}={value}",
                        _with_path(url, index, value),
                        body,
                        frozenset({422} if route.api else {404}),
                    )
                )
    if route.api:
        found.extend(_api_probes(route, url, body))
    elif _view_name(urlsplit(url).path) is not None:
        found.extend(_page_probes(route, url, body, expected))
    return found


# --- who sends it ---------------------------------------------------------------------------


def role_for(route: Route) -> str:
    """The first role of the cast the route serves (sees its objects, may do its write); the
    administrator when it serves nobody (a missing record, a refused method)."""
    for role in SIGNED_IN:
        expected = route.expect[role]
        if not is_denied(expected) and status_of(expected) != 405:
            return role
    return "admin"


CASES = [
    pytest.param(route, id=f"{route.name}-{route.method}")
    for route in ROUTES
    if not route.url_spec or True
]


@pytest.mark.parametrize("route", CASES)
def test_out_of_range_integers_are_refused(
    route: Route, cast: Cast, client_for: Callable[[User | None], Client]
) -> None:
    role = role_for(route)
    o: SimpleNamespace = route.objects(cast)
    url = route.url(cast, o)
    body = route.body(cast, o)
    expected = status_of(route.expect[role])
    tried = probes(route, url, body, expected)
    if not tried:
        pytest.skip("no integer input")  # replaced below by a filter on CASES
    client = client_for(cast.roles()[role])
    client.raise_request_exception = False
    before = snapshot() if route.write else None
    failures = []
    for probe in tried:
        allowed = probe.allowed | ({expected} if expected == 405 else set())
        response = send(route, client, probe.url, probe.body)
        status = response.status_code
        if status not in allowed or b"Traceback" in response.content:
            failures.append(f"{probe.where}: {route.method} {probe.url} → {status}, not {sorted(allowed)}")
        if before is not None:
            changed = diff(before, snapshot())
            if changed:
                failures.append(f"{probe.where}: changed {changed}")
                before = snapshot()
    assert not failures, f"{route.name} as {role}:\n" + "\n".join(failures)


def _unbounded(schema: dict[str, Any], where: str, seen: frozenset[str] = frozenset()) -> Iterator[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        yield from _unbounded(_resolve(schema), f"{where}", seen | {name})
        return
    for key in ("anyOf", "allOf", "oneOf"):
        for sub in schema.get(key, []):
            yield from _unbounded(sub, where, seen)
    kind = schema.get("type")
    if kind == "integer" and ("minimum" not in schema or "maximum" not in schema):
        yield f"{where}: integer without minimum and maximum"
    if kind == "integer" and schema.get("maximum", 0) > MAX_ID:
        yield f"{where}: maximum beyond MAX_ID"
    if kind == "array":
        if "maxItems" not in schema:
            yield f"{where}: list without maxItems"
        yield from _unbounded(schema.get("items", {}), f"{where}[]", seen)
    if kind == "object":
        for name, prop in schema.get("properties", {}).items():
            yield from _unbounded(prop, f"{where}.{name}", seen)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in schema:
                yield f"{where}: mapping without maxProperties"
            yield from _unbounded(extra, f"{where}{{}}", seen)


def test_every_integer_and_list_the_api_takes_is_bounded() -> None:
    problems = []
    for template, methods in _openapi()["paths"].items():
        for method, op in methods.items():
            name = f"{method.upper()} {template}"
            for param in op.get("parameters", []):
                problems += _unbounded(param["schema"], f"{name} {param['in']} {param['name']}")
            content = op.get("requestBody", {}).get("content", {})
            for media in content.values():
                problems += _unbounded(media["schema"], f"{name} body")
    assert not problems, "\n".join(problems)
