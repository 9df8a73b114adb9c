"""Full-text search over documents: subject, số và ký hiệu, issuer and the text of their files.

The documents' services call `schedule_index(document.pk)` inside their transaction whenever
a document or its files change; the index row is rewritten by a task after the commit.

- `search_documents(actor, query, filters=…, page=…, per_page=…)` → `SearchPage` (`query`)
- `index_document(document_id)`, `index_documents(ids)` (`indexing`); `manage.py
  documents_reindex` rebuilds everything
- `file_text_report(document_id)` → what could be read of each file, and why not (`report`)

Backends (by `connection.vendor`): PostgreSQL full-text search (`tsvector` columns written in
SQL from literals built here, a GIN index) and SQLite FTS5; both hold words folded by
`tinhso.text.fold` in Python, so both fold exactly alike (`terms`).
"""

from __future__ import annotations

from django.db import transaction

from tinhso.documents.search.indexing import index_document, index_documents
from tinhso.documents.search.query import SearchFilters, SearchHit, SearchPage, search_documents
from tinhso.documents.search.report import FileTextReport, file_text_report

__all__ = [
    "FileTextReport",
    "SearchFilters",
    "SearchHit",
    "SearchPage",
    "file_text_report",
    "index_document",
    "index_documents",
    "schedule_index",
    "search_documents",
]


def schedule_index(document_id: int) -> None:
    """Queue (re)indexing of a document after the current transaction commits."""
    from tinhso.documents.tasks import index_document_task

    # robust: a queue that cannot be reached must not fail a change that has committed
    # (`documents_reindex` repairs a missed row).
    transaction.on_commit(lambda: index_document_task(document_id), robust=True)
