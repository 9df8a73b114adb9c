"""Generate the e-office benchmark data and request lists; check the document numbering.

Runs after `bench/province.py` on the same PostgreSQL database:

    python bench/documents.py generate --documents 1000000 --out var/bench/runtime
    python bench/documents.py check-numbers --out var/bench/runtime

`generate` writes, with PostgreSQL COPY in batches (the services would take hours for a
million documents, and benchmark data needs no audit trail):

- an incoming and an outgoing register per agency, and `--documents` documents over the three
  years before today, spread over the agencies by size (the provincial People's Committee
  and its office receive and issue most); 60 % incoming from ministries, the province's
  agencies and communes, 40 % outgoing; realistic subjects (`documents_subjects`), types,
  urgencies and statuses by age (old documents completed or issued, recent ones open in
  every state);
- numbers as the services give them: per register and Vietnamese year, consecutive from 1
  in the order documents were registered or issued, printed with two digits at least
  (Nghị định 30/2020, Điều 15, 22); the counters are set to the last number, so registrations
  and issues during the benchmark continue the series without a gap;
- the rows the visibility rules read: the presentation to a leader and the assignment to a
  processor of incoming documents, the approval steps of outgoing ones;
- `search_text` (`services.common.search_text`) and the search index rows
  (`documents_searchentry` with its `words` and `exact` tsvectors, built by the indexer's own
  `IndexTerms`); after the load a sample is indexed again by `index_documents` and must come
  out identical;
- `--issue-documents` approved outgoing documents (draft version with its PDF, recipients in
  and outside the province) of four agencies, for the issuing benchmark.

Secondary indexes of the tables written are dropped before the load and created again after
it, and foreign keys are not checked row by row (`session_replication_role = replica`, when
the role may set it): the data is consistent by construction, and the indexes and
constraints created at the end check it.

Writes into `--out`: `documents.json` (what was generated), `documents_search.txt` (search
requests), `documents_search_cookies.txt` (sessions of the searchers), `documents_register.tsv`
(registrations, `__NUMBER__` replaced by a unique number per request by
`wrk/documents_register.lua`), `documents_issue.tsv` (one issue request per approved document,
each sent once by `wrk/documents_issue.lua`).

`check-numbers` prints one JSON line: per register and year, are the numbers 1…n with no
duplicate and no gap, and is the counter at n.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sys
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.config.settings")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import documents_subjects as subjects  # noqa: E402  (needs src on the path)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
BATCH = 20_000
YEARS = 3
#: Processes making the search index rows (about 100 µs of CPU a document, as much as the
#: rest of a document): two keep up with the main process on two cores.
INDEX_WORKERS = 2

# --- Shares --------------------------------------------------------------------------------

INCOMING_SHARE = 0.6
#: Documents per agency relative to a commune's.
AGENCY_WEIGHTS = {"committee": 60.0, "office": 30.0, "center": 4.0, "department": 12.0, "commune": 3.0}  # fmt: skip
INCOMING_TYPES = {
    "CV": 45, "QĐ": 12, "GM": 10, "TB": 8, "KH": 7, "BC": 6, "HD": 3, "TTr": 2, "NQ": 1.5,
    "CT": 1, "CTr": 1, "PA": 1, "CĐ": 0.5, "BB": 0.5, "QyĐ": 0.5,
}  # fmt: skip
OUTGOING_TYPES = {
    "CV": 50, "QĐ": 15, "BC": 10, "TB": 8, "KH": 6, "GM": 5, "TTr": 5, "HD": 1, "BB": 0.5,
    "CTr": 0.5,
}  # fmt: skip
URGENCIES = {"thuong": 85, "khan": 10, "thuong_khan": 3, "hoa_toc": 2}
#: Units written after the issuer in a công văn's notation (`BNV-CCVC`, `UBND-VX`).
LETTER_UNITS = ("", "", "VP", "TH", "KT", "VX", "NC", "TCCB", "KHTC", "QLCL", "XD", "TNMT")

#: Issuers outside the province's organisation: name, code (edXML), abbreviation, yearly volume.
OUTSIDE_ISSUERS = (
    ("Văn phòng Chính phủ", "000.00.00.G01", "VPCP", 9000),
    ("Thủ tướng Chính phủ", "000.00.00.G02", "TTg", 2500),
    ("Bộ Nội vụ", "000.00.00.G09", "BNV", 6000),
    ("Bộ Tài chính", "000.00.00.G10", "BTC", 12000),
    ("Bộ Y tế", "000.00.00.G15", "BYT", 8000),
    ("Bộ Giáo dục và Đào tạo", "000.00.00.G06", "BGDĐT", 6000),
    ("Bộ Xây dựng", "000.00.00.G20", "BXD", 5000),
    ("Bộ Nông nghiệp và Môi trường", "000.00.00.G16", "BNNMT", 7000),
    ("Bộ Công an", "000.00.00.G04", "BCA", 4000),
    ("Bộ Văn hóa, Thể thao và Du lịch", "000.00.00.G22", "BVHTTDL", 4000),
    ("Hội đồng nhân dân tỉnh", "", "HĐND", 400),
    ("Bảo hiểm xã hội tỉnh", "", "BHXH", 2000),
    ("Công an tỉnh", "", "CAT", 3000),
    ("Thuế tỉnh", "", "TT", 2500),
    ("Kho bạc Nhà nước khu vực XIII", "", "KBNN", 1500),
    ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "", "MTTQ", 800),
)  # fmt: skip


# --- The province as read from the database --------------------------------------------------


@dataclass
class AgencyInfo:
    id: int
    code: str
    name: str
    short_name: str
    kind: str  # committee, office, center, department, commune
    departments: list[tuple[int, str]] = field(default_factory=list)  # (id, short_name)
    clerks: list[int] = field(default_factory=list)
    leaders: list[tuple[int, str, str]] = field(default_factory=list)  # id, name, position
    heads: dict[int, list[int]] = field(default_factory=dict)  # department → leaders
    specialists: dict[int, list[int]] = field(default_factory=dict)  # department → officials
    incoming_register: int = 0
    outgoing_register: int = 0

    @property
    def working_departments(self) -> list[tuple[int, str]]:
        """Departments that process documents: those with specialists, the office last."""
        found = [d for d in self.departments if self.specialists.get(d[0])]
        return found or self.departments


def load_province() -> list[AgencyInfo]:
    from tinhso.accounts.models import Membership, Role
    from tinhso.organizations.models import Agency, AgencyKind, AgencyLevel, Department

    agencies: dict[int, AgencyInfo] = {}
    for a in Agency.objects.order_by("id"):
        if a.level == AgencyLevel.COMMUNE:
            kind = "commune"
        elif a.kind == AgencyKind.PEOPLES_COMMITTEE:
            kind = "committee"
        elif a.kind == AgencyKind.OFFICE:
            kind = "office"
        elif a.kind == AgencyKind.SERVICE_CENTER:
            kind = "center"
        else:
            kind = "department"
        agencies[a.pk] = AgencyInfo(a.pk, a.code, a.name, a.short_name or "UBND", kind)
    for d in Department.objects.order_by("id"):
        if d.agency_id in agencies:
            agencies[d.agency_id].departments.append((d.pk, d.short_name or "VP"))
    memberships = (
        Membership.objects.filter(is_active=True)
        .select_related("user", "position")
        .order_by("id")
        .only("agency_id", "department_id", "role", "user__full_name", "position__name")
    )
    for m in memberships:
        info = agencies.get(m.agency_id)
        if info is None:
            continue
        if m.role == Role.VAN_THU:
            info.clerks.append(m.user_id)
        elif m.role == Role.LANH_DAO and m.department_id is None:
            position = m.position.name if m.position else "Lãnh đạo"
            info.leaders.append((m.user_id, m.user.full_name, position))
        elif m.role == Role.LANH_DAO:
            info.heads.setdefault(m.department_id or 0, []).append(m.user_id)
        elif m.role == Role.CHUYEN_VIEN and m.department_id is not None:
            info.specialists.setdefault(m.department_id, []).append(m.user_id)
    usable = [a for a in agencies.values() if a.clerks and a.leaders and a.departments]
    if not usable:
        raise SystemExit("no agency with clerks, leaders and departments: run bench/province.py")
    return usable


def create_registers(agencies: Sequence[AgencyInfo]) -> None:
    """The general incoming and outgoing register of every agency (as `register_for` would
    create them on first use), reused when they exist."""
    from tinhso.documents.models import Direction, Register
    from tinhso.documents.services.common import default_register_name

    existing = {
        (r.agency_id, r.direction): r.pk
        for r in Register.objects.filter(types=[], is_active=True).order_by("-id")
    }
    missing = [
        Register(agency_id=a.id, direction=d, name=default_register_name(d))
        for a in agencies
        for d in (Direction.INCOMING, Direction.OUTGOING)
        if (a.id, d) not in existing
    ]
    for r in Register.objects.bulk_create(missing):
        existing[(r.agency_id, r.direction)] = r.pk
    for a in agencies:
        a.incoming_register = existing[(a.id, Direction.INCOMING)]
        a.outgoing_register = existing[(a.id, Direction.OUTGOING)]


# --- COPY plumbing ---------------------------------------------------------------------------


class CopyTable:
    """A table written with COPY: its columns, and what a column not given in a row gets
    (the model field's default, NULL or ""), so that a row names only what matters.

    Rows are kept until `flush`, or, once `stream` opened a COPY on a connection of the
    table's own, sent as they are made: the server parses them on the other core meanwhile.
    """

    _MISSING = object()

    def __init__(self, model: Any, *, with_id: bool = False, extra: Sequence[str] = ()) -> None:
        from django.db import models
        from psycopg.types.json import Jsonb

        self.table = model._meta.db_table
        self.columns: list[str] = []
        defaults: list[Any] = []
        for f in model._meta.concrete_fields:
            if f.primary_key and not with_id and isinstance(f, models.AutoField):
                continue
            self.columns.append(str(f.column))
            if f.has_default():
                value = f.get_default()
                defaults.append(Jsonb(value) if isinstance(value, dict | list) else value)
            elif f.null:
                defaults.append(None)
            elif isinstance(f, models.CharField | models.TextField):
                defaults.append("")
            else:
                defaults.append(self._MISSING)
        self.columns += list(extra)
        defaults += [self._MISSING] * len(extra)
        self.pairs = list(zip(self.columns, defaults, strict=True))
        self._checked = False
        self._copy: Any = None
        self.rows: list[list[Any]] = []
        self.count = 0

    @property
    def sql(self) -> str:
        names = ", ".join(f'"{c}"' for c in self.columns)
        return f"COPY {self.table} ({names}) FROM STDIN"

    def stream(self, stack: ExitStack, connect: Callable[[], Any]) -> None:
        """From now on, write rows at once through a COPY on a new connection, committed when
        `stack` closes."""
        connection = stack.enter_context(connect())
        self._copy = stack.enter_context(connection.cursor().copy(self.sql))

    def add(self, values: dict[str, Any]) -> None:
        row = [values.get(column, default) for column, default in self.pairs]
        if not self._checked:  # every kind of row names the same columns: check the first
            missing = [c for c, v in zip(self.columns, row, strict=True) if v is self._MISSING]
            if missing:
                raise SystemExit(f"{self.table}: no value and no default for {missing}")
            self._checked = True
        self.count += 1
        if self._copy is not None:
            self._copy.write_row(row)
        else:
            self.rows.append(row)

    def flush(self, cursor: Any) -> int:
        if not self.rows:
            return 0
        with cursor.copy(self.sql) as copy:
            for row in self.rows:
                copy.write_row(row)
        written = len(self.rows)
        self.rows = []
        return written


def _secondary_indexes(cursor: Any, tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of `tables` that no constraint owns."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
          FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
         WHERE t.relname = ANY(%s) AND NOT i.indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
         ORDER BY 1
        """,
        [list(tables)],
    )
    return [(name, definition) for name, definition in cursor.fetchall()]


def _say(message: str) -> None:
    print(f"[documents] {message}", file=sys.stderr, flush=True)


# --- Generation ----------------------------------------------------------------------------


@dataclass
class Issuer:
    name: str
    code: str
    abbreviation: str
    volume: int  # documents a year, for plausible numbers
    agency_id: int | None = None


def _weighted(table: Mapping[str, float]) -> tuple[list[str], list[float]]:
    keys = list(table)
    cumulative: list[float] = []
    total = 0.0
    for key in keys:
        total += table[key]
        cumulative.append(total)
    return keys, cumulative


def _timeline(count: int, today: dt.date, rng: random.Random) -> list[int]:
    """Sorted POSIX times: working days of the last three years before today, 7:00–17:00."""
    first = today - dt.timedelta(days=round(365.25 * YEARS))
    starts = []
    day = first
    while day < today:
        if day.weekday() < 5:
            starts.append(int(dt.datetime.combine(day, dt.time(7), VIETNAM).timestamp()))
        day += dt.timedelta(days=1)
    stamps = [starts[rng.randrange(len(starts))] + rng.randrange(36_000) for _ in range(count)]
    stamps.sort()
    return stamps


class _Fields:
    """What `services.common.search_text` reads of a document, without a model instance."""

    __slots__ = ("issuer_code", "issuer_name", "notation", "number", "subject")

    def __init__(self) -> None:
        self.number = self.notation = self.subject = self.issuer_name = self.issuer_code = ""

    @property
    def reference(self) -> str:
        if self.number and self.notation:
            return f"{self.number}/{self.notation}"
        return self.number or self.notation


@dataclass
class Writer:
    """The tables of one load and its running state (ids, counters, timings)."""

    cursor: Any
    documents: CopyTable
    assignments: CopyTable
    approvals: CopyTable
    versions: CopyTable
    files: CopyTable
    recipients: CopyTable
    next_id: int
    next_version_id: int
    search_text: Callable[[Any], str]
    #: Make the search index rows in processes of their own, a batch of documents each in turn.
    index_workers: list[IndexWorker]
    counters: dict[tuple[int, int], int] = field(default_factory=dict)
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    _indexed: list[tuple[str, Any]] | None = None

    def flush(self) -> None:
        for table in (
            self.documents,
            self.assignments,
            self.approvals,
            self.versions,
            self.files,
            self.recipients,
        ):
            table.flush(self.cursor)

    def next_number(self, register: int, year: int) -> int:
        key = (register, year)
        number = self.counters.get(key, 0) + 1
        self.counters[key] = number
        return number

    def entry(self, doc: dict[str, Any]) -> None:
        """The document's search index row: what the indexer reads of it goes to the worker."""
        if self._indexed is None:
            defaults = dict(self.documents.pairs)
            self._indexed = [(f, defaults[f]) for f in self.index_workers[0].fields]
        worker = self.index_workers[doc["id"] // IndexWorker.BATCH % len(self.index_workers)]
        worker.add({f: doc.get(f, default) for f, default in self._indexed})


class IndexRows:
    """Search index rows made by the indexer's own functions (`search.indexing`: `_row`,
    `_values`, `_COLUMNS`, `word_scope`, `_DOCUMENT_FIELDS`) from the values of a document,
    without file text (the generated documents have none).

    `check_index_sample` compares the result with what `index_documents` writes.
    """

    def __init__(self) -> None:
        from django.utils import timezone

        from tinhso.documents.models import Document
        from tinhso.documents.search import indexing

        try:
            self.fields: tuple[str, ...] = tuple(indexing._DOCUMENT_FIELDS)
            self.columns = [*indexing._COLUMNS, *TERM_COLUMNS]
            self._row = indexing._row
            self._values = indexing._values
            self._scope = indexing.word_scope
            self._words = indexing.row_words
        except AttributeError as exc:
            raise SystemExit(
                f"search.indexing changed ({exc}): bench/documents.py must follow"
            ) from exc
        self._document = Document
        self._now = timezone.now()

    @staticmethod
    def memoize() -> None:
        """Remember the per-word functions of `search.terms` in this process (a worker's): they
        are pure, and the same words come back all the time."""
        from functools import lru_cache

        from tinhso.documents.search import terms

        names = vars(terms)
        names["exact_key"] = lru_cache(maxsize=None)(names["exact_key"])
        names["fold"] = lru_cache(maxsize=100_000)(names["fold"])

    def make(self, values: dict[str, Any]) -> list[Any]:
        # A document as `.only(*_DOCUMENT_FIELDS)` loads it, without the model's __init__ (a
        # fifth of the time here): its fields are plain attributes of the instance.
        document = self._document.__new__(self._document)
        document.__dict__.update(values)
        row = self._row(document, (), {})
        words = self._words(row)
        return [*self._values(row, self._now), words, row.terms.exact_tsvector()]


#: The index row's full-text columns (PostgreSQL only, absent from the model).
TERM_COLUMNS = ("words", "exact")


class IndexWorker:
    """A process of its own that makes the search index rows and COPYs them on a connection
    of its own: they are half the CPU time of a document, and the load has two cores (fork:
    it shares the parent's imports, and never touches the parent's connection)."""

    BATCH = 2000

    def __init__(self, connect: Callable[[], Any]) -> None:
        import multiprocessing

        from tinhso.documents.models.search import SearchEntry

        rows = IndexRows()
        self.fields = rows.fields
        names = ", ".join(f'"{c}"' for c in rows.columns)
        sql = f"COPY {SearchEntry._meta.db_table} ({names}) FROM STDIN"
        context = multiprocessing.get_context("fork")
        self._queue: Any = context.Queue(maxsize=8)
        self._batch: list[dict[str, Any]] = []
        self.count = 0
        self._process = context.Process(
            target=self._run, args=(self._queue, sql, connect, rows), daemon=True
        )
        self._process.start()

    def add(self, values: dict[str, Any]) -> None:
        self._batch.append(values)
        self.count += 1
        if len(self._batch) >= self.BATCH:
            self._put(self._batch)
            self._batch = []

    def _put(self, item: Any) -> None:
        import queue

        while True:
            try:
                self._queue.put(item, timeout=1)
                return
            except queue.Full:
                if not self._process.is_alive():
                    raise SystemExit("the index-row process stopped (see above)") from None

    def close(self, failed: bool) -> None:
        """Wait for the rows to be written and committed; on a failure, stop the process."""
        if failed:
            self._process.terminate()
            self._process.join()
            return
        if self._batch:
            self._put(self._batch)
        self._put(None)
        self._process.join()
        if self._process.exitcode != 0:
            raise SystemExit("the index-row process failed (see above)")

    @staticmethod
    def _run(jobs: Any, sql: str, connect: Callable[[], Any], rows: IndexRows) -> None:
        rows.memoize()
        with connect() as connection, connection.cursor().copy(sql) as copy:
            while (batch := jobs.get()) is not None:
                for values in batch:
                    copy.write_row(rows.make(values))


def generate_documents(
    w: Writer,
    agencies: Sequence[AgencyInfo],
    count: int,
    rng: random.Random,
    communes: Sequence[str],
) -> dict[str, int]:
    """COPY `count` documents in time order, with their assignments, approvals and index rows."""
    from tinhso.documents.kinds import LETTER_TYPES, TYPES_BY_CODE
    from tinhso.documents.numbering import build_notation, format_number

    today = dt.datetime.now(VIETNAM).date()
    agency_weights = [AGENCY_WEIGHTS[a.kind] for a in agencies]
    # Who issues to whom: outside issuers, the province's agencies (not the receiver itself).
    province_issuers = [
        Issuer(
            a.name,
            a.code,
            a.short_name,
            8000 if a.kind == "committee" else 3000 if a.kind != "commune" else 600,
            a.id,
        )
        for a in agencies
    ]
    outside = [Issuer(*spec) for spec in OUTSIDE_ISSUERS]
    in_types, in_cum = _weighted(INCOMING_TYPES)
    out_types, out_cum = _weighted(OUTGOING_TYPES)
    urgencies, urg_cum = _weighted(URGENCIES)
    agency_names = [a.name for a in agencies if a.kind != "commune"]
    contexts = {
        year: subjects.Context(year, communes, agency_names)
        for year in range(today.year - YEARS - 1, today.year + 1)
    }
    stamps = _timeline(count, today, rng)
    chosen = rng.choices(agencies, weights=agency_weights, k=count)
    stats = {"incoming": 0, "outgoing": 0, "assignments": 0, "approvals": 0}
    fields = _Fields()
    started = time.perf_counter()
    for i, stamp in enumerate(stamps):
        a = chosen[i]
        at = dt.datetime.fromtimestamp(stamp, VIETNAM)
        day = at.date()
        age = (today - day).days
        doc_id = w.next_id
        w.next_id += 1
        departments = a.working_departments
        department_id, department_short = departments[rng.randrange(len(departments))]
        doc: dict[str, Any] = {
            "id": doc_id,
            "agency_id": a.id,
            "created_at": at,
            "updated_at": at,
        }
        if rng.random() < INCOMING_SHARE:
            stats["incoming"] += 1
            doc_type = rng.choices(in_types, cum_weights=in_cum)[0]
            issuer = (
                outside[rng.randrange(len(outside))]
                if rng.random() < 0.45
                else province_issuers[rng.randrange(len(province_issuers))]
            )
            if issuer.agency_id == a.id:
                issuer = outside[rng.randrange(len(outside))]
            issued_on = day - dt.timedelta(days=rng.choice((0, 1, 1, 2, 2, 3, 5, 7)))
            unit = rng.choice(LETTER_UNITS) if doc_type in LETTER_TYPES else ""
            abbreviation = TYPES_BY_CODE[doc_type].abbreviation
            notation = "-".join(p for p in (abbreviation, issuer.abbreviation, unit) if p)
            doy = issued_on.timetuple().tm_yday
            number = str(max(1, int(doy * issuer.volume / 365 * rng.uniform(0.85, 1.15))))
            status = _incoming_status(rng, age)
            clerk = a.clerks[rng.randrange(len(a.clerks))]
            fields.number, fields.notation = number, notation
            fields.issuer_name, fields.issuer_code = issuer.name, issuer.code
            doc.update(
                direction="incoming",
                status=status,
                # What waits in the clerk's queue arrived electronically.
                source=rng.choice(
                    ("electronic", "exchange")
                    if status == "received"
                    else ("paper", "electronic", "electronic", "exchange")
                ),
                doc_type=doc_type,
                number=number,
                notation=notation,
                issued_on=issued_on,
                urgency=rng.choices(urgencies, cum_weights=urg_cum)[0],
                page_count=rng.randint(1, 12),
                issuer_name=issuer.name,
                issuer_code=issuer.code,
                issuer_agency_id=issuer.agency_id,
                created_by_id=clerk,
            )
            if status not in ("received", "refused"):
                year = day.year
                doc.update(
                    register_id=a.incoming_register,
                    year=year,
                    register_number=w.next_number(a.incoming_register, year),
                    registered_at=at,
                )
            if status in ("assigned", "in_progress", "completed"):
                doc["department_id"] = department_id
                doc["due_on"] = day + dt.timedelta(days=rng.randint(7, 20))
            if status == "completed":
                doc["completed_at"] = min(
                    at + dt.timedelta(days=rng.uniform(0.5, 20)), w.now.astimezone(VIETNAM)
                )
            stats["assignments"] += _assignments(w, rng, a, doc, department_id, clerk)
        else:
            stats["outgoing"] += 1
            doc_type = rng.choices(out_types, cum_weights=out_cum)[0]
            status = _outgoing_status(rng, age)
            drafters = a.specialists.get(department_id) or a.heads.get(department_id) or a.clerks
            drafter = drafters[rng.randrange(len(drafters))]
            signer_id, signer_name, signer_position = a.leaders[rng.randrange(len(a.leaders))]
            number = notation = ""
            doc.update(
                direction="outgoing",
                status=status,
                source="electronic",
                department_id=department_id,
                doc_type=doc_type,
                urgency=rng.choices(urgencies, cum_weights=urg_cum)[0],
                page_count=rng.randint(1, 8),
                copies=rng.randint(2, 30),
                issuer_name=a.name,
                issuer_code=a.code,
                issuer_agency_id=a.id,
                signer_id=signer_id,
                signer_name=signer_name,
                signer_position=signer_position,
                created_by_id=drafter,
            )
            if status in ("issued", "recalled"):
                year = day.year
                register_number = w.next_number(a.outgoing_register, year)
                number = format_number(register_number)
                notation = build_notation(doc_type, a.short_name, department_short)
                doc.update(
                    register_id=a.outgoing_register,
                    year=year,
                    register_number=register_number,
                    number=number,
                    notation=notation,
                    issued_on=day,
                    registered_at=at,
                )
                if status == "recalled":
                    doc["recalled_at"] = at + dt.timedelta(days=rng.randint(1, 10))
                    doc["recall_reason"] = "Văn bản ban hành sai thể thức, thu hồi để ban hành lại."
            fields.number, fields.notation = number, notation
            fields.issuer_name, fields.issuer_code = a.name, a.code
            stats["approvals"] += _approvals(w, rng, a, doc, department_id, signer_id, at)
        year_context = contexts[day.year]
        fields.subject = subjects.styled(rng, subjects.subject(rng, doc_type, year_context))
        doc["subject"] = fields.subject
        doc["search_text"] = w.search_text(fields)
        w.documents.add(doc)
        w.entry(doc)
        if (i + 1) % BATCH == 0:
            w.flush()
            if (i + 1) % 100_000 == 0:
                _say(f"{i + 1:,} documents ({time.perf_counter() - started:.0f} s)")
    w.flush()
    return stats


def _incoming_status(rng: random.Random, age: int) -> str:
    roll = rng.random()
    if roll < 0.01:
        return "refused"
    if age > 45:
        return (
            "completed"
            if roll < 0.89
            else "in_progress"
            if roll < 0.93
            else "assigned"
            if roll < 0.97
            else "presented"
            if roll < 0.98
            else "registered"
        )
    return ("received", "registered", "registered", "presented", "presented", "assigned",
            "assigned", "in_progress", "in_progress", "completed")[int(roll * 10)]  # fmt: skip


def _outgoing_status(rng: random.Random, age: int) -> str:
    roll = rng.random()
    if age > 30:
        return "recalled" if roll < 0.003 else "issued"
    return ("draft", "in_review", "returned", "issued", "issued", "issued", "issued", "issued",
            "issued", "issued")[int(roll * 10)]  # fmt: skip


def _assignments(
    w: Writer,
    rng: random.Random,
    a: AgencyInfo,
    doc: dict[str, Any],
    department_id: int,
    clerk: int,
) -> int:
    """Presentation to a leader, then the main processor (and sometimes a co-processor)."""
    status = doc["status"]
    if status in ("received", "refused", "registered"):
        return 0
    at = doc["created_at"]
    leader = a.leaders[rng.randrange(len(a.leaders))][0]
    routed = status != "presented"
    w.assignments.add(
        {
            "document_id": doc["id"],
            "assignee_id": leader,
            "role": "main",
            "is_presentation": True,
            "status": "done" if routed else "waiting",
            "assigned_by_id": clerk,
            "assigned_at": at,
            "seen_at": at if routed else None,
            "completed_at": at + dt.timedelta(hours=2) if routed else None,
        }
    )
    if not routed:
        return 1
    staff = a.specialists.get(department_id) or a.heads.get(department_id) or [leader]
    done = status == "completed"
    rows = 1
    for role in ("main", "support") if rng.random() < 0.25 else ("main",):
        w.assignments.add(
            {
                "document_id": doc["id"],
                "assignee_id": staff[rng.randrange(len(staff))],
                "department_id": department_id,
                "role": role,
                "status": "done" if done else "in_progress" if status == "in_progress" else "seen",
                "direction": "Đề nghị tham mưu xử lý theo quy định." if role == "main" else "",
                "due_on": doc.get("due_on"),
                "assigned_by_id": leader,
                "assigned_at": at + dt.timedelta(hours=3),
                "seen_at": at + dt.timedelta(hours=5),
                "completed_at": doc.get("completed_at") if done else None,
            }
        )
        rows += 1
    return rows


def _approvals(
    w: Writer,
    rng: random.Random,
    a: AgencyInfo,
    doc: dict[str, Any],
    department_id: int,
    signer: int,
    at: dt.datetime,
) -> int:
    """The default chain (Điều 13–14 as configured): the department head, then the signer."""
    status = doc["status"]
    if status == "draft":
        return 0
    heads = a.heads.get(department_id) or [signer]
    head = heads[rng.randrange(len(heads))]
    first = "returned" if status == "returned" else "approved"
    second = "waiting" if status in ("in_review", "returned") else "approved"
    w.approvals.add(
        {
            "document_id": doc["id"],
            "round": 1,
            "order": 1,
            "kind": "department_head",
            "department_id": department_id,
            "decision": first,
            "decided_by_id": head,
            "decided_at": at - dt.timedelta(days=1),
        }
    )
    if status == "returned":
        return 1
    w.approvals.add(
        {
            "document_id": doc["id"],
            "round": 1,
            "order": 2,
            "kind": "signer",
            "approver_id": signer,
            "decision": second,
            "decided_by_id": signer if second == "approved" else None,
            "decided_at": at - dt.timedelta(hours=3) if second == "approved" else None,
        }
    )
    return 2


def generate_approved(
    w: Writer,
    issuing: Sequence[AgencyInfo],
    everyone: Sequence[AgencyInfo],
    count: int,
    rng: random.Random,
    communes: Sequence[str],
    pdfs: dict[int, int],
) -> list[tuple[int, int]]:
    """`count` approved outgoing documents waiting for their number: (document id, agency id).

    Half belong to the People's Committee (the most contended register), the rest to three
    departments; each has a PDF draft version and recipients in and outside the province.
    """
    now = w.now.astimezone(VIETNAM)
    out_types, out_cum = _weighted(OUTGOING_TYPES)
    context = subjects.Context(now.year, communes, [a.name for a in everyone])
    fields = _Fields()
    made: list[tuple[int, int]] = []
    weights = [3.0] + [1.0] * (len(issuing) - 1)
    for _ in range(count):
        a = rng.choices(issuing, weights=weights)[0]
        departments = a.working_departments
        department_id, _short = departments[rng.randrange(len(departments))]
        drafters = a.specialists.get(department_id) or a.heads.get(department_id) or a.clerks
        drafter = drafters[rng.randrange(len(drafters))]
        signer_id, signer_name, signer_position = a.leaders[rng.randrange(len(a.leaders))]
        doc_type = rng.choices(out_types, cum_weights=out_cum)[0]
        at = now - dt.timedelta(days=rng.uniform(0.2, 10))
        fields.number = fields.notation = ""
        fields.issuer_name, fields.issuer_code = a.name, a.code
        fields.subject = subjects.styled(rng, subjects.subject(rng, doc_type, context))
        doc_id = w.next_id
        w.next_id += 1
        doc = {
            "id": doc_id,
            "agency_id": a.id,
            "direction": "outgoing",
            "status": "approved",
            "source": "electronic",
            "department_id": department_id,
            "doc_type": doc_type,
            "subject": fields.subject,
            "urgency": "thuong",
            "page_count": rng.randint(1, 6),
            "copies": rng.randint(2, 20),
            "issuer_name": a.name,
            "issuer_code": a.code,
            "issuer_agency_id": a.id,
            "signer_id": signer_id,
            "signer_name": signer_name,
            "signer_position": signer_position,
            "created_by_id": drafter,
            "created_at": at,
            "updated_at": at,
            "search_text": w.search_text(fields),
        }
        w.documents.add(doc)
        w.entry(doc)
        _approvals(w, rng, a, doc, department_id, signer_id, at + dt.timedelta(hours=6))
        version_id = w.next_version_id
        w.next_version_id += 1
        pdf = pdfs[a.id]
        w.versions.add(
            {
                "id": version_id,
                "document_id": doc_id,
                "number": 1,
                "file_id": pdf,
                "created_by_id": drafter,
                "created_at": at,
            }
        )
        w.files.add(
            {
                "document_id": doc_id,
                "file_id": pdf,
                "role": "draft",
                "version_id": version_id,
                "added_by_id": drafter,
                "added_at": at,
            }
        )
        for r in rng.sample(everyone, rng.randint(1, 2)):
            if r.id != a.id:
                w.recipients.add(
                    {"document_id": doc_id, "agency_id": r.id, "name": r.name, "code": r.code}
                )
        if rng.random() < 0.3:
            name, code, _abbr, _volume = OUTSIDE_ISSUERS[rng.randrange(10)]
            w.recipients.add(
                {"document_id": doc_id, "name": name, "code": code, "is_internal": False}
            )
        made.append((doc_id, a.id))
        if len(made) % BATCH == 0:
            w.flush()
    w.flush()
    return made


def _pdf_files(agencies: Sequence[AgencyInfo]) -> dict[int, int]:
    """One stored PDF per issuing agency, uploaded by one of its specialists (the drafts)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tinhso.accounts.models import User
    from tinhso.files.services import file_store

    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    found = {}
    for a in agencies:
        staff = next(iter(v for v in a.specialists.values() if v), a.clerks)
        user = User.objects.get(pk=staff[0])
        upload = SimpleUploadedFile(f"du-thao-{a.code}.pdf", pdf + a.code.encode())
        found[a.id] = file_store(actor=user, upload=upload).pk
    return found


def _max_id(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608  a constant name
    return int(cursor.fetchone()[0])


def load(agencies: list[AgencyInfo], count: int, issue_count: int, seed: int) -> dict[str, Any]:
    """Write everything; returns what the summary and the request lists need."""
    from django.db import connection

    from tinhso.documents.models import (
        ApprovalStep,
        Assignment,
        Document,
        DocumentFile,
        DraftVersion,
        NumberCounter,
        Recipient,
    )
    from tinhso.documents.models.search import SearchEntry
    from tinhso.documents.services.common import search_text

    rng = random.Random(seed)
    communes = [a.name.removeprefix("Ủy ban nhân dân ") for a in agencies if a.kind == "commune"]
    by_size = busiest_first(agencies)
    issuing = [a for a in by_size if a.kind == "committee"][:1] + [
        a for a in by_size if a.kind == "department"
    ][:3]
    pdfs = _pdf_files(issuing)
    tables = {
        "documents": CopyTable(Document, with_id=True),
        "assignments": CopyTable(Assignment),
        "approvals": CopyTable(ApprovalStep),
        "versions": CopyTable(DraftVersion, with_id=True),
        "files": CopyTable(DocumentFile),
        "recipients": CopyTable(Recipient),
    }
    names = [*(t.table for t in tables.values()), SearchEntry._meta.db_table]
    registers = [r for a in agencies for r in (a.incoming_register, a.outgoing_register)]
    if NumberCounter.objects.filter(register_id__in=registers).exists():
        raise SystemExit("the registers already have numbers: generate into a fresh database")
    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        triggers_off = bool(cursor.fetchone()[0])
        session = [
            "SET synchronous_commit = off",
            "SET maintenance_work_mem = '512MB'",
            # Foreign keys are checked by a trigger per row and key; the data is consistent
            # by construction, and a superuser may switch the triggers off for the load.
            *(["SET session_replication_role = replica"] if triggers_off else []),
        ]
        for statement in session:
            cursor.execute(statement)
        indexes = _secondary_indexes(cursor, names)
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")

        def connect() -> Any:
            import psycopg

            settings = connection.settings_dict
            params = {
                "dbname": settings["NAME"],
                "user": settings["USER"],
                "password": settings["PASSWORD"],
                "host": settings["HOST"],
                "port": settings["PORT"],
            }
            raw = psycopg.connect(**{k: v for k, v in params.items() if v})
            for statement in session:
                raw.execute(statement)
            return raw

        stack = ExitStack()
        for big in ("documents", "assignments", "approvals"):
            tables[big].stream(stack, connect)
        workers = [IndexWorker(connect) for _ in range(INDEX_WORKERS)]
        for worker in workers:
            stack.push(lambda kind, _exc, _tb, worker=worker: worker.close(failed=kind is not None))
        w = Writer(
            cursor=cursor,
            next_id=_max_id(cursor, Document._meta.db_table) + 1,
            next_version_id=_max_id(cursor, DraftVersion._meta.db_table) + 1,
            search_text=search_text,
            index_workers=workers,
            documents=tables["documents"],
            assignments=tables["assignments"],
            approvals=tables["approvals"],
            versions=tables["versions"],
            files=tables["files"],
            recipients=tables["recipients"],
        )
        first_id = w.next_id
        started, cpu = time.perf_counter(), time.process_time()
        with stack:  # the streams' COPYs end and commit here
            stats = generate_documents(w, agencies, count, rng, communes)
            last_generated = w.next_id - 1
            timings["documents_seconds"] = round(time.perf_counter() - started, 1)
            mark = time.perf_counter()
            approved = generate_approved(w, issuing, agencies, issue_count, rng, communes, pdfs)
            timings["approved_seconds"] = round(time.perf_counter() - mark, 1)
        timings["generate_cpu_seconds"] = round(time.process_time() - cpu, 1)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        timings["index_terms_cpu_seconds"] = round(children.ru_utime + children.ru_stime, 1)
        timings["copy_seconds"] = round(time.perf_counter() - started, 1)
        counters = CopyTable(NumberCounter)
        for (register_id, year), last in w.counters.items():
            counters.add({"register_id": register_id, "year": year, "last": last})
        counters.flush(cursor)
        for table, sequence_table in (("documents", Document), ("versions", DraftVersion)):
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608  constant names
                f"(SELECT GREATEST(MAX(id), 1) FROM {tables[table].table}))",
                [sequence_table._meta.db_table],
            )
        if triggers_off:
            cursor.execute("SET session_replication_role = origin")
        mark = time.perf_counter()
        _say(f"indexes: creating {len(indexes)} again, two at a time")
        # The full-text (GIN) index first: the longest, and PostgreSQL builds it on one core.
        indexes.sort(key=lambda index: " USING gin " not in index[1])

        def create(definition: str) -> None:
            with connect() as raw:
                raw.execute(definition)

        with ThreadPoolExecutor(max_workers=2) as pool:
            for future in [pool.submit(create, definition) for _name, definition in indexes]:
                future.result()
        timings["index_seconds"] = round(time.perf_counter() - mark, 1)
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        for name in [*names, "documents_numbercounter"]:
            cursor.execute(f"VACUUM ANALYZE {name}")
    timings["vacuum_seconds"] = round(time.perf_counter() - mark, 1)
    return {
        "stats": stats,
        "timings": timings,
        "first_id": first_id,
        "last_generated_id": last_generated,
        "approved": approved,
        "issuing": issuing,
        "by_size": by_size,
        "communes": communes,
        "triggers_off": triggers_off,
    }


def check_index_sample(first_id: int, last_id: int, seed: int, size: int = 200) -> str:
    """Index a sample again with `index_documents` and compare with the rows COPY wrote."""
    from django.db import connection

    from tinhso.documents.search import index_documents

    rng = random.Random(seed)
    ids = sorted({rng.randint(first_id, last_id) for _ in range(size)})

    def read() -> dict[int, dict[str, Any]]:
        """Every column but the time of indexing (tsvectors as text)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM documents_searchentry WHERE document_id = ANY(%s)", [ids])
            names = [c.name for c in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        for row in rows:
            row.pop("indexed_at", None)
        return {row["document_id"]: row for row in rows}

    before = read()
    index_documents(ids, read_files=False)
    after = read()
    differ = [i for i in ids if before.get(i) != after.get(i)]
    if differ:
        raise SystemExit(
            f"the index rows written by COPY differ from index_documents for {len(differ)} of "
            f"{len(ids)} documents (first: {differ[0]}: {before.get(differ[0])} against "
            f"{after.get(differ[0])}); bench/documents.py must follow the indexer"
        )
    return f"{len(ids)} index rows identical to index_documents"


# --- Request lists -----------------------------------------------------------------------------


def _users(ids: Sequence[int]) -> list[Any]:
    from tinhso.accounts.models import User

    found = User.objects.in_bulk(list(ids))
    return [found[i] for i in ids if i in found]


def write_search_sessions(out: Path, by_size: Sequence[AgencyInfo]) -> list[Any]:
    """Sessions of the searchers, one cookie a line in `documents_search_cookies.txt`.

    A leader and a registry clerk of each of the six busiest agencies (they see all of its
    documents), and four specialists of their departments (their department's).
    Administrators must pass the second factor first (a session without it gets 403): none.
    """
    from onestop import _session

    from tinhso.accounts.two_factor import requires_two_factor

    def usable(ids: Sequence[int], wanted: int) -> list[Any]:
        return [u for u in _users(ids) if not requires_two_factor(u)][:wanted]

    users: list[Any] = []
    for a in by_size[:6]:
        users += usable([leader for leader, _name, _position in a.leaders], 1)
        users += usable(a.clerks, 1)
    for a in by_size[:4]:
        users += usable([u for staff in a.specialists.values() for u in staff[:3]], 1)
    (out / "documents_search_cookies.txt").write_text(
        "\n".join(_session(u) for u in users) + "\n", encoding="utf-8"
    )
    return users


def busiest_first(agencies: Sequence[AgencyInfo]) -> list[AgencyInfo]:
    """The agencies, the busiest first (the generator gives each kind its share)."""
    return sorted(agencies, key=lambda a: (-AGENCY_WEIGHTS[a.kind], a.id))


def request_lists(out: Path, loaded: dict[str, Any], seed: int) -> dict[str, Any]:
    from onestop import _token

    from tinhso.documents.kinds import LETTER_TYPES, TYPES_BY_CODE

    rng = random.Random(seed + 1)
    by_size: list[AgencyInfo] = loaded["by_size"]
    today = dt.datetime.now(VIETNAM).date()

    users = write_search_sessions(out, by_size)
    queries = subjects.search_pairs(rng, 1000, loaded["communes"])
    (out / "documents_search.txt").write_text(
        "\n".join(
            "/api/v1/documents/search/?" + urllib.parse.urlencode({"q": q}) for _k, q in queries
        )
        + "\n",
        encoding="utf-8",
    )

    # Registration: two clerks of each of the eight busiest agencies, 250 documents each.
    clerks = [(a, c) for a in by_size[:8] for c in a.clerks[:2]]
    clerk_users = _users([c for _a, c in clerks])
    tokens = {u.pk: _token(u) for u in clerk_users}
    outside = [spec for spec in OUTSIDE_ISSUERS if spec[1]]
    lines = []
    context = subjects.Context(today.year, loaded["communes"], [a.name for a in by_size[:30]])
    in_types, in_cum = _weighted(INCOMING_TYPES)
    for _agency, clerk in clerks:
        for _ in range(250):
            name, code, abbreviation, _volume = outside[rng.randrange(len(outside))]
            doc_type = rng.choices(in_types, cum_weights=in_cum)[0]
            kind = TYPES_BY_CODE[doc_type].abbreviation
            unit = rng.choice(LETTER_UNITS) if doc_type in LETTER_TYPES else ""
            body = {
                "issuer_name": name,
                "issuer_code": code,
                "number": "__NUMBER__",
                "notation": "-".join(p for p in (kind, abbreviation, unit) if p),
                "date": (today - dt.timedelta(days=rng.randint(0, 10))).isoformat(),
                "type": doc_type,
                "subject": subjects.styled(rng, subjects.subject(rng, doc_type, context)),
                "urgency": rng.choice(("thuong", "thuong", "thuong", "khan")),
                "page_count": rng.randint(1, 10),
                "files": [],
            }
            lines.append(
                f"POST\t/api/v1/documents/incoming/\tBearer {tokens[clerk]}\t"
                + json.dumps(body, ensure_ascii=False)
            )
    rng.shuffle(lines)
    (out / "documents_register.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    # Issuing: one request per approved document, by a clerk of its agency, in random order.
    issuers: dict[int, list[str]] = {}
    for a in loaded["issuing"]:
        clerk_ids = a.clerks[:2]
        issuers[a.id] = [_token(u) for u in _users(clerk_ids)]
    approved = list(loaded["approved"])
    rng.shuffle(approved)
    issue_lines = [
        f"POST\t/api/v1/documents/outgoing/{doc_id}/issue/\t"
        f"Bearer {issuers[agency_id][n % len(issuers[agency_id])]}\t{{}}"
        for n, (doc_id, agency_id) in enumerate(approved)
    ]
    (out / "documents_issue.tsv").write_text("\n".join(issue_lines) + "\n", encoding="utf-8")
    return {
        "searchers": len(users),
        "search_queries": len(queries),
        "registration_clerks": len(clerks),
        "registration_bodies": len(lines),
        "issue_requests": len(issue_lines),
        "issuing_agencies": [a.code for a in loaded["issuing"]],
    }


# --- The numbering check -------------------------------------------------------------------------


def check_numbers(out: Path | None) -> dict[str, Any]:
    """Per (register, year): numbers 1…n, each once, and the counter at n."""
    from django.db import connection

    summary = {}
    if out is not None and (out / "documents.json").exists():
        summary = json.loads((out / "documents.json").read_text(encoding="utf-8"))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH n AS (
                SELECT d.register_id, d.year, MIN(r.direction) AS direction, COUNT(*) AS c,
                       COUNT(DISTINCT d.register_number) AS distinct_numbers,
                       MIN(d.register_number) AS lo, MAX(d.register_number) AS hi
                  FROM documents_document d JOIN documents_register r ON r.id = d.register_id
                 WHERE d.register_number IS NOT NULL
                 GROUP BY d.register_id, d.year
            )
            SELECT COALESCE(n.register_id, k.register_id), COALESCE(n.year, k.year),
                   n.direction, COALESCE(n.c, 0), COALESCE(n.distinct_numbers, 0),
                   n.lo, n.hi, k.last
              FROM n FULL JOIN documents_numbercounter k
                ON k.register_id = n.register_id AND k.year = n.year
            """
        )
        rows = cursor.fetchall()
        # The printed number of an issued document is its number in the register (Phụ lục I).
        cursor.execute(
            "SELECT COUNT(*) FROM documents_document WHERE direction = 'outgoing' "
            "AND register_number IS NOT NULL "
            "AND number <> LPAD(register_number::text, GREATEST(2, LENGTH(register_number::text)), '0')"
        )
        misprinted = int(cursor.fetchone()[0])
        issued_in_run = registered_in_run = 0
        if summary:
            cursor.execute(
                "SELECT COUNT(*) FILTER (WHERE status = 'issued' AND id BETWEEN %s AND %s), "
                "COUNT(*) FILTER (WHERE direction = 'incoming' AND register_number IS NOT NULL "
                "AND id > %s) FROM documents_document WHERE id >= %s",
                [
                    summary["first_issue_id"],
                    summary["last_issue_id"],
                    summary["last_issue_id"],
                    summary["first_issue_id"],
                ],
            )
            issued_in_run, registered_in_run = (int(x) for x in cursor.fetchone())
    duplicates = gaps = counter_off = 0
    problems: list[str] = []
    numbered = 0
    for register_id, year, _direction, c, distinct, lo, hi, last in rows:
        numbered += c
        trouble = []
        if c != distinct:
            duplicates += c - distinct
            trouble.append(f"{c - distinct} duplicate(s)")
        if c and (lo != 1 or hi != distinct):
            gaps += (hi or 0) - distinct
            trouble.append(f"numbers {lo}…{hi} for {distinct} distinct: gaps")
        if (last or 0) != (hi or 0):
            counter_off += 1
            trouble.append(f"counter at {last}, last number {hi}")
        if trouble:
            problems.append(f"register {register_id}/{year}: " + ", ".join(trouble))
    ok = not problems and misprinted == 0
    verdict = (
        f"numbering OK: {len(rows):,} register-years, {numbered:,} numbers, no duplicate, "
        f"no gap, every counter at its last number; {issued_in_run:,} issued and "
        f"{registered_in_run:,} registered during the run"
        if ok
        else f"numbering WRONG: {duplicates} duplicate(s), {gaps} missing number(s), "
        f"{counter_off} counter(s) off, {misprinted} misprinted number(s); "
        + "; ".join(problems[:5])
    )
    return {
        "ok": ok,
        "note": verdict,
        "register_years": len(rows),
        "numbers": numbered,
        "duplicates": duplicates,
        "gaps": gaps,
        "counters_off": counter_off,
        "misprinted": misprinted,
        "issued_in_run": issued_in_run,
        "registered_in_run": registered_in_run,
    }


# --- Main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="documents, index rows, request lists")
    gen.add_argument("--documents", type=int, default=1_000_000)
    gen.add_argument(
        "--issue-documents",
        type=int,
        default=60_000,
        help="approved outgoing documents for the issuing benchmark (each is issued once)",
    )
    gen.add_argument("--seed", type=int, default=20261126)
    gen.add_argument("--out", type=Path, required=True)
    ses = sub.add_parser(
        "sessions",
        help="new sessions for the searchers of a generated database (documents_search_cookies.txt)",
    )
    ses.add_argument("--out", type=Path, required=True)
    chk = sub.add_parser("check-numbers", help="print the numbering verdict as one JSON line")
    chk.add_argument("--out", type=Path, help="the directory holding documents.json")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench/documents.py needs PostgreSQL (DATABASE_URL)")
    if args.command == "check-numbers":
        print(json.dumps(check_numbers(args.out), ensure_ascii=False))
        return 0

    if args.command == "sessions":
        users = write_search_sessions(args.out, busiest_first(load_province()))
        print(json.dumps({"searchers": len(users)}))
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    agencies = load_province()
    create_registers(agencies)
    _say(f"{args.documents:,} documents over {len(agencies)} agencies, then {args.issue_documents:,} approved ones")  # fmt: skip
    loaded = load(agencies, args.documents, args.issue_documents, args.seed)
    approved = loaded["approved"]
    index_check = check_index_sample(loaded["first_id"], loaded["last_generated_id"], args.seed)
    _say(index_check)
    info = request_lists(args.out, loaded, args.seed)
    summary = {
        "documents": args.documents,
        "issue_documents": len(approved),
        **loaded["stats"],
        "first_id": loaded["first_id"],
        "last_generated_id": loaded["last_generated_id"],
        "first_issue_id": approved[0][0] if approved else loaded["last_generated_id"] + 1,
        "last_issue_id": approved[-1][0] if approved else loaded["last_generated_id"],
        **loaded["timings"],
        "foreign_key_triggers_off": loaded["triggers_off"],
        "index_check": index_check,
        "total_seconds": round(time.perf_counter() - started, 1),
        **info,
    }
    (args.out / "documents.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
