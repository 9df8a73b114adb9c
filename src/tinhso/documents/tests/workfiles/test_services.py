"""The work-file services: planning, opening, filing, closing and submitting; every bad input
with its Vietnamese message and nothing half-saved; who may do what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.documents.errors import DocumentConflict
from tinhso.documents.models import DocumentStatus, WorkFile, WorkFileItem, WorkFileStatus
from tinhso.documents.selectors_workfiles import overdue_work_files
from tinhso.documents.services.workfiles import (
    add_years,
    archive_due,
    goes_to_archive,
    workfile_add_document,
    workfile_close,
    workfile_mark_submitted,
    workfile_open,
    workfile_plan,
    workfile_remove_document,
)
from tinhso.documents.tests.registers.world import World, local

pytestmark = pytest.mark.django_db

NOW = local(2026, 5, 15, 10)


def plan(w: World, actor: User | None = None, **fields: Any) -> WorkFile:
    values: dict[str, Any] = {
        "agency_id": w.agency.pk,
        "year": 2026,
        "code": "01.TCCB",
        "title": "Hồ sơ tuyển dụng công chức năm 2026",
        "retention_years": 10,
        "department_id": w.department.pk,
        "now": NOW,
    }
    values.update(fields)
    return workfile_plan(actor=actor or w.specialist, **values)


def opened(w: World, actor: User | None = None, **fields: Any) -> WorkFile:
    wf = plan(w, actor, **fields)
    return workfile_open(
        actor=actor or w.specialist, work_file=wf, opened_on=dt.date(2026, 5, 4), now=NOW
    )


def filled(w: World, actor: User | None = None, **fields: Any) -> WorkFile:
    wf = opened(w, actor, **fields)
    d = w.outgoing_doc(at=local(2026, 5, 6))
    workfile_add_document(actor=actor or w.specialist, work_file=wf, document_id=d.pk)
    return wf


class Unchanged:
    """Counts of the rows a refused call must not have written."""

    def __init__(self) -> None:
        self.counts = self.now()

    @staticmethod
    def now() -> tuple[int, int, int]:
        return WorkFile.objects.count(), WorkFileItem.objects.count(), AuditEvent.objects.count()

    def check(self) -> None:
        assert self.now() == self.counts


def refused(call: Callable[[], Any], exc_type: type[Exception] = ValidationError) -> Any:
    unchanged = Unchanged()
    with pytest.raises(exc_type) as exc:
        call()
    unchanged.check()
    return exc.value


# --- Pure rules ---------------------------------------------------------------------------


def test_archive_due_is_one_year_after_closing_for_files_kept_five_years_or_more() -> None:
    assert archive_due(dt.date(2026, 5, 20), 10) == dt.date(2027, 5, 20)
    assert archive_due(dt.date(2026, 5, 20), 5) == dt.date(2027, 5, 20)
    assert archive_due(dt.date(2026, 5, 20), None) == dt.date(2027, 5, 20)  # vĩnh viễn
    assert archive_due(dt.date(2026, 5, 20), 4) is None
    assert add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert goes_to_archive(None) and goes_to_archive(70) and not goes_to_archive(1)


# --- Plan ---------------------------------------------------------------------------------


def test_plan_puts_a_file_in_the_yearly_list(w: World) -> None:
    wf = plan(w, retention_years=None, note="Theo kế hoạch 12/KH-SNV")
    assert wf.status == WorkFileStatus.PLANNED
    assert (wf.agency_id, wf.year, wf.code, wf.retention_years) == (
        w.agency.pk,
        2026,
        "01.TCCB",
        None,
    )
    assert wf.department_id == w.department.pk and wf.owner_id is None
    assert wf.created_by_id == w.specialist.pk
    event = AuditEvent.objects.get(action="documents.workfile.plan")
    assert event.object_id == str(wf.pk) and event.agency_id == w.agency.pk
    assert event.changes["code"] == "01.TCCB"


def test_same_code_in_another_year_or_agency_is_fine(w: World) -> None:
    plan(w)
    assert plan(w, year=2025).year == 2025
    assert (
        plan(w, w.clerk_b, agency_id=w.agency_b.pk, department_id=None).agency_id == w.agency_b.pk
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": "  "}, "code", "Cần nhập số và ký hiệu hồ sơ."),
        ({"code": "X" * 51}, "code", "Số và ký hiệu hồ sơ dài tối đa 50 ký tự."),
        (
            {"code": "01<script>"},
            "code",
            "Số và ký hiệu hồ sơ chỉ gồm chữ, chữ số, khoảng trắng và các dấu . - / ( ) _.",
        ),
        ({"title": ""}, "title", "Cần nhập tiêu đề hồ sơ."),
        ({"title": "T" * 501}, "title", "Tiêu đề hồ sơ dài tối đa 500 ký tự."),
        (
            {"retention_years": 0},
            "retention_years",
            "Thời hạn bảo quản từ 01 đến 70 năm, hoặc Vĩnh viễn.",
        ),
        (
            {"retention_years": 71},
            "retention_years",
            "Thời hạn bảo quản từ 01 đến 70 năm, hoặc Vĩnh viễn.",
        ),
        ({"year": 1999}, "year", "Năm của danh mục hồ sơ phải từ 2000 đến 2027."),
        ({"year": 2028}, "year", "Năm của danh mục hồ sơ phải từ 2000 đến 2027."),
        ({"note": "n" * 2001}, "note", "Ghi chú dài tối đa 2000 ký tự."),
    ],
)
def test_plan_refuses_bad_input(w: World, fields: dict[str, Any], field: str, message: str) -> None:
    error = refused(lambda: plan(w, **fields))
    assert error.message_dict == {field: [message]}


def test_plan_refuses_a_duplicate_code_whatever_the_case(w: World) -> None:
    plan(w)
    error = refused(lambda: plan(w, code="01.tccb"))
    assert error.message_dict == {
        "code": ["Số và ký hiệu hồ sơ “01.tccb” đã có trong danh mục hồ sơ năm 2026."]
    }


def test_plan_refuses_another_agencys_department_and_owner(w: World) -> None:
    other = w.clerk_b
    error = refused(
        lambda: plan(
            w, department_id=w.incoming_b.agency.departments.create(name="P").pk, owner_id=other.pk
        )
    )
    assert error.message_dict == {
        "department": ["Phòng, ban đã chọn không thuộc cơ quan hoặc đã ngừng hoạt động."],
        "owner": ["Người lập hồ sơ phải là cán bộ đang công tác tại cơ quan."],
    }
    assert plan(w, owner_id=w.clerk.pk).owner_id == w.clerk.pk


@pytest.mark.parametrize("who", ["clerk_b", "citizen"])
def test_plan_is_for_the_agencys_officials(w: World, who: str) -> None:
    refused(lambda: plan(w, getattr(w, who)), PermissionDenied)


# --- Open ---------------------------------------------------------------------------------


def test_open_sets_the_date_and_the_owner(w: World) -> None:
    wf = plan(w)
    wf = workfile_open(actor=w.other_specialist, work_file=wf, now=NOW)
    assert wf.status == WorkFileStatus.OPEN
    assert wf.opened_on == dt.date(2026, 5, 15) and wf.owner_id == w.other_specialist.pk
    event = AuditEvent.objects.get(action="documents.workfile.open")
    assert event.changes["status"] == ["planned", "open"]


def test_open_keeps_a_named_owner(w: World) -> None:
    wf = plan(w, owner_id=w.specialist.pk)
    assert workfile_open(actor=w.clerk, work_file=wf, now=NOW).owner_id == w.specialist.pk


def test_open_refusals(w: World) -> None:
    wf = plan(w)
    error = refused(
        lambda: workfile_open(
            actor=w.specialist, work_file=wf, opened_on=dt.date(2026, 5, 16), now=NOW
        )
    )
    assert error.message_dict == {"opened_on": ["Ngày mở hồ sơ không được sau hôm nay."]}
    refused(lambda: workfile_open(actor=w.clerk_b, work_file=wf, now=NOW), Http404)
    refused(lambda: workfile_open(actor=w.citizen, work_file=wf, now=NOW), PermissionDenied)
    workfile_open(actor=w.specialist, work_file=wf, now=NOW)
    conflict = refused(
        lambda: workfile_open(actor=w.specialist, work_file=wf, now=NOW), DocumentConflict
    )
    assert conflict.message == "Hồ sơ đang ở trạng thái “Đang mở”, không mở lại được."


# --- Add and remove documents -------------------------------------------------------------


def test_add_and_remove_documents(w: World) -> None:
    wf = opened(w)
    d = w.outgoing_doc(at=local(2026, 5, 6))
    item = workfile_add_document(actor=w.specialist, work_file=wf, document_id=d.pk)
    assert item.document_id == d.pk and item.added_by_id == w.specialist.pk
    assert AuditEvent.objects.get(action="documents.workfile.add_document").changes == {
        "document": d.pk,
        "reference": d.reference,
    }
    workfile_remove_document(actor=w.specialist, work_file=wf, document_id=d.pk)
    assert not WorkFileItem.objects.exists()
    assert AuditEvent.objects.filter(action="documents.workfile.remove_document").count() == 1


def test_add_refuses_what_the_actor_may_not_file(w: World) -> None:
    wf = opened(w)
    not_found = "Không tìm thấy văn bản trong số văn bản của cơ quan mà bạn được xem."
    # another agency's document, even for a reader of that agency
    theirs = w.incoming_doc(at=local(2026, 5, 6), register=w.incoming_b)
    error = refused(
        lambda: workfile_add_document(actor=w.specialist, work_file=wf, document_id=theirs.pk)
    )
    assert error.message_dict == {"document": [not_found]}
    # a document of the agency the specialist may not see (another department's)
    hidden = w.incoming_doc(at=local(2026, 5, 6), department=w.other_department)
    error = refused(
        lambda: workfile_add_document(actor=w.specialist, work_file=wf, document_id=hidden.pk)
    )
    assert error.message_dict == {"document": [not_found]}
    # a document that does not exist
    error = refused(
        lambda: workfile_add_document(actor=w.specialist, work_file=wf, document_id=999_999)
    )
    assert error.message_dict == {"document": [not_found]}
    # a draft
    draft = w.draft()
    error = refused(
        lambda: workfile_add_document(actor=w.specialist, work_file=wf, document_id=draft.pk)
    )
    assert error.message_dict["document"][0].startswith(
        "Văn bản “Dự thảo kế hoạch” đang ở trạng thái “Dự thảo”"
    )
    # twice the same
    d = w.outgoing_doc(at=local(2026, 5, 6))
    workfile_add_document(actor=w.specialist, work_file=wf, document_id=d.pk)
    error = refused(
        lambda: workfile_add_document(actor=w.specialist, work_file=wf, document_id=d.pk)
    )
    assert error.message_dict == {"document": [f"Văn bản “{d.reference}” đã có trong hồ sơ."]}


def test_add_and_remove_only_while_open(w: World) -> None:
    wf = plan(w)
    d = w.outgoing_doc(at=local(2026, 5, 6))
    conflict = refused(
        lambda: workfile_add_document(actor=w.specialist, work_file=wf, document_id=d.pk),
        DocumentConflict,
    )
    assert conflict.message == (
        "Chỉ thêm văn bản vào hồ sơ đang mở; hồ sơ này đang ở trạng thái “Trong danh mục, chưa mở”."
    )
    assert conflict.code == "workfile_not_open"
    wf = filled(w, code="02.TCCB")
    item = WorkFileItem.objects.get(work_file=wf)
    workfile_close(actor=w.specialist, work_file=wf, now=NOW)
    conflict = refused(
        lambda: workfile_remove_document(
            actor=w.specialist, work_file=wf, document_id=item.document_id
        ),
        DocumentConflict,
    )
    assert conflict.message.startswith("Chỉ bỏ văn bản khỏi hồ sơ đang mở")


def test_remove_a_document_not_in_the_file(w: World) -> None:
    wf = opened(w)
    error = refused(
        lambda: workfile_remove_document(actor=w.specialist, work_file=wf, document_id=1)
    )
    assert error.message_dict == {"document": ["Văn bản này không có trong hồ sơ."]}


def test_another_agency_cannot_touch_the_file(w: World) -> None:
    wf = opened(w)
    d = w.incoming_doc(at=local(2026, 5, 6), register=w.incoming_b)
    refused(lambda: workfile_add_document(actor=w.clerk_b, work_file=wf, document_id=d.pk), Http404)
    refused(lambda: workfile_close(actor=w.clerk_b, work_file=wf, now=NOW), Http404)


# --- Close and submit ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("retention", "due"), [(10, dt.date(2027, 5, 15)), (None, dt.date(2027, 5, 15)), (2, None)]
)
def test_close_sets_the_archive_deadline(
    w: World, retention: int | None, due: dt.date | None
) -> None:
    wf = filled(w, retention_years=retention)
    wf = workfile_close(actor=w.specialist, work_file=wf, now=NOW)
    assert wf.status == WorkFileStatus.CLOSED
    assert wf.closed_on == dt.date(2026, 5, 15) and wf.archive_due_on == due
    changes = AuditEvent.objects.get(action="documents.workfile.close").changes
    assert changes["status"] == ["open", "closed"]
    # only what changed is recorded: no deadline, no entry
    assert changes.get("archive_due_on") == ([None, due.isoformat()] if due else None)


@pytest.mark.parametrize("who", ["specialist", "clerk", "leader"])
def test_close_by_owner_clerk_or_leader(w: World, who: str) -> None:
    wf = filled(w)  # opened by the specialist: the owner
    closed = workfile_close(
        actor=getattr(w, who), work_file=wf, closed_on=dt.date(2026, 5, 10), now=NOW
    )
    assert closed.closed_on == dt.date(2026, 5, 10)


@pytest.mark.parametrize("who", ["other_specialist", "head"])
def test_close_refused_to_other_officials(w: World, who: str) -> None:
    wf = filled(w)
    error = refused(
        lambda: workfile_close(actor=getattr(w, who), work_file=wf, now=NOW), PermissionDenied
    )
    assert str(error) == "Chỉ người lập hồ sơ, văn thư hoặc lãnh đạo cơ quan được đóng hồ sơ."
    assert WorkFile.objects.get(pk=wf.pk).status == WorkFileStatus.OPEN


def test_close_refusals(w: World) -> None:
    empty = opened(w)
    conflict = refused(
        lambda: workfile_close(actor=w.specialist, work_file=empty, now=NOW), DocumentConflict
    )
    assert conflict.code == "workfile_empty"
    assert conflict.message.startswith("Hồ sơ chưa có văn bản nào nên không đóng được.")
    wf = filled(w, code="02")
    error = refused(
        lambda: workfile_close(
            actor=w.specialist, work_file=wf, closed_on=dt.date(2026, 5, 3), now=NOW
        )
    )
    assert error.message_dict == {
        "closed_on": ["Ngày đóng hồ sơ không được trước ngày mở hồ sơ (04/05/2026)."]
    }
    error = refused(
        lambda: workfile_close(
            actor=w.specialist, work_file=wf, closed_on=dt.date(2026, 5, 16), now=NOW
        )
    )
    assert error.message_dict == {"closed_on": ["Ngày đóng hồ sơ không được sau hôm nay."]}
    planned = plan(w, code="03")
    conflict = refused(
        lambda: workfile_close(actor=w.clerk, work_file=planned, now=NOW), DocumentConflict
    )
    assert conflict.message.startswith("Chỉ đóng được hồ sơ đang mở")


def test_submit_to_the_archive(w: World) -> None:
    wf = filled(w)
    conflict = refused(
        lambda: workfile_mark_submitted(actor=w.clerk, work_file=wf, now=NOW), DocumentConflict
    )
    assert conflict.code == "workfile_not_closed"
    workfile_close(actor=w.specialist, work_file=wf, now=NOW)
    # the owner closes, but the registry records the hand-over to the archive
    refused(
        lambda: workfile_mark_submitted(actor=w.specialist, work_file=wf, now=NOW), PermissionDenied
    )
    done = workfile_mark_submitted(actor=w.clerk, work_file=wf, now=NOW)
    assert done.status == WorkFileStatus.SUBMITTED and done.submitted_at == NOW
    assert AuditEvent.objects.filter(action="documents.workfile.submit").count() == 1


def test_short_retention_files_stay_with_the_unit(w: World) -> None:
    wf = filled(w, retention_years=3)
    workfile_close(actor=w.specialist, work_file=wf, now=NOW)
    conflict = refused(
        lambda: workfile_mark_submitted(actor=w.leader, work_file=wf, now=NOW), DocumentConflict
    )
    assert conflict.message == (
        "Hồ sơ có thời hạn bảo quản 03 năm (dưới 05 năm) được giữ tại đơn vị, không nộp vào lưu "
        "trữ cơ quan."
    )


def test_overdue_for_archive(w: World) -> None:
    late = filled(w, code="01")
    workfile_close(actor=w.specialist, work_file=late, closed_on=dt.date(2026, 5, 5), now=NOW)
    on_time = filled(w, code="02")
    workfile_close(actor=w.specialist, work_file=on_time, closed_on=dt.date(2026, 5, 15), now=NOW)
    submitted = filled(w, code="03")
    workfile_close(actor=w.specialist, work_file=submitted, closed_on=dt.date(2026, 5, 5), now=NOW)
    workfile_mark_submitted(actor=w.clerk, work_file=submitted, now=NOW)
    short = filled(w, code="04", retention_years=2)
    workfile_close(actor=w.specialist, work_file=short, closed_on=dt.date(2026, 5, 5), now=NOW)

    today = dt.date(2027, 5, 10)
    assert [wf.code for wf in overdue_work_files(actor_for(w.clerk), today)] == ["01"]
    assert list(overdue_work_files(actor_for(w.clerk_b), today)) == []
    assert [wf.code for wf in overdue_work_files(actor_for(w.clerk), dt.date(2027, 5, 16))] == [
        "01",
        "02",
    ]


def test_drafts_and_unregistered_documents_are_not_filed(w: World) -> None:
    wf = opened(w)
    received = w.incoming_doc(at=local(2026, 5, 6), status=DocumentStatus.RECEIVED)
    error = refused(
        lambda: workfile_add_document(actor=w.clerk, work_file=wf, document_id=received.pk)
    )
    assert "không đưa dự thảo" in error.message_dict["document"][0]
