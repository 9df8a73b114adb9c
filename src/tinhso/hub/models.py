"""The hub's tables: the registry (nodes, the agencies they serve, the trust list), the packages
stored once, one delivery per recipient with its receipts, and the nonces of signed requests.

Tables only: the writes live in `services.py`, the reads in `selectors.py`
(docs/decisions/0005-interconnection.md §3). Nothing here refers to a table of an installation:
the hub runs with its own database.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Node(models.Model):
    """An installation (or a provincial gateway) that sends and receives through the hub.

    It is known by the certificate the operator registered (as X-Road registers a security
    server's authentication certificate): every call is signed with the matching key.
    """

    code = models.SlugField(_("mã nút"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    certificate_pem = models.TextField(_("chứng thư số (PEM)"))
    #: SHA-256 of the certificate's DER, lower-case hex: how a client certificate passed by
    #: the TLS proxy is matched to a node.
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    push_url = models.URLField(_("địa chỉ nhận đẩy"), max_length=500, blank=True)
    enabled = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("nút liên thông")
        verbose_name_plural = _("nút liên thông")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Organ(models.Model):
    """An agency code (edXML OrganId) and the node that serves it."""

    organ_id = models.CharField(_("mã định danh cơ quan"), max_length=64, unique=True)
    name = models.CharField(_("tên cơ quan"), max_length=500)
    node = models.ForeignKey(
        Node, verbose_name=_("nút"), on_delete=models.PROTECT, related_name="organs"
    )
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["organ_id"]

    def __str__(self) -> str:
        return self.organ_id


class TrustAnchor(models.Model):
    """A root certificate that envelope signatures (edXML XML-DSig) must chain to."""

    name = models.CharField(_("tên"), max_length=255)
    certificate_pem = models.TextField(_("chứng thư số gốc (PEM)"))
    fingerprint = models.CharField(_("dấu vân tay SHA-256"), max_length=64, unique=True)
    subject = models.CharField(_("chủ thể"), max_length=500, blank=True)
    not_after = models.DateTimeField(_("hết hạn"), null=True, blank=True)
    enabled = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("chứng thư gốc tin cậy")
        verbose_name_plural = _("chứng thư gốc tin cậy")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RequestNonce(models.Model):
    """A nonce of a signed request already seen: the same request again is a replay."""

    node_code = models.CharField(_("mã nút"), max_length=64)
    nonce = models.CharField(_("số dùng một lần"), max_length=64)
    seen_at = models.DateTimeField(_("nhận lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("số dùng một lần")
        verbose_name_plural = _("số dùng một lần")
        constraints = [
            models.UniqueConstraint(fields=["node_code", "nonce"], name="hub_nonce_unique"),
        ]
        indexes = [models.Index(fields=["seen_at"], name="hub_nonce_seen_idx")]

    def __str__(self) -> str:
        return f"{self.node_code}:{self.nonce}"


class MessageType(models.TextChoices):
    EDOC = "edoc", _("Văn bản")
    STATUS = "status", _("Trạng thái")


class Package(models.Model):
    """A package as it was sent, stored once whatever the number of its recipients."""

    send_id = models.UUIDField(_("mã lần gửi"), unique=True)
    sender_node = models.ForeignKey(
        Node, verbose_name=_("nút gửi"), on_delete=models.PROTECT, related_name="sent_packages"
    )
    message_type = models.CharField(_("loại gói tin"), max_length=8, choices=MessageType.choices)
    #: Of a document: its DocumentId; of a status package: the DocumentId it answers.
    document_id = models.CharField(_("mã văn bản"), max_length=500)
    from_organ = models.CharField(_("cơ quan gửi"), max_length=64)
    #: Business type (0 new, 1 revoke, 2 update, 3 replace) of a document; status code of a
    #: status package.
    business_code = models.CharField(_("nghiệp vụ / mã trạng thái"), max_length=8, blank=True)
    subject = models.CharField(_("trích yếu"), max_length=500, blank=True)
    size = models.PositiveIntegerField(_("kích thước (byte)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    #: The bytes as received; emptied by the purge once every delivery is finished.
    body = models.BinaryField(_("nội dung"))
    purged_at = models.DateTimeField(_("đã xóa nội dung lúc"), null=True, blank=True)
    #: The answer given to the first send, given again to a re-send with the same send id.
    answer = models.JSONField(_("trả lời lần gửi đầu"))
    created_at = models.DateTimeField(_("nhận lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("gói tin")
        verbose_name_plural = _("gói tin")
        indexes = [
            models.Index(fields=["document_id"], name="hub_pkg_document_idx"),
            models.Index(fields=["created_at"], name="hub_pkg_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.message_type} {self.document_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Chờ nhận")
    FETCHED = "fetched", _("Đang nhận")
    DONE = "done", _("Đã nhận")
    FAILED = "failed", _("Bị từ chối")
    DEAD = "dead", _("Ngừng gửi")


#: Deliveries that still count for de-duplication: a refused or abandoned one may be sent again.
LIVE_STATES = (DeliveryState.PENDING, DeliveryState.FETCHED, DeliveryState.DONE)
#: Deliveries the hub has nothing more to do for (unless an operator redelivers).
FINISHED_STATES = (DeliveryState.DONE, DeliveryState.FAILED, DeliveryState.DEAD)


class Delivery(models.Model):
    """One recipient of a package: the node that serves it pulls it (or is pushed it)."""

    package = models.ForeignKey(
        Package, verbose_name=_("gói tin"), on_delete=models.PROTECT, related_name="deliveries"
    )
    organ_id = models.CharField(_("cơ quan nhận"), max_length=64)
    #: The package's sender, copied so that the sender's "sent since" list reads one index
    #: (hub_dlv_sent_idx) and a change of a delivery writes no package row.
    sender_node = models.ForeignKey(
        Node,
        verbose_name=_("nút gửi"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    #: Indexed by hub_dlv_inbox_idx, which leads with it.
    node = models.ForeignKey(
        Node,
        verbose_name=_("nút nhận"),
        on_delete=models.PROTECT,
        related_name="deliveries",
        db_index=False,
    )
    #: SHA-256 of (message type, DocumentId, business type) or (DocumentId, status code,
    #: Timestamp): with `organ_id`, unique among live deliveries.
    dedup_key = models.CharField(_("khóa chống trùng"), max_length=64)
    state = models.CharField(
        _("trạng thái"),
        max_length=8,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần chuyển"), default=0)
    lease_until = models.DateTimeField(_("giữ đến"), null=True, blank=True)
    next_push_at = models.DateTimeField(_("đẩy lần tới lúc"), null=True, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    updated_at = models.DateTimeField(_("cập nhật lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("lượt chuyển")
        verbose_name_plural = _("lượt chuyển")
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key", "organ_id"],
                condition=Q(state__in=["pending", "fetched", "done"]),
                name="hub_delivery_live_unique",
            ),
        ]
        indexes = [
            # The inbox of a node, oldest first; the operator's queues.
            models.Index(fields=["node", "state", "id"], name="hub_dlv_inbox_idx"),
            # The sender's list of what changed since a moment.
            models.Index(fields=["sender_node", "updated_at"], name="hub_dlv_sent_idx"),
            # The worker: pushes due, leases run out.
            models.Index(
                fields=["state", "next_push_at"],
                name="hub_dlv_push_idx",
                condition=Q(next_push_at__isnull=False),
            ),
            models.Index(
                fields=["lease_until"],
                name="hub_dlv_lease_idx",
                condition=Q(state="fetched"),
            ),
            models.Index(
                fields=["state", "-updated_at"],
                name="hub_dlv_problem_idx",
                condition=Q(state__in=["failed", "dead"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package_id} → {self.organ_id}"


class DeliveryEvent(models.Model):
    """A receipt: one change of a delivery, kept after the package's body is purged."""

    #: Indexed by hub_event_delivery_idx, which leads with it.
    delivery = models.ForeignKey(
        Delivery,
        verbose_name=_("lượt chuyển"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    at = models.DateTimeField(_("lúc"), default=timezone.now)
    from_state = models.CharField(
        _("trạng thái trước"), max_length=8, choices=DeliveryState.choices, blank=True
    )
    to_state = models.CharField(_("trạng thái sau"), max_length=8, choices=DeliveryState.choices)
    attempt = models.PositiveSmallIntegerField(_("lần"), default=0)
    #: Who made the change: a node's code, "hub" (the worker) or "operator:<username>".
    actor = models.CharField(_("bởi"), max_length=200)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("biên nhận")
        verbose_name_plural = _("biên nhận")
        ordering = ["id"]
        indexes = [models.Index(fields=["delivery", "id"], name="hub_event_delivery_idx")]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.from_state} → {self.to_state}"
