"""`manage.py notifications_send`: send the outbox rows that are due, now.

For operators: after fixing the mail relay, or where no Huey worker runs. Does what the
worker's sweep does every minute, batch after batch until nothing due is left (or
--max-batches batches were sent).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tinhso.notifications.delivery import BATCH_SIZE, SweepCounts, deliver_due


class Command(BaseCommand):
    help = "Gửi ngay các thông báo đến hạn gửi trong hộp thư đi."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Rows sent per batch (default {BATCH_SIZE}).",
        )
        parser.add_argument(
            "--max-batches",
            type=int,
            default=100,
            help=f"Stop after this many batches of {BATCH_SIZE} rows (default 100).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batches, size = options["max_batches"], options["batch_size"]
        if batches < 1 or size < 1:
            raise CommandError(_("--max-batches và --batch-size phải là số nguyên dương."))
        total = SweepCounts()
        for _batch in range(batches):
            counts = deliver_due(limit=size)
            total.rescued += counts.rescued
            total.sent += counts.sent
            total.retried += counts.retried
            total.failed += counts.failed
            total.skipped += counts.skipped
            # A batch that sent nothing new means what is left is not due or not ours.
            if counts.sent + counts.retried + counts.failed + counts.rescued == 0:
                break
        self.stdout.write(
            _(
                "Đã gửi %(sent)d; hẹn gửi lại %(retried)d; gửi không thành công %(failed)d; "
                "bỏ qua %(skipped)d; lấy lại %(rescued)d thư bị treo."
            )
            % {
                "sent": total.sent,
                "retried": total.retried,
                "failed": total.failed,
                "skipped": total.skipped,
                "rescued": total.rescued,
            }
        )
