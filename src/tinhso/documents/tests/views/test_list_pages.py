"""The lists (incoming, outgoing, the queues, the inbox, approvals) with filters and pages, the
search page, and the number of queries each list costs whatever its length."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from tinhso.documents import services
from tinhso.documents.models import Assignment, Document
from tinhso.documents.search import index_document
from tinhso.documents.tests.browser.conftest import vietnam_today
from tinhso.documents.tests.views.conftest import Login, page_text
from tinhso.documents.views.common import PAGE_SIZE
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db


def _many_incoming(eoffice: EofficeWorld, n: int) -> list[Document]:
    return [
        eoffice.register(number=str(100 + i), subject=f"Công văn thứ {i} về việc tổng hợp số liệu")
        for i in range(n)
    ]


def test_the_incoming_list_pages_and_filters(eoffice: EofficeWorld, login: Login) -> None:
    docs = _many_incoming(eoffice, PAGE_SIZE + 2)
    urgent = eoffice.register(number="999", subject="Hỏa tốc: báo cáo bão lũ", urgency="hoa_toc")
    client = login("vanthu")
    first = client.get(reverse("documents:incoming_list"))
    assert first.status_code == 200
    assert len(first.context["rows"]) == PAGE_SIZE
    assert "Trang 1/2" in page_text(first)
    second = client.get(reverse("documents:incoming_list") + "?page=2")
    assert len(second.context["rows"]) == len(docs) + 1 - PAGE_SIZE
    # filters: urgency, words without accents, type, status
    only_urgent = client.get(reverse("documents:incoming_list") + "?urgency=hoa_toc")
    assert [r["d"].pk for r in only_urgent.context["rows"]] == [urgent.pk]
    words = client.get(reverse("documents:incoming_list") + "?q=bao+lu")
    assert [r["d"].pk for r in words.context["rows"]] == [urgent.pk]
    none = client.get(reverse("documents:incoming_list") + "?doc_type=NQ")
    assert "Không có văn bản nào khớp với điều kiện lọc." in page_text(none)
    # a reversed date range is named, not ignored
    bad = client.get(
        reverse("documents:incoming_list") + "?date_from=2026-11-20&date_to=2026-11-01"
    )
    assert bad.context["page"] is None
    assert bad.context["form"].errors["date_to"] == ["Ngày kết thúc phải sau ngày bắt đầu."]


def test_another_agency_sees_none_of_it(eoffice: EofficeWorld, login: Login) -> None:
    eoffice.register()
    response = login("vanthu.xa").get(reverse("documents:incoming_list"))
    assert response.context["rows"] == []
    assert "Chưa có văn bản nào." in page_text(response)


def test_the_outgoing_list_of_the_department(eoffice: EofficeWorld, login: Login) -> None:
    issued = eoffice.issued()
    draft = eoffice.draft(subject="Dự thảo chưa trình")
    specialist = login("chuyenvien").get(reverse("documents:outgoing_list"))
    assert {r["d"].pk for r in specialist.context["rows"]} == {issued.pk, draft.pk}
    clerk = login("vanthu").get(reverse("documents:outgoing_list") + "?status=issued")
    assert [r["d"].pk for r in clerk.context["rows"]] == [issued.pk]
    assert "01/SNV-TCBC" in page_text(clerk)


def test_my_drafts(eoffice: EofficeWorld, login: Login) -> None:
    d = eoffice.draft(subject="Về việc đăng ký nhu cầu đào tạo")
    response = login("chuyenvien").get(reverse("documents:my_drafts"))
    assert [x.pk for x in response.context["page"].object_list] == [d.pk]
    assert "Về việc đăng ký nhu cầu đào tạo" in page_text(response)
    empty = login("lanhdao").get(reverse("documents:my_drafts"))
    assert "Bạn chưa có dự thảo nào." in page_text(empty)


def test_the_search_page(
    eoffice: EofficeWorld, login: Login, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        hit = eoffice.register(subject="Quyết định bổ nhiệm Trưởng phòng Công chức")
        eoffice.register(number="16", subject="Về việc tập huấn chuyển đổi số")
    index_document(hit.pk)
    client = login("vanthu")
    start = client.get(reverse("documents:search"))
    assert "Nhập từ khóa hoặc chọn điều kiện" in page_text(start)
    found = client.get(reverse("documents:search") + "?q=bo+nhiem")
    result = found.context["result"]
    assert [h.id for h in result.hits] == [hit.pk]
    assert "<mark>" in found.content.decode()
    assert "Tìm thấy 1 văn bản" in page_text(found)
    nothing = client.get(reverse("documents:search") + "?q=khong+co+dau")
    assert "Không có văn bản nào khớp với điều kiện tìm kiếm." in page_text(nothing)
    # filters reach the search; an outgoing filter hides the incoming hit
    outgoing = client.get(reverse("documents:search") + "?q=bo+nhiem&direction=outgoing")
    assert outgoing.context["result"].hits == []
    # another agency finds nothing
    other = login("vanthu.xa").get(reverse("documents:search") + "?q=bo+nhiem")
    assert other.context["result"].hits == []
    # HTMX asks for the panel only
    panel = client.get(reverse("documents:search") + "?q=bo+nhiem", HTTP_HX_REQUEST="true")
    assert b"<html" not in panel.content and b'id="search-panel"' in panel.content


# --- Query budgets: a list costs the same with 3 rows or 25 --------------------------------------


def _count(client: Any, url: str, django_assert_max_num_queries: Any, budget: int) -> Any:
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200
    return response


#: Session, user, the actor's posts, the page, its count, the counts of the tabs, the choices
#: of the forms (one query per agency or department, not per row).
LIST_BUDGET = 9


def test_query_budgets_of_the_clerks_lists(
    eoffice: EofficeWorld, login: Login, django_assert_max_num_queries: Any
) -> None:
    _many_incoming(eoffice, 3)
    for _ in range(3):
        eoffice.approved()
    client = login("vanthu")
    small = {
        name: _count(client, reverse(name), django_assert_max_num_queries, LIST_BUDGET)
        for name in ("documents:incoming_list", "documents:clerk_present", "documents:clerk_issue")
    }
    _many_incoming(eoffice, PAGE_SIZE)
    for _ in range(4):
        eoffice.approved()
    for name, response in small.items():
        bigger = _count(client, reverse(name), django_assert_max_num_queries, LIST_BUDGET)
        assert len(bigger.context["rows"]) > len(response.context["rows"]), name


def test_query_budgets_of_the_processors_lists(
    eoffice: EofficeWorld, login: Login, django_assert_max_num_queries: Any
) -> None:
    for i in range(PAGE_SIZE + 3):
        eoffice.assigned(number=str(200 + i), due_on=vietnam_today() + dt.timedelta(days=i))
    Assignment.objects.filter(assignee=eoffice.specialist).update(
        due_on=vietnam_today() - dt.timedelta(days=1)
    )
    specialist = login("chuyenvien")
    inbox = _count(
        specialist, reverse("documents:inbox"), django_assert_max_num_queries, LIST_BUDGET
    )
    assert len(inbox.context["rows"]) == PAGE_SIZE
    overdue = _count(
        specialist, reverse("documents:overdue"), django_assert_max_num_queries, LIST_BUDGET
    )
    assert len(overdue.context["rows"]) == PAGE_SIZE
    for _ in range(3):
        d = eoffice.draft()
        services.outgoing_submit(actor=eoffice.specialist, document_id=d.pk)
    head = login("lanhdao")
    approvals = _count(
        head, reverse("documents:approvals"), django_assert_max_num_queries, LIST_BUDGET
    )
    assert len(approvals.context["rows"]) == 3
    director = login("giamdoc.snv")
    for i in range(4):
        r = eoffice.register(number=str(300 + i))
        services.incoming_present(
            actor=eoffice.clerk, document_id=r.pk, leader_id=eoffice.director.pk
        )
    to_assign = _count(
        director, reverse("documents:to_assign"), django_assert_max_num_queries, LIST_BUDGET
    )
    assert len(to_assign.context["rows"]) == 4


def test_query_budget_of_the_document_page(
    eoffice: EofficeWorld, login: Login, django_assert_max_num_queries: Any
) -> None:
    d = eoffice.issued()
    _count(
        login("vanthu"), reverse("documents:detail", args=[d.pk]), django_assert_max_num_queries, 14
    )
    incoming, _main = eoffice.assigned()
    _count(
        login("giamdoc.snv"),
        reverse("documents:detail", args=[incoming.pk]),
        django_assert_max_num_queries,
        14,
    )
