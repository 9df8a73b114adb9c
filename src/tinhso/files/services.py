"""Storing an upload: the only write of the file store (originals are never changed)."""

from __future__ import annotations

import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.audit.services import audit_record
from tinhso.files import detection
from tinhso.files.access import require_uploader
from tinhso.files.hooks import file_stored
from tinhso.files.limits import (
    allowed_labels,
    allowed_types,
    human_size,
    max_upload_bytes,
    type_label,
)
from tinhso.files.models import StoredFile, storage_name_for
from tinhso.files.names import extension_contradicts, sanitize_name, stored_name

logger = logging.getLogger(__name__)

_CHUNK = 64 * 1024


def file_store(*, actor: User, upload: UploadedFile[bytes]) -> StoredFile:
    """Check, store and record an upload; the same bytes are kept once in storage.

    The size is counted while hashing, one chunk at a time, and the type is read from the
    content (`detection`), never from the name; a name whose extension names another format
    is refused. The file belongs to the uploader's agency when the uploader is an official
    of exactly one agency. If the row cannot be written, a storage object written by this
    call is removed again.
    """
    who = actor_for(actor)
    require_uploader(who)
    name = sanitize_name(upload.name or "")
    shown = name or _("(không có tên)")

    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise _invalid(_too_large(shown, upload.size, limit))
    sha256, size = _hash(upload, limit, shown)
    content_type = _content_type(upload, shown)
    if content_type not in allowed_types():
        raise _invalid(
            _("Tệp “%(name)s” là %(type)s, không thuộc các định dạng được chấp nhận (%(allowed)s).")
            % {"name": shown, "type": type_label(content_type), "allowed": allowed_labels()}
        )
    claimed = extension_contradicts(name, content_type)
    if claimed is not None:
        raise _invalid(
            _("Tệp “%(name)s” không phải là %(claimed)s: nội dung tệp là %(type)s.")
            % {"name": shown, "claimed": claimed.upper(), "type": type_label(content_type)}
        )

    storage_name = storage_name_for(sha256)
    written = _write(storage_name, upload, size)
    agency_ids = who.agency_ids if who.is_official else frozenset()
    try:
        with transaction.atomic():
            stored = StoredFile.objects.create(
                sha256=sha256,
                size=size,
                content_type=content_type,
                name=stored_name(name, content_type),
                storage_name=storage_name,
                uploaded_by=actor,
                agency_id=next(iter(agency_ids)) if len(agency_ids) == 1 else None,
            )
            audit_record(
                actor=actor,
                action="files.file.store",
                obj=stored,
                agency=stored.agency_id,
                changes={
                    "name": stored.name,
                    "size": size,
                    "content_type": content_type,
                    "sha256": sha256,
                },
            )
    except BaseException:
        if written:
            _discard(storage_name, sha256)
        raise
    file_stored(stored)
    return stored


def _invalid(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _too_large(name: str, size: int | None, limit: int) -> str:
    if size is None:
        return _("Tệp “%(name)s” vượt quá dung lượng tối đa %(limit)s.") % {
            "name": name,
            "limit": human_size(limit),
        }
    return _("Tệp “%(name)s” có dung lượng %(size)s, vượt quá mức tối đa %(limit)s.") % {
        "name": name,
        "size": human_size(size),
        "limit": human_size(limit),
    }


def _hash(upload: UploadedFile[bytes], limit: int, shown: str) -> tuple[str, int]:
    """SHA-256 and size, reading one chunk at a time and stopping past the limit (the
    declared size of an upload is the client's word, not a fact)."""
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise _invalid(_too_large(shown, None, limit))
        digest.update(chunk)
    return digest.hexdigest(), size


def _content_type(upload: UploadedFile[bytes], shown: str) -> str:
    values = {"name": shown, "allowed": allowed_labels()}
    try:
        return detection.detect_content_type(upload)
    except detection.EmptyFileError:
        message = _("Tệp “%(name)s” rỗng (0 byte).") % values
    except detection.DamagedFileError as exc:
        message = _(
            "Tệp “%(name)s” có dạng %(type)s nhưng bị hỏng hoặc không đầy đủ; "
            "hãy tải lên lại tệp gốc."
        ) % {**values, "type": type_label(exc.content_type)}
    except detection.UnsafeArchiveError as exc:
        if exc.reason == "macro":
            message = (
                _(
                    "Tệp “%(name)s” có chứa macro; vì lý do an toàn, hãy lưu lại thành tệp "
                    "không có macro (DOCX, XLSX) rồi tải lên."
                )
                % values
            )
        else:
            message = (
                _(
                    "Tệp “%(name)s” là tệp nén có cấu trúc bất thường (quá nhiều thành phần hoặc "
                    "dung lượng giải nén quá lớn); hệ thống từ chối để bảo đảm an toàn."
                )
                % values
            )
    except detection.DetectionError:
        message = (
            _("Tệp “%(name)s” không thuộc các định dạng được chấp nhận (%(allowed)s).") % values
        )
    raise _invalid(message)


def _write(storage_name: str, upload: UploadedFile[bytes], size: int) -> bool:
    """Put the bytes at their content address; True when this call created the object."""
    if default_storage.exists(storage_name):
        if default_storage.size(storage_name) == size:
            return False
        # A partial object left by an interrupted write: the verified bytes replace it.
        logger.warning("files: replacing a damaged storage object %s", storage_name)
        default_storage.delete(storage_name)
    upload.seek(0)
    saved = default_storage.save(storage_name, upload)
    if saved != storage_name:
        # A concurrent upload of the same bytes stored them first: keep that object.
        default_storage.delete(saved)
        return False
    return True


def _discard(storage_name: str, sha256: str) -> None:
    """Remove an object this call wrote, unless a committed row has come to use it since."""
    try:
        if not StoredFile.objects.filter(sha256=sha256).exists():
            default_storage.delete(storage_name)
    except Exception:  # the original error matters more than the clean-up's
        logger.exception("files: could not remove the storage object %s", storage_name)
