"""The outbox: one row per message to the outside, written in the business transaction and
sent by a worker after it commits.

Tables only: the writes live in `services.py`, the sending in `delivery.py`.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    # Reserved: no SMS gateway is wired yet, so the service refuses this channel.
    SMS = "sms", _("Tin nhắn SMS")


class Status(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")


#: How much of a delivery error is kept on the row (an SMTP answer, a traceback's last line).
LAST_ERROR_MAX = 2000


class Notification(models.Model):
    """One message to send (an outbox row), with where its delivery stands."""

    channel = models.CharField(
        _("kênh gửi"), max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    recipient = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body_text = models.TextField(_("nội dung"))
    body_html = models.TextField(_("nội dung HTML"), blank=True)
    kind = models.CharField(_("loại thông báo"), max_length=100)
    object_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # notif_agency_id_idx begins with it
    )
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lần tới lúc"), default=timezone.now)
    #: When a worker took the row (status "sending"); also the claim's token, and how a row
    #: left behind by a worker that died is found.
    claimed_at = models.DateTimeField(_("bắt đầu gửi lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo gửi đi")
        verbose_name_plural = _("thông báo gửi đi")
        ordering = ["-id"]
        indexes = [
            # The worker's question, every minute: which pending rows are due?
            models.Index(fields=["status", "next_attempt_at"], name="notif_status_due_idx"),
            # The administrators' list: an agency's rows, newest first.
            models.Index(fields=["agency", "-id"], name="notif_agency_id_idx"),
            models.Index(fields=["kind", "-id"], name="notif_kind_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"
