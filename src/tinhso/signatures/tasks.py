"""Background checks of received PDFs: thin Huey wrappers over the services."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from tinhso.files.models import StoredFile

#: Only a PDF that holds a signature dictionary is worth a check in a separate process; the
#: others are reported unsigned on demand, without a row.
SIGNATURE_MARKER = b"/ByteRange"


@db_task(retries=2, retry_delay=30)
def check_file_signatures(file_id: int) -> str | None:
    from tinhso.signatures.services import file_signatures_check, read_file_bytes

    stored = StoredFile.objects.filter(pk=file_id).first()
    if stored is None or SIGNATURE_MARKER not in read_file_bytes(stored):
        return None
    return file_signatures_check(file=stored).verdict


def on_file_stored(stored: StoredFile) -> None:
    """A stored PDF is checked in the background (Điều 21.2 NĐ 30/2020); the upload's request
    only queues it — the file is read again by the worker, not on the request's path."""
    if stored.content_type == "application/pdf":
        check_file_signatures(stored.pk)
