"""What the platform accepts as an upload: the size limit and the allowed types (settings)."""

from __future__ import annotations

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from tinhso.files.detection import DOCX, JPEG, LABELS, ODT, PDF, PNG, TIFF, XLSX

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_ALLOWED_TYPES = frozenset({PDF, PNG, JPEG, TIFF, DOCX, XLSX, ODT})


def max_upload_bytes() -> int:
    """`TINHSO_UPLOAD_MAX_BYTES`: the largest file accepted, 20 MB by default."""
    return int(getattr(settings, "TINHSO_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def allowed_types() -> frozenset[str]:
    """`TINHSO_UPLOAD_ALLOWED_TYPES`: the MIME types accepted (see `detection`)."""
    return frozenset(getattr(settings, "TINHSO_UPLOAD_ALLOWED_TYPES", DEFAULT_ALLOWED_TYPES))


def type_label(content_type: str) -> str:
    return LABELS.get(content_type, content_type)


def allowed_labels() -> str:
    """ "PDF, PNG, …" in a fixed order, for messages."""
    return ", ".join(sorted(type_label(t) for t in allowed_types()))


def human_size(size: int) -> str:
    """ "20,0 MB" in the active language."""
    return str(filesizeformat(size))
