"""Fixtures of the outbox's tests: a real local SMTP server and Django pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from pytest_django.fixtures import Settings

from tinhso.accounts.models import User
from tinhso.notifications.tests.smtp import SmtpServer

SENDER = "Tỉnh số <no-reply@tinhso.test>"


def _point_django_at(settings: Settings, server: SmtpServer) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = SENDER


@pytest.fixture
def smtp(settings: Settings) -> Iterator[SmtpServer]:
    """A running SMTP server on 127.0.0.1, and Django's SMTP backend sending to it."""
    server = SmtpServer()
    server.start()
    _point_django_at(settings, server)
    yield server
    server.stop()


@pytest.fixture
def smtp_down(settings: Settings) -> Iterator[SmtpServer]:
    """Django's SMTP backend pointed at a local port where the server is not running yet."""
    server = SmtpServer()
    _point_django_at(settings, server)
    yield server
    server.stop()


@pytest.fixture
def login() -> Callable[[User], Client]:
    """A client signed in as `user`, with the second factor done (administrators need it)."""

    def log_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        device = StaticDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return log_in
