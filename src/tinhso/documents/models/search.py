"""Tables of document search: the text read from each file, and one index row per document.

The index row holds copies of the columns a search filters on and of those that decide who
sees the document, so that a search reads this one table. Its full-text part depends on the database (migration
0002): on PostgreSQL two `tsvector` columns maintained in SQL (`words`: the folded words,
each behind its document's agency, with a GIN index; `exact`: the accented words, for
ranking), absent from the model; on SQLite an FTS5 table `documents_search_fts` whose rowid
is the document id.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.documents.models.core import Document
from tinhso.organizations.models import Agency, Department


class TextStatus(models.TextChoices):
    OK = "ok", _("Đã đọc nội dung")
    EMPTY = "empty", _("Không có chữ")
    FAILED = "failed", _("Không đọc được")
    SKIPPED = "skipped", _("Định dạng không đọc nội dung")


class OcrStatus(models.TextChoices):
    NOT_NEEDED = "", _("Không cần nhận dạng chữ")
    PENDING = "pending", _("Chờ nhận dạng chữ")
    DONE = "done", _("Đã nhận dạng chữ")
    FAILED = "failed", _("Nhận dạng chữ thất bại")
    TIMEOUT = "timeout", _("Nhận dạng chữ quá thời gian")
    UNAVAILABLE = "unavailable", _("Không có phần mềm nhận dạng chữ")
    DISABLED = "disabled", _("Nhận dạng chữ đang tắt")


class FileText(models.Model):
    """The text read from one content (by SHA-256: the same bytes are read once).

    `text` is the PDF's text layer or the DOCX body; `ocr_text` what OCR recognised on the
    scanned pages or image. `reason` is a code (`tinhso.documents.search.reasons`) saying why
    nothing, or not everything, could be read; `detail` holds its parameters.
    """

    sha256 = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=TextStatus.choices)
    reason = models.CharField(max_length=30, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    text = models.TextField(blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    truncated = models.BooleanField(default=False)
    ocr_status = models.CharField(
        max_length=12, choices=OcrStatus.choices, default=OcrStatus.NOT_NEEDED, blank=True
    )
    ocr_text = models.TextField(blank=True)
    ocr_detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("nội dung tệp")
        verbose_name_plural = _("nội dung tệp")
        indexes = [
            models.Index(
                fields=("ocr_status",),
                name="file_text_ocr_pending",
                condition=models.Q(ocr_status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.sha256[:12]} {self.status}"

    @property
    def full_text(self) -> str:
        return "\n".join(part for part in (self.text, self.ocr_text) if part)


class SearchEntry(models.Model):
    """A document as the search sees it: filter columns copied from the document, and (in
    SQL, per database) its words. Written only by `tinhso.documents.search.indexing`."""

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    #: Indexed by `search_entry_agency_date` (agency first).
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", db_index=False)
    direction = models.CharField(max_length=10)
    #: Copies of the columns `documents.access.visibility` reads, under the same names, so
    #: that the very condition that says who sees a document filters these rows (the page of
    #: results is checked again against the documents themselves).
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
    )
    doc_type = models.CharField(max_length=4)
    urgency = models.CharField(max_length=16)
    status = models.CharField(max_length=12)
    issued_on = models.DateField(null=True, blank=True)
    registered_on = models.DateField(null=True, blank=True)
    #: The date a search's date range applies to: ngày văn bản, else the day it was
    #: registered, else the day it was created (drafts).
    doc_date = models.DateField()
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("chỉ mục tìm kiếm văn bản")
        verbose_name_plural = _("chỉ mục tìm kiếm văn bản")
        indexes = [
            # A search walks an agency's rows newest first when its words are common.
            models.Index(
                fields=("agency", "-doc_date", "-document"), name="search_entry_agency_date"
            ),
            models.Index(fields=("doc_date",), name="search_entry_date"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}"
