"""A size limit applied while a multipart body streams in, before anything reaches a disk.

Django writes uploads above `FILE_UPLOAD_MAX_MEMORY_SIZE` to temporary files as they arrive;
without a limit, a 10 GB body would be read and written in full before the service could say
no. `UploadLimitHandler` goes first among the upload handlers: it refuses the whole body when
its declared length is too large (nothing is read), and stops the parse as soon as one file
grows past the limit. The view then answers 413.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status

#: Room for the multipart framing (boundaries, part headers, a long file name).
MULTIPART_OVERHEAD = 64 * 1024


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("Tệp tải lên quá lớn.")
    default_code = "too_large"


class UploadLimitHandler(FileUploadHandler):
    """Stops the upload once the body or one file passes `limit` bytes; sets `exceeded`."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, Any]] | None:
        if content_length > self.limit + MULTIPART_OVERHEAD:
            self.exceeded = True
            # Parsed as empty without reading a byte of the body.
            return QueryDict(), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            # Django closes (and so deletes) the temporary files of this request.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
