"""`manage.py load_demo [--if-empty]`: the demo province Thành phố Huế (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.dossiers.demo import load_demo_dossiers
from tinhso.organizations.demo import load_demo
from tinhso.procedures.demo import load_demo_procedures


class Command(BaseCommand):
    help = (
        "Load the demo province (Thành phố Huế: agencies, departments, 40 communes, positions "
        "and demo accounts with the password TINHSO_DEMO_PASSWORD), its one-stop procedure "
        "catalogue and a few dossiers. Running it again creates nothing new."
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
        if User.objects.filter(username__in=("motcua", "chuyenvien")).count() != 2:
            return  # not the demo province (--if-empty met other data): add nothing to it
        # The one-stop catalogue and a few dossiers; both are idempotent.
        report = load_demo_procedures()
        self.stdout.write(report.summary())
        dossiers = load_demo_dossiers()
        if dossiers:
            self.stdout.write(
                self.style.SUCCESS(_("Đã tạo %(count)d hồ sơ một cửa mẫu.") % {"count": dossiers})
            )
