"""`manage.py hub_purge [--days N]`: empty the bodies of finished packages now.

Packages all of whose deliveries are finished and unchanged for N days (default
HUB_PURGE_DAYS) lose their body; their metadata and receipts stay. Old nonces go too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tinhso.hub import services


class Command(BaseCommand):
    help = "Xóa nội dung các gói tin đã chuyển xong quá thời hạn lưu (giữ biên nhận)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Thời hạn lưu (ngày).")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 0:
            raise CommandError(_("--days phải là số không âm."))
        counts = services.packages_purge(days=days)
        self.stdout.write(
            _("Đã xóa nội dung %(packages)d gói tin; %(nonces)d số dùng một lần cũ.")
            % {"packages": counts.packages, "nonces": counts.nonces}
        )
