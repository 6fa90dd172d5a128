"""Time the main pages and API routes against the database floor.

For each route: the median wall time of the whole request through Django (in-process client,
no network), and the median time of replaying the same SQL statements directly on the
database connection (the floor: what the database alone needs). The ratio says how much the
product adds on top of its queries.

    python -m bench [--teams 200] [--members 10] [--customers 20000] [--opportunities 100000]
                    [--runs 30]

Uses a throw-away SQLite database under var/bench/ unless DATABASE_URL is set, in which case
that database must be empty (it is migrated and filled).
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=200, help="extra teams (default 200)")
    parser.add_argument("--members", type=int, default=10, help="people per team (default 10)")
    parser.add_argument("--customers", type=int, default=20000, help="customers (default 20000)")
    parser.add_argument(
        "--opportunities", type=int, default=100_000, help="opportunities (default 100000)"
    )
    parser.add_argument("--runs", type=int, default=30, help="timed runs per route (default 30)")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        folder = Path("var/bench")
        folder.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(dir=folder)) / "bench.sqlite3"
        os.environ["SQLITE_PATH"] = str(path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyaccount.settings")
    os.environ.setdefault(
        "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from .generate import generate
    from .runner import ROUTES, time_route

    size = generate(
        teams=args.teams,
        members_per_team=args.members,
        customers=args.customers,
        opportunities=args.opportunities,
        password="bench-pw",
    )
    print(
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"org units: {size['units']}, users: {size['users']}, customers: {size['customers']}, "
        f"opportunities: {size['opportunities']}, runs per route: {args.runs}"
    )
    print(
        f"{'route':<36} {'user':<11} {'queries':>7} {'median ms':>10} {'floor ms':>9} {'ratio':>6}"
    )
    for route in ROUTES:
        result = time_route(route, runs=args.runs)
        print(
            f"{route.label:<36} {route.username:<11} {result.queries:>7} "
            f"{result.median_ms:>10.2f} {result.floor_ms:>9.2f} {result.ratio:>6.1f}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
