"""`manage.py documents_reindex`: rebuild the search index of every document, with progress.

Files already read are not read again (their text is kept per content) unless `--retry`
asks to read again those that failed or whose OCR did not succeed. Scans waiting for OCR are
queued for it (`--ocr-now` runs OCR here, one file after the other). Index rows of
documents that no longer exist are removed.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tinhso.documents.models import Document
from tinhso.documents.models.search import FileText, OcrStatus, SearchEntry, TextStatus
from tinhso.documents.search.indexing import (
    BATCH,
    FTS_TABLE,
    index_documents,
    ocr_and_reindex,
)


class Command(BaseCommand):
    help = "Xây dựng lại chỉ mục tìm kiếm văn bản."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH)
        parser.add_argument(
            "--retry",
            action="store_true",
            help="Read again the files that failed and OCR again those whose OCR did not succeed.",
        )
        parser.add_argument(
            "--ocr-now", action="store_true", help="Run waiting OCR here instead of queueing it."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch = max(1, int(options["batch_size"]))
        if options["retry"]:
            retried = FileText.objects.filter(
                Q(status=TextStatus.FAILED)
                | Q(
                    ocr_status__in=[
                        OcrStatus.FAILED,
                        OcrStatus.TIMEOUT,
                        OcrStatus.UNAVAILABLE,
                        OcrStatus.DISABLED,
                    ]
                )
            ).delete()[0]
            self.stdout.write(_("Đọc lại %(n)s tệp.") % {"n": number_format(retried)})

        removed = SearchEntry.objects.exclude(
            document_id__in=Document.objects.values("pk")
        ).delete()[0]
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {FTS_TABLE} WHERE rowid NOT IN "  # noqa: S608  constant names
                    f"(SELECT document_id FROM {SearchEntry._meta.db_table})"
                )
                removed += cursor.rowcount

        total = Document.objects.count()
        done = 0
        last_id = 0
        started = time.monotonic()
        while True:
            ids = list(
                Document.objects.filter(pk__gt=last_id)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            done += index_documents(ids)
            last_id = ids[-1]
            elapsed = time.monotonic() - started
            self.stdout.write(
                _("%(done)s/%(total)s văn bản (%(percent)s%%), %(rate)s văn bản/giây")
                % {
                    "done": number_format(done),
                    "total": number_format(total),
                    "percent": number_format(100 * done / max(total, 1), 1),
                    "rate": number_format(done / max(elapsed, 1e-6), 0),
                }
            )

        pending = list(
            FileText.objects.filter(ocr_status=OcrStatus.PENDING).values_list("sha256", flat=True)
        )
        if pending:
            from tinhso.documents.tasks import ocr_file_task

            for sha256 in pending:
                if options["ocr_now"]:
                    ocr_and_reindex(sha256)
                else:
                    ocr_file_task(sha256)
        self.stdout.write(
            _(
                "Xong: %(done)s văn bản, %(removed)s dòng chỉ mục thừa đã xóa, "
                "%(pending)s tệp chờ nhận dạng chữ."
            )
            % {
                "done": number_format(done),
                "removed": number_format(removed),
                "pending": number_format(len(pending)),
            }
        )
