"""The access-matrix registry: every route of the product, once, with what each role gets.

``test_matrix.py`` requests every registered route as every role of the cast
(``tests/conftest.py``) plus ``anonymous`` and asserts the exact outcome; ``test_completeness.py``
walks the URL resolver and the API's OpenAPI schema and fails for every URL pattern or API
operation not registered here.

Registering a route
-------------------
Add one entry to ``ROUTES`` (one entry per URL *and* method; a URL serving GET and POST gets two)::

    page("tokens.create", "/settings/tokens/", method="POST", body={"name": "nightly export"},
         verify=token_created)
    api("api.org.unit.north", lambda c, o: f"/api/org/units/{c.north.pk}",
        roles=per_role(NORTH_VIEWERS))

- ``page(...)`` is a server-rendered page: every signed-in role gets 200 and ``anonymous`` is
  redirected to the login page (``TO_LOGIN``) unless told otherwise.
- ``api(...)`` is an API operation (django-ninja): every signed-in role gets 200 and ``anonymous``
  gets 401 unless told otherwise. GET operations are also requested with a personal API token
  instead of the session (``test_api_auth.py``) and must give the same matrix. The API's URLs
  that are not operations (docs, schema, root) are registered with ``operation=False``; the
  completeness test checks the flag against the OpenAPI schema.
- ``url`` is a string or ``lambda c, o: ...`` taking the cast and the objects made by ``setup``.
- ``setup`` is a function (or a tuple of them) ``f(cast) -> dict`` that creates the objects the
  route needs; they are available to ``url``, ``body`` and ``verify`` as attributes of ``o``
  (e.g. ``setup=kam_token`` gives ``o.kam_token``). Later issues add e.g. a ``kam_customer`` setup.
- ``signed_in`` is the outcome for every signed-in role, ``anonymous`` the one for anonymous, and
  ``roles={"kam": 200, ...}`` overrides single roles; ``per_role(viewers)`` builds "200 for these
  roles, 404 for every other signed-in role".
- ``method`` other than GET/HEAD/OPTIONS makes the route a write (override with ``write=``);
  ``body`` is the form data (pages) or JSON body (API) of the write, a dict or ``lambda c, o: {}``.
- ``verify(ctx)`` is an optional extra check run after every request of the route (any role):
  that a list leaks nothing (``page_shows``/``api_lists``), that an allowed write did its work
  and that a denied one left its object alone, and so on. ``ctx.denied`` tells which case it is.
- Every write is also sent without its CSRF token by a session user it is allowed to
  (``test_api_auth.py``): it must be refused with 403 and change nothing.

The cast is built once per test module (``tests/access/conftest.py``) and every test runs in a
savepoint that is rolled back, so a ``setup`` may create whatever it needs, a write may change
anything, and no entry may depend on another or on database ids being small.

Expected outcomes (the conventions of the house, ARCHITECTURE rule 2)
--------------------------------------------------------------------
- An ``int`` is the exact status code. ``Redirect(path)`` is a 302 to exactly ``path``;
  ``TO_LOGIN`` is a 302 to the login page with ``?next=<the requested URL>``; ``TO_ADMIN_LOGIN``
  the same for the back office's login page.
- A record outside the role's visibility is **404**, the same answer as a record that does not
  exist, never a 403 that confirms it exists.
- **403** only when the role may see the object but may not perform the action on it.
- Anonymous requests to pages are **302 to the login page** (with ``next``); anonymous requests to
  the API are **401**. Public routes (``/healthz``, the login page, the API docs) say so.
- A **denied write** is one answered with a status >= 400, a redirect to a login page, or a
  ``Redirect(..., unchanged=True)`` (a write the view ignores, e.g. logging in while signed in).
  After a denied write every table must be unchanged, row for row (``harness.snapshot``; only
  sessions and django-axes' log of sign-in attempts are left out).

What is not registered
----------------------
``EXCLUDED_PREFIXES``: the Django admin (``/admin/``) is the staff back office, not the product
UI. It is covered by representative entries below (the index, a playbook change page and a token
revocation: non-staff roles are redirected to the admin login, the administrator gets in) and the
rest of its URL namespace is excluded from the completeness check. Static and media files are
served by whitenoise and are excluded as well.

Decisions recorded here
-----------------------
- ``/api/docs`` and ``/api/openapi.json`` are public (200 for anonymous too): they describe the
  API and carry no data; every operation they describe still answers 401 without credentials.
- ``/api/`` is django-ninja's root view, which only exists so the API's prefix can be reversed;
  it answers 404 to everyone.
- ``/settings/language/`` works for anonymous users too (the login page has a language switch):
  it only sets the language cookie.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from types import SimpleNamespace
from typing import Any

from django.test import Client
from django.utils import timezone

from keyaccount.org.models import ApiToken, User
from keyaccount.org.services import api_token_create
from keyaccount.process.models import Stage

from ..conftest import PASSWORD, Cast

# --- roles ----------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
#: The signed-in roles, in the order of the cast.
SIGNED_IN: tuple[str, ...] = tuple(f.name for f in fields(Cast) if f.type is User)
ROLES: tuple[str, ...] = (*SIGNED_IN, ANONYMOUS)

EAST_TEAM = frozenset({"kam", "colleague", "team_lead", "consultant", "account_manager"})
#: Unit-wide roles covering the KA department (SPEC §2: "department-wide roles see their
#: department").
KA_DEPT_WIDE = frozenset({"head", "director", "assistant"})
ADMINS = frozenset({"admin"})
STAFF = frozenset({"admin"})  # is_staff: may enter the back office

#: Who sees which org unit (``org.selectors.org_units_visible``: own unit and the chain above it,
#: plus the subtrees of managed or covered units; the administrator sees everything).
COMPANY_VIEWERS = frozenset(SIGNED_IN)
KA_DEPT_VIEWERS = frozenset(SIGNED_IN) - {"outsider"}
EAST_VIEWERS = EAST_TEAM | KA_DEPT_WIDE | ADMINS
NORTH_VIEWERS = frozenset({"north_kam"}) | KA_DEPT_WIDE | ADMINS
MARKETING_VIEWERS = frozenset({"outsider"}) | ADMINS


# --- expected outcomes ----------------------------------------------------------------------

LOGIN = "<login>"
ADMIN_LOGIN = "<admin login>"


@dataclass(frozen=True)
class Redirect:
    """A 302 to ``to``: an exact path, or ``LOGIN``/``ADMIN_LOGIN`` (with ``?next=``)."""

    to: str
    unchanged: bool = False  # the write is ignored: the database must not change

    @property
    def to_login(self) -> bool:
        return self.to in (LOGIN, ADMIN_LOGIN)


TO_LOGIN = Redirect(LOGIN)
TO_ADMIN_LOGIN = Redirect(ADMIN_LOGIN)

Expected = int | Redirect


def status_of(expected: Expected) -> int:
    return 302 if isinstance(expected, Redirect) else expected


def is_denied(expected: Expected) -> bool:
    """A write answered like this must leave the database unchanged."""
    if isinstance(expected, Redirect):
        return expected.to_login or expected.unchanged
    return expected >= 400


def per_role(
    allowed: Iterable[str], yes: Expected = 200, no: Expected = 404
) -> dict[str, Expected]:
    """``yes`` for the ``allowed`` roles and ``no`` for every other signed-in role."""
    allowed = set(allowed)
    unknown = allowed - set(SIGNED_IN)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    return {role: yes if role in allowed else no for role in SIGNED_IN}


# --- the route record -----------------------------------------------------------------------


@dataclass
class Ctx:
    """One request of the matrix: who asked, what for, and what came back."""

    route: "Route"
    role: str
    cast: Cast
    o: SimpleNamespace
    user: User | None
    client: Client
    url: str
    expected: Expected
    response: Any = None

    @property
    def denied(self) -> bool:
        return is_denied(self.expected)


Setup = Callable[[Cast], Mapping[str, Any]]
UrlSpec = str | Callable[[Cast, SimpleNamespace], str]
BodySpec = Mapping[str, Any] | Callable[[Cast, SimpleNamespace], Mapping[str, Any]] | None
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    url_spec: UrlSpec
    expect: Mapping[str, Expected]
    write: bool
    api: bool = False  # an operation of the django-ninja API (session or token auth)
    body_spec: BodySpec = None
    setups: Sequence[Setup] = ()
    verify: Callable[[Ctx], None] | None = None
    note: str = ""

    def objects(self, cast: Cast) -> SimpleNamespace:
        o = SimpleNamespace()
        for setup in self.setups:
            for key, value in setup(cast).items():
                setattr(o, key, value)
        return o

    def url(self, cast: Cast, o: SimpleNamespace) -> str:
        return self.url_spec if isinstance(self.url_spec, str) else self.url_spec(cast, o)

    def body(self, cast: Cast, o: SimpleNamespace) -> dict[str, Any]:
        if self.body_spec is None:
            return {}
        spec = self.body_spec if isinstance(self.body_spec, Mapping) else self.body_spec(cast, o)
        return dict(spec)


def _route(
    name: str,
    url: UrlSpec,
    *,
    anonymous: Expected,
    api: bool,
    method: str = "GET",
    signed_in: Expected = 200,
    roles: Mapping[str, Expected] | None = None,
    write: bool | None = None,
    body: BodySpec = None,
    setup: Setup | Sequence[Setup] = (),
    verify: Callable[[Ctx], None] | None = None,
    note: str = "",
) -> Route:
    expect: dict[str, Expected] = dict.fromkeys(SIGNED_IN, signed_in)
    expect[ANONYMOUS] = anonymous
    unknown = set(roles or {}) - set(ROLES)
    if unknown:
        raise ValueError(f"{name}: unknown roles {sorted(unknown)}")
    expect.update(roles or {})
    method = method.upper()
    is_write = method not in SAFE_METHODS if write is None else write
    if body is not None and not is_write:
        raise ValueError(f"{name}: a body only makes sense for a write")
    return Route(
        name=name,
        method=method,
        url_spec=url,
        expect=expect,
        write=is_write,
        api=api,
        body_spec=body,
        setups=(setup,) if callable(setup) else tuple(setup),
        verify=verify,
        note=note,
    )


def page(name: str, url: UrlSpec, *, anonymous: Expected = TO_LOGIN, **options: Any) -> Route:
    """A server-rendered page (or any non-API URL): signed-in 200, anonymous to the login.

    ``options``: ``method``, ``signed_in``, ``roles``, ``write``, ``body``, ``setup``, ``verify``,
    ``note`` (see the module docstring).
    """
    return _route(name, url, anonymous=anonymous, api=False, **options)


def api(
    name: str, url: UrlSpec, *, anonymous: Expected = 401, operation: bool = True, **options: Any
) -> Route:
    """An operation of the REST API: signed-in 200, anonymous 401 (same ``options`` as ``page``).

    ``operation=False`` for the API's other URLs (docs, schema, root), which are not operations:
    they take no API authentication and are absent from the OpenAPI schema.
    """
    return _route(name, url, anonymous=anonymous, api=operation, **options)


# --- objects the routes need ----------------------------------------------------------------


def kam_token(c: Cast) -> dict[str, Any]:
    """An active API token owned by ``kam``."""
    return {"kam_token": api_token_create(actor=c.kam, name="kam-script").token}


def playbook_stage(c: Cast) -> dict[str, Any]:
    """The first stage of the default playbook (installed by a data migration)."""
    return {"stage": Stage.objects.get(code="development")}


# --- verify helpers -------------------------------------------------------------------------


def both(*checks: Callable[[Ctx], None]) -> Callable[[Ctx], None]:
    def run(ctx: Ctx) -> None:
        for check in checks:
            check(ctx)

    return run


def page_shows(
    texts: Callable[[Cast, SimpleNamespace], Mapping[str, Iterable[str]]], *, exact: bool = True
) -> Callable[[Ctx], None]:
    """On a 200 page, each text appears only for its roles (and, if ``exact``, for all of them)."""

    def run(ctx: Ctx) -> None:
        if ctx.response.status_code != 200:
            return
        content = ctx.response.content.decode()
        for text, viewers in texts(ctx.cast, ctx.o).items():
            shown = text in content
            if ctx.role in set(viewers):
                assert shown or not exact, f"{ctx.role} should see {text!r} on {ctx.url}"
            else:
                assert not shown, f"{ctx.role} must not see {text!r} on {ctx.url}"

    return run


def api_lists(
    ids: Callable[[Cast, SimpleNamespace], Mapping[int, Iterable[str]]],
) -> Callable[[Ctx], None]:
    """On a 200 API list, each id is listed exactly for its roles."""

    def run(ctx: Ctx) -> None:
        if ctx.response.status_code != 200:
            return
        listed = {item["id"] for item in ctx.response.json()}
        for pk, viewers in ids(ctx.cast, ctx.o).items():
            should = ctx.role in set(viewers)
            assert (pk in listed) == should, (
                f"{ctx.role}: id {pk} {'missing from' if should else 'leaked into'} {ctx.url}"
            )

    return run


def me_is_the_user(ctx: Ctx) -> None:
    if ctx.response.status_code == 200:
        assert ctx.user is not None
        assert ctx.response.json()["username"] == ctx.user.username


def returns_unit(attr: str) -> Callable[[Ctx], None]:
    def run(ctx: Ctx) -> None:
        if ctx.response.status_code == 200:
            assert ctx.response.json()["id"] == getattr(ctx.cast, attr).pk

    return run


def same_origin_assets(ctx: Ctx) -> None:
    """No CDN: the page loads scripts, styles and icons from our own server only."""
    content = ctx.response.content.decode()
    for marker in ('src="http', "src='http", 'href="http', "href='http", 'src="//', 'href="//'):
        assert marker not in content, f"{ctx.url} loads an external asset ({marker}…)"


def session_user(ctx: Ctx) -> int | None:
    pk = ctx.client.session.get("_auth_user_id")
    return None if pk is None else int(pk)


def login_verify(ctx: Ctx) -> None:
    """Anonymous signs in as kam; a signed-in user stays who they were; a refusal changes none."""
    signs_in = ctx.user is None and ctx.response.status_code == 302
    expected = ctx.cast.kam if signs_in else ctx.user
    assert session_user(ctx) == (expected.pk if expected else None)


def logout_verify(ctx: Ctx) -> None:
    if ctx.response.status_code == 302:
        assert session_user(ctx) is None
    else:
        assert session_user(ctx) == (ctx.user.pk if ctx.user else None)


def kam_token_revoked_only_by(*revokers: str) -> Callable[[Ctx], None]:
    def run(ctx: Ctx) -> None:
        token = ApiToken.objects.get(pk=ctx.o.kam_token.pk)
        if ctx.role in revokers and not ctx.denied:
            assert token.revoked_at is not None, f"{ctx.role} should have revoked the token"
        else:
            assert token.revoked_at is None, f"{ctx.role} revoked kam's token"

    return run


def token_created(ctx: Ctx) -> None:
    made = ApiToken.objects.filter(name="nightly export")
    if ctx.denied:
        assert not made.exists()
    else:
        assert ctx.user is not None
        assert list(made.values_list("user_id", flat=True)) == [ctx.user.pk]


NEW_PASSWORD = "Yet-another-Passw0rd-for-tests"


def password_changed(ctx: Ctx) -> None:
    if ctx.user is None:
        return
    ctx.user.refresh_from_db()
    assert ctx.user.check_password(NEW_PASSWORD) == (not ctx.denied)
    if not ctx.denied:
        assert ctx.client.get("/").status_code == 200, "changing the password signs you out"


def language_saved(ctx: Ctx) -> None:
    """A 302 sets the cookie (and the signed-in user's preference); anything else neither."""
    switched = ctx.response.status_code == 302
    cookie = ctx.response.cookies.get("keyaccount_language")
    assert (cookie is not None and cookie.value == "en") == switched
    if ctx.user is not None:
        ctx.user.refresh_from_db()
        assert (ctx.user.language == "en") == switched


# --- the registry ---------------------------------------------------------------------------

ROUTES: list[Route] = [
    # shell
    page("home", "/", verify=page_shows(lambda c, o: {"市场部": MARKETING_VIEWERS}, exact=False)),
    page("healthz", "/healthz", anonymous=200, note="public: load balancers probe it"),
    # sign-in and password (django.contrib.auth views)
    page(
        "login.form",
        "/accounts/login/",
        signed_in=Redirect("/"),
        anonymous=200,
        note="redirect_authenticated_user=True",
    ),
    page(
        "login.submit",
        "/accounts/login/",
        method="POST",
        body={"username": "kam", "password": PASSWORD},
        signed_in=Redirect("/", unchanged=True),
        anonymous=Redirect("/"),
        verify=login_verify,
        note="anonymous signs in as kam; a signed-in user is sent home untouched",
    ),
    page("logout.get", "/accounts/logout/", signed_in=405, anonymous=405),
    page(
        "logout",
        "/accounts/logout/",
        method="POST",
        signed_in=Redirect("/accounts/login/"),
        anonymous=Redirect("/accounts/login/", unchanged=True),
        verify=logout_verify,
    ),
    page("password.form", "/accounts/password/"),
    page(
        "password.change",
        "/accounts/password/",
        method="POST",
        body={
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        signed_in=Redirect("/accounts/password/done/"),
        verify=password_changed,
    ),
    page("password.done", "/accounts/password/done/"),
    # organisation and personal settings
    page(
        "org.tree",
        "/org/",
        verify=page_shows(
            lambda c, o: {
                c.north.name: NORTH_VIEWERS,
                c.marketing.name: MARKETING_VIEWERS,
                c.east.name: EAST_VIEWERS,
            },
            exact=False,
        ),
        note="the tree opens only the units that concern a role (the administrator's folds the "
        "departments): who sees which unit's people is checked by ?unit= (org_tree.py)",
    ),
    page("language.get", "/settings/language/", signed_in=405, anonymous=405),
    page(
        "language.set",
        "/settings/language/",
        method="POST",
        body={"language": "en", "next": "/process/"},
        signed_in=Redirect("/process/"),
        anonymous=Redirect("/process/", unchanged=True),
        verify=language_saved,
        note="anonymous: only the cookie (the login page has a language switch)",
    ),
    page(
        "language.set.offsite_next",
        "/settings/language/",
        method="POST",
        body={"language": "en", "next": "https://evil.example/phish"},
        signed_in=Redirect("/"),
        anonymous=Redirect("/", unchanged=True),
        verify=language_saved,
        note="never an open redirect: an off-site next goes home",
    ),
    page(
        "tokens.list",
        "/settings/tokens/",
        setup=kam_token,
        verify=page_shows(lambda c, o: {o.kam_token.name: {"kam"}}),
    ),
    page(
        "tokens.create",
        "/settings/tokens/",
        method="POST",
        body={"name": "nightly export"},
        verify=token_created,
    ),
    page(
        "tokens.revoke.get",
        lambda c, o: f"/settings/tokens/{o.kam_token.pk}/revoke/",
        setup=kam_token,
        signed_in=405,
    ),
    page(
        "tokens.revoke",
        lambda c, o: f"/settings/tokens/{o.kam_token.pk}/revoke/",
        method="POST",
        setup=kam_token,
        signed_in=404,
        roles={"kam": Redirect("/settings/tokens/")},
        verify=kam_token_revoked_only_by("kam"),
        note="someone else's token is a 404, as if it did not exist",
    ),
    page(
        "tokens.revoke.missing",
        "/settings/tokens/987654321/revoke/",
        method="POST",
        signed_in=404,
    ),
    # the playbook
    page("process.playbook", "/process/"),
    # the REST API
    api(
        "api.root",
        "/api/",
        signed_in=404,
        anonymous=404,
        operation=False,
        note="ninja's view that only exists so the prefix can be reversed",
    ),
    api(
        "api.docs",
        "/api/docs",
        anonymous=200,
        operation=False,
        verify=same_origin_assets,
        note="public",
    ),
    api("api.openapi", "/api/openapi.json", anonymous=200, operation=False, note="public"),
    api("api.me", "/api/me", verify=me_is_the_user),
    api(
        "api.org.units",
        "/api/org/units",
        verify=api_lists(
            lambda c, o: {
                c.company.pk: COMPANY_VIEWERS,
                c.ka_dept.pk: KA_DEPT_VIEWERS,
                c.east.pk: EAST_VIEWERS,
                c.north.pk: NORTH_VIEWERS,
                c.marketing.pk: MARKETING_VIEWERS,
            }
        ),
    ),
    api(
        "api.org.unit.company",
        lambda c, o: f"/api/org/units/{c.company.pk}",
        verify=returns_unit("company"),
    ),
    api(
        "api.org.unit.east",
        lambda c, o: f"/api/org/units/{c.east.pk}",
        roles=per_role(EAST_VIEWERS),
        verify=returns_unit("east"),
    ),
    api(
        "api.org.unit.north",
        lambda c, o: f"/api/org/units/{c.north.pk}",
        roles=per_role(NORTH_VIEWERS),
        verify=returns_unit("north"),
    ),
    api(
        "api.org.unit.marketing",
        lambda c, o: f"/api/org/units/{c.marketing.pk}",
        roles=per_role(MARKETING_VIEWERS),
        verify=returns_unit("marketing"),
    ),
    api("api.org.unit.missing", "/api/org/units/987654321", signed_in=404),
    api("api.org.unit.not_a_number", "/api/org/units/abc", signed_in=422),
    api("api.process.stages", "/api/process/stages"),
    api("api.process.stage", "/api/process/stages/development"),
    api("api.process.stage.missing", "/api/process/stages/no-such-stage", signed_in=404),
    # the back office (representative entries; the rest of /admin/ is excluded)
    page(
        "admin.index",
        "/admin/",
        signed_in=TO_ADMIN_LOGIN,
        anonymous=TO_ADMIN_LOGIN,
        roles=dict.fromkeys(STAFF, 200),
    ),
    page(
        "admin.stage.change",
        lambda c, o: f"/admin/process/stage/{o.stage.pk}/change/",
        setup=playbook_stage,
        signed_in=TO_ADMIN_LOGIN,
        anonymous=TO_ADMIN_LOGIN,
        roles=dict.fromkeys(STAFF, 200),
    ),
    page(
        "admin.token.revoke",
        lambda c, o: f"/admin/org/apitoken/{o.kam_token.pk}/change/",
        method="POST",
        setup=kam_token,
        body=lambda c, o: {
            "revoked_at_0": timezone.localdate().isoformat(),
            "revoked_at_1": "08:00:00",
        },
        signed_in=TO_ADMIN_LOGIN,
        anonymous=TO_ADMIN_LOGIN,
        roles=dict.fromkeys(STAFF, Redirect("/admin/org/apitoken/")),
        verify=kam_token_revoked_only_by(*STAFF),
    ),
]

# The customers and contacts REST API (issue 3), kept in its own module.
from .api_customers import CUSTOMERS_API_ROUTES  # noqa: E402

ROUTES.extend(CUSTOMERS_API_ROUTES)

# The customer and contact pages and the customers' import/export, kept in their own module.
from .pages_customers import CUSTOMERS_PAGE_ROUTES  # noqa: E402

ROUTES.extend(CUSTOMERS_PAGE_ROUTES)

# The pipeline (issue 4): the API, the lists and editing, the opportunity page and its actions,
# the power map / risk assessment / printable forms.
from .api_pipeline import PIPELINE_API_ROUTES  # noqa: E402
from .pages_pipeline_detail import PIPELINE_DETAIL_ROUTES  # noqa: E402
from .pages_pipeline_forms import PIPELINE_FORMS_ROUTES  # noqa: E402
from .pages_pipeline_lists import PIPELINE_LIST_ROUTES  # noqa: E402

ROUTES.extend(PIPELINE_API_ROUTES)
ROUTES.extend(PIPELINE_LIST_ROUTES)
ROUTES.extend(PIPELINE_DETAIL_ROUTES)
ROUTES.extend(PIPELINE_FORMS_ROUTES)

# Notifications (issue 8): pages and API, each person's own.
from .notifications import NOTIFICATION_ROUTES  # noqa: E402

ROUTES.extend(NOTIFICATION_ROUTES)

# Gate overrides and their review by the department head (issue 8).
from .pipeline_reviews import REVIEW_ROUTES  # noqa: E402

ROUTES.extend(REVIEW_ROUTES)

# Type-ahead pickers (issue 10): pages' suggestions and the API.
from .suggestions import SUGGESTION_ROUTES  # noqa: E402

ROUTES.extend(SUGGESTION_ROUTES)

# The org tree's units opened one by one and its search.
from .org_tree import ORG_TREE_ROUTES  # noqa: E402

ROUTES.extend(ORG_TREE_ROUTES)

# The people API (issue 11): the members of the units each role sees.
from .api_people import PEOPLE_API_ROUTES  # noqa: E402

ROUTES.extend(PEOPLE_API_ROUTES)

# The imports API (issue 11): each batch its uploader's own.
from .api_imports import IMPORT_API_ROUTES  # noqa: E402

ROUTES.extend(IMPORT_API_ROUTES)

#: URL prefixes (as resolver routes) left out of the completeness check; see the docstring.
EXCLUDED_PREFIXES: tuple[str, ...] = ("admin/", "static/", "media/")

ROUTES_BY_NAME: dict[str, Route] = {route.name: route for route in ROUTES}
assert len(ROUTES_BY_NAME) == len(ROUTES), "route names must be unique"
