"""/api/v1/documents/search/: full-text results with a snippet, only what the caller sees."""

from __future__ import annotations

from typing import Any

import pytest

from tinhso.documents.search import index_document
from tinhso.testing.eoffice import EofficeWorld

from .helpers import COMMUNE_CLERK, INCOMING, SEARCH, bearer, ok, problem, register_body

pytestmark = pytest.mark.django_db


def test_a_registered_document_is_found_with_a_snippet(
    eoffice: EofficeWorld, django_capture_on_commit_callbacks: Any
) -> None:
    # given a document registered by API (indexed after its commit, as in production)
    clerk = bearer(eoffice.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        registered = ok(
            clerk.post(
                INCOMING,
                register_body(subject="Quyết định bổ nhiệm Trưởng phòng Tổ chức, biên chế"),
                format="json",
            ),
            201,
        )

    # when the clerk searches without accents
    body = ok(clerk.get(SEARCH, {"q": "bo nhiem truong phong"}))

    # then the document is the result, its snippet marks the words
    assert body["count"] == 1 and body["count_capped"] is False
    (hit,) = body["results"]
    assert hit["id"] == registered["id"]
    assert hit["kind"] == "incoming"
    assert hit["subject"] == "Quyết định bổ nhiệm Trưởng phòng Tổ chức, biên chế"
    assert "bổ nhiệm" in hit["snippet"] and "<mark>" not in hit["snippet"]
    assert "<mark>bổ</mark>" in hit["snippet_html"]
    assert (hit["reference"], hit["date"], hit["status"]) == (
        "15/QĐ-UBND",
        "2026-11-20",
        "registered",
    )


def test_another_agency_finds_nothing_of_it(eoffice: EofficeWorld) -> None:
    # given an indexed document of Sở Nội vụ
    d = eoffice.register(subject="Kế hoạch tuyển dụng viên chức")
    index_document(d.pk)

    # when the commune's clerk and Sở Nội vụ's clerk search for it
    theirs = ok(bearer(eoffice.demo.user(COMMUNE_CLERK)).get(SEARCH, {"q": "tuyen dung"}))
    ours = ok(bearer(eoffice.clerk).get(SEARCH, {"q": "tuyen dung", "kind": "incoming"}))
    outgoing = ok(bearer(eoffice.clerk).get(SEARCH, {"q": "tuyen dung", "kind": "outgoing"}))

    # then only Sở Nội vụ finds it, and only among incoming documents
    assert theirs["results"] == []
    assert [h["id"] for h in ours["results"]] == [d.pk]
    assert outgoing["results"] == []


def test_pages_of_results(eoffice: EofficeWorld) -> None:
    # given three indexed documents about the same thing
    for n in range(3):
        index_document(eoffice.register(number=str(20 + n), subject="Báo cáo biên chế").pk)
    clerk = bearer(eoffice.clerk)

    # when reading them two a page
    first = ok(clerk.get(SEARCH, {"q": "bien che", "page_size": "2"}))
    second = ok(clerk.get(first["next"]))
    past = clerk.get(SEARCH, {"q": "bien che", "page_size": "2", "page": "3"})

    # then two, then one, and no third page
    assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
    assert len(second["results"]) == 1 and second["next"] is None
    assert problem(past, 404)["detail"] == "Trang không hợp lệ: không có trang số 3."


def test_a_search_needs_words(eoffice: EofficeWorld) -> None:
    response = bearer(eoffice.clerk).get(SEARCH, {})
    assert problem(response, 400)["errors"] == {"q": ["Trường này là bắt buộc."]}


@pytest.mark.parametrize("issued_on", [None, "2026-11-20"])
def test_the_hand_built_result_is_what_its_serializer_describes(issued_on: str | None) -> None:
    """The schema documents `DocumentSearchResultSerializer`; the view builds the same JSON by
    hand (`search_result_json`): the two must not drift apart."""
    import datetime as dt

    from django.utils.safestring import mark_safe

    from tinhso.documents.api.serializers import (
        DocumentSearchResultSerializer,
        search_result_json,
    )
    from tinhso.documents.search.query import SearchHit

    hit = SearchHit(
        id=7,
        subject="Về việc <khẩn> & công tác",
        kind="incoming",
        reference="15/QĐ-UBND",
        issuer_name="Ủy ban nhân dân tỉnh",
        issued_on=dt.date.fromisoformat(issued_on) if issued_on else None,
        status="registered",
        snippet=mark_safe("…Về việc &lt;khẩn&gt; &amp; <mark>công</mark> tác"),
        rank=1.5,
        snippet_text="…Về việc <khẩn> & công tác",
    )

    assert search_result_json(hit) == DocumentSearchResultSerializer(hit).data
