"""Row locks of the exchange worker that read nothing but the id.

The services lock a document before its recipients and outbox rows (`common.lock_document`,
one order, no deadlock); the worker only needs the lock, not the document's ~40 columns and
its agency: `SELECT id … FOR UPDATE OF` the document row.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from tinhso.documents.errors import DocumentConflict
from tinhso.documents.models import Document


def lock_document_id(document_id: int) -> int:
    """Lock the document row until commit (SQLite: the write transaction serialises). Raises
    `DocumentConflict` (not_found) when it is gone."""
    found = (
        Document.objects.select_for_update(of=("self",))
        .filter(pk=document_id)
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise DocumentConflict(_("Không tìm thấy văn bản."), code="not_found")
    return int(found)
