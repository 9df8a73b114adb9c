"""Writing the audit trail. Every service that changes state calls `audit_record` inside its
transaction, so the change and its audit row commit or roll back together."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from tinhso import requestcontext
from tinhso.audit.chain import GENESIS_HASH, ChainLink, link_hash, link_middle
from tinhso.audit.models import AuditChainHead, AuditEvent
from tinhso.rowwrite import Insert, execute_prepared, insert_rows


def _finite(value: Any) -> Any:
    # jsonb refuses NaN and the infinities; keep them readable as text instead of failing.
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _jsonable(value: Any) -> Any:
    return _finite(json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)))


def _normalized_ip(value: str | None) -> str | None:
    """The address as the database stores it (IPv6 compressed, lower case), or None.

    The hash is computed before the row is written, so it must be over the stored form;
    a value that is no address (a misconfigured proxy header) is not recorded at all rather
    than failing the service that is being audited.
    """
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        # A zone index ("fe80::1%eth0") means nothing outside this host; inet refuses it.
        return clean_ipv6_address(str(address).split("%", 1)[0])
    return str(address)


def utc_iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` on `instance` (foreign keys as their ids), JSON-ready."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = getattr(instance, attname)
    return _jsonable(values)  # type: ignore[no-any-return]


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Changed fields only, as {field: [before, after]}; a created object has before None."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _locked_head() -> tuple[int, str, dt.datetime | None]:
    """The chain head (seq, hash, time), locked until the caller commits; the genesis head
    is written the first time. PostgreSQL appends without it (`_append`) once the head exists."""
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"seq": 0, "hash": GENESIS_HASH}
    )
    return head.seq, head.hash, head.occurred_at


def _move_head(seq: int, digest: str, occurred_at: dt.datetime) -> None:
    AuditChainHead.objects.filter(id=1).update(seq=seq, hash=digest, occurred_at=occurred_at)


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    agency: Any = None,
    changes: Mapping[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one row to the audit trail; must run inside the caller's transaction.

    Appends are serialised on the chain head row (SELECT … FOR UPDATE), held until the
    caller commits: services therefore record the audit row as their last write.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    if not action or len(action) > 100:
        raise ValueError("audit action must be 1 to 100 characters, e.g. 'accounts.user.create'")

    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_label = ""
    if actor is not None and actor_id is not None:
        actor_label = getattr(actor, "username", "") or str(actor)
    elif isinstance(actor, str):
        actor_label = actor  # a system process, e.g. "system:calendar_seed"
    agency_id = getattr(agency, "pk", agency) if agency is not None else None
    ctx = requestcontext.current()

    request_id = ctx.request_id if ctx else ""
    ip_address = _normalized_ip(ctx.ip_address) if ctx else None
    # Microsecond precision is what both databases store, so the hash survives a round trip.
    now = timezone.now().astimezone(dt.UTC)
    event = AuditEvent(
        seq=0,  # the head's, under its lock
        occurred_at=now,
        actor_id=actor_id,
        actor_label=actor_label[:150],
        agency_id=agency_id,
        action=action,
        object_type=object_type[:100],
        object_id=object_id[:64],
        object_repr=object_repr[:255],
        changes=_jsonable(dict(changes or {})),
        request_id=request_id,
        ip_address=ip_address,
        prev_hash="",
        hash="",
    )
    if connection.vendor == "postgresql" and _append(event):
        return event
    head_seq, head_hash, head_occurred_at = _locked_head()
    if head_occurred_at is not None and now < head_occurred_at:
        event.occurred_at = head_occurred_at  # the clock stepped back: time follows seq order
    event.seq = head_seq + 1
    event.prev_hash = head_hash
    event.hash = link_hash(link_of(event))
    insert_rows([event])
    _move_head(event.seq, event.hash, event.occurred_at)
    return event


#: The append on PostgreSQL, one statement: lock the head, take its next number, time (never
#: before the head's: a clock that stepped back) and hash, compute the row's hash (`link_hash`:
#: the array's JSON around the content Python wrote, SHA-256 in hex), write the row, move the
#: head. Every audited write of the platform waits for this lock and holds it until its
#: commit: the lock is now held for one statement, not two round trips and Python between.
_APPEND_WITH = (
    'WITH h AS (SELECT "seq" + 1 AS s, GREATEST(%s, "occurred_at") AS t, "hash" AS p '
    'FROM "audit_auditchainhead" WHERE "id" = 1 FOR UPDATE), '
    "k AS (SELECT s, t, p, encode(sha256(convert_to("
    "'[' || s || ',\"' || to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') "
    "|| '+00:00\",' || %s || ',\"' || p || '\"]', 'UTF8')), 'hex') AS x FROM h)"
)
_APPEND_TAIL = (
    ', m AS (UPDATE "audit_auditchainhead" SET "seq" = k.s, "hash" = k.x, "occurred_at" = k.t '
    'FROM k WHERE "audit_auditchainhead"."id" = 1) '
    "SELECT e.id, k.s, k.t, k.p, k.x FROM e, k"
)
_COMPUTED = {
    name: (f"k.{column}", ())
    for name, column in (("seq", "s"), ("occurred_at", "t"), ("prev_hash", "p"), ("hash", "x"))
}


def _append(event: AuditEvent) -> bool:
    """Write `event` with the head's lock, number, time and hash in one statement; False
    (nothing written) when the chain has no head row yet."""
    insert = Insert([event])
    sql, params = insert.sql_with(_COMPUTED, source="k")
    rows = execute_prepared(
        f"{_APPEND_WITH}, e AS ({sql}){_APPEND_TAIL}",
        [event.occurred_at, link_middle(link_of(event)), *params],
    )
    if not rows:
        return False
    ((pk, event.seq, event.occurred_at, event.prev_hash, event.hash),) = rows
    insert.written([(pk,)])
    return True


def link_of(event: AuditEvent) -> ChainLink:
    """Rebuild the hashed content of a stored row (used by verification)."""
    return ChainLink(
        seq=event.seq,
        occurred_at=utc_iso(event.occurred_at),
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        agency_id=event.agency_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        changes=event.changes,
        request_id=event.request_id,
        ip_address=event.ip_address,
        prev_hash=event.prev_hash,
    )
