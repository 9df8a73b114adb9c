"""Documents, registers and their counters, routing, drafting and approval, dispatch."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.documents.kinds import TYPE_CHOICES, EdxmlStatus, Urgency
from tinhso.files.models import StoredFile
from tinhso.organizations.models import Agency, Department


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Văn bản đến")
    OUTGOING = "outgoing", _("Văn bản đi")


class Source(models.TextChoices):
    PAPER = "paper", _("Văn bản giấy")
    ELECTRONIC = "electronic", _("Văn bản điện tử")
    INTERNAL = "internal", _("Nội bộ (trong hệ thống)")
    EXCHANGE = "exchange", _("Liên thông")


class DocumentStatus(models.TextChoices):
    # Incoming (Nghị định 30, Điều 21–24).
    RECEIVED = "received", _("Chờ vào sổ")
    REFUSED = "refused", _("Đã trả lại nơi gửi")
    REGISTERED = "registered", _("Đã vào sổ")
    PRESENTED = "presented", _("Đã trình lãnh đạo")
    ASSIGNED = "assigned", _("Đã phân công")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    COMPLETED = "completed", _("Đã hoàn thành")
    # Outgoing (Điều 10–18).
    DRAFT = "draft", _("Dự thảo")
    IN_REVIEW = "in_review", _("Đang trình duyệt")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt, chờ phát hành")
    ISSUED = "issued", _("Đã phát hành")
    # Both.
    RECALLED = "recalled", _("Đã thu hồi")


class Register(models.Model):
    """A register (sổ văn bản) of an agency: its own number series per year.

    Nghị định 30/2020, Điều 16 (outgoing) and Điều 22 (incoming). An agency keeps at least
    one register per direction; it may keep more (one per type, say): `types` lists the type
    codes a register takes, empty for all the others.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="registers")
    direction = models.CharField(_("loại sổ"), max_length=10, choices=Direction.choices)
    name = models.CharField(_("tên sổ"), max_length=200)
    types = models.JSONField(_("loại văn bản"), default=list, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    #: Zero-padded width of the printed number: Phụ lục I writes numbers below 10 as 01…09.
    number_width = models.PositiveSmallIntegerField(_("số chữ số tối thiểu"), default=2)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sổ văn bản")
        verbose_name_plural = _("sổ văn bản")
        ordering = ("agency_id", "direction", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("agency", "direction", "name"), name="register_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class NumberCounter(models.Model):
    """The last number given in a register's year (upserted under a row lock: no gap, no
    duplicate; a rolled-back registration takes its number back)."""

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("register", "year"), name="number_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.register_id}/{self.year}: {self.last}"


def reference_of(number: str, notation: str) -> str:
    """Số, ký hiệu as printed from its two parts: `15/QĐ-UBND`; either part alone; empty."""
    if number and notation:
        return f"{number}/{notation}"
    return number or notation


class Document(models.Model):
    """An official document held by an agency, incoming or outgoing (Phụ lục VI fields)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="documents")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    status = models.CharField(_("trạng thái"), max_length=12, choices=DocumentStatus.choices)
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices)
    #: Outgoing: the drafting department; incoming: the department of the main processor.
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    doc_type = models.CharField(_("loại văn bản"), max_length=4, choices=TYPE_CHOICES)
    number = models.CharField(_("số"), max_length=11, blank=True)
    notation = models.CharField(_("ký hiệu"), max_length=30, blank=True)
    issued_on = models.DateField(_("ngày văn bản"), null=True, blank=True)
    subject = models.CharField(_("trích yếu"), max_length=500)
    urgency = models.CharField(
        _("độ khẩn"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    deadline_at = models.DateTimeField(_("hẹn giờ (hỏa tốc)"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    copies = models.PositiveSmallIntegerField(_("số lượng bản"), null=True, blank=True)
    #: Outgoing công văn: the drafting unit or field printed after the agency (`UBND-VX`).
    unit = models.CharField(_("đơn vị soạn thảo (ký hiệu)"), max_length=20, blank=True)

    # Issuer (incoming: the author agency; outgoing: this agency).
    issuer_name = models.CharField(_("cơ quan ban hành"), max_length=255)
    issuer_code = models.CharField(_("mã định danh nơi ban hành"), max_length=35, blank=True)
    issuer_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_name = models.CharField(_("người ký"), max_length=150, blank=True)
    signer_position = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Register.
    register = models.ForeignKey(
        Register, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    #: Incoming: số đến; outgoing: the issued number as an integer (the printed one is `number`).
    register_number = models.PositiveIntegerField(_("số trong sổ"), null=True, blank=True)
    registered_at = models.DateTimeField(_("ngày đến / ngày phát hành"), null=True, blank=True)
    due_on = models.DateField(_("hạn xử lý"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    # Links.
    origin = models.ForeignKey(
        "self",
        verbose_name=_("văn bản gốc"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        help_text=_("Văn bản đi mà văn bản đến này nhận từ trong hệ thống."),
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("thay thế văn bản"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    reply_to = models.ForeignKey(
        "self",
        verbose_name=_("trả lời văn bản"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
    )
    #: With `replaces`: `replace` (a new document replaces one with wrong content) or `correct`
    #: (a công văn corrects its form), Nghị định 30, Điều 18.3.
    amendment = models.CharField(
        _("loại sửa đổi"),
        max_length=10,
        blank=True,
        choices=[("replace", _("Thay thế")), ("correct", _("Đính chính"))],
    )
    recalled_at = models.DateTimeField(null=True, blank=True)
    recall_reason = models.TextField(_("lý do thu hồi"), blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    #: The edXML DocumentId (`{OrganId},{yyyy/MM/dd},{Number}/{Notation}`, QCVN 102:2016) of an
    #: issued document or of one received through the interconnection hub: status packages and
    #: revoke, update and replace packages name a document by it.
    edxml_document_id = models.CharField(
        _("mã văn bản liên thông"), max_length=255, blank=True, default=""
    )

    #: `tinhso.text.fold` of number/notation, subject and issuer: the duplicate check and the
    #: search fallback. Full text (files included) lives in the search index.
    search_text = models.CharField(max_length=800, editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        ordering = ("-created_at", "-id")
        constraints = [
            # Số đến: one series per register per year (Điều 22).
            models.UniqueConstraint(
                fields=("register", "year", "register_number"),
                name="document_unique_register_number",
                condition=Q(register_number__isnull=False),
            ),
            # Số và ký hiệu: unique per issuing agency per year (Điều 15).
            models.UniqueConstraint(
                fields=("agency", "year", "number", "notation"),
                name="document_unique_outgoing_number",
                condition=Q(direction="outgoing") & ~Q(number=""),
            ),
        ]
        indexes = [
            models.Index(fields=("agency", "direction", "-created_at"), name="document_agency"),
            models.Index(fields=("agency", "direction", "status"), name="document_status"),
            models.Index(fields=("department", "direction", "status"), name="document_dept"),
            # The likely-duplicate check (number and date; issuer and notation compared folded).
            models.Index(fields=("agency", "number", "issued_on"), name="document_duplicate"),
            models.Index(fields=("register", "year", "registered_at"), name="document_register"),
            models.Index(
                fields=("edxml_document_id",),
                name="document_edxml_id",
                condition=~Q(edxml_document_id=""),
            ),
        ]

    def __str__(self) -> str:
        return self.reference or self.subject[:60]

    @property
    def reference(self) -> str:
        """Số, ký hiệu as printed: `15/QĐ-UBND` (empty before the number is given)."""
        return reference_of(self.number, self.notation)

    @property
    def is_incoming(self) -> bool:
        return self.direction == Direction.INCOMING


class FileRole(models.TextChoices):
    MAIN = "main", _("Văn bản chính")
    ATTACHMENT = "attachment", _("Phụ lục, tài liệu kèm theo")
    DRAFT = "draft", _("Dự thảo")
    ISSUED = "issued", _("Bản phát hành")


class DocumentFile(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=FileRole.choices, default=FileRole.MAIN)
    version = models.ForeignKey(
        "DraftVersion", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("document", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("document", "file", "role"), name="document_file_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.file_id}"


class DraftVersion(models.Model):
    """A version of an outgoing document's draft: DOCX or PDF, and the PDF it converts to."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    pdf = models.ForeignKey(
        StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("document", "number")
        constraints = [
            models.UniqueConstraint(fields=("document", "number"), name="draft_version_unique")
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class Comment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(
        DraftVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("document", "created_at", "id")

    def __str__(self) -> str:
        return self.text[:40]


class ApprovalChain(models.Model):
    """Who reviews an outgoing document of an agency before the clerk issues it.

    `steps` is a list of step kinds, in order: `department_head` (a leader of the drafting
    department), `agency_leader` (a leader of the agency without a department), `signer`
    (the official chosen to sign), or `user:<id>`. `doc_type` empty is the agency's default.
    Without any row the chain is `department_head` then `signer`. Consecutive steps that
    fall to the same person are one step.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    doc_type = models.CharField(_("loại văn bản"), max_length=4, blank=True)
    steps = models.JSONField(_("các bước duyệt"), default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("agency", "doc_type"), name="approval_chain_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.doc_type or '*'}"


class ApprovalStep(models.Model):
    """One reviewer's turn on an outgoing document, in one submission round."""

    class Decision(models.TextChoices):
        WAITING = "waiting", _("Chờ duyệt")
        APPROVED = "approved", _("Đồng ý")
        RETURNED = "returned", _("Trả lại")
        SKIPPED = "skipped", _("Không cần duyệt")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="approvals")
    round = models.PositiveSmallIntegerField(default=1)
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=30)
    #: Who may decide: one official, or any leader of `department`/the agency when null.
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.WAITING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ("document", "round", "order")
        constraints = [
            models.UniqueConstraint(
                fields=("document", "round", "order"), name="approval_step_unique"
            )
        ]
        indexes = [
            models.Index(fields=("approver", "decision"), name="approval_waiting"),
            models.Index(fields=("department", "decision"), name="approval_dept_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} r{self.round} #{self.order} {self.decision}"


class AssignmentRole(models.TextChoices):
    MAIN = "main", _("Xử lý chính")
    SUPPORT = "support", _("Phối hợp")
    READER = "reader", _("Nhận để biết")


class AssignmentStatus(models.TextChoices):
    WAITING = "waiting", _("Chưa xem")
    SEEN = "seen", _("Đã xem")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    DONE = "done", _("Hoàn thành")
    PASSED_ON = "passed_on", _("Đã chuyển tiếp")
    WITHDRAWN = "withdrawn", _("Đã thu hồi phân công")


class Assignment(models.Model):
    """A recipient of an incoming document inside the agency (Nghị định 30, Điều 23–24).

    Presenting to a leader is an assignment with role `main` to that leader and
    `is_presentation`; the leader's routing creates the processors' rows.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=10, choices=AssignmentRole.choices)
    is_presentation = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.WAITING
    )
    direction = models.TextField(_("ý kiến chỉ đạo"), blank=True)
    due_on = models.DateField(_("hạn xử lý"), null=True, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    result_note = models.TextField(_("kết quả xử lý"), blank=True)
    reply_document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("document", "assigned_at", "id")
        indexes = [
            models.Index(fields=("assignee", "status", "due_on"), name="assignment_inbox"),
            models.Index(fields=("status", "due_on"), name="assignment_due"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.assignee_id} ({self.role})"


class RecipientState(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    ARRIVED = "01", _("Đã đến")
    REFUSED = "02", _("Từ chối")
    REGISTERED = "03", _("Đã tiếp nhận")
    ASSIGNED = "04", _("Phân công")
    PROCESSING = "05", _("Đang xử lý")
    COMPLETED = "06", _("Hoàn thành")
    #: Outside recipients: the package could not be sent (the reason in `state_reason`).
    FAILED = "failed", _("Gửi lỗi")
    RECALLED = "recalled", _("Đã thu hồi")
    #: Outside recipients' answers to a recall (status 15 and 16, vn-eoffice.md §2.4).
    RECALL_AGREED = "15", _("Nơi nhận đã hủy văn bản thu hồi")
    RECALL_REFUSED = "16", _("Nơi nhận từ chối thu hồi")


class Recipient(models.Model):
    """Nơi nhận of an outgoing document: an agency of this installation or an outside one."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("tên cơ quan nhận"), max_length=255)
    code = models.CharField(_("mã định danh"), max_length=35, blank=True)
    is_internal = models.BooleanField(default=True)
    state = models.CharField(
        max_length=10, choices=RecipientState.choices, default=RecipientState.PENDING
    )
    state_at = models.DateTimeField(null=True, blank=True)
    #: Why: the refusal (02) or recall refusal (16) the recipient gave, or why sending failed.
    state_reason = models.TextField(_("lý do"), blank=True, default="")
    #: The incoming document created at an internal recipient.
    delivered = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("document", "id")

    def __str__(self) -> str:
        return self.name


class ExchangeOutbox(models.Model):
    """An edXML package to send through the interconnection hub; the exchange worker sends it.

    Written in the transaction that issues (or recalls) the document, or that records an
    e-office event with an edXML status on a document received through the hub, so a package
    is never lost and never sent for a change that rolled back. `send_id` is sent with the
    package: a retry after a crash gets the hub's first answer, never a second delivery.
    A status answering a package that never became a document (refused on receipt: 02) has
    no `document`; what it answers is in `data["response_for"]`.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi lỗi")

    class Kind(models.TextChoices):
        EDOC = "edoc", _("Văn bản")
        STATUS = "status", _("Trạng thái")

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: The agency the package is sent from (From).
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.EDOC)
    #: edXML Bussiness type: 0 new, 1 revoke, 2 update, 3 replace; or a status code to send.
    business_type = models.PositiveSmallIntegerField(default=0)
    status_code = models.CharField(max_length=2, blank=True, choices=EdxmlStatus.choices)
    to_code = models.CharField(max_length=35)
    send_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: A status package's Description (the reason of a refusal or of a recall).
    description = models.TextField(blank=True, default="")
    #: Plain data the package needs beyond the document: `staff` (StaffInfo of who acted),
    #: `response_for` (a status without a document).
    data = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    #: Not taken before this moment: the pause before a retry, or a worker's lease on it.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    #: The hub's answer to the send (its package id and the recipients' delivery states).
    response = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=("state", "created_at"), name="exchange_outbox_pending"),
            models.Index(fields=("agency", "-created_at"), name="exchange_outbox_agency"),
            models.Index(fields=("document", "kind"), name="exchange_outbox_document"),
        ]
        constraints = [
            # One status of each code per received document (03 is told once, however many
            # times the e-office records a registration).
            models.UniqueConstraint(
                fields=("document", "status_code"),
                name="exchange_outbox_one_status",
                condition=Q(kind="status", recipient__isnull=True, document__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.to_code} ({self.state})"


class Activity(models.Model):
    """A document's history: every step, with the edXML status it maps to where one does."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="activities")
    action = models.CharField(max_length=30)
    edxml_status = models.CharField(max_length=2, blank=True, choices=EdxmlStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("document", "occurred_at", "id")
        indexes = [models.Index(fields=("edxml_status", "occurred_at"), name="activity_edxml")]

    def __str__(self) -> str:
        return f"{self.document_id} {self.action}"
