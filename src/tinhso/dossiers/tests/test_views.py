"""The one-stop screens: who may open each page, the receive wizard, the actions of the dossier
page (state changes, refusals with 409, errors next to their fields), search and the lists."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import DjangoAssertNumQueries

from tinhso.accounts.models import Role, User
from tinhso.audit.models import AuditEvent
from tinhso.dossiers.models import Dossier, FeeStatus, ResultFile, Status
from tinhso.dossiers.rules import Action
from tinhso.dossiers.services import ActionInput, ApplicantInput, dossier_act, dossier_receive
from tinhso.dossiers.views import time_left
from tinhso.procedures.models import StepKind
from tinhso.testing.factories import MembershipFactory, UserFactory, official
from tinhso.testing.onestop import MINIMAL_PDF, OneStopWorld, local, onestop_world
from tinhso.workcalendar.selectors import work_calendar

pytestmark = pytest.mark.django_db

Login = Callable[..., Client]


@pytest.fixture
def w() -> OneStopWorld:
    return onestop_world()


@pytest.fixture
def login() -> Login:
    def _login(user: User, *, verified: bool = False) -> Client:
        client = Client()
        client.force_login(user)
        if verified:
            device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return _login


def _received(w: OneStopWorld, at: dt.datetime | None = None, **overrides: Any) -> Dossier:
    """A dossier received at the Service Center (Monday 09:00: handed over at once)."""
    return dossier_receive(actor=w.counter, data=w.receipt(**overrides), now=at or w.monday_9am)[0]


def _received_now(w: OneStopWorld) -> Dossier:
    """A dossier received by the real clock and handed over at once (after 15:00 or on a day
    off the counter hands it over early), so that its deadline lies ahead whenever the test
    runs."""
    d = dossier_receive(actor=w.counter, data=w.receipt())[0]
    if d.status == Status.RECEIVED:
        d = dossier_act(actor=w.counter, code=d.code, action=Action.TRANSFER)
    return d


def _pdf(name: str = "scan.pdf", content: bytes = MINIMAL_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _receipt_post(w: OneStopWorld, **overrides: Any) -> dict[str, Any]:
    first, second = w.component_ids[:2]
    data: dict[str, Any] = {
        "applicant_kind": "citizen",
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "046090001234",
        "applicant_phone": "0912 345 678",
        "applicant_email": "an@example.vn",
        "applicant_address": "12 Lê Lợi",
        "subject": "",
        "sets": "1",
        "fee_status": "unpaid",
        "fee_method": "cash",
        "fee_receipt_number": "",
        "idempotency_key": "key-1",
        f"c{first}_file": _pdf("don.pdf"),
        f"c{second}_file": _pdf("cccd.pdf"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _receive_url(w: OneStopWorld) -> str:
    return reverse("dossiers:receive_form", args=[w.version.procedure.code])


def _act(client: Client, d: Dossier, action: str, **fields: Any) -> Any:
    data = {f"{action}-{k}": v for k, v in fields.items()}
    return client.post(reverse("dossiers:act", args=[d.code, action]), data)


# --- Who opens what ---------------------------------------------------------------------------


PAGES_BY_DESK = [
    ("dossiers:queue", "counter", "Hồ sơ tại quầy hôm nay"),
    ("dossiers:receive", "counter", "Bước 1 trên 4"),
    ("dossiers:receive_form", "counter", "Thành phần hồ sơ"),
    ("dossiers:search", "counter", "Tìm hồ sơ"),
    ("dossiers:near_due", "counter", "Hồ sơ sắp đến hạn"),
    ("dossiers:overdue", "leader", "Hồ sơ quá hạn"),
    ("dossiers:inbox", "specialist", "Hồ sơ cần xử lý"),
    ("dossiers:approvals", "leader", "Hồ sơ chờ phê duyệt"),
    ("dossiers:board", "leader", "Bảng theo dõi hồ sơ của đơn vị"),
    ("dossiers:detail", "specialist", "Nguyễn Văn An"),
]


def _url(name: str, w: OneStopWorld, d: Dossier) -> str:
    if name == "dossiers:receive_form":
        return _receive_url(w)
    if name == "dossiers:detail":
        return reverse(name, args=[d.code])
    return reverse(name)


@pytest.mark.parametrize(("name", "desk", "text"), PAGES_BY_DESK)
def test_each_page_opens_for_its_desk(
    w: OneStopWorld, login: Login, name: str, desk: str, text: str
) -> None:
    # given
    d = _received(w)
    # when
    response = login(getattr(w, desk)).get(_url(name, w, d))
    # then
    assert response.status_code == 200
    assert text in response.content.decode()


@pytest.mark.parametrize(
    ("name", "desk"),
    [
        ("dossiers:queue", "specialist"),
        ("dossiers:receive", "leader"),
        ("dossiers:receive_form", "specialist"),
        ("dossiers:approvals", "specialist"),
        ("dossiers:approvals", "counter"),
        ("dossiers:board", "counter"),
        ("dossiers:province_board", "leader"),
        ("dossiers:province_board", "counter"),
    ],
)
def test_other_desks_are_refused(w: OneStopWorld, login: Login, name: str, desk: str) -> None:
    d = _received(w)
    assert login(getattr(w, desk)).get(_url(name, w, d)).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "dossiers:queue",
        "dossiers:receive",
        "dossiers:receive_form",
        "dossiers:search",
        "dossiers:inbox",
        "dossiers:detail",
    ],
)
def test_anonymous_is_sent_to_sign_in(w: OneStopWorld, client: Client, name: str) -> None:
    d = _received(w)
    response = client.get(_url(name, w, d))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_citizens_get_no_official_page(w: OneStopWorld, login: Login) -> None:
    d = _received(w)
    citizen = login(UserFactory.create(citizen=True))
    for url in (reverse("dossiers:search"), reverse("dossiers:detail", args=[d.code])):
        assert citizen.get(url).status_code == 403


def test_a_dossier_is_hidden_from_those_it_never_reached(w: OneStopWorld, login: Login) -> None:
    # given a dossier of the Service Center, at the Sở's department TCBC
    d = _received(w)
    url = reverse("dossiers:detail", args=[d.code])
    # then a commune's counter and another department's specialist do not find it
    assert login(w.commune_counter).get(url).status_code == 404
    assert login(w.other_specialist).get(url).status_code == 404
    assert login(w.leader).get(url).status_code == 200


def test_the_province_board_is_for_provincial_admins_and_service_center_leaders(
    w: OneStopWorld, login: Login
) -> None:
    # given a dossier at the Service Center
    _received(w)
    admin = official(Role.QUAN_TRI_TINH)
    center_leader = official(Role.LANH_DAO, agency=w.center)
    # when
    page = login(admin, verified=True).get(reverse("dossiers:province_board"))
    # then
    assert page.status_code == 200
    assert page.context["board"].total == 1
    assert login(center_leader).get(reverse("dossiers:province_board")).status_code == 200
    # the Service Center's leader reaches it from the department board
    board = login(center_leader).get(reverse("dossiers:board")).content.decode()
    assert reverse("dossiers:province_board") in board


# --- The receive wizard -----------------------------------------------------------------------


def test_step_one_lists_only_procedures_received_at_the_counter(
    w: OneStopWorld, login: Login
) -> None:
    province_code, commune_code = w.version.procedure.code, w.commune_version.procedure.code

    def listed(user: User) -> list[str]:
        page = login(user).get(reverse("dossiers:receive")).context["page"]
        return [v.procedure.code for v in page.object_list]

    # the Service Center receives provincial procedures, a commune only commune procedures
    assert listed(w.counter) == [province_code]
    assert listed(w.commune_counter) == [commune_code]
    # a procedure the counter does not receive is not found
    url = reverse("dossiers:receive_form", args=[province_code])
    assert login(w.commune_counter).get(url).status_code == 404
    assert (
        login(w.counter).get(reverse("dossiers:receive_form", args=["9.999999"])).status_code == 404
    )


def test_step_one_searches_by_code_and_an_htmx_search_returns_the_list_only(
    w: OneStopWorld, login: Login
) -> None:
    client = login(w.commune_counter)
    url = reverse("dossiers:receive")
    found = client.get(url, {"q": "1.000002"}).content.decode()
    assert reverse("dossiers:receive_form", args=[w.commune_version.procedure.code]) in found
    assert _receive_url(w) not in found
    partial = client.get(url, {"q": "khong co thu tuc nay"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and 'id="procedure-results"' in body
    assert "Không có thủ tục nào khớp" in body


def test_the_counter_receives_a_complete_dossier_with_two_scans(
    w: OneStopWorld, login: Login
) -> None:
    # when
    client = login(w.counter)
    response = client.post(_receive_url(w), _receipt_post(w))
    # then: the dossier, its scans, its audit row, and the page with Mẫu 01
    d = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", args=[d.code])
    # received now (by the real clock): handed over at once, or next morning after 15:00
    assert d.status in (Status.RECEIVED, Status.PROCESSING)
    assert d.applicant_phone == "0912345678"
    assert d.components.filter(file__isnull=False, provided=True).count() == 2
    assert d.fee_status == FeeStatus.UNPAID
    assert AuditEvent.objects.filter(
        action="dossiers.dossier.receive", object_id=str(d.pk)
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert f'href="/dossiers/{d.code}/mau/mau-01.pdf"' in page
    assert "In Giấy tiếp nhận (Mẫu 01)" in page
    assert f"Đã tiếp nhận hồ sơ {d.code}" in page


def test_a_bad_id_number_is_shown_next_to_its_field_and_keeps_what_was_typed(
    w: OneStopWorld, login: Login
) -> None:
    first = w.component_ids[0]
    # when
    response = login(w.counter).post(_receive_url(w), _receipt_post(w, applicant_id_number="12345"))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert not Dossier.objects.exists()
    assert re.search(r'id="id_applicant_id_number_errors"[^>]*>[^<]*không hợp lệ', page)
    assert 'aria-invalid="true"' in page
    assert 'value="Nguyễn Văn An"' in page
    # the scans are kept: their stored ids ride along, the page says so
    stored = re.search(rf'name="c{first}_stored" value="(\d+)"', page)
    assert stored is not None
    assert "Đã tải lên: don.pdf" in page
    # and a second post without the files receives the dossier with them
    again = _receipt_post(w, **{f"c{first}_file": None, f"c{w.component_ids[1]}_file": None})
    again.update(
        {
            f"c{first}_stored": stored.group(1),
            f"c{w.component_ids[1]}_stored": re.search(
                rf'name="c{w.component_ids[1]}_stored" value="(\d+)"', page
            ).group(1),  # type: ignore[union-attr]
        }
    )
    assert login(w.counter).post(_receive_url(w), again).status_code == 302
    assert Dossier.objects.get().components.filter(file__isnull=False).count() == 2


def test_an_incomplete_dossier_names_what_is_missing_and_offers_mau_02(
    w: OneStopWorld, login: Login
) -> None:
    first, second = w.component_ids[:2]
    client = login(w.counter)
    data = _receipt_post(w, **{f"c{second}_file": None})
    # when: the second required paper is missing
    response = client.post(_receive_url(w), data)
    # then: nothing saved, the missing paper named and marked, the supplement request offered
    page = response.content.decode()
    assert response.status_code == 200
    assert not Dossier.objects.exists()
    assert 'data-testid="incomplete"' in page
    assert "Thiếu thành phần hồ sơ: Bản sao giấy tờ tùy thân" in page
    assert re.search(rf'class="[^"]*component-row is-missing"[^>]*data-component="{second}"', page)
    assert "Lập phiếu yêu cầu bổ sung (Mẫu 02)" in page
    # when the counter chooses the supplement request (the scan already stored rides along)
    stored = re.search(rf'name="c{first}_stored" value="(\d+)"', page)
    assert stored is not None
    data = _receipt_post(
        w,
        **{f"c{first}_file": None, f"c{second}_file": None, f"c{first}_stored": stored.group(1)},
        on_incomplete="request_supplement",
    )
    response = client.post(_receive_url(w), data)
    # then: received in status 5 with Mẫu 02 to print
    d = Dossier.objects.get()
    assert response.status_code == 302
    assert d.status == Status.SUPPLEMENT and d.supplement_requests == 1
    page = client.get(response["Location"]).content.decode()
    assert "In Phiếu yêu cầu bổ sung (Mẫu 02)" in page
    assert f'href="/dossiers/{d.code}/mau/mau-02.pdf"' in page


def test_an_officer_of_two_counters_chooses_only_where_both_receive(
    w: OneStopWorld, login: Login
) -> None:
    # given an officer at the Service Center and at a commune's counter
    officer = official(Role.MOT_CUA, agency=w.center)
    MembershipFactory.create(user=officer, agency=w.commune, role=Role.MOT_CUA)
    client = login(officer)
    # then the province procedure (received only at the Center) asks nothing and goes there
    page = client.get(_receive_url(w)).content.decode()
    assert 'name="agency"' not in page
    assert client.post(_receive_url(w), _receipt_post(w)).status_code == 302
    assert Dossier.objects.get().receiving_agency == w.center
    # and a procedure of both levels (received at both counters) asks where
    w.commune_version.levels = ["province", "commune"]
    w.commune_version.save(update_fields=["levels"])
    url = reverse("dossiers:receive_form", args=[w.commune_version.procedure.code])
    first, second = w.commune_version.components.order_by("order").values_list("id", flat=True)[:2]
    data = {
        "applicant_kind": "citizen",
        "applicant_name": "Lê Thị Hoa",
        "applicant_id_number": "046190001111",
        "sets": "1",
        f"c{first}_paper": "on",
        f"c{second}_paper": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert re.search(
        r'id="id_agency_errors"[^>]*>[^<]*Vui lòng chọn nơi tiếp nhận', response.content.decode()
    )
    assert client.post(url, {**data, "agency": str(w.commune.pk)}).status_code == 302
    assert Dossier.objects.filter(receiving_agency=w.commune).count() == 1


def test_a_fee_paid_now_needs_the_method_and_the_receipt_number(
    w: OneStopWorld, login: Login
) -> None:
    response = login(w.counter).post(
        _receive_url(w), _receipt_post(w, fee_status="paid", fee_receipt_number="")
    )
    assert response.status_code == 200
    assert "Cần nhập số biên lai thu phí, lệ phí." in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_refused_scan_is_shown_next_to_its_paper(w: OneStopWorld, login: Login) -> None:
    second = w.component_ids[1]
    response = login(w.counter).post(
        _receive_url(w), _receipt_post(w, **{f"c{second}_file": _pdf("cccd.pdf", b"not a pdf")})
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(rf'id="id_c{second}_file_errors"[^>]*>[^<]*cccd\.pdf', page)
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("papers", ["scans", "paper"])
def test_a_form_posted_twice_gives_one_dossier(w: OneStopWorld, login: Login, papers: str) -> None:
    # given the same page submitted twice (a double click, a reload): with scans, each post
    # stores its files again; with papers checked, the two requests are identical
    client = login(w.counter)
    first, second = w.component_ids[:2]
    paper = {
        f"c{first}_file": None,
        f"c{second}_file": None,
        f"c{first}_paper": "on",
        f"c{second}_paper": "on",
    }
    posts = [_receipt_post(w, **(paper if papers == "paper" else {})) for _ in range(2)]
    # when
    one = client.post(_receive_url(w), posts[0])
    two = client.post(_receive_url(w), posts[1])
    # then: one dossier, and the second post shows it
    assert Dossier.objects.count() == 1
    assert one.status_code == two.status_code == 302
    assert one["Location"] == two["Location"]
    assert "đã được tiếp nhận trước đó" in client.get(two["Location"]).content.decode()


# --- Actions on the dossier page --------------------------------------------------------------


def test_the_page_offers_each_desk_its_own_actions(w: OneStopWorld, login: Login) -> None:
    d = _received(w)
    url = reverse("dossiers:detail", args=[d.code])

    def offered(user: User) -> set[str]:
        return set(re.findall(r'data-action="([a-z-]+)"', login(user).get(url).content.decode()))

    assert offered(w.specialist) == {
        "forward",
        "attach-result",
        "request-payment",
        "request-supplement",
    }
    assert offered(w.counter) == {"pay", "apologize", "withdraw", "stop"}
    # the leader approves later; now only what a leader of the resolving agency may do
    assert offered(w.leader) == {"apologize", "stop"}


def test_a_dossier_goes_from_specialist_to_leader_to_counter(w: OneStopWorld, login: Login) -> None:
    d = _received(w)
    specialist, leader, counter = login(w.specialist), login(w.leader), login(w.counter)

    # the specialist forwards, with a result file
    response = specialist.post(
        reverse("dossiers:act", args=[d.code, "forward"]),
        {"forward-note": "Đủ điều kiện", "forward-result_files": [_pdf("ket-qua.pdf")]},
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.current_step is not None and d.current_step.kind == StepKind.APPROVE
    assert ResultFile.objects.filter(dossier=d, name="ket-qua.pdf").exists()

    # the leader approves
    assert _act(leader, d, "approve").status_code == 302
    d.refresh_from_db()
    assert d.status == Status.RESOLVED

    # the counter records the payment, returns the result and the rating
    assert _act(counter, d, "pay", method="cash", receipt_number="BL-01").status_code == 302
    assert _act(counter, d, "return-result", method="counter").status_code == 302
    assert _act(counter, d, "rate", rating="very_satisfied", note="Nhanh").status_code == 302
    d.refresh_from_db()
    assert (d.status, d.fee_status, d.rating) == (Status.RETURNED, FeeStatus.PAID, "very_satisfied")
    page = counter.get(reverse("dossiers:detail", args=[d.code])).content.decode()
    assert "Đã ghi nhận đánh giá." in page
    assert "Rất hài lòng" in page


def test_a_refused_transition_answers_409_with_the_reason(w: OneStopWorld, login: Login) -> None:
    d = _received(w)
    # the counter tries to return the result of a dossier still in processing
    response = _act(login(w.counter), d, "return-result", method="counter")
    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-testid="refused"' in page
    assert "Không thể trả kết quả khi hồ sơ đang ở trạng thái “Đang xử lý”" in page
    d.refresh_from_db()
    assert d.status == Status.PROCESSING


def test_a_missing_reason_is_shown_in_the_open_form(w: OneStopWorld, login: Login) -> None:
    d = _received(w)
    response = _act(login(w.specialist), d, "request-supplement", reason="  ")
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r'<details class="card mb-2 action-panel is-danger" open data-action="request-supplement"',
        page,
    )
    assert 'id="id_request-supplement-reason_errors"' in page
    d.refresh_from_db()
    assert d.status == Status.PROCESSING and d.supplement_requests == 0


def test_a_service_error_goes_next_to_its_field(w: OneStopWorld, login: Login) -> None:
    # given a dossier received now (the apology is allowed until one working day before due)
    d = dossier_receive(actor=w.counter, data=w.receipt())[0]
    assert d.due_at is not None
    before_due = timezone.localtime(d.due_at).date() - dt.timedelta(days=1)
    # when the new date is not after the first appointment
    response = _act(
        login(w.counter), d, "apologize", reason="Chờ ý kiến cơ quan phối hợp",
        new_due_date=before_due.isoformat(),
    )  # fmt: skip
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r'id="id_apologize-new_due_date_errors"[^>]*>[^<]*phải sau ngày hẹn trả ban đầu', page
    )
    d.refresh_from_db()
    assert d.apologized_at is None


def test_only_the_step_holder_acts(w: OneStopWorld, login: Login) -> None:
    d = _received(w)
    # the leader may see the dossier but the step is the specialist's
    assert _act(login(w.leader), d, "forward", note="x").status_code == 403
    # another department does not even see it
    assert _act(login(w.other_specialist), d, "forward", note="x").status_code == 404
    # an action that does not exist
    url = reverse("dossiers:act", args=[d.code, "delete"])
    assert login(w.counter).post(url).status_code == 404
    # pages are read with GET only
    assert (
        login(w.specialist).get(reverse("dossiers:act", args=[d.code, "forward"])).status_code
        == 405
    )
    d.refresh_from_db()
    assert d.current_step is not None and d.current_step.kind == StepKind.PROCESS


def test_the_counter_receives_a_supplement_with_a_scan(w: OneStopWorld, login: Login) -> None:
    # given a dossier waiting for the second paper
    from tinhso.dossiers.services import ComponentInput
    from tinhso.testing.onestop import upload

    first, second = w.component_ids[:2]
    d = dossier_receive(
        actor=w.counter,
        data=w.receipt(
            components=[ComponentInput(component=first, file=upload(w.counter))],
            on_incomplete="request_supplement",
        ),
        now=w.monday_9am,
    )[0]
    # when the counter uploads it from the page
    response = login(w.counter).post(
        reverse("dossiers:act", args=[d.code, "supplement"]),
        {f"supplement-c{second}_file": _pdf("cccd.pdf")},
    )
    # then the dossier is received
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status in (Status.RECEIVED, Status.PROCESSING)
    assert d.components.filter(component_id=second, file__isnull=False).exists()


# --- Search and lists -------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["nguyen van an", "NGUYỄN VĂN AN", "0912345678", "046090001234"])
def test_search_finds_by_name_phone_or_id_without_diacritics(
    w: OneStopWorld, login: Login, q: str
) -> None:
    d = _received(w)
    other = _received(
        w, applicant=ApplicantInput(kind="citizen", name="Trần Thị Bình", id_number="046190004321")
    )
    page = login(w.counter).get(reverse("dossiers:search"), {"q": q}).content.decode()
    assert d.code in page and other.code not in page


def test_search_by_code_is_scoped_to_what_the_official_sees(w: OneStopWorld, login: Login) -> None:
    d = _received(w)
    url = reverse("dossiers:search")
    found = login(w.counter).get(url, {"q": d.code.lower()})
    assert [r.dossier.code for r in found.context["rows"]] == [d.code]
    hidden = login(w.other_commune_counter).get(url, {"q": d.code})
    assert hidden.context["rows"] == []
    assert "Không có hồ sơ nào khớp với điều kiện tìm kiếm." in hidden.content.decode()


def test_search_reports_a_bad_date_range(w: OneStopWorld, login: Login) -> None:
    response = login(w.counter).get(
        reverse("dossiers:search"), {"received_from": "2026-12-10", "received_to": "2026-12-01"}
    )
    page = response.content.decode()
    assert "Ngày kết thúc phải sau ngày bắt đầu." in page
    assert "Điều kiện tìm kiếm chưa hợp lệ" in page


def test_an_htmx_search_answers_with_the_panel_only(w: OneStopWorld, login: Login) -> None:
    d = _received(w)
    client = login(w.counter)
    url = reverse("dossiers:search")
    found = client.get(url, {"q": "van an"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in found and found.lstrip().startswith('<div id="search-panel">')
    assert d.code in found
    # a field error comes back inside the swapped panel, next to its field
    wrong = client.get(url, {"received_from": "hôm qua"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="id_received_from_errors"' in wrong


def test_near_due_and_overdue_lists_colour_the_time_left(w: OneStopWorld, login: Login) -> None:
    # given a dossier long overdue and one due in three hours
    late = _received(w, at=local(2025, 10, 6, 9, 0))
    near = _received(w)
    Dossier.objects.filter(pk=near.pk).update(due_at=timezone.now() + dt.timedelta(hours=3))
    client = login(w.counter)
    # then
    overdue_page = client.get(reverse("dossiers:overdue")).content.decode()
    near_page = client.get(reverse("dossiers:near_due")).content.decode()
    assert late.code in overdue_page and near.code not in overdue_page
    assert 'data-level="late"' in overdue_page and "Quá hạn" in overdue_page
    assert near.code in near_page and late.code not in near_page
    assert 'data-level="near"' in near_page


def test_the_inbox_shows_the_time_left_of_the_step(w: OneStopWorld, login: Login) -> None:
    d = _received(w)
    response = login(w.specialist).get(reverse("dossiers:inbox"))
    rows = response.context["rows"]
    assert [r.dossier.code for r in rows] == [d.code]
    assert rows[0].step is not None and rows[0].step.due == d.step_due_at
    assert login(w.other_specialist).get(reverse("dossiers:inbox")).context["rows"] == []


def test_the_leader_waits_for_approvals_and_sees_the_board(w: OneStopWorld, login: Login) -> None:
    d = _received_now(w)
    _received(w, at=local(2025, 10, 6, 9, 0))  # overdue
    dossier_act(actor=w.specialist, code=d.code, action=Action.FORWARD, data=ActionInput())
    leader = login(w.leader)
    approvals = leader.get(reverse("dossiers:approvals")).context["rows"]
    assert [r.dossier.code for r in approvals] == [d.code]
    board = leader.get(reverse("dossiers:board"))
    assert board.context["board"].total == 2
    assert board.context["board"].overdue == 1
    assert board.context["open_count"] == 2
    assert len(board.context["overdue_rows"]) == 1


def test_time_left_is_counted_in_working_time() -> None:
    calendar = work_calendar(None)
    monday = local(2026, 12, 7, 9, 0)
    ok = time_left(local(2026, 12, 9, 9, 0), monday, calendar)
    near = time_left(local(2026, 12, 7, 15, 0), monday, calendar)
    late = time_left(local(2026, 12, 4, 16, 0), monday, calendar)
    assert (ok.level, ok.text) == ("ok", "Còn 2 ngày làm việc")
    # 09:00–11:30 and 13:30–15:00 are four working hours
    assert (near.level, near.text) == ("near", "Còn 4 giờ làm việc")
    # Friday 16:00 → Monday 09:00: one hour on Friday and two on Monday
    assert (late.level, late.text) == ("late", "Quá hạn 3 giờ làm việc")
    assert time_left(None, monday, calendar).level == "none"


def test_lists_keep_their_query_count_as_dossiers_grow(
    w: OneStopWorld, login: Login, django_assert_max_num_queries: Any
) -> None:
    client = login(w.counter)
    for _ in range(2):
        _received(w)
    client.get(reverse("dossiers:search"))  # warm the session and the calendar
    with django_assert_max_num_queries(8):
        client.get(reverse("dossiers:search"))
    for _ in range(6):
        _received(w)
    for name in ("dossiers:search", "dossiers:queue", "dossiers:overdue", "dossiers:near_due"):
        with django_assert_max_num_queries(8):
            assert client.get(reverse(name)).status_code == 200
    leader = login(w.leader)
    leader.get(reverse("dossiers:board"))
    for name in ("dossiers:board", "dossiers:inbox", "dossiers:approvals"):
        with django_assert_max_num_queries(12):
            assert leader.get(reverse(name)).status_code == 200


def test_the_dossier_page_has_a_fixed_query_count(
    w: OneStopWorld, login: Login, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    d = _received(w)
    dossier_act(actor=w.specialist, code=d.code, action=Action.FORWARD, data=ActionInput())
    client = login(w.counter)
    url = reverse("dossiers:detail", args=[d.code])
    client.get(url)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


# --- The sidebar --------------------------------------------------------------------------------


def _sidebar(client: Client) -> str:
    page = client.get("/").content.decode()
    start = page.index('id="sidebar"')
    return page[start : page.index("</nav>", start)]


def test_the_sidebar_offers_each_desk_its_one_stop_pages(w: OneStopWorld, login: Login) -> None:
    counter = _sidebar(login(w.counter))
    specialist = _sidebar(login(w.specialist))
    leader = _sidebar(login(w.leader))
    admin = _sidebar(login(official(Role.QUAN_TRI_TINH), verified=True))
    assert "Tiếp nhận hồ sơ" in counter and "Hồ sơ tại quầy hôm nay" in counter
    assert "Hồ sơ cần xử lý" in specialist and "Tiếp nhận hồ sơ" not in specialist
    assert "Hồ sơ chờ phê duyệt" in leader and "Bảng theo dõi của đơn vị" in leader
    assert "Bảng theo dõi toàn tỉnh" in admin and "Tiếp nhận hồ sơ" not in admin
    assert all("Tra cứu hồ sơ" in s for s in (counter, specialist, leader, admin))
