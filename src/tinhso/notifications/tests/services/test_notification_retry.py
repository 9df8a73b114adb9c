"""Sending a failed message again: administrators of its agency, audited, worker woken."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from pytest_django import DjangoCaptureOnCommitCallbacks

from tinhso.accounts.models import Role
from tinhso.audit.models import AuditEvent
from tinhso.notifications.models import Status
from tinhso.notifications.services import notification_retry
from tinhso.notifications.tests.factories import make_failed, make_notification
from tinhso.notifications.tests.smtp import SmtpServer
from tinhso.testing.factories import make_agency, official

pytestmark = pytest.mark.django_db


def test_a_failed_message_is_queued_again_and_sent(
    smtp: SmtpServer, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given a message of agency A that gave up, and A's administrator
    agency = make_agency()
    row = make_failed(agency=agency)
    admin = official(Role.QUAN_TRI_CO_QUAN, agency=agency)

    # when the administrator sends it again (the commit wakes the worker)
    with django_capture_on_commit_callbacks(execute=True):
        notification_retry(actor=admin, notification=row)

    # then the relay received it and the row is sent, its attempts counted afresh
    assert [m["To"] for m in smtp.inbox.messages()] == [row.recipient]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)
    # and the action is in the audit trail, under the administrator and the agency
    event = AuditEvent.objects.get(action="notifications.notification.retry")
    assert event.actor_id == admin.pk
    assert event.agency_id == agency.pk
    assert event.changes == {"status": ["failed", "pending"], "attempts": [6, 0]}


def test_the_row_waits_for_the_worker_until_the_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    row = make_failed()
    with django_capture_on_commit_callbacks() as callbacks:
        notification_retry(actor=official(Role.QUAN_TRI_TINH), notification=row)
    row.refresh_from_db()
    assert (row.status, row.attempts, len(callbacks)) == (Status.PENDING, 0, 1)


@pytest.mark.parametrize("status", [Status.PENDING, Status.SENDING, Status.SENT])
def test_only_a_failed_message_may_be_sent_again(status: str) -> None:
    # given a message that has not given up
    row = make_notification(status=status)

    # when / then
    with pytest.raises(ValidationError) as caught:
        notification_retry(actor=official(Role.QUAN_TRI_TINH), notification=row)
    assert caught.value.messages == [
        "Chỉ gửi lại được thông báo đang ở trạng thái “Gửi không thành công”."
    ]
    row.refresh_from_db()
    assert row.status == status
    assert not AuditEvent.objects.exists()


def test_another_agencys_administrator_does_not_reach_it() -> None:
    row = make_failed(agency=make_agency())
    with pytest.raises(Http404):
        notification_retry(
            actor=official(Role.QUAN_TRI_CO_QUAN, agency=make_agency()), notification=row
        )
    row.refresh_from_db()
    assert row.status == Status.FAILED


def test_an_official_who_administers_nothing_is_refused() -> None:
    agency = make_agency()
    row = make_failed(agency=agency)
    with pytest.raises(PermissionDenied):
        notification_retry(actor=official(Role.CHUYEN_VIEN, agency=agency), notification=row)
    assert not AuditEvent.objects.exists()


def test_a_platform_message_without_agency_is_the_provinces() -> None:
    row = make_failed(agency=None)
    with pytest.raises(Http404):
        notification_retry(
            actor=official(Role.QUAN_TRI_CO_QUAN, agency=make_agency()), notification=row
        )
    notification_retry(actor=official(Role.QUAN_TRI_TINH), notification=row)
    row.refresh_from_db()
    assert row.status == Status.PENDING
