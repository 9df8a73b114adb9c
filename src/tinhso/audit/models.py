"""The audit trail: append-only rows, each carrying the hash of the one before it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditTamperingError(RuntimeError):
    """An audit row may be written once and never changed or deleted."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Refuses the bulk operations that would bypass the append-only guard of the model.

    The services add rows one at a time through `tinhso.audit.services.audit_record`, which
    chains them. `bulk_create` stays possible because it only appends (restoring a snapshot of
    rows with their hashes, as the test fixtures do); a row that does not belong to the chain
    is reported by `manage.py audit_verify`. The database triggers (migration 0002) refuse
    UPDATE and DELETE from outside the ORM as well.
    """

    def update(self, **kwargs: Any) -> int:
        raise AuditTamperingError("Audit rows are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditTamperingError("Audit rows are append-only.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AuditTamperingError("Audit rows are append-only.")


class AuditEvent(models.Model):
    seq = models.BigIntegerField(_("số thứ tự"), unique=True)
    occurred_at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # audit_actor_seq_idx begins with it
    )
    actor_label = models.CharField(_("người thực hiện"), max_length=150, blank=True)
    agency = models.ForeignKey(
        "organizations.Agency",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # audit_agency_seq_idx begins with it
    )
    # Indexed by audit_action_seq_idx. Every audited write of the platform inserts one row into
    # each index of this table: migration 0005 dropped the four that another one covers (with
    # DROP INDEX, not Django's SQLite table rebuild, which would lose the append-only triggers
    # of migration 0002).
    action = models.CharField(_("hành động"), max_length=100)
    object_type = models.CharField(_("loại đối tượng"), max_length=100, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_repr = models.CharField(_("đối tượng"), max_length=255, blank=True)
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    request_id = models.CharField(_("mã yêu cầu"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)  # (its LIKE index dropped in 0005)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["-seq"]
        base_manager_name = "objects"
        # The list pages filter on one of these and read the newest rows first (keyset on
        # seq): each index ends in -seq so that a filtered page is an index range scan.
        indexes = [
            models.Index(fields=["agency", "-seq"], name="audit_agency_seq_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "-seq"], name="audit_actor_seq_idx"),
            models.Index(fields=["actor_label", "-seq"], name="audit_actor_label_seq_idx"),
            models.Index(fields=["action", "-seq"], name="audit_action_seq_idx"),
            models.Index(fields=["request_id"], name="audit_request_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Not business logic: the one guard that makes the trail append-only inside the app.
        if not self._state.adding:
            raise AuditTamperingError("Audit rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditTamperingError("Audit rows are append-only.")


class AuditChainHead(models.Model):
    """The single row holding the last sequence number and hash; locked to append."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    #: The time of the last row: the next row never carries an earlier one, so that time and
    #: sequence order agree even if the server clock steps back (the list pages rely on it).
    occurred_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_head_singleton")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
