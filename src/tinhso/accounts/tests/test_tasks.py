from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from tinhso.accounts.tasks import clear_expired_sessions


@pytest.mark.django_db
def test_clear_expired_sessions_removes_only_expired_ones() -> None:
    # given one expired and one live session
    now = timezone.now()
    Session.objects.create(
        session_key="expired", session_data="", expire_date=now - dt.timedelta(hours=1)
    )
    Session.objects.create(
        session_key="live", session_data="", expire_date=now + dt.timedelta(hours=1)
    )
    # when the nightly task runs (Huey is in immediate mode in tests)
    clear_expired_sessions.call_local()
    # then only the live one remains
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
