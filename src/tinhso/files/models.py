"""Stored files: one row per upload, the bytes once per content in the default storage."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def storage_name_for(sha256: str) -> str:
    """The content address `ab/cd/abcd…`: identical bytes land on the same storage object."""
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


class StoredFile(models.Model):
    """An uploaded original, immutable once stored.

    Several rows may share one storage object (the same bytes uploaded twice); each row keeps
    its own name, uploader and agency, which decide who may read it (`files.access`).
    """

    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    content_type = models.CharField(_("định dạng"), max_length=100)
    name = models.CharField(_("tên tệp"), max_length=255)
    storage_name = models.CharField(_("vị trí lưu trữ"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tải lên lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("tệp tin")
        verbose_name_plural = _("tệp tin")

    def __str__(self) -> str:
        return self.name
