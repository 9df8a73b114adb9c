"""The catalogue of administrative procedures (thủ tục hành chính) and their internal processes.

A `Procedure` is the stable identity of a procedure of the national catalogue (its code, e.g.
`1.001193`). What the law says about it — time, fees, components, process — lives in a
`ProcedureVersion`: a new legal basis gives a new version, and a dossier keeps the version it
was received under (vn-onestop §0, "each dossier must carry the procedure version and rule set
that applied on the day it was received").

A version is a draft until an administrator publishes it; a published version is frozen (its
components and steps are what received dossiers point at). Publishing a later version retires
the earlier one for new dossiers; dossiers already received keep theirs.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.organizations.models import Agency, Department


class ProcedureLevel(models.TextChoices):
    """Cấp thực hiện. Districts are kept for procedures published before 1 July 2025."""

    CENTRAL = "central", _("Cấp bộ, ngành")
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện (trước 01/7/2025)")
    COMMUNE = "commune", _("Cấp xã")


class TimeUnit(models.TextChoices):
    """The unit of a procedure's legal processing time."""

    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")
    MONTHS = "months", _("tháng")


class OnlineLevel(models.TextChoices):
    """Mức độ dịch vụ công trực tuyến (Nghị định 42/2022, Điều 11 khoản 1)."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không có")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    PUBLISHED = "published", _("Đang áp dụng")
    RETIRED = "retired", _("Hết áp dụng")


class StepKind(models.TextChoices):
    """What a step of the internal process does; the dossier services act on it."""

    RECEIVE = "receive", _("Tiếp nhận")
    PROCESS = "process", _("Thẩm định, xử lý")
    APPROVE = "approve", _("Phê duyệt")
    RETURN = "return", _("Trả kết quả")


class StepAgency(models.TextChoices):
    """Which agency a step belongs to."""

    RECEIVING = "receiving", _("Cơ quan tiếp nhận hồ sơ")
    COMPETENT = "competent", _("Cơ quan có thẩm quyền giải quyết")
    FIXED = "fixed", _("Cơ quan được chỉ định")


class Procedure(models.Model):
    """A procedure of the national catalogue; its content is in its versions."""

    code = models.CharField(
        _("mã thủ tục"),
        max_length=40,
        unique=True,
        help_text=_("Mã trong Cơ sở dữ liệu quốc gia về TTHC, ví dụ 1.001193 hoặc 1.012753.H19."),
    )
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.CharField(_("lĩnh vực"), max_length=255, blank=True)
    #: Folded (lower case, no diacritics, NFC) code + name + field, for search.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("code",)
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProcedureVersion(models.Model):
    """What applies to a procedure from a given legal basis on."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.CharField(_("lĩnh vực"), max_length=255, blank=True)
    levels = models.JSONField(_("cấp thực hiện"), default=list)
    decision_number = models.CharField(_("quyết định công bố"), max_length=100, blank=True)
    target_groups = models.TextField(_("đối tượng thực hiện"), blank=True)
    competent_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan có thẩm quyền"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Để trống khi thủ tục do cơ quan tiếp nhận (UBND xã, phường) giải quyết."),
    )
    competent_agency_name = models.CharField(
        _("tên cơ quan có thẩm quyền"), max_length=500, blank=True
    )
    receiving_place = models.TextField(_("nơi tiếp nhận"), blank=True)
    processing_time = models.DecimalField(
        _("thời hạn giải quyết"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    online_level = models.CharField(
        _("mức độ dịch vụ công trực tuyến"),
        max_length=10,
        choices=OnlineLevel.choices,
        default=OnlineLevel.NONE,
    )
    result_name = models.TextField(_("kết quả thực hiện"), blank=True)
    result_code = models.CharField(_("mã kết quả"), max_length=40, blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    steps_description = models.TextField(_("trình tự thực hiện"), blank=True)
    valid_from = models.DateField(_("áp dụng từ"), null=True, blank=True)
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    source_url = models.URLField(_("nguồn"), max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("procedure__code", "-number")
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        constraints = [
            models.UniqueConstraint(
                fields=("procedure", "number"), name="procedure_version_unique"
            ),
            models.UniqueConstraint(
                fields=("procedure",),
                condition=models.Q(status="published"),
                name="procedure_one_published_version",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="procedure_version_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class Fee(models.Model):
    """Phí, lệ phí of a version. Amounts in VND; the catalogue has a few in USD."""

    class Currency(models.TextChoices):
        VND = "VND", "VND"
        USD = "USD", "USD"

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("tên phí, lệ phí"), max_length=500)
    amount = models.DecimalField(
        _("mức thu"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(
        _("đơn vị tiền"), max_length=3, choices=Currency.choices, default="VND"
    )
    note = models.TextField(_("ghi chú"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("version", "order", "id")
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        return self.name


class Component(models.Model):
    """Thành phần hồ sơ: a paper the applicant submits."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="components"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.TextField(_("tên giấy tờ"))
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=1)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    form_template = models.CharField(_("mẫu đơn, tờ khai"), max_length=255, blank=True)
    required = models.BooleanField(_("bắt buộc"), default=True)
    reusable = models.BooleanField(
        _("được tái sử dụng dữ liệu số hóa"),
        default=False,
        help_text=_("Có thể lấy từ dữ liệu đã số hóa trước đó (Nghị định 45/2020, Điều 16)."),
    )

    class Meta:
        ordering = ("version", "order", "id")
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self) -> str:
        return self.name[:80]


class ProcessStep(models.Model):
    """A step of the internal process (quy trình nội bộ), with its time in working hours."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=255)
    kind = models.CharField(_("loại bước"), max_length=10, choices=StepKind.choices)
    agency_mode = models.CharField(
        _("cơ quan thực hiện"),
        max_length=10,
        choices=StepAgency.choices,
        default=StepAgency.RECEIVING,
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("phòng ban"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: For steps whose agency depends on the dossier (receiving/competent): the short name of
    #: the department inside that agency (each commune has its own "VHXH"); blank = the agency's
    #: leadership or whoever holds the role there.
    department_short_name = models.CharField(
        _("phòng ban (tên viết tắt)"), max_length=20, blank=True
    )
    #: The department by its short name (e.g. "VHXH"), for steps whose agency is known only
    #: per dossier (the receiving agency, or the competent one when the version names none):
    #: the dossier finds it in that agency. Kept beside `department` when both are known.
    department_short_name = models.CharField(
        _("phòng ban (tên viết tắt)"), max_length=20, blank=True
    )
    #: The role that acts on the step (a Role value of accounts).
    role = models.CharField(_("vai trò"), max_length=30)
    duration_hours = models.DecimalField(
        _("thời gian (giờ làm việc)"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )

    class Meta:
        ordering = ("version", "order")
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        constraints = [
            models.UniqueConstraint(fields=("version", "order"), name="process_step_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class CatalogueRevision(models.Model):
    """The single row that tells the web processes whether the catalogue they keep is current.

    Database triggers add one to `revision` in the transaction of every write to the tables a
    receipt reads from the catalogue (procedures, versions, steps, components, fees, agencies,
    departments), whoever writes: a service, the admin, a bulk update, a script. A process
    re-reads this one row at most once per `TINHSO_CATALOGUE_RECHECK_SECONDS` and reads the
    catalogue again only when it moved (migration 0002 creates the triggers).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("phiên bản danh mục thủ tục")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="cataloguerevision_singleton")
        ]

    def __str__(self) -> str:
        return f"catalogue revision {self.revision}"
