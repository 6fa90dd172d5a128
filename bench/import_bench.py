"""Time a large customer import: building the .xlsx, the preview and the commit.

    python -m bench.import_bench [--rows 10000] [--runs 3]

Each phase is run ``--runs`` times and the median is printed. The database is a throw-away
SQLite file under var/bench/ with the demo data; every commit starts from a fresh copy of it,
so each run registers the same ``--rows`` new customers (as registration requests of the demo
KAM liu.yang, the way an import by a KAM always works).
"""

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋"
BRAND = (
    "华瑞东方信达恒通远景中联丰宏图天成海润金桥鼎盛新元安泰长河凯越明德诚卓同创广汇启云帆星"
    "光耀辉煌博雅嘉禾锦绣开泰永昌隆兴旺富贵祥和平安康宁泽润沣源汇聚力合众拓展峰岳峻岭松柏"
    "梧桐兰芷芝蘭翔鹏鸿雁麒麟凤凰龙腾虎跃骏驰骐骥钧铭铄锐钢铁铸冶炼晶莹璀璨琳琅瑜瑾璋璐"
)
TRADES = (
    "电力", "电网", "银行", "通信", "智能制造", "物流", "能源", "数据", "医疗", "软件", "港务",
    "化工", "汽车", "钢铁", "建设", "水务", "燃气", "证券", "保险", "航空",
)  # fmt: skip
SUFFIXES = ("有限公司", "股份有限公司", "集团有限公司", "科技有限公司")
PROVINCES = (("CN-JS", "江苏"), ("CN-ZJ", "浙江"), ("CN-SH", "上海"), ("CN-BJ", "北京"),
             ("CN-GD", "广东"), ("CN-SD", "山东"))  # fmt: skip
INDUSTRIES = ("power-grid 电网", "banking 银行", "telecom 电信", "manufacturing 制造业", "services")
HEADER = [
    "客户名称", "统一社会信用代码", "区域", "行业", "地址", "年营业收入（元）", "年利润（元）",
    "员工人数", "技术人员数", "关键采购因素", "现有供应商", "备注",
]  # fmt: skip


def rows(count: int, seed: int = 11) -> list[list[Any]]:
    """``count`` realistic, distinct new customers (about half with a credit code)."""
    from keyaccount.customers import rules

    rng = random.Random(seed)
    out = []
    seen: set[str] = set()
    i = 0
    while len(out) < count:
        i += 1
        code, province = rng.choice(PROVINCES)
        brand = "".join(rng.sample(BRAND, rng.choice((2, 3, 3, 4))))
        name = f"{province}{brand}{rng.choice(TRADES)}{rng.choice(SUFFIXES)}"
        if rules.name_key(name) in seen:
            continue
        seen.add(rules.name_key(name))
        credit = ""
        if i % 2 == 0:
            body = f"9132{i:06d}" + "".join(rng.choice("0123456789ABCDEFGH") for _ in range(7))
            credit = body + rules.credit_code_check_char(body)
        out.append(
            [
                name,
                credit,
                f"{code} {province}",
                rng.choice(INDUSTRIES),
                f"{province}某市{rng.choice(SURNAMES)}家路{rng.randint(1, 999)}号",
                f"{rng.randint(1, 900) / 10}亿" if i % 3 else rng.randint(10**6, 10**10),
                f"{rng.randint(10, 9000)}万",
                rng.randint(50, 80_000),
                "１２３" if i % 7 == 0 else rng.randint(5, 5000),
                "方案成熟度、本地化服务能力、价格",
                rng.choice(["远景软件", "华信科技", ""]),
                "",
            ]
        )
    return out


def build_xlsx(data: list[list[Any]]) -> bytes:
    """The file, written as the KA list export writes (a streamed, formula-safe workbook)."""
    from openpyxl import Workbook

    from keyaccount.core.excel import workbook_bytes
    from keyaccount.transfer.exporting import stream_sheet

    workbook = Workbook(write_only=True)
    stream_sheet(workbook, "客户档案", HEADER, data)
    return workbook_bytes(workbook)


def timed(fn: Callable[[], Any]) -> tuple[float, int, Any]:
    """Seconds, database queries, result."""
    from django.db import connection

    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    return seconds, queries, result


class DemoDatabase:
    """A throw-away SQLite file under var/bench/ with the demo data, copied afresh per run."""

    def __init__(self) -> None:
        base = Path("var/bench")
        base.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(dir=base))
        self.template = self.folder / "template.sqlite3"
        os.environ["SQLITE_PATH"] = str(self.template)
        os.environ.pop("DATABASE_URL", None)  # always SQLite: the file is copied per run
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyaccount.settings")
        os.environ.setdefault(
            "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
        )

        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.utils import translation

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        call_command("migrate", verbosity=0)
        from keyaccount.demo import load_demo

        load_demo(password="bench-pw")
        translation.activate("zh-hans")

    def fresh(self, run: int) -> None:
        """Work on a new copy of the demo database."""
        from django.db import connection, connections

        connections.close_all()  # checkpoint the WAL: the file alone is the template
        target = self.folder / f"run{run}.sqlite3"
        shutil.copyfile(self.template, target)
        connection.settings_dict["NAME"] = target

    def remove(self) -> None:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(self.folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="customer rows (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per phase (default 3)")
    args = parser.parse_args()

    database = DemoDatabase()
    from keyaccount.customers.models import Customer, RegistrationRequest
    from keyaccount.org.models import User
    from keyaccount.transfer import importing

    fresh_database = database.fresh

    data_rows = rows(args.rows)
    build, preview, store, commit = [], [], [], []
    queries: dict[str, int] = {}
    size = 0
    for run in range(args.runs):
        seconds, _queries, data = timed(lambda: build_xlsx(data_rows))
        build.append(seconds)
        size = len(data)
        fresh_database(run)
        user = User.objects.get(username="liu.yang")
        seconds, queries["preview"], plan = timed(
            lambda: importing.preview(user=user, file_name="bench.xlsx", data=data)  # noqa: B023
        )
        preview.append(seconds)
        counts = plan.counts()
        assert counts["create"] == args.rows, counts
        seconds, queries["store"], batch = timed(
            lambda: importing.save_batch(user=user, plan=plan)  # noqa: B023
        )
        store.append(seconds)
        loaded = importing.load_batch(user=user, batch_id=batch.pk)
        assert loaded is not None
        seconds, queries["commit"], outcome = timed(
            lambda: importing.commit(actor=user, batch=loaded[0], plan=loaded[1])  # noqa: B023
        )
        commit.append(seconds)
        assert outcome.committed, [p for r in outcome.plan.rows for p in r.problems][:5]
        assert RegistrationRequest.objects.count() >= args.rows
        assert Customer.objects.filter(owner=user).count() >= args.rows
    database.remove()

    print(
        f"import of {args.rows:,} customer rows, SQLite, medians of {args.runs} runs "
        f"(.xlsx of {size / 1024 / 1024:.1f} MB)"
    )
    print(f"{'phase':<44} {'median s':>9} {'rows/s':>9} {'queries':>8}")
    for label, times, count in (
        ("build the .xlsx (openpyxl)", build, None),
        ("preview: read, parse, check every row", preview, queries["preview"]),
        ("keep the checked rows (ImportBatch)", store, queries["store"]),
        ("commit: registration requests, one transaction", commit, queries["commit"]),
    ):
        median = statistics.median(times)
        print(
            f"{label:<44} {median:>9.2f} {args.rows / median:>9,.0f} "
            f"{'' if count is None else count:>8}"
        )


if __name__ == "__main__":
    main()
