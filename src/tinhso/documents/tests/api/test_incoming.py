"""/api/v1/documents/incoming/: registration as the issue writes it, duplicates, refused
input, accepting and refusing what arrived electronically, presenting, assigning and
processing, the list's filters and its query budget."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Model
from django.utils import timezone

from tinhso.audit.models import AuditEvent
from tinhso.documents import services
from tinhso.documents.models import (
    Activity,
    Assignment,
    Document,
    DocumentFile,
    DocumentStatus,
    NumberCounter,
    Recipient,
)
from tinhso.documents.numbering import vietnam_date
from tinhso.testing.eoffice import EofficeWorld, upload

from .helpers import (
    INCOMING,
    api_upload,
    bearer,
    ok,
    problem,
    register_body,
)

pytestmark = pytest.mark.django_db

ROWS: tuple[type[Model], ...] = (
    Document,
    DocumentFile,
    Activity,
    NumberCounter,
    Assignment,
    AuditEvent,
)


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in ROWS}


# --- Registration -----------------------------------------------------------------------------


def test_the_issues_smallest_registration_gets_an_incoming_number(eoffice: EofficeWorld) -> None:
    # given the clerk's client and a scan uploaded through the files API
    client = bearer(eoffice.clerk)
    scan = api_upload(client, "quyet-dinh-15.pdf")

    # when the clerk registers it with the body of the issue
    response = client.post(INCOMING, register_body(scan), format="json")

    # then 201 with the first incoming number of the year and the document as registered
    body = ok(response, 201)
    assert body["incoming_number"] == 1
    assert body["status"] == DocumentStatus.REGISTERED
    assert (body["number"], body["notation"], body["reference"]) == ("15", "QĐ-UBND", "15/QĐ-UBND")
    assert (body["type"], body["date"], body["urgency"]) == ("QĐ", "2026-11-20", "thuong")
    assert body["issuer_name"] == "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
    assert response["Location"] == f"{INCOMING}{body['id']}/"
    # and its detail, at Location, holds the scan and the history
    detail = ok(client.get(response["Location"]), 200)
    assert [(f["id"], f["name"], f["role"]) for f in detail["files"]] == [
        (scan, "quyet-dinh-15.pdf", "main")
    ]
    assert [(h["action"], h["edxml_status"]) for h in detail["history"]] == [("register", "03")]
    # and the next one gets the next number
    second = client.post(INCOMING, register_body(scan, number="16"), format="json")
    assert ok(second, 201)["incoming_number"] == 2


def test_a_likely_duplicate_is_409_with_the_ids_until_confirmed(eoffice: EofficeWorld) -> None:
    # given a registered document
    client = bearer(eoffice.clerk)
    first = ok(client.post(INCOMING, register_body(), format="json"), 201)

    # when the same document is registered again
    response = client.post(INCOMING, register_body(), format="json")

    # then 409 names the document it may repeat and says how to register it anyway
    body = problem(response, 409)
    assert body["code"] == "likely_duplicate"
    assert body["duplicates"] == [first["id"]]
    assert '"confirm_duplicate": true' in body["detail"]
    assert Document.objects.count() == 1
    # and confirming registers it with the next number
    confirmed = client.post(INCOMING, register_body(confirm_duplicate=True), format="json")
    assert ok(confirmed, 201)["incoming_number"] == 2


def _future(w: EofficeWorld) -> dict[str, Any]:
    return {"date": (vietnam_date(timezone.now()) + dt.timedelta(days=1)).isoformat()}


def _other_agency_file(w: EofficeWorld) -> dict[str, Any]:
    return {"files": [upload(w.commune_clerk, "cua-xa.pdf")]}


BAD_REGISTRATIONS = [
    pytest.param(
        lambda w: {"notation": "QĐ UBND"},
        "notation",
        "Ký hiệu “QĐ UBND” không hợp lệ: viết liền, các phần nối bằng dấu “-” (ví dụ QĐ-UBND).",
        id="malformed-notation",
    ),
    pytest.param(_future, "date", "Ngày văn bản không thể sau ngày hôm nay.", id="future-date"),
    pytest.param(
        lambda w: {"type": "QĐX"},
        "type",
        "Loại văn bản không có trong danh mục của Nghị định 30/2020.",
        id="unknown-type",
    ),
    pytest.param(
        lambda w: {"subject": "Trích yếu " * 60},
        "subject",
        "Trích yếu dài quá 500 ký tự.",
        id="subject-over-500",
    ),
    pytest.param(
        _other_agency_file,
        "files",
        "bạn không được dùng tệp này.",
        id="file-of-another-agency",
    ),
    pytest.param(
        lambda w: {"secrecy": "Tối mật"},
        "secrecy",
        "Văn bản có độ mật (mật, tối mật, tuyệt mật) không được xử lý trên hệ thống này",
        id="state-secret",
    ),
    pytest.param(
        lambda w: {"date": "20/11/2026"}, "date", "Ngày sai định dạng.", id="date-not-iso"
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_REGISTRATIONS)
def test_a_bad_registration_is_400_with_the_fields_message_and_nothing_saved(
    eoffice: EofficeWorld, change: Any, field: str, message: str
) -> None:
    # given the clerk's client, and the rows before
    client = bearer(eoffice.clerk)
    body = register_body(api_upload(client), **change(eoffice))
    before = counts()

    # when the bad registration is sent
    response = client.post(INCOMING, body, format="json", HTTP_ACCEPT_LANGUAGE="vi")

    # then 400 names the field in Vietnamese
    errors = problem(response, 400)["errors"]
    assert message in " ".join(errors[field]), errors
    # and nothing was written, not even a number taken
    assert counts() == before
    # so the next good registration is number 1
    good = client.post(INCOMING, register_body(api_upload(client)), format="json")
    assert ok(good, 201)["incoming_number"] == 1


def test_every_field_error_comes_back_at_once(eoffice: EofficeWorld) -> None:
    # when the clerk sends a notation, a date and a subject that are all wrong
    body = register_body(
        notation="--", subject="", **_future(eoffice), number="mười lăm", issuer_name=""
    )
    response = bearer(eoffice.clerk).post(INCOMING, body, format="json")

    # then each field has its message
    errors = problem(response, 400)["errors"]
    assert set(errors) == {"notation", "date", "subject", "number", "issuer_name"}
    assert errors["issuer_name"] == ["Chưa nhập cơ quan ban hành."]
    assert errors["subject"] == ["Chưa nhập trích yếu nội dung."]


def test_an_electronic_registration_needs_its_file(eoffice: EofficeWorld) -> None:
    response = bearer(eoffice.clerk).post(
        INCOMING, register_body(source="electronic"), format="json"
    )
    assert problem(response, 400)["errors"]["files"] == ["Văn bản điện tử phải có tệp văn bản."]


# --- Accept and refuse ------------------------------------------------------------------------


def test_the_clerk_accepts_a_document_arrived_from_the_commune(eoffice: EofficeWorld) -> None:
    # given an electronic document from Phú Xuân in the clerk's queue
    arrived = eoffice.received()
    client = bearer(eoffice.clerk)
    url = f"{INCOMING}{arrived.pk}/accept/"

    # when the clerk accepts it
    body = ok(client.post(url, {}, format="json"))

    # then it has an incoming number and the commune sees 03 đã tiếp nhận
    assert body["status"] == DocumentStatus.REGISTERED
    assert body["incoming_number"] == 1
    assert body["source"] == "internal"
    assert Recipient.objects.get(delivered=arrived).state == "03"
    # and accepting again is a conflict
    again = problem(client.post(url, {}, format="json"), 409)
    assert again["detail"] == "Văn bản này đã được vào sổ hoặc đã trả lại."


def test_the_clerk_refuses_with_a_reason_only(eoffice: EofficeWorld) -> None:
    # given a document arrived from the commune
    arrived = eoffice.received()
    client = bearer(eoffice.clerk)
    url = f"{INCOMING}{arrived.pk}/refuse/"

    # when the clerk refuses without a reason, then with one
    blank = problem(client.post(url, {"reason": "  "}, format="json"), 400)
    body = ok(client.post(url, {"reason": "Gửi nhầm cơ quan"}, format="json"))

    # then the first is refused by field, the second returns it to the commune (02)
    assert blank["errors"] == {"reason": ["Cần ghi lý do trả lại văn bản."]}
    assert body["status"] == DocumentStatus.REFUSED
    assert body["history"][-1]["edxml_status"] == "02"
    assert Recipient.objects.get(delivered=arrived).state == "02"


# --- Present, assign, process -----------------------------------------------------------------


def test_from_registration_to_completion_by_api(eoffice: EofficeWorld) -> None:
    # given a document the clerk registered
    clerk, director = bearer(eoffice.clerk), bearer(eoffice.director)
    specialist = bearer(eoffice.specialist)
    d = ok(clerk.post(INCOMING, register_body(), format="json"), 201)
    url = f"{INCOMING}{d['id']}/"

    # when the clerk presents it, the director assigns it and the specialist processes it
    ok(clerk.post(f"{url}present/", {"leader": eoffice.director.pk}, format="json"))
    due = (vietnam_date(timezone.now()) + dt.timedelta(days=5)).isoformat()
    assigned = ok(
        director.post(
            f"{url}assign/",
            {
                "main": eoffice.specialist.pk,
                "readers": [eoffice.head.pk],
                "direction": "Đề nghị tham mưu",
                "due_on": due,
            },
            format="json",
        )
    )
    started = ok(specialist.post(f"{url}process/", {"action": "start"}, format="json"))
    done = ok(
        specialist.post(
            f"{url}process/",
            {"action": "complete", "result_note": "Đã tham mưu văn bản trả lời"},
            format="json",
        )
    )

    # then each step shows in the document
    assert assigned["status"] == DocumentStatus.ASSIGNED
    assert assigned["due_on"] == due
    routing = {
        (a["assignee"]["id"], a["role"], a["direction"], a["due_on"])
        for a in assigned["assignments"]
        if not a["is_presentation"]
    }
    assert routing == {
        (eoffice.specialist.pk, "main", "Đề nghị tham mưu", due),
        (eoffice.head.pk, "reader", "Đề nghị tham mưu", due),
    }
    assert started["status"] == DocumentStatus.IN_PROGRESS
    assert done["status"] == DocumentStatus.COMPLETED
    codes = [h["edxml_status"] for h in done["history"] if h["edxml_status"]]
    assert codes == ["03", "04", "04", "05", "06"]
    assert done["history"][-1]["actor"] == {
        "id": eoffice.specialist.pk,
        "name": eoffice.specialist.full_name,
    }
    # and the specialist's part being over, another step is a conflict
    again = problem(specialist.post(f"{url}process/", {"action": "start"}, format="json"), 409)
    assert again["detail"] == "Phần việc của bạn với văn bản này đã kết thúc."


def test_the_main_processor_needs_a_result_to_complete(eoffice: EofficeWorld) -> None:
    d, _main = eoffice.assigned()
    response = bearer(eoffice.specialist).post(
        f"{INCOMING}{d.pk}/process/", {"action": "complete"}, format="json"
    )
    errors = problem(response, 400)["errors"]
    assert errors == {"result_note": ["Ghi kết quả xử lý hoặc chọn văn bản trả lời."]}
    d.refresh_from_db()
    assert d.status == DocumentStatus.ASSIGNED


def test_pass_on_inside_the_department(eoffice: EofficeWorld) -> None:
    # given a document assigned to the specialist
    d, _main = eoffice.assigned()
    colleague = eoffice.colleague
    client = bearer(eoffice.specialist)
    url = f"{INCOMING}{d.pk}/process/"

    # when passing it on without saying to whom, to someone outside, then to a colleague
    nobody = problem(client.post(url, {"action": "pass_on"}, format="json"), 400)
    outside = problem(
        client.post(url, {"action": "pass_on", "to": eoffice.clerk.pk}, format="json"), 400
    )
    body = ok(
        client.post(
            url, {"action": "pass_on", "to": colleague.pk, "direction": "Xử lý"}, format="json"
        )
    )

    # then the colleague holds it and may start it
    assert nobody["errors"] == {"to": ["Chọn người nhận chuyển tiếp."]}
    assert outside["errors"] == {"to": ["Chỉ chuyển tiếp được cho cán bộ trong cùng phòng, ban."]}
    statuses = {(a["assignee"]["id"], a["status"]) for a in body["assignments"]}
    assert (eoffice.specialist.pk, "passed_on") in statuses
    assert (colleague.pk, "waiting") in statuses
    started = bearer(colleague).post(url, {"action": "start"}, format="json")
    assert ok(started)["status"] == DocumentStatus.IN_PROGRESS


def test_a_presented_leader_assigns_rather_than_processes(eoffice: EofficeWorld) -> None:
    d = eoffice.presented()
    response = bearer(eoffice.director).post(
        f"{INCOMING}{d.pk}/process/", {"action": "start"}, format="json"
    )
    assert problem(response, 409)["code"] == "presented"


def test_assigning_someone_of_another_agency_is_refused(eoffice: EofficeWorld) -> None:
    # given a presented document
    d = eoffice.presented()
    before = Assignment.objects.count()

    # when the director assigns it to the commune's clerk
    stranger = eoffice.commune_clerk
    response = bearer(eoffice.director).post(
        f"{INCOMING}{d.pk}/assign/", {"main": stranger.pk}, format="json"
    )

    # then 400 on `main`, nothing assigned
    errors = problem(response, 400)["errors"]
    assert errors["main"] == [
        f"Người được phân công phải là cán bộ của cơ quan (mã {stranger.pk})."
    ]
    assert Assignment.objects.count() == before


def test_presenting_to_someone_who_is_not_a_leader_is_refused(eoffice: EofficeWorld) -> None:
    d = eoffice.register()
    response = bearer(eoffice.clerk).post(
        f"{INCOMING}{d.pk}/present/", {"leader": eoffice.specialist.pk}, format="json"
    )
    assert problem(response, 400)["errors"] == {
        "leader": ["Người được trình phải là lãnh đạo của cơ quan."]
    }


def test_an_outgoing_document_is_not_found_under_incoming(eoffice: EofficeWorld) -> None:
    d = eoffice.draft()
    response = bearer(eoffice.specialist).get(f"{INCOMING}{d.pk}/")
    assert problem(response, 404)["detail"] == "Không tìm thấy văn bản."


# --- The list ---------------------------------------------------------------------------------


def test_the_list_filters(eoffice: EofficeWorld) -> None:
    # given three registered documents
    urgent = eoffice.register(number="1", urgency="khan", subject="Công văn khẩn về bão lũ")
    old = eoffice.register(number="2", issued_on=dt.date(2026, 1, 5), doc_type="TB")
    plain = eoffice.register(number="3")
    client = bearer(eoffice.clerk)

    def ids(**params: Any) -> list[int]:
        body = ok(client.get(INCOMING, params))
        return [row["id"] for row in body["results"]]

    # then each filter narrows the list (newest first)
    assert ids() == [plain.pk, old.pk, urgent.pk]
    assert ids(urgency="khan") == [urgent.pk]
    assert ids(type="TB") == [old.pk]
    assert ids(date_to="2026-06-30") == [old.pk]
    assert ids(date_from="2026-06-30") == [plain.pk, urgent.pk]
    assert ids(q="bao lu") == [urgent.pk]
    assert ids(status="completed") == []
    # and a wrong filter is 400 in Vietnamese
    wrong = problem(client.get(INCOMING, {"date_from": "2026-06-30", "date_to": "2026-01-01"}), 400)
    assert wrong["errors"] == {"date_to": ["Ngày kết thúc phải từ ngày bắt đầu trở đi."]}


def test_the_list_keeps_its_query_budget(
    eoffice: EofficeWorld, api_client: Any, django_assert_max_num_queries: Any
) -> None:
    # given many documents, some assigned, and the director's client
    for n in range(12):
        if n % 3:
            eoffice.register(number=str(100 + n))
        else:
            eoffice.assigned(number=str(100 + n))
    api_client.force_authenticate(eoffice.director)

    # when the director lists them, the query count does not grow with the rows
    with django_assert_max_num_queries(3):
        response = api_client.get(INCOMING)

    # then all are there
    assert ok(response)["count"] == 12


def test_the_register_message_is_vietnamese_for_a_non_clerk(eoffice: EofficeWorld) -> None:
    response = bearer(eoffice.specialist).post(INCOMING, register_body(), format="json")
    assert problem(response, 403)["detail"] == "Chỉ văn thư của cơ quan được vào sổ văn bản đến."


def test_services_and_api_agree_on_completion(eoffice: EofficeWorld) -> None:
    # given a document completed through the services
    d, main = eoffice.assigned()
    services.assignment_start(actor=eoffice.specialist, assignment_id=main.pk)
    services.assignment_complete(actor=eoffice.specialist, assignment_id=main.pk, result_note="x")

    # then the API shows it completed, and the assignment done
    body = ok(bearer(eoffice.director).get(f"{INCOMING}{d.pk}/"))
    assert body["status"] == DocumentStatus.COMPLETED
    assert [a["status"] for a in body["assignments"] if a["id"] == main.pk] == ["done"]


def test_the_detail_keeps_its_query_budget(
    eoffice: EofficeWorld, api_client: Any, django_assert_max_num_queries: Any
) -> None:
    # given a document with files, several assignments and a long history
    d, _main = eoffice.assigned(attachments=(upload(eoffice.clerk), upload(eoffice.clerk)))
    services.incoming_assign(
        actor=eoffice.director,
        document_id=d.pk,
        data=services.AssignInput(
            main=eoffice.specialist.pk,
            supports=(eoffice.colleague.pk,),
            readers=(eoffice.head.pk, eoffice.clerk.pk),
        ),
    )
    api_client.force_authenticate(eoffice.director)

    # when the director opens it, a fixed number of queries reads everything
    with django_assert_max_num_queries(9):
        body = ok(api_client.get(f"{INCOMING}{d.pk}/"))

    # then all of it is there
    assert len(body["files"]) == 3
    assert len(body["assignments"]) == 6
    assert len(body["history"]) == 4
