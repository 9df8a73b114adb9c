"""Queueing a message: inside the caller's transaction, sent after commit, never on rollback."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from tinhso.audit.models import AuditEvent
from tinhso.notifications import services
from tinhso.notifications.delivery import deliver_due
from tinhso.notifications.models import Channel, Notification, Status
from tinhso.notifications.services import notification_enqueue
from tinhso.notifications.tests.conftest import SENDER
from tinhso.notifications.tests.smtp import SmtpServer
from tinhso.testing.factories import make_agency

SUBJECT = "Thông báo tiếp nhận hồ sơ số 000.00.31.H57-250101-0001"
BODY = "Kính gửi Ông Nguyễn Văn Ấn,\nSở Nội vụ đã tiếp nhận hồ sơ của ông; hẹn trả kết quả ngày 15/01/2026."
HTML = "<p>Kính gửi <strong>Ông Nguyễn Văn Ấn</strong>,</p><p>Hồ sơ đã được tiếp nhận.</p>"


def enqueue(**overrides: Any) -> Notification:
    values: dict[str, Any] = {
        "channel": Channel.EMAIL,
        "recipient": "nguyenvanan@example.vn",
        "subject": SUBJECT,
        "body_text": BODY,
        "kind": "dossier.received",
    }
    values.update(overrides)
    return notification_enqueue(**values)


class FailedBusinessChange(Exception):
    pass


@pytest.mark.django_db(transaction=True)
class TestAfterCommit:
    """Real transactions: the worker is woken by the commit itself (Huey runs immediately)."""

    def test_a_committed_message_reaches_the_smtp_server(self, smtp: SmtpServer) -> None:
        # given an agency the message is about
        agency = make_agency()

        # when a service queues it inside its transaction and commits
        with transaction.atomic():
            row = enqueue(body_html=HTML, obj=agency, agency=agency)
            # then nothing leaves before the commit
            assert smtp.inbox.messages() == []

        # then the server received it: recipient, sender, Vietnamese subject and body intact
        [message] = smtp.inbox.messages()
        assert smtp.inbox.envelopes[0].rcpt_tos == ["nguyenvanan@example.vn"]
        assert message["To"] == "nguyenvanan@example.vn"
        assert message["From"] == SENDER
        # Encoded per RFC 2047 (the relay sees ASCII only); Django 5.2 folds a long encoded
        # subject onto its own line, whose folding space mail clients drop when they show it.
        raw = smtp.inbox.envelopes[0].original_content
        assert raw is not None
        headers = raw.split(b"\r\n\r\n", 1)[0]
        assert headers.isascii() and b"Subject: \r\n =?utf-8?b?" in headers
        assert message["Subject"].strip() == SUBJECT
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Message-ID"].startswith(f"<tinhso.notification.{row.pk}.")
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        assert plain is not None and html is not None
        assert plain.get_content_charset() == "utf-8"
        assert plain.get_content().replace("\r\n", "\n").strip() == BODY  # CRLF on the wire
        assert "<strong>Ông Nguyễn Văn Ấn</strong>" in html.get_content()
        # and the row says so
        row.refresh_from_db()
        assert row.status == Status.SENT
        assert row.attempts == 1
        assert row.sent_at is not None and row.claimed_at is None
        assert (row.object_type, row.object_id, row.agency_id) == (
            "organizations.agency",
            str(agency.pk),
            agency.pk,
        )

    def test_a_rolled_back_transaction_sends_nothing(self, smtp: SmtpServer) -> None:
        # when the business change fails after queueing its message
        with pytest.raises(FailedBusinessChange), transaction.atomic():
            enqueue()
            raise FailedBusinessChange

        # then no row remains and nothing was sent
        assert not Notification.objects.exists()
        assert smtp.inbox.messages() == []

    def test_a_rolled_back_savepoint_drops_only_its_message(self, smtp: SmtpServer) -> None:
        # given one message kept and one queued in a savepoint that is rolled back
        with transaction.atomic():
            kept = enqueue(recipient="giu@example.vn")
            with pytest.raises(FailedBusinessChange), transaction.atomic():
                enqueue(recipient="bo@example.vn")
                raise FailedBusinessChange

        # then only the kept one exists and was sent
        assert list(Notification.objects.values_list("pk", flat=True)) == [kept.pk]
        assert [m["To"] for m in smtp.inbox.messages()] == ["giu@example.vn"]

    def test_the_caller_commits_even_when_the_relay_is_down(self, smtp_down: SmtpServer) -> None:
        # when a message is queued while no SMTP server answers
        with transaction.atomic():
            row = enqueue()

        # then the business transaction is not affected; the row waits for its next attempt
        row.refresh_from_db()
        assert row.status == Status.PENDING
        assert row.attempts == 1
        assert row.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)
        assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error

    def test_a_lost_wake_up_neither_fails_the_caller_nor_loses_the_message(
        self, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # given a queue that is down when the transaction commits
        def queue_down(notification_id: int) -> None:
            raise ConnectionError("Redis is down")

        monkeypatch.setattr(services, "deliver_notification", queue_down)

        # when a service queues a message and commits: no error reaches the caller
        with transaction.atomic():
            row = enqueue()

        # then the row waits, and the minute's sweep sends it
        assert Notification.objects.get(pk=row.pk).status == Status.PENDING
        assert deliver_due().sent == 1
        assert len(smtp.inbox.messages()) == 1

    def test_must_run_inside_the_callers_transaction(self, smtp: SmtpServer) -> None:
        # when called in autocommit mode, where no commit could be waited for
        with pytest.raises(RuntimeError, match="inside the transaction"):
            enqueue()

        # then nothing was written or sent
        assert not Notification.objects.exists()
        assert smtp.inbox.messages() == []


@pytest.mark.django_db
class TestInput:
    @pytest.mark.parametrize(
        ("recipient", "message"),
        [
            ("", "Chưa có địa chỉ thư điện tử của người nhận."),
            ("   ", "Chưa có địa chỉ thư điện tử của người nhận."),
            ("nguyenvanan", "Địa chỉ thư điện tử của người nhận “nguyenvanan” không hợp lệ."),
            ("an@", "Địa chỉ thư điện tử của người nhận “an@” không hợp lệ."),
            ("an@example.vn\nBcc: ke.gian@example.com", "không hợp lệ"),
            ("a" * 250 + "@example.vn", "không hợp lệ"),
        ],
    )
    def test_a_blank_or_invalid_address_is_refused(self, recipient: str, message: str) -> None:
        # when
        with pytest.raises(ValidationError) as caught, transaction.atomic():
            enqueue(recipient=recipient)

        # then the error names the field, in Vietnamese; nothing was written
        assert message in " ".join(caught.value.message_dict["recipient"])
        assert not Notification.objects.exists()

    def test_blank_subject_and_body_are_refused_together(self) -> None:
        with pytest.raises(ValidationError) as caught, transaction.atomic():
            enqueue(subject=" \n ", body_text="  ")
        assert caught.value.message_dict == {
            "subject": ["Tiêu đề thông báo không được để trống."],
            "body_text": ["Nội dung thông báo không được để trống."],
        }
        assert not Notification.objects.exists()

    def test_a_too_long_subject_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught, transaction.atomic():
            enqueue(subject="Đ" * 256)
        assert caught.value.message_dict["subject"] == [
            "Tiêu đề thông báo dài tối đa 255 ký tự (đang có 256)."
        ]

    def test_the_subject_is_kept_on_one_line(self) -> None:
        with transaction.atomic():
            row = enqueue(subject="Thông báo\r\nBcc: ke.gian@example.com")
        assert row.subject == "Thông báo Bcc: ke.gian@example.com"

    def test_the_sms_channel_is_reserved(self) -> None:
        with pytest.raises(ValidationError) as caught, transaction.atomic():
            enqueue(channel=Channel.SMS, recipient="0912345678")
        assert caught.value.message_dict["channel"] == [
            "Chưa hỗ trợ gửi thông báo qua kênh Tin nhắn SMS."
        ]
        assert not Notification.objects.exists()

    def test_an_unknown_channel_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught, transaction.atomic():
            enqueue(channel="fax")
        assert caught.value.message_dict["channel"] == ["Kênh gửi “fax” không hợp lệ."]

    @pytest.mark.parametrize("kind", ["", "x" * 101])
    def test_the_kind_code_is_required(self, kind: str) -> None:
        with pytest.raises(ValueError, match="kind"), transaction.atomic():
            enqueue(kind=kind)

    def test_queueing_is_not_audited(self) -> None:
        # the business action that sends the message carries the audit row, not the outbox
        with transaction.atomic():
            enqueue()
        assert not AuditEvent.objects.exists()

    def test_the_worker_is_woken_only_on_commit(
        self, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
    ) -> None:
        # when
        with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
            enqueue()

        # then exactly one wake-up waits for the commit
        assert len(callbacks) == 1
        assert Notification.objects.get().status == Status.PENDING
