"""procedure_version_publish: refusals, the retirement of the version in force, the audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.procedures.models import ProcedureVersion, StepAgency, TimeUnit, VersionStatus
from tinhso.procedures.services import (
    StepInput,
    procedure_version_new,
    procedure_version_publish,
    procedure_version_update,
    publish_problems,
    version_input_of,
)
from tinhso.procedures.tests.factories import (
    Province,
    create_draft,
    create_published,
    province_steps,
)


def _refusal(version: ProcedureVersion, actor: User) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        procedure_version_publish(actor=actor, version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    assert not AuditEvent.objects.filter(
        action="procedures.version.publish", object_id=str(version.pk)
    ).exists()
    return caught.value.messages


def test_publishing_a_complete_draft(province: Province, admin: User) -> None:
    # given a complete draft
    draft = create_draft(province)
    assert publish_problems(draft) == []

    # when the provincial administrator publishes it
    published = procedure_version_publish(actor=admin, version=draft)

    # then it is in force, with who and when, and audited
    assert published.status == VersionStatus.PUBLISHED
    assert published.published_by == admin
    assert published.published_at is not None
    event = AuditEvent.objects.get(action="procedures.version.publish")
    assert event.actor_id == admin.pk
    assert event.changes == {"status": ["draft", "published"], "retired_version": [None, None]}


def test_publishing_retires_the_version_in_force_the_day_before(
    province: Province, admin: User
) -> None:
    # given version 1 in force from 1 July 2025 and a draft 2 applying from 15 March 2026
    first = create_published(province, valid_from=dt.date(2025, 7, 1))
    draft = procedure_version_new(actor=admin, procedure=first.procedure)
    procedure_version_update(
        actor=admin,
        version=draft,
        data=replace(version_input_of(draft), valid_from=dt.date(2026, 3, 15), name="Tên mới"),
    )

    # when draft 2 is published
    procedure_version_publish(actor=admin, version=draft)

    # then version 1 is retired up to 14 March 2026, and both steps are audited
    first.refresh_from_db()
    assert first.status == VersionStatus.RETIRED
    assert first.valid_to == dt.date(2026, 3, 14)
    assert ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).get().number == 2
    first.procedure.refresh_from_db()
    assert first.procedure.name == "Tên mới"
    retire = AuditEvent.objects.get(action="procedures.version.retire")
    assert retire.object_id == str(first.pk)
    assert retire.changes == {
        "status": ["published", "retired"],
        "valid_to": [None, "2026-03-14"],
    }
    publish = AuditEvent.objects.get(action="procedures.version.publish", object_id=str(draft.pk))
    assert publish.changes["retired_version"] == [None, 1]
    assert retire.seq < publish.seq


def test_a_version_without_date_retires_the_previous_without_an_end_date(
    province: Province, admin: User
) -> None:
    first = create_published(province)
    draft = procedure_version_new(actor=admin, procedure=first.procedure)
    procedure_version_publish(actor=admin, version=draft)
    first.refresh_from_db()
    assert (first.status, first.valid_to) == (VersionStatus.RETIRED, None)


def test_the_new_version_may_not_start_before_the_one_in_force(
    province: Province, admin: User
) -> None:
    first = create_published(province, valid_from=dt.date(2026, 1, 1))
    draft = procedure_version_new(actor=admin, procedure=first.procedure)
    procedure_version_update(
        actor=admin,
        version=draft,
        data=replace(version_input_of(draft), valid_from=dt.date(2026, 1, 1)),
    )
    messages = _refusal(draft, admin)
    assert messages == [
        "Ngày áp dụng của phiên bản mới (01/01/2026) phải sau ngày áp dụng của phiên bản "
        "đang áp dụng (01/01/2026)."
    ]
    first.refresh_from_db()
    assert (first.status, first.valid_to) == (VersionStatus.PUBLISHED, None)


def test_refused_without_steps(province: Province, admin: User) -> None:
    draft = create_draft(province, steps=())
    assert _refusal(draft, admin) == ["Phiên bản chưa có bước nào trong quy trình nội bộ."]


def test_refused_without_components(province: Province, admin: User) -> None:
    draft = create_draft(province, components=())
    assert _refusal(draft, admin) == ["Phiên bản chưa có thành phần hồ sơ nào."]


def test_refused_when_the_steps_take_longer_than_the_legal_time(
    province: Province, admin: User
) -> None:
    # 5 working days are 40 working hours; the steps take 40.5
    draft = create_draft(province, steps=province_steps(province, process="28.5"))
    assert _refusal(draft, admin) == [
        "Tổng thời gian các bước (40,5 giờ làm việc) vượt thời hạn giải quyết 5 ngày làm việc "
        "(tối đa 40 giờ làm việc)."
    ]


@pytest.mark.parametrize(
    ("amount", "unit", "fits"),
    [
        ("40", TimeUnit.WORKING_HOURS, True),
        ("39", TimeUnit.WORKING_HOURS, False),
        ("5", TimeUnit.CALENDAR_DAYS, True),  # upper bound: 5 days hold at most 5 working days
        ("4", TimeUnit.CALENDAR_DAYS, False),
        ("0.25", TimeUnit.MONTHS, True),  # 0.25 × 22 × 8 = 44 hours
        ("0.2", TimeUnit.MONTHS, False),  # 35.2 hours
    ],
)
def test_the_legal_time_in_each_unit_bounds_the_process(
    province: Province, admin: User, amount: str, unit: str, fits: bool
) -> None:
    draft = create_draft(province, processing_time=Decimal(amount), time_unit=unit)
    assert (publish_problems(draft) == []) is fits


def test_refused_when_the_process_does_not_start_by_receiving_nor_end_by_returning(
    province: Province, admin: User
) -> None:
    steps = province_steps(province)
    draft = create_draft(province, steps=(steps[1], steps[0], steps[3], steps[2]))
    assert _refusal(draft, admin) == [
        "Bước đầu tiên phải là bước tiếp nhận hồ sơ (đang là “Thẩm định, xử lý”).",
        "Bước cuối cùng phải là bước trả kết quả (đang là “Phê duyệt”).",
    ]


def test_refused_when_a_fixed_step_names_no_agency(province: Province, admin: User) -> None:
    steps = list(province_steps(province))
    steps[1] = replace(steps[1], agency_mode=StepAgency.FIXED, agency=None)
    draft = create_draft(province, steps=tuple(steps))
    assert _refusal(draft, admin) == [
        "Bước 2 “Thẩm định hồ sơ” do cơ quan được chỉ định thực hiện nhưng chưa chọn cơ quan."
    ]


def test_refused_when_a_department_is_not_of_the_steps_agency(
    province: Province, admin: User
) -> None:
    # given a fixed step at Sở Nội vụ naming a department of Sở Tư pháp
    steps = list(province_steps(province))
    steps[1] = StepInput(
        "Thẩm định hồ sơ",
        "process",
        "chuyen_vien",
        Decimal(28),
        StepAgency.FIXED,
        province.so,
        department=province.other_department,
    )
    draft = create_draft(province, steps=tuple(steps))
    assert _refusal(draft, admin) == [
        "Phòng ban “Phòng Hành chính tư pháp” của bước 2 “Thẩm định hồ sơ” không thuộc Sở Nội vụ."
    ]


def test_refused_when_the_competent_agency_has_no_department_of_that_short_name(
    province: Province, admin: User
) -> None:
    # given competent steps in department TCBC, and Sở Tư pháp as the competent agency
    draft = create_draft(province, competent_agency=province.other)
    problems = _refusal(draft, admin)
    assert problems == [
        "Bước 2 “Thẩm định hồ sơ”: Sở Tư pháp không có phòng ban viết tắt “TCBC”.",
        "Bước 3 “Phê duyệt”: Sở Tư pháp không có phòng ban viết tắt “TCBC”.",
    ]


def test_a_published_version_is_not_published_again(province: Province, admin: User) -> None:
    version = create_published(province)
    with pytest.raises(ValidationError) as caught:
        procedure_version_publish(actor=admin, version=version)
    assert "chỉ phiên bản dự thảo" in caught.value.messages[0]


def test_only_the_provincial_administrator_publishes(province: Province, specialist: User) -> None:
    draft = create_draft(province)
    with pytest.raises(PermissionDenied):
        procedure_version_publish(actor=specialist, version=draft)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
