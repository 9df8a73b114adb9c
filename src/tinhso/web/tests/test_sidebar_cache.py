"""The sidebar is cached per role set, language and page, and never mixes them up."""

from __future__ import annotations

import pytest
from django.test import Client

from tinhso.accounts.models import Role
from tinhso.testing.factories import official

pytestmark = pytest.mark.django_db


def _home(client: Client, language: str = "vi") -> str:
    return client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_a_specialist_never_gets_the_administrator_sidebar_from_the_cache() -> None:
    # given an agency administrator whose sidebar (with "Quản trị") is now cached
    admin = official(Role.QUAN_TRI_CO_QUAN)
    admin_client = Client()
    admin_client.force_login(admin)
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=admin, name="default", confirmed=True)
    session = admin_client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert "Nhật ký hệ thống" in _home(admin_client)

    # when a specialist opens the same page
    specialist = Client()
    specialist.force_login(official(Role.CHUYEN_VIEN))
    page = _home(specialist)

    # then their sidebar and tiles have no administration
    assert "Lịch làm việc" in page
    assert "Nhật ký hệ thống" not in page


def test_the_sidebar_follows_the_language_and_the_page() -> None:
    client = Client()
    client.force_login(official(Role.CHUYEN_VIEN))
    assert "Lịch làm việc" in _home(client, "vi")
    client.cookies["tinhso_language"] = "en"
    english = _home(client, "en")
    assert "Working calendar" in english or "Work calendar" in english
    assert "Lịch làm việc" not in english
    # the home page's sidebar (cached) marks home; the calendar page's marks the calendar
    assert 'class="nav-link active" href="/"' in english
    calendar_page = client.get("/calendar/year/").content.decode()
    assert 'class="nav-link active" href="/calendar/year/"' in calendar_page
    assert 'class="nav-link active" href="/"' not in calendar_page
