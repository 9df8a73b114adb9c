"""Searching documents: one interface over PostgreSQL full-text search and SQLite FTS5.

A search finds the documents holding every word of the query (folded: "quyet dinh bo nhiem"
finds "Quyết định bổ nhiệm"), among those the actor may see and that pass the filters. Very
common words match a large part of a province's documents, so a search never ranks or counts
them all: it takes a window of at most `WINDOW` + 1 matches (on PostgreSQL the newest, see
`_page_postgresql`; on SQLite, which holds a commune's documents, the best by bm25), ranks
those, and reports "more than `WINDOW`" when the window is full. The page's documents, and
their snippets, are read afterwards for that page only, and checked against the documents'
own visibility then.

Ranking within the window: documents whose words match the query's accented words exactly
("Hòa" for "Hòa" or "Hoà", not "Hoa") come first; then the full-text rank (a word of the
reference weighs more than one of the subject, then of the issuer, then of the files); then
the newest.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from django.db import connection, transaction
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.safestring import SafeString

from tinhso.accounts.access import Actor
from tinhso.documents.access import (
    clerk_agencies,
    leader_agencies,
    related_document_ids,
    visible_where,
    visible_where_listed,
)
from tinhso.documents.models import Document, DocumentFile, DocumentStatus
from tinhso.documents.models.core import reference_of
from tinhso.documents.models.search import FileText, SearchEntry
from tinhso.documents.search.indexing import FTS_TABLE, month_lexeme, word_scope
from tinhso.documents.search.snippets import snippet_and_text
from tinhso.documents.search.terms import ParsedQuery, parse_query, pg_quote
from tinhso.text import fold

#: How many matches a search ranks at most (ten pages of 20); the count beyond is shown as
#: "200+". Ranking (exact accents first) applies among the newest matches: a clerk looking
#: for a document refines the words or the filters rather than reading page 11.
WINDOW: Final = 200
#: PostgreSQL: a search first looks in this month (through the month lexemes of the word
#: index), then in as many months back as the words' rate there asks for, up to this many,
#: before it looks at every date: common words find a window's worth of matches in the last
#: months and read only those from the table.
MAX_MONTHS: Final = 12
#: PostgreSQL: matches read through the word index at most (`_page_postgresql`).
INDEX_CAP: Final = 3000
#: PostgreSQL: rows of an agency walked newest first when the words are common.
WALK: Final = 20_000
MAX_PER_PAGE: Final = 100
#: PostgreSQL: the documents an actor was assigned or reviews, listed by id in the search's
#: condition up to this many (`_visible_where`).
RELATED_IDS_MAX: Final = 2000
#: Characters of each file's text read for a snippet.
SNIPPET_SOURCE_CHARS: Final = 200_000

_ENTRY = SearchEntry._meta.db_table
_DOCUMENT = Document._meta.db_table

#: SQL text and its parameters.
Fragment = tuple[str, list[Any]]


@dataclass(frozen=True, slots=True)
class SearchFilters:
    doc_type: str | None = None
    #: On the document's date: ngày văn bản, else the day it was registered or created.
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    urgency: str | None = None
    status: str | None = None
    agency_id: int | None = None
    direction: str | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: int
    subject: str
    #: "incoming" or "outgoing".
    kind: str
    #: Số, ký hiệu as printed ("15/QĐ-UBND"); empty before a number is given.
    reference: str
    issuer_name: str
    issued_on: dt.date | None
    status: str
    #: HTML: the passage holding the most query words, escaped, matches inside `<mark>`.
    snippet: SafeString
    #: Larger is better: the share of the query's accented words matched exactly (0–1) plus
    #: the full-text rank (PostgreSQL `ts_rank`, SQLite bm25; not comparable across the two).
    rank: float
    #: The same passage as plain text.
    snippet_text: str = ""

    @property
    def status_label(self) -> str:
        try:
            return str(DocumentStatus(self.status).label)
        except ValueError:
            return self.status


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: list[SearchHit]
    page: int
    per_page: int
    #: Matches counted, at most `WINDOW`; `total_exact` is False when there are more.
    total: int
    total_exact: bool

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass(frozen=True, slots=True)
class _Match:
    document_id: int
    exact: float
    rank: float


def search_documents(
    actor: Actor,
    query: str,
    *,
    filters: SearchFilters | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchPage:
    """The page `page` of the documents `actor` may see that match `query` and `filters`.

    A blank query (or one of punctuation only) lists the filtered documents, newest first.
    """
    filters = filters or SearchFilters()
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    parsed = parse_query(query)
    agencies = _agencies(actor, filters)
    visible = _visible_where(actor, agencies)
    if visible is None or not agencies:
        return SearchPage(hits=[], page=1, per_page=per_page, total=0, total_exact=True)
    entries = _visible_entries(visible, agencies, filters)
    if connection.vendor == "postgresql":
        page, matches, in_window = _page_postgresql(entries, agencies, parsed, page, per_page)
    else:
        window = _window_listing(entries) if parsed.is_empty else _window_sqlite(entries, parsed)
        in_window = len(window)
        page = _clamp(page, in_window, per_page)
        matches = window[:WINDOW][(page - 1) * per_page : page * per_page]
    return SearchPage(
        hits=_hits(actor, matches, parsed),
        page=page,
        per_page=per_page,
        total=min(in_window, WINDOW),
        total_exact=in_window <= WINDOW,
    )


def _limit(page: int, per_page: int) -> int:
    return max(1, min(per_page, WINDOW - (page - 1) * per_page))


def _clamp(page: int, in_window: int, per_page: int) -> int:
    pages = max(1, -(-min(in_window, WINDOW) // per_page))
    return max(1, min(page, pages))


def _agencies(actor: Actor, f: SearchFilters) -> list[int]:
    """The agencies whose documents a search looks among: the actor's (and the filter's).

    `documents.access` states it as a rule ("nobody sees another agency's documents"); the
    search relies on it as a condition the indexes answer (the words are indexed per agency,
    `indexing.word_scope`), where the visibility's alternatives, with their subqueries,
    cannot be answered by an index.
    """
    agencies = set(actor.agency_ids)
    if f.agency_id is not None:
        agencies &= {f.agency_id}
    return sorted(agencies)


def _visible_where(actor: Actor, agencies: Sequence[int]) -> tuple[str, tuple[Any, ...]] | None:
    """The actor's visibility on the index rows. On PostgreSQL, an actor who is neither leader
    nor registry clerk of every agency searched (a specialist, a head of department) has the
    documents they were assigned or review listed by id (`access.visible_where_listed`), when
    they are at most `RELATED_IDS_MAX`: otherwise each row the other terms refuse — most rows
    of the agency — would run two subqueries. A leader's or clerk's rows pass the other terms
    but for drafts under review: for them the subqueries rarely run."""
    if connection.vendor == "postgresql" and not set(agencies) <= (
        leader_agencies(actor) | clerk_agencies(actor)
    ):
        ids = related_document_ids(actor, RELATED_IDS_MAX)
        if ids is not None:
            return visible_where_listed(actor, SearchEntry, ids)
    return visible_where(actor, SearchEntry)


def _visible_entries(
    visible: tuple[str, tuple[Any, ...]], agencies: Sequence[int], f: SearchFilters
) -> Fragment:
    """The condition on the index rows (table `documents_searchentry`, unaliased) that the
    actor's visibility (compiled once per process and actor, `access.visible_where`, applied
    to the row's copies of the columns it reads) lets through and the filters pass."""
    sql, params = [f"({visible[0]})"], list(visible[1])
    if connection.vendor != "postgresql" or len(agencies) != 1:
        # On PostgreSQL the words are indexed per agency (`indexing.word_scope`): the query's
        # words name the agency, and a condition on the column would only make the planner
        # read the agency's index as well. The listing and the walk add it (`_in_agencies`).
        sql.append(_in_agencies(agencies))
        params.extend(agencies)
    for column, value in (
        ("doc_type", f.doc_type),
        ("urgency", f.urgency),
        ("status", f.status),
        ("direction", f.direction),
    ):
        if value:
            sql.append(f'"{_ENTRY}"."{column}" = %s')
            params.append(value)
    if f.date_from is not None:
        sql.append(f'"{_ENTRY}"."doc_date" >= %s')
        params.append(f.date_from)
    if f.date_to is not None:
        sql.append(f'"{_ENTRY}"."doc_date" <= %s')
        params.append(f.date_to)
    return " AND ".join(sql), params


def _in_agencies(agencies: Sequence[int]) -> str:
    return f'"{_ENTRY}"."agency_id" IN ({", ".join(["%s"] * len(agencies))})'


def _window_listing(entries: Fragment) -> list[_Match]:
    sql = (
        f'SELECT "{_ENTRY}"."document_id" FROM "{_ENTRY}" WHERE {entries[0]} '  # noqa: S608
        f'ORDER BY "{_ENTRY}"."doc_date" DESC, "{_ENTRY}"."document_id" DESC LIMIT %s'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*entries[1], WINDOW + 1])
        return [_Match(int(row[0]), 0.0, 0.0) for row in cursor.fetchall()]


def _page_postgresql(
    entries: Fragment,
    agencies: Sequence[int],
    parsed: ParsedQuery,
    page: int,
    per_page: int,
) -> tuple[int, list[_Match], int]:
    """The page (clamped), its matches and the number of matches in the window.

    The window is the newest `WINDOW` + 1 matches, read in one of two ways:

    1. through the GIN index, at most `INDEX_CAP` matches in the table's order, then sorted
       by date: when fewer match, these are all the matches (most searches: a few words
       narrow the documents to hundreds);
    2. when that many match (common words), by walking the agency's rows newest first (at
       most `WALK` of them) and testing their words: the walk ends at the window's end,
       after a few thousand rows. A walk that ends short — or would: when the months already
       read hold less than a window's worth of matches in `WALK` rows or more — or an actor
       of several agencies (whose rows no one index orders) keeps the first way's window: the
       newest of the first `INDEX_CAP` matches, counted as "more than `WINDOW`".

    Each way is one query that ranks and pages the window in the database. JIT compilation
    is turned off (it would spend hundreds of milliseconds on plans whose cost the words'
    statistics overestimate), and so are sequential scans: with `LIMIT`, a word the
    statistics call common would make one look cheap, and it would read the whole table for
    the few rows of a small agency.
    """
    page = max(1, page)
    with transaction.atomic(), connection.cursor() as cursor:
        # One round trip, no parameters: both settings end with this transaction.
        cursor.execute("SET LOCAL jit = off; SET LOCAL enable_seqscan = off")
        if parsed.is_empty:
            listing = (
                f'SELECT "{_ENTRY}"."document_id" AS pk, "{_ENTRY}"."doc_date" AS doc_date, '  # noqa: S608
                f"0.0::float AS exact, 0.0::float AS rank, 0 AS matched "
                f'FROM "{_ENTRY}" WHERE {entries[0]} AND {_in_agencies(agencies)} '
                f'ORDER BY "{_ENTRY}"."doc_date" DESC, "{_ENTRY}"."document_id" DESC '
                f"LIMIT {WINDOW + 1}",
                (*entries[1], *agencies),
            )
            return _read_page(cursor, listing, page, per_page)[:3]
        tsquery = parsed.tsquery([word_scope(a) for a in agencies])
        recent_overflow = False
        covered = 0  # months read whole that held no more than a window's worth of matches
        if len(agencies) == 1 and not parsed.prefixes:
            # The newest months first: the GIN index intersects the words with the months, so
            # a common word costs the table only its recent matches.
            span: int | None = 1
            while span is not None:
                found = _read_page(
                    cursor,
                    _months_window(entries, parsed, tsquery, agencies[0], span),
                    page,
                    per_page,
                )
                if found[3] >= INDEX_CAP:
                    recent_overflow = True
                    break  # so common that even these months hold too many: walk (below)
                if found[2] > WINDOW:
                    return found[:3]
                covered = span
                if found[3] < WINDOW // 4 and span == 1:
                    break  # rare words: every date at once costs little
                span = _next_span(span, found[3])
        if not recent_overflow:
            found = _read_page(cursor, _indexed_window(entries, parsed, tsquery), page, per_page)
            if found[3] < INDEX_CAP or len(agencies) != 1:
                return found[:3]
            if covered and covered < MAX_MONTHS:
                # Common words, rare lately: the last year may hold the window whole.
                year = _read_page(
                    cursor,
                    _months_window(entries, parsed, tsquery, agencies[0], MAX_MONTHS),
                    page,
                    per_page,
                )
                if year[2] > WINDOW and year[3] < INDEX_CAP:
                    return year[:3]
                if year[3] < INDEX_CAP:
                    covered = MAX_MONTHS
            if covered and _rows_since(agencies[0], covered) >= WALK:
                # The walk would read `WALK` rows of months that hold less than a window's
                # worth of matches, and end short: every date's window is its answer too.
                return found[:3]
        # The words are known to be common here: the walk ends early, which the planner,
        # misled by the statistics, does not foresee (it would read and sort every row).
        # When recent months alone overflowed the index read, every date would too: the walk
        # comes first, and every date only when it ends short (an actor who sees few rows).
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        walk = _walked_window(
            (f"{entries[0]} AND {_in_agencies(agencies)}", [*entries[1], *agencies]),
            parsed,
            tsquery,
        )
        walked = _read_page(cursor, walk, page, per_page)
        if walked[2] > WINDOW:
            return walked[:3]
        if recent_overflow:
            cursor.execute("SET LOCAL enable_bitmapscan = on")
            found = _read_page(cursor, _indexed_window(entries, parsed, tsquery), page, per_page)
        return found[:3]


def _months(agency_id: int, span: int) -> str:
    """The tsquery disjunction of the agency's month lexemes for this month and the `span` - 1
    before it."""
    today = timezone.localdate()
    lexemes = []
    year, month = today.year, today.month
    for _ in range(span):
        lexemes.append(pg_quote(month_lexeme(agency_id, dt.date(year, month, 1))))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return " | ".join(lexemes)


def _next_span(span: int, matched: int) -> int | None:
    """The months to read next when `span` months held `matched` matches, not a window's
    worth: enough at that rate with half again to spare (a month's documents crowd into its
    last days), at least twice as many; None past `MAX_MONTHS` (every date is read then)."""
    needed = -(-3 * (WINDOW + 1) * span // (2 * max(matched, 1)))
    following = max(needed, 2 * span)
    return following if following <= MAX_MONTHS else None


def _months_window(
    entries: Fragment, parsed: ParsedQuery, tsquery: str, agency_id: int, span: int
) -> tuple[str, tuple[Any, ...]]:
    return _indexed_window(entries, parsed, f"( {tsquery} ) & ( {_months(agency_id, span)} )")


#: (agency, first day) → (rows of the agency dated from that day on, when counted).
_month_rows: dict[tuple[int, dt.date], tuple[int, float]] = {}
_MONTH_ROWS_SECONDS: Final = 600.0


def _rows_since(agency_id: int, months: int) -> int:
    """The agency's index rows dated in this month and the `months` - 1 before it — what a
    walk would read before it leaves them —, counted at most every ten minutes per process."""
    today = timezone.localdate()
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        year, month = year - 1, month + 12
    first = dt.date(year, month, 1)
    key = (agency_id, first)
    now = time.monotonic()
    kept = _month_rows.get(key)
    if kept is not None and now - kept[1] < _MONTH_ROWS_SECONDS:
        return kept[0]
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*) FROM "{_ENTRY}" WHERE "{_ENTRY}"."agency_id" = %s '  # noqa: S608
            f'AND "{_ENTRY}"."doc_date" >= %s',
            [agency_id, first],
        )
        rows = int(cursor.fetchone()[0])
    if len(_month_rows) > 10_000:
        _month_rows.clear()
    _month_rows[key] = (rows, now)
    return rows


def _indexed_window(
    entries: Fragment, parsed: ParsedQuery, tsquery: str
) -> tuple[str, tuple[Any, ...]]:
    exact_sql, exact_params = _exact_postgresql(parsed.exact, f'"{_ENTRY}"."exact"')
    matches = (
        f'SELECT "{_ENTRY}"."document_id" AS pk, "{_ENTRY}"."doc_date" AS doc_date, '  # noqa: S608
        f"{exact_sql} AS exact, "
        f'ts_rank("{_ENTRY}"."words", %s::tsquery) AS rank '
        f'FROM "{_ENTRY}" WHERE {entries[0]} AND "{_ENTRY}"."words" @@ %s::tsquery '
        f"LIMIT {INDEX_CAP}"
    )
    return (
        f"SELECT m.*, count(*) OVER () AS matched FROM ({matches}) m "  # noqa: S608
        f"ORDER BY m.doc_date DESC, m.pk DESC LIMIT {WINDOW + 1}",
        (*exact_params, tsquery, *entries[1], tsquery),
    )


def _walked_window(
    entries: Fragment, parsed: ParsedQuery, tsquery: str
) -> tuple[str, tuple[Any, ...]]:
    newest = (
        f'SELECT "{_ENTRY}"."document_id" AS pk, "{_ENTRY}"."doc_date" AS doc_date, '  # noqa: S608
        f'"{_ENTRY}"."words" AS words, "{_ENTRY}"."exact" AS exact_words '
        f'FROM "{_ENTRY}" WHERE {entries[0]} '
        f'ORDER BY "{_ENTRY}"."doc_date" DESC, "{_ENTRY}"."document_id" DESC LIMIT {WALK}'
    )
    exact_sql, exact_params = _exact_postgresql(parsed.exact, "n.exact_words")
    return (
        f"SELECT n.pk, n.doc_date, {exact_sql} AS exact, ts_rank(n.words, %s::tsquery) AS rank, "  # noqa: S608
        f"0 AS matched FROM ({newest}) n WHERE n.words @@ %s::tsquery "
        f"ORDER BY n.doc_date DESC, n.pk DESC LIMIT {WINDOW + 1}",
        (*exact_params, tsquery, *entries[1], tsquery),
    )


def _read_page(
    cursor: Any, window: tuple[str, tuple[Any, ...]], page: int, per_page: int
) -> tuple[int, list[_Match], int, int]:
    """The page (clamped) of a window ranked by the database, its matches, the window's size
    and the window's `matched` column (the matches read through the index)."""
    sql = (
        f"SELECT w.pk, w.exact, w.rank, count(*) OVER (), max(w.matched) OVER () "  # noqa: S608
        f"FROM ({window[0]}) w "
        "ORDER BY w.exact DESC, w.rank DESC, w.doc_date DESC, w.pk DESC LIMIT %s OFFSET %s"
    )
    params = list(window[1])
    # The window holds one match more than `WINDOW` (to tell "more"): no page shows it.
    rows = []
    if (page - 1) * per_page < WINDOW:
        cursor.execute(sql, [*params, _limit(page, per_page), (page - 1) * per_page])
        rows = cursor.fetchall()
    if not rows and page > 1:
        # Past the last page: count the window, then read its last page.
        cursor.execute(sql, [*params, 1, 0])
        first = cursor.fetchall()
        page = _clamp(page, int(first[0][3]) if first else 0, per_page)
        cursor.execute(sql, [*params, _limit(page, per_page), (page - 1) * per_page])
        rows = cursor.fetchall()
    size = int(rows[0][3]) if rows else 0
    matched = int(rows[0][4]) if rows else 0
    return page, [_Match(int(r[0]), float(r[1]), float(r[2])) for r in rows], size, matched


def _exact_postgresql(keys: Sequence[str], column: str) -> tuple[str, list[Any]]:
    if not keys:
        return "0::float", []
    checks = " + ".join([f"({column} @@ %s::tsquery)::int"] * len(keys))
    return f"(({checks})::float / {len(keys)})", [pg_quote(k) for k in keys]


def _window_sqlite(entries: Fragment, parsed: ParsedQuery) -> list[_Match]:
    """All matches ranked by FTS5's bm25 (the embedded mode holds a commune's documents), the
    best `WINDOW` + 1 kept; then the accented words' exact matches counted among those."""
    visible_sql = f'SELECT "{_ENTRY}"."document_id" FROM "{_ENTRY}" WHERE {entries[0]}'  # noqa: S608
    visible_params = entries[1]
    sql = f"""
        SELECT e.document_id, 0, -bm25({FTS_TABLE}, 10.0, 4.0, 2.0, 1.0, 0.0) AS rank
        FROM {FTS_TABLE} JOIN {_ENTRY} e ON e.document_id = {FTS_TABLE}.rowid
        WHERE {FTS_TABLE} MATCH %s AND e.document_id IN ({visible_sql})
        ORDER BY rank DESC, e.doc_date DESC, e.document_id DESC
        LIMIT %s
    """  # noqa: S608  table names are constants, every value a parameter
    params = [
        parsed.fts5_match(("reference", "subject", "issuer", "body")),
        *visible_params,
        WINDOW + 1,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        window = [_Match(int(r[0]), 0.0, float(r[2])) for r in cursor.fetchall()]
    if not parsed.exact or not window:
        return window
    # The window's accented words, read back once: a row's share of the query's accented words.
    wanted = set(parsed.exact)
    share: dict[int, float] = {}
    ids = [m.document_id for m in window]
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            placeholders = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"SELECT rowid, exact FROM {FTS_TABLE} WHERE rowid IN ({placeholders})",  # noqa: S608
                part,
            )
            for rowid, exact in cursor.fetchall():
                share[rowid] = len(wanted.intersection(exact.split())) / len(wanted)
    return _ranked([_Match(m.document_id, share.get(m.document_id, 0.0), m.rank) for m in window])


def _ranked(window: list[_Match]) -> list[_Match]:
    """Exact accented matches first, then rank; the window's order (newest first) breaks ties."""
    return sorted(window, key=lambda m: (-m.exact, -m.rank))


def _hits(actor: Actor, matches: Sequence[_Match], parsed: ParsedQuery) -> list[SearchHit]:
    if not matches:
        return []
    # The page is checked against the documents themselves: an index row written before the
    # document's last change (its status, its department) never shows what is hidden now.
    documents = _visible_page(actor, [m.document_id for m in matches])
    highlight = parsed.highlight
    # The subject answers most snippets; file texts are read only for the others.
    need_files = [
        d.id
        for d in documents.values()
        if highlight and not highlight.intersection(fold(d.subject).split())
    ]
    file_texts = _file_texts(need_files) if need_files else {}
    hits: list[SearchHit] = []
    for match in matches:
        document = documents.get(match.document_id)
        if document is None:  # deleted or hidden since the index row was written
            continue
        html, text = snippet_and_text(
            [document.subject, *file_texts.get(document.id, [])], highlight
        )
        hits.append(
            SearchHit(
                id=document.id,
                subject=document.subject,
                kind=document.direction,
                reference=reference_of(document.number, document.notation),
                issuer_name=document.issuer_name,
                issued_on=document.issued_on,
                status=document.status,
                snippet=html,
                rank=round(match.exact + match.rank, 6),
                snippet_text=text,
            )
        )
    return hits


class _PageRow(NamedTuple):
    """What a hit shows of a document: the columns read, in order."""

    id: int
    subject: str
    direction: str
    number: str
    notation: str
    issuer_name: str
    issued_on: dt.date | None
    status: str


def _visible_page(actor: Actor, ids: Sequence[int]) -> dict[int, _PageRow]:
    """The documents of `ids` that `actor` may see now, with the columns a hit shows."""
    visible = visible_where(actor, Document)
    if visible is None or not ids:
        return {}
    columns = ", ".join(f'"{_DOCUMENT}"."{c}"' for c in _PageRow._fields)
    sql = (
        f'SELECT {columns} FROM "{_DOCUMENT}" '  # noqa: S608
        f'WHERE "{_DOCUMENT}"."id" IN ({", ".join(["%s"] * len(ids))}) AND ({visible[0]})'
    )
    documents: dict[int, _PageRow] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *visible[1]])
        for row in cursor.fetchall():
            page_row = _PageRow(*row)
            if isinstance(page_row.issued_on, str):  # SQLite
                page_row = page_row._replace(issued_on=dt.date.fromisoformat(page_row.issued_on))
            documents[int(page_row.id)] = page_row
    return documents


def _file_texts(document_ids: Sequence[int]) -> dict[int, list[str]]:
    links = list(
        DocumentFile.objects.filter(document_id__in=document_ids)
        .order_by("document_id", "id")
        .values_list("document_id", "file__sha256")
    )
    texts = {
        sha: (text, ocr)
        for sha, text, ocr in FileText.objects.filter(
            sha256__in={sha for _d, sha in links}
        ).values_list(
            "sha256",
            Substr("text", 1, SNIPPET_SOURCE_CHARS),
            Substr("ocr_text", 1, SNIPPET_SOURCE_CHARS),
        )
    }
    out: dict[int, list[str]] = {}
    for document_id, sha in links:
        if sha in texts:
            out.setdefault(document_id, []).extend(t for t in texts[sha] if t)
    return out
