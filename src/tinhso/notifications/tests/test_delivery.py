"""Delivering outbox rows through a real SMTP server: back-off, giving up, races, rescue."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.utils import timezone
from pytest_django.fixtures import Settings

from tinhso.audit.models import AuditEvent
from tinhso.notifications import delivery
from tinhso.notifications.delivery import Outcome, deliver, deliver_due, rescue_stuck
from tinhso.notifications.models import Notification, Status
from tinhso.notifications.tests.factories import make_notification
from tinhso.notifications.tests.smtp import SmtpServer
from tinhso.testing.factories import make_agency

MINUTE = dt.timedelta(minutes=1)


def reloaded(row: Notification) -> Notification:
    row.refresh_from_db()
    return row


@pytest.mark.django_db
class TestBackOff:
    def test_relay_down_schedules_a_retry_then_sends_when_it_is_back(
        self, smtp_down: SmtpServer
    ) -> None:
        # given a due row while the relay is down
        t0 = timezone.now()
        row = make_notification(next_attempt_at=t0)

        # when the first attempt fails
        assert deliver(row.pk, now=t0) == Outcome.RETRY

        # then the row waits one minute, with the error kept
        row = reloaded(row)
        assert (row.status, row.attempts, row.next_attempt_at) == (Status.PENDING, 1, t0 + MINUTE)
        assert row.last_error.startswith("ConnectionRefusedError")
        assert row.claimed_at is None

        # when a worker asks before the minute is over, nothing is tried
        assert deliver(row.pk, now=t0 + 30 * dt.timedelta(seconds=1)) == Outcome.SKIPPED
        assert reloaded(row).attempts == 1

        # when the second attempt fails too, the wait grows to five minutes
        t1 = t0 + MINUTE
        assert deliver(row.pk, now=t1) == Outcome.RETRY
        assert reloaded(row).next_attempt_at == t1 + 5 * MINUTE

        # when the relay is back and the sweep runs after the wait
        smtp_down.start()
        counts = deliver_due(now=t1 + 5 * MINUTE)

        # then the message is sent once, and the row says so
        assert (counts.sent, counts.retried, counts.failed) == (1, 0, 0)
        [message] = smtp_down.inbox.messages()
        assert message["To"] == row.recipient
        row = reloaded(row)
        assert (row.status, row.attempts, row.last_error) == (Status.SENT, 3, "")
        assert row.sent_at == t1 + 5 * MINUTE

    def test_the_waits_follow_the_schedule_and_the_sixth_failure_gives_up(
        self, smtp_down: SmtpServer, settings: Settings
    ) -> None:
        # given the default number of attempts and an agency the message belongs to
        del settings.TINHSO_NOTIFICATION_MAX_ATTEMPTS
        agency = make_agency()
        now = timezone.now()
        row = make_notification(next_attempt_at=now, agency=agency)

        # when every attempt fails, each as soon as it is due
        waits = []
        for _attempt in range(5):
            assert deliver(row.pk, now=now) == Outcome.RETRY
            due = reloaded(row).next_attempt_at
            waits.append(due - now)
            now = due
        outcome = deliver(row.pk, now=now)

        # then the waits are 1 min, 5 min, 30 min, 2 h, 12 h, and the sixth gives up
        assert waits == [MINUTE, 5 * MINUTE, 30 * MINUTE, 120 * MINUTE, 720 * MINUTE]
        assert outcome == Outcome.FAILED
        row = reloaded(row)
        assert (row.status, row.attempts) == (Status.FAILED, 6)
        # and the audit trail records it, under the message's agency
        event = AuditEvent.objects.get(action="notifications.notification.failed")
        assert event.actor_label == "system:notifications"
        assert event.agency_id == agency.pk
        assert (event.object_type, event.object_id) == ("notifications.notification", str(row.pk))
        assert event.changes["attempts"] == 6
        assert event.changes["last_error"].startswith("ConnectionRefusedError")
        # and a failed row is never tried again by the sweep
        assert deliver_due(now=now + 24 * 60 * MINUTE).sent == 0
        assert smtp_down.inbox.messages() == []

    def test_the_maximum_of_attempts_is_a_setting(
        self, smtp_down: SmtpServer, settings: Settings
    ) -> None:
        # given two attempts at most
        settings.TINHSO_NOTIFICATION_MAX_ATTEMPTS = 2
        now = timezone.now()
        row = make_notification(next_attempt_at=now)

        # when both fail
        first = deliver(row.pk, now=now)
        second = deliver(row.pk, now=now + MINUTE)

        # then the second gives up with its audit row
        assert (first, second) == (Outcome.RETRY, Outcome.FAILED)
        assert reloaded(row).status == Status.FAILED
        assert AuditEvent.objects.filter(action="notifications.notification.failed").count() == 1

    def test_an_address_the_relay_refuses_for_good_gives_up_at_once(self, smtp: SmtpServer) -> None:
        # given a mailbox the relay says does not exist (550)
        smtp.inbox.refused.add("khongco@example.vn")
        row = make_notification(recipient="khongco@example.vn")

        # when
        outcome = deliver(row.pk)

        # then trying again would not help: it fails now, audited
        assert outcome == Outcome.FAILED
        row = reloaded(row)
        assert (row.status, row.attempts) == (Status.FAILED, 1)
        assert "550" in row.last_error
        assert AuditEvent.objects.filter(action="notifications.notification.failed").exists()
        assert smtp.inbox.messages() == []

    def test_a_silent_relay_is_given_up_on_after_a_timeout(
        self, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # given a relay that accepts the connection but never greets, and no EMAIL_TIMEOUT
        silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = silent.getsockname()
        settings.EMAIL_TIMEOUT = None
        monkeypatch.setattr(delivery, "FALLBACK_TIMEOUT", 1)
        row = make_notification()

        # when
        try:
            outcome = deliver(row.pk)
        finally:
            silent.close()

        # then the attempt ended and counts as failed, instead of holding the worker forever
        assert outcome == Outcome.RETRY
        assert "timed out" in reloaded(row).last_error


@pytest.mark.django_db
class TestClaim:
    def test_a_row_being_sent_by_another_worker_is_left_alone(self, smtp: SmtpServer) -> None:
        # given a row another worker has claimed a moment ago
        now = timezone.now()
        row = make_notification(status=Status.SENDING, claimed_at=now)

        # when this worker and the sweep try it
        outcome = deliver(row.pk)
        counts = deliver_due()

        # then neither sends it
        assert outcome == Outcome.SKIPPED
        assert (counts.sent, counts.rescued) == (0, 0)
        assert reloaded(row).status == Status.SENDING
        assert smtp.inbox.messages() == []

    @pytest.mark.parametrize("status", [Status.SENT, Status.FAILED])
    def test_a_finished_row_is_never_sent_again(self, smtp: SmtpServer, status: str) -> None:
        row = make_notification(status=status)
        assert deliver(row.pk) == Outcome.SKIPPED
        assert smtp.inbox.messages() == []

    def test_an_unknown_row_is_skipped(self, smtp: SmtpServer) -> None:
        assert deliver(987_654) == Outcome.SKIPPED


@pytest.mark.django_db(transaction=True)
class TestRace:
    def test_two_workers_racing_for_one_row_send_it_once(self, smtp: SmtpServer) -> None:
        # given a due row, and a relay slow enough that the first sender is still sending
        # when the second arrives
        row = make_notification()
        smtp.inbox.delay = 0.5
        start = threading.Barrier(2)
        outcomes: list[Outcome] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                start.wait()
                outcomes.append(deliver(row.pk))
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)
            finally:
                connection.close()

        # when two workers deliver it at the same moment
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        # then one sent it and the other passed by; the server got it once
        assert errors == []
        assert sorted(outcomes) == [Outcome.SENT, Outcome.SKIPPED]
        assert len(smtp.inbox.messages()) == 1
        row = reloaded(row)
        assert (row.status, row.attempts) == (Status.SENT, 1)

    @pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="row locks with SKIP LOCKED: PostgreSQL"
    )
    def test_on_postgresql_a_locked_row_is_skipped_without_waiting(self, smtp: SmtpServer) -> None:
        # given another transaction holding the row's lock (a worker mid-claim)
        row = make_notification()
        locked, release = threading.Event(), threading.Event()

        def holder() -> None:
            try:
                with transaction.atomic():
                    Notification.objects.select_for_update().get(pk=row.pk)
                    locked.set()
                    release.wait(timeout=10)
            finally:
                connection.close()

        thread = threading.Thread(target=holder)
        thread.start()
        assert locked.wait(timeout=10)
        try:
            # when this worker tries the row
            started = timezone.now()
            outcome = deliver(row.pk)
            waited = timezone.now() - started
        finally:
            release.set()
            thread.join(timeout=10)

        # then it passed by at once, and sent nothing
        assert outcome == Outcome.SKIPPED
        assert waited < dt.timedelta(seconds=2)
        assert smtp.inbox.messages() == []
        assert reloaded(row).status == Status.PENDING


@pytest.mark.django_db
class TestRescue:
    def test_a_row_stuck_in_sending_is_taken_back_as_a_failed_attempt(
        self, smtp: SmtpServer
    ) -> None:
        # given a row a dead worker claimed eleven minutes ago, and one claimed five ago
        now = timezone.now()
        stuck = make_notification(status=Status.SENDING, claimed_at=now - 11 * MINUTE)
        busy = make_notification(status=Status.SENDING, claimed_at=now - 5 * MINUTE)

        # when the sweep runs
        counts = deliver_due(now=now)

        # then only the stuck one is taken back, waiting its back-off like any failure
        assert counts.rescued == 1
        stuck = reloaded(stuck)
        assert (stuck.status, stuck.attempts) == (Status.PENDING, 1)
        assert stuck.next_attempt_at == now + MINUTE
        assert "dừng giữa chừng" in stuck.last_error
        assert reloaded(busy).status == Status.SENDING
        # and it is sent once its wait is over
        assert deliver_due(now=now + MINUTE).sent == 1
        assert len(smtp.inbox.messages()) == 1

    def test_a_row_stuck_on_its_last_attempt_gives_up_audited(
        self, smtp: SmtpServer, settings: Settings
    ) -> None:
        settings.TINHSO_NOTIFICATION_MAX_ATTEMPTS = 3
        now = timezone.now()
        row = make_notification(status=Status.SENDING, claimed_at=now - 11 * MINUTE, attempts=2)

        assert rescue_stuck(now=now) == 1

        assert reloaded(row).status == Status.FAILED
        assert AuditEvent.objects.filter(
            action="notifications.notification.failed", object_id=str(row.pk)
        ).exists()


@pytest.mark.django_db
class TestSweep:
    def test_the_sweep_sends_due_rows_oldest_first_up_to_its_batch(self, smtp: SmtpServer) -> None:
        # given three due rows and one not yet due
        now = timezone.now()
        rows = [
            make_notification(recipient=f"nguoi{i}@example.vn", next_attempt_at=now - i * MINUTE)
            for i in range(3)
        ]
        later = make_notification(next_attempt_at=now + MINUTE)

        # when a sweep of two runs, then another
        first = deliver_due(now=now, limit=2)
        second = deliver_due(now=now, limit=2)

        # then the two longest due went first, the third next, the later one not at all
        assert (first.sent, second.sent) == (2, 1)
        recipients = [m["To"] for m in smtp.inbox.messages()]
        assert recipients == ["nguoi2@example.vn", "nguoi1@example.vn", "nguoi0@example.vn"]
        assert {reloaded(r).status for r in rows} == {Status.SENT}
        assert reloaded(later).status == Status.PENDING

    def test_the_periodic_task_runs_the_sweep(self, smtp: SmtpServer) -> None:
        from tinhso.notifications.tasks import deliver_due_notifications

        # given a row whose wake-up was lost (the queue was down at commit)
        row = make_notification()

        # when the minute's task runs
        run: Callable[[], None] = deliver_due_notifications.call_local
        run()

        # then it was sent
        assert reloaded(row).status == Status.SENT
        assert len(smtp.inbox.messages()) == 1
