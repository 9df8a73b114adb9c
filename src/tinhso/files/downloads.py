"""The HTTP answer that hands a stored file to the browser or the API client."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse

from tinhso.files.models import StoredFile
from tinhso.files.names import content_disposition


def file_response(stored: StoredFile) -> FileResponse:
    """The bytes as an attachment, under the uploaded name, with the detected type.

    Always an attachment and never sniffed: an upload is not trusted to render inside the
    platform's origin (a PDF or an image with script in it stays a download).
    """
    response = FileResponse(
        default_storage.open(stored.storage_name, "rb"), content_type=stored.content_type
    )
    response["Content-Disposition"] = content_disposition(stored.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Readable only by whoever access_file admitted: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-cache"
    return response
