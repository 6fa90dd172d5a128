"""``keyaccount import FILE --user NAME``: the import of the page, from a terminal.

The same pipeline as the page (read → check every row → commit, all rows or none), run in
this process with a progress bar; ``--check`` stops after the check, ``--skip-errors`` leaves
the rows in error out and writes them, with the reason per row, beside the file."""

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from keyaccount.customers.models import ImportMapping
from keyaccount.org.models import User
from keyaccount.transfer import importing

#: Errors listed in the terminal before "… and N more".
SHOWN = 30


class Command(BaseCommand):
    help = "Import customers, contacts, evaluations or opportunities from an .xlsx or .csv file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The .xlsx or .csv file.")
        parser.add_argument(
            "--user", required=True, help="The username the import is made as (its owner)."
        )
        parser.add_argument(
            "--kind",
            choices=list(importing.KINDS),
            action="append",
            help="The kind of sheet the file must hold (repeat for several); refused otherwise.",
        )
        parser.add_argument(
            "--mapping",
            default="",
            help="Read the file with this saved mapping (saved on the import page or over "
            "the API): its kind of records, columns, values and units.",
        )
        parser.add_argument("--check", action="store_true", help="Check only; write nothing.")
        parser.add_argument(
            "--skip-errors",
            action="store_true",
            help="Import the good rows; write the rows in error to FILE-rejected.xlsx.",
        )
        parser.add_argument("--language", default=None, help="zh-hans or en (messages).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user is called {options['user']!r}.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        with translation.override(options["language"] or user.language or None):
            self._run(user, path, options)

    def _run(self, user: User, path: Path, options: dict[str, Any]) -> None:
        mapping = None
        if options["mapping"]:
            saved = importing.saved(options["mapping"])
            if saved is None:
                names = ", ".join(ImportMapping.objects.values_list("name", flat=True))
                raise CommandError(
                    f"No mapping is called {options['mapping']!r} (saved: {names or 'none'})."
                )
            mapping = importing.from_saved(saved)
        try:
            plan = importing.preview(
                user=user, file_name=path.name, data=path.read_bytes(), mapping=mapping
            )
        except importing.FileRefusedError as exc:
            raise CommandError(f"{path.name}: {exc.message}") from exc
        kinds = {s.kind for s in plan.sheets}
        for wanted in options["kind"] or []:
            if wanted not in kinds:
                raise CommandError(f"{path.name} holds no {wanted} sheet (it holds: "
                                   f"{', '.join(sorted(kinds)) or 'none'}).")  # fmt: skip
        counts = plan.counts()
        self.stdout.write(
            f"{path.name}: {counts['rows']} rows — {counts['create']} new, "
            f"{counts['update']} changed, {counts['unchanged']} unchanged, "
            f"{counts['error']} in error, {counts['warning']} with warnings"
        )
        self._problems(plan)
        file_errors = any(p.level == importing.ERROR for p in plan.problems)
        if file_errors or (plan.has_errors and not options["skip_errors"]):
            hint = "" if file_errors else " (or use --skip-errors)"
            raise CommandError(f"Nothing was imported: correct the errors above{hint}.")
        if options["check"]:
            self.stdout.write("Checked: nothing was written (--check).")
            return
        if not plan.has_work:
            self.stdout.write("Every row is already up to date: nothing to import.")
            return
        batch = importing.save_batch(user=user, plan=plan)
        outcome = importing.commit(
            actor=user,
            batch=batch,
            plan=plan,
            skip_errors=options["skip_errors"],
            progress=self._bar,
        )
        sys.stderr.write("\n")
        if not outcome.committed:
            self._problems(outcome.plan)
            raise CommandError(outcome.message)
        self.stdout.write(importing.summary(outcome.counts))
        if outcome.rejected:
            export = importing.rejected_export(outcome.plan)
            target = path.with_name(f"{path.stem}-rejected.xlsx")
            target.write_bytes(export.content)
            self.stdout.write(f"{len(outcome.rejected)} rows left out, with the reason: {target}")

    def _problems(self, plan: importing.Plan) -> None:
        lines = [f"  {p.level}: {p.message}" for p in plan.problems if p.level != importing.INFO]
        for row in plan.rows:
            for p in row.problems:
                if p.level == importing.ERROR:
                    where = f"row {row.number}" + (f", column {p.column}" if p.column else "")
                    lines.append(f"  {row.sheet or row.kind} {where}: {p.message}")
        for line in lines[:SHOWN]:
            self.stdout.write(line)
        if len(lines) > SHOWN:
            self.stdout.write(f"  … and {len(lines) - SHOWN} more")

    @staticmethod
    def _bar(done: int, total: int) -> None:
        width = 40
        filled = width * done // total if total else width
        percent = 100 * done // total if total else 100
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {percent}%"
        )
        sys.stderr.flush()
