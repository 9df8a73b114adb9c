"""Pieces every documents service shares: registers and their counters, history rows,
file attachment, and the after-commit hooks (search index, notifications)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor
from tinhso.accounts.models import Membership, Role, User
from tinhso.documents.errors import DocumentConflict
from tinhso.documents.models import (
    Activity,
    Direction,
    Document,
    DocumentFile,
    ExchangeOutbox,
    FileRole,
    Register,
    Source,
)
from tinhso.documents.numbering import vietnam_year
from tinhso.documents.search import schedule_index
from tinhso.files.access import usable_files
from tinhso.files.models import StoredFile
from tinhso.rowwrite import execute_prepared, insert_rows, read_time
from tinhso.text import fold

#: Creates the register's counter for the year at 1 or adds one, returning the number; the
#: upsert keeps the row locked until commit, so concurrent registrations get consecutive
#: numbers, and a registration that rolls back takes its number back (no gap, no duplicate).
#: PostgreSQL and SQLite (3.35+) both speak it.
NEXT_NUMBER_SQL = (
    'INSERT INTO "documents_numbercounter" ("register_id", "year", "last") VALUES (%s, %s, 1) '
    'ON CONFLICT ("register_id", "year") DO UPDATE SET "last" = '
    '"documents_numbercounter"."last" + 1 RETURNING "last"'
)


def lock_document(document_id: int, direction: str | None = None) -> Document:
    """The document, its row locked until commit (every service locks the document first,
    then its assignments, approvals or recipients: one order, no deadlock).

    `of=("self",)`: the document row only; locking the joined agency row too made every change
    in an agency wait on one row, and deadlocked with the copies other issuings insert for that
    agency (the foreign key takes a share lock on it).
    """
    rows = Document.objects.select_for_update(of=("self",)).select_related("agency")
    if direction is not None:
        rows = rows.filter(direction=direction)
    try:
        return rows.get(pk=document_id)
    except Document.DoesNotExist as exc:
        raise DocumentConflict(_("Không tìm thấy văn bản."), code="not_found") from exc


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def default_register_name(direction: str) -> str:
    return _("Sổ văn bản đến") if direction == Direction.INCOMING else _("Sổ văn bản đi")


#: The agency's active registers of a direction, oldest first (registration's second statement).
_ACTIVE_REGISTERS = (
    'SELECT "id", "name", "types", "number_width", "created_at" FROM "documents_register" '
    'WHERE "agency_id" = %s AND "direction" = %s AND "is_active" ORDER BY "id"'
)
_REGISTER_FIELDS = ("id", "agency_id", "direction", "name", "types", "is_active", "number_width",
                    "created_at")  # fmt: skip


def _active_registers(agency_id: int, direction: str) -> list[Register]:
    """The agency's active registers of `direction` through one prepared statement (the ORM
    compiled this query on every registration: a tenth of its CPU)."""
    registers = []
    for pk, name, types, width, created_at in execute_prepared(
        _ACTIVE_REGISTERS, [agency_id, direction]
    ):
        if isinstance(types, str | bytes):  # JSON as text (SQLite, Django's psycopg loaders)
            types = json.loads(types)
        registers.append(
            Register.from_db(
                connection.alias,
                _REGISTER_FIELDS,
                (pk, agency_id, direction, name, types, True, width, read_time(created_at)),
            )
        )
    return registers


def register_for(
    agency_id: int, direction: str, doc_type: str, register_id: int | None = None
) -> Register:
    """The register a document goes into: the one asked for, else the register that lists
    its type, else the agency's general register of that direction (created on first use)."""
    registers = _active_registers(agency_id, direction)
    if register_id is not None:
        for register in registers:
            if register.pk == register_id:
                if register.types and doc_type not in register.types:
                    raise invalid("register", _("Sổ này không dùng cho loại văn bản đã chọn."))
                return register
        raise invalid("register", _("Sổ văn bản không tồn tại hoặc không thuộc cơ quan."))
    for register in registers:
        if doc_type in (register.types or []):
            return register
    for register in registers:
        if not register.types:
            return register
    register, _created = Register.objects.get_or_create(
        agency_id=agency_id, direction=direction, name=default_register_name(direction)
    )
    return register


def next_number(register: Register, moment: dt.datetime) -> tuple[int, int]:
    """(year, number): the next number of the register in the Vietnamese year of `moment`."""
    year = vietnam_year(moment)
    ((number,),) = execute_prepared(NEXT_NUMBER_SQL, [register.pk, year])
    return year, int(number)


def search_text(d: Document) -> str:
    parts = (d.number, d.notation, d.reference, d.subject, d.issuer_name, d.issuer_code)
    return fold(" ".join(p for p in parts if p))[:800]


def activity_row(
    d: Document,
    action: str,
    actor: User | None,
    *,
    note: str = "",
    edxml_status: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> Activity:
    """A history row, not yet written (`activity` writes it; registration writes it in the
    statement that takes the number)."""
    return Activity(
        document=d,
        action=action,
        actor=actor,
        note=note,
        edxml_status=edxml_status,
        data=data or {},
        occurred_at=at or timezone.now(),
    )


def activity(
    d: Document,
    action: str,
    actor: User | None,
    *,
    note: str = "",
    edxml_status: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> Activity:
    """A history row; on a document received through the interconnection hub, an event with an
    edXML status also writes the status package back to its sender (in the same transaction)."""
    row = activity_row(d, action, actor, note=note, edxml_status=edxml_status, data=data, at=at)
    insert_rows([row])
    if (
        edxml_status in EXCHANGE_STATUSES
        and d.source == Source.EXCHANGE
        and d.direction == Direction.INCOMING
    ):
        exchange_status(d, edxml_status, actor, note=note, at=row.occurred_at)
    return row


#: The statuses a receiving agency tells the sender (vn-eoffice.md §2.4): 01 arrived, 02
#: refused, 03 registered, 04 assigned, 05 processing, 06 completed; 15 and 16 answer a recall.
EXCHANGE_STATUSES = frozenset({"01", "02", "03", "04", "05", "06", "15", "16"})
#: Statuses whose Description carries the reason the clerk wrote.
_WITH_REASON = frozenset({"02", "16"})


def exchange_status(
    d: Document, code: str, actor: User | None, *, note: str, at: dt.datetime
) -> ExchangeOutbox | None:
    """The status package `code` for the sender of a document received through the hub, once
    per code (a document registered, presented and assigned tells 04 once); the exchange
    worker sends it. Decision 0005 §4: written in the e-office event's transaction."""
    if not d.issuer_code:
        return None
    exists = ExchangeOutbox.objects.filter(
        document=d, kind=ExchangeOutbox.Kind.STATUS, status_code=code, recipient__isnull=True
    ).exists()
    if exists:
        return None
    staff: dict[str, str] = {}
    if actor is not None:
        staff = {"staff": actor.full_name or actor.username, "email": actor.email}
        if actor.phone:
            staff["mobile"] = actor.phone
    return ExchangeOutbox.objects.create(
        document=d,
        agency_id=d.agency_id,
        kind=ExchangeOutbox.Kind.STATUS,
        status_code=code,
        to_code=d.issuer_code,
        description=note[:2000] if code in _WITH_REASON else "",
        data={"staff": staff} if staff else {},
        created_at=at,
    )


def attach_files(
    d: Document,
    actor: Actor,
    user: User,
    ids: Sequence[int],
    role: str = FileRole.MAIN,
    *,
    field: str = "files",
) -> list[StoredFile]:
    """Attach uploaded files the actor may use (own uploads, own agency's) to the document."""
    if not ids:
        return []
    files = usable_files(actor, ids, field=field)
    DocumentFile.objects.bulk_create(
        [DocumentFile(document=d, file=f, role=role, added_by=user) for f in files],
        ignore_conflicts=True,
    )
    return files


def reindex(d: Document) -> None:
    schedule_index(d.pk)


def agency_officials(agency_id: int, user_ids: Iterable[int]) -> dict[int, Membership]:
    """The active memberships in the agency of the given users (one per user: the first)."""
    found: dict[int, Membership] = {}
    rows = (
        Membership.objects.filter(agency_id=agency_id, user_id__in=set(user_ids), is_active=True)
        .select_related("user", "department")
        .order_by("user_id", F("department_id").asc(nulls_last=True), "id")
    )
    for m in rows:
        found.setdefault(m.user_id, m)
    return found


def leaders_of(agency_id: int) -> list[Membership]:
    return list(
        Membership.objects.filter(agency_id=agency_id, role=Role.LANH_DAO, is_active=True)
        .select_related("user", "department", "position")
        .order_by("department_id", "user__full_name")
    )
