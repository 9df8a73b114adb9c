"""The hash chain of the audit trail: pure functions, no database.

Each row's hash is SHA-256 over a canonical JSON of its content and the previous row's hash,
so changing, removing or reordering any row breaks every link after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

GENESIS_HASH: Final = "0" * 64


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


def link_hash(link: ChainLink) -> str:
    payload = json.dumps(
        [
            link.seq,
            link.occurred_at,
            link.actor_id,
            link.actor_label,
            link.agency_id,
            link.action,
            link.object_type,
            link.object_id,
            link.object_repr,
            link.changes,
            link.request_id,
            link.ip_address,
            link.prev_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class VerifyResult:
    intact: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify_links(links: Iterable[tuple[ChainLink, str]]) -> VerifyResult:
    """Check (link, stored hash) pairs in sequence order; report the first broken link."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for link, stored in links:
        if link.seq != expected_seq:
            return VerifyResult(False, checked, link.seq, f"missing row before seq {link.seq}")
        if link.prev_hash != expected_prev:
            return VerifyResult(False, checked, link.seq, "previous hash does not match")
        if link_hash(link) != stored:
            return VerifyResult(False, checked, link.seq, "content does not match its hash")
        checked += 1
        expected_prev = stored
        expected_seq += 1
    return VerifyResult(True, checked)
