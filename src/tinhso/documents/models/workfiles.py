"""Work files (hồ sơ công việc) and the agency's yearly list of files (danh mục hồ sơ).

Nghị định 30/2020, Điều 28–31: each agency sets its list of files each year; a file is
opened, documents are added while the work goes on, and it is closed when the work ends.
Files kept five years or more are submitted to the agency archive within one year after
the work ended (Luật Lưu trữ 2024; Điều 31.2 of the decree as restated by the provinces).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.organizations.models import Agency, Department


class WorkFileStatus(models.TextChoices):
    PLANNED = "planned", _("Trong danh mục, chưa mở")
    OPEN = "open", _("Đang mở")
    CLOSED = "closed", _("Đã đóng")
    SUBMITTED = "submitted", _("Đã nộp lưu")


class WorkFile(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="work_files")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    code = models.CharField(_("số và ký hiệu hồ sơ"), max_length=50)
    title = models.CharField(_("tiêu đề hồ sơ"), max_length=500)
    #: Years; null = kept permanently (vĩnh viễn).
    retention_years = models.PositiveSmallIntegerField(
        _("thời hạn bảo quản (năm)"), null=True, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lập hồ sơ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=10, choices=WorkFileStatus.choices, default=WorkFileStatus.PLANNED
    )
    opened_on = models.DateField(_("ngày mở"), null=True, blank=True)
    closed_on = models.DateField(_("ngày đóng"), null=True, blank=True)
    #: Closed files kept ≥ 5 years (or permanently) go to the archive by this date.
    archive_due_on = models.DateField(_("hạn nộp lưu"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hồ sơ công việc")
        verbose_name_plural = _("hồ sơ công việc")
        ordering = ("agency_id", "-year", "code")
        constraints = [
            models.UniqueConstraint(fields=("agency", "year", "code"), name="workfile_unique_code"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=False, closed_on__gte=models.F("opened_on")),
                name="workfile_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:60]}"

    @property
    def goes_to_archive(self) -> bool:
        return self.retention_years is None or self.retention_years >= 5


class WorkFileItem(models.Model):
    work_file = models.ForeignKey(WorkFile, on_delete=models.CASCADE, related_name="items")
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="work_file_items"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("work_file", "added_at", "id")
        constraints = [
            models.UniqueConstraint(fields=("work_file", "document"), name="workfile_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.work_file_id}: {self.document_id}"
