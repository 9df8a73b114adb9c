"""The incoming pages: the registration form (secrecy, duplicates, files kept, messages next to
their fields, nothing half-saved), the clerk's queues, the leader's assignment and the inbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from tinhso.audit.models import AuditEvent
from tinhso.documents import services
from tinhso.documents.models import (
    Assignment,
    AssignmentStatus,
    Document,
    DocumentFile,
    DocumentStatus,
)
from tinhso.documents.tests.browser.conftest import sent_from_finance, vietnam_today
from tinhso.documents.tests.views.conftest import Login, page_text, pdf
from tinhso.documents.views.common import due_left
from tinhso.files.models import StoredFile
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db

NEW = "/van-ban/vao-so/"


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": "paper",
        "issuer_name": "Ủy ban nhân dân thành phố Huế",
        "issuer_code": "000.00.00.H57",
        "number": "125",
        "notation": "UBND-NC",
        "issued_on": "2026-11-24",
        "doc_type": "CV",
        "subject": "Về việc rà soát tổ chức bộ máy",
        "urgency": "thuong",
        "secrecy": "",
        "signer_name": "Nguyễn Văn Phương",
        "signer_position": "Chủ tịch",
        "page_count": "3",
        "due_on": "",
        "note": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- Registration --------------------------------------------------------------------------------


def test_the_clerk_registers_a_paper_document_with_its_scan(
    eoffice: EofficeWorld, login: Login
) -> None:
    # given the clerk on the form
    client = login("vanthu")
    page = client.get(NEW)
    assert page.status_code == 200
    assert "Độ mật" in page_text(page)
    # when the form is posted with a scan
    response = client.post(NEW, _form(document_files=pdf("cv-125.pdf")))
    # then the document has the next incoming number and its file, and the page says so
    d = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[d.pk])
    assert (d.register_number, d.number, d.notation) == (1, "125", "UBND-NC")
    assert d.signer_name == "Nguyễn Văn Phương" and d.page_count == 3
    assert list(d.files.values_list("file__name", flat=True)) == ["cv-125.pdf"]
    shown = client.get(response["Location"])
    assert "Đã vào sổ văn bản đến, số đến 1" in page_text(shown)


@pytest.mark.parametrize("marking", ["Mật", "Tối mật", "Tuyệt mật"])
def test_a_secret_document_is_refused_with_the_services_reason(
    eoffice: EofficeWorld, login: Login, marking: str
) -> None:
    client = login("vanthu")
    response = client.post(NEW, _form(secrecy=marking, document_files=pdf()))
    assert response.status_code == 200
    form = response.context["form"]
    assert "bí mật nhà nước" in " ".join(form.errors["secrecy"])
    assert 'id="id_secrecy_errors"' in response.content.decode()
    assert not Document.objects.exists()
    # the scan was stored and stays on the page, ticked
    stored = StoredFile.objects.get(name="van-ban.pdf")
    assert f'name="document_files_stored" value="{stored.pk}"' in response.content.decode()
    # resubmitted without the marking and without uploading again
    again = client.post(NEW, _form(document_files_stored=str(stored.pk)))
    assert again.status_code == 302
    assert Document.objects.get().files.get().file_id == stored.pk


def test_missing_fields_are_named_in_vietnamese_and_nothing_is_saved(
    eoffice: EofficeWorld, login: Login
) -> None:
    audit_before = AuditEvent.objects.count()
    response = login("vanthu").post(
        NEW, _form(issuer_name="", number="", notation="", issued_on="", doc_type="", subject="")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["issuer_name"] == ["Chưa nhập cơ quan ban hành."]
    assert errors["number"] == ["Chưa nhập số văn bản."]
    assert errors["notation"] == ["Chưa nhập ký hiệu văn bản."]
    assert errors["issued_on"] == ["Chưa nhập ngày văn bản."]
    assert "danh mục" in errors["doc_type"][0]
    assert errors["subject"] == ["Chưa nhập trích yếu nội dung."]
    assert "Chưa thực hiện được, vui lòng kiểm tra" in page_text(response)
    assert not Document.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="documents.").count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_a_malformed_date_and_an_electronic_document_without_file(
    eoffice: EofficeWorld, login: Login
) -> None:
    client = login("vanthu")
    bad_date = client.post(NEW, _form(issued_on="32/13/2026"))
    assert bad_date.context["form"].errors["issued_on"] == [
        "Ngày không đúng định dạng (ngày/tháng/năm)."
    ]
    electronic = client.post(NEW, _form(source="electronic"))
    assert electronic.context["form"].errors["document_files"] == [
        "Văn bản điện tử phải có tệp văn bản."
    ]
    future = client.post(NEW, _form(issued_on=(vietnam_today() + dt.timedelta(days=3)).isoformat()))
    assert future.context["form"].errors["issued_on"] == [
        "Ngày văn bản không thể sau ngày hôm nay."
    ]
    assert not Document.objects.exists()


def test_a_refused_upload_is_shown_next_to_the_files(eoffice: EofficeWorld, login: Login) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile(
        "van-ban.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = login("vanthu").post(NEW, _form(document_files=fake))
    assert response.status_code == 200
    assert response.context["form"].errors["document_files"]
    assert not Document.objects.exists()


def test_a_likely_duplicate_is_shown_and_registered_only_once_confirmed(
    eoffice: EofficeWorld, login: Login
) -> None:
    first = eoffice.register(number="125", notation="UBND-NC", issued_on=dt.date(2026, 11, 24))
    client = login("vanthu")
    response = client.post(NEW, _form())
    assert response.status_code == 200
    text = page_text(response)
    assert "có thể đã được vào sổ" in text
    assert reverse("documents:detail", args=[first.pk]) in response.content.decode()
    assert "Tôi đã kiểm tra: đây là văn bản khác, vẫn vào sổ." in text
    assert Document.objects.count() == 1
    confirmed = client.post(NEW, _form(confirm_duplicate="on"))
    assert confirmed.status_code == 302
    assert Document.objects.count() == 2


def test_a_clerk_of_two_agencies_chooses_where_the_document_goes(
    eoffice: EofficeWorld, login: Login
) -> None:
    from tinhso.accounts.models import Membership, Role

    Membership.objects.create(user=eoffice.clerk, agency=eoffice.demo.phu_xuan, role=Role.VAN_THU)
    client = login("vanthu")
    page = client.get(NEW)
    assert "Cơ quan nhận" in page_text(page)
    response = client.post(NEW, _form(agency=str(eoffice.demo.phu_xuan.pk), document_files=pdf()))
    assert response.status_code == 302
    assert Document.objects.get().agency_id == eoffice.demo.phu_xuan.pk


# --- The clerk's queues ---------------------------------------------------------------------------


def _act(client: Any, d: Document, action: str, **fields: Any) -> Any:
    data = {f"{action}-{k}": v for k, v in fields.items()}
    return client.post(reverse("documents:act", args=[d.pk, action]), data)


def test_an_electronic_document_is_registered_from_the_queue(
    eoffice: EofficeWorld, login: Login
) -> None:
    received = sent_from_finance(eoffice.demo, subject="Về việc góp ý dự thảo quy định")
    client = login("vanthu")
    queue = client.get(reverse("documents:clerk_queue"))
    assert "Về việc góp ý dự thảo quy định" in page_text(queue)
    assert queue.context["counts"]["queue"] == 1
    here = reverse("documents:clerk_queue")
    response = _act(client, received, "accept", next=here)
    assert response.status_code == 302 and response["Location"] == here
    received.refresh_from_db()
    assert received.status == DocumentStatus.REGISTERED and received.register_number == 1
    assert "Đã vào sổ văn bản đến, số đến 1" in page_text(client.get(here))


def test_returning_to_the_sender_needs_a_reason(eoffice: EofficeWorld, login: Login) -> None:
    received = sent_from_finance(eoffice.demo, subject="Văn bản gửi nhầm")
    client = login("vanthu")
    no_reason = _act(client, received, "refuse", reason="  ")
    assert no_reason.status_code == 200
    panel = next(p for p in no_reason.context["panels"] if p.action == "refuse")
    assert panel.open
    assert panel.form.errors["reason"] == ["Cần ghi lý do trả lại văn bản."]
    received.refresh_from_db()
    assert received.status == DocumentStatus.RECEIVED
    done = _act(client, received, "refuse", reason="Gửi nhầm cơ quan")
    assert done.status_code == 302
    received.refresh_from_db()
    assert received.status == DocumentStatus.REFUSED


def test_the_clerk_presents_to_a_leader(eoffice: EofficeWorld, login: Login) -> None:
    d = eoffice.register()
    client = login("vanthu")
    page = client.get(reverse("documents:clerk_present"))
    assert "Tôn Thất Bảo Long (Giám đốc)" in page_text(page)
    not_a_leader = _act(client, d, "present", leader=str(eoffice.specialist.pk))
    assert not_a_leader.status_code == 200
    panel = next(p for p in not_a_leader.context["panels"] if p.action == "present")
    assert panel.form.errors["leader"]
    ok = _act(client, d, "present", leader=str(eoffice.director.pk), note="Kính trình")
    assert ok.status_code == 302
    d.refresh_from_db()
    assert d.status == DocumentStatus.PRESENTED


def test_a_refused_transition_is_a_409_with_the_reason_not_a_500(
    eoffice: EofficeWorld, login: Login
) -> None:
    # given a document already registered
    d = eoffice.register()
    # when the clerk tries to register it again (a stale page)
    response = _act(login("vanthu"), d, "accept")
    # then the page says why, with HTTP 409
    assert response.status_code == 409
    assert "Văn bản này đã được vào sổ hoặc đã trả lại." in page_text(response)


def test_an_action_someone_may_not_take_is_a_403_with_the_reason(
    eoffice: EofficeWorld, login: Login
) -> None:
    d, _main = eoffice.assigned()
    # the specialist sees the document but is not its clerk
    response = _act(login("chuyenvien"), d, "present", leader=str(eoffice.director.pk))
    assert response.status_code == 403
    assert "Chỉ văn thư của cơ quan trình văn bản đến." in page_text(response)


# --- The leader assigns ----------------------------------------------------------------------------


def _presented(eoffice: EofficeWorld) -> Document:
    d = eoffice.register()
    services.incoming_present(actor=eoffice.clerk, document_id=d.pk, leader_id=eoffice.director.pk)
    return d


def test_the_director_assigns_a_main_processor_supporters_and_readers(
    eoffice: EofficeWorld, login: Login
) -> None:
    d = _presented(eoffice)
    client = login("giamdoc.snv")
    listed = client.get(reverse("documents:to_assign"))
    assert d.subject in page_text(listed)
    url = reverse("documents:assign", args=[d.pk])
    form_page = client.get(url)
    text = page_text(form_page)
    assert "Phòng Tổ chức, biên chế và Tổ chức phi chính phủ" in text and "Lãnh đạo cơ quan" in text
    due = vietnam_today() + dt.timedelta(days=5)
    response = client.post(
        url,
        {
            "main": str(eoffice.specialist.pk),
            "supports": [str(eoffice.demo.user("snv.ccvc.truong").pk)],
            "readers": [str(eoffice.head.pk)],
            "direction": "Tham mưu trước hạn",
            "due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    rows = {
        (a.assignee.username, a.role)
        for a in Assignment.objects.filter(document=d, is_presentation=False)
    }
    assert rows == {("chuyenvien", "main"), ("snv.ccvc.truong", "support"), ("lanhdao", "reader")}
    d.refresh_from_db()
    assert d.status == DocumentStatus.ASSIGNED and d.due_on == due


def test_assignment_errors_are_shown_next_to_their_fields(
    eoffice: EofficeWorld, login: Login
) -> None:
    d = _presented(eoffice)
    client = login("giamdoc.snv")
    url = reverse("documents:assign", args=[d.pk])
    missing = client.post(url, {"direction": "x"})
    assert missing.context["form"].errors["main"] == ["Chọn người (đơn vị) xử lý chính."]
    twice = client.post(
        url, {"main": str(eoffice.specialist.pk), "supports": [str(eoffice.specialist.pk)]}
    )
    assert "không đồng thời" in twice.context["form"].errors["supports"][0]
    outsider = client.post(url, {"main": str(eoffice.commune_clerk.pk)})
    assert outsider.context["form"].errors["main"] == [
        "Người được chọn không phải cán bộ của cơ quan."
    ]
    past = client.post(url, {"main": str(eoffice.specialist.pk), "due_on": "2020-01-01"})
    assert past.context["form"].errors["due_on"] == ["Hạn xử lý không thể trước ngày hôm nay."]
    assert not Assignment.objects.filter(document=d, is_presentation=False).exists()


# --- The processors' inbox -------------------------------------------------------------------------


def test_due_dates_in_colour_and_in_words() -> None:
    today = dt.date(2026, 11, 26)
    cases = {
        5: ("ok", "Còn 5 ngày"),
        4: ("ok", "Còn 4 ngày"),
        3: ("near", "Còn 3 ngày"),
        0: ("near", "Đến hạn hôm nay"),
        -2: ("late", "Quá hạn 2 ngày"),
    }
    for days, expected in cases.items():
        shown = due_left(today + dt.timedelta(days=days), today=today)
        assert (shown.level, shown.text) == expected
    assert due_left(None, today=today).level == "none"
    assert due_left(today, today=today, done=True).level == "done"


def test_the_inbox_shows_time_left_and_the_actions(eoffice: EofficeWorld, login: Login) -> None:
    _d, main = eoffice.assigned(due_on=vietnam_today() + dt.timedelta(days=2))
    _late, late_main = eoffice.assigned(number="16")
    Assignment.objects.filter(pk=late_main.pk).update(due_on=vietnam_today() - dt.timedelta(days=1))
    client = login("chuyenvien")
    response = client.get(reverse("documents:inbox"))
    html = response.content.decode()
    rows = response.context["rows"]
    assert [r["a"].pk for r in rows] == [late_main.pk, main.pk]
    assert [r["due"].level for r in rows] == ["late", "near"]
    assert "Quá hạn 1 ngày" in html and "Còn 2 ngày" in html
    assert 'data-action="pass_on"' in html and 'data-action="complete"' in html


def test_start_pass_on_and_complete(eoffice: EofficeWorld, login: Login) -> None:
    d, main = eoffice.assigned()
    client = login("chuyenvien")
    inbox = reverse("documents:inbox")
    started = _act(client, d, "start", assignment=str(main.pk), next=inbox)
    assert started.status_code == 302 and started["Location"] == inbox
    main.refresh_from_db()
    assert main.status == AssignmentStatus.IN_PROGRESS
    # passing on outside the department is refused next to the field
    clerk = _act(client, d, "pass_on", assignment=str(main.pk), to_user=str(eoffice.clerk.pk))
    assert clerk.status_code == 200
    panel = next(p for p in clerk.context["panels"] if p.action == "pass_on")
    assert panel.form.errors["to_user"]
    colleague = eoffice.demo.user("snv.tcbc.cv")
    passed = _act(client, d, "pass_on", assignment=str(main.pk), to_user=str(colleague.pk))
    assert passed.status_code == 302
    child = Assignment.objects.get(parent=main)
    assert child.assignee == colleague
    # the colleague completes, which completes the document
    other = login("snv.tcbc.cv")
    no_note = _act(other, d, "complete", assignment=str(child.pk), result_note="")
    assert no_note.status_code == 200
    panel = next(p for p in no_note.context["panels"] if p.action == "complete")
    assert panel.form.errors["result_note"] == ["Ghi kết quả xử lý hoặc chọn văn bản trả lời."]
    done = _act(other, d, "complete", assignment=str(child.pk), result_note="Đã báo cáo")
    assert done.status_code == 302
    d.refresh_from_db()
    assert d.status == DocumentStatus.COMPLETED


def test_opening_a_document_given_to_you_marks_it_seen(eoffice: EofficeWorld, login: Login) -> None:
    d, main = eoffice.assigned()
    assert main.status == AssignmentStatus.WAITING
    page = login("chuyenvien").get(reverse("documents:detail", args=[d.pk]))
    assert page.status_code == 200
    main.refresh_from_db()
    assert main.status == AssignmentStatus.SEEN
    assert "Đã xem" in page_text(page)


def test_the_overdue_list(eoffice: EofficeWorld, login: Login) -> None:
    _d, main = eoffice.assigned()
    Assignment.objects.filter(pk=main.pk).update(due_on=vietnam_today() - dt.timedelta(days=4))
    for account in ("chuyenvien", "giamdoc.snv", "vanthu"):
        response = login(account).get(reverse("documents:overdue"))
        assert [r["a"].pk for r in response.context["rows"]] == [main.pk], account
        assert "Quá hạn 4 ngày" in page_text(response)
    empty = login("vanthu.xa").get(reverse("documents:overdue"))
    assert "Không có văn bản nào quá hạn xử lý." in page_text(empty)


def test_the_document_page_shows_files_history_and_assignments(
    eoffice: EofficeWorld, login: Login
) -> None:
    d, _main = eoffice.assigned()
    response = login("giamdoc.snv").get(reverse("documents:detail", args=[d.pk]))
    text = page_text(response)
    file_id = DocumentFile.objects.filter(document=d).values_list("file_id", flat=True)[0]
    assert reverse("files:download", args=[file_id]) in response.content.decode()
    for label in (
        "03 · Đã tiếp nhận",
        "04 · Phân công",
        "Phan Văn Hùng",
        "Xử lý chính",
        "Đề nghị xử lý",
    ):
        assert label in text
