"""The hub's writes: accepting a package, handing deliveries out (pull and push), receipts,
redelivery by an operator, the purge, and the registry.

Store and forward as the national axis and DHX do (decision 0005 §3; anchors.md §2a): a package
for N recipients is stored once with one delivery per recipient; delivery is at least once and
de-duplicated on the send id and on (DocumentId, recipient, business type); retries are finite
(`HUB_MAX_ATTEMPTS`, DHX §7.7); every change of a delivery leaves a `DeliveryEvent` (the
receipts), kept after the body is purged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from cryptography import x509
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso import rowwrite
from tinhso.audit.services import audit_record
from tinhso.exchange import edxml
from tinhso.hub import registry
from tinhso.hub.faults import HubFault
from tinhso.hub.models import (
    LIVE_STATES,
    Delivery,
    DeliveryEvent,
    DeliveryState,
    MessageType,
    Node,
    Organ,
    Package,
    RequestNonce,
    TrustAnchor,
)
from tinhso.hub.registry import NodeEntry

#: The edXML kind of each message type the caller declares.
KIND_OF = {MessageType.EDOC: "document", MessageType.STATUS: "status"}

REASON_MAX = 2000


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _limits() -> edxml.Limits:
    return edxml.Limits(
        max_package_bytes=settings.TINHSO_EDXML_MAX_PACKAGE_BYTES,
        max_attachment_bytes=settings.TINHSO_EDXML_MAX_ATTACHMENT_BYTES,
    )


def _problem_texts(problems: Sequence[edxml.Problem]) -> list[str]:
    return [problem.text for problem in problems]


def _dedup_key(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _unique(values: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)


def _response_for_id(response_for: edxml.ResponseFor) -> str:
    """The DocumentId a status answers; vendors that leave it out give its parts (QCVN 102:
    ``{OrganId},{yyyy/MM/dd},{Number}/{Notation}``)."""
    if response_for.document_id:
        return response_for.document_id
    day = response_for.promulgation_date
    return (
        f"{response_for.organ_id},{day:%Y/%m/%d},{response_for.code}"
        if day
        else (f"{response_for.organ_id},,{response_for.code}")
    )


def _event(
    delivery_id: int,
    *,
    before: str,
    after: str,
    attempt: int,
    actor: str,
    now: dt.datetime,
    note: str = "",
) -> DeliveryEvent:
    return DeliveryEvent(
        delivery_id=delivery_id,
        at=now,
        from_state=before,
        to_state=after,
        attempt=attempt,
        actor=actor[:200],
        note=note[:REASON_MAX],
    )


# --- Sending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    status: int  # 201 created, 200 the first answer again
    answer: dict[str, Any]


@dataclass(frozen=True)
class _Accepted:
    message_type: str
    document_id: str
    from_organ: str
    business_code: str
    subject: str
    dedup_key: str
    recipients: list[registry.OrganEntry]


#: Every send asks it first (a retry gets the first answer without another check).
_FIRST_ANSWER = "SELECT id, sender_node_id, answer FROM hub_package WHERE send_id = %s"


def _first_answer(send_id: uuid.UUID, node: NodeEntry) -> SendResult | None:
    send_field = Package._meta.get_field("send_id")
    rows = rowwrite.execute_prepared(
        _FIRST_ANSWER, [send_field.get_db_prep_value(send_id, connection)]
    )
    if not rows:
        return None
    package_id, sender_node_id, stored = rows[0]
    if sender_node_id != node.id:
        raise HubFault(
            "duplicate",
            _("Mã lần gửi này đã được một nút khác dùng."),
            [str(send_id)],
        )
    if isinstance(stored, str | bytes):  # SQLite keeps JSON as text
        stored = json.loads(stored)
    # jsonb keeps no key order: the answer is given again in the order of the first one.
    return SendResult(
        200,
        {
            "id": package_id,
            "send_id": stored["send_id"],
            "document_id": stored["document_id"],
            "message_type": stored["message_type"],
            "recipients": [
                {"organ_id": r["organ_id"], "node": r["node"], "state": r["state"]}
                for r in stored["recipients"]
            ],
        },
    )


def _check_package(
    body: bytes, *, message_type: str, node: NodeEntry, now: dt.datetime
) -> _Accepted:
    """The entry checks (decision 0005 §3; DHX §8.3, §8.6), in the order of the contract."""
    try:
        parsed = edxml.parse(body, limits=_limits())
    except edxml.EdxmlRefused as refused:
        code = "too_large" if refused.code == "too_large" else "bad_package"
        details = [refused.code, refused.detail] if refused.detail else [refused.code]
        raise HubFault(code, edxml.translate(refused.message), details) from None
    if parsed.kind != KIND_OF[MessageType(message_type)]:
        raise HubFault(
            "bad_package",
            _("Loại gói tin khai báo (%(declared)s) khác với nội dung gói tin (%(kind)s).")
            % {"declared": message_type, "kind": parsed.kind},
        )
    snapshot = registry.current()
    agency_code: str | None = None
    if parsed.signature_present:
        check = edxml.verify(
            body,
            trust_roots=snapshot.trust_roots,
            at=now,
            accept_sha1=settings.TINHSO_EDXML_ACCEPT_SHA1,
        )
        if not check.valid:
            raise HubFault(
                "bad_package",
                _("Chữ ký số của gói tin không hợp lệ."),
                _problem_texts(check.reasons),
            )
        agency_code = check.agency_code
    elif settings.HUB_REQUIRE_SIGNATURE:
        raise HubFault("bad_package", _("Gói tin không có chữ ký số của cơ quan gửi."))

    package = parsed.package
    from_organ = package.sender.organ_id
    served = snapshot.organs.get(from_organ)
    if served is None or served.node_id != node.id:
        raise HubFault(
            "forbidden",
            _("Cơ quan gửi %(organ)s không do nút %(node)s phục vụ.")
            % {"organ": from_organ, "node": node.code},
            [from_organ],
        )
    if agency_code and agency_code != from_organ:
        raise HubFault(
            "forbidden",
            _("Chữ ký số là của cơ quan %(signer)s, không phải của cơ quan gửi %(organ)s.")
            % {"signer": agency_code, "organ": from_organ},
            [agency_code],
        )

    if isinstance(package, edxml.StatusPackage):
        organ_ids = _unique([organ.organ_id for organ in package.recipients]) or _unique(
            [package.response_for.organ_id]
        )
        document_id = _response_for_id(package.response_for)
        timestamp = package.timestamp.isoformat() if package.timestamp else ""
        business_code = package.status_code
        # Several recipients answer one document with the same code, often within the same
        # second: the answering agency is part of what makes a status package the same one.
        dedup = _dedup_key("status", from_organ, document_id, package.status_code, timestamp)
        subject = package.description
    else:
        organ_ids = _unique([organ.organ_id for organ in package.recipients])
        document_id = package.document_id or edxml.document_id(
            from_organ, package.promulgation_date, package.code_number, package.code_notation
        )
        business_code = str(package.business.business_type)
        dedup = _dedup_key("edoc", document_id, business_code)
        subject = package.subject
    if not organ_ids:
        raise HubFault("bad_package", _("Gói tin không có cơ quan nhận."))
    unknown = [organ_id for organ_id in organ_ids if organ_id not in snapshot.organs]
    if unknown:
        raise HubFault(
            "wrong_address",
            _("Không có trong danh bạ liên thông: %(organs)s.") % {"organs": ", ".join(unknown)},
            unknown,
        )
    return _Accepted(
        message_type=message_type,
        document_id=document_id[:500],
        from_organ=from_organ,
        business_code=business_code[:8],
        subject=subject[:500],
        dedup_key=dedup,
        recipients=[snapshot.organs[organ_id] for organ_id in organ_ids],
    )


def package_send(
    *,
    node: NodeEntry,
    body: bytes,
    message_type: str,
    send_id: uuid.UUID,
    now: dt.datetime | None = None,
) -> SendResult:
    """Accept a package from `node`: check it, store it once, one delivery per recipient.

    A re-send with the same send id gets the first answer and writes nothing, also when two
    identical sends race (the unique send id decides). The same (DocumentId, recipient, business
    type) under another send id while a delivery of it is live is a ``duplicate`` fault.
    """
    moment = _now(now)
    if message_type not in MessageType.values:
        raise HubFault(
            "bad_request",
            _("Tiêu đề X-Tinhso-Message-Type phải là edoc hoặc status."),
            [message_type[:40]],
        )
    first = _first_answer(send_id, node)
    if first is not None:
        return first
    accepted = _check_package(body, message_type=message_type, node=node, now=moment)
    answer: dict[str, Any] = {
        "send_id": str(send_id),
        "document_id": accepted.document_id,
        "message_type": message_type,
        "recipients": [
            {"organ_id": organ.organ_id, "node": organ.node_code, "state": DeliveryState.PENDING}
            for organ in accepted.recipients
        ],
    }
    snapshot = registry.current()
    try:
        with transaction.atomic():
            package = Package(
                send_id=send_id,
                sender_node_id=node.id,
                message_type=message_type,
                document_id=accepted.document_id,
                from_organ=accepted.from_organ,
                business_code=accepted.business_code,
                subject=accepted.subject,
                size=len(body),
                sha256=hashlib.sha256(body).hexdigest(),
                body=body,
                answer=answer,
                created_at=moment,
            )
            # The body goes to PostgreSQL as a binary parameter of a prepared statement (the
            # ORM would write it as a hexadecimal literal twice its size, parsed each time).
            rowwrite.insert_rows([package])
            deliveries = [
                Delivery(
                    package_id=package.id,
                    organ_id=organ.organ_id,
                    node_id=organ.node_id,
                    sender_node_id=node.id,
                    dedup_key=accepted.dedup_key,
                    next_push_at=moment if snapshot.nodes_by_id[organ.node_id].push_url else None,
                    created_at=moment,
                    updated_at=moment,
                )
                for organ in accepted.recipients
            ]
            # In a fixed order: two sends racing on the same rows wait, they do not deadlock.
            deliveries.sort(key=lambda delivery: delivery.organ_id)
            rowwrite.insert_rows(deliveries)
            rowwrite.insert_rows(
                [
                    _event(
                        delivery.id,
                        before="",
                        after=DeliveryState.PENDING,
                        attempt=0,
                        actor=node.code,
                        now=moment,
                        note=accepted.from_organ,
                    )
                    for delivery in deliveries
                ]
            )
    except IntegrityError:
        first = _first_answer(send_id, node)
        if first is not None:
            return first
        already = list(
            Delivery.objects.filter(
                dedup_key=accepted.dedup_key,
                organ_id__in=[organ.organ_id for organ in accepted.recipients],
                state__in=LIVE_STATES,
            )
            .order_by("organ_id")
            .values_list("organ_id", flat=True)
            .distinct()
        )
        raise HubFault(
            "duplicate",
            _("Gói tin này đã được gửi đến %(organs)s với một mã lần gửi khác.")
            % {"organs": ", ".join(already) or "?"},
            already,
        ) from None
    return SendResult(201, {"id": package.id, **answer})


# --- Pulling --------------------------------------------------------------------------------

#: What the state machine reads and `_move` writes: never a deferred field loaded one by one.
_DELIVERY_FIELDS = (
    "id",
    "package_id",
    "node_id",
    "organ_id",
    "state",
    "attempts",
    "lease_until",
    "next_push_at",
    "reason",
)


def _locked_delivery(node: NodeEntry, delivery_id: int) -> Delivery:
    """The delivery to `node` with its package's body, the delivery row locked (skipped when
    another puller holds it → ``not_available``): one round trip for the pull."""
    rows = (
        Delivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("package")
        .filter(id=delivery_id, node_id=node.id)
        .only(*_DELIVERY_FIELDS, "package__id", "package__body")
    )
    delivery = rows.first()
    if delivery is not None:
        return delivery
    if Delivery.objects.filter(id=delivery_id, node_id=node.id).exists():
        raise _being_fetched()
    raise HubFault("not_found", _("Không có gói tin này trong hộp thư của nút."), [delivery_id])


def _being_fetched() -> HubFault:
    return HubFault(
        "not_available",
        _("Gói tin đang được nhận ở một kết nối khác; hãy thử lại sau khi hết thời hạn giữ."),
        [DeliveryState.FETCHED],
    )


@dataclass(frozen=True)
class Fetched:
    delivery_id: int
    package_id: int
    body: bytes
    attempts: int
    lease_until: dt.datetime


def delivery_fetch(*, node: NodeEntry, delivery_id: int, now: dt.datetime | None = None) -> Fetched:
    """Hand a delivery's package to its node and lease it for `HUB_LEASE_SECONDS`.

    Counts an attempt; past `HUB_MAX_ATTEMPTS` fetches without an acknowledgement the delivery
    is dead (the operator may redeliver it). A delivery leased to another puller of the node
    is not handed out again inside its lease.
    """
    moment = _now(now)
    dead = False
    with transaction.atomic():
        delivery = _locked_delivery(node, delivery_id)
        state = delivery.state
        leased = state == DeliveryState.FETCHED and (
            delivery.lease_until is not None and delivery.lease_until > moment
        )
        if leased:
            raise _being_fetched()
        if state not in (DeliveryState.PENDING, DeliveryState.FETCHED):
            raise HubFault(
                "not_available",
                _("Gói tin không còn chờ nhận (trạng thái: %(state)s).")
                % {"state": DeliveryState(state).label},
                [state],
            )
        if delivery.attempts >= settings.HUB_MAX_ATTEMPTS:
            delivery.reason = _("Quá số lần nhận mà không có xác nhận.")
            _move(delivery, DeliveryState.DEAD, actor="hub", now=moment, note=delivery.reason)
            dead = True
        else:
            delivery.attempts += 1
            delivery.lease_until = moment + dt.timedelta(seconds=settings.HUB_LEASE_SECONDS)
            _move(delivery, DeliveryState.FETCHED, actor=node.code, now=moment)
    if dead:
        raise HubFault(
            "not_available",
            _("Gói tin đã quá số lần nhận và được chuyển cho người vận hành xử lý."),
            [DeliveryState.DEAD],
        )
    assert delivery.lease_until is not None
    return Fetched(
        delivery_id=delivery.id,
        package_id=delivery.package_id,
        body=bytes(delivery.package.body),
        attempts=delivery.attempts,
        lease_until=delivery.lease_until,
    )


def _move(delivery: Delivery, state: str, *, actor: str, now: dt.datetime, note: str = "") -> None:
    """Change a locked delivery's state, with its receipt."""
    before = delivery.state
    delivery.state = state
    if state != DeliveryState.FETCHED:
        delivery.lease_until = None
    if state in (DeliveryState.DONE, DeliveryState.FAILED, DeliveryState.DEAD):
        delivery.next_push_at = None
    delivery.updated_at = now
    Delivery.objects.filter(id=delivery.id).update(
        state=delivery.state,
        attempts=delivery.attempts,
        lease_until=delivery.lease_until,
        next_push_at=delivery.next_push_at,
        reason=delivery.reason,
        updated_at=now,
    )
    _event(
        delivery.id,
        before=before,
        after=state,
        attempt=delivery.attempts,
        actor=actor,
        now=now,
        note=note,
    ).save(force_insert=True)


@dataclass(frozen=True)
class Acknowledged:
    delivery_id: int
    state: str


def delivery_ack(
    *,
    node: NodeEntry,
    delivery_id: int,
    status: Literal["done", "fail"],
    reason: str = "",
    now: dt.datetime | None = None,
) -> Acknowledged:
    """The receiving node says it took the package (done) or refused it (fail, with a reason).

    Idempotent: the same acknowledgement again changes nothing. A late acknowledgement of a
    delivery the hub gave up on (dead) still counts: the node did receive it.
    """
    moment = _now(now)
    reason = reason.strip()
    if status == "fail" and not reason:
        raise HubFault("bad_request", _("Từ chối nhận gói tin cần có lý do."), ["reason"])
    target = DeliveryState.DONE if status == "done" else DeliveryState.FAILED
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .filter(id=delivery_id, node_id=node.id)
            .only(*_DELIVERY_FIELDS)
            .first()
        )
        if delivery is None:
            raise HubFault(
                "not_found", _("Không có gói tin này trong hộp thư của nút."), [delivery_id]
            )
        if delivery.state == target:
            return Acknowledged(delivery.id, delivery.state)
        if delivery.state in (DeliveryState.DONE, DeliveryState.FAILED):
            raise HubFault(
                "not_available",
                _("Gói tin đã được xác nhận trước đó với trạng thái %(state)s.")
                % {"state": DeliveryState(delivery.state).label},
                [delivery.state],
            )
        delivery.reason = reason[:REASON_MAX] if target == DeliveryState.FAILED else ""
        _move(delivery, target, actor=node.code, now=moment, note=delivery.reason)
    return Acknowledged(delivery.id, delivery.state)


# --- Batches (decision 0005 §5) ---------------------------------------------------------------

#: At most this many deliveries per take, and acknowledgements per batch (decision 0005 §5).
TAKE_MAX = 100
ACK_MAX = 500


def take_max_bytes() -> int:
    """The bodies one take hands out together, at most (one package always goes out)."""
    return int(getattr(settings, "HUB_TAKE_MAX_BYTES", 32 * 1024 * 1024))


@dataclass(frozen=True)
class Taken:
    delivery_id: int
    package_id: int
    message_type: str
    from_organ: str
    organ_id: str
    document_id: str
    send_id: str
    created_at: dt.datetime
    attempts: int
    lease_until: dt.datetime
    body: bytes


_TAKE_SQL = (
    "SELECT d.id, d.state, d.attempts, d.package_id, d.organ_id, d.created_at, p.size "
    "FROM hub_delivery d JOIN hub_package p ON p.id = d.package_id "
    "WHERE d.node_id = %s AND (d.state = 'pending' OR (d.state = 'fetched' "
    "AND d.lease_until < %s AND d.attempts < %s)){type} ORDER BY d.id LIMIT %s{lock}"
)


def _take_candidates(of_type: bool) -> str:
    """The available deliveries of a node (of one message type or any), oldest first, locked
    and skipping those another take holds (PostgreSQL; SQLite writes one at a time)."""
    lock = " FOR UPDATE OF d SKIP LOCKED" if connection.vendor == "postgresql" else ""
    return _TAKE_SQL.format(type=" AND p.message_type = %s" if of_type else "", lock=lock)


def deliveries_take(
    *,
    node: NodeEntry,
    message_type: str = "",
    limit: int = TAKE_MAX,
    now: dt.datetime | None = None,
) -> list[Taken]:
    """Lease the available deliveries of `node`, oldest first, each as `delivery_fetch` does.

    Available as in the inbox: pending, or fetched with a lease run out and attempts left.
    Rows another puller holds are skipped, so two takes never hand out one delivery twice.
    One transaction of four statements: the locked rows, their bodies, one update, the receipts.
    """
    moment = _now(now)
    limit = max(1, min(int(limit), TAKE_MAX))
    lease_until = moment + dt.timedelta(seconds=settings.HUB_LEASE_SECONDS)
    budget = take_max_bytes()
    max_attempts = int(settings.HUB_MAX_ATTEMPTS)
    with transaction.atomic():
        candidates = rowwrite.execute_prepared(
            _take_candidates(bool(message_type)),
            [
                node.id,
                rowwrite.time_param(moment),
                max_attempts,
                *([message_type] if message_type else []),
                limit,
            ],
        )
        chosen: list[tuple[int, str, int, int, str, dt.datetime]] = []
        total = 0
        for delivery_id, state, attempts, package_id, organ_id, created_at, size in candidates:
            if attempts >= max_attempts:
                # Left to the worker's lease expiry, which parks it as dead with its receipt.
                continue
            if chosen and total + size > budget:
                break
            total += size
            chosen.append((delivery_id, state, attempts, package_id, organ_id, created_at))
        if not chosen:
            return []
        ids = [row[0] for row in chosen]
        where, params = rowwrite.any_of("id", sorted({row[3] for row in chosen}))
        packages = {
            row[0]: row
            for row in rowwrite.execute_prepared(
                "SELECT id, message_type, from_organ, document_id, send_id, body "  # noqa: S608
                f"FROM hub_package WHERE {where}",
                params,
                binary=True,
            )
        }
        where, params = rowwrite.any_of("id", ids)
        rowwrite.execute_prepared(
            "UPDATE hub_delivery SET state = %s, attempts = attempts + 1, "  # noqa: S608
            f"lease_until = %s, updated_at = %s WHERE {where}",
            [
                DeliveryState.FETCHED.value,
                rowwrite.time_param(lease_until),
                rowwrite.time_param(moment),
                *params,
            ],
        )
        rowwrite.insert_rows(
            [
                _event(
                    delivery_id,
                    before=state,
                    after=DeliveryState.FETCHED,
                    attempt=attempts + 1,
                    actor=node.code,
                    now=moment,
                )
                for delivery_id, state, attempts, _package, _organ, _created in chosen
            ]
        )
    taken: list[Taken] = []
    for delivery_id, _state, attempts, package_id, organ_id, created_at in chosen:
        _id, kind, from_organ, document_id, send_id, body = packages[package_id]
        taken.append(
            Taken(
                delivery_id=delivery_id,
                package_id=package_id,
                message_type=kind,
                from_organ=from_organ,
                organ_id=organ_id,
                document_id=document_id,
                send_id=str(uuid.UUID(str(send_id))),  # SQLite keeps it as 32 hex digits
                created_at=rowwrite.read_time(created_at),
                attempts=attempts + 1,
                lease_until=lease_until,
                body=bytes(body),
            )
        )
    return taken


@dataclass(frozen=True)
class AckRequest:
    delivery_id: int
    status: str  # "done" or "fail"; anything else is refused for that item
    reason: str = ""


def deliveries_ack(
    *, node: NodeEntry, items: Sequence[AckRequest], now: dt.datetime | None = None
) -> list[Acknowledged | HubFault]:
    """Acknowledge many deliveries of `node` in one transaction, each as `delivery_ack` does.

    The answer has one entry per item, in order: its new state, or the fault that item alone
    would have got (an unknown or foreign id, a contradicting acknowledgement, a refusal
    without a reason). Items are applied in order, so an id given twice is judged against its
    state after the first.
    """
    moment = _now(now)
    if len(items) > ACK_MAX:
        raise HubFault(
            "bad_request",
            _("Mỗi lần xác nhận tối đa %(max)s gói tin.") % {"max": ACK_MAX},
            [ACK_MAX],
        )
    answers: list[Acknowledged | HubFault] = []
    with transaction.atomic():
        ids = sorted({item.delivery_id for item in items})
        # Locked in the order of their ids: two batches over the same rows wait, never deadlock.
        where, params = rowwrite.any_of("id", ids)
        lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
        current: dict[int, tuple[str, int, str]] = {
            delivery_id: (state, attempts, reason)
            for delivery_id, state, attempts, reason in rowwrite.execute_prepared(
                "SELECT id, state, attempts, reason FROM hub_delivery "  # noqa: S608
                f"WHERE {where} AND node_id = %s ORDER BY id{lock}",
                [*params, node.id],
            )
        }
        before: dict[int, str] = {delivery_id: row[0] for delivery_id, row in current.items()}
        events: list[DeliveryEvent] = []
        for item in items:
            reason = item.reason.strip()
            if item.status not in ("done", "fail"):
                answers.append(
                    HubFault(
                        "bad_request",
                        _('Trường status phải là "done" hoặc "fail"; reason là chuỗi ký tự.'),
                        ["status"],
                    )
                )
                continue
            if item.status == "fail" and not reason:
                answers.append(
                    HubFault("bad_request", _("Từ chối nhận gói tin cần có lý do."), ["reason"])
                )
                continue
            row = current.get(item.delivery_id)
            if row is None:
                answers.append(
                    HubFault(
                        "not_found",
                        _("Không có gói tin này trong hộp thư của nút."),
                        [item.delivery_id],
                    )
                )
                continue
            state, attempts, _old_reason = row
            target = DeliveryState.DONE if item.status == "done" else DeliveryState.FAILED
            if state == target:
                answers.append(Acknowledged(item.delivery_id, state))
                continue
            if state in (DeliveryState.DONE, DeliveryState.FAILED):
                answers.append(
                    HubFault(
                        "not_available",
                        _("Gói tin đã được xác nhận trước đó với trạng thái %(state)s.")
                        % {"state": DeliveryState(state).label},
                        [state],
                    )
                )
                continue
            note = reason[:REASON_MAX] if target == DeliveryState.FAILED else ""
            current[item.delivery_id] = (target, attempts, note)
            events.append(
                _event(
                    item.delivery_id,
                    before=state,
                    after=target,
                    attempt=attempts,
                    actor=node.code,
                    now=moment,
                    note=note,
                )
            )
            answers.append(Acknowledged(item.delivery_id, target))
        # One update per (state, reason): a batch of "done" is one statement.
        groups: dict[tuple[str, str], list[int]] = {}
        for delivery_id, (state, _attempts, reason) in current.items():
            if state != before[delivery_id]:
                groups.setdefault((state, reason), []).append(delivery_id)
        for (state, reason), group in groups.items():
            where, params = rowwrite.any_of("id", group)
            rowwrite.execute_prepared(
                "UPDATE hub_delivery SET state = %s, reason = %s, lease_until = NULL, "  # noqa: S608
                f"next_push_at = NULL, updated_at = %s WHERE {where}",
                [str(state), reason, rowwrite.time_param(moment), *params],
            )
        if events:
            rowwrite.insert_rows(events)
    return answers


# --- Pushing, leases, purge (the worker) ------------------------------------------------------


@dataclass(frozen=True)
class PushJob:
    delivery_id: int
    package_id: int
    node_code: str
    url: str
    organ_id: str
    attempts: int
    message_type: str
    send_id: str
    from_organ: str
    document_id: str


def backoff_seconds(attempts: int) -> int:
    """The pause after the `attempts`-th failed push (the last step repeats)."""
    steps = [int(value) for value in settings.HUB_PUSH_BACKOFF_SECONDS] or [60]
    return steps[min(max(attempts, 1), len(steps)) - 1]


def pushes_claim(*, now: dt.datetime | None = None, limit: int = 20) -> list[PushJob]:
    """Take pending deliveries due for a push: each is leased (an attempt) while it is pushed.

    A worker that dies mid-push leaves the lease to run out; the delivery is then pending again.
    """
    moment = _now(now)
    snapshot = registry.current()
    jobs: list[tuple[Delivery, NodeEntry]] = []
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(state=DeliveryState.PENDING, next_push_at__lte=moment)
            .order_by("next_push_at", "id")
            .only(*_DELIVERY_FIELDS)[:limit]
        )
        for delivery in rows:
            node = snapshot.nodes_by_id.get(delivery.node_id)
            if node is None or not node.enabled or not node.push_url:
                # The node stopped taking pushes: it pulls this one.
                Delivery.objects.filter(id=delivery.id).update(next_push_at=None)
                continue
            if delivery.attempts >= settings.HUB_MAX_ATTEMPTS:
                delivery.reason = _("Quá số lần đẩy mà không thành công.")
                _move(delivery, DeliveryState.DEAD, actor="hub", now=moment, note=delivery.reason)
                continue
            delivery.attempts += 1
            delivery.lease_until = moment + dt.timedelta(seconds=settings.HUB_LEASE_SECONDS)
            _move(delivery, DeliveryState.FETCHED, actor="hub", now=moment, note=node.push_url)
            jobs.append((delivery, node))
    if not jobs:
        return []
    packages = {
        row["id"]: row
        for row in Package.objects.filter(id__in={d.package_id for d, _node in jobs}).values(
            "id", "message_type", "send_id", "from_organ", "document_id"
        )
    }
    return [
        PushJob(
            delivery_id=delivery.id,
            package_id=delivery.package_id,
            node_code=node.code,
            url=node.push_url,
            organ_id=delivery.organ_id,
            attempts=delivery.attempts,
            message_type=packages[delivery.package_id]["message_type"],
            send_id=str(packages[delivery.package_id]["send_id"]),
            from_organ=packages[delivery.package_id]["from_organ"],
            document_id=packages[delivery.package_id]["document_id"],
        )
        for delivery, node in jobs
    ]


def package_body(package_id: int) -> bytes:
    """The stored bytes of one package (one at a time: the worker never holds two)."""
    return bytes(Package.objects.filter(id=package_id).values_list("body", flat=True)[0])


def push_result(
    *, job: PushJob, delivered: bool, note: str = "", now: dt.datetime | None = None
) -> str:
    """Record how a push went: 2xx → done; otherwise pending again after a back-off, or dead
    past `HUB_MAX_ATTEMPTS`. Returns the delivery's state (unchanged if it moved meanwhile,
    e.g. the node pulled and acknowledged it)."""
    moment = _now(now)
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .filter(id=job.delivery_id)
            .only(*_DELIVERY_FIELDS)
            .first()
        )
        if delivery is None:
            return ""
        if delivery.state != DeliveryState.FETCHED or delivery.attempts != job.attempts:
            return delivery.state
        if delivered:
            delivery.reason = ""
            _move(delivery, DeliveryState.DONE, actor="hub", now=moment, note=note)
        elif delivery.attempts >= settings.HUB_MAX_ATTEMPTS:
            delivery.reason = (_("Quá số lần đẩy mà không thành công.") + " " + note).strip()
            _move(delivery, DeliveryState.DEAD, actor="hub", now=moment, note=note)
        else:
            delivery.next_push_at = moment + dt.timedelta(
                seconds=backoff_seconds(delivery.attempts)
            )
            _move(delivery, DeliveryState.PENDING, actor="hub", now=moment, note=note)
        return delivery.state


@dataclass
class ExpiryCounts:
    returned: int = 0
    dead: int = 0


def leases_expire(*, now: dt.datetime | None = None, limit: int = 500) -> ExpiryCounts:
    """Deliveries fetched (or being pushed) whose lease ran out without an acknowledgement
    are pending again, or dead past `HUB_MAX_ATTEMPTS`."""
    moment = _now(now)
    counts = ExpiryCounts()
    snapshot = registry.current()
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(state=DeliveryState.FETCHED, lease_until__lt=moment)
            .order_by("lease_until", "id")
            .only(*_DELIVERY_FIELDS)[:limit]
        )
        for delivery in rows:
            if delivery.attempts >= settings.HUB_MAX_ATTEMPTS:
                delivery.reason = _("Quá số lần nhận mà không có xác nhận.")
                _move(delivery, DeliveryState.DEAD, actor="hub", now=moment, note=delivery.reason)
                counts.dead += 1
                continue
            node = snapshot.nodes_by_id.get(delivery.node_id)
            if node is not None and node.push_url and delivery.next_push_at is None:
                delivery.next_push_at = moment
            _move(
                delivery,
                DeliveryState.PENDING,
                actor="hub",
                now=moment,
                note=_("Hết thời hạn giữ mà chưa có xác nhận."),
            )
            counts.returned += 1
    return counts


@dataclass
class PurgeCounts:
    packages: int = 0
    nonces: int = 0


def packages_purge(
    *, now: dt.datetime | None = None, days: int | None = None, batch: int = 500
) -> PurgeCounts:
    """Empty the bodies of packages all of whose deliveries are finished and unchanged for
    `HUB_PURGE_DAYS`; their metadata and receipts stay. Also forget nonces too old to replay."""
    moment = _now(now)
    keep_days = settings.HUB_PURGE_DAYS if days is None else days
    cutoff = moment - dt.timedelta(days=keep_days)
    counts = PurgeCounts()
    open_states = [DeliveryState.PENDING, DeliveryState.FETCHED]
    candidates = (
        Package.objects.filter(purged_at__isnull=True, created_at__lt=cutoff)
        .exclude(deliveries__state__in=open_states)
        .exclude(deliveries__updated_at__gte=cutoff)
    )
    while True:
        with transaction.atomic():
            # A redelivery holds the package's row while it checks that the body is there:
            # such a package is skipped now and looked at again by the next purge.
            ids = list(
                candidates.select_for_update(skip_locked=True, of=("self",))
                .order_by("id")
                .values_list("id", flat=True)[:batch]
            )
            if ids:
                counts.packages += Package.objects.filter(id__in=ids).update(
                    body=b"", purged_at=moment
                )
        if len(ids) < batch:
            break
    horizon = moment - dt.timedelta(seconds=2 * settings.HUB_CLOCK_SKEW_SECONDS)
    counts.nonces, _rows = RequestNonce.objects.filter(seen_at__lt=horizon).delete()
    return counts


# --- The operator -----------------------------------------------------------------------------


def delivery_redeliver(*, actor: Any, delivery_id: int, now: dt.datetime | None = None) -> Delivery:
    """Offer a failed or dead delivery again (pending, attempts from zero), audited."""
    moment = _now(now)
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .filter(id=delivery_id)
            .only(*_DELIVERY_FIELDS)
            .first()
        )
        if delivery is None:
            raise HubFault("not_found", _("Không có lượt chuyển này."), [delivery_id])
        before = delivery.state
        if before not in (DeliveryState.FAILED, DeliveryState.DEAD):
            raise HubFault(
                "not_available",
                _("Chỉ chuyển lại được lượt chuyển bị từ chối hoặc đã ngừng gửi."),
                [before],
            )
        # The package's row is held until the commit, so the purge cannot empty it meanwhile.
        purged = (
            Package.objects.select_for_update()
            .filter(id=delivery.package_id)
            .values_list("purged_at", flat=True)[0]
        )
        if purged is not None:
            raise HubFault(
                "not_available",
                _("Nội dung gói tin đã được xóa theo thời hạn lưu; không thể chuyển lại."),
                ["purged"],
            )
        node = registry.current().nodes_by_id.get(delivery.node_id)
        previous_reason = delivery.reason
        delivery.attempts = 0
        delivery.reason = ""
        delivery.next_push_at = moment if node is not None and node.push_url else None
        username = getattr(actor, "username", "") or str(actor)
        try:
            with transaction.atomic():
                _move(
                    delivery,
                    DeliveryState.PENDING,
                    actor=f"operator:{username}",
                    now=moment,
                    note=previous_reason,
                )
        except IntegrityError:
            raise HubFault(
                "duplicate",
                _("Cơ quan nhận đã có một lượt chuyển khác của cùng văn bản đang hiệu lực."),
                [delivery.organ_id],
            ) from None
        audit_record(
            actor=actor,
            action="hub.delivery.redeliver",
            obj=delivery,
            object_repr=f"{delivery.organ_id} ← {delivery.package_id}",
            changes={"state": [before, DeliveryState.PENDING], "reason": [previous_reason, ""]},
        )
    return delivery


# --- The registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Registered:
    obj: Any
    created: bool


def _certificate(pem: bytes | str) -> tuple[str, Any]:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        certificate = x509.load_pem_x509_certificate(data)
    except ValueError:
        raise HubFault("bad_request", _("Tệp không phải chứng thư số dạng PEM.")) from None
    return data.decode("ascii").strip() + "\n", certificate


def node_register(
    *,
    actor: Any,
    code: str,
    name: str,
    certificate_pem: bytes | str,
    push_url: str = "",
    enabled: bool = True,
    now: dt.datetime | None = None,
) -> Registered:
    """Register a node (or replace its name, certificate, push address), audited."""
    moment = _now(now)
    if (
        not code
        or code == "hub"
        or len(code) > 64
        or not code.replace("-", "").replace("_", "").isalnum()
    ):
        raise HubFault(
            "bad_request",
            _("Mã nút chỉ gồm chữ, số, gạch ngang, gạch dưới và không được là 'hub'."),
            [code],
        )
    if push_url and urlsplit(push_url).scheme not in ("http", "https"):
        raise HubFault("bad_request", _("Địa chỉ nhận đẩy phải là http hoặc https."), [push_url])
    text, certificate = _certificate(certificate_pem)
    fingerprint = registry.fingerprint_of(certificate)
    with transaction.atomic():
        node = Node.objects.select_for_update().filter(code=code).first()
        created = node is None
        before = (
            {}
            if node is None
            else {
                "name": node.name,
                "fingerprint": node.fingerprint,
                "push_url": node.push_url,
                "enabled": node.enabled,
            }
        )
        if node is None:
            node = Node(code=code, created_at=moment)
        node.name = name
        node.certificate_pem = text
        node.fingerprint = fingerprint
        node.push_url = push_url
        node.enabled = enabled
        node.updated_at = moment
        try:
            with transaction.atomic():
                node.save()
        except IntegrityError:
            raise HubFault(
                "duplicate", _("Chứng thư số này đã được đăng ký cho một nút khác."), [fingerprint]
            ) from None
        if push_url and enabled:
            # Deliveries waiting for a node that now takes pushes are pushed from now on.
            Delivery.objects.filter(
                node_id=node.id, state=DeliveryState.PENDING, next_push_at__isnull=True
            ).update(next_push_at=moment)
        after = {"name": name, "fingerprint": fingerprint, "push_url": push_url, "enabled": enabled}
        audit_record(
            actor=actor,
            action="hub.node.create" if created else "hub.node.update",
            obj=node,
            changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
        )
        registry.invalidate()
        transaction.on_commit(registry.invalidate)
    return Registered(node, created)


def organ_register(
    *, actor: Any, node_code: str, organ_id: str, name: str, now: dt.datetime | None = None
) -> Registered:
    """Record that `node_code` serves the agency `organ_id` (moving it from another node)."""
    moment = _now(now)
    organ_id = organ_id.strip()
    if not organ_id or len(organ_id) > 64:
        raise HubFault("bad_request", _("Mã định danh cơ quan không hợp lệ."), [organ_id])
    with transaction.atomic():
        node = Node.objects.filter(code=node_code).first()
        if node is None:
            raise HubFault("not_found", _("Không có nút %(code)s.") % {"code": node_code})
        organ = Organ.objects.select_for_update().filter(organ_id=organ_id).first()
        created = organ is None
        before = {} if organ is None else {"name": organ.name, "node": organ.node_id}
        if organ is None:
            organ = Organ(organ_id=organ_id, created_at=moment)
        organ.name = name.strip() or organ.name
        organ.node = node
        organ.updated_at = moment
        organ.save()
        after = {"name": organ.name, "node": node.id}
        audit_record(
            actor=actor,
            action="hub.organ.create" if created else "hub.organ.update",
            obj=organ,
            changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
        )
        registry.invalidate()
        transaction.on_commit(registry.invalidate)
    return Registered(organ, created)


def trust_anchor_add(
    *, actor: Any, certificate_pem: bytes | str, name: str = "", now: dt.datetime | None = None
) -> Registered:
    """Trust a root for envelope signatures (a package signed under it may be accepted)."""
    moment = _now(now)
    text, certificate = _certificate(certificate_pem)
    fingerprint = registry.fingerprint_of(certificate)
    subject = certificate.subject.rfc4514_string()[:500]
    with transaction.atomic():
        anchor = TrustAnchor.objects.select_for_update().filter(fingerprint=fingerprint).first()
        created = anchor is None
        if anchor is None:
            anchor = TrustAnchor(fingerprint=fingerprint, created_at=moment)
        anchor.name = (name or subject)[:255]
        anchor.certificate_pem = text
        anchor.subject = subject
        anchor.not_after = certificate.not_valid_after_utc
        anchor.enabled = True
        anchor.updated_at = moment
        anchor.save()
        audit_record(
            actor=actor,
            action="hub.trust_anchor.create" if created else "hub.trust_anchor.update",
            obj=anchor,
            changes={"fingerprint": [None, fingerprint], "subject": [None, subject]},
        )
        registry.invalidate()
        transaction.on_commit(registry.invalidate)
    return Registered(anchor, created)
