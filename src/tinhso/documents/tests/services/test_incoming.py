"""Incoming documents through the services (Nghị định 30/2020, Điều 21–24): registration and
its refusals, duplicates, registers and their yearly series, routing and processing, and a
document received from inside the installation with its sender following every step."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tinhso.audit.models import AuditEvent
from tinhso.documents import services
from tinhso.documents.errors import DocumentConflict, LikelyDuplicate
from tinhso.documents.kinds import Urgency
from tinhso.documents.models import (
    Activity,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Direction,
    Document,
    DocumentStatus,
    NumberCounter,
    Recipient,
    Register,
    Source,
)
from tinhso.testing.eoffice import EofficeWorld, row_counts, upload, vietnam_time

pytestmark = pytest.mark.django_db

#: A working morning of the test year: registrations below happen "now" = this moment.
NOW = vietnam_time(2026, 11, 25, 9, 30)
TODAY = dt.date(2026, 11, 25)


def edxml_codes(d: Document) -> list[str]:
    return [
        code
        for code in Activity.objects.filter(document=d)
        .order_by("occurred_at", "id")
        .values_list("edxml_status", flat=True)
        if code
    ]


# --- Registration: every bad input -----------------------------------------------------------

BAD_INPUTS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "future date",
        {"issued_on": TODAY + dt.timedelta(days=1)},
        "issued_on",
        "không thể sau ngày hôm nay",
    ),
    ("before 1945", {"issued_on": dt.date(1945, 9, 1)}, "issued_on", "Ngày văn bản không hợp lệ"),
    ("no date", {"issued_on": None}, "issued_on", "Chưa nhập ngày văn bản"),
    ("unknown type", {"doc_type": "XYZ"}, "type", "không có trong danh mục"),
    (
        "subject too long",
        {"subject": "Về việc " + "x" * 500},
        "subject",
        "Trích yếu dài quá 500 ký tự",
    ),
    ("no subject", {"subject": "   "}, "subject", "Chưa nhập trích yếu"),
    ("bad issuer code", {"issuer_code": "UBND-HUE"}, "issuer_code", "Mã định danh"),
    ("issuer code too long", {"issuer_code": "H57." + "1" * 40}, "issuer_code", "tối đa 35 ký tự"),
    ("no issuer", {"issuer_name": "  "}, "issuer_name", "Chưa nhập cơ quan ban hành"),
    (
        "timed express without a time",
        {"urgency": Urgency.EXPRESS_TIMED, "deadline_at": None},
        "deadline_at",
        "hỏa tốc hẹn giờ cần có thời hạn",
    ),
    ("unknown urgency", {"urgency": "rat_gap"}, "urgency", "Độ khẩn không hợp lệ"),
    (
        "electronic without files",
        {"source": Source.ELECTRONIC, "files": ()},
        "files",
        "phải có tệp",
    ),
    ("internal source", {"source": Source.INTERNAL}, "source", "Nguồn văn bản không hợp lệ"),
    ("page count 0", {"page_count": 0}, "page_count", "Số trang phải từ 1 đến 10.000"),
    ("page count too big", {"page_count": 10_001}, "page_count", "Số trang phải từ 1 đến 10.000"),
    (
        "past due date",
        {"due_on": TODAY - dt.timedelta(days=1)},
        "due_on",
        "Hạn xử lý không thể trước",
    ),
    ("no number", {"number": ""}, "number", "Chưa nhập số văn bản"),
    ("bad number", {"number": "15 a"}, "number", "không hợp lệ"),
    ("bad notation", {"notation": "QĐ UBND"}, "notation", "viết liền"),
    ("signer name too long", {"signer_name": "N" * 151}, "signer_name", "dài quá 150 ký tự"),
]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [pytest.param(o, f, m, id=label) for label, o, f, m in BAD_INPUTS],
)
def test_bad_input_is_refused_with_a_vietnamese_message_and_nothing_is_written(
    eoffice: EofficeWorld, overrides: dict[str, Any], field: str, message: str
) -> None:
    # given a registration with one bad field (its file uploaded beforehand)
    data = eoffice.incoming_input(**overrides)
    before = row_counts()
    # when the clerk registers it
    with pytest.raises(ValidationError) as caught:
        services.incoming_register(actor=eoffice.clerk, data=data, now=NOW)
    # then the field carries the message, and no row was written
    errors = caught.value.message_dict
    assert field in errors, errors
    assert any(message in m for m in errors[field]), errors[field]
    assert row_counts() == before


def test_every_bad_field_is_reported_at_once(eoffice: EofficeWorld) -> None:
    data = eoffice.incoming_input(number="", notation="--", doc_type="?", page_count=0)
    with pytest.raises(ValidationError) as caught:
        services.incoming_register(actor=eoffice.clerk, data=data, now=NOW)
    assert {"number", "notation", "type", "page_count"} <= set(caught.value.message_dict)


def test_another_agencys_file_rolls_the_whole_registration_back(eoffice: EofficeWorld) -> None:
    # given a file uploaded in Phú Xuân, which Sở Nội vụ's clerk may not use
    foreign = upload(eoffice.commune_clerk, "cua-phuong.pdf")
    data = eoffice.incoming_input(files=(foreign,))
    before = row_counts()
    # when the clerk registers with it: the number is taken before the files are attached
    with pytest.raises(ValidationError) as caught:
        services.incoming_register(actor=eoffice.clerk, data=data, now=NOW)
    # then the refusal names the files, and the counter was rolled back with the rest
    assert "files" in caught.value.message_dict
    assert row_counts() == before
    assert eoffice.register(now=NOW).register_number == 1


def test_only_a_clerk_registers_and_only_for_the_own_agency(eoffice: EofficeWorld) -> None:
    before = row_counts()
    with pytest.raises(PermissionDenied, match="Chỉ văn thư"):
        services.incoming_register(actor=eoffice.specialist, data=eoffice.incoming_input())
    with pytest.raises(PermissionDenied, match="không phải văn thư của cơ quan này"):
        services.incoming_register(
            actor=eoffice.clerk, data=eoffice.incoming_input(agency_id=eoffice.phu_xuan.pk)
        )
    counts = row_counts()
    # (the two uploads of incoming_input wrote their own file audit rows)
    assert {k: v for k, v in counts.items() if k != "AuditEvent"} == {
        k: v for k, v in before.items() if k != "AuditEvent"
    }
    assert not AuditEvent.objects.filter(action__startswith="documents.").exists()


def test_a_registration_writes_the_phu_luc_vi_fields(eoffice: EofficeWorld) -> None:
    d = eoffice.register(
        now=NOW,
        issuer_name="  Ủy ban nhân dân   thành phố Huế ",
        issuer_code=" h57 ",
        number=" 2491 ",
        notation="STC-BCTC/",
        page_count=3,
        urgency=Urgency.URGENT,
    )
    d.refresh_from_db()
    assert d.direction == Direction.INCOMING and d.status == DocumentStatus.REGISTERED
    assert (d.issuer_name, d.issuer_code) == ("Ủy ban nhân dân thành phố Huế", "H57")
    assert (d.number, d.notation, d.reference) == ("2491", "STC-BCTC", "2491/STC-BCTC")
    assert (d.year, d.register_number, d.registered_at) == (2026, 1, NOW)
    assert d.files.count() == 1
    assert edxml_codes(d) == ["03"]
    event = AuditEvent.objects.get(action="documents.incoming.register", object_id=str(d.pk))
    assert event.changes["incoming_number"] == [None, 1]


# --- State secrets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "marking",
    [
        "Mật",
        "MẬT",
        "mật",
        "Tối mật",
        "TỐI MẬT",
        "tuyệt mật",
        "Tuyệt Mật",
        unicodedata.normalize("NFD", "Mật"),
        unicodedata.normalize("NFD", "Tối mật"),
        unicodedata.normalize("NFD", "TUYỆT MẬT"),
        "  Mật  ",
    ],
)
def test_state_secrets_are_refused(eoffice: EofficeWorld, marking: str) -> None:
    data = eoffice.incoming_input(secrecy=marking)
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        services.incoming_register(actor=eoffice.clerk, data=data, now=NOW)
    (message,) = caught.value.message_dict["secrecy"]
    assert "bí mật nhà nước" in message and "đường giấy" in message
    assert row_counts() == before


@pytest.mark.parametrize("marking", ["", "   ", "Thường", "Khẩn"])
def test_ordinary_documents_are_not_refused_as_secret(eoffice: EofficeWorld, marking: str) -> None:
    d = eoffice.register(secrecy=marking, now=NOW)
    assert d.status == DocumentStatus.REGISTERED


# --- Duplicates ------------------------------------------------------------------------------


def _register_again(eoffice: EofficeWorld, **overrides: Any) -> Document:
    return services.incoming_register(
        actor=eoffice.clerk, data=eoffice.incoming_input(**overrides), now=NOW
    )


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({}, id="identical"),
        pytest.param({"issuer_name": "UBND TP Huế"}, id="same code, other name"),
        pytest.param({"issuer_code": ""}, id="same name, no code"),
        pytest.param({"issuer_code": "H57.01"}, id="same name, other code"),
        pytest.param({"number": " 15 ", "notation": "/QĐ-UBND"}, id="same after cleaning"),
    ],
)
def test_a_likely_duplicate_is_flagged_and_nothing_is_written(
    eoffice: EofficeWorld, overrides: dict[str, Any]
) -> None:
    # given a registered document
    first = eoffice.register(now=NOW)
    data = eoffice.incoming_input(**overrides)
    before = row_counts()
    # when the same one is registered again without confirmation
    with pytest.raises(LikelyDuplicate) as caught:
        services.incoming_register(actor=eoffice.clerk, data=data, now=NOW)
    # then the clerk is told which one it may be, and nothing was written
    assert caught.value.duplicate_ids == [first.pk]
    assert "có thể đã được vào sổ" in caught.value.message
    assert row_counts() == before


def test_the_notation_is_compared_without_case(eoffice: EofficeWorld) -> None:
    first = eoffice.register(now=NOW, notation="STC-BCTC")
    with pytest.raises(LikelyDuplicate) as caught:
        _register_again(eoffice, notation="stc-bctc", issuer_code="")
    assert caught.value.duplicate_ids == [first.pk]


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param(
            {"issuer_name": "ỦY BAN NHÂN DÂN THÀNH PHỐ HUẾ", "issuer_code": ""},
            id="name in capitals",
        ),
        pytest.param({"notation": "qđ-ubnd"}, id="notation all lower case"),
    ],
)
def test_a_duplicate_with_vietnamese_letters_in_another_case_is_flagged(
    eoffice: EofficeWorld, overrides: dict[str, Any]
) -> None:
    first = eoffice.register(now=NOW)
    with pytest.raises(LikelyDuplicate) as caught:
        _register_again(eoffice, **overrides)
    assert caught.value.duplicate_ids == [first.pk]


def test_a_duplicate_whose_issuer_was_pasted_decomposed_is_flagged(eoffice: EofficeWorld) -> None:
    first = eoffice.register(now=NOW, issuer_code="")
    pasted = unicodedata.normalize("NFD", "Ủy ban nhân dân thành phố Huế")
    with pytest.raises(LikelyDuplicate) as caught:
        _register_again(eoffice, issuer_name=pasted, issuer_code="")
    assert caught.value.duplicate_ids == [first.pk]


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"number": "16"}, id="other number"),
        pytest.param({"notation": "QĐ-HĐND"}, id="other notation"),
        pytest.param({"issued_on": dt.date(2026, 11, 19)}, id="other date"),
        pytest.param({"issuer_name": "Sở Tài chính", "issuer_code": "H57.03"}, id="other issuer"),
    ],
)
def test_a_different_document_is_not_a_duplicate(
    eoffice: EofficeWorld, overrides: dict[str, Any]
) -> None:
    eoffice.register(now=NOW)
    assert _register_again(eoffice, **overrides).register_number == 2


def test_a_confirmed_duplicate_is_registered_with_the_next_number(eoffice: EofficeWorld) -> None:
    first = eoffice.register(now=NOW)
    second = services.incoming_register(
        actor=eoffice.clerk, data=eoffice.incoming_input(), confirm_duplicate=True, now=NOW
    )
    assert second.pk != first.pk and second.register_number == 2


def test_a_refused_document_is_not_a_duplicate(eoffice: EofficeWorld) -> None:
    # given Phú Xuân's document refused by the clerk
    copy = eoffice.received()
    services.incoming_refuse(actor=eoffice.clerk, document_id=copy.pk, reason="Gửi nhầm cơ quan")
    # when the paper original is registered later
    d = services.incoming_register(
        actor=eoffice.clerk,
        data=eoffice.incoming_input(
            issuer_name=copy.issuer_name,
            issuer_code=copy.issuer_code,
            number=copy.number,
            notation=copy.notation,
            issued_on=copy.issued_on,
            doc_type=copy.doc_type,
        ),
    )
    # then it is not held for the refused copy
    assert d.register_number == 1


def test_another_agencys_document_is_not_a_duplicate(eoffice: EofficeWorld) -> None:
    commune = services.incoming_register(
        actor=eoffice.commune_clerk,
        data=eoffice.incoming_input(files=(upload(eoffice.commune_clerk),)),
        now=NOW,
    )
    mine = eoffice.register(now=NOW, confirm_duplicate=False)
    assert (commune.register_number, mine.register_number) == (1, 1)


# --- Registers and their yearly series -------------------------------------------------------


def test_each_register_keeps_its_own_series(eoffice: EofficeWorld) -> None:
    # given a register for decisions and the general one
    decisions = Register.objects.create(
        agency=eoffice.snv, direction=Direction.INCOMING, name="Sổ quyết định đến", types=["QĐ"]
    )
    general = Register.objects.create(
        agency=eoffice.snv, direction=Direction.INCOMING, name="Sổ văn bản đến"
    )
    # when decisions and other documents arrive in turn
    got = [
        eoffice.register(now=NOW, doc_type=t, number=str(i), notation=n)
        for i, (t, n) in enumerate(
            [("QĐ", "QĐ-UBND"), ("CV", "UBND-VX"), ("TTr", "TTr-STC"), ("QĐ", "QĐ-STC")], 1
        )
    ]
    # then each register numbers from 1
    assert [(d.register_id, d.register_number) for d in got] == [
        (decisions.pk, 1),
        (general.pk, 1),
        (general.pk, 2),
        (decisions.pk, 2),
    ]
    assert dict(NumberCounter.objects.values_list("register_id", "last")) == {
        decisions.pk: 2,
        general.pk: 2,
    }


def test_the_general_register_is_made_on_first_use(eoffice: EofficeWorld) -> None:
    assert not Register.objects.filter(agency=eoffice.snv).exists()
    d = eoffice.register(now=NOW)
    register = Register.objects.get(agency=eoffice.snv, direction=Direction.INCOMING)
    assert d.register_id == register.pk and register.name == "Sổ văn bản đến"
    assert register.types == []


def test_a_register_asked_for_must_take_the_type_and_belong_to_the_agency(
    eoffice: EofficeWorld,
) -> None:
    decisions = Register.objects.create(
        agency=eoffice.snv, direction=Direction.INCOMING, name="Sổ quyết định đến", types=["QĐ"]
    )
    foreign = Register.objects.create(
        agency=eoffice.phu_xuan, direction=Direction.INCOMING, name="Sổ văn bản đến"
    )
    outgoing = Register.objects.create(
        agency=eoffice.snv, direction=Direction.OUTGOING, name="Sổ văn bản đi"
    )
    cases = [
        (decisions.pk, {"doc_type": "CV", "notation": "UBND-VX"}, "không dùng cho loại văn bản"),
        (foreign.pk, {}, "không tồn tại hoặc không thuộc cơ quan"),
        (outgoing.pk, {}, "không tồn tại hoặc không thuộc cơ quan"),
    ]
    for register_id, overrides, message in cases:
        data = eoffice.incoming_input(register_id=register_id, **overrides)
        before = row_counts()
        with pytest.raises(ValidationError) as caught:
            services.incoming_register(actor=eoffice.clerk, data=data, now=NOW)
        assert message in caught.value.message_dict["register"][0]
        assert row_counts() == before
    assert eoffice.register(now=NOW, register_id=decisions.pk).register_id == decisions.pk


def test_numbers_restart_at_one_on_the_first_of_january_in_ha_noi(eoffice: EofficeWorld) -> None:
    # given two registrations on the evening of 31 December (Hà Nội time)
    late = vietnam_time(2026, 12, 31, 23, 59)
    first = eoffice.register(now=late, number="1")
    second = eoffice.register(now=late, number="2")
    # when the next arrives at midnight (17:00 UTC, still 31 December in UTC)
    midnight = vietnam_time(2027, 1, 1, 0, 0)
    assert midnight.astimezone(dt.UTC).day == 31
    third = eoffice.register(now=midnight, number="3")
    fourth = eoffice.register(now=midnight + dt.timedelta(hours=8), number="4")
    # then 2027 counts from 1 again, in the same register
    assert [(d.year, d.register_number) for d in (first, second, third, fourth)] == [
        (2026, 1),
        (2026, 2),
        (2027, 1),
        (2027, 2),
    ]
    assert len({d.register_id for d in (first, second, third, fourth)}) == 1
    assert sorted(NumberCounter.objects.values_list("year", "last")) == [(2026, 2), (2027, 2)]


def test_a_rolled_back_registration_gives_its_number_back(eoffice: EofficeWorld) -> None:
    class Abandoned(Exception):
        pass

    # given a first registration, then one rolled back (by its caller) after taking number 2
    first = eoffice.register(number="1", now=NOW)
    with pytest.raises(Abandoned), transaction.atomic():
        taken = eoffice.register(number="2", now=NOW)
        assert taken.register_number == 2
        raise Abandoned
    # then the next registration gets number 2 again, and the abandoned one left nothing
    again = eoffice.register(number="3", now=NOW)
    assert (first.register_number, again.register_number) == (1, 2)
    assert not Document.objects.filter(number="2").exists()
    assert NumberCounter.objects.get().last == 2


# --- Presenting and assigning ----------------------------------------------------------------


def test_present_to_a_leader_only_and_by_the_clerk_only(eoffice: EofficeWorld) -> None:
    d = eoffice.register(now=NOW)
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        services.incoming_present(
            actor=eoffice.clerk, document_id=d.pk, leader_id=eoffice.specialist.pk
        )
    assert "phải là lãnh đạo của cơ quan" in caught.value.message_dict["leader"][0]
    with pytest.raises(ValidationError):
        services.incoming_present(
            actor=eoffice.clerk, document_id=d.pk, leader_id=eoffice.commune_chairman.pk
        )
    with pytest.raises(PermissionDenied):
        services.incoming_present(
            actor=eoffice.head, document_id=d.pk, leader_id=eoffice.director.pk
        )
    assert row_counts() == before
    # the director it is presented to has it waiting
    a = services.incoming_present(
        actor=eoffice.clerk, document_id=d.pk, leader_id=eoffice.director.pk
    )
    assert a.is_presentation and a.assignee_id == eoffice.director.pk
    d.refresh_from_db()
    assert d.status == DocumentStatus.PRESENTED


def test_presenting_again_withdraws_the_first_presentation(eoffice: EofficeWorld) -> None:
    d = eoffice.presented(now=NOW)
    services.incoming_present(actor=eoffice.clerk, document_id=d.pk, leader_id=eoffice.deputy.pk)
    states = dict(Assignment.objects.filter(document=d).values_list("assignee__username", "status"))
    assert states == {"giamdoc.snv": "withdrawn", "phogiamdoc.snv": "waiting"}


def test_the_leader_assigns_main_supports_and_readers(eoffice: EofficeWorld) -> None:
    # given a document presented to the director
    d = eoffice.presented(now=NOW)
    due = TODAY + dt.timedelta(days=10)
    # when the director routes it
    created = services.incoming_assign(
        actor=eoffice.director,
        document_id=d.pk,
        data=services.AssignInput(
            main=eoffice.specialist.pk,
            supports=(eoffice.colleague.pk,),
            readers=(eoffice.head.pk,),
            direction="Giao phòng TCBC tham mưu",
            due_on=due,
        ),
        now=NOW,
    )
    # then each gets the role, the direction and the due date; the document follows the main
    assert [(a.assignee_id, a.role) for a in created] == [
        (eoffice.specialist.pk, AssignmentRole.MAIN),
        (eoffice.colleague.pk, AssignmentRole.SUPPORT),
        (eoffice.head.pk, AssignmentRole.READER),
    ]
    assert {a.direction for a in created} == {"Giao phòng TCBC tham mưu"}
    assert {a.due_on for a in created} == {due}
    d.refresh_from_db()
    assert (d.status, d.department_id, d.due_on) == (DocumentStatus.ASSIGNED, eoffice.tcbc.pk, due)
    presentation = Assignment.objects.get(document=d, is_presentation=True)
    assert presentation.status == AssignmentStatus.DONE
    assert edxml_codes(d) == ["03", "04", "04"]


@pytest.mark.parametrize(
    ("make", "field", "message"),
    [
        pytest.param(
            lambda w: services.AssignInput(main=w.finance_specialist.pk),
            "main",
            "phải là cán bộ của cơ quan",
            id="main of another agency",
        ),
        pytest.param(
            lambda w: services.AssignInput(main=w.specialist.pk, readers=(w.citizen.pk,)),
            "main",
            "phải là cán bộ của cơ quan",
            id="a citizen as reader",
        ),
        pytest.param(
            lambda w: services.AssignInput(main=w.specialist.pk, readers=(w.specialist.pk,)),
            "supports",
            "chỉ nhận một vai trò",
            id="main also reader",
        ),
        pytest.param(
            lambda w: services.AssignInput(
                main=w.specialist.pk, supports=(w.colleague.pk, w.colleague.pk)
            ),
            "supports",
            "chỉ nhận một vai trò",
            id="support twice",
        ),
        pytest.param(
            lambda w: services.AssignInput(
                main=w.specialist.pk, due_on=TODAY - dt.timedelta(days=1)
            ),
            "due_on",
            "không thể trước ngày hôm nay",
            id="past due date",
        ),
    ],
)
def test_a_bad_assignment_is_refused_and_nothing_changes(
    eoffice: EofficeWorld, make: Any, field: str, message: str
) -> None:
    d = eoffice.presented(now=NOW)
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        services.incoming_assign(
            actor=eoffice.director, document_id=d.pk, data=make(eoffice), now=NOW
        )
    assert message in caught.value.message_dict[field][0]
    assert row_counts() == before
    d.refresh_from_db()
    assert d.status == DocumentStatus.PRESENTED


def test_only_a_leader_assigns(eoffice: EofficeWorld) -> None:
    d = eoffice.register(now=NOW)
    data = services.AssignInput(main=eoffice.specialist.pk)
    for who in (eoffice.clerk, eoffice.specialist, eoffice.head, eoffice.commune_chairman):
        with pytest.raises(PermissionDenied):
            services.incoming_assign(actor=who, document_id=d.pk, data=data)
    # the deputy director leads the agency: he may route without a presentation
    services.incoming_assign(actor=eoffice.deputy, document_id=d.pk, data=data)
    # once it is the department's, its head may route it again inside
    services.incoming_assign(
        actor=eoffice.head, document_id=d.pk, data=services.AssignInput(main=eoffice.colleague.pk)
    )
    open_main = Assignment.objects.get(document=d, role="main", status="waiting")
    assert open_main.assignee_id == eoffice.colleague.pk
    assert Assignment.objects.get(document=d, assignee=eoffice.specialist).status == "withdrawn"


def test_a_document_in_progress_is_not_assigned_again(eoffice: EofficeWorld) -> None:
    d, _main = eoffice.in_progress(now=NOW)
    with pytest.raises(DocumentConflict):
        services.incoming_assign(
            actor=eoffice.director,
            document_id=d.pk,
            data=services.AssignInput(main=eoffice.colleague.pk),
        )


def test_a_reassignment_closes_every_open_assignment_of_the_previous_one(
    eoffice: EofficeWorld,
) -> None:
    d = eoffice.presented(now=NOW)
    (_main, support) = services.incoming_assign(
        actor=eoffice.director,
        document_id=d.pk,
        data=services.AssignInput(main=eoffice.specialist.pk, supports=(eoffice.colleague.pk,)),
    )
    services.assignment_start(actor=eoffice.colleague, assignment_id=support.pk)
    services.incoming_assign(
        actor=eoffice.director,
        document_id=d.pk,
        data=services.AssignInput(main=eoffice.other_specialist.pk),
    )
    support.refresh_from_db()
    assert support.status == AssignmentStatus.WITHDRAWN


# --- Passing on, processing, completing -----------------------------------------------------


def test_pass_on_inside_the_department_within_the_leaders_due_date(eoffice: EofficeWorld) -> None:
    due = TODAY + dt.timedelta(days=10)
    d = eoffice.presented(now=NOW)
    (main,) = services.incoming_assign(
        actor=eoffice.director,
        document_id=d.pk,
        data=services.AssignInput(main=eoffice.specialist.pk, due_on=due, direction="Xử lý"),
        now=NOW,
    )
    before = row_counts()
    refusals: list[tuple[dict[str, Any], str, str]] = [
        ({"to_id": eoffice.other_specialist.pk}, "to", "cùng phòng, ban"),
        ({"to_id": eoffice.clerk.pk}, "to", "cùng phòng, ban"),
        ({"to_id": eoffice.director.pk}, "to", "cùng phòng, ban"),
        ({"to_id": eoffice.finance_specialist.pk}, "to", "cùng phòng, ban"),
        ({"to_id": eoffice.specialist.pk}, "to", "chính mình"),
        (
            {"to_id": eoffice.colleague.pk, "due_on": due + dt.timedelta(days=1)},
            "due_on",
            "không được sau hạn lãnh đạo đã giao",
        ),
    ]
    for kwargs, field, message in refusals:
        with pytest.raises(ValidationError) as caught:
            services.assignment_pass_on(actor=eoffice.specialist, assignment_id=main.pk, **kwargs)
        assert message in caught.value.message_dict[field][0], kwargs
    assert row_counts() == before
    # nobody but the main processor passes it on
    with pytest.raises(PermissionDenied):
        services.assignment_pass_on(
            actor=eoffice.colleague, assignment_id=main.pk, to_id=eoffice.head.pk
        )
    # when passed to the colleague with an earlier date
    child = services.assignment_pass_on(
        actor=eoffice.specialist,
        assignment_id=main.pk,
        to_id=eoffice.colleague.pk,
        due_on=due - dt.timedelta(days=3),
        now=NOW,
    )
    main.refresh_from_db()
    assert main.status == AssignmentStatus.PASSED_ON
    assert (child.role, child.parent_id, child.direction) == (AssignmentRole.MAIN, main.pk, "Xử lý")
    assert child.due_on == due - dt.timedelta(days=3)
    # and the passed-on assignment is over
    with pytest.raises(DocumentConflict):
        services.assignment_pass_on(
            actor=eoffice.specialist, assignment_id=main.pk, to_id=eoffice.head.pk
        )
    # a pass-on without a date keeps the leader's
    grandchild = services.assignment_pass_on(
        actor=eoffice.colleague, assignment_id=child.pk, to_id=eoffice.head.pk
    )
    assert grandchild.due_on == child.due_on


def test_a_co_processor_or_reader_does_not_pass_on(eoffice: EofficeWorld) -> None:
    d = eoffice.presented(now=NOW)
    (_main, support, reader) = services.incoming_assign(
        actor=eoffice.director,
        document_id=d.pk,
        data=services.AssignInput(
            main=eoffice.specialist.pk, supports=(eoffice.colleague.pk,), readers=(eoffice.head.pk,)
        ),
    )
    with pytest.raises(DocumentConflict, match="Chỉ người xử lý chính"):
        services.assignment_pass_on(
            actor=eoffice.colleague, assignment_id=support.pk, to_id=eoffice.head.pk
        )
    with pytest.raises(DocumentConflict, match="Chỉ người xử lý chính"):
        services.assignment_pass_on(
            actor=eoffice.head, assignment_id=reader.pk, to_id=eoffice.colleague.pk
        )


def test_only_the_assignee_starts_and_completes(eoffice: EofficeWorld) -> None:
    _d, main = eoffice.assigned(now=NOW)
    before = row_counts()
    for who in (eoffice.colleague, eoffice.head, eoffice.director, eoffice.clerk):
        with pytest.raises(PermissionDenied, match="không phải văn bản được giao cho bạn"):
            services.assignment_start(actor=who, assignment_id=main.pk)
        with pytest.raises(PermissionDenied):
            services.assignment_complete(actor=who, assignment_id=main.pk, result_note="Xong")
    assert row_counts() == before
    with pytest.raises(DocumentConflict, match="Không tìm thấy phân công"):
        services.assignment_start(actor=eoffice.specialist, assignment_id=main.pk + 10_000)


def test_the_presentation_itself_is_not_processed(eoffice: EofficeWorld) -> None:
    d = eoffice.register(now=NOW)
    a = services.incoming_present(
        actor=eoffice.clerk, document_id=d.pk, leader_id=eoffice.director.pk
    )
    with pytest.raises(DocumentConflict, match="hãy phân công"):
        services.assignment_start(actor=eoffice.director, assignment_id=a.pk)
    with pytest.raises(DocumentConflict, match="hãy phân công"):
        services.assignment_complete(actor=eoffice.director, assignment_id=a.pk, result_note="x")


def test_processing_steps_and_their_edxml_status(eoffice: EofficeWorld) -> None:
    # given a document with a main processor, a co-processor and a reader
    d = eoffice.presented(now=NOW)
    main, support, reader = services.incoming_assign(
        actor=eoffice.director,
        document_id=d.pk,
        data=services.AssignInput(
            main=eoffice.specialist.pk, supports=(eoffice.colleague.pk,), readers=(eoffice.head.pk,)
        ),
    )
    # the reader opens it: seen, not audited
    audits = AuditEvent.objects.count()
    services.assignment_mark_seen(actor=eoffice.head, assignment_id=reader.pk)
    reader.refresh_from_db()
    assert reader.status == AssignmentStatus.SEEN and reader.seen_at is not None
    assert AuditEvent.objects.count() == audits
    # the co-processor starts first: the document is not yet "in progress"
    services.assignment_start(actor=eoffice.colleague, assignment_id=support.pk)
    d.refresh_from_db()
    assert d.status == DocumentStatus.ASSIGNED
    # the main processor starts: 05
    services.assignment_start(actor=eoffice.specialist, assignment_id=main.pk)
    with pytest.raises(DocumentConflict, match="đã bắt đầu"):
        services.assignment_start(actor=eoffice.specialist, assignment_id=main.pk)
    d.refresh_from_db()
    assert d.status == DocumentStatus.IN_PROGRESS
    # the co-processor's part is done: the document is not complete
    services.assignment_complete(
        actor=eoffice.colleague, assignment_id=support.pk, result_note="Đã góp ý"
    )
    d.refresh_from_db()
    assert d.status == DocumentStatus.IN_PROGRESS
    # the main processor must say what was done
    with pytest.raises(ValidationError) as caught:
        services.assignment_complete(
            actor=eoffice.specialist, assignment_id=main.pk, result_note=" "
        )
    assert "kết quả xử lý" in caught.value.message_dict["result_note"][0]
    # and completes: 06, the whole document is complete
    at = timezone.now() + dt.timedelta(hours=1)
    services.assignment_complete(
        actor=eoffice.specialist,
        assignment_id=main.pk,
        result_note="Đã trình ký công văn trả lời",
        now=at,
    )
    d.refresh_from_db()
    assert (d.status, d.completed_at) == (DocumentStatus.COMPLETED, at)
    with pytest.raises(DocumentConflict, match="đã kết thúc"):
        services.assignment_complete(
            actor=eoffice.specialist, assignment_id=main.pk, result_note="Lại"
        )
    actions = list(
        Activity.objects.filter(document=d)
        .order_by("occurred_at", "id")
        .values_list("action", "edxml_status")
    )
    assert actions == [
        ("register", "03"),
        ("present", "04"),
        ("assign", "04"),
        ("start", ""),
        ("start", "05"),
        ("complete_part", ""),
        ("complete", "06"),
    ]


def test_completion_with_a_reply_document_of_the_agency(eoffice: EofficeWorld) -> None:
    _d, main = eoffice.in_progress(now=NOW)
    reply = eoffice.issued()
    foreign = eoffice.commune_issued(recipients=(eoffice.demo.ubnd.pk,))
    with pytest.raises(ValidationError) as caught:
        services.assignment_complete(
            actor=eoffice.specialist, assignment_id=main.pk, reply_document_id=foreign.pk
        )
    assert "Không tìm thấy văn bản trả lời" in caught.value.message_dict["reply_document"][0]
    services.assignment_complete(
        actor=eoffice.specialist, assignment_id=main.pk, reply_document_id=reply.pk
    )
    main.refresh_from_db()
    assert main.reply_document_id == reply.pk


def test_pass_on_then_the_new_main_processor_completes(eoffice: EofficeWorld) -> None:
    d, main = eoffice.assigned(now=NOW)
    child = services.assignment_pass_on(
        actor=eoffice.specialist, assignment_id=main.pk, to_id=eoffice.colleague.pk
    )
    with pytest.raises(DocumentConflict):
        services.assignment_start(actor=eoffice.specialist, assignment_id=main.pk)
    services.assignment_start(actor=eoffice.colleague, assignment_id=child.pk)
    services.assignment_complete(
        actor=eoffice.colleague, assignment_id=child.pk, result_note="Xong"
    )
    d.refresh_from_db()
    assert d.status == DocumentStatus.COMPLETED
    assert [a for a in edxml_codes(d)] == ["03", "04", "04", "05", "06"]


def test_an_official_with_two_posts_is_assigned_in_the_department(eoffice: EofficeWorld) -> None:
    # given the deputy director also heading the specialist's department (kiêm nhiệm)
    from tinhso.accounts.models import Membership, Role

    Membership.objects.create(
        user=eoffice.deputy, agency=eoffice.snv, department=eoffice.tcbc, role=Role.LANH_DAO
    )
    d = eoffice.presented(now=NOW)
    # when the director gives him the document
    (main,) = services.incoming_assign(
        actor=eoffice.director, document_id=d.pk, data=services.AssignInput(main=eoffice.deputy.pk)
    )
    # then it is his department's, on every database
    d.refresh_from_db()
    assert main.department_id == eoffice.tcbc.pk
    assert d.department_id == eoffice.tcbc.pk


# --- A document received from inside the installation ---------------------------------------


def test_the_senders_recipient_row_follows_every_step(eoffice: EofficeWorld) -> None:
    # given Phú Xuân's document in Sở Nội vụ's queue: 01
    copy = eoffice.received()
    recipient = Recipient.objects.get(delivered=copy, agency=eoffice.snv)
    assert recipient.document_id == copy.origin_id
    assert (recipient.state, recipient.delivered_id) == ("01", copy.pk)
    assert copy.status == DocumentStatus.RECEIVED and copy.source == Source.INTERNAL
    assert copy.files.count() == 1

    def state() -> str:
        recipient.refresh_from_db()
        return recipient.state

    # the clerk registers it: 03, with the incoming series
    paper = eoffice.register(now=NOW)
    services.incoming_accept(actor=eoffice.clerk, document_id=copy.pk)
    copy.refresh_from_db()
    assert (copy.status, copy.register_number, copy.register_id) == (
        DocumentStatus.REGISTERED,
        2,
        paper.register_id,
    )
    assert state() == "03"
    # presented (no status package), assigned: 04
    services.incoming_present(
        actor=eoffice.clerk, document_id=copy.pk, leader_id=eoffice.director.pk
    )
    assert state() == "03"
    (main,) = services.incoming_assign(
        actor=eoffice.director,
        document_id=copy.pk,
        data=services.AssignInput(main=eoffice.specialist.pk),
    )
    assert state() == "04"
    services.assignment_start(actor=eoffice.specialist, assignment_id=main.pk)
    assert state() == "05"
    services.assignment_complete(
        actor=eoffice.specialist, assignment_id=main.pk, result_note="Đã xử lý"
    )
    assert state() == "06"
    assert edxml_codes(copy) == ["01", "03", "04", "04", "05", "06"]


def test_accept_is_for_the_receiving_clerk_and_once(eoffice: EofficeWorld) -> None:
    copy = eoffice.received()
    for who in (eoffice.commune_clerk, eoffice.specialist, eoffice.director):
        with pytest.raises(PermissionDenied):
            services.incoming_accept(actor=who, document_id=copy.pk)
    with pytest.raises(ValidationError) as caught:
        services.incoming_accept(
            actor=eoffice.clerk, document_id=copy.pk, due_on=dt.date(2020, 1, 1)
        )
    assert "due_on" in caught.value.message_dict
    services.incoming_accept(actor=eoffice.clerk, document_id=copy.pk)
    with pytest.raises(DocumentConflict):
        services.incoming_accept(actor=eoffice.clerk, document_id=copy.pk)
    with pytest.raises(DocumentConflict, match="chưa vào sổ"):
        services.incoming_refuse(actor=eoffice.clerk, document_id=copy.pk, reason="Nhầm")


def test_refuse_needs_a_reason_and_tells_the_sender(eoffice: EofficeWorld) -> None:
    copy = eoffice.received()
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        services.incoming_refuse(actor=eoffice.clerk, document_id=copy.pk, reason="   ")
    assert "lý do trả lại" in caught.value.message_dict["reason"][0]
    with pytest.raises(PermissionDenied):
        services.incoming_refuse(actor=eoffice.commune_clerk, document_id=copy.pk, reason="Nhầm")
    assert row_counts() == before
    services.incoming_refuse(actor=eoffice.clerk, document_id=copy.pk, reason="Gửi nhầm cơ quan")
    copy.refresh_from_db()
    assert (copy.status, copy.note) == (DocumentStatus.REFUSED, "Gửi nhầm cơ quan")
    assert Recipient.objects.get(delivered=copy).state == "02"
    refusal = Activity.objects.get(document=copy, action="refuse")
    assert (refusal.edxml_status, refusal.note) == ("02", "Gửi nhầm cơ quan")
    with pytest.raises(DocumentConflict):
        services.incoming_accept(actor=eoffice.clerk, document_id=copy.pk)
    # a paper document cannot be "refused": it never was in the queue
    paper = eoffice.register(now=NOW)
    with pytest.raises(DocumentConflict):
        services.incoming_refuse(actor=eoffice.clerk, document_id=paper.pk, reason="Nhầm")
