"""Full-text search over documents (interface; the implementation lands with the search work)."""

from __future__ import annotations


def schedule_index(document_id: int) -> None:
    """Queue (re)indexing of a document after the current transaction commits."""
