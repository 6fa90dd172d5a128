from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from keyaccount.demo import USERS, DemoRefusedError, database_is_empty, load_demo


class Command(BaseCommand):
    help = "Load the demo company into an empty database and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already has users.",
        )
        parser.add_argument(
            "--logins", action="store_true", help="Only print the demo logins, load nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("en")
        if not options["logins"]:
            if settings.PRODUCTION:
                raise CommandError("Demo data is never loaded in production mode.")
            if options["if_empty"] and not database_is_empty():
                self.stdout.write("Database already has data: demo data not loaded.")
            else:
                try:
                    load_demo(password=settings.DEMO_PASSWORD)
                except DemoRefusedError as exc:
                    raise CommandError(str(exc)) from exc
                self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {settings.DEMO_PASSWORD})")
        for u in USERS:
            role = u.role.label
            self.stdout.write(f"  {u.username:<12} {u.display_name:<4}  {role} · {u.unit}")
        self.stdout.write("")
