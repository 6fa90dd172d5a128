"""The routes, and timing one in-process: the page, its replayed SQL, its real floor."""

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keyaccount.org.models import User

from .floors import FLOORS, Floor


@dataclass(frozen=True)
class Route:
    label: str
    path: str
    username: str
    target_ms: float | None = None  # p95 target
    target_rps: float | None = None  # requests/s with 4 clients (over HTTP only)
    floor_factor: float | None = None  # page median ≤ this × the real floor


@dataclass
class Result:
    label: str
    path: str
    username: str
    queries: int
    queries_fixed: bool  # the same count on every capture
    median_ms: float
    p95_ms: float
    floor_ms: float  # the page's own SQL replayed
    real_floor_ms: float | None  # the best queries for the same answer (see ``time_route``)
    hand_floor_ms: float | None  # the hand-written queries of ``floors`` alone
    real_floor_ok: bool | None  # their answer equals the page's (False: the floor is wrong)
    target_ms: float | None
    target_rps: float | None
    floor_factor: float | None
    http_median_ms: float | None = None  # filled by ``--http``
    http_p95_ms: float | None = None
    rps: float | None = None  # requests/s with 4 clients, for ``THROUGHPUT``
    baseline_queries: int | None = None  # from ``--baseline``: the count on another dataset

    @property
    def ratio(self) -> float | None:
        """The page against what the database can do for it."""
        return self.median_ms / self.real_floor_ms if self.real_floor_ms else None

    @property
    def judged_p95_ms(self) -> float:
        """Over HTTP when it was timed so (what the targets are set for), else in-process."""
        return self.http_p95_ms if self.http_p95_ms is not None else self.p95_ms

    @property
    def fixed(self) -> bool:
        """The same number of queries every time, and as on the baseline's dataset."""
        same = self.baseline_queries is None or self.baseline_queries == self.queries
        return self.queries_fixed and same

    def misses(self) -> list[str]:
        """The targets the route missed (empty: it met all it has)."""
        missed = []
        if self.target_ms is not None and self.judged_p95_ms > self.target_ms:
            missed.append("p95")
        if self.target_rps is not None and self.rps is not None and self.rps < self.target_rps:
            missed.append("req/s")
        if self.floor_factor is not None:
            ratio = self.ratio
            if ratio is None or ratio > self.floor_factor:
                missed.append("floor")
            if not self.fixed:
                missed.append("queries")
        return missed

    def verdict(self) -> str:
        """PASS, or MISS with what was missed; "" for a route without targets."""
        if self.target_ms is None and self.target_rps is None and self.floor_factor is None:
            return ""
        missed = self.misses()
        return f"MISS {','.join(missed)}" if missed else "PASS"

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio, "verdict": self.verdict()}


LIST_MS, BOARD_MS, API_MS, TWICE = 50.0, 80.0, 30.0, 2.0
HEAD, KAM = "zhou.jian", "liu.yang"


def _list(label: str, path: str, user: str, ms: float = LIST_MS, rps: float | None = None) -> Route:
    return Route(label, path, user, target_ms=ms, target_rps=rps, floor_factor=TWICE)


ROUTES = [
    Route("GET /healthz", "/healthz", ""),
    Route("GET / (home, head)", "/", HEAD),
    Route("GET / (home, director)", "/", "zhao.min"),
    Route("GET / (home, assistant)", "/", "lin.xiaoyu"),
    Route("GET / (home, KAM)", "/", KAM),
    Route("GET /notifications/ (KAM)", "/notifications/", KAM),
    Route("GET /pipeline/overrides/ (head)", "/pipeline/overrides/", HEAD),
    Route("GET /process/ (playbook)", "/process/", KAM),
    Route("GET /org/ (org tree, head)", "/org/", HEAD),
    Route("GET /org/ (org tree, KAM)", "/org/", KAM),
    Route("GET /api/process/stages", "/api/process/stages", KAM),
    Route("GET /api/org/units (head)", "/api/org/units", HEAD),
    Route("GET /api/me", "/api/me", KAM),
    _list("GET /customers/ (KA list, head)", "/customers/", HEAD),
    _list("GET /customers/?page=100 (head)", "/customers/?page=100", HEAD),
    _list("GET /customers/?q=… (search, head)", "/customers/?q=jsdw", HEAD),
    _list("GET /customers/?q=… (full pinyin)", "/customers/?q=jiangsu", HEAD),
    _list("GET /customers/?sort=name (by pinyin)", "/customers/?sort=name", HEAD),
    _list("GET /customers/?grade=A&sort=-score", "/customers/?grade=A&sort=-score", HEAD),
    _list(
        "GET /customers/?grade=A&sort=-score&page=100",
        "/customers/?grade=A&sort=-score&page=100",
        HEAD,
    ),
    _list("GET /customers/ (KA list, KAM)", "/customers/", KAM),
    _list("GET /customers/?grade=A&sort=-score (KAM)", "/customers/?grade=A&sort=-score", KAM),
    Route("GET /api/customers/ (head)", "/api/customers/", HEAD),
    Route("GET /customers/1/ (detail)", "/customers/1/", HEAD),
    # the department list: also timed for throughput over HTTP
    _list("GET /pipeline/ (list, head)", "/pipeline/", HEAD, rps=60.0),
    _list("GET /pipeline/?page=100 (head)", "/pipeline/?page=100", HEAD),
    _list("GET /pipeline/ (list, KAM)", "/pipeline/", KAM),
    _list("GET /pipeline/?page=100 (KAM)", "/pipeline/?page=100", KAM),
    _list("GET /pipeline/?stage=3&sort=-amount", "/pipeline/?stage=3&sort=-amount", HEAD),
    _list(
        "GET /pipeline/?stage=3&sort=-amount&page=100",
        "/pipeline/?stage=3&sort=-amount&page=100",
        HEAD,
    ),
    _list("GET /pipeline/?stage=3&sort=-amount (KAM)", "/pipeline/?stage=3&sort=-amount", KAM),
    _list("GET /pipeline/?q=… (full pinyin)", "/pipeline/?q=jiangsu", HEAD),
    _list("GET /pipeline/board/ (head)", "/pipeline/board/", HEAD, ms=BOARD_MS),
    Route("GET /pipeline/board/ (KAM)", "/pipeline/board/", KAM),
    _list("GET /pipeline/major/ (head)", "/pipeline/major/", HEAD, ms=BOARD_MS),
    # A demo deal with a long history, a power map and an override (the demo loads first).
    Route("GET /pipeline/17/ (detail)", "/pipeline/17/", HEAD),
    _list("GET /api/pipeline/opportunities", "/api/pipeline/opportunities", HEAD, API_MS, 200.0),
    Route("GET /api/pipeline/board", "/api/pipeline/board", HEAD),
]
#: timed for throughput with 4 clients over HTTP (``--http``)
THROUGHPUT = [r for r in ROUTES if r.target_rps is not None]
WARM_UP = 3


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank: the value 95 % of the runs stay at or under)."""
    ordered = sorted(values)
    rank = max(1, -(-95 * len(ordered) // 100))
    return ordered[rank - 1]


def timed(call: Callable[[], Any], runs: int) -> list[float]:
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        walls.append((time.perf_counter() - start) * 1000)
    return walls


def _client(username: str) -> Client:
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def _capture(client: Client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return [q["sql"] for q in captured.captured_queries]


def _replay(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            # Session bookkeeping statements may not replay verbatim; the rest are reads.
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                cursor.execute(sql)
                cursor.fetchall()


def time_route(route: Route, *, runs: int) -> Result:
    client = _client(route.username)
    for _ in range(WARM_UP):  # warm up caches, templates, connections
        response = client.get(route.path)
        assert response.status_code == 200, (route.path, response.status_code)
    statements = _capture(client, route.path)
    walls = timed(lambda: client.get(route.path), runs)
    again = _capture(client, route.path)
    floors = timed(lambda: _replay(statements), runs)
    hand, ok = real_floor(route.label, runs=runs)
    floor = statistics.median(floors)
    # the page's own SQL is a way to the same answer too: when it beats the hand-written
    # queries, it is the best known (the table marks it "=")
    real = None if hand is None else min(hand, floor)
    return Result(
        label=route.label,
        path=route.path,
        username=route.username,
        queries=len(statements),
        queries_fixed=len(again) == len(statements),
        median_ms=statistics.median(walls),
        p95_ms=p95(walls),
        floor_ms=floor,
        real_floor_ms=real,
        hand_floor_ms=hand,
        real_floor_ok=ok,
        target_ms=route.target_ms,
        target_rps=route.target_rps,
        floor_factor=route.floor_factor,
    )


def _run(statements: list[tuple[str, tuple[Any, ...]]]) -> list[list[tuple[Any, ...]]]:
    with connection.cursor() as cursor:
        results = []
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
        return results


def real_floor(label: str, *, runs: int) -> tuple[float | None, bool | None]:
    """The median of the fastest candidate of the route's floor (``floors``), with the
    floor's own indexes in place only while it runs; and whether it gives the page's answer."""
    factory = FLOORS.get(label)
    if factory is None:
        return None, None
    floor: Floor = factory()
    made = _make_indexes(floor.indexes)
    try:
        best, ok = None, True
        for statements in floor.candidates:
            for _ in range(WARM_UP):
                results = _run(statements)
            ok = ok and floor.answer(results) == floor.expected
            median = statistics.median(timed(lambda s=statements: _run(s), runs))
            best = median if best is None else min(best, median)
        return best, ok
    finally:
        _drop_indexes(made)


def _make_indexes(indexes: dict[str, str]) -> list[str]:
    """Made on the throw-away database, dropped after the floor: the pages never see them.
    No ``ANALYZE``: the benchmark's statistics stay what the generation left."""
    made = []
    with connection.cursor() as cursor:
        for name, ddl in indexes.items():
            cursor.execute(ddl)
            made.append(name)
    return made


def _drop_indexes(names: list[str]) -> None:
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP INDEX {name}")
