"""`manage.py calendar_seed [--from-year Y] [--to-year Y]`: extend or re-apply the seed.

Idempotent: creates missing days, refreshes seeded ones, never touches a day an
administrator created, edited or removed. Every installation already has 2015–2035 from the
data migration; run this to add later years or after upgrading the `holidays` package.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.workcalendar import seed
from tinhso.workcalendar.services import calendar_seed_apply


class Command(BaseCommand):
    help = "Nạp (hoặc nạp lại) lịch ngày nghỉ lễ, Tết, ngày nghỉ hoán đổi và ngày làm bù."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from-year", type=int, default=seed.SEED_FIRST_YEAR)
        parser.add_argument("--to-year", type=int, default=seed.SEED_LAST_YEAR)

    def handle(self, *args: Any, from_year: int, to_year: int, **options: Any) -> None:
        try:
            result = calendar_seed_apply(from_year=from_year, to_year=to_year)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Lịch {from_year}–{to_year}: thêm {result.created}, cập nhật {result.updated}, "
            f"giữ nguyên {result.unchanged}, giữ theo quản trị {result.kept}."
        )
