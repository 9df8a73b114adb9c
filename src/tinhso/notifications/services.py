"""Every write to the outbox: queueing a message inside the caller's transaction, and the
administrator's "send again" of a message that gave up.

A message is a row written with the business change it is about; the worker is woken only
after that transaction commits (`transaction.on_commit`). A rolled-back change therefore
never sends anything, and a committed one is never lost: if the wake-up is lost (the queue is
down), the periodic sweep of `tasks.py` finds the row anyway.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.audit.services import audit_record
from tinhso.notifications.access import access_notification
from tinhso.notifications.models import Channel, Notification, Status
from tinhso.notifications.tasks import deliver_notification
from tinhso.organizations.models import Agency
from tinhso.rowwrite import insert_rows

_RECIPIENT_MAX = 254
_SUBJECT_MAX = 255
_KIND_MAX = 100


def _wake_worker_on_commit(notification_id: int) -> None:
    """Queue the delivery of one row once the caller's transaction commits."""
    # robust: a queue that is down must not fail the caller's request after its commit;
    # the row is durable and the periodic sweep sends it.
    transaction.on_commit(lambda: deliver_notification(notification_id), robust=True)


def _clean_recipient(channel: str, recipient: str, errors: dict[str, list[str]]) -> str:
    address = (recipient or "").strip()
    if channel != Channel.EMAIL:
        return address
    if not address:
        errors["recipient"] = [_("Chưa có địa chỉ thư điện tử của người nhận.")]
        return address
    try:
        if len(address) > _RECIPIENT_MAX:
            raise ValidationError("too long")
        validate_email(address)
    except ValidationError:
        errors["recipient"] = [
            _("Địa chỉ thư điện tử của người nhận “%(address)s” không hợp lệ.")
            % {"address": address[:100]}
        ]
    return address


def notification_enqueue(
    *,
    channel: str,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    kind: str,
    obj: models.Model | None = None,
    agency: Agency | None = None,
) -> Notification:
    """Queue a message to the outside; call it inside the transaction of the change it is about.

    Not audited: the business action that sends it is. Raises ValidationError (Vietnamese,
    per field) for a missing or invalid address, subject or body, and for a channel that is
    not served yet.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "notification_enqueue must be called inside the transaction of the change it is about"
        )
    row = notification_prepare(
        channel=channel,
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        kind=kind,
        obj=obj,
        agency=agency,
    )
    notification_insert(row)
    return row


def notification_insert(row: Notification) -> None:
    """Write a row from `notification_prepare`; the worker is woken at commit."""
    insert_rows([row])
    notification_written(row)


def notification_written(row: Notification) -> None:
    """After a prepared row was written by its caller: the worker is woken at commit."""
    _wake_worker_on_commit(row.pk)


def notification_prepare(
    *,
    channel: str,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    kind: str,
    obj: models.Model | None = None,
    agency: Agency | None = None,
) -> Notification:
    """The outbox row `notification_enqueue` writes, checked the same way, not yet written:
    for a caller that writes it within a larger statement (the receipt, whose mail holds the
    code the database computes) and then calls `notification_written`, or that writes it with
    `notification_insert`, in the transaction of the change it is about (the receipt's one
    statement is one)."""
    if not kind or len(kind) > _KIND_MAX:
        raise ValueError("notification kind must be 1 to 100 characters, e.g. 'dossier.received'")

    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = [_("Kênh gửi “%(channel)s” không hợp lệ.") % {"channel": channel}]
    elif channel != Channel.EMAIL:
        errors["channel"] = [
            _("Chưa hỗ trợ gửi thông báo qua kênh %(channel)s.")
            % {"channel": Channel(channel).label}
        ]
    address = _clean_recipient(channel, recipient, errors)
    # A header holds one line: the subject's line breaks would be refused at sending time.
    subject = " ".join((subject or "").split())
    if not subject:
        errors["subject"] = [_("Tiêu đề thông báo không được để trống.")]
    elif len(subject) > _SUBJECT_MAX:
        errors["subject"] = [
            _("Tiêu đề thông báo dài tối đa %(max)d ký tự (đang có %(n)d).")
            % {"max": _SUBJECT_MAX, "n": len(subject)}
        ]
    if not (body_text or "").strip():
        errors["body_text"] = [_("Nội dung thông báo không được để trống.")]
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    row = Notification(
        channel=channel,
        recipient=address,
        subject=subject,
        body_text=body_text,
        body_html=body_html or "",
        kind=kind,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk)[:64] if obj is not None else "",
        agency=agency,
        status=Status.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    return row


def notification_retry(*, actor: User, notification: Notification) -> Notification:
    """Send again, now, a message that gave up (administrators of its agency, or the province).

    The attempts start again from zero, so the message gets the whole back-off schedule; the
    previous error stays on the row until the next attempt replaces it.
    """
    with transaction.atomic():
        # Re-read under lock and within the actor's reach: the row may have changed since the
        # page was shown, and the service must not trust the caller's check alone.
        access_notification(actor_for(actor), notification.pk)
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.status != Status.FAILED:
            raise ValidationError(
                _("Chỉ gửi lại được thông báo đang ở trạng thái “%(status)s”.")
                % {"status": Status.FAILED.label}
            )
        changes: dict[str, Any] = {
            "status": [locked.status, Status.PENDING],
            "attempts": [locked.attempts, 0],
        }
        locked.status = Status.PENDING
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.claimed_at = None
        locked.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_at"])
        _wake_worker_on_commit(locked.pk)
        audit_record(
            actor=actor,
            action="notifications.notification.retry",
            obj=locked,
            agency=locked.agency_id,
            changes=changes,
        )
    return locked
