"""`manage.py load_demo [--if-empty]`: the demo province Thành phố Huế (idempotent)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
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
        parser.add_argument(
            "--with-pki",
            action="store_true",
            help=(
                "also build the demo PKI on a SoftHSM2 token (keys for the demo accounts' "
                "agencies, leaders and clerks) when SoftHSM2 is installed (used by `make run`)"
            ),
        )
        parser.add_argument(
            "--pki-base-url",
            default="",
            help="where the web server serves /pki/ (default http://127.0.0.1:$PORT/pki)",
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
        from tinhso.documents.demo import load_demo_documents

        documents = load_demo_documents()
        if documents:
            self.stdout.write(
                self.style.SUCCESS(_("Đã tạo %(count)d văn bản mẫu.") % {"count": documents})
            )
        if options["with_pki"]:
            self._demo_pki(options["pki_base_url"])

    def _demo_pki(self, base_url: str) -> None:
        """Keys on a SoftHSM2 token for the agencies of the demo accounts (a few seconds)."""
        from tinhso.accounts.models import Membership

        if not Path(settings.TINHSO_PKCS11_MODULE).exists():
            self.stdout.write(
                _("Bỏ qua chữ ký số mẫu: chưa cài SoftHSM2 (apt-get install -y softhsm2).")
            )
            return
        codes = sorted(
            set(
                Membership.objects.filter(user__username__in=DEMO_SIGNERS).values_list(
                    "agency__code", flat=True
                )
            )
        )
        port = os.environ.get("PORT", "8000")
        call_command(
            "signatures_pki",
            agency=codes,
            all_agencies=True,
            base_url=base_url or f"http://127.0.0.1:{port}/pki",
            seal_pin_env="TINHSO_DEMO_SEAL_PIN",
            stdout=self.stdout,
        )


#: The demo accounts whose agencies get keys: their seals, and their leaders' and clerks'.
DEMO_SIGNERS = ("motcua", "vanthu", "lanhdao", "chuyenvien", "vanthu.xa", "motcua.xa")
