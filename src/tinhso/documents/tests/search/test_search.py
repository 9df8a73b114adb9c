"""Searching documents: Vietnamese folding, references, ranking, snippets, filters, paging and
who sees what — on SQLite FTS5 and on PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import html
import io
import unicodedata
import zipfile
from typing import Any
from xml.sax.saxutils import escape

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.html import strip_tags
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinhso.accounts.models import User
from tinhso.documents.access import visible_documents
from tinhso.documents.models import Direction, Document, DocumentStatus, Source
from tinhso.documents.search import SearchFilters, index_documents, search_documents
from tinhso.documents.search.query import INDEX_CAP, WINDOW
from tinhso.documents.tests.search.conftest import DOCX, World, attach, make_document
from tinhso.documents.tests.search.test_terms import VIET22K, other_tone_placement
from tinhso.text import fold

NO_FIXTURE_RESET = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def ids(world: World, user: User, query: str, **filters: Any) -> list[int]:
    page = search_documents(world.actor(user), query, filters=SearchFilters(**filters))
    return [hit.id for hit in page.hits]


def docx_of(text: str) -> bytes:
    paragraphs = "".join(
        f"<w:p><w:r><w:t>{escape(line)}</w:t></w:r></w:p>" for line in text.splitlines()
    )
    body = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{paragraphs}</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", body.encode("utf-8"))
    return out.getvalue()


# --- Vietnamese words --------------------------------------------------------------------------


def test_folded_decomposed_and_old_tone_queries_find_the_document(world: World) -> None:
    # given one composed and one decomposed subject
    composed = make_document(
        agency=world.agency_a,
        created_by=world.clerk_a,
        subject="Quyết định về việc bổ nhiệm Chủ tịch Ủy ban nhân dân xã Hòa Bình",
    )
    decomposed = make_document(
        agency=world.agency_a,
        created_by=world.clerk_a,
        subject=unicodedata.normalize("NFD", "Kế hoạch phòng, chống thiên tai xã Thuỷ Phù"),
    )
    # then
    assert ids(world, world.clerk_a, "quyet dinh bo nhiem") == [composed.pk]
    assert ids(world, world.clerk_a, unicodedata.normalize("NFD", "Bổ nhiệm")) == [composed.pk]
    assert ids(world, world.clerk_a, "xã Hoà Bình") == [composed.pk]
    assert ids(world, world.clerk_a, "CHỦ TỊCH UỶ BAN") == [composed.pk]
    assert ids(world, world.clerk_a, "thủy phù") == [decomposed.pk]
    assert ids(world, world.clerk_a, "phong chong thien tai") == [decomposed.pk]


def test_every_word_of_a_query_must_match(world: World) -> None:
    first = make_document(
        agency=world.agency_a, created_by=world.clerk_a, subject="Về việc điều động công chức"
    )
    second = make_document(
        agency=world.agency_a, created_by=world.clerk_a, subject="Về việc bổ nhiệm công chức"
    )
    assert ids(world, world.clerk_a, "điều động công chức") == [first.pk]
    assert set(ids(world, world.clerk_a, "cong chuc")) == {first.pk, second.pk}
    assert ids(world, world.clerk_a, "bổ nhiệm điều động") == []


def test_a_reference_is_found_whole_in_part_and_by_its_parts(world: World) -> None:
    # given a decision numbered 15/QĐ-UBND and a letter that cites it
    decision = make_document(
        agency=world.agency_a,
        created_by=world.clerk_a,
        doc_type="QĐ",
        number="15",
        notation="QĐ-UBND",
        subject="Quyết định ban hành quy chế",
    )
    letter = make_document(
        agency=world.agency_a,
        created_by=world.clerk_a,
        number="150",
        notation="UBND-VP",
        subject="Về việc triển khai Quyết định số 15/QĐ-UBND",
    )
    # then
    assert set(ids(world, world.clerk_a, "15/QĐ-UBND")) == {decision.pk, letter.pk}
    assert ids(world, world.clerk_a, "15/QĐ-UBND")[0] == decision.pk  # its own number first
    assert set(ids(world, world.clerk_a, "15/qd")) == {decision.pk, letter.pk}
    assert set(ids(world, world.clerk_a, "qd-ubnd")) == {decision.pk, letter.pk}
    assert ids(world, world.clerk_a, "150/UBND-VP") == [letter.pk]
    assert ids(world, world.clerk_a, "15") == [decision.pk, letter.pk] or set(
        ids(world, world.clerk_a, "15")
    ) == {decision.pk, letter.pk}
    assert ids(world, world.clerk_a, "16/QĐ-UBND") == []


def test_the_issuer_is_searchable(world: World) -> None:
    document = make_document(
        agency=world.agency_a,
        created_by=world.clerk_a,
        subject="Về việc góp ý",
        issuer_name="Sở Tài nguyên và Môi trường",
    )
    assert ids(world, world.clerk_a, "tai nguyen moi truong") == [document.pk]


def test_exact_accents_rank_above_accent_free_matches(world: World) -> None:
    # given a subject with "Hòa" (new tone placement) written without accents, then with
    plain = make_document(agency=world.agency_a, created_by=world.clerk_a, subject="Xa Hoa Binh")
    other = make_document(agency=world.agency_a, created_by=world.clerk_a, subject="Xã Hóa Bình")
    accented = make_document(agency=world.agency_a, created_by=world.clerk_a, subject="Xã Hòa Bình")
    # when searched with accents, in either tone placement
    for query in ("Hòa Bình", "Hoà Bình", unicodedata.normalize("NFD", "Hoà Bình")):
        found = ids(world, world.clerk_a, query)
        # then the exact word comes first, the accent-free and the other tone after it
        assert found[0] == accented.pk, query
        assert set(found) == {plain.pk, other.pk, accented.pk}
    # and without accents no form is preferred over the newest
    assert set(ids(world, world.clerk_a, "hoa binh")) == {plain.pk, other.pk, accented.pk}


def test_snippets_are_escaped_and_mark_the_matched_words(world: World) -> None:
    # given a subject with markup, and a file whose text holds the searched words
    document = make_document(
        agency=world.agency_a,
        created_by=world.clerk_a,
        subject="Về việc <script>alert(1)</script> & kiểm tra",
    )
    attach(
        document,
        docx_of(
            "Phần mở đầu.\n" + "Nội dung dài. " * 40 + "Thu hồi đất <b>tại</b> xã Hương Phong."
        ),
        name="noi-dung.docx",
        content_type=DOCX,
    )
    # when
    (subject_hit,) = search_documents(world.actor(world.clerk_a), "kiem tra").hits
    (file_hit,) = search_documents(world.actor(world.clerk_a), "thu hoi dat").hits
    # then
    assert subject_hit.snippet == (
        "Về việc &lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>kiểm</mark> <mark>tra</mark>"
    )
    assert "<mark>Thu</mark> <mark>hồi</mark> <mark>đất</mark> &lt;b&gt;tại&lt;/b&gt;" in (
        file_hit.snippet
    )
    assert file_hit.snippet.startswith("…") and "<script>" not in file_hit.snippet
    assert file_hit.subject == "Về việc <script>alert(1)</script> & kiểm tra"
    # and the plain text is the same passage, unescaped, without marks
    assert subject_hit.snippet_text == "Về việc <script>alert(1)</script> & kiểm tra"
    assert file_hit.snippet_text.startswith("…") and "<mark>" not in file_hit.snippet_text
    assert "Thu hồi đất <b>tại</b> xã Hương Phong." in file_hit.snippet_text
    assert html.unescape(strip_tags(file_hit.snippet)) == file_hit.snippet_text


def test_a_legal_text_with_decomposed_words_is_found_by_composed_queries(
    world: World, legal_texts: dict[str, str]
) -> None:
    # given the resolution 1670/NQ-UBTVQH15 (partly NFD) as the DOCX of a document
    text = legal_texts["1670_NQ-UBTVQH15.md"]
    assert not unicodedata.is_normalized("NFC", text)
    document = make_document(
        agency=world.agency_a,
        created_by=world.clerk_a,
        doc_type="NQ",
        number="1670",
        notation="NQ-UBTVQH15",
        issuer_name="Ủy ban Thường vụ Quốc hội",
        subject="Về việc sắp xếp các đơn vị hành chính cấp xã của tỉnh Lai Châu năm 2025",
    )
    attach(document, docx_of(text), name="1670.docx", content_type=DOCX)
    other = make_document(
        agency=world.agency_a, created_by=world.clerk_a, subject="Về việc khác hẳn"
    )
    attach(other, docx_of(legal_texts["60-NQ_TW.md"]), name="60.docx", content_type=DOCX)
    # then words stored decomposed in the text are found composed, and marked in the snippet
    for query in ("Mặt trận Tổ quốc", "thẩm tra", "phường", "Tà Tổng"):
        assert document.pk in ids(world, world.clerk_a, query), query
    page = search_documents(world.actor(world.clerk_a), "Tà Tổng")
    hit = next(h for h in page.hits if h.id == document.pk)
    assert "<mark>Tà</mark> <mark>Tổng</mark>" in unicodedata.normalize("NFC", hit.snippet)
    assert ids(world, world.clerk_a, "1670/NQ-UBTVQH15")[0] == document.pk
    # and words of one resolution only find its document
    assert ids(world, world.clerk_a, "Khoen On") == [document.pk]
    assert set(ids(world, world.clerk_a, "Mặt trận")) == {document.pk, other.pk}


@pytest.fixture
def word_list_documents(world: World) -> dict[str, int]:
    """Viet22K in 12 DOCX documents: each headword → the document holding it."""
    where: dict[str, int] = {}
    chunks = [VIET22K[i::12] for i in range(12)]
    documents = []
    for number, chunk in enumerate(chunks):
        document = make_document(
            agency=world.agency_a,
            created_by=world.clerk_a,
            subject=f"Danh mục từ {number}",
            index=False,
        )
        attach(document, docx_of("\n".join(chunk)), name="tu.docx", content_type=DOCX, index=False)
        documents.append(document.pk)
        for entry in chunk:
            where.setdefault(entry, document.pk)
    index_documents(documents)
    return where


@NO_FIXTURE_RESET
@given(entry=st.sampled_from(VIET22K), form=st.sampled_from(["fold", "nfd", "upper", "tone"]))
def test_any_spelling_of_a_viet22k_word_finds_its_document(
    world: World, word_list_documents: dict[str, int], entry: str, form: str
) -> None:
    # given a headword written folded, decomposed, in capitals or with the other tone placement
    query = {
        "fold": fold(entry),
        "nfd": unicodedata.normalize("NFD", entry),
        "upper": entry.upper(),
        "tone": " ".join(other_tone_placement(s) for s in entry.split()),
    }[form]
    # when
    found = ids(world, world.clerk_a, query)
    # then the document holding it is among the results
    assert word_list_documents[entry] in found


NASTY = [
    '"',
    "'",
    "''; DROP TABLE documents_document; --",
    "a AND OR NOT b",
    "NEAR(a b)",
    "head : x",
    "{head body}: x",
    "x*",
    "*",
    "^x",
    "-x",
    "a & b | !c",
    "'a':* & !b",
    "\\",
    "%s %(x)s",
    "\x00",
    "(((",
    "🙂",
    "ﬁ ß İ",
    "   ",
]


@pytest.mark.parametrize("query", NASTY)
def test_punctuation_is_never_query_syntax(world: World, query: str) -> None:
    # given a document whose words are in the query
    document = make_document(
        agency=world.agency_a, created_by=world.clerk_a, subject="Head body near and or x a b"
    )
    # when searched, nothing raises; the words alone decide
    found = ids(world, world.clerk_a, query)
    terms = fold(query).split()
    if not any(ch.isalnum() for ch in query):
        assert found == [document.pk]  # no words: the listing
    assert all(isinstance(i, int) for i in found) and len(terms) >= 0


@NO_FIXTURE_RESET
@given(query=st.text(max_size=60))
def test_any_text_searches_without_error(world: World, query: str) -> None:
    page = search_documents(world.actor(world.clerk_a), query)
    assert page.total >= 0


# --- Who sees what ----------------------------------------------------------------------------


@pytest.fixture
def routed(world: World) -> dict[str, Document]:
    """One word, "phòng cháy", in documents of every kind of visibility."""
    subject = "Về việc phòng cháy chữa cháy"
    a = world.agency_a
    return {
        "incoming_a1": make_document(
            agency=a, created_by=world.clerk_a, subject=subject, department=world.dept_a1
        ),
        "draft_a1": make_document(
            agency=a,
            created_by=world.specialist_a1,
            subject=subject,
            direction=Direction.OUTGOING,
            status=DocumentStatus.DRAFT,
            department=world.dept_a1,
        ),
        "review_a2": make_document(
            agency=a,
            created_by=world.specialist_a2,
            subject=subject,
            direction=Direction.OUTGOING,
            status=DocumentStatus.IN_REVIEW,
            department=world.dept_a2,
        ),
        "issued_a2": make_document(
            agency=a,
            created_by=world.specialist_a2,
            subject=subject,
            direction=Direction.OUTGOING,
            status=DocumentStatus.ISSUED,
            department=world.dept_a2,
        ),
        "incoming_b": make_document(
            agency=world.agency_b, created_by=world.clerk_b, subject=subject
        ),
    }


def test_results_are_exactly_what_each_actor_may_see(
    world: World, routed: dict[str, Document]
) -> None:
    by_name = {d.pk: name for name, d in routed.items()}
    expected = {
        "clerk_a": {"incoming_a1", "issued_a2"},
        "leader_a": {"incoming_a1", "review_a2", "issued_a2"},
        "specialist_a1": {"incoming_a1", "draft_a1"},
        "specialist_a2": {"review_a2", "issued_a2"},
        "clerk_b": {"incoming_b"},
    }
    for who, names in expected.items():
        user = getattr(world, who)
        found = {by_name[i] for i in ids(world, user, "phong chay")}
        # then the search agrees with the access rules and with the documents' visibility
        assert found == names, who
        visible = set(
            visible_documents(world.actor(user))
            .filter(subject__contains="cháy")
            .values_list("pk", flat=True)
        )
        assert found == {by_name[i] for i in visible}, who


def test_a_citizen_or_anonymous_actor_finds_nothing(
    world: World, routed: dict[str, Document]
) -> None:
    from django.contrib.auth.models import AnonymousUser

    from tinhso.accounts.access import actor_for
    from tinhso.testing.factories import make_citizen

    for actor in (actor_for(make_citizen()), actor_for(AnonymousUser())):
        page = search_documents(actor, "phong chay")
        assert page.hits == [] and page.total == 0


def test_another_agency_filter_finds_nothing(world: World, routed: dict[str, Document]) -> None:
    assert ids(world, world.clerk_a, "phong chay", agency_id=world.agency_b.pk) == []
    assert ids(world, world.clerk_a, "phong chay", agency_id=world.agency_a.pk) != []


def test_a_stale_index_row_never_shows_a_hidden_document(
    world: World, routed: dict[str, Document]
) -> None:
    # given a document under review, seen by the agency's leader
    review = routed["review_a2"]
    assert review.pk in ids(world, world.leader_a, "phong chay")
    # when it goes back to a draft and the index has not been written again yet
    Document.objects.filter(pk=review.pk).update(status=DocumentStatus.DRAFT)
    # then the leader no longer finds it
    assert review.pk not in ids(world, world.leader_a, "phong chay")


def test_the_search_looks_only_among_the_actors_agencies(world: World) -> None:
    # given a document of agency B assigned (by mistake, or before a move) to an official
    # who belongs to agency A only
    from tinhso.documents.models import Assignment, AssignmentRole

    document = make_document(
        agency=world.agency_b, created_by=world.clerk_b, subject="Về việc phòng cháy rừng"
    )
    Assignment.objects.create(
        document=document,
        assignee=world.specialist_a1,
        role=AssignmentRole.MAIN,
        assigned_by=world.clerk_b,
    )
    actor = world.actor(world.specialist_a1)
    # then the search, which reads only the actor's agencies (`query._agencies`: "nobody
    # sees another agency's documents"), does not return it, whatever the assignment says
    assert document.pk not in ids(world, world.specialist_a1, "phong chay rung")
    found = set(ids(world, world.specialist_a1, "phong chay"))
    assert found <= set(visible_documents(actor).values_list("pk", flat=True))


# --- Filters, listing, paging ------------------------------------------------------------------


def test_filters_narrow_the_results(world: World) -> None:
    # given
    a = world.agency_a
    decision = make_document(
        agency=a,
        created_by=world.clerk_a,
        subject="Kế hoạch số hóa",
        doc_type="QĐ",
        urgency="khan",
        issued_on=dt.date(2026, 3, 2),
    )
    plan = make_document(
        agency=a,
        created_by=world.clerk_a,
        subject="Kế hoạch số hóa hồ sơ",
        doc_type="KH",
        issued_on=dt.date(2026, 5, 20),
    )
    issued = make_document(
        agency=a,
        created_by=world.clerk_a,
        subject="Kế hoạch số hóa tài liệu",
        doc_type="KH",
        direction=Direction.OUTGOING,
        status=DocumentStatus.ISSUED,
        issued_on=dt.date(2026, 6, 1),
    )
    # then
    q = "ke hoach so hoa"
    assert set(ids(world, world.clerk_a, q)) == {decision.pk, plan.pk, issued.pk}
    assert ids(world, world.clerk_a, q, doc_type="QĐ") == [decision.pk]
    assert ids(world, world.clerk_a, q, urgency="khan") == [decision.pk]
    assert ids(world, world.clerk_a, q, direction=Direction.OUTGOING) == [issued.pk]
    assert ids(world, world.clerk_a, q, status=DocumentStatus.ISSUED) == [issued.pk]
    assert set(ids(world, world.clerk_a, q, date_from=dt.date(2026, 5, 1))) == {
        plan.pk,
        issued.pk,
    }
    assert ids(
        world, world.clerk_a, q, date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)
    ) == [decision.pk]
    # and an empty query lists the filtered documents, newest first
    assert ids(world, world.clerk_a, "", doc_type="KH") == [issued.pk, plan.pk]
    assert ids(world, world.clerk_a, "  ,;  ", direction=Direction.OUTGOING) == [issued.pk]


def test_a_search_counts_at_most_the_window_and_pages_within_it(world: World) -> None:
    # given more matching documents than the window holds
    _indexed_batch(
        world,
        [dt.date(2026, 1, 1) + dt.timedelta(days=n % 300) for n in range(WINDOW + 5)],
        "Về việc báo cáo số liệu tháng {n}",
    )
    actor = world.actor(world.clerk_a)
    # when
    first = search_documents(actor, "bao cao so lieu")
    beyond = search_documents(actor, "bao cao so lieu", page=999, per_page=50)
    big = search_documents(actor, "bao cao so lieu", per_page=5000)
    # then the count says "`WINDOW` and more"; pages stay inside the window
    assert first.total == WINDOW and not first.total_exact
    assert len(first.hits) == 20 and first.has_next and not first.has_previous
    assert beyond.page == WINDOW // 50 and len(beyond.hits) == 50 and not beyond.has_next
    assert len(big.hits) == 100
    all_ids = {
        h.id
        for p in range(1, WINDOW // 100 + 3)  # two pages past the window's end, too
        for h in search_documents(actor, "bao cao", page=p, per_page=100).hits
    }
    assert len(all_ids) == WINDOW
    # and a narrower search is counted exactly
    narrow = search_documents(actor, "bao cao so lieu thang 7")
    assert narrow.total_exact and narrow.total == len(narrow.hits) == 1


def test_with_common_words_the_window_holds_the_newest_matches(world: World) -> None:
    # given more matching documents than a search reads through the word index
    documents = _indexed_batch(
        world,
        [timezone.localdate() - dt.timedelta(days=n) for n in range(INDEX_CAP + 100)],
        "Về việc báo cáo thống kê định kỳ",
    )
    actor = world.actor(world.clerk_a)
    # when
    pages = [
        search_documents(actor, "bao cao thong ke", page=p, per_page=100)
        for p in range(1, WINDOW // 100 + 1)
    ]
    # then the window is the newest `WINDOW`, newest first (the ranks are equal)
    newest = sorted(documents, key=lambda d: d.issued_on or dt.date.min, reverse=True)[:WINDOW]
    assert [h.id for p in pages for h in p.hits] == [d.pk for d in newest]
    assert pages[0].total == WINDOW and not pages[0].total_exact


def test_an_official_of_two_agencies_searches_both(world: World) -> None:
    from tinhso.accounts.models import Role
    from tinhso.testing.factories import make_membership

    # given a clerk of both agencies
    make_membership(user=world.clerk_a, agency=world.agency_b, role=Role.VAN_THU)
    in_a = make_document(agency=world.agency_a, created_by=world.clerk_a, subject="Lịch trực Tết")
    in_b = make_document(agency=world.agency_b, created_by=world.clerk_b, subject="Lịch trực Tết")
    # then
    assert set(ids(world, world.clerk_a, "lich truc tet")) == {in_a.pk, in_b.pk}
    assert ids(world, world.clerk_a, "lich truc tet", agency_id=world.agency_b.pk) == [in_b.pk]
    assert ids(world, world.clerk_a, "", agency_id=world.agency_b.pk) == [in_b.pk]


def test_a_search_page_takes_few_queries(world: World, django_assert_max_num_queries: Any) -> None:
    for n in range(30):
        make_document(
            agency=world.agency_a,
            created_by=world.clerk_a,
            subject=f"Hướng dẫn thực hiện chế độ {n}",
        )
    actor = world.actor(world.clerk_a)
    # PostgreSQL: the last month's window (rare words: then every date's), the page's
    # documents, with JIT off in a savepoint (savepoint, SET LOCAL, release); SQLite: the
    # window, its accented words, the page's documents
    budget = 6 if connection.vendor == "postgresql" else 3
    with django_assert_max_num_queries(budget):
        page = search_documents(actor, "hướng dẫn chế độ")
    assert len(page.hits) == 20
    assert all("<mark>" in str(hit.snippet) for hit in page.hits)


def _this_month_documents(world: World, count: int, **fields: Any) -> list[Document]:
    """`count` matching documents dated this month (newest last), indexed."""
    today = timezone.localdate()
    return _indexed_batch(
        world,
        [today.replace(day=1) + dt.timedelta(days=n % today.day) for n in range(count)],
        "Về việc thực hiện chế độ báo cáo",
        **fields,
    )


def _indexed_batch(
    world: World, dates: list[dt.date], subject: str, **fields: Any
) -> list[Document]:
    """Incoming documents of agency A, one a date, the subject formatted with its index
    (`{n}`), written at once and indexed."""
    documents = Document.objects.bulk_create(
        Document(
            agency=world.agency_a,
            direction=Direction.INCOMING,
            status=DocumentStatus.REGISTERED,
            source=Source.ELECTRONIC,
            doc_type="CV",
            subject=subject.format(n=n),
            issuer_name="Ủy ban nhân dân tỉnh",
            issued_on=day,
            created_by=world.clerk_a,
            **fields,
        )
        for n, day in enumerate(dates)
    )
    index_documents([d.pk for d in documents])
    return documents


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_words_that_overflow_the_last_month_are_walked_at_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the last month alone holds more matches than the index read takes, every date
    would too: the walk over the newest rows comes next, without reading every date first."""
    from django.test.utils import CaptureQueriesContext

    from tinhso.documents.search import query

    monkeypatch.setattr(query, "WINDOW", 10)
    monkeypatch.setattr(query, "INDEX_CAP", 40)
    documents = _this_month_documents(world, 60)
    actor = world.actor(world.clerk_a)
    # when
    with CaptureQueriesContext(connection) as captured:
        page = search_documents(actor, "thuc hien bao cao", per_page=10)
    # then the window is the newest ten, read by the last month's index read and the walk
    newest = sorted(documents, key=lambda d: (d.issued_on, d.pk), reverse=True)[:10]
    assert {h.id for h in page.hits} == {d.pk for d in newest}
    assert page.total == 10 and not page.total_exact
    word_reads = [q["sql"] for q in captured.captured_queries if "@@" in q["sql"]]
    assert len(word_reads) == 2
    assert "|@" in word_reads[0] and "LIMIT 20000" in word_reads[1]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_specialist_whose_walk_ends_short_gets_every_dates_matches(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A specialist sees a department's share: the walk finds too few, every date is read, and
    what they were assigned in another department is found through the listed ids."""
    from tinhso.documents.models import Assignment, AssignmentRole
    from tinhso.documents.search import query

    monkeypatch.setattr(query, "WINDOW", 10)
    monkeypatch.setattr(query, "INDEX_CAP", 40)
    _this_month_documents(world, 60, department=world.dept_a2)
    own = _this_month_documents(world, 3, department=world.dept_a1)
    old = make_document(
        agency=world.agency_a,
        created_by=world.clerk_a,
        subject="Thực hiện chế độ báo cáo năm trước",
        issued_on=dt.date(2020, 5, 4),
        department=world.dept_a2,
    )
    Assignment.objects.create(
        document=old,
        assignee=world.specialist_a1,
        role=AssignmentRole.MAIN,
        assigned_by=world.leader_a,
    )
    index_documents([old.pk])
    # when
    page = search_documents(world.actor(world.specialist_a1), "thuc hien bao cao")
    # then exactly what they may see
    assert {h.id for h in page.hits} == {d.pk for d in own} | {old.pk}
    assert page.total_exact


@pytest.mark.parametrize(
    ("span", "matched", "following"),
    [(1, 100, 4), (1, 60, 6), (1, 0, None), (4, 180, 8), (8, 150, None), (1, 200, 2)],
)
def test_the_next_months_follow_the_words_rate(
    span: int, matched: int, following: int | None
) -> None:
    from tinhso.documents.search.query import _next_span

    assert _next_span(span, matched) == following


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize(("walk_rows", "walks"), [(20, False), (100, True)])
def test_the_walk_is_not_taken_where_it_would_end_short(
    world: World, monkeypatch: pytest.MonkeyPatch, walk_rows: int, walks: bool
) -> None:
    """Words common in older years but rare in the last year: a walk over `WALK` rows that
    are all of the last year would find less than a window and end short — it is not taken,
    every date's index read answers. Where the walk reaches past the year, it is taken."""
    from django.test.utils import CaptureQueriesContext

    from tinhso.documents.search import query

    monkeypatch.setattr(query, "WINDOW", 10)
    monkeypatch.setattr(query, "INDEX_CAP", 40)
    monkeypatch.setattr(query, "WALK", walk_rows)
    query._month_rows.clear()
    # given 60 matches of 2021, and this month 32 documents of which 2 match
    _indexed_batch(
        world,
        [dt.date(2021, 1, 1) + dt.timedelta(days=n) for n in range(60)],
        "Về việc thực hiện chế độ báo cáo",
    )
    recent = _this_month_documents(world, 2)
    for n in range(30):
        make_document(
            agency=world.agency_a,
            created_by=world.clerk_a,
            subject=f"Lịch công tác tuần {n}",
            issued_on=timezone.localdate(),
        )
    # when
    with CaptureQueriesContext(connection) as captured:
        page = search_documents(world.actor(world.clerk_a), "thuc hien bao cao", per_page=10)
    # then
    walked = any(f"LIMIT {walk_rows}" in q["sql"] for q in captured.captured_queries)
    assert walked is walks
    assert page.total == 10 and not page.total_exact
    if walks:  # the walk reads every row: the newest matches lead
        assert {d.pk for d in recent} <= {h.id for h in page.hits}
