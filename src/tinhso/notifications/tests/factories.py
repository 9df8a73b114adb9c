"""Outbox rows in a given state, written directly (the services are tested on their own)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tinhso.notifications.models import Channel, Notification, Status


def make_notification(**fields: Any) -> Notification:
    now = timezone.now()
    values: dict[str, Any] = {
        "channel": Channel.EMAIL,
        "recipient": "nguoinhan@example.vn",
        "subject": "Hồ sơ của ông/bà đã được tiếp nhận",
        "body_text": "Kính gửi ông/bà,\nHồ sơ đã được tiếp nhận.",
        "kind": "dossier.received",
        "status": Status.PENDING,
        "next_attempt_at": now,
        "created_at": now,
    }
    values.update(fields)
    row: Notification = Notification.objects.create(**values)
    return row


def make_failed(**fields: Any) -> Notification:
    fields.setdefault("attempts", 6)
    fields.setdefault("last_error", "ConnectionRefusedError: [Errno 111] Connection refused")
    return make_notification(status=Status.FAILED, **fields)
