"""Time the main pages and API routes against what the database can do for them.

For each route: the median and p95 wall time of the whole request through Django (in-process
client, no network), its query count, the replayed-SQL floor (the page's own statements run
directly on the connection) and the real floor (the best hand-written queries for the same
answer, ``bench.floors``); with ``--http`` also over HTTP against gunicorn and, for the list
pages, the requests/s of 4 concurrent clients. Routes with a target are marked PASS or MISS.
docs/performance.md explains the columns and the targets.

    python -m bench [--dataset S|M|L] [--runs 30] [--http] [--postgres]
                    [--teams N] [--members N] [--customers N] [--contacts N]
                    [--opportunities N] [--only TEXT] [--baseline FILE] [--keep]

Uses a throw-away SQLite database under var/bench/, or with ``--postgres`` a throw-away
database on the local PostgreSQL server (dropped at the end), or the database of
``DATABASE_URL`` when it is set (it must be empty: it is migrated and filled). Results are
printed as a table and written to bench/results/<database>-<dataset>-<timestamp>.json.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from .datasets import DATASETS, Dataset

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="M", help="default M")
    for name in ("teams", "members", "customers", "contacts", "opportunities"):
        parser.add_argument(f"--{name}", type=int, help=f"override the dataset's {name}")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per route (default 30)")
    parser.add_argument("--http", action="store_true", help="also over HTTP, with throughput")
    parser.add_argument("--seconds", type=float, default=10.0, help="per throughput route")
    parser.add_argument("--postgres", action="store_true", help="on a throw-away PostgreSQL db")
    parser.add_argument("--only", default="", help="only the routes whose label holds this")
    parser.add_argument("--baseline", type=Path, help="a result file: compare query counts")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file afterwards")
    return parser.parse_args()


def _size(args: argparse.Namespace) -> Dataset:
    size = DATASETS[args.dataset]
    overrides = {
        name: getattr(args, name)
        for name in ("teams", "members", "customers", "contacts", "opportunities")
        if getattr(args, name) is not None
    }
    return replace(size, **overrides)


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[str]:
    """Point the settings at a throw-away database; remove it on the way out, even on error."""
    if args.postgres:
        import psycopg

        name = f"keyaccount_bench_{os.urandom(4).hex()}"
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = f"{POSTGRES_SERVER}/{name}"
        try:
            yield name
        finally:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        return
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    folder = Path("var/bench")
    folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=folder))
    os.environ["SQLITE_PATH"] = str(scratch / "bench.sqlite3")
    try:
        yield os.environ["SQLITE_PATH"]
    finally:
        if args.keep:
            print(f"kept {os.environ['SQLITE_PATH']}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyaccount.settings")
    os.environ.setdefault(
        "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()


@contextmanager
def _fast_writes() -> Iterator[None]:
    """On SQLite, no fsync and the journal in memory while generating (a throw-away file);
    the settings' WAL and full sync again for the timings."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=MEMORY")
        cursor.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")


def _settle() -> None:
    """What a running PostgreSQL has after a load (autovacuum): statistics and the visibility
    map. SQLite gets nothing: the product never runs ``ANALYZE`` there."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def run(args: argparse.Namespace, size: Dataset) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from . import report
    from .generate import generate
    from .runner import ROUTES, THROUGHPUT, time_route

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    with _fast_writes():
        counts = generate(size=size, password="bench-pw")
    _settle()
    generated = time.perf_counter()
    database = connection.vendor
    print(
        f"database: {database}, dataset {args.dataset}: "
        + ", ".join(f"{k}: {v}" for k, v in counts.items())
        + f"; migrate {migrated - started:.0f} s, generate {generated - migrated:.0f} s"
        + f"; runs per route: {args.runs}",
        flush=True,
    )
    routes = [r for r in ROUTES if args.only in r.label]
    baseline = report.baseline_queries(args.baseline) if args.baseline else {}
    results = []
    for route in routes:
        result = time_route(route, runs=args.runs)
        result.baseline_queries = baseline.get(route.label)
        results.append(result)
        print(f"  {route.label}: {result.median_ms:.1f} ms", file=sys.stderr, flush=True)
    throughput: dict[str, float] = {}
    if args.http:
        throughput = _over_http(args, routes, results)
    print(report.table(results, http=args.http))
    print(report.summary(results))
    meta = {
        "database": database,
        "dataset": args.dataset,
        "size": counts,
        "runs": args.runs,
        "http": args.http,
        "generate_seconds": round(generated - migrated, 1),
        "throughput_clients": 4 if args.http else None,
        "throughput": throughput,
        "throughput_routes": [r.label for r in THROUGHPUT],
    }
    print(f"results: {report.write_json(meta, results)}")


def _over_http(args: argparse.Namespace, routes: list, results: list) -> dict[str, float]:
    from . import http
    from .runner import THROUGHPUT

    http.set_passwords({r.username for r in routes if r.username})
    rates = {}
    with http.server() as port:
        http.time_over_http(port, routes, results, runs=args.runs)
        by_label = {r.label: r for r in results}
        for route in THROUGHPUT:
            if route.label in by_label:
                rate = http.throughput(port, route, seconds=args.seconds)
                by_label[route.label].rps = rates[route.label] = rate
                print(f"  {route.label}: {rate:.0f} req/s", file=sys.stderr, flush=True)
    return rates


def main() -> None:
    args = _arguments()
    size = _size(args)
    with _database(args):
        _setup_django()
        run(args, size)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
