"""Time bringing deals in with their history: the file import (preview, commit) and the API.

    python -m bench.deal_import_bench [--deals 10000] [--runs 3]

The database is a throw-away SQLite file under var/bench/ with the demo data; every run starts
from a fresh copy of it. The deals sit on the demo's registered customers, owned by their
owners, at every stage, a tenth won and a tenth lost, created over two years; the importer is
the demo's administrator. The API is timed through Django's test client (no network), in
requests of 1,000 deals.
"""

import argparse
import csv
import io
import json
import statistics
from datetime import date, timedelta
from typing import Any

from .import_bench import DemoDatabase, timed

HEADER = ["客户", "商机名称", "预计金额", "阶段", "负责人", "预计签约日期", "创建日期", "状态",
          "关闭日期"]  # fmt: skip


def deals(count: int, customers: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """``count`` deals over ``customers`` ([name, owner username]), as the API takes them and as
    a file gives them."""
    start = date(2024, 12, 1)
    out = []
    for n in range(count):
        name, owner = customers[n % len(customers)]
        created = start + timedelta(days=n % 600)
        status = "won" if n % 10 == 0 else "lost" if n % 10 == 1 else "open"
        closed = created + timedelta(days=30 + n % 90) if status != "open" else None
        out.append(
            {
                "customer": name,
                "owner": owner,
                "name": f"迁移商机 {n:06d}",
                "amount": str(100_000 + (n * 7919) % 9_000_000),
                "stage": 6 if status == "won" else 1 + n % 5,
                "created_on": created,
                "closed_on": closed,
                "expected_signing": closed or date(2027, 1, 1) + timedelta(days=n % 365),
                "status": status,
            }
        )
    return out


def as_csv(items: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for d in items:
        writer.writerow([
            d["customer"], d["name"], d["amount"], d["stage"], d["owner"],
            d["expected_signing"].isoformat(), d["created_on"].isoformat(), d["status"],
            d["closed_on"].isoformat() if d["closed_on"] else "",
        ])  # fmt: skip
    return buffer.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=10_000, help="deals (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per phase (default 3)")
    args = parser.parse_args()

    database = DemoDatabase()
    from django.test import Client

    from keyaccount.customers.models import Customer, RegistrationStatus
    from keyaccount.org.models import User
    from keyaccount.pipeline.models import Opportunity
    from keyaccount.process.models import Stage
    from keyaccount.transfer import importing

    registered = Customer.objects.filter(status=RegistrationStatus.REGISTERED)
    customers = list(registered.values_list("name", "owner__username").order_by("id"))
    customer_ids = dict(registered.values_list("name", "id"))
    owner_ids = dict(User.objects.values_list("username", "id"))
    stage_ids = dict(Stage.objects.values_list("order", "id"))
    fresh_database = database.fresh

    items = deals(args.deals, customers)
    data = as_csv(items)
    preview, commit, api = [], [], []
    queries: dict[str, int] = {}
    for run in range(args.runs):
        fresh_database(2 * run)
        admin = User.objects.get(username="admin")
        before = Opportunity.objects.count()
        seconds, queries["preview"], plan = timed(
            lambda: importing.preview(user=admin, file_name="deals.csv", data=data)  # noqa: B023
        )
        preview.append(seconds)
        bad = [r.problems for r in plan.rows if r.problems][:3]
        assert plan.counts()["create"] == args.deals, (plan.counts(), bad)
        batch = importing.save_batch(user=admin, plan=plan)
        seconds, queries["commit"], outcome = timed(
            lambda: importing.commit(actor=admin, batch=batch, plan=plan)  # noqa: B023
        )
        commit.append(seconds)
        assert outcome.committed
        assert Opportunity.objects.count() == before + args.deals

        fresh_database(2 * run + 1)
        client = Client()
        client.force_login(User.objects.get(username="admin"))
        bodies = [
            json.dumps({"source": "bench", "deals": [
                {"customer_id": customer_ids[d["customer"]], "name": d["name"],
                 "amount": d["amount"], "owner_id": owner_ids[d["owner"]],
                 "stage_id": stage_ids[d["stage"]], "status": d["status"],
                 "created_on": d["created_on"].isoformat(),
                 "closed_on": d["closed_on"].isoformat() if d["closed_on"] else None,
                 "expected_signing": d["expected_signing"].isoformat()}
                for d in items[start : start + 1000]
            ]})
            for start in range(0, len(items), 1000)
        ]  # fmt: skip

        def post_all(bodies: list[str] = bodies, client: Any = client) -> None:
            for body in bodies:
                answer = client.post(
                    "/api/pipeline/opportunities/import", body, content_type="application/json"
                )
                assert answer.status_code == 201, answer.content[:500]

        seconds, queries["api"], _ = timed(post_all)
        api.append(seconds)
    database.remove()

    print(f"import of {args.deals:,} deals with their history, SQLite, medians of {args.runs} runs")
    print(f"{'phase':<52} {'median s':>9} {'deals/s':>9} {'queries':>8}")
    for label, times, key in (
        ("file: preview (read, map, check every row)", preview, "preview"),
        ("file: commit (one transaction, set-based)", commit, "commit"),
        ("API: POST /api/pipeline/opportunities/import ×1000", api, "api"),
    ):
        median = statistics.median(times)
        print(f"{label:<52} {median:>9.2f} {args.deals / median:>9,.0f} {queries[key]:>8}")


if __name__ == "__main__":
    main()
