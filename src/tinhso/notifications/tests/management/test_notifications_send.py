from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tinhso.notifications.models import Status
from tinhso.notifications.tests.factories import make_notification
from tinhso.notifications.tests.smtp import SmtpServer

pytestmark = pytest.mark.django_db


def test_sends_the_due_rows_and_prints_the_counts(smtp: SmtpServer) -> None:
    # given two due rows, one of them refused by the relay, and one not due yet
    smtp.inbox.refused.add("khongco@example.vn")
    sent = make_notification(recipient="co@example.vn")
    refused = make_notification(recipient="khongco@example.vn")
    later = make_notification(next_attempt_at=timezone.now() + dt.timedelta(hours=1))
    out = StringIO()

    # when
    call_command("notifications_send", stdout=out)

    # then
    assert out.getvalue().strip() == (
        "Đã gửi 1; hẹn gửi lại 0; gửi không thành công 1; bỏ qua 0; lấy lại 0 thư bị treo."
    )
    assert [m["To"] for m in smtp.inbox.messages()] == ["co@example.vn"]
    for row in (sent, refused, later):
        row.refresh_from_db()
    assert [sent.status, refused.status, later.status] == [
        Status.SENT,
        Status.FAILED,
        Status.PENDING,
    ]


def test_goes_on_batch_after_batch_until_nothing_is_due(smtp: SmtpServer) -> None:
    # given five due rows and batches of two
    for i in range(5):
        make_notification(recipient=f"nguoi{i}@example.vn")
    out = StringIO()

    # when
    call_command("notifications_send", "--batch-size", "2", stdout=out)

    # then three batches sent them all
    assert len(smtp.inbox.messages()) == 5
    assert out.getvalue().startswith("Đã gửi 5;")


def test_stops_after_the_given_number_of_batches(smtp: SmtpServer) -> None:
    for i in range(5):
        make_notification(recipient=f"nguoi{i}@example.vn")
    call_command("notifications_send", "--batch-size", "2", "--max-batches", "2", stdout=StringIO())
    assert len(smtp.inbox.messages()) == 4


def test_a_relay_that_is_down_leaves_the_rows_for_later(smtp_down: SmtpServer) -> None:
    row = make_notification()
    out = StringIO()
    call_command("notifications_send", stdout=out)
    assert "hẹn gửi lại 1;" in out.getvalue()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 1)


@pytest.mark.parametrize("option", ["--max-batches", "--batch-size"])
def test_the_numbers_must_be_positive(option: str) -> None:
    with pytest.raises(CommandError, match="phải là số nguyên dương"):
        call_command("notifications_send", option, "0")
