"""procedure_version_create / procedure_version_update: drafts, validated as a whole."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.procedures.models import (
    Component,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    StepAgency,
    VersionStatus,
)
from tinhso.procedures.services import (
    ComponentInput,
    StepInput,
    procedure_version_create,
    procedure_version_update,
)
from tinhso.procedures.tests.factories import (
    Province,
    create_draft,
    create_published,
    province_input,
)


def _nothing_saved() -> None:
    assert not Procedure.objects.exists()
    assert not ProcedureVersion.objects.exists()
    assert not Component.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="procedures.").exists()


def test_create_makes_the_procedure_and_a_draft_with_its_rows_and_an_audit_row(
    province: Province, admin: User
) -> None:
    # when the provincial administrator adds a procedure
    version = procedure_version_create(
        actor=admin, code=" 1.012753.h19 ", data=province_input(province)
    )

    # then the procedure and its first draft exist, with components, fees and steps in order
    assert version.procedure.code == "1.012753.H19"
    assert (
        version.procedure.search_text == "1.012753.h19 thu tuc thanh lap hoi to chuc phi chinh phu"
    )
    assert (version.number, version.status) == (1, VersionStatus.DRAFT)
    assert [c.name for c in version.components.all()] == [
        "Đơn đề nghị thành lập hội",
        "Dự thảo điều lệ hội",
    ]
    assert [(s.order, s.kind) for s in version.steps.all()] == [
        (1, "receive"),
        (2, "process"),
        (3, "approve"),
        (4, "return"),
    ]
    # the competent steps' department is found by its short name in the competent agency
    process = version.steps.get(order=2)
    assert process.department == province.so_department
    assert process.department_short_name == "TCBC"
    # and the write is audited with who did it
    event = AuditEvent.objects.get(action="procedures.version.create")
    assert event.actor_id == admin.pk
    assert event.object_id == str(version.pk)
    assert event.changes["code"] == [None, "1.012753.H19"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("BTP-HCM-277133", "mã thủ tục kiểu cũ"),
        ("4.000001", "không đúng định dạng"),
        ("1.00119", "không đúng định dạng"),
        ("", "không được để trống"),
    ],
)
def test_create_refuses_a_bad_code_and_saves_nothing(
    province: Province, admin: User, code: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        procedure_version_create(actor=admin, code=code, data=province_input(province))
    assert message in " ".join(caught.value.message_dict["code"])
    _nothing_saved()


def test_create_refuses_a_code_already_in_the_catalogue(province: Province, admin: User) -> None:
    create_draft(province, "1.000001")
    with pytest.raises(ValidationError) as caught:
        procedure_version_create(actor=admin, code="1.000001", data=province_input(province))
    assert "đã có trong danh mục" in caught.value.message_dict["code"][0]
    assert ProcedureVersion.objects.count() == 1


def test_create_names_every_bad_field_in_vietnamese_and_saves_nothing(
    province: Province, admin: User
) -> None:
    # given an input with a blank name, a zero time, no level and bad rows
    data = province_input(
        province,
        name="  ",
        processing_time=Decimal(0),
        levels=(),
        components=(ComponentInput("", 1, 0),),
        steps=(StepInput("Bước", "receive", "quan_tri_tinh", Decimal(-1)),),
    )

    # when it is submitted
    with pytest.raises(ValidationError) as caught:
        procedure_version_create(actor=admin, code="1.000001", data=data)

    # then each field is named, and nothing was written
    errors = caught.value.message_dict
    assert errors["name"] == ["Tên thủ tục không được để trống."]
    assert errors["processing_time"] == ["Thời hạn giải quyết phải là số lớn hơn 0."]
    assert errors["levels"] == ["Chọn ít nhất một cấp thực hiện."]
    assert errors["components.0.name"] == ["Tên giấy tờ không được để trống."]
    assert errors["steps.0.role"] == ["Vai trò thực hiện bước không hợp lệ."]
    assert errors["steps.0.duration_hours"] == ["Thời gian của bước phải là số giờ lớn hơn 0."]
    _nothing_saved()


def test_only_the_provincial_administrator_manages_the_catalogue(
    province: Province, specialist: User
) -> None:
    with pytest.raises(PermissionDenied):
        procedure_version_create(actor=specialist, code="1.000001", data=province_input(province))
    _nothing_saved()


def test_update_replaces_fields_and_rows_as_a_whole(province: Province, admin: User) -> None:
    # given a draft
    version = create_draft(province)
    old_steps = set(ProcessStep.objects.values_list("pk", flat=True))

    # when the administrator saves it with one component and a renamed procedure
    data = province_input(
        province,
        name="Thủ tục thành lập hội (sửa đổi)",
        components=(ComponentInput("Đơn đề nghị", 1, 1),),
    )
    procedure_version_update(actor=admin, version=version, data=data)

    # then the version holds exactly the new content, and the procedure follows its name
    version.refresh_from_db()
    assert version.name == "Thủ tục thành lập hội (sửa đổi)"
    assert [(c.name, c.copies) for c in version.components.all()] == [("Đơn đề nghị", 1)]
    assert not old_steps & set(version.steps.values_list("pk", flat=True))
    assert version.steps.count() == 4
    assert version.procedure.name == "Thủ tục thành lập hội (sửa đổi)"
    event = AuditEvent.objects.get(action="procedures.version.update")
    assert set(event.changes) == {"components", "name"}


def test_update_without_a_change_writes_nothing(province: Province, admin: User) -> None:
    version = create_draft(province)
    before = AuditEvent.objects.count()
    procedure_version_update(actor=admin, version=version, data=province_input(province))
    assert AuditEvent.objects.count() == before


def test_update_refuses_a_published_version(province: Province, admin: User) -> None:
    version = create_published(province)
    with pytest.raises(ValidationError) as caught:
        procedure_version_update(
            actor=admin, version=version, data=province_input(province, name="Khác")
        )
    assert "chỉ phiên bản dự thảo" in caught.value.messages[0]
    version.refresh_from_db()
    assert version.name == "Thủ tục thành lập hội"


def test_update_refuses_bad_rows_and_keeps_the_draft_as_it_was(
    province: Province, admin: User
) -> None:
    version = create_draft(province)
    bad = province_input(province, steps=(replace(province_input(province).steps[0], kind="x"),))
    with pytest.raises(ValidationError) as caught:
        procedure_version_update(actor=admin, version=version, data=bad)
    assert caught.value.message_dict == {"steps.0.kind": ["Loại bước không hợp lệ."]}
    assert version.steps.count() == 4


def test_a_receiving_step_keeps_its_department_by_short_name(
    province: Province, admin: User
) -> None:
    # given a step of the receiving agency named with a department row
    step = StepInput(
        "Tiếp nhận",
        "receive",
        "mot_cua",
        Decimal(4),
        StepAgency.RECEIVING,
        department=province.desk,
    )
    version = create_draft(province, steps=(step,))

    # then the row is dropped for its short name: each receiving agency has its own
    saved = version.steps.get()
    assert saved.department is None
    assert saved.department_short_name == "TNTKQ"
