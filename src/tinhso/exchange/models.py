"""The node side of interconnection: what the hub delivered to this installation and what became
of it. What this installation sends is `documents.ExchangeOutbox` (written by the e-office's own
transactions); the recipients' states live on `documents.Recipient`.

docs/decisions/0005-interconnection.md §4; QCVN 102:2016 for the packages (vn-eoffice.md §2).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageType(models.TextChoices):
    EDOC = "edoc", _("Văn bản")
    STATUS = "status", _("Trạng thái")


class Verdict(models.TextChoices):
    #: An incoming document was created (edoc), or the status was applied (status).
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    #: Verification failed: no document; the sender is told why (status 02).
    REFUSED = "refused", _("Từ chối")
    #: The same document (DocumentId, recipient, business type) was received before.
    DUPLICATE = "duplicate", _("Trùng gói tin đã nhận")
    #: A status or revoke about a document this installation does not have: recorded only.
    UNMATCHED = "unmatched", _("Không tìm thấy văn bản liên quan")
    #: Addressed to an agency this installation does not serve: acknowledged as failed.
    MISDIRECTED = "misdirected", _("Gửi nhầm nơi nhận")


class ReceivedPackage(models.Model):
    """One delivery the hub gave this installation (dedup on the hub's delivery id)."""

    hub_id = models.CharField(_("mã gói tin trên trục"), max_length=100, unique=True)
    message_type = models.CharField(_("loại gói tin"), max_length=6, choices=MessageType.choices)
    #: The agency of this installation the package was addressed to (To), when it is ours.
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan nhận"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    from_code = models.CharField(_("mã nơi gửi"), max_length=35, blank=True)
    from_name = models.CharField(_("nơi gửi"), max_length=255, blank=True)
    to_code = models.CharField(_("mã nơi nhận"), max_length=35, blank=True)
    #: The package's DocumentId; for a status package, the DocumentId it answers (ResponseFor).
    edxml_document_id = models.CharField(_("mã văn bản liên thông"), max_length=255, blank=True)
    business_type = models.PositiveSmallIntegerField(_("nghiệp vụ"), default=0)
    status_code = models.CharField(_("mã trạng thái"), max_length=2, blank=True)
    reference = models.CharField(_("số, ký hiệu"), max_length=50, blank=True)
    subject = models.CharField(_("trích yếu"), max_length=500, blank=True)
    #: A status package's Description (a refusal's reason, a revoke's reason).
    description = models.TextField(_("nội dung trạng thái"), blank=True)
    verdict = models.CharField(_("kết quả"), max_length=12, choices=Verdict.choices)
    #: Why refused or not matched: [{"code", "message"}], the messages in Vietnamese.
    reasons = models.JSONField(_("lý do"), default=list, blank=True)
    warnings = models.JSONField(_("cảnh báo"), default=list, blank=True)
    #: The envelope's XML signature as checked: present, valid, agency_code, subject.
    signature = models.JSONField(_("chữ ký gói tin"), default=dict, blank=True)
    #: The package as received (the signed evidence).
    package = models.ForeignKey(
        "files.StoredFile",
        verbose_name=_("tệp gói tin"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: The incoming document created from it; for a status or a revoke, the document of this
    #: installation it concerns.
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("văn bản"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: A revoke (13, or Bussiness 1) waits for the clerk's answer: 15 agreed, 16 refused.
    answer = models.CharField(_("trả lời thu hồi"), max_length=2, blank=True)
    answer_reason = models.TextField(_("lý do từ chối thu hồi"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("nhận lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("gói tin đã nhận")
        verbose_name_plural = _("gói tin đã nhận")
        ordering = ("-received_at", "-id")
        indexes = [
            models.Index(fields=("agency", "-received_at"), name="exchange_received_agency"),
            models.Index(fields=("document", "status_code"), name="exchange_received_document"),
        ]
        constraints = [
            # One document per (DocumentId, recipient, business type): a package re-sent under
            # another delivery never becomes a second document (dedup of the decision §4).
            models.UniqueConstraint(
                fields=("edxml_document_id", "to_code", "business_type"),
                name="exchange_received_once",
                condition=Q(message_type="edoc", verdict="accepted"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hub_id} {self.message_type} {self.verdict}"

    @property
    def is_revoke(self) -> bool:
        return (self.message_type == MessageType.STATUS and self.status_code == "13") or (
            self.message_type == MessageType.EDOC and self.business_type == 1
        )
