"""The hash chain of the audit trail: pure functions, no database.

Each row's hash is SHA-256 over a canonical JSON of its content and the previous row's hash,
so changing, removing or reordering any row breaks every link after it.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

GENESIS_HASH: Final = "0" * 64

#: Beyond 2**53 a JSON number may not survive storage as it was written: PostgreSQL's jsonb
#: keeps numbers as `numeric`, so the float 5.863018765402437e+16 comes back as the integer
#: 58630187654024370, which is another binary value.
_EXACT_LIMIT: Final = 2**53
#: Large numbers hash as this prefix and their normalised decimal text. jsonb cannot store NUL
#: in a string, so no stored string can look like one.
_NUMBER_TAG: Final = "\x00number:"


@dataclass(frozen=True, slots=True)
class ChainLink:
    seq: int
    occurred_at: str  # ISO 8601 in UTC with microseconds
    actor_id: int | None
    actor_label: str
    agency_id: int | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: Any
    request_id: str
    ip_address: str | None
    prev_hash: str


def _large_number(value: int | float) -> str:
    text = repr(value) if isinstance(value, float) else str(value)
    return _NUMBER_TAG + str(Decimal(text).normalize())


def canonical_json_value(value: Any) -> Any:
    """The value in a form that does not depend on how the database stored its numbers.

    Integral floats below 2**53 hash as integers (jsonb may return 1e15 written as 1e+15 as an
    integer); numbers at or beyond 2**53 hash as their normalised decimal text, which is what
    both the float as written and the integer jsonb gives back have in common.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if abs(value) < _EXACT_LIMIT else _large_number(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return value
        if abs(value) >= _EXACT_LIMIT:
            return _large_number(value)
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {str(k): canonical_json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_json_value(v) for v in value]
    return value


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def link_middle(link: ChainLink) -> str:
    """The hashed JSON of a link's content between its time and the previous hash, without
    the array's brackets: what PostgreSQL completes when it appends a row (the sequence, the
    time and the previous hash are the head's, known only under its lock)."""
    return _dumps(
        [
            link.actor_id,
            link.actor_label,
            link.agency_id,
            link.action,
            link.object_type,
            link.object_id,
            link.object_repr,
            canonical_json_value(link.changes),
            link.request_id,
            link.ip_address,
        ]
    )[1:-1]


def link_payload(link: ChainLink) -> str:
    """The canonical JSON array that is hashed: `[seq, occurred_at, …content…, prev_hash]`
    (compact, keys sorted, not ASCII-escaped). PostgreSQL writes the time and the previous
    hash between quotes as they are (`tinhso.audit.services`): an ISO time and a hex digest
    hold no character JSON escapes."""
    return f"[{_dumps(link.seq)},{_dumps(link.occurred_at)},{link_middle(link)},{_dumps(link.prev_hash)}]"


def link_hash(link: ChainLink) -> str:
    return hashlib.sha256(link_payload(link).encode("utf-8")).hexdigest()


#: Why a chain is broken (codes; the command and the UI word them).
GAP: Final = "gap"  # a row is missing: the sequence jumps
PREV_HASH: Final = "prev_hash"  # the row does not point at the row before it
CONTENT: Final = "content"  # the row's content no longer matches its hash
HEAD: Final = "head"  # rows at the end are missing: the chain head is further on


@dataclass(frozen=True, slots=True)
class VerifyResult:
    intact: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""
    last_hash: str = GENESIS_HASH


def verify_links(links: Iterable[tuple[ChainLink, str]]) -> VerifyResult:
    """Check (link, stored hash) pairs in sequence order; report the first broken link."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for link, stored in links:
        if link.seq != expected_seq:
            return VerifyResult(False, checked, link.seq, GAP, expected_prev)
        if link.prev_hash != expected_prev:
            return VerifyResult(False, checked, link.seq, PREV_HASH, expected_prev)
        if link_hash(link) != stored:
            return VerifyResult(False, checked, link.seq, CONTENT, expected_prev)
        checked += 1
        expected_prev = stored
        expected_seq += 1
    return VerifyResult(True, checked, last_hash=expected_prev)


@dataclass(frozen=True, slots=True)
class Head:
    seq: int
    hash: str


EMPTY_HEAD: Final = Head(0, GENESIS_HASH)


def check_against_head(result: VerifyResult, before: Head, after: Head) -> VerifyResult:
    """Compare an intact run with the chain head read just before and just after it.

    Rows appended while the run streamed may or may not have been seen, so the run must end
    between the two heads, on the hash of the head it ends at. Ending before the first head
    means rows at the end were removed; ending beyond the second means the head was moved back
    to hide rows — both are broken chains that `verify_links` alone cannot see.
    """
    if not result.intact:
        return result
    checked = result.checked
    if checked < before.seq:
        return VerifyResult(False, checked, checked + 1, HEAD, result.last_hash)
    if checked > after.seq:
        return VerifyResult(False, checked, after.seq + 1, HEAD, result.last_hash)
    for head in (before, after):
        if checked == head.seq and result.last_hash != head.hash:
            return VerifyResult(False, checked, head.seq, HEAD, result.last_hash)
    return result
