"""`manage.py procedures_import <file-or-dir> [--publish] [--dry-run]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tinhso.procedures.importing import ERROR, import_path


class Command(BaseCommand):
    help = (
        "Import procedures from national-catalogue JSON records (one per file, or a list), "
        "a file or every *.json file of a directory; one transaction per record. "
        "Importing the same record again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a JSON file or a directory of them")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish each new or changed version (retiring the one in force)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every record and report, but save nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            report = import_path(
                path, actor="system:import", publish=options["publish"], dry_run=options["dry_run"]
            )
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        for entry in report.entries:
            stream = self.stderr if entry.status == ERROR else self.stdout
            stream.write(entry.line())
        self.stdout.write(report.summary())
        if report.has_errors:
            raise CommandError(
                _("Có %(count)d bản ghi lỗi: các bản ghi đó không được nhập.")
                % {"count": report.count(ERROR)}
            )
