"""`manage.py audit_verify`: check the whole audit trail against its hash chain.

Exit status 0 when the chain is intact, 1 when it is broken (the first broken link is named),
so that a nightly job can alert on it.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tinhso.audit import chain
from tinhso.audit.verification import verify_trail


def problem_text(problem: str) -> str:
    return {
        chain.GAP: _("thiếu dòng liền trước (số thứ tự bị nhảy)"),
        chain.PREV_HASH: _("mã băm của dòng trước không khớp (chuỗi bị sắp xếp lại hoặc chèn)"),
        chain.CONTENT: _("nội dung đã bị sửa, không còn khớp với mã băm của nó"),
        chain.HEAD: _(
            "chuỗi không khớp với đầu chuỗi (các dòng cuối bị xóa hoặc đầu chuỗi bị sửa)"
        ),
    }.get(problem, problem)


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn của nhật ký hệ thống theo chuỗi mã băm."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--chunk-size", type=int, default=2000, help="Rows fetched per round trip."
        )
        parser.add_argument(
            "--progress-every",
            type=int,
            default=100_000,
            help="Print a progress line every N rows (0: never).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        every = options["progress_every"]

        def progress(checked: int, total: int) -> None:
            self.stderr.write(
                _("… đã kiểm tra %(checked)s/%(total)s dòng")
                % {
                    "checked": number_format(checked, force_grouping=True),
                    "total": number_format(total, force_grouping=True),
                }
            )

        result = verify_trail(
            chunk_size=options["chunk_size"],
            on_progress=progress if every > 0 else None,
            progress_every=max(every, 1),
        )
        elapsed = time.monotonic() - started
        count = number_format(result.checked, force_grouping=True)
        if result.intact:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Nhật ký nguyên vẹn (intact): đã kiểm tra %(count)s dòng trong %(s).1f giây.")
                    % {"count": count, "s": elapsed}
                )
            )
            return
        raise CommandError(
            _(
                "Nhật ký bị phá vỡ (broken) tại dòng số %(seq)s: %(problem)s. "
                "%(count)s dòng trước đó nguyên vẹn."
            )
            % {"seq": result.broken_seq, "problem": problem_text(result.problem), "count": count},
            returncode=1,
        )
