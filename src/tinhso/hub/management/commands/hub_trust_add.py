"""`manage.py hub_trust_add ROOT.pem [--name NAME]`: trust a root for envelope signatures.

A package's edXML signature is valid only when its certificate chains to one of these roots
(decision 0005 §1). Adding the same root again only renames it and enables it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tinhso.hub import services
from tinhso.hub.faults import HubFault


class Command(BaseCommand):
    help = "Thêm chứng thư số gốc tin cậy cho chữ ký số của gói tin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("certificate", help="Tệp chứng thư số gốc (PEM).")
        parser.add_argument("--name", default="", help="Tên hiển thị (mặc định: chủ thể).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            pem = Path(options["certificate"]).read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from error
        try:
            anchor = services.trust_anchor_add(
                actor="system:hub_trust_add", certificate_pem=pem, name=options["name"]
            )
        except HubFault as fault:
            raise CommandError(fault.message) from fault
        self.stdout.write(
            (
                _("Đã thêm chứng thư gốc %(name)s")
                if anchor.created
                else _("Đã cập nhật chứng thư gốc %(name)s")
            )
            % {"name": anchor.obj.name}
            + f"; SHA-256 {anchor.obj.fingerprint}"
        )
