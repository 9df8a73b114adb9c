"""The file store's routes in the access matrix (see tinhso.testing.access_matrix).

Every signed-in account may upload. A file uploaded by a chuyên viên of agency A is read by
the officials of agency A and by the provincial administrator; a citizen's upload by the
citizen and the provincial administrator. Everyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhso.accounts.models import User
from tinhso.files.models import StoredFile
from tinhso.files.services import file_store
from tinhso.testing.access_matrix import (
    ALLOWED,
    LOGIN,
    NOT_FOUND,
    SIGNED_IN,
    Endpoint,
    World,
    expect,
)

_PDF = b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"

AGENCY_A_READERS = expect(
    ALLOWED,
    anonymous=LOGIN,
    citizen=NOT_FOUND,
    quan_tri_co_quan_b=NOT_FOUND,
)
CITIZEN_READERS = expect(NOT_FOUND, anonymous=LOGIN, citizen=ALLOWED, quan_tri_tinh=ALLOWED)


def _stored(w: World, persona: str) -> StoredFile:
    def upload() -> StoredFile:
        user = cast(User, w.user(persona))
        return file_store(actor=user, upload=SimpleUploadedFile("to-trinh.pdf", _PDF))

    return cast(StoredFile, w.make(f"file_of_{persona}", upload))


def _url(route: str, persona: str) -> Any:
    return lambda w: reverse(route, args=[_stored(w, persona).pk])


def _read_entries(route: str) -> list[Endpoint]:
    return [
        Endpoint(
            route,
            "GET",
            url=_url(route, "chuyen_vien_a"),
            expect=AGENCY_A_READERS,
            label="agency A's file",
        ),
        Endpoint(
            route,
            "GET",
            url=_url(route, "citizen"),
            expect=CITIZEN_READERS,
            label="a citizen's file",
        ),
    ]


def _upload_entries() -> list[Endpoint]:
    """The upload takes multipart/form-data (`Endpoint.format`)."""
    return [
        Endpoint(
            "file-upload",
            "POST",
            payload=lambda w: {"file": SimpleUploadedFile("don.pdf", _PDF)},
            expect=SIGNED_IN,
            success=frozenset({201}),
            format="multipart",
        )
    ]


ENDPOINTS = [
    *_upload_entries(),
    *_read_entries("file-detail"),
    *_read_entries("file-content"),
    *_read_entries("files:download"),
]
