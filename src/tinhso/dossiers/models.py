"""One-stop-shop dossiers (hồ sơ một cửa) from receipt to return.

Rules: Nghị định 61/2018 + Thông tư 01/2018/TT-VPCP for dossiers received before 1 July 2025,
Nghị định 118/2025 + Thông tư 03/2025/TT-VPCP from then on (`RuleSet`); the dossier keeps the
rule set and the procedure version it was received under. Statuses are the ten codes of the
national list (vn-onestop §3.2). Rows change only through `dossiers.services`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.organizations.models import Agency, Department
from tinhso.procedures.models import Component, ProcedureVersion, ProcessStep

#: The day Nghị định 118/2025/NĐ-CP took effect (replacing Nghị định 61/2018/NĐ-CP).
ND118_EFFECTIVE = dt.date(2025, 7, 1)


class RuleSet(models.TextChoices):
    ND61_2018 = "nd61_2018", _("Nghị định 61/2018/NĐ-CP, Thông tư 01/2018/TT-VPCP")
    ND118_2025 = "nd118_2025", _("Nghị định 118/2025/NĐ-CP, Thông tư 03/2025/TT-VPCP")


def rule_set_on(day: dt.date) -> RuleSet:
    """The rule set for a dossier received on `day` (local date)."""
    return RuleSet.ND118_2025 if day >= ND118_EFFECTIVE else RuleSet.ND61_2018


class Status(models.IntegerChoices):
    """Trạng thái hồ sơ: the ten codes of the national list (vn-onestop §3.2)."""

    NEW = 1, _("Mới đăng ký")
    RECEIVED = 2, _("Được tiếp nhận")
    NOT_RECEIVED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT = 5, _("Yêu cầu bổ sung giấy tờ")
    PAYMENT = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    RESOLVED = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


#: Statuses in which processing is over (no further transition except rating).
FINAL_STATUSES = frozenset({Status.NOT_RECEIVED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
#: Statuses in which the legal clock runs.
OPEN_STATUSES = frozenset({Status.RECEIVED, Status.PROCESSING, Status.PAYMENT})


class Channel(models.TextChoices):
    """Kênh thực hiện (KenhThucHien 1/2/3)."""

    COUNTER = "counter", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POST = "post", _("Dịch vụ bưu chính")


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    ORGANIZATION = "organization", _("Tổ chức khác")


class ReturnMethod(models.TextChoices):
    COUNTER = "counter", _("Tại Bộ phận Một cửa")
    POST = "post", _("Qua dịch vụ bưu chính")
    ONLINE = "online", _("Trực tuyến")


class FeeStatus(models.TextChoices):
    NONE = "none", _("Không thu")
    UNPAID = "unpaid", _("Chưa thanh toán")
    PAID = "paid", _("Đã thanh toán")
    EXEMPT = "exempt", _("Miễn")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    TRANSFER = "transfer", _("Chuyển khoản")
    ONLINE = "online", _("Trực tuyến")


class Rating(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Rất hài lòng")
    SATISFIED = "satisfied", _("Hài lòng")
    UNSATISFIED = "unsatisfied", _("Không hài lòng")


class Outcome(models.TextChoices):
    """Kết quả of a hand-over on the control slip (Mẫu 05)."""

    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=60, unique=True)
    procedure_version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, related_name="dossiers"
    )
    rule_set = models.CharField(_("quy định áp dụng"), max_length=12, choices=RuleSet.choices)
    status = models.PositiveSmallIntegerField(_("trạng thái"), choices=Status.choices)
    channel = models.CharField(_("kênh nộp"), max_length=10, choices=Channel.choices)
    # No index of its own: dossier_recv_status begins with it (every receipt writes each index
    # of this table, 18 of them before three such duplicates went).
    receiving_agency = models.ForeignKey(
        Agency,
        verbose_name=_("nơi tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    resolving_agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan giải quyết"), on_delete=models.PROTECT, related_name="+"
    )

    # The applicant (chủ hồ sơ). Personal data: never shown on the public tracking page.
    applicant_kind = models.CharField(max_length=12, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("họ tên người nộp"), max_length=255)
    applicant_id_number = models.CharField(_("số giấy tờ tùy thân"), max_length=20, blank=True)
    applicant_phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(_("nội dung yêu cầu"), max_length=1000, blank=True)
    sets = models.PositiveSmallIntegerField(_("số lượng hồ sơ (bộ)"), default=1)
    #: Folded applicant name, id number, phone and code: the counter's search.
    search_text = models.CharField(max_length=600, editable=False, default="")

    # Time (all aware, stored UTC). due_at is computed once at receipt and moved only by the
    # supplement pause; a calendar edit never changes it.
    submitted_at = models.DateTimeField(_("thời điểm nộp"))
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), null=True, blank=True)
    transfer_at = models.DateTimeField(_("thời điểm chuyển xử lý"), null=True, blank=True)
    due_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True)
    extended_due_at = models.DateTimeField(_("hẹn trả lại"), null=True, blank=True)
    apologized_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    supplement_requests = models.PositiveSmallIntegerField(default=0)
    resolved_at = models.DateTimeField(_("thời điểm xử lý xong"), null=True, blank=True)
    returned_at = models.DateTimeField(_("thời điểm trả kết quả"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    is_late = models.BooleanField(_("quá hạn"), default=False)

    # Where it is now.
    current_step = models.ForeignKey(
        ProcessStep, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    current_agency = models.ForeignKey(  # indexed by dossier_curr_status
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    current_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    current_assignee = models.ForeignKey(  # indexed by dossier_assignee
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    step_due_at = models.DateTimeField(null=True, blank=True)

    # Decisions and reasons.
    reason = models.TextField(_("lý do"), blank=True)
    result_note = models.TextField(_("kết quả giải quyết"), blank=True)
    return_method = models.CharField(
        _("hình thức trả kết quả"), max_length=10, choices=ReturnMethod.choices, blank=True
    )

    # Fees.
    fee_amount = models.DecimalField(
        _("phí, lệ phí (đồng)"), max_digits=14, decimal_places=0, default=0
    )
    fee_status = models.CharField(max_length=10, choices=FeeStatus.choices, default=FeeStatus.NONE)
    fee_method = models.CharField(max_length=10, choices=PaymentMethod.choices, blank=True)
    fee_receipt_number = models.CharField(_("số biên lai"), max_length=50, blank=True)
    fee_paid_at = models.DateTimeField(null=True, blank=True)

    # Rating by the applicant.
    rating = models.CharField(max_length=15, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    # Not indexed (migration 0005): nothing lists dossiers by who received them; deleting an
    # account that received some is refused (PROTECT) after a scan, a rare administrative act.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ("-submitted_at", "-id")
        indexes = [
            models.Index(
                fields=("receiving_agency", "status", "-submitted_at"), name="dossier_recv_status"
            ),
            models.Index(
                fields=("current_agency", "status", "-submitted_at"), name="dossier_curr_status"
            ),
            models.Index(fields=("status", "due_at"), name="dossier_status_due"),
            models.Index(fields=("current_assignee", "status"), name="dossier_assignee"),
            models.Index(fields=("-submitted_at",), name="dossier_submitted"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def effective_due_at(self) -> dt.datetime | None:
        """The appointment the applicant holds now: the apology's new date if any."""
        return self.extended_due_at or self.due_at


class DossierAgency(models.Model):
    """An agency that has held the dossier at some step: what a department may see."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="agencies")
    # Indexed by dossier_agency_idx (agency, department, dossier), not on their own.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        constraints = [
            # Two partial constraints rather than NULLS NOT DISTINCT, which SQLite lacks.
            models.UniqueConstraint(
                fields=("dossier", "agency", "department"),
                condition=models.Q(department__isnull=False),
                name="dossier_agency_department_unique",
            ),
            models.UniqueConstraint(
                fields=("dossier", "agency"),
                condition=models.Q(department__isnull=True),
                name="dossier_agency_unique",
            ),
        ]
        indexes = [
            models.Index(fields=("agency", "department", "dossier"), name="dossier_agency_idx")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} @ {self.agency_id}/{self.department_id}"


class DossierComponent(models.Model):
    """A paper of the dossier, checked against the procedure's component list."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.TextField()
    file = models.ForeignKey(
        "files.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    originals = models.PositiveSmallIntegerField(default=0)
    copies = models.PositiveSmallIntegerField(default=0)
    provided = models.BooleanField(default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("dossier", "id")

    def __str__(self) -> str:
        return self.name[:80]


class Handover(models.Model):
    """A row of the control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ, Mẫu 05)."""

    # The slip is read per dossier, through handover_seq_unique (dossier, seq): no column has
    # an index of its own. Each receipt writes two rows; deleting a step, an agency, a
    # department or a user that a slip names is refused (PROTECT) after a scan, a rare act.
    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="handovers", db_index=False
    )
    seq = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=30)
    step = models.ForeignKey(
        ProcessStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    from_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    from_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    to_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    to_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    handed_at = models.DateTimeField()
    step_due_at = models.DateTimeField(null=True, blank=True)
    #: When the receiving side finished its step (the next hand-over), and how it went.
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ("dossier", "seq")
        constraints = [
            models.UniqueConstraint(fields=("dossier", "seq"), name="handover_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.seq} {self.action}"


class Activity(models.Model):
    """The dossier's history as officials and the applicant read it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="activities")
    action = models.CharField(max_length=30)
    status_from = models.PositiveSmallIntegerField(null=True, blank=True)
    status_to = models.PositiveSmallIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=255, blank=True)
    note = models.TextField(blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ("dossier", "occurred_at", "id")

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action}"


class ResultFile(models.Model):
    """A file of the result (kết quả giải quyết); signing comes with the signatures module."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="results")
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class CodeCounter(models.Model):
    """The last sequence number given on a day at a receiving agency (no gap, no duplicate)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("agency", "day"), name="dossier_code_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.last}"


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key`: a retried receipt returns the first dossier."""

    key = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request_hash = models.CharField(max_length=64)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("user", "key"), name="dossier_idempotency_unique")
        ]

    def __str__(self) -> str:
        return self.key
