"""`tuijin rebuild_facts`: recompute every project's monthly facts from the sources (docs/figures.md)."""

import time

from django.core.management.base import BaseCommand

from tuijin.facts import maintain


class Command(BaseCommand):
    help = "Recompute the per-project monthly facts (tuijin.facts.ProjectMonth) from projects, plans and reports."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare the table with a fresh computation only")

    def handle(self, *args, check=False, **options):
        began = time.monotonic()
        if check:
            problems = maintain.diff()
            for line in problems[:50]:
                self.stdout.write(line)
            if problems:
                self.stderr.write(f"{len(problems)} rows differ from a fresh computation")
                raise SystemExit(1)
            self.stdout.write(f"facts table agrees with a fresh computation ({time.monotonic() - began:.1f} s)")
            return
        verbosity = options.get("verbosity", 1)
        projects = 0

        def progress(done: int, rows: int) -> None:
            nonlocal projects
            projects += done
            if verbosity > 1:
                self.stdout.write(f"  {projects} projects, {rows} rows")

        rows = maintain.rebuild(progress=progress)
        self.stdout.write(f"rebuilt {rows} facts rows for {projects} projects in {time.monotonic() - began:.1f} s")
