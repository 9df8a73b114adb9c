"""What the search could read of a document's files, and why not: for the document's page."""

from __future__ import annotations

from dataclasses import dataclass

from tinhso.documents.models import DocumentFile
from tinhso.documents.models.search import FileText, OcrStatus, TextStatus
from tinhso.documents.search.reasons import ocr_message, reason_message


@dataclass(frozen=True, slots=True)
class FileTextReport:
    file_id: int
    name: str
    #: "ok", "empty", "failed", "skipped"; "waiting" before the file is read.
    status: str
    ocr_status: str
    #: Vietnamese: why nothing (or not all) of the file is searchable; empty when all is.
    message: str
    chars: int


def file_text_report(document_id: int) -> list[FileTextReport]:
    """One line per file of the document, in the document's order."""
    links = list(
        DocumentFile.objects.filter(document_id=document_id).select_related("file").order_by("id")
    )
    texts = {
        t.sha256: t
        for t in FileText.objects.filter(sha256__in={link.file.sha256 for link in links})
    }
    reports: list[FileTextReport] = []
    for link in links:
        text = texts.get(link.file.sha256)
        if text is None:
            reports.append(FileTextReport(link.file_id, link.file.name, "waiting", "", "", 0))
            continue
        messages = []
        if text.status in (TextStatus.FAILED, TextStatus.SKIPPED):
            messages.append(reason_message(text.reason, text.detail))
        if text.ocr_status not in (OcrStatus.NOT_NEEDED, OcrStatus.DONE):
            messages.append(ocr_message(text.ocr_status, text.ocr_detail))
        reports.append(
            FileTextReport(
                file_id=link.file_id,
                name=link.file.name,
                status=text.status,
                ocr_status=text.ocr_status,
                message=" ".join(m for m in messages if m),
                chars=len(text.text) + len(text.ocr_text),
            )
        )
    return reports
