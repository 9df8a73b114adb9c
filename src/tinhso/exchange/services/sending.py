"""Sending the exchange outbox: claim due rows, build and sign each package, send it with the
row's send id, record the outcome (decision 0005 §4).

A row is claimed in a short transaction of its own by moving `next_attempt_at` forward by a
lease: on PostgreSQL with SKIP LOCKED, so parallel workers take different rows; on SQLite with
a conditional UPDATE only one writer can win. Building, signing and the hub call run outside any
transaction; the outcome is recorded in one transaction with the recipient's state and the
audit row. A worker killed at any point loses nothing: the row stays pending, its lease runs
out, and the next attempt sends it again with the same send id — the hub answers with its
first answer, never a second delivery.

Failures: the hub unreachable (or answering 5xx) is tried again after growing pauses, up to
`TINHSO_EXCHANGE_MAX_ATTEMPTS`, then the row fails; a fault of the hub (wrong address, bad
package, forbidden …), a package that cannot be built or an agency without a seal key fails the
row at once, with the reason shown to the clerk. The hub's `duplicate` for a package it already
holds from this agency means the recipient has it: the row counts as sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.audit.services import audit_record
from tinhso.documents.errors import DocumentConflict
from tinhso.documents.models import ExchangeOutbox, Recipient, RecipientState
from tinhso.documents.services.common import lock_document
from tinhso.exchange import states
from tinhso.exchange.access import may_watch_agency
from tinhso.exchange.client import HubClient, HubFault, HubUnavailable
from tinhso.exchange.envelope import EnvelopeSigners, SealUnavailable
from tinhso.exchange.locks import lock_document_id
from tinhso.exchange.packages import BuildRefused, build_for_sending

logger = logging.getLogger(__name__)

SYSTEM_ACTOR: Final = "system:exchange"
#: A claimed row is left alone this long; a worker that died mid-send gives it up by then.
LEASE: Final = dt.timedelta(minutes=5)
#: The pause after the first failed attempt; it doubles each time, up to `MAX_PAUSE`: a hub
#: restarted at once is reached within seconds, twelve attempts span about three hours.
FIRST_PAUSE: Final = dt.timedelta(seconds=5)
MAX_PAUSE: Final = dt.timedelta(hours=1)
BATCH_SIZE: Final = 20
#: Hub faults that may pass by themselves (the node's clock, a key being rotated).
RETRY_FAULTS: Final = frozenset({"unauthorised", "unavailable", "too_many_requests"})
PENDING = ExchangeOutbox.State.PENDING


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass
class SendReport:
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

    @property
    def taken(self) -> int:
        return self.sent + self.retried + self.failed + self.skipped


def pause_after(attempts: int) -> dt.timedelta:
    """The wait before the next attempt once `attempts` attempts have failed (5 s, 10 s, 20 s
    … at most an hour)."""
    factor = 2 ** max(0, min(attempts - 1, 20))
    pause: dt.timedelta = min(FIRST_PAUSE * factor, MAX_PAUSE)
    return pause


def max_attempts() -> int:
    return max(1, int(settings.TINHSO_EXCHANGE_MAX_ATTEMPTS))


# --- Claiming -------------------------------------------------------------------------------


def _due(now: dt.datetime) -> Q:
    return Q(state=PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def lease_for(limit: int) -> dt.timedelta:
    """Long enough for a whole batch to time out row by row; at least `LEASE`."""
    timeout = int(settings.TINHSO_HUB_TIMEOUT_SECONDS)
    return max(LEASE, dt.timedelta(seconds=timeout * (limit + 1) + 30))


def outbox_claim(*, now: dt.datetime, limit: int = BATCH_SIZE) -> list[int]:
    """Take up to `limit` due rows (oldest first) for this worker for the length of a lease."""
    lease_until = now + lease_for(limit)
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            ids = list(
                ExchangeOutbox.objects.select_for_update(skip_locked=True)
                .filter(_due(now))
                .order_by("created_at", "id")
                .values_list("id", flat=True)[:limit]
            )
            ExchangeOutbox.objects.filter(pk__in=ids).update(next_attempt_at=lease_until)
        return ids
    # SQLite: no row locks; each row's conditional UPDATE decides which writer takes it.
    candidates = list(
        ExchangeOutbox.objects.filter(_due(now))
        .order_by("created_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    return [
        pk
        for pk in candidates
        if ExchangeOutbox.objects.filter(_due(now), pk=pk).update(next_attempt_at=lease_until)
    ]


# --- Sending --------------------------------------------------------------------------------


def outbox_send_batch(
    client: HubClient,
    *,
    now: dt.datetime | None = None,
    limit: int = BATCH_SIZE,
    stop: Callable[[], bool] | None = None,
) -> SendReport:
    """Send the due rows of the outbox (one claim of `limit` rows); the keys of the agencies
    that sign stay open for the whole batch. When `stop()` turns true (the worker was asked to
    end) the rows not yet sent are given back at once rather than at the end of their lease.
    Failure reasons are written in the installation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _outbox_send_batch(client, now=now, limit=limit, stop=stop)


def _outbox_send_batch(
    client: HubClient,
    *,
    now: dt.datetime | None,
    limit: int,
    stop: Callable[[], bool] | None,
) -> SendReport:
    moment = now or timezone.now()
    report = SendReport()
    ids = outbox_claim(now=moment, limit=limit)
    if not ids:
        return report
    with EnvelopeSigners(now=moment) as signers:
        for index, pk in enumerate(ids):
            if stop is not None and stop():
                ExchangeOutbox.objects.filter(pk__in=ids[index:], state=PENDING).update(
                    next_attempt_at=None
                )
                break
            try:
                report.add(_send_one(client, signers, pk, now))
            except Exception:
                # One row's unexpected failure must not hold up the others: its lease runs
                # out and it is tried again; the error is logged with its id.
                logger.exception("exchange.send_failed", extra={"outbox": pk})
                report.add(Outcome.SKIPPED)
    return report


def _send_one(
    client: HubClient, signers: EnvelopeSigners, pk: int, now: dt.datetime | None
) -> Outcome:
    # The recipient for its name and state; the document is read by the package's builder,
    # the columns it needs only.
    row = ExchangeOutbox.objects.select_related("recipient").filter(pk=pk).first()
    if row is None or row.state != PENDING:
        return Outcome.SKIPPED
    moment = now or timezone.now()
    try:
        built = build_for_sending(row)
        signed = signers.sign(built.agency_id, built.data)
        result = client.send(signed, message_type=built.message_type, send_id=str(row.send_id))
    except BuildRefused as exc:
        return _record_failure(row, exc.message, final=True, now=moment)
    except SealUnavailable as exc:
        return _record_failure(row, exc.message, final=not exc.retry, now=moment)
    except HubUnavailable as exc:
        logger.info("exchange.hub_unavailable", extra={"outbox": pk, "error": str(exc)})
        return _record_failure(
            row,
            _("Trục liên thông chưa phản hồi; hệ thống tự gửi lại sau."),
            final=False,
            now=moment,
        )
    except HubFault as exc:
        if exc.code == "duplicate":
            # The hub already holds this package from this agency (the hub checks that the
            # From agency is served by this node): the recipient has it.
            return _record_sent(
                row,
                {"duplicate": True, "fault": exc.code, "message": exc.message},
                now=moment,
            )
        if exc.code in RETRY_FAULTS:
            return _record_failure(row, fault_message(exc), final=False, now=moment)
        return _record_failure(row, fault_message(exc), final=True, now=moment)
    return _record_sent(row, result.as_dict(), now=moment)


def fault_message(exc: HubFault) -> str:
    """What the clerk reads about a fault of the hub (its own message appended)."""
    texts = {
        "wrong_address": _(
            "Sai địa chỉ nơi nhận: mã định danh này không có trên trục liên thông hoặc nơi nhận "
            "chưa kết nối."
        ),
        "bad_package": _("Trục liên thông từ chối vì gói tin không hợp lệ."),
        "forbidden": _(
            "Trục liên thông từ chối: cơ quan gửi không thuộc nút liên thông này hoặc chữ ký gói "
            "tin không phải của cơ quan gửi."
        ),
        "too_large": _("Gói tin vượt quá dung lượng trục liên thông cho phép."),
        "unauthorised": _(
            "Trục liên thông chưa xác thực được nút liên thông (khóa, mã nút hoặc đồng hồ máy "
            "chủ); hệ thống tự gửi lại sau."
        ),
    }
    text = texts.get(
        exc.code, _("Trục liên thông từ chối gói tin (%(code)s).") % {"code": exc.code}
    )
    return f"{text} {exc.message}".strip() if exc.message else text


def _claim_outcome(row: ExchangeOutbox, **changes: Any) -> bool:
    """Record the outcome on the row in one conditional UPDATE, after locking its document
    (the services' lock order: document first, its id only). False when another worker
    finished the row meanwhile, or its document is gone."""
    if row.document_id is not None:
        try:
            lock_document_id(row.document_id)
        except DocumentConflict:
            return False
    return bool(
        ExchangeOutbox.objects.filter(pk=row.pk, state=PENDING, attempts=row.attempts).update(
            **changes
        )
    )


def _record_sent(row: ExchangeOutbox, response: dict[str, Any], *, now: dt.datetime) -> Outcome:
    with transaction.atomic():
        if not _claim_outcome(
            row,
            state=ExchangeOutbox.State.SENT,
            sent_at=now,
            attempts=row.attempts + 1,
            next_attempt_at=None,
            last_error="",
            response=response,
        ):
            return Outcome.SKIPPED
        row.state, row.sent_at, row.attempts = ExchangeOutbox.State.SENT, now, row.attempts + 1
        row.next_attempt_at, row.last_error, row.response = None, "", response
        if row.kind == ExchangeOutbox.Kind.EDOC and row.recipient_id is not None:
            states.advance_row(row.recipient_id, RecipientState.SENT, now)
        audit_record(
            actor=SYSTEM_ACTOR,
            action="exchange.package.send",
            obj=row,
            agency=row.agency_id,
            changes={
                "send_id": str(row.send_id),
                "kind": row.kind,
                "to": row.to_code,
                "business_type": row.business_type,
                "status_code": row.status_code,
                "hub_id": response.get("id"),
                "duplicate": bool(response.get("duplicate")),
            },
        )
    return Outcome.SENT


def _record_failure(row: ExchangeOutbox, message: str, *, final: bool, now: dt.datetime) -> Outcome:
    attempts = row.attempts + 1
    give_up = final or attempts >= max_attempts()
    with transaction.atomic():
        if not _claim_outcome(
            row,
            attempts=attempts,
            last_error=message[:4000],
            state=ExchangeOutbox.State.FAILED if give_up else PENDING,
            next_attempt_at=None if give_up else now + pause_after(attempts),
        ):
            return Outcome.SKIPPED
        row.attempts, row.last_error = attempts, message[:4000]
        if give_up:
            row.state = ExchangeOutbox.State.FAILED
            if row.kind == ExchangeOutbox.Kind.EDOC and row.recipient_id is not None:
                states.advance_row(row.recipient_id, RecipientState.FAILED, now, message)
        audit_record(
            actor=SYSTEM_ACTOR,
            action="exchange.package.fail" if give_up else "exchange.package.retry",
            obj=row,
            agency=row.agency_id,
            changes={
                "send_id": str(row.send_id),
                "to": row.to_code,
                "attempts": attempts,
                "error": row.last_error,
            },
        )
    return Outcome.FAILED if give_up else Outcome.RETRY


# --- The clerk sends a failed package again --------------------------------------------------


def outbox_retry(*, actor: User, outbox_id: int, now: dt.datetime | None = None) -> ExchangeOutbox:
    """A clerk (or administrator) of the sending agency sends a failed package again, once the
    cause is mended (a key registered, an address corrected at the hub). Same send id: if the
    hub got it after all, it answers with its first answer."""
    moment = now or timezone.now()
    who = actor_for(actor)
    with transaction.atomic():
        found = ExchangeOutbox.objects.filter(pk=outbox_id).values_list("document_id", "agency_id")
        first = found.first()
        if first is None or not may_watch_agency(who, first[1]):
            raise PermissionDenied(_("Bạn không theo dõi gói tin liên thông của cơ quan này."))
        if first[0] is not None:
            lock_document(first[0])
        row = ExchangeOutbox.objects.select_for_update(of=("self",)).get(pk=outbox_id)
        if row.state != ExchangeOutbox.State.FAILED:
            raise DocumentConflict(_("Chỉ gửi lại được gói tin gửi lỗi."))
        row.state = PENDING
        row.attempts = 0
        row.next_attempt_at = None
        previous_error, row.last_error = row.last_error, ""
        row.save(update_fields=["state", "attempts", "next_attempt_at", "last_error"])
        if row.kind == ExchangeOutbox.Kind.EDOC and row.recipient_id is not None:
            Recipient.objects.filter(pk=row.recipient_id, state=RecipientState.FAILED).update(
                state=RecipientState.PENDING, state_at=moment, state_reason=""
            )
        audit_record(
            actor=actor,
            action="exchange.package.resend",
            obj=row,
            agency=row.agency_id,
            changes={"send_id": str(row.send_id), "error": previous_error},
        )
    return row


def pending_count(agency_ids: Sequence[int] | None = None) -> int:
    rows = ExchangeOutbox.objects.filter(state=PENDING)
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=agency_ids)
    return rows.count()
