"""Verifying the stored audit trail against its hash chain, row by row in sequence order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import Any

from django.db import connection, transaction

from tinhso.audit.chain import (
    EMPTY_HEAD,
    ChainLink,
    Head,
    VerifyResult,
    check_against_head,
    verify_links,
)
from tinhso.audit.models import AuditChainHead, AuditEvent
from tinhso.audit.services import utc_iso

_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "request_id",
    "ip_address",
    "prev_hash",
    "hash",
)


def _head() -> Head:
    row = AuditChainHead.objects.filter(id=1).values_list("seq", "hash").first()
    return Head(*row) if row is not None else EMPTY_HEAD


def _links(
    chunk_size: int,
    on_progress: Callable[[int, int], None] | None,
    progress_every: int,
    expected_total: int,
) -> Iterator[tuple[ChainLink, str]]:
    rows = AuditEvent.objects.order_by("seq").values_list(*_FIELDS).iterator(chunk_size=chunk_size)
    for count, row in enumerate(rows, start=1):
        values: dict[str, Any] = dict(zip(_FIELDS, row, strict=True))
        stored_hash = values.pop("hash")
        values["occurred_at"] = utc_iso(values["occurred_at"])
        yield ChainLink(**values), stored_hash
        if on_progress is not None and count % progress_every == 0:
            on_progress(count, expected_total)


def verify_trail(
    *,
    chunk_size: int = 2000,
    on_progress: Callable[[int, int], None] | None = None,
    progress_every: int = 100_000,
) -> VerifyResult:
    """Stream the trail in sequence order and report the first broken link, or intact.

    Memory stays flat whatever the length of the trail: rows come `chunk_size` at a time from a
    server-side cursor (PostgreSQL, inside one read transaction) or from one open SQLite
    statement (no transaction there: the IMMEDIATE mode would hold the write lock for the run).
    `on_progress(checked, expected_total)` is called every `progress_every` rows.
    """
    in_transaction = transaction.atomic() if connection.vendor == "postgresql" else nullcontext()
    with in_transaction:
        before = _head()
        result = verify_links(_links(chunk_size, on_progress, progress_every, before.seq))
        after = _head()
    return check_against_head(result, before, after)
