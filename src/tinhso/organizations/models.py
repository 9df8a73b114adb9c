"""Agencies, departments, positions and administrative units, with effective dating.

Mergers keep history: an agency or unit that ceases to exist gets `valid_to` and stays in the
table, so a record of 2024 still shows the district that existed then.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tinhso.organizations.codes import InvalidIdentificationCode, normalize_identification_code

#: The day after which district-level local government no longer exists
#: (Luật Tổ chức chính quyền địa phương 72/2025/QH15; two-tier government from 1 July 2025).
DISTRICTS_ABOLISHED_ON = dt.date(2025, 7, 1)


def validate_identification_code(value: str) -> None:
    try:
        normalize_identification_code(value)
    except InvalidIdentificationCode as exc:
        raise ValidationError(str(exc), code="invalid_identification_code") from exc


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    DISTRICT = "district", _("Huyện, quận, thị xã")
    COMMUNE = "commune", _("Xã, phường, đặc khu")


class AdministrativeUnit(models.Model):
    """An administrative unit of the statistics office list (Cục Thống kê).

    Codes are unique only within a period: after 1 July 2025 new communes reuse old codes
    for different units, so (level, code, valid_from) identifies a unit.
    """

    level = models.CharField(_("cấp"), max_length=10, choices=UnitLevel.choices)
    code = models.CharField(_("mã số"), max_length=5)
    name = models.CharField(_("tên"), max_length=150)
    province_code = models.CharField(_("mã tỉnh"), max_length=2, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    #: `tinhso.text.fold` of the name and code, written by the import service; searched with
    #: LIKE on folded terms so "xa hoa binh" finds "Xã Hòa Bình".
    search_text = models.CharField(
        _("từ khóa tìm kiếm"), max_length=200, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["province_code", "level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code", "valid_from"],
                name="adminunit_unique_code_per_period",
                condition=Q(valid_from__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["level", "code"],
                name="adminunit_unique_code_undated",
                condition=Q(valid_from__isnull=True),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="adminunit_valid_range",
            ),
        ]
        indexes = [
            models.Index(fields=["code"], name="adminunit_code_idx"),
            models.Index(fields=["search_text"], name="adminunit_search_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class UnitSuccession(models.Model):
    """Old unit → new unit of the 2025 reorganisation (a full or partial merge)."""

    class MergeType(models.TextChoices):
        FULL = "full", _("toàn bộ")
        PARTIAL = "partial", _("một phần")

    predecessor = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, related_name="successions"
    )
    successor = models.ForeignKey(
        AdministrativeUnit, on_delete=models.PROTECT, related_name="predecessions"
    )
    merge_type = models.CharField(max_length=10, choices=MergeType.choices)
    effective_on = models.DateField(default=DISTRICTS_ABOLISHED_ON)

    class Meta:
        verbose_name = _("sắp xếp đơn vị hành chính")
        verbose_name_plural = _("sắp xếp đơn vị hành chính")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unitsuccession_unique_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id}"


class AgencyLevel(models.TextChoices):
    CENTRAL = "central", _("Trung ương")
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "ubnd", _("Ủy ban nhân dân")
    OFFICE = "van_phong", _("Văn phòng")
    DEPARTMENT = "so", _("Sở, ban, ngành")
    SERVICE_CENTER = "ttpvhcc", _("Trung tâm Phục vụ hành chính công")
    OTHER = "khac", _("Cơ quan, đơn vị khác")


class Agency(models.Model):
    """An agency (cơ quan, đơn vị) with its electronic identification code.

    Quyết định 20/2020/QĐ-TTg for the code; the short name is the one printed in document
    notations (`15/QĐ-UBND`, Nghị định 30/2020, Phụ lục III).
    """

    code = models.CharField(
        _("mã định danh"),
        max_length=35,
        unique=True,
        validators=[validate_identification_code],
    )
    name = models.CharField(_("tên cơ quan"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=20)
    level = models.CharField(_("cấp"), max_length=10, choices=AgencyLevel.choices)
    kind = models.CharField(_("loại"), max_length=10, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    admin_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("đơn vị hành chính"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    valid_from = models.DateField(_("hoạt động từ"), null=True, blank=True)
    valid_to = models.DateField(_("hoạt động đến"), null=True, blank=True)
    #: `tinhso.text.fold` of name, short name and code, maintained by the agency services.
    search_text = models.CharField(
        _("từ khóa tìm kiếm"), max_length=320, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["level", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="agency_valid_range",
            ),
            # District-level government ended on 30 June 2025: a district agency must be closed by then.
            models.CheckConstraint(
                condition=~Q(level="district") | Q(valid_to__lt=DISTRICTS_ABOLISHED_ON),
                name="agency_district_closed_2025",
            ),
        ]
        indexes = [
            models.Index(fields=["parent", "level"], name="agency_parent_level_idx"),
            models.Index(fields=["search_text"], name="agency_search_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class Department(models.Model):
    """A department (phòng, ban) inside an agency; its short name may appear in công văn notations."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(_("tên phòng ban"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=20, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("phòng ban")
        verbose_name_plural = _("phòng ban")
        ordering = ["agency_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    """A position (chức vụ), e.g. Giám đốc, Trưởng phòng, Chuyên viên."""

    name = models.CharField(_("chức vụ"), max_length=100, unique=True)
    rank = models.PositiveSmallIntegerField(_("thứ bậc"), default=100)
    is_leadership = models.BooleanField(_("chức vụ lãnh đạo"), default=False)

    class Meta:
        verbose_name = _("chức vụ")
        verbose_name_plural = _("chức vụ")
        ordering = ["rank", "name"]

    def __str__(self) -> str:
        return self.name
