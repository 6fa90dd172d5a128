"""Integers no database key can hold, sent to every route of the access matrix (issue 8 §6).

A hostile battery found integers ≥ 2^63 answered with 500: SQLite refuses to even compare with
them (``OverflowError``). Every id and integer input is now bounded where it is read: the URL
converter of the pages' ids (``core.converters``), the API's schemas (``core.schemas.Id`` and
bounded counts and lists) and the forms (``core.forms``). This module walks every route
registered in the access matrix (``registry.ROUTES``) that takes an integer, as the first role of
the cast it serves, and sends one request per substitution:

- every integer segment of the path replaced by 2^64 and by 0: a page answers 404 (the URL does
  not resolve, or names nothing), the API 422 (out of the documented range);
- for an API operation, every integer its OpenAPI schema takes in the query string or the JSON
  body (a list of ids too, and the nested objects the entry's body fills in), replaced by 2^64
  and by one less than its minimum: 422;
- for a page, every integer of the entry's query string and form body, and the integer
  parameters and fields the page's filter or form takes besides (``PAGE_QUERY_INTEGERS``,
  ``PAGE_BODY_INTEGERS``), replaced by 2^64: a form refuses it (400, or 404 for the record the
  id names), a GET filter drops it with a message and answers as it would have without it.

Never a 500 or a traceback, and a write changes nothing (the matrix's snapshot). Routes nobody
may use (a missing record, a refused method, a stale version) may refuse the value for that
reason first. The back office (``/admin/``) answers a missing record as Django's admin does, with
a redirect to its index.

The static tests below keep the bounds from coming undone: every integer, list and mapping of the
API's requests is bounded in the OpenAPI schema; the forms refuse out-of-range ids with a
message, and the GET filters drop them.
"""

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from keyaccount.api import api as ninja_api
from keyaccount.core.converters import IdConverter
from keyaccount.core.forms import CountField, IdField
from keyaccount.core.lookup import MAX_ID
from keyaccount.customers.filters import FilterChoices, parse_filters
from keyaccount.customers.forms import IdListField
from keyaccount.org.models import User
from keyaccount.pipeline.forms import OpportunityFilterForm

from ..conftest import Cast
from .harness import diff, send, snapshot
from .registry import ROUTES, SIGNED_IN, Route, is_denied, status_of

HUGE = 2**64  # 18446744073709551616: beyond any signed (and unsigned) 64-bit key

#: Integer GET parameters the pages read besides those in the registry's URLs (resolver name →
#: parameters): the list filters, ``?page=``, ``?customer=``, ``?edit=``, ``?reports_to=``.
LIST_FILTERS = ("owner", "team", "region", "industry", "customer", "stage")
CUSTOMER_FILTERS = ("region", "industry", "owner", "team")
PAGE_QUERY_INTEGERS: dict[str, tuple[str, ...]] = {
    "customers:list": (*CUSTOMER_FILTERS, "page"),
    "customers_io:export_list": CUSTOMER_FILTERS,
    "customers_io:export_contacts": CUSTOMER_FILTERS,
    "customers:registrations": ("page",),
    "pipeline:list": (*LIST_FILTERS, "page"),
    "pipeline:board": ("owner", "team"),
    "pipeline:major": (*LIST_FILTERS, "page"),
    "pipeline:export": LIST_FILTERS,
    "pipeline:major_export": LIST_FILTERS,
    "pipeline:overrides": ("page",),
    "pipeline:create": ("customer",),
    "pipeline:power_map": ("edit",),
    "pipeline:detail": ("edit",),
    "contacts:contact_add": ("reports_to",),
    "org:notifications": ("page",),
}
#: Integer fields of the pages' forms that the registry's bodies leave out (optional ones).
PAGE_BODY_INTEGERS: dict[str, tuple[str, ...]] = {
    "customers:edit": ("region", "industry", "employees", "technical_staff"),
    "customers:register": ("region", "industry", "employees", "technical_staff"),
    "contacts:contact_add": ("reports_to",),
    "contacts:contact_edit": ("reports_to",),
    "pipeline:lose": ("winner",),
    "pipeline:competitor_set": ("competitor",),
    "pipeline:milestone_add": ("percentage",),
}


@dataclass(frozen=True)
class Probe:
    """One request: what was replaced, where it goes, and the answers that are right."""

    where: str
    url: str
    body: dict[str, Any]
    allowed: frozenset[int]


# --- URLs and values ------------------------------------------------------------------------


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
    if isinstance(value, list):
        return bool(value) and all(map(_is_int, value))
    return isinstance(value, int) or (
        isinstance(value, str) and value.isascii() and value.isdigit()
    )


def _view_name(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return ""


# --- the API's schema -----------------------------------------------------------------------


@cache
def _openapi() -> dict[str, Any]:
    return ninja_api.get_openapi_schema(path_prefix=reverse("api:api-root"))


@cache
def _operations() -> tuple[tuple[re.Pattern[str], str, dict[str, Any]], ...]:
    found = []
    for template, methods in _openapi()["paths"].items():
        pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + r"\Z")
        found.extend((pattern, method.upper(), op) for method, op in methods.items())
    return tuple(found)


def _operation(method: str, path: str) -> dict[str, Any] | None:
    return next((op for p, m, op in _operations() if m == method and p.match(path)), None)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _openapi()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(schema)
    for key in ("anyOf", "allOf", "oneOf"):
        if key in schema:
            return [b for s in schema[key] for b in _branches(s)]
    return [schema]


def _integer(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The integer branch of a schema, if it takes a single integer."""
    return next((b for b in _branches(schema) if b.get("type") == "integer"), None)


def _integer_items(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The integer items of a schema that takes a list of integers."""
    for branch in _branches(schema):
        if branch.get("type") == "array" and (found := _integer(branch.get("items", {}))):
            return found
    return None


def _bad_values(integer: dict[str, Any]) -> list[int]:
    """2^64, and one below the documented minimum."""
    return [HUGE, *([int(integer["minimum"]) - 1] if "minimum" in integer else [])]


Key = tuple[str | int, ...]


def _body_integers(schema: dict[str, Any], body: Any, at: Key = ()) -> Iterator[tuple[Key, Any]]:
    """(where in the body, a bad value) for every integer the body schema takes: its own
    properties, and those of the nested objects and lists the entry's body fills in."""
    for branch in _branches(schema):
        for name, prop in branch.get("properties", {}).items():
            key = (*at, name)
            if (integer := _integer(prop)) is not None:
                yield from ((key, v) for v in _bad_values(integer))
            elif (items := _integer_items(prop)) is not None:
                yield from ((key, [v]) for v in _bad_values(items))
            value = body.get(name) if isinstance(body, dict) else None
            for nested in _branches(prop) if value else ():
                if isinstance(value, dict) and isinstance(nested.get("additionalProperties"), dict):
                    for k, v in value.items():
                        yield from _body_integers(nested["additionalProperties"], v, (*key, k))
                elif isinstance(value, dict):
                    yield from _body_integers(nested, value, key)
                elif isinstance(value, list) and nested.get("type") == "array":
                    yield from _body_integers(nested.get("items", {}), value[0], (*key, 0))


def _replaced(body: dict[str, Any], key: Key, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target: Any = changed
    for part in key[:-1]:
        target = target[part]
    target[key[-1]] = value
    return changed


# --- the probes of a route ------------------------------------------------------------------


def _path_probes(route: Route, url: str) -> Iterator[Probe]:
    refused = frozenset({422} if route.api else {404})
    if urlsplit(url).path.startswith("/admin/"):
        refused = frozenset({302, 404})  # Django's admin: a missing record → its index
    for index, segment in enumerate(urlsplit(url).path.split("/")):
        if _is_int(segment):
            for value in (HUGE, 0):
                yield Probe(
                    f"path /{segment}/ → {value}", _with_path(url, index, value), {}, refused
                )


def _api_probes(route: Route, url: str, body: dict[str, Any]) -> Iterator[Probe]:
    path = urlsplit(url).path
    op = _operation(route.method, path)
    assert op is not None, f"{route.name}: no API operation for {route.method} {path}"
    refused = frozenset({422})
    for param in op.get("parameters", []):
        if param["in"] == "query":
            integer = _integer(param["schema"]) or _integer_items(param["schema"])
            for value in _bad_values(integer) if integer else ():
                where = f"query {param['name']}={value}"
                yield Probe(where, _with_query(url, param["name"], value), body, refused)
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if content is not None:
        for key, value in _body_integers(content["schema"], body):
            where = f"body {'.'.join(map(str, key))}={value}"
            yield Probe(where, url, _replaced(body, key, value), refused)


def _page_probes(route: Route, url: str, body: dict[str, Any], normal: int) -> Iterator[Probe]:
    parts = urlsplit(url)
    name = _view_name(parts.path)
    params = [k for k, v in parse_qsl(parts.query) if _is_int(v)]
    if not route.write:
        params += [p for p in PAGE_QUERY_INTEGERS.get(name, ()) if p not in params]
        # A filter drops what it cannot use; a page that reads a record's id from the query
        # string (the customer of a new deal) answers 404 for it.
        for param in params:
            probe_url = _with_query(url, param, HUGE)
            yield Probe(f"query {param}", probe_url, body, frozenset({normal, 404}))
        return
    refused = frozenset({400, 404})
    for param in params:
        yield Probe(f"query {param}", _with_query(url, param, HUGE), body, refused)
    fields = [k for k, v in body.items() if _is_int(v)]
    fields += [f for f in PAGE_BODY_INTEGERS.get(name, ()) if f not in fields]
    for field in fields:
        value = [HUGE] if isinstance(body.get(field), list) else HUGE
        yield Probe(f"body {field}", url, {**body, field: value}, refused)


def probes(route: Route, url: str, body: dict[str, Any], normal: int) -> list[Probe]:
    found = list(_path_probes(route, url))
    if route.api:
        found += _api_probes(route, url, body if route.write else {})
    elif _view_name(urlsplit(url).path):
        found += _page_probes(route, url, body, normal)
    return found


# --- which routes, as whom ------------------------------------------------------------------


#: Routes whose URL or body is built from their objects but carries no integer: they name an
#: import batch by its UUID, or upload a file.
NO_INTEGER_INPUT = frozenset(
    {
        "io.import.batch",
        "io.import.preview",
        "io.import.preview.unreadable",
        "io.import.commit",
        # an import is named by a UUID; its upload is a file
        "api.imports.upload",
        "api.imports.get",
        "api.imports.rejected",
        "api.imports.commit",
        "api.imports.discard",
        "api.imports.mapping",
        "api.imports.remap",
    }
)


def _api_takes_integers(route: Route, path: str) -> bool:
    op = _operation(route.method, path)
    if op is None:
        return False
    params = [p for p in op.get("parameters", []) if p["in"] == "query"]
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    return any(_integer(p["schema"]) or _integer_items(p["schema"]) for p in params) or (
        content is not None and next(_body_integers(content["schema"], {}), None) is not None
    )


def takes_integers(route: Route) -> bool:
    """Whether the route may take an integer (decided before its objects exist)."""
    if route.name in NO_INTEGER_INPUT or callable(route.url_spec) or callable(route.body_spec):
        return True
    parts = urlsplit(route.url_spec)
    if any(map(_is_int, parts.path.split("/"))) or any(
        _is_int(v) for _k, v in parse_qsl(parts.query)
    ):
        return True
    if route.api:
        return _api_takes_integers(route, parts.path)
    if any(map(_is_int, (route.body_spec or {}).values())):
        return True
    name = _view_name(parts.path)
    return name in (PAGE_BODY_INTEGERS if route.write else PAGE_QUERY_INTEGERS)


def role_for(route: Route) -> str:
    """The first role of the cast the route serves (sees its objects, may do its write); the
    administrator when it serves nobody."""
    for role in SIGNED_IN:
        expected = route.expect[role]
        if not is_denied(expected) and status_of(expected) != 405:
            return role
    return "admin"


CASES = [pytest.param(r, id=f"{r.name}-{r.method}") for r in ROUTES if takes_integers(r)]


@pytest.mark.parametrize("route", CASES)
def test_out_of_range_integers_are_404_or_422(
    route: Route, cast: Cast, client_for: Callable[[User | None], Client]
) -> None:
    role = role_for(route)
    o = route.objects(cast)
    url, body = route.url(cast, o), route.body(cast, o)
    normal = status_of(route.expect[role])
    tried = probes(route, url, body, normal)
    assert bool(tried) != (route.name in NO_INTEGER_INPUT), (
        f"{route.name}: {url} takes no integer: add it to NO_INTEGER_INPUT"
        if not tried
        else f"{route.name} takes integers: remove it from NO_INTEGER_INPUT"
    )
    # A route that serves nobody may refuse the value for its own reason first.
    own = frozenset({normal}) if is_denied(route.expect[role]) or normal == 405 else frozenset()
    client = client_for(cast.roles()[role])
    client.raise_request_exception = False  # a 500 is reported with the others, not raised
    before = snapshot() if route.write else None
    failures = []
    for probe in tried:
        response = send(route, client, probe.url, probe.body)
        allowed = probe.allowed | own
        if response.status_code not in allowed or b"Traceback" in response.content:
            failures.append(
                f"{probe.where}: {route.method} {probe.url} → {response.status_code}, "
                f"not {sorted(allowed)}"
            )
    if before is not None and (changed := diff(before, snapshot())):
        failures.append(f"the refused writes changed {changed}")
    assert not failures, f"{route.name} as {role}:\n" + "\n".join(failures)


# --- the bounds themselves ------------------------------------------------------------------


def _unbounded(
    schema: dict[str, Any], where: str, seen: frozenset[str] = frozenset()
) -> Iterator[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _unbounded(_resolve(schema), where, seen | {name})
        return
    for key in ("anyOf", "allOf", "oneOf"):
        for sub in schema.get(key, []):
            yield from _unbounded(sub, where, seen)
    kind = schema.get("type")
    if kind == "integer":
        if not {"minimum", "maximum"} <= set(schema):
            yield f"{where}: an integer without minimum and maximum"
        elif schema["maximum"] > MAX_ID or schema["minimum"] < -MAX_ID:
            yield f"{where}: bounds beyond a database integer"
    elif kind == "array":
        if "maxItems" not in schema:
            yield f"{where}: a list without maxItems"
        yield from _unbounded(schema.get("items", {}), f"{where}[]", seen)
    elif kind == "object":
        for name, prop in schema.get("properties", {}).items():
            yield from _unbounded(prop, f"{where}.{name}", seen)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in schema:
                yield f"{where}: a mapping without maxProperties"
            yield from _unbounded(extra, f"{where}{{}}", seen)


def test_every_integer_list_and_mapping_the_api_takes_is_bounded() -> None:
    problems = []
    for template, methods in _openapi()["paths"].items():
        for method, op in methods.items():
            name = f"{method.upper()} {template}"
            for param in op.get("parameters", []):
                problems += _unbounded(param["schema"], f"{name} {param['in']} {param['name']}")
            for media in op.get("requestBody", {}).get("content", {}).values():
                problems += _unbounded(media["schema"], f"{name} body")
    assert not problems, "\n".join(problems)


def test_the_api_describes_the_bounds() -> None:
    assert "9223372036854775807" in _openapi()["info"]["description"]
    assert "422" in _openapi()["info"]["description"]


def test_the_id_converter_takes_only_database_keys() -> None:
    converter = IdConverter()
    assert converter.to_python("7") == 7
    assert converter.to_python(str(MAX_ID)) == MAX_ID
    with pytest.raises(ValueError):
        converter.to_python(str(MAX_ID + 1))
    assert not re.fullmatch(converter.regex, "1" * 20)
    assert not re.fullmatch(converter.regex, "-1")
    assert _view_name(f"/pipeline/{MAX_ID}/") == "pipeline:detail"
    assert _view_name(f"/pipeline/{MAX_ID + 1}/") == ""
    assert reverse("pipeline:detail", args=[42]) == "/pipeline/42/"


@pytest.mark.parametrize("value", [str(HUGE), str(MAX_ID + 1), "0", "-1"])
def test_an_id_field_refuses_what_no_record_has_as_an_unknown_choice(value: str) -> None:
    field = IdField(required=False)
    with pytest.raises(ValidationError) as refused:
        field.clean(value)
    unknown = forms.ModelChoiceField.default_error_messages["invalid_choice"]
    assert refused.value.messages == [str(unknown)]
    assert field.clean(str(MAX_ID)) == MAX_ID


def test_an_id_list_refuses_out_of_range_ids_and_too_many() -> None:
    field = IdListField()
    assert field.clean(["3", "1", "3"]) == [1, 3]
    for bad in ([str(HUGE)], ["0"], ["-4"], ["1", "x"]):
        with pytest.raises(ValidationError):
            field.clean(bad)
    with pytest.raises(ValidationError) as too_many:
        field.clean([str(i) for i in range(1, 1002)])
    assert too_many.value.error_list[0].code == "too_many"


def test_a_head_count_is_bounded() -> None:
    assert CountField().clean("1.2万") == 12000
    with pytest.raises(ValidationError):
        CountField().clean(str(HUGE))


def test_the_lists_drop_an_out_of_range_filter_with_a_message(db, cast: Cast) -> None:
    query = QueryDict(f"customer={HUGE}&owner={HUGE}&team=-1")
    filters, ignored = OpportunityFilterForm(query, user=cast.kam).filters()
    assert (filters.customer, filters.owner, filters.team) == (None, None, None)
    assert len(ignored) == 3
    parsed = parse_filters(
        QueryDict(f"owner={HUGE}&region={HUGE}"),
        FilterChoices(user=cast.kam),
    )
    assert (parsed.filters.owner, parsed.filters.region) == (None, None)
    assert set(parsed.errors) == {"owner", "region"} and len(parsed.ignored) == 2
