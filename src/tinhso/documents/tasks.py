"""Background work of the documents: thin Huey wrappers (search indexing and OCR)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

#: OCR waiting longer than this was lost by the queue (a restart, a full Redis): run it again.
OCR_STALE = dt.timedelta(minutes=15)
OCR_SWEEP_BATCH = 20


@db_task(retries=2, retry_delay=60)
def index_document_task(document_id: int) -> None:
    from tinhso.documents.search.indexing import index_document

    index_document(document_id)


@db_task(retries=1, retry_delay=300)
def ocr_file_task(sha256: str) -> None:
    """OCR one scanned content, then index again the documents that hold it."""
    from tinhso.documents.search.indexing import ocr_and_reindex

    ocr_and_reindex(sha256)


@db_periodic_task(crontab(minute="*/15"))
def ocr_stale_files() -> int:
    """Every 15 minutes: OCR the contents that have waited too long for it."""
    from tinhso.documents.models.search import FileText, OcrStatus
    from tinhso.documents.search.indexing import ocr_and_reindex

    stale = FileText.objects.filter(
        ocr_status=OcrStatus.PENDING, updated_at__lt=timezone.now() - OCR_STALE
    ).values_list("sha256", flat=True)[:OCR_SWEEP_BATCH]
    done = 0
    for sha256 in list(stale):
        ocr_and_reindex(sha256)
        done += 1
    return done


@db_periodic_task(crontab(minute="5", hour="*/2"))
def remind_due_assignments() -> int:
    """Every two hours: e-mail the officials whose assigned documents are due within
    `TINHSO_DOCUMENT_REMIND_DAYS` days (2 by default) or overdue, once per assignment."""
    from tinhso.documents.notify import remind_due

    return remind_due()
