"""The work-file pages: the yearly list with the archive flag, planning with its messages, one
file with its documents and actions, the package download, the overdue list, and who may
open each page."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tinhso.accounts.models import User
from tinhso.documents.models import WorkFile, WorkFileItem, WorkFileStatus
from tinhso.documents.services.workfiles import (
    workfile_add_document,
    workfile_close,
    workfile_open,
    workfile_plan,
)
from tinhso.documents.tests.registers.world import World, local
from tinhso.files.tests import samples

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def planned(w: World, code: str = "01.TCCB", **fields: Any) -> WorkFile:
    values: dict[str, Any] = {
        "agency_id": w.agency.pk,
        "year": dt.date.today().year,
        "code": code,
        "title": "Hồ sơ tuyển dụng công chức",
        "retention_years": 10,
        "department_id": w.department.pk,
    }
    values.update(fields)
    return workfile_plan(actor=w.specialist, **values)


def opened(w: World, code: str = "01.TCCB", **fields: Any) -> WorkFile:
    return workfile_open(actor=w.specialist, work_file=planned(w, code, **fields))


def filled(w: World, code: str = "01.TCCB", **fields: Any) -> WorkFile:
    wf = opened(w, code, **fields)
    d = w.outgoing_doc(at=local(2026, 5, 6), subject="Quyết định tuyển dụng")
    w.attach(d, w.store(w.specialist, samples.pdf("QĐ"), "QĐ tuyển dụng.pdf"))
    workfile_add_document(actor=w.specialist, work_file=wf, document_id=d.pk)
    return wf


def closed(w: World, code: str = "01.TCCB", **fields: Any) -> WorkFile:
    return workfile_close(actor=w.specialist, work_file=filled(w, code, **fields))


def test_yearly_list_shows_state_owner_retention_and_archive_flag(w: World) -> None:
    wf = closed(w)
    planned(w, "02.TCCB", retention_years=None, title="Hồ sơ thi đua khen thưởng")
    response = client_for(w.clerk).get(reverse("documents:workfile_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "01.TCCB" in html and "02.TCCB" in html
    assert "Vĩnh viễn" in html and "10 năm" in html
    assert "Nguyễn Văn Chuyên" in html  # the owner
    assert wf.archive_due_on is not None
    assert f"Cần nộp lưu trước {wf.archive_due_on:%d/%m/%Y}" in html
    # another year is empty
    empty = client_for(w.clerk).get(reverse("documents:workfile_list"), {"year": 2001})
    assert "chưa có hồ sơ nào" in empty.content.decode()
    # filtered by status
    only_planned = client_for(w.clerk).get(
        reverse("documents:workfile_list"), {"status": WorkFileStatus.PLANNED}
    )
    assert [r["wf"].code for r in only_planned.context["rows"]] == ["02.TCCB"]


def test_yearly_list_reads_a_page_in_a_fixed_number_of_queries(
    w: World, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        planned(w, f"{n:02d}")
    client = client_for(w.clerk)
    client.get(reverse("documents:workfile_list"))  # warm the session and the navigation
    with django_assert_max_num_queries(14):
        response = client.get(reverse("documents:workfile_list"))
    assert len(response.context["rows"]) == 12


def test_plan_page_creates_a_file(w: World) -> None:
    client = client_for(w.specialist)
    form = client.get(reverse("documents:workfile_plan"))
    assert form.status_code == 200
    assert form.context["form"]["department"].value() == w.department.pk
    response = client.post(
        reverse("documents:workfile_plan"),
        {
            "agency": w.agency.pk,
            "year": 2026,
            "code": "07/TCCB",
            "title": "Hồ sơ nâng ngạch",
            "permanent": "on",
            "department": w.department.pk,
        },
    )
    wf = WorkFile.objects.get(code="07/TCCB")
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:workfile_detail", kwargs={"pk": wf.pk})
    assert wf.retention_years is None and wf.status == WorkFileStatus.PLANNED


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": ""}, "code", "Cần nhập số và ký hiệu hồ sơ."),
        ({"title": ""}, "title", "Cần nhập tiêu đề hồ sơ."),
        (
            {"retention_years": ""},
            "retention_years",
            "Cần nhập thời hạn bảo quản (số năm từ 01 đến 70) hoặc chọn Vĩnh viễn.",
        ),
        (
            {"retention_years": "80"},
            "retention_years",
            "Thời hạn bảo quản từ 01 đến 70 năm, hoặc Vĩnh viễn.",
        ),
        ({"year": "năm nay"}, "year", "Năm phải là một số, ví dụ 2026."),
        (
            {"code": "01.TCCB"},
            "code",
            "Số và ký hiệu hồ sơ “01.TCCB” đã có trong danh mục hồ sơ năm 2026.",
        ),
    ],
)
def test_plan_page_shows_the_message_next_to_the_field(
    w: World, data: dict[str, str], field: str, message: str
) -> None:
    planned(w, year=2026)
    before = WorkFile.objects.count()
    posted = {
        "agency": w.agency.pk,
        "year": 2026,
        "code": "08",
        "title": "Hồ sơ",
        "retention_years": "5",
        **data,
    }
    response = client_for(w.specialist).post(reverse("documents:workfile_plan"), posted)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert WorkFile.objects.count() == before


def test_detail_actions_through_the_pages(w: World) -> None:
    wf = planned(w)
    client = client_for(w.specialist)
    detail = reverse("documents:workfile_detail", kwargs={"pk": wf.pk})
    assert "Mở hồ sơ" in client.get(detail).content.decode()

    client.post(reverse("documents:workfile_open", kwargs={"pk": wf.pk}), {"opened_on": ""})
    wf.refresh_from_db()
    assert wf.status == WorkFileStatus.OPEN and wf.owner_id == w.specialist.pk

    d = w.outgoing_doc(at=local(2026, 5, 6), subject="Quyết định phê duyệt chỉ tiêu")
    found = client.get(detail, {"q": "phe duyet chi tieu"})
    assert [c.pk for c in found.context["candidates"]] == [d.pk]
    response = client.post(
        reverse("documents:workfile_add_document", kwargs={"pk": wf.pk}), {"document": d.pk}
    )
    assert response.status_code == 302
    page = client.get(detail)
    assert "Quyết định phê duyệt chỉ tiêu" in page.content.decode()
    assert not page.context["candidates"]

    client.post(
        reverse("documents:workfile_remove_document", kwargs={"pk": wf.pk, "document_id": d.pk})
    )
    assert not WorkFileItem.objects.exists()
    # closing an empty file is refused with the reason on the page
    client.post(reverse("documents:workfile_close", kwargs={"pk": wf.pk}))
    messages = [str(m) for m in client.get(detail).context["messages"]]
    assert any(m.startswith("Hồ sơ chưa có văn bản nào nên không đóng được.") for m in messages)

    client.post(
        reverse("documents:workfile_add_document", kwargs={"pk": wf.pk}), {"document": d.pk}
    )
    client.post(reverse("documents:workfile_close", kwargs={"pk": wf.pk}), {"closed_on": ""})
    wf.refresh_from_db()
    assert wf.status == WorkFileStatus.CLOSED

    clerk = client_for(w.clerk)
    clerk.post(reverse("documents:workfile_submit", kwargs={"pk": wf.pk}))
    wf.refresh_from_db()
    assert wf.status == WorkFileStatus.SUBMITTED


def test_add_a_document_the_actor_may_not_see_is_refused_with_a_message(w: World) -> None:
    wf = opened(w)
    hidden = w.incoming_doc(at=local(2026, 5, 6), department=w.other_department)
    client = client_for(w.specialist)
    client.post(
        reverse("documents:workfile_add_document", kwargs={"pk": wf.pk}), {"document": hidden.pk}
    )
    response = client.get(reverse("documents:workfile_detail", kwargs={"pk": wf.pk}))
    assert [str(m) for m in response.context["messages"]] == [
        "Không tìm thấy văn bản trong số văn bản của cơ quan mà bạn được xem."
    ]
    assert not WorkFileItem.objects.exists()


def test_detail_hides_documents_the_reader_may_not_see(w: World) -> None:
    wf = opened(w)
    mine = w.outgoing_doc(at=local(2026, 5, 6), subject="Văn bản của phòng")
    hidden = w.incoming_doc(
        at=local(2026, 5, 7), department=w.other_department, subject="Văn bản phòng khác"
    )
    workfile_add_document(actor=w.specialist, work_file=wf, document_id=mine.pk)
    workfile_add_document(actor=w.leader, work_file=wf, document_id=hidden.pk)
    html = client_for(w.specialist).get(reverse("documents:workfile_detail", kwargs={"pk": wf.pk}))
    text = html.content.decode()
    assert "Văn bản của phòng" in text and "Văn bản phòng khác" not in text
    assert "Và 1 văn bản khác bạn không có quyền xem." in text
    assert (
        "Văn bản phòng khác"
        in client_for(w.leader)
        .get(reverse("documents:workfile_detail", kwargs={"pk": wf.pk}))
        .content.decode()
    )


def test_export_download(w: World) -> None:
    wf = closed(w)
    page = client_for(w.clerk).get(reverse("documents:workfile_detail", kwargs={"pk": wf.pk}))
    html = page.content.decode()
    assert "Tải gói hồ sơ (ZIP)" in html and "Ghi nhận đã nộp lưu" in html
    assert "Đóng hồ sơ" not in html and "Bỏ khỏi hồ sơ" not in html
    # the owner downloads but does not record the submission
    owner_page = (
        client_for(w.specialist)
        .get(reverse("documents:workfile_detail", kwargs={"pk": wf.pk}))
        .content.decode()
    )
    assert "Tải gói hồ sơ (ZIP)" in owner_page and "Ghi nhận đã nộp lưu" not in owner_page
    # a colleague neither
    colleague = (
        client_for(w.other_specialist)
        .get(reverse("documents:workfile_detail", kwargs={"pk": wf.pk}))
        .content.decode()
    )
    assert "Tải gói hồ sơ (ZIP)" not in colleague
    response = client_for(w.clerk).get(reverse("documents:workfile_export", kwargs={"pk": wf.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f'filename="ho-so-{w.agency.code}-' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    metadata = json.loads(archive.read("metadata.json"))
    assert metadata["documents"][0]["subject"] == "Quyết định tuyển dụng"
    # a file not closed yet: back to the file with the reason
    open_one = opened(w, "02")
    back = client_for(w.clerk).get(reverse("documents:workfile_export", kwargs={"pk": open_one.pk}))
    assert back.status_code == 302


def test_overdue_page(w: World) -> None:
    wf = opened(w)
    d = w.outgoing_doc(at=local(2024, 5, 6))
    workfile_add_document(actor=w.specialist, work_file=wf, document_id=d.pk)
    WorkFile.objects.filter(pk=wf.pk).update(opened_on=dt.date(2024, 5, 1))
    workfile_close(actor=w.specialist, work_file=wf, closed_on=dt.date(2024, 6, 1))
    response = client_for(w.leader).get(reverse("documents:workfile_overdue"))
    assert response.status_code == 200
    assert [r["wf"].pk for r in response.context["rows"]] == [wf.pk]
    assert "Cần nộp lưu trước 01/06/2025" in response.content.decode()
    assert (
        "Không có hồ sơ nào quá hạn nộp lưu."
        in client_for(w.clerk_b).get(reverse("documents:workfile_overdue")).content.decode()
    )


# --- Access -------------------------------------------------------------------------------

#: who → expected status, for a file of agency A owned by the specialist.
PEOPLE = (
    "clerk",
    "leader",
    "head",
    "specialist",
    "other_specialist",
    "clerk_b",
    "specialist_b",
    "citizen",
    "anonymous",
)
OFFICIALS_OF_A = {"clerk", "leader", "head", "specialist", "other_specialist"}
KEEPERS = {"clerk", "leader"}


def _expect(allowed: set[str], ok: int, *, other_agency: int = 404) -> dict[str, int]:
    table = {}
    for who in PEOPLE:
        if who == "anonymous":
            table[who] = 302
        elif who in allowed:
            table[who] = ok
        elif who in ("clerk_b", "specialist_b"):
            table[who] = other_agency
        elif who == "citizen" or who in OFFICIALS_OF_A:
            table[who] = 403
    return table


#: The state a POST leads to when it is allowed.
STATE_AFTER = {
    "workfile_open": WorkFileStatus.OPEN,
    "workfile_close": WorkFileStatus.CLOSED,
    "workfile_submit": WorkFileStatus.SUBMITTED,
}

Case = tuple[str, str, Callable[[World], WorkFile | None], dict[str, Any], dict[str, int]]

CASES: list[Case] = [
    (
        "workfile_list",
        "GET",
        lambda w: None,
        {},
        _expect(OFFICIALS_OF_A | {"clerk_b", "specialist_b"}, 200),
    ),
    (
        "workfile_overdue",
        "GET",
        lambda w: None,
        {},
        _expect(OFFICIALS_OF_A | {"clerk_b", "specialist_b"}, 200),
    ),
    (
        "workfile_plan",
        "GET",
        lambda w: None,
        {},
        _expect(OFFICIALS_OF_A | {"clerk_b", "specialist_b"}, 200),
    ),
    ("workfile_detail", "GET", planned, {}, _expect(OFFICIALS_OF_A, 200)),
    ("workfile_open", "POST", planned, {}, _expect(OFFICIALS_OF_A, 302)),
    ("workfile_close", "POST", filled, {}, _expect(KEEPERS | {"specialist"}, 302)),
    ("workfile_submit", "POST", closed, {}, _expect(KEEPERS, 302)),
    ("workfile_export", "GET", closed, {}, _expect(KEEPERS | {"specialist"}, 200)),
    ("workfile_add_document", "POST", opened, {"document": 0}, _expect(OFFICIALS_OF_A, 302)),
]


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(
    ("route", "method", "make", "data", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_access_matrix(
    w: World,
    who: str,
    route: str,
    method: str,
    make: Callable[[World], WorkFile | None],
    data: dict[str, Any],
    expected: dict[str, int],
) -> None:
    wf = make(w)
    kwargs = {"pk": wf.pk} if wf is not None else {}
    user = None if who == "anonymous" else getattr(w, who)
    client = client_for(user)
    url = reverse(f"documents:{route}", kwargs=kwargs)
    response = client.get(url, data) if method == "GET" else client.post(url, data)
    assert response.status_code == expected[who], (who, route, response.content[:300])
    if wf is not None and route in STATE_AFTER:
        # an allowed step happened; a refused one changed nothing
        after = WorkFile.objects.get(pk=wf.pk).status
        allowed = expected[who] == 302 and who != "anonymous"
        assert (after == STATE_AFTER[route]) == allowed, (who, route, after)
    if who == "anonymous":
        assert reverse("accounts:login") in response["Location"]


def test_plan_for_another_agency_is_forbidden(w: World) -> None:
    response = client_for(w.clerk_b).post(
        reverse("documents:workfile_plan"),
        {"agency": w.agency.pk, "year": 2026, "code": "X", "title": "T", "permanent": "on"},
    )
    assert response.status_code == 403
    assert not WorkFile.objects.exists()


def test_remove_document_access(w: World) -> None:
    wf = opened(w)
    d = w.outgoing_doc(at=local(2026, 5, 6))
    workfile_add_document(actor=w.specialist, work_file=wf, document_id=d.pk)
    url = reverse("documents:workfile_remove_document", kwargs={"pk": wf.pk, "document_id": d.pk})
    assert client_for(w.clerk_b).post(url).status_code == 404
    assert client_for(w.citizen).post(url).status_code == 403
    assert client_for(None).post(url).status_code == 302
    assert WorkFileItem.objects.count() == 1
    assert client_for(w.other_specialist).post(url).status_code == 302
    assert not WorkFileItem.objects.exists()
