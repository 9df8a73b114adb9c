"""Writing audit rows as a service would, and signing administrators in for the pages."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.audit.models import AuditEvent
from tinhso.audit.services import audit_record


def record(**kwargs: Any) -> AuditEvent:
    """One audit row written in its own transaction, as at the end of a service."""
    kwargs.setdefault("actor", "system:test")
    kwargs.setdefault("action", "test.thing.update")
    with transaction.atomic():
        return audit_record(**kwargs)


def record_many(count: int, **kwargs: Any) -> list[AuditEvent]:
    return [record(object_id=str(i), **kwargs) for i in range(count)]


def login_verified(client: Client, user: Any) -> Client:
    """Sign `user` in with the second factor done, as administrators must be."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
