"""Moving in: every import kind end to end (read the file, map, check every row, keep the
preview, commit), as CSV and as .xlsx, on SQLite or PostgreSQL, with the peak memory of the
process that does it.

    python -m bench.moving_in_bench [--rows 20000] [--runs 3] [--kinds customers,opportunities]
                                    [--formats csv,xlsx] [--database-url postgresql://…]

Without ``--database-url`` the database is a throw-away SQLite file under var/bench/; with one
(PostgreSQL), throw-away databases are made next to it (``CREATE DATABASE … TEMPLATE``). Both
start from the demo data, and every run from a fresh copy of it. Each run is a process of its
own, so that its peak resident memory (``ru_maxrss``) is that of one import: the figure includes
the interpreter and Django (about 100 MB), printed apart as the process's memory before the
file is read.

Customers are new registrations of the demo KAM liu.yang (``import_bench``'s rows); deals sit on
the demo's registered customers with their owners, stages, dates and outcomes
(``deal_import_bench``'s deals), imported by the administrator.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

KINDS = ("customers", "opportunities")
FORMATS = ("csv", "xlsx")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyaccount.settings")
    os.environ.setdefault(
        "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    translation.activate("zh-hans")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Databases:
    """The demo database made once, and a fresh copy of it per run."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.folder = Path(tempfile.mkdtemp(dir=Path("var/bench").resolve()))
        self.made: list[str] = []
        self.template = self._env("ka_bench_template")
        self._run(["--make-template"], self.template)

    def _env(self, name: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
        if self.url:
            parts = urlsplit(self.url)
            env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
        else:
            env["SQLITE_PATH"] = str(self.folder / f"{name}.sqlite3")
        return env

    def _admin(self, sql: str) -> None:
        import psycopg

        assert self.url is not None
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(sql)

    def _run(self, args: list[str], env: dict[str, str]) -> dict[str, Any]:
        name = env.get("DATABASE_URL", env.get("SQLITE_PATH", "")).rsplit("/", 1)[-1]
        if self.url and name not in self.made:
            self._admin(f'DROP DATABASE IF EXISTS "{name}"')
            if args != ["--make-template"]:
                self._admin(f'CREATE DATABASE "{name}" TEMPLATE "ka_bench_template"')
            else:
                self._admin(f'CREATE DATABASE "{name}"')
            self.made.append(name)
        elif not self.url and args != ["--make-template"]:
            shutil.copyfile(self.folder / "ka_bench_template.sqlite3", env["SQLITE_PATH"])
        done = subprocess.run(  # noqa: S603 (this module, run as a child)
            [sys.executable, "-m", "bench.moving_in_bench", *args],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(done.stderr[-4000:])
        lines = done.stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines else {}

    def measure(self, kind: str, fmt: str, rows: int, run: int) -> dict[str, Any]:
        name = f"ka_bench_run{run}"
        env = self._env(name)
        result = self._run(["--child", kind, fmt, str(rows)], env)
        if self.url:
            self._admin(f'DROP DATABASE IF EXISTS "{name}"')
            self.made.remove(name)
        return result

    def remove(self) -> None:
        if self.url:
            for name in self.made:
                self._admin(f'DROP DATABASE IF EXISTS "{name}"')
        shutil.rmtree(self.folder, ignore_errors=True)


def make_template() -> None:
    _setup_django()
    from django.core.management import call_command

    from keyaccount.demo import load_demo

    call_command("migrate", verbosity=0)
    load_demo(password="bench-pw")
    print("{}")


def _file(kind: str, fmt: str, count: int) -> tuple[bytes, str]:
    from .deal_import_bench import HEADER as DEAL_HEADER
    from .deal_import_bench import deals
    from .import_bench import HEADER, build_xlsx, rows

    if kind == "customers":
        header, data = HEADER, rows(count)
    else:
        from keyaccount.customers.models import Customer, RegistrationStatus

        registered = Customer.objects.filter(status=RegistrationStatus.REGISTERED)
        customers = list(registered.values_list("name", "owner__username").order_by("id"))
        header = DEAL_HEADER
        data = [
            [d["customer"], d["name"], d["amount"], d["stage"], d["owner"],
             d["expected_signing"].isoformat(), d["created_on"].isoformat(), d["status"],
             d["closed_on"].isoformat() if d["closed_on"] else ""]
            for d in deals(count, customers)
        ]  # fmt: skip
    if fmt == "xlsx":
        if kind == "customers":
            return build_xlsx(data), "bench.xlsx"
        from openpyxl import Workbook

        from keyaccount.core.excel import workbook_bytes
        from keyaccount.transfer.exporting import stream_sheet

        workbook = Workbook(write_only=True)
        stream_sheet(workbook, "商机", header, data)
        return workbook_bytes(workbook), "bench.xlsx"
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(data)
    return buffer.getvalue().encode("utf-8"), "bench.csv"


def child(kind: str, fmt: str, count: int) -> None:
    """One import, end to end, in this process; prints its figures as JSON."""
    _setup_django()
    from keyaccount.org.models import User
    from keyaccount.transfer import importing

    from .import_bench import timed

    user = User.objects.get(username="liu.yang" if kind == "customers" else "admin")
    data, name = _file(kind, fmt, count)
    base = _rss_mb()
    phases: dict[str, float] = {}
    queries = 0
    start = time.perf_counter()

    def check_and_keep() -> tuple[int, float, float, int]:
        """The preview, kept as the web page keeps it (its plan is not held afterwards, as the
        worker that commits it does not hold it)."""
        seconds, q, plan = timed(lambda: importing.preview(user=user, file_name=name, data=data))
        counts = plan.counts()
        bad = [r.problems for r in plan.rows if r.problems][:3]
        assert counts["create"] == count, (counts, bad)
        stored, q2, batch = timed(lambda: importing.save_batch(user=user, plan=plan))
        return batch.pk, seconds, stored, q + q2

    batch_id, phases["preview"], phases["store"], queries = check_and_keep()
    seconds, q, loaded = timed(lambda: importing.load_batch(user=user, batch_id=batch_id))
    phases["load"], queries = seconds, queries + q
    assert loaded is not None
    seconds, q, outcome = timed(
        lambda: importing.commit(actor=user, batch=loaded[0], plan=loaded[1])
    )
    phases["commit"], queries = seconds, queries + q
    assert outcome.committed, [p for r in outcome.plan.rows for p in r.problems][:5]
    total = time.perf_counter() - start
    print(json.dumps({
        "total": total, "phases": phases, "queries": queries, "bytes": len(data),
        "rss_before": base, "rss_peak": _rss_mb(),
    }))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="rows per file (default 20000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--database-url", default="", help="PostgreSQL (default: SQLite)")
    args = parser.parse_args()
    Path("var/bench").mkdir(parents=True, exist_ok=True)
    databases = Databases(args.database_url or None)
    vendor = "PostgreSQL" if args.database_url else "SQLite"
    print(f"moving in: {args.rows:,} rows per file, {vendor}, medians of {args.runs} runs")
    print(f"{'kind':<14}{'file':<6}{'MB':>6}{'rows/s':>9}{'total s':>9}{'preview':>9}"
          f"{'store':>7}{'commit':>8}{'queries':>8}{'peak MB':>9}{'base MB':>9}")  # fmt: skip
    run = 0
    try:
        for kind in args.kinds.split(","):
            for fmt in args.formats.split(","):
                results = []
                for _i in range(args.runs):
                    results.append(databases.measure(kind, fmt, args.rows, run))
                    run += 1

                def med(get: Any, results: list[dict[str, Any]] = results) -> float:
                    return statistics.median(get(r) for r in results)

                total = med(lambda r: r["total"])
                print(
                    f"{kind:<14}{fmt:<6}{results[0]['bytes'] / 1e6:>6.1f}"
                    f"{args.rows / total:>9,.0f}{total:>9.2f}"
                    f"{med(lambda r: r['phases']['preview']):>9.2f}"
                    f"{med(lambda r: r['phases']['store'] + r['phases']['load']):>7.2f}"
                    f"{med(lambda r: r['phases']['commit']):>8.2f}"
                    f"{results[0]['queries']:>8}{med(lambda r: r['rss_peak']):>9.0f}"
                    f"{med(lambda r: r['rss_before']):>9.0f}",
                    flush=True,
                )
    finally:
        databases.remove()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make-template"]:
        make_template()
    elif sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
