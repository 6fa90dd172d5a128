import statistics
import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keyaccount.org.models import User


@dataclass(frozen=True)
class Route:
    label: str
    path: str
    username: str


@dataclass(frozen=True)
class Result:
    queries: int
    median_ms: float
    floor_ms: float

    @property
    def ratio(self) -> float:
        return self.median_ms / self.floor_ms if self.floor_ms else float("nan")


ROUTES = [
    Route("GET /healthz", "/healthz", ""),
    Route("GET / (home, head)", "/", "zhou.jian"),
    Route("GET / (home, director)", "/", "zhao.min"),
    Route("GET / (home, assistant)", "/", "lin.xiaoyu"),
    Route("GET / (home, KAM)", "/", "liu.yang"),
    Route("GET /notifications/ (KAM)", "/notifications/", "liu.yang"),
    Route("GET /pipeline/overrides/ (head)", "/pipeline/overrides/", "zhou.jian"),
    Route("GET /process/ (playbook)", "/process/", "liu.yang"),
    Route("GET /org/ (org tree, head)", "/org/", "zhou.jian"),
    Route("GET /org/ (org tree, KAM)", "/org/", "liu.yang"),
    Route("GET /api/process/stages", "/api/process/stages", "liu.yang"),
    Route("GET /api/org/units (head)", "/api/org/units", "zhou.jian"),
    Route("GET /api/me", "/api/me", "liu.yang"),
    Route("GET /customers/ (KA list, head)", "/customers/", "zhou.jian"),
    Route("GET /customers/?q=… (search, head)", "/customers/?q=jsdw", "zhou.jian"),
    Route("GET /customers/?q=… (full pinyin)", "/customers/?q=jiangsu", "zhou.jian"),
    Route("GET /customers/?sort=name (by pinyin)", "/customers/?sort=name", "zhou.jian"),
    Route("GET /customers/?grade=A&sort=-score", "/customers/?grade=A&sort=-score", "zhou.jian"),
    Route("GET /customers/ (KA list, KAM)", "/customers/", "liu.yang"),
    Route("GET /api/customers/ (head)", "/api/customers/", "zhou.jian"),
    Route("GET /customers/1/ (detail)", "/customers/1/", "zhou.jian"),
    Route("GET /pipeline/ (list, head)", "/pipeline/", "zhou.jian"),
    Route("GET /pipeline/ (list, KAM)", "/pipeline/", "liu.yang"),
    Route("GET /pipeline/?stage=3&sort=-amount", "/pipeline/?stage=3&sort=-amount", "zhou.jian"),
    Route("GET /pipeline/?q=… (full pinyin)", "/pipeline/?q=jiangsu", "zhou.jian"),
    Route("GET /pipeline/board/ (head)", "/pipeline/board/", "zhou.jian"),
    Route("GET /pipeline/board/ (KAM)", "/pipeline/board/", "liu.yang"),
    Route("GET /pipeline/major/ (head)", "/pipeline/major/", "zhou.jian"),
    # A demo deal with a long history, a power map and an override (the demo loads first).
    Route("GET /pipeline/17/ (detail)", "/pipeline/17/", "zhou.jian"),
    Route("GET /api/pipeline/opportunities", "/api/pipeline/opportunities", "zhou.jian"),
    Route("GET /api/pipeline/board", "/api/pipeline/board", "zhou.jian"),
]


def _client(username: str) -> Client:
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def time_route(route: Route, *, runs: int) -> Result:
    client = _client(route.username)
    for _ in range(3):  # warm up caches, templates, connections
        response = client.get(route.path)
        assert response.status_code == 200, (route.path, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(route.path)
    statements = [q["sql"] for q in captured.captured_queries]
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(route.path)
        walls.append((time.perf_counter() - start) * 1000)
    floors = []
    for _ in range(runs):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in statements:
                # Session bookkeeping statements may not replay verbatim; the rest are reads.
                if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    cursor.execute(sql)
                    cursor.fetchall()
        floors.append((time.perf_counter() - start) * 1000)
    return Result(
        queries=len(statements),
        median_ms=statistics.median(walls),
        floor_ms=statistics.median(floors),
    )
