"""Writing the audit trail. Every service that changes state calls `audit_record` inside its
transaction, so the change and its audit row commit or roll back together."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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


def audit_event(
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
    """The row `audit_record` appends, not yet written: its number, time and hashes are the
    chain head's, taken under its lock when it is."""
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
    return AuditEvent(
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
    event = audit_event(
        actor=actor,
        action=action,
        obj=obj,
        agency=agency,
        changes=changes,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
    )
    audit_write(event)
    return event


#: The append on PostgreSQL, one statement: lock the head, take its next number, time (never
#: before the head's: a clock that stepped back) and hash, compute the row's hash (`link_hash`:
#: the array's JSON around the content Python wrote, SHA-256 in hex), write the row, move the
#: head. Every audited write of the platform waits for this lock and holds it until its
#: commit: the lock is now held for one statement, not two round trips and Python between.
#: `{after}`: a WITH query of the caller's statement whose row comes first (`append_queries`).
_HEAD = (
    'h AS (SELECT h0."seq" + 1 AS s, GREATEST(%s, h0."occurred_at") AS t, h0."hash" AS p '
    'FROM "audit_auditchainhead" h0{after} WHERE h0."id" = 1 FOR UPDATE OF h0)'
)
_HASH = (
    "k AS (SELECT s, t, p, encode(sha256(convert_to("
    "'[' || s || ',\"' || to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') "
    "|| '+00:00\",' || {middle} || ',\"' || p || '\"]', 'UTF8')), 'hex') AS x FROM h)"
)
_MOVE = (
    'm AS (UPDATE "audit_auditchainhead" SET "seq" = k.s, "hash" = k.x, "occurred_at" = k.t '
    'FROM k WHERE "audit_auditchainhead"."id" = 1)'
)
#: What the append returns: the row's id, number, time, previous hash and hash (all NULL when
#: the chain has no head row yet).
APPENDED = (
    "(SELECT e.id FROM e), (SELECT s FROM k), (SELECT t FROM k), (SELECT p FROM k), "
    "(SELECT x FROM k)"
)
_COMPUTED: dict[str, tuple[str, Sequence[Any]]] = {
    name: (f"k.{column}", ())
    for name, column in (("seq", "s"), ("occurred_at", "t"), ("prev_hash", "p"), ("hash", "x"))
}


def _append(event: AuditEvent) -> bool:
    """Write `event` with the head's lock, number, time and hash in one statement; False
    (nothing written) when the chain has no head row yet."""
    queries = append_queries(event)
    rows = execute_prepared(f"WITH {queries.sql} SELECT {APPENDED}", queries.params)
    return _appended(event, queries.insert, rows[0])


def _appended(event: AuditEvent, insert: Insert, values: Sequence[Any]) -> bool:
    pk, seq, occurred_at, prev_hash, digest = values
    if pk is None:
        return False
    event.seq, event.occurred_at, event.prev_hash, event.hash = seq, occurred_at, prev_hash, digest
    insert.written([(pk,)])
    return True


def audit_write(event: AuditEvent) -> None:
    """Append `event` (from `audit_event`) to the trail, inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    if connection.vendor == "postgresql" and _append(event):
        return
    head_seq, head_hash, head_occurred_at = _locked_head()
    if head_occurred_at is not None and event.occurred_at < head_occurred_at:
        event.occurred_at = head_occurred_at  # the clock stepped back: time follows seq order
    event.seq = head_seq + 1
    event.prev_hash = head_hash
    event.hash = link_hash(link_of(event))
    insert_rows([event])
    _move_head(event.seq, event.hash, event.occurred_at)


@dataclass(frozen=True, slots=True)
class AppendQueries:
    """An audit row's append as WITH queries of a caller's statement (`append_queries`)."""

    sql: str
    params: list[Any]
    event: AuditEvent
    insert: Insert


#: Stands, with a text's name, where the caller's statement puts the text in the hashed content:
#: random per process, so that no content can hold it (`append_queries` checks it is there once).
_MARK = f"computed{uuid.uuid4().hex}"
#: The texts of a row the caller's statement may compute, and their columns' lengths.
_COMPUTABLE = {"object_id": 64, "object_repr": 255}
#: The error a statement of `append_queries` raises, writing nothing, when the chain has no
#: head row yet (`REQUIRE_APPENDED`): PostgreSQL refuses to read this text as a number.
NO_HEAD = "the audit chain has no head row yet"
#: To select in the caller's statement when it must fail rather than write without its row.
REQUIRE_APPENDED = (
    "(SELECT CASE WHEN count(*) = 0 THEN "
    "(count(*)::text || ' audit rows: the audit chain has no head row yet')::int END FROM e)"
)


def append_queries(
    event: AuditEvent,
    *,
    after: str = "",
    texts: Mapping[str, tuple[str, Sequence[Any]]] | None = None,
) -> AppendQueries:
    """The append of `event` (from `audit_event`) as WITH queries `h, k, e, m` to follow the
    caller's own in one statement (PostgreSQL), with texts of the row computed by the
    database: `{"object_id" or "object_repr": (SQL expression, its parameters)}` — the
    dossier's id and code, from the sequence and the day's counter the same statement takes.

    The head's lock is taken after the row of the caller's WITH query `after` (joined to the
    head's): a receipt takes the counter's lock, then the trail's, as when they were two
    statements. Without `after` or `texts` it is `audit_record`'s own append. The hashed content has each computed value where `link_middle` has its text
    (JSON-escaped by PostgreSQL's `to_json`). The caller's statement selects `APPENDED` (or
    also `REQUIRE_APPENDED`) and passes that row to `audit_appended`.
    """
    texts = texts or {}
    unknown = set(texts) - set(_COMPUTABLE)
    if unknown:
        raise ValueError(f"append_queries: {', '.join(sorted(unknown))} cannot be computed")
    values = {
        name: (f"left(({sql})::text, {_COMPUTABLE[name]})", list(params))
        for name, (sql, params) in texts.items()
    }
    placeholders = {name: f"{name}{_MARK}" for name in values}
    for name, placeholder in placeholders.items():
        setattr(event, name, placeholder)
    # The hashed content around the computed texts: [text, value, text, value, …, text].
    pieces: list[str] = []
    middle_params: list[Any] = []
    rest = link_middle(link_of(event))
    for name in sorted(placeholders, key=lambda n: rest.find(json.dumps(placeholders[n]))):
        before, found, rest = rest.partition(json.dumps(placeholders[name]))
        if not found:
            raise ValueError("append_queries: a computed text is not in the hashed content")
        pieces += ["%s", f"to_json({values[name][0]})::text"]
        middle_params += [before, *values[name][1]]
    if any(p in rest for p in placeholders.values()):
        raise ValueError("append_queries: a computed text is in the hashed content twice")
    pieces.append("%s")
    middle_params.append(rest)
    insert = Insert([event])
    sql, insert_params = insert.sql_with(_COMPUTED | values, source="k")
    queries = ", ".join(
        [
            _HEAD.format(after=f", {after}" if after else ""),
            _HASH.format(middle=f"({' || '.join(pieces)})"),
            f"e AS ({sql})",
            _MOVE,
        ]
    )
    params = [event.occurred_at, *middle_params, *insert_params]
    return AppendQueries(queries, params, event, insert)


def audit_appended(queries: AppendQueries, values: Sequence[Any], texts: Mapping[str, str]) -> None:
    """Finish the append of `append_queries` with the `APPENDED` values its statement
    returned and the values its computed `texts` took; when the chain had no head row yet,
    append it as `audit_record` does."""
    for name, text in texts.items():
        setattr(queries.event, name, text[: _COMPUTABLE[name]])
    if not _appended(queries.event, queries.insert, values):
        audit_write(queries.event)


def is_no_head(error: BaseException) -> bool:
    """Whether `error` is `REQUIRE_APPENDED`'s: the statement wrote nothing."""
    return NO_HEAD in str(error)


def audit_chain_start() -> None:
    """Write the chain's head (the genesis) if it has none yet; in a transaction of its own
    unless the caller's."""
    with transaction.atomic():
        _locked_head()


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
