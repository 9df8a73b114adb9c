"""Keeping what the hub delivered: the package and its files in the file store, recorded as
received by the interconnection (no person uploaded them), and the account that stands for it.

The files app's `file_store` takes uploads from people (an official, a citizen); a received
package has no uploader, so its files are written here the same way — content-addressed, once
per content — under the interconnection's system account, in the receiving agency.
"""

from __future__ import annotations

import hashlib
import io
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from tinhso.accounts.models import AccountKind, User
from tinhso.files import detection
from tinhso.files.hooks import file_stored
from tinhso.files.models import StoredFile, storage_name_for
from tinhso.files.names import sanitize_name, stored_name

logger = logging.getLogger(__name__)

SYSTEM_USERNAME = "he-thong.lien-thong"
OCTET_STREAM = "application/octet-stream"


def exchange_user() -> User:
    """The account that received documents are created by: inactive, no post, no password."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is not None:
        return user
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=SYSTEM_USERNAME,
            defaults={
                "full_name": "Hệ thống liên thông văn bản",
                "kind": AccountKind.OFFICIAL,
                "is_active": False,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    return user


class UnsafeFile(ValueError):
    """A received file refused for safety (macros, a hostile archive)."""


def content_type_of(data: bytes) -> str:
    """The file's type read from its content; octet-stream when it is of no known kind.

    Anything that starts as a PDF is a PDF, damaged or not: its signatures decide. Raises
    `UnsafeFile` for what an upload would be refused for as dangerous or broken."""
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    try:
        return detection.detect_content_type(io.BytesIO(data))
    except detection.UnsafeArchiveError as exc:
        raise UnsafeFile(str(exc.reason)) from None
    except detection.DamagedFileError as exc:
        raise UnsafeFile(f"damaged {exc.content_type}") from None
    except detection.DetectionError:
        return OCTET_STREAM


def put_bytes(data: bytes) -> tuple[str, str]:
    """Write the bytes at their content address (once); (sha256, storage name)."""
    sha256 = hashlib.sha256(data).hexdigest()
    name = storage_name_for(sha256)
    if default_storage.exists(name) and default_storage.size(name) == len(data):
        return sha256, name
    if default_storage.exists(name):
        logger.warning("exchange: replacing a damaged storage object %s", name)
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:
        default_storage.delete(saved)  # a concurrent writer stored the same bytes first
    return sha256, name


def store_received(
    *, name: str, data: bytes, content_type: str, agency_id: int | None, uploader: User
) -> StoredFile:
    """A stored file row for received bytes (inside the caller's transaction)."""
    sha256, storage = put_bytes(data)
    clean = sanitize_name(name) or "tep-dinh-kem"
    stored = StoredFile.objects.create(
        sha256=sha256,
        size=len(data),
        content_type=content_type,
        name=stored_name(clean, content_type)[:255],
        storage_name=storage,
        uploaded_by=uploader,
        agency_id=agency_id,
    )
    file_stored(stored)
    return stored
