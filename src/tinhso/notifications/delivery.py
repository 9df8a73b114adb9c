"""Sending outbox rows: claim one, send it through Django's mail backend, record the outcome.

A row is claimed (pending and due → sending) in a short transaction of its own, sent outside
any transaction (an SMTP exchange must not hold a lock), then marked sent or scheduled again.
Two workers that race for one row never both send it: on PostgreSQL the claim locks the row
with SKIP LOCKED, so the loser passes by; on SQLite it is a conditional UPDATE that only one
writer can win (SQLite serialises writers). A worker that dies mid-send leaves its row
"sending"; the sweep takes such rows back after `retry.STUCK_AFTER`.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.utils import DNS_NAME
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import audit_record
from tinhso.notifications import retry
from tinhso.notifications.models import LAST_ERROR_MAX, Channel, Notification, Status

logger = logging.getLogger(__name__)

#: Who the audit trail names when the platform itself gives a message up.
SYSTEM_ACTOR = "system:notifications"
#: Rows sent per sweep: a minute's work for one worker at a slow relay.
BATCH_SIZE = 100
#: Seconds to wait for the relay when EMAIL_TIMEOUT is not set: Django's default is to wait
#: forever, and a worker stuck on a silent relay would be overtaken by the sweep's rescue.
FALLBACK_TIMEOUT = 60


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # failed, tried again later
    FAILED = "failed"  # failed for the last time
    SKIPPED = "skipped"  # not due, already sent, or held by another worker


@dataclass
class SweepCounts:
    rescued: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0

    def add(self, outcome: Outcome) -> None:
        if outcome == Outcome.SENT:
            self.sent += 1
        elif outcome == Outcome.RETRY:
            self.retried += 1
        elif outcome == Outcome.FAILED:
            self.failed += 1
        else:
            self.skipped += 1


def max_attempts() -> int:
    value: int = getattr(settings, "TINHSO_NOTIFICATION_MAX_ATTEMPTS", retry.DEFAULT_MAX_ATTEMPTS)
    return value


# --- Claiming -------------------------------------------------------------------------------


def _claim(notification_id: int, now: dt.datetime) -> Notification | None:
    """Take the row for this worker if it is pending and due; None if it is not ours to send."""
    due = Notification.objects.filter(
        pk=notification_id, status=Status.PENDING, next_attempt_at__lte=now
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            row = due.select_for_update(skip_locked=True).first()
            if row is None:
                return None
            row.status = Status.SENDING
            row.claimed_at = now
            row.save(update_fields=["status", "claimed_at"])
            return row
        # SQLite: no row locks; the UPDATE's own condition decides which writer wins.
        if not due.update(status=Status.SENDING, claimed_at=now):
            return None
        return Notification.objects.get(pk=notification_id)


# --- Sending --------------------------------------------------------------------------------


class _PermanentError(Exception):
    """A failure that trying again cannot mend (a channel not served)."""


def _message_id(row: Notification) -> str:
    # The same id on every attempt: a mail system that got a message twice (a worker died
    # after sending, before recording it) can tell it is one message.
    stamp = int(row.created_at.timestamp())
    return f"<tinhso.notification.{row.pk}.{stamp}@{DNS_NAME}>"


def _connection() -> BaseEmailBackend:
    if getattr(settings, "EMAIL_TIMEOUT", None):
        return get_connection(fail_silently=False)
    return get_connection(fail_silently=False, timeout=FALLBACK_TIMEOUT)


def _send(row: Notification) -> None:
    if row.channel != Channel.EMAIL:
        raise _PermanentError(
            _("Chưa hỗ trợ gửi thông báo qua kênh %(channel)s.")
            % {"channel": row.get_channel_display()}
        )
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        to=[row.recipient],
        connection=_connection(),
        headers={
            "Message-ID": _message_id(row),
            # RFC 3834: a notification, not a person; out-of-office robots should not answer.
            "Auto-Submitted": "auto-generated",
        },
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    message.send(fail_silently=False)


def _is_permanent(exc: Exception) -> bool:
    """Whether the failure would happen again: the relay refused the address for good (5xx)."""
    if isinstance(exc, _PermanentError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        return all(code >= 500 for code, _message in exc.recipients.values())
    return False


def _describe(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, _PermanentError):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --- Recording the outcome ------------------------------------------------------------------


def _record_sent(notification_id: int, now: dt.datetime) -> None:
    # Even if the sweep took the row back meanwhile (a very slow relay), it was sent: say so,
    # rather than send it again.
    Notification.objects.filter(pk=notification_id).exclude(status=Status.SENT).update(
        status=Status.SENT,
        sent_at=now,
        attempts=F("attempts") + 1,
        claimed_at=None,
        last_error="",
    )


def _record_failure(
    notification_id: int,
    *,
    claimed_at: dt.datetime | None,
    error: str,
    now: dt.datetime,
    permanent: bool = False,
) -> Outcome:
    """Count the failed attempt: back to pending after the back-off, or failed for good."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, status=Status.SENDING, claimed_at=claimed_at)
            .first()
        )
        if row is None:
            return Outcome.SKIPPED  # no longer this claim's row (the sweep took it back)
        row.attempts += 1
        row.last_error = error[:LAST_ERROR_MAX]
        row.claimed_at = None
        when = (
            None
            if permanent
            else retry.next_attempt_at(attempts=row.attempts, max_attempts=max_attempts(), now=now)
        )
        if when is not None:
            row.status = Status.PENDING
            row.next_attempt_at = when
            row.save(
                update_fields=["status", "attempts", "last_error", "claimed_at", "next_attempt_at"]
            )
            return Outcome.RETRY
        row.status = Status.FAILED
        row.save(update_fields=["status", "attempts", "last_error", "claimed_at"])
        audit_record(
            actor=SYSTEM_ACTOR,
            action="notifications.notification.failed",
            obj=row,
            agency=row.agency_id,
            changes={
                "status": [Status.SENDING, Status.FAILED],
                "kind": row.kind,
                "attempts": row.attempts,
                "last_error": row.last_error[:500],
            },
        )
    logger.warning(
        "notification %s gave up after %s attempts: %s", row.pk, row.attempts, row.last_error
    )
    return Outcome.FAILED


# --- Entry points ---------------------------------------------------------------------------


def deliver(notification_id: int, *, now: dt.datetime | None = None) -> Outcome:
    """Send one outbox row if it is pending and due and no other worker holds it."""
    moment = now or timezone.now()
    row = _claim(notification_id, moment)
    if row is None:
        return Outcome.SKIPPED
    try:
        _send(row)
    except Exception as exc:  # any failure of the relay or the network is one failed attempt
        logger.info("notification %s: attempt failed: %s", row.pk, exc)
        return _record_failure(
            row.pk,
            claimed_at=row.claimed_at,
            error=_describe(exc),
            now=moment,
            permanent=_is_permanent(exc),
        )
    _record_sent(row.pk, now or timezone.now())
    return Outcome.SENT


def rescue_stuck(*, now: dt.datetime | None = None) -> int:
    """Take back the rows left "sending" by a worker that died; each counts as a failed attempt."""
    moment = now or timezone.now()
    stuck = list(
        Notification.objects.filter(
            status=Status.SENDING, claimed_at__lt=moment - retry.STUCK_AFTER
        ).values_list("pk", "claimed_at")[:BATCH_SIZE]
    )
    error = _(
        "Tiến trình gửi dừng giữa chừng (quá %(minutes)d phút chưa có kết quả); "
        "thư có thể đã đến người nhận."
    ) % {"minutes": int(retry.STUCK_AFTER.total_seconds() // 60)}
    taken = 0
    for pk, claimed_at in stuck:
        outcome = _record_failure(pk, claimed_at=claimed_at, error=error, now=moment)
        taken += outcome != Outcome.SKIPPED
    return taken


def deliver_due(*, now: dt.datetime | None = None, limit: int = BATCH_SIZE) -> SweepCounts:
    """The sweep: take back stuck rows, then send up to `limit` due rows, oldest due first."""
    moment = now or timezone.now()
    counts = SweepCounts(rescued=rescue_stuck(now=moment))
    due = list(
        Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=moment)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        # The clock is read again for each row unless a time was given (tests): a long batch
        # must stamp each claim with the time it was really made.
        counts.add(deliver(pk, now=now))
    return counts
