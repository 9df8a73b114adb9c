"""Keeping the search index: reading the files of documents and writing their index rows.

`index_documents(ids)` (re)writes the rows of the given documents from what they hold now,
and removes those of documents that no longer exist; it is idempotent. Each file's content is
read once per SHA-256 (`FileText`): the PDF text layer or DOCX body at once, in a limited
child process (`extraction`), scans and images later by OCR (`ocr`, a task of its own: it
takes seconds a page), after which the documents holding that content are indexed again.

A file that cannot be read is recorded with its reason and contributes no text; the rest of
its document stays searchable.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tinhso.documents.models import Document, DocumentFile
from tinhso.documents.models.search import FileText, OcrStatus, SearchEntry, TextStatus
from tinhso.documents.search import extraction
from tinhso.documents.search.ocr import OcrKind, recognise
from tinhso.documents.search.terms import IndexTerms, pg_quote
from tinhso.files import detection
from tinhso.files.models import StoredFile
from tinhso.files.names import extension_contradicts

logger = logging.getLogger(__name__)

#: A file larger than this is not read (uploads are limited to 20 MB by default).
MAX_FILE_BYTES: Final = 100 * 1024 * 1024
#: Characters of file text indexed per document (the first ones).
MAX_DOCUMENT_CHARS: Final = 2_000_000
BATCH: Final = 500

FTS_TABLE: Final = "documents_search_fts"
_OCR_KINDS: Final[dict[str, OcrKind]] = {
    detection.PDF: "pdf",
    detection.PNG: "png",
    detection.JPEG: "jpeg",
    detection.TIFF: "tiff",
}


# --- Reading files ----------------------------------------------------------------------------


def extraction_seconds() -> float:
    return float(getattr(settings, "TINHSO_TEXT_EXTRACTION_SECONDS", 60))


def memory_mb() -> int:
    return int(getattr(settings, "TINHSO_OCR_MEMORY_MB", 1024))


def file_text(stored: StoredFile) -> tuple[FileText, bool]:
    """The text of a stored file's content, read now if it was never read; and whether it
    was read by this call."""
    existing = FileText.objects.filter(sha256=stored.sha256).first()
    if existing is not None:
        return existing, False
    fields = _read(stored)
    if fields["status"] == TextStatus.FAILED:
        logger.warning(
            "search: file %s (%s) not read: %s", stored.pk, stored.sha256[:12], fields["reason"]
        )
    try:
        with transaction.atomic():
            return FileText.objects.create(sha256=stored.sha256, **fields), True
    except IntegrityError:
        # Read at the same time by another worker: theirs is as good.
        return FileText.objects.get(sha256=stored.sha256), False


def _read(stored: StoredFile) -> dict[str, Any]:
    """The fields of a `FileText` for the content of `stored`."""
    try:
        with default_storage.open(stored.storage_name, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return _failed("missing", stored.content_type)
    if len(data) > MAX_FILE_BYTES:
        return _failed("too_large", stored.content_type, limit=MAX_FILE_BYTES // (1024 * 1024))

    # The type is read from the bytes, as at upload; a file that is not what its row or its
    # name says is not read at all.
    try:
        actual = detection.detect_content_type(io.BytesIO(data))
    except detection.UnsafeArchiveError as exc:
        if exc.reason == "macro":
            return _failed("unsupported", stored.content_type, type="DOCM")
        return _failed("zip_bomb", stored.content_type, type=stored.content_type)
    except detection.DamagedFileError as exc:
        return _failed("malformed", exc.content_type, type=exc.content_type)
    except detection.DetectionError:
        return _failed("unknown_type", stored.content_type)
    claimed_extension = extension_contradicts(stored.name, actual)
    if actual != stored.content_type or claimed_extension is not None:
        # The declared type, else the extension of the name ("PDF" for "scan.pdf").
        claimed = (
            stored.content_type
            if actual != stored.content_type
            else (claimed_extension or "").upper()
        )
        return _failed("type_mismatch", actual, actual=actual, claimed=claimed)

    if actual in (detection.PDF, detection.DOCX):
        kind: extraction.Kind = "pdf" if actual == detection.PDF else "docx"
        result = extraction.extract_isolated(
            kind, data, seconds=extraction_seconds(), memory_mb=memory_mb()
        )
        if result.status == "failed":
            return _failed(result.reason, actual, type=actual, **result.detail)
        needs_ocr = kind == "pdf" and result.scanned_pages > 0
        return {
            "content_type": actual,
            "status": TextStatus(result.status),
            "text": result.text,
            "pages": result.pages,
            "truncated": result.truncated,
            "ocr_status": OcrStatus.PENDING if needs_ocr else OcrStatus.NOT_NEEDED,
            "detail": {"scanned_pages": result.scanned_pages} if needs_ocr else {},
        }
    if actual in _OCR_KINDS:
        return {
            "content_type": actual,
            "status": TextStatus.EMPTY,
            "ocr_status": OcrStatus.PENDING,
        }
    return _failed("unsupported", actual, type=actual, skipped=True)


def _failed(reason: str, content_type: str, **detail: Any) -> dict[str, Any]:
    skipped = detail.pop("skipped", False)
    detail.setdefault("type", content_type)
    return {
        "content_type": content_type,
        "status": TextStatus.SKIPPED if skipped else TextStatus.FAILED,
        "reason": reason,
        "detail": detail,
    }


def ocr_file_text(sha256: str) -> FileText | None:
    """Run OCR on a content waiting for it; None when none waits."""
    text = FileText.objects.filter(sha256=sha256, ocr_status=OcrStatus.PENDING).first()
    if text is None:
        return None
    stored = StoredFile.objects.filter(sha256=sha256).order_by("pk").first()
    kind = _OCR_KINDS.get(text.content_type)
    data: bytes | None = None
    if stored is not None:
        try:
            with default_storage.open(stored.storage_name, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError:
            data = None
    if data is None or kind is None or len(data) > MAX_FILE_BYTES:
        text.ocr_status = OcrStatus.FAILED
        text.ocr_detail = {"error": "file"}
    else:
        result = recognise(data, kind, memory_mb=memory_mb())
        if result.status != "done":
            logger.warning("search: OCR of %s: %s %s", sha256[:12], result.status, result.detail)
        text.ocr_status = OcrStatus(result.status)
        text.ocr_text = result.text
        text.ocr_detail = result.detail
        if result.status == "done" and result.text.strip():
            text.status = TextStatus.OK
    text.updated_at = timezone.now()
    text.save(update_fields=["ocr_status", "ocr_text", "ocr_detail", "status", "updated_at"])
    return text


def ocr_and_reindex(sha256: str) -> None:
    """OCR a waiting content, then index again every document that holds it."""
    if ocr_file_text(sha256) is None:
        return
    ids = DocumentFile.objects.filter(file__sha256=sha256).values_list("document_id", flat=True)
    index_documents(sorted(set(ids)))


def month_lexeme(agency_id: int, day: Any) -> str:
    """The lexeme of a document's month ("4|@202611"): a search for common words asks the GIN
    index for the words *and* the last months, so that only the newest matches are read from
    the table (`query._page_postgresql`), not every document of the agency that holds them."""
    return f"{word_scope(agency_id)}@{day.year:04d}{day.month:02d}"


def row_words(row: _Row) -> str:
    """The `words` tsvector literal of an index row: its folded words and its month, behind
    the agency's scope. The one definition the indexer and the benchmark's loader share."""
    words = row.terms.tsvector(word_scope(row.agency_id))
    month = pg_quote(month_lexeme(row.agency_id, row.doc_date))
    return f"{words} {month}" if words else month


def word_scope(agency_id: int) -> str:
    """What a word of the PostgreSQL index stands behind: its document's agency ("4|quyet").

    A search only ever looks among the documents of the actor's agencies (`query`), so each
    word is indexed per agency: the GIN index then reads, for a common word, the documents
    of one agency that hold it, not those of the whole province (a word in every second
    subject of a million documents costs the index half a million entries to read).
    """
    return f"{agency_id}|"


# --- Writing index rows -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    document_id: int
    agency_id: int
    direction: str
    department_id: int | None
    created_by_id: int
    signer_id: int | None
    doc_type: str
    urgency: str
    status: str
    issued_on: Any
    registered_on: Any
    doc_date: Any
    terms: IndexTerms


_DOCUMENT_FIELDS: Final = (
    "id",
    "agency_id",
    "direction",
    "department_id",
    "created_by_id",
    "signer_id",
    "doc_type",
    "urgency",
    "status",
    "issued_on",
    "registered_at",
    "created_at",
    "number",
    "notation",
    "subject",
    "issuer_name",
)


def index_document(document_id: int) -> None:
    """(Re)write the index row of one document; remove it if the document is gone."""
    index_documents([document_id])


def index_documents(document_ids: Sequence[int], *, read_files: bool = True) -> int:
    """(Re)write the index rows of the documents; returns how many were written.

    Files never read are read now (`read_files`); those that wait for OCR are queued for it.
    """
    ids = sorted(set(document_ids))
    if not ids:
        return 0
    documents = list(Document.objects.filter(pk__in=ids).only(*_DOCUMENT_FIELDS))
    gone = set(ids) - {d.pk for d in documents}
    if gone:
        _delete_rows(sorted(gone))
    if not documents:
        return 0

    files_of: dict[int, list[StoredFile]] = {}
    links = (
        DocumentFile.objects.filter(document_id__in=[d.pk for d in documents])
        .select_related("file")
        .order_by("document_id", "id")
    )
    for link in links:
        files_of.setdefault(link.document_id, []).append(link.file)
    texts = {
        t.sha256: t
        for t in FileText.objects.filter(
            sha256__in={f.sha256 for files in files_of.values() for f in files}
        ).only("sha256", "text", "ocr_text", "ocr_status")
    }
    queue_ocr: list[str] = []
    if read_files:
        for files in files_of.values():
            for stored in files:
                if stored.sha256 not in texts:
                    text, read_now = file_text(stored)
                    texts[stored.sha256] = text
                    if read_now and text.ocr_status == OcrStatus.PENDING:
                        queue_ocr.append(stored.sha256)

    rows = [_row(d, files_of.get(d.pk, []), texts) for d in documents]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _write_postgresql(rows)
        else:
            _write_sqlite(rows)

    if queue_ocr:
        from tinhso.documents.tasks import ocr_file_task

        for sha256 in dict.fromkeys(queue_ocr):
            ocr_file_task(sha256)
    return len(rows)


def _row(document: Document, files: Iterable[StoredFile], texts: dict[str, FileText]) -> _Row:
    terms = IndexTerms()
    # Weights: the reference matters most, then the subject, the issuer, the files' text.
    terms.add(document.reference, "A")
    terms.add(document.subject, "B")
    terms.add(document.issuer_name, "C")
    budget = MAX_DOCUMENT_CHARS
    seen: set[str] = set()
    for stored in files:
        text = texts.get(stored.sha256)
        if text is None or stored.sha256 in seen or budget <= 0:
            continue
        seen.add(stored.sha256)
        content = text.full_text[:budget]
        budget -= len(content)
        terms.add(content, "D")
    registered_on = timezone.localdate(document.registered_at) if document.registered_at else None
    return _Row(
        document_id=document.pk,
        agency_id=document.agency_id,
        direction=document.direction,
        department_id=document.department_id,
        created_by_id=document.created_by_id,
        signer_id=document.signer_id,
        doc_type=document.doc_type,
        urgency=document.urgency,
        status=document.status,
        issued_on=document.issued_on,
        registered_on=registered_on,
        doc_date=document.issued_on or registered_on or timezone.localdate(document.created_at),
        terms=terms,
    )


_ENTRY = SearchEntry._meta.db_table
_COLUMNS: Final = (
    "document_id",
    "agency_id",
    "direction",
    "department_id",
    "created_by_id",
    "signer_id",
    "doc_type",
    "urgency",
    "status",
    "issued_on",
    "registered_on",
    "doc_date",
    "indexed_at",
)


def _values(row: _Row, now: Any) -> list[Any]:
    ops = connection.ops
    return [
        row.document_id,
        row.agency_id,
        row.direction,
        row.department_id,
        row.created_by_id,
        row.signer_id,
        row.doc_type,
        row.urgency,
        row.status,
        ops.adapt_datefield_value(row.issued_on),
        ops.adapt_datefield_value(row.registered_on),
        ops.adapt_datefield_value(row.doc_date),
        ops.adapt_datetimefield_value(now),
    ]


def _upsert_sql(extra_columns: Sequence[str], extra_placeholders: Sequence[str], count: int) -> str:
    columns = [*_COLUMNS, *extra_columns]
    one = "(" + ", ".join(["%s"] * len(_COLUMNS) + list(extra_placeholders)) + ")"
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "document_id")
    return (
        f"INSERT INTO {_ENTRY} ({', '.join(columns)}) VALUES {', '.join([one] * count)} "  # noqa: S608
        f"ON CONFLICT (document_id) DO UPDATE SET {updates}"
    )


def _write_postgresql(rows: Sequence[_Row]) -> None:
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 100):
            chunk = rows[start : start + 100]
            params: list[Any] = []
            for row in chunk:
                params += _values(row, now)
                params += [row_words(row), row.terms.exact_tsvector()]
            sql = _upsert_sql(("words", "exact"), ("%s::tsvector", "%s::tsvector"), len(chunk))
            cursor.execute(sql, params)


def _write_sqlite(rows: Sequence[_Row]) -> None:
    now = timezone.now()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 50):
            chunk = rows[start : start + 50]
            params: list[Any] = []
            for row in chunk:
                params += _values(row, now)
            cursor.execute(_upsert_sql((), (), len(chunk)), params)
            _delete_fts(cursor, [row.document_id for row in chunk])
            fts_params: list[Any] = []
            for row in chunk:
                t = row.terms
                fts_params += [row.document_id, t.column("A"), t.column("B"), t.column("C")]
                fts_params += [t.column("D"), t.exact_column()]
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, reference, subject, issuer, body, exact) "  # noqa: S608
                "VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk)),
                fts_params,
            )


def _delete_rows(ids: Sequence[int]) -> None:
    with transaction.atomic():
        SearchEntry.objects.filter(document_id__in=ids).delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                _delete_fts(cursor, ids)


def _delete_fts(cursor: Any, ids: Sequence[int]) -> None:
    placeholders = ", ".join(["%s"] * len(ids))
    cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({placeholders})", list(ids))  # noqa: S608
