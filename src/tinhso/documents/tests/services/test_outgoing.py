"""Outgoing documents through the services (Nghị định 30/2020, Điều 10–18): drafting and its
refusals, the review chain, issuing with the number and notation, dispatch inside and outside
the installation, recall and replacement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import Membership, Role
from tinhso.audit.models import AuditEvent
from tinhso.documents import services
from tinhso.documents.errors import DocumentConflict
from tinhso.documents.models import (
    Activity,
    ApprovalChain,
    ApprovalStep,
    Comment,
    Direction,
    Document,
    DocumentFile,
    DocumentStatus,
    ExchangeOutbox,
    FileRole,
    NumberCounter,
    Recipient,
    RecipientState,
    Source,
)
from tinhso.files.tests.samples import png
from tinhso.organizations.models import Department
from tinhso.testing.eoffice import (
    EofficeWorld,
    docx_bomb_past_upload,
    docx_bytes,
    row_counts,
    upload,
    vietnam_time,
)
from tinhso.testing.factories import make_membership, make_user

pytestmark = pytest.mark.django_db


def waiting_step(d: Document) -> ApprovalStep | None:
    return d.approvals.filter(decision="waiting").order_by("-round", "order").first()


def steps_of(d: Document, round_: int = 1) -> list[tuple[str, str | None, str]]:
    return [
        (s.kind, s.approver.username if s.approver else None, s.decision)
        for s in d.approvals.filter(round=round_).select_related("approver").order_by("order")
    ]


# --- Drafting: every bad input ----------------------------------------------------------------

BAD_DRAFTS: list[tuple[str, Any, str, str]] = [
    (
        "signer not a leader",
        lambda w: {"signer": w.colleague.pk},
        "signer",
        "Người ký phải là lãnh đạo của cơ quan",
    ),
    ("no signer", lambda w: {"signer": None}, "signer", "Người ký phải là lãnh đạo của cơ quan"),
    (
        "signer of another agency",
        lambda w: {"signer": w.demo.user("giamdoc.stc").pk},
        "signer",
        "Người ký phải là lãnh đạo của cơ quan",
    ),
    (
        "unknown recipient",
        lambda w: {"recipients": (999_999,)},
        "recipients",
        "không tồn tại trong danh mục",
    ),
    ("to itself", lambda w: {"recipients": (w.snv.pk,)}, "recipients", "chính cơ quan mình"),
    (
        "bad external code",
        lambda w: {
            "external_recipients": (
                services.ExternalRecipient("Sở Nội vụ tỉnh Quảng Trị", "QT-SNV"),
            )
        },
        "external_recipients",
        "Sở Nội vụ tỉnh Quảng Trị: Mã định danh",
    ),
    (
        "external without a name",
        lambda w: {"external_recipients": (services.ExternalRecipient("  ", "H48.02"),)},
        "external_recipients",
        "phải có tên cơ quan",
    ),
    ("unknown type", lambda w: {"doc_type": "XYZ"}, "type", "không có trong danh mục"),
    ("no subject", lambda w: {"subject": "  "}, "subject", "Chưa nhập trích yếu"),
    (
        "subject too long",
        lambda w: {"subject": "V" * 501},
        "subject",
        "Trích yếu dài quá 500 ký tự",
    ),
    ("unknown urgency", lambda w: {"urgency": "gap"}, "urgency", "Độ khẩn không hợp lệ"),
    ("unit too long", lambda w: {"unit": "X" * 30}, "unit", "dài quá 30 ký tự"),
    ("page count 0", lambda w: {"page_count": 0}, "page_count", "Số trang phải từ 1"),
    ("copies 0", lambda w: {"copies": 0}, "copies", "Số lượng bản phải từ 1"),
    (
        "an image as draft",
        lambda w: {"files": (upload(w.specialist, "anh.png", png()),)},
        "files",
        "Dự thảo phải là tệp DOCX hoặc PDF",
    ),
    (
        "another agency's file",
        lambda w: {"files": (upload(w.commune_specialist, "cua-phuong.pdf"),)},
        "files",
        "không được dùng tệp này",
    ),
    (
        "another agency's attachment",
        lambda w: {"attachments": (upload(w.commune_specialist, "phu-luc.pdf"),)},
        "attachments",
        "không được dùng tệp này",
    ),
]


@pytest.mark.parametrize(
    ("make", "field", "message"),
    [pytest.param(m, f, msg, id=label) for label, m, f, msg in BAD_DRAFTS],
)
def test_a_bad_draft_is_refused_with_a_vietnamese_message_and_nothing_is_written(
    eoffice: EofficeWorld, make: Any, field: str, message: str
) -> None:
    # given a draft with one bad field (files uploaded beforehand)
    data = eoffice.draft_input(**make(eoffice))
    before = row_counts()
    # when the specialist saves it
    with pytest.raises(ValidationError) as caught:
        services.outgoing_draft(actor=eoffice.specialist, data=data)
    # then the field carries the message, and no row was written
    errors = caught.value.message_dict
    assert field in errors, errors
    assert any(message in m for m in errors[field]), errors[field]
    assert row_counts() == before


def test_a_docx_zip_bomb_as_draft_is_refused_and_nothing_is_written(eoffice: EofficeWorld) -> None:
    # given a DOCX that the upload check lets through (its archive as a whole looks sane)
    # but whose text part inflates a thousandfold
    bomb = upload(eoffice.specialist, "du-thao.docx", docx_bomb_past_upload())
    data = eoffice.draft_input(files=(bomb,))
    before = row_counts()
    # when it is the draft file
    with pytest.raises(ValidationError) as caught:
        services.outgoing_draft(actor=eoffice.specialist, data=data)
    # then the specialist reads why, and nothing was written
    assert any("du-thao.docx" in m and "giải nén ra quá lớn" in m for m in caught.value.messages)
    assert row_counts() == before


def test_a_sane_docx_is_a_draft_version(eoffice: EofficeWorld) -> None:
    d = eoffice.draft(files=(upload(eoffice.specialist, "du-thao.docx", docx_bytes()),))
    (version,) = d.versions.all()
    assert version.number == 1 and version.file.name == "du-thao.docx"
    assert d.files.get().role == FileRole.DRAFT


def test_only_officials_draft(eoffice: EofficeWorld) -> None:
    data = eoffice.draft_input()
    with pytest.raises(PermissionDenied):
        services.outgoing_draft(actor=eoffice.citizen, data=data)
    with pytest.raises(PermissionDenied):
        services.outgoing_draft(
            actor=eoffice.specialist, data=eoffice.draft_input(agency_id=eoffice.phu_xuan.pk)
        )


def test_a_draft_records_the_fields_and_recipients(eoffice: EofficeWorld) -> None:
    attachment = upload(eoffice.specialist, "phu-luc.pdf")
    d = eoffice.draft(
        recipients=(eoffice.demo.ubnd.pk, eoffice.phu_xuan.pk, eoffice.phu_xuan.pk),
        external_recipients=(
            services.ExternalRecipient(" Sở Nội vụ  tỉnh Quảng Trị ", " h48.02 "),
        ),
        attachments=(attachment,),
        page_count=2,
    )
    assert (d.direction, d.status, d.source) == (
        Direction.OUTGOING,
        DocumentStatus.DRAFT,
        Source.ELECTRONIC,
    )
    assert (d.department_id, d.signer_name, d.issuer_code) == (
        eoffice.tcbc.pk,
        "Hoàng Thị Thanh Tâm",
        "H57.02",
    )
    assert (d.number, d.notation, d.register_id) == ("", "", None)
    recipients = sorted(
        Recipient.objects.filter(document=d).values_list("name", "code", "is_internal")
    )
    assert recipients == sorted(
        [
            (eoffice.demo.ubnd.name, "", True),
            (eoffice.phu_xuan.name, "", True),
            ("Sở Nội vụ tỉnh Quảng Trị", "H48.02", False),
        ]
    )
    assert sorted(d.files.values_list("role", flat=True)) == ["attachment", "draft"]
    assert AuditEvent.objects.filter(
        action="documents.outgoing.draft", object_id=str(d.pk)
    ).exists()


@pytest.mark.parametrize("unit", ["V X", "VX-", "-VX"])
def test_a_unit_that_makes_a_malformed_notation_is_refused(
    eoffice: EofficeWorld, unit: str
) -> None:
    data = eoffice.draft_input(unit=unit)
    with pytest.raises(ValidationError) as caught:
        services.outgoing_draft(actor=eoffice.specialist, data=data)
    assert "unit" in caught.value.message_dict


def test_a_notation_too_long_with_the_department_is_refused_before_issue(
    eoffice: EofficeWorld,
) -> None:
    # given an agency with a long abbreviation and a department with a long one (20 each)
    snv = eoffice.snv
    snv.short_name = "SNVTHUATHIENHUE"
    snv.save(update_fields=["short_name"])
    department = Department.objects.create(agency=snv, name="Phòng Thử nghiệm", short_name="P" * 20)
    drafter = make_user(username="cv.thunghiem", full_name="Nguyễn Văn Thử")
    make_membership(user=drafter, agency=snv, department=department, role=Role.CHUYEN_VIEN)
    data = eoffice.draft_input(signer=eoffice.director.pk, files=(upload(drafter, "du-thao.pdf"),))
    # when a công văn without unit is drafted, approved and issued
    try:
        d = services.outgoing_draft(actor=drafter, data=data)
    except ValidationError as exc:  # the fix may refuse it here…
        assert "unit" in exc.message_dict
        return
    services.outgoing_submit(actor=drafter, document_id=d.pk)
    services.outgoing_approve(actor=eoffice.director, document_id=d.pk)
    # …or here, with a message, not a crash
    with pytest.raises((ValidationError, DocumentConflict)):
        services.outgoing_issue(actor=eoffice.clerk, document_id=d.pk)


def test_a_reply_to_another_agencys_document_is_refused(eoffice: EofficeWorld) -> None:
    foreign = eoffice.commune_issued(recipients=(eoffice.demo.ubnd.pk,))
    data = eoffice.draft_input(reply_to=foreign.pk)
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        services.outgoing_draft(actor=eoffice.specialist, data=data)
    assert "reply_to" in caught.value.message_dict
    assert row_counts() == before


def test_a_reply_to_an_own_incoming_document_is_kept(eoffice: EofficeWorld) -> None:
    incoming, _main = eoffice.assigned()
    d = eoffice.draft(reply_to=incoming.pk)
    assert d.reply_to_id == incoming.pk


def test_an_official_with_two_posts_drafts_in_the_department(eoffice: EofficeWorld) -> None:
    # given the deputy director also heading the specialist's department (kiêm nhiệm)
    Membership.objects.create(
        user=eoffice.deputy, agency=eoffice.snv, department=eoffice.tcbc, role=Role.LANH_DAO
    )
    data = eoffice.draft_input(
        signer=eoffice.director.pk, files=(upload(eoffice.deputy, "du-thao.pdf"),)
    )
    # when he drafts
    d = services.outgoing_draft(actor=eoffice.deputy, data=data)
    # then it is his department's document, on every database
    assert d.department_id == eoffice.tcbc.pk


# --- The review chain ----------------------------------------------------------------------


def test_the_default_chain_is_the_head_then_the_signer(eoffice: EofficeWorld) -> None:
    d = eoffice.submitted(signer=eoffice.director.pk)
    assert d.status == DocumentStatus.IN_REVIEW
    assert steps_of(d) == [
        ("department_head", "lanhdao", "waiting"),
        ("signer", "giamdoc.snv", "waiting"),
    ]


def test_the_default_chain_merges_when_the_head_signs(eoffice: EofficeWorld) -> None:
    d = eoffice.submitted(signer=eoffice.head.pk)
    assert steps_of(d) == [("department_head", "lanhdao", "waiting")]
    services.outgoing_approve(actor=eoffice.head, document_id=d.pk)
    d.refresh_from_db()
    assert d.status == DocumentStatus.APPROVED


def test_a_configured_chain_has_three_steps_taken_in_turn(eoffice: EofficeWorld) -> None:
    # given the agency's chain: head of department, a leader of the agency, the signer
    ApprovalChain.objects.create(
        agency=eoffice.snv, steps=["department_head", "agency_leader", "signer"]
    )
    d = eoffice.submitted(signer=eoffice.director.pk)
    assert steps_of(d) == [
        ("department_head", "lanhdao", "waiting"),
        ("agency_leader", None, "waiting"),
        ("signer", "giamdoc.snv", "waiting"),
    ]
    before = row_counts()
    # out of turn: the signer before the head, the drafter, another department's head
    for who in (
        eoffice.director,
        eoffice.deputy,
        eoffice.specialist,
        eoffice.demo.user("snv.ccvc.truong"),
    ):
        with pytest.raises(PermissionDenied, match="Chưa đến lượt bạn duyệt"):
            services.outgoing_approve(actor=who, document_id=d.pk)
    assert row_counts() == before
    services.outgoing_approve(actor=eoffice.head, document_id=d.pk, comment="Đồng ý trình")
    # the agency-leader step: any leader of the agency, not a head of department
    with pytest.raises(PermissionDenied):
        services.outgoing_approve(actor=eoffice.head, document_id=d.pk)
    services.outgoing_approve(actor=eoffice.deputy, document_id=d.pk)
    d.refresh_from_db()
    assert d.status == DocumentStatus.IN_REVIEW
    with pytest.raises(PermissionDenied):
        services.outgoing_approve(actor=eoffice.deputy, document_id=d.pk)
    services.outgoing_approve(actor=eoffice.director, document_id=d.pk)
    d.refresh_from_db()
    assert d.status == DocumentStatus.APPROVED
    assert [
        (s.decided_by.username if s.decided_by else None, s.comment)
        for s in d.approvals.order_by("order")
    ] == [
        ("lanhdao", "Đồng ý trình"),
        ("phogiamdoc.snv", ""),
        ("giamdoc.snv", ""),
    ]
    with pytest.raises(DocumentConflict, match="không ở bước trình duyệt"):
        services.outgoing_approve(actor=eoffice.director, document_id=d.pk)


def test_a_chain_of_the_documents_type_wins_over_the_agencys_default(eoffice: EofficeWorld) -> None:
    ApprovalChain.objects.create(
        agency=eoffice.snv, doc_type="QĐ", steps=["department_head", "agency_leader", "signer"]
    )
    ApprovalChain.objects.create(agency=eoffice.snv, doc_type="", steps=["signer"])
    decision = eoffice.submitted(doc_type="QĐ", signer=eoffice.director.pk)
    letter = eoffice.submitted(doc_type="CV", signer=eoffice.director.pk)
    assert [k for k, _a, _d in steps_of(decision)] == ["department_head", "agency_leader", "signer"]
    assert steps_of(letter) == [("signer", "giamdoc.snv", "waiting")]
    # another agency's chain does not apply
    commune = eoffice.commune_issued(recipients=(eoffice.demo.ubnd.pk,))
    assert [s.kind for s in commune.approvals.all()] == ["signer"]


def test_a_chain_step_of_the_drafter_is_dropped(eoffice: EofficeWorld) -> None:
    ApprovalChain.objects.create(
        agency=eoffice.snv, steps=[f"user:{eoffice.specialist.pk}", "department_head", "signer"]
    )
    d = eoffice.submitted(signer=eoffice.director.pk)
    assert steps_of(d) == [
        ("department_head", "lanhdao", "waiting"),
        ("signer", "giamdoc.snv", "waiting"),
    ]


def test_a_head_who_drafts_skips_his_own_step(eoffice: EofficeWorld) -> None:
    data = eoffice.draft_input(
        signer=eoffice.director.pk, files=(upload(eoffice.head, "du-thao.pdf"),)
    )
    d = services.outgoing_draft(actor=eoffice.head, data=data)
    services.outgoing_submit(actor=eoffice.head, document_id=d.pk)
    assert steps_of(d) == [("signer", "giamdoc.snv", "waiting")]
    with pytest.raises(PermissionDenied):
        services.outgoing_approve(actor=eoffice.head, document_id=d.pk)


def test_a_leader_who_drafts_does_not_approve_his_own_draft(eoffice: EofficeWorld) -> None:
    # given the deputy director drafting, the director signing, and the chain leader → signer
    ApprovalChain.objects.create(agency=eoffice.snv, steps=["agency_leader", "signer"])
    data = eoffice.draft_input(
        signer=eoffice.director.pk, files=(upload(eoffice.deputy, "du-thao.pdf"),)
    )
    d = services.outgoing_draft(actor=eoffice.deputy, data=data)
    services.outgoing_submit(actor=eoffice.deputy, document_id=d.pk)
    # when the deputy tries to take the agency-leader step himself
    # then he is refused: another leader must review it
    with pytest.raises(PermissionDenied):
        services.outgoing_approve(actor=eoffice.deputy, document_id=d.pk)


def test_submit_needs_a_draft_file_a_signer_and_the_drafting_side(eoffice: EofficeWorld) -> None:
    d = eoffice.draft(files=())
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        services.outgoing_submit(actor=eoffice.specialist, document_id=d.pk)
    assert "Chưa có tệp dự thảo" in caught.value.message_dict["files"][0]
    for who in (eoffice.other_specialist, eoffice.clerk, eoffice.commune_specialist):
        with pytest.raises(PermissionDenied):
            services.outgoing_submit(actor=who, document_id=d.pk)
    assert row_counts() == before
    # the signer left the agency's leadership meanwhile
    services.outgoing_add_version(
        actor=eoffice.specialist, document_id=d.pk, file_id=upload(eoffice.specialist, "v1.pdf")
    )
    Membership.objects.filter(user=eoffice.head).update(is_active=False)
    with pytest.raises(ValidationError) as caught:
        services.outgoing_submit(actor=eoffice.specialist, document_id=d.pk)
    assert "signer" in caught.value.message_dict
    Membership.objects.filter(user=eoffice.head).update(is_active=True)
    # a colleague of the department may submit it
    services.outgoing_submit(actor=eoffice.colleague, document_id=d.pk)
    with pytest.raises(DocumentConflict, match="đã được trình"):
        services.outgoing_submit(actor=eoffice.specialist, document_id=d.pk)


def test_return_ends_the_round_and_resubmission_starts_round_two(eoffice: EofficeWorld) -> None:
    ApprovalChain.objects.create(
        agency=eoffice.snv, steps=["department_head", "agency_leader", "signer"]
    )
    d = eoffice.submitted(signer=eoffice.director.pk)
    services.outgoing_approve(actor=eoffice.head, document_id=d.pk)
    # a return needs a comment
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        services.outgoing_return(actor=eoffice.deputy, document_id=d.pk, comment="  ")
    assert "Cần ghi ý kiến" in caught.value.message_dict["comment"][0]
    with pytest.raises(PermissionDenied):
        services.outgoing_return(actor=eoffice.head, document_id=d.pk, comment="Sửa lại")
    assert row_counts() == before
    # the agency leader returns it
    services.outgoing_return(
        actor=eoffice.deputy, document_id=d.pk, comment="Bổ sung số liệu biên chế"
    )
    d.refresh_from_db()
    assert d.status == DocumentStatus.RETURNED
    assert steps_of(d) == [
        ("department_head", "lanhdao", "approved"),
        ("agency_leader", None, "returned"),
        ("signer", "giamdoc.snv", "skipped"),
    ]
    assert Comment.objects.get(document=d).text == "Bổ sung số liệu biên chế"
    with pytest.raises(DocumentConflict):
        services.outgoing_approve(actor=eoffice.director, document_id=d.pk)
    # the drafter adds a version and submits again: round 2, all steps anew
    services.outgoing_add_version(
        actor=eoffice.specialist,
        document_id=d.pk,
        file_id=upload(eoffice.specialist, "du-thao-v2.pdf"),
        note="Đã bổ sung",
    )
    services.outgoing_submit(actor=eoffice.specialist, document_id=d.pk)
    d.refresh_from_db()
    assert d.status == DocumentStatus.IN_REVIEW
    assert steps_of(d, 2) == [
        ("department_head", "lanhdao", "waiting"),
        ("agency_leader", None, "waiting"),
        ("signer", "giamdoc.snv", "waiting"),
    ]
    assert steps_of(d, 1)[1] == ("agency_leader", None, "returned")
    # the head must approve again in round 2
    with pytest.raises(PermissionDenied):
        services.outgoing_approve(actor=eoffice.deputy, document_id=d.pk)
    step = waiting_step(d)
    assert step is not None and (step.round, step.order) == (2, 1)
    assert list(d.versions.values_list("number", flat=True)) == [1, 2]


def test_versions_while_in_review_only_from_the_reviewer_whose_turn_it_is(
    eoffice: EofficeWorld,
) -> None:
    d = eoffice.submitted(signer=eoffice.director.pk)
    # the drafter and a reviewer whose turn it is not may not (403), though the draft may change
    for who in (eoffice.specialist, eoffice.director):
        with pytest.raises(PermissionDenied, match="đến lượt duyệt"):
            services.outgoing_add_version(
                actor=who, document_id=d.pk, file_id=upload(who, "sua.pdf")
            )
    v = services.outgoing_add_version(
        actor=eoffice.head, document_id=d.pk, file_id=upload(eoffice.head, "sua.pdf")
    )
    assert v.number == 2
    with pytest.raises(DocumentConflict, match="Không tìm thấy"):
        services.outgoing_add_version(
            actor=eoffice.other_specialist,
            document_id=d.pk,
            file_id=upload(eoffice.other_specialist, "x.pdf"),
        )


# --- Issuing ----------------------------------------------------------------------------------


def test_issue_only_approved_and_only_by_the_clerk(eoffice: EofficeWorld) -> None:
    in_review = eoffice.submitted(signer=eoffice.director.pk)
    approved = eoffice.approved()
    before = row_counts()
    with pytest.raises(DocumentConflict, match="đã được duyệt"):
        services.outgoing_issue(actor=eoffice.clerk, document_id=in_review.pk)
    for who in (eoffice.director, eoffice.specialist, eoffice.head, eoffice.commune_clerk):
        with pytest.raises(PermissionDenied, match="Chỉ văn thư"):
            services.outgoing_issue(actor=who, document_id=approved.pk)
    assert row_counts() == before
    issued = services.outgoing_issue(actor=eoffice.clerk, document_id=approved.pk)
    with pytest.raises(DocumentConflict):
        services.outgoing_issue(actor=eoffice.clerk, document_id=issued.pk)


def test_number_and_notation_per_type_and_unit(eoffice: EofficeWorld) -> None:
    # given the agency's one outgoing register, documents issued in turn
    letter = eoffice.issued()
    letter_with_unit = eoffice.issued(unit="VX")
    decision = eoffice.issued(doc_type="QĐ", unit="VX")
    report = eoffice.issued(doc_type="TTr")
    # then the numbers run on, the notations follow Phụ lục I
    assert [(d.number, d.notation) for d in (letter, letter_with_unit, decision, report)] == [
        ("01", "SNV-TCBC"),
        ("02", "SNV-VX"),
        ("03", "QĐ-SNV"),
        ("04", "TTr-SNV"),
    ]
    assert decision.reference == "03/QĐ-SNV"
    assert {d.register_id for d in (letter, decision)} == {letter.register_id}
    assert letter.register is not None and letter.register.direction == Direction.OUTGOING
    event = AuditEvent.objects.get(action="documents.outgoing.issue", object_id=str(decision.pk))
    assert event.changes["number"] == [None, "03"] and event.changes["notation"] == [None, "QĐ-SNV"]


def test_issue_dates_and_numbers_are_vietnamese(eoffice: EofficeWorld) -> None:
    late = eoffice.issued(now=vietnam_time(2026, 12, 31, 23, 59, 59))
    first = eoffice.issued(now=vietnam_time(2027, 1, 1, 0, 0))
    assert (late.year, late.number, late.issued_on) == (2026, "01", dt.date(2026, 12, 31))
    assert (first.year, first.number, first.issued_on) == (2027, "01", dt.date(2027, 1, 1))
    # the same number and notation in two years is allowed (unique per year)
    assert (late.notation, first.notation) == ("SNV-TCBC", "SNV-TCBC")


def test_issue_needs_a_pdf_and_a_refusal_takes_no_number(eoffice: EofficeWorld) -> None:
    # given an approved draft whose only version is a DOCX
    d = eoffice.approved(files=(upload(eoffice.specialist, "du-thao.docx", docx_bytes()),))
    before = row_counts()
    # when the clerk issues without a PDF
    with pytest.raises(ValidationError) as caught:
        services.outgoing_issue(actor=eoffice.clerk, document_id=d.pk)
    assert "chưa có PDF" in caught.value.message_dict["file"][0]
    # or with the DOCX as the issued file
    docx_id = d.versions.get().file_id
    with pytest.raises(ValidationError) as caught:
        services.outgoing_issue(actor=eoffice.clerk, document_id=d.pk, file_id=docx_id)
    assert "phải là tệp PDF" in caught.value.message_dict["file"][0]
    # then nothing was written, and no number was spent
    assert row_counts() == before
    # with the signed PDF it is issued as number 01
    issued = services.outgoing_issue(
        actor=eoffice.clerk, document_id=d.pk, file_id=upload(eoffice.clerk, "ban-ky.pdf")
    )
    assert issued.number == "01"
    assert issued.files.filter(role=FileRole.ISSUED).get().file.name == "ban-ky.pdf"


# --- Dispatch ---------------------------------------------------------------------------------


def test_issue_delivers_inside_and_queues_outside(eoffice: EofficeWorld) -> None:
    attachment = upload(eoffice.specialist, "phu-luc.pdf")
    d = eoffice.issued(
        recipients=(eoffice.phu_xuan.pk, eoffice.demo.ubnd.pk),
        external_recipients=(
            services.ExternalRecipient("Sở Nội vụ tỉnh Quảng Trị", "H48.02"),
            services.ExternalRecipient("Bộ Nội vụ", "000.00.00.G12"),
        ),
        attachments=(attachment,),
        page_count=3,
    )
    issued_pdf = d.files.get(role=FileRole.ISSUED).file_id
    # inside: each agency gets its incoming copy in the clerk's queue, with the files
    copies = {c.agency_id: c for c in Document.objects.filter(origin=d)}
    assert set(copies) == {eoffice.phu_xuan.pk, eoffice.demo.ubnd.pk}
    copy = copies[eoffice.phu_xuan.pk]
    assert (copy.direction, copy.status, copy.source) == (
        Direction.INCOMING,
        DocumentStatus.RECEIVED,
        Source.INTERNAL,
    )
    assert (copy.number, copy.notation, copy.issued_on, copy.subject) == (
        d.number,
        d.notation,
        d.issued_on,
        d.subject,
    )
    assert (copy.issuer_agency_id, copy.issuer_code, copy.page_count) == (
        eoffice.snv.pk,
        "H57.02",
        3,
    )
    assert copy.register_id is None and copy.register_number is None
    assert sorted(copy.files.values_list("file_id", "role")) == sorted(
        [(issued_pdf, FileRole.MAIN), (attachment, FileRole.ATTACHMENT)]
    )
    assert Activity.objects.get(document=copy).edxml_status == "01"
    internal = Recipient.objects.filter(document=d, is_internal=True)
    assert {(r.state, r.delivered_id) for r in internal} == {("01", c.pk) for c in copies.values()}
    # outside: one outbox row per recipient, new document (business type 0)
    outbox = sorted(
        ExchangeOutbox.objects.filter(document=d).values_list("to_code", "business_type", "state")
    )
    assert outbox == [("000.00.00.G12", 0, "pending"), ("H48.02", 0, "pending")]
    assert set(
        Recipient.objects.filter(document=d, is_internal=False).values_list("state", flat=True)
    ) == {RecipientState.PENDING}
    event = AuditEvent.objects.get(action="documents.outgoing.issue", object_id=str(d.pk))
    assert event.changes["delivered"] == [None, 4]


def test_the_recipients_clerk_registers_the_copy(eoffice: EofficeWorld) -> None:
    d = eoffice.issued(recipients=(eoffice.phu_xuan.pk,))
    copy = Document.objects.get(origin=d)
    services.incoming_accept(actor=eoffice.commune_clerk, document_id=copy.pk)
    copy.refresh_from_db()
    assert (copy.status, copy.register_number) == (DocumentStatus.REGISTERED, 1)
    assert Recipient.objects.get(document=d).state == "03"


# --- Recall and replacement ------------------------------------------------------------------


def test_recall_cancels_the_copies_and_revokes_outside(eoffice: EofficeWorld) -> None:
    d = eoffice.issued(
        recipients=(eoffice.phu_xuan.pk,),
        external_recipients=(services.ExternalRecipient("Sở Nội vụ tỉnh Quảng Trị", "H48.02"),),
    )
    copy = Document.objects.get(origin=d)
    services.incoming_accept(actor=eoffice.commune_clerk, document_id=copy.pk)
    before = row_counts()
    # a reason is required; only the clerk or a leader of the agency recalls
    with pytest.raises(ValidationError) as caught:
        services.outgoing_recall(actor=eoffice.clerk, document_id=d.pk, reason=" ")
    assert "lý do thu hồi" in caught.value.message_dict["reason"][0]
    for who in (eoffice.specialist, eoffice.head, eoffice.commune_clerk):
        with pytest.raises(PermissionDenied):
            services.outgoing_recall(actor=who, document_id=d.pk, reason="Sai nội dung")
    assert row_counts() == before
    # when the director recalls it
    services.outgoing_recall(
        actor=eoffice.director, document_id=d.pk, reason="Sai số liệu biên chế"
    )
    # then it and its copy are recalled, and the outside recipient gets a revoke package
    d.refresh_from_db()
    copy.refresh_from_db()
    assert (d.status, d.recall_reason) == (DocumentStatus.RECALLED, "Sai số liệu biên chế")
    assert (copy.status, copy.recall_reason) == (DocumentStatus.RECALLED, "Sai số liệu biên chế")
    assert d.recalled_at is not None and copy.recalled_at == d.recalled_at
    assert Activity.objects.get(document=d, action="recall").edxml_status == "13"
    assert Activity.objects.get(document=copy, action="recalled").edxml_status == "15"
    revoke = ExchangeOutbox.objects.get(document=d, business_type=1)
    assert (revoke.to_code, revoke.status_code, revoke.state) == ("H48.02", "13", "pending")
    assert set(Recipient.objects.filter(document=d).values_list("state", flat=True)) == {
        RecipientState.RECALLED
    }
    with pytest.raises(DocumentConflict, match="đã phát hành"):
        services.outgoing_recall(actor=eoffice.clerk, document_id=d.pk, reason="Lần nữa")


def test_only_an_issued_document_is_recalled(eoffice: EofficeWorld) -> None:
    d = eoffice.approved()
    with pytest.raises(DocumentConflict):
        services.outgoing_recall(actor=eoffice.clerk, document_id=d.pk, reason="Nhầm")


def test_a_replacement_records_history_on_the_old_document_and_its_copies(
    eoffice: EofficeWorld,
) -> None:
    # given an issued document delivered to Phú Xuân and sent to two outside agencies
    quang_tri = services.ExternalRecipient("Sở Nội vụ tỉnh Quảng Trị", "H48.02")
    ministry = services.ExternalRecipient("Bộ Nội vụ", "000.00.00.G12")
    old = eoffice.issued(
        recipients=(eoffice.phu_xuan.pk,), external_recipients=(quang_tri, ministry)
    )
    old_copy = Document.objects.get(origin=old)
    # when a replacement, sent to Phú Xuân and the ministry only, is drafted, approved, issued
    new = eoffice.issued(
        recipients=(eoffice.phu_xuan.pk,),
        external_recipients=(ministry,),
        replaces=old.pk,
        subject="Thay thế công văn số 01/SNV-TCBC",
    )
    # then the old document and its copy say by what
    assert (new.replaces_id, new.amendment, new.number) == (old.pk, "replace", "02")
    expected = {"by": new.pk, "reference": "02/SNV-TCBC"}
    assert Activity.objects.get(document=old, action="replaced").data == expected
    assert Activity.objects.get(document=old_copy, action="replaced").data == expected
    # the new copy points to the copy it replaces
    assert Document.objects.get(origin=new).replaces_id == old_copy.pk
    # and every outside recipient of either gets a replace package (Bussiness 3), once
    outbox = sorted(
        ExchangeOutbox.objects.filter(document=new).values_list("to_code", "business_type")
    )
    assert outbox == [("000.00.00.G12", 3), ("H48.02", 3)]


def test_a_correction_is_recorded_as_such(eoffice: EofficeWorld) -> None:
    quang_tri = services.ExternalRecipient("Sở Nội vụ tỉnh Quảng Trị", "H48.02")
    old = eoffice.issued(external_recipients=(quang_tri,))
    new = eoffice.issued(external_recipients=(quang_tri,), replaces=old.pk, amendment="correct")
    assert Activity.objects.get(document=old, action="corrected").data["by"] == new.pk
    assert list(
        ExchangeOutbox.objects.filter(document=new).values_list("to_code", "business_type")
    ) == [("H48.02", 2)]


def test_an_amendment_is_a_replacement_or_a_correction(eoffice: EofficeWorld) -> None:
    old = eoffice.issued()
    data = eoffice.draft_input(replaces=old.pk, amendment="sua")
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        services.outgoing_draft(actor=eoffice.specialist, data=data)
    assert "thay thế hoặc đính chính" in caught.value.message_dict["amendment"][0]
    assert row_counts() == before


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda w: w.draft(), id="a draft"),
        pytest.param(lambda w: w.approved(), id="not yet issued"),
        pytest.param(lambda w: w.recalled(), id="recalled"),
        pytest.param(
            lambda w: w.commune_issued(recipients=(w.demo.ubnd.pk,)), id="another agency's"
        ),
        pytest.param(lambda w: w.register(), id="an incoming document"),
    ],
)
def test_only_an_issued_document_of_the_agency_is_replaced(
    eoffice: EofficeWorld, make: Any
) -> None:
    target = make(eoffice)
    data = eoffice.draft_input(replaces=target.pk)
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        services.outgoing_draft(actor=eoffice.specialist, data=data)
    assert "Chỉ thay thế được văn bản đã phát hành" in caught.value.message_dict["replaces"][0]
    assert row_counts() == before


def test_number_counters_are_per_register_and_year(eoffice: EofficeWorld) -> None:
    eoffice.issued()
    eoffice.issued()
    incoming = eoffice.register()
    counters = sorted(NumberCounter.objects.values_list("register__direction", "last"))
    assert counters == [("incoming", 1), ("outgoing", 2)]
    assert incoming.register_number == 1
    # (every issued file is also a DocumentFile of the issued role)
    assert DocumentFile.objects.filter(role=FileRole.ISSUED).count() == 2
