"""`manage.py load_demo [--if-empty]`: the demo province Thành phố Huế (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tinhso.organizations.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo province (Thành phố Huế: agencies, departments, 40 communes, positions "
        "and demo accounts with the password TINHSO_DEMO_PASSWORD). Running it again creates "
        "nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when any agency exists (used by `make run`)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_demo(if_empty=options["if_empty"])
        for line in summary.lines():
            self.stdout.write(self.style.SUCCESS(line) if summary.changed else line)
