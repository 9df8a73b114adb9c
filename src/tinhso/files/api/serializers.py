"""What the API says about a stored file, and the upload request (for the schema)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tinhso.files.models import StoredFile


class StoredFileSerializer(serializers.ModelSerializer[StoredFile]):
    class Meta:
        model = StoredFile
        fields = ["id", "name", "size", "content_type", "sha256", "created_at"]
        extra_kwargs = {
            "name": {"help_text": _("Tên tệp đã làm sạch, có phần mở rộng đúng định dạng.")},
            "size": {"help_text": _("Dung lượng, byte.")},
            "content_type": {"help_text": _("Định dạng xác định theo nội dung tệp.")},
            "sha256": {"help_text": _("Mã băm SHA-256 của nội dung (hex).")},
        }


class FileUploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """multipart/form-data with one part `file` (describes the request; not used to parse)."""

    file = serializers.FileField(help_text=_("Tệp cần tải lên."))
