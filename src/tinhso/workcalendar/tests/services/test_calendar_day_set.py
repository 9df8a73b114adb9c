from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.workcalendar.models import CalendarDay, CalendarState, DayKind, DaySource
from tinhso.workcalendar.services import calendar_day_set

pytestmark = pytest.mark.usefixtures("seeded")


def test_adds_a_closure_with_its_audit_row_and_a_new_version(province_admin: User) -> None:
    # given
    before = CalendarState.objects.get()

    # when
    day = calendar_day_set(
        actor=province_admin,
        date=dt.date(2025, 3, 12),
        kind=DayKind.CLOSURE,
        name="  Nghỉ   do bão số 3 ",
        legal_reference="Quyết định 123/QĐ-UBND ngày 10/3/2025",
    )

    # then
    day.refresh_from_db()
    assert (day.kind, day.name, day.source, day.updated_by) == (
        DayKind.CLOSURE,
        "Nghỉ do bão số 3",
        DaySource.ADMIN,
        province_admin,
    )
    after = CalendarState.objects.get()
    assert after.version == before.version + 1
    assert after.revision != before.revision
    event = AuditEvent.objects.get(action="workcalendar.day.set")
    assert event.actor == province_admin
    assert event.object_id == str(day.pk)
    assert event.changes["kind"] == [None, "closure"]


def test_editing_a_seeded_day_makes_it_the_administrators(province_admin: User) -> None:
    # given the seeded swap day of 2024
    seeded = CalendarDay.objects.get(date=dt.date(2024, 4, 29))
    assert seeded.source == DaySource.SEED

    # when
    calendar_day_set(
        actor=province_admin,
        date=seeded.date,
        kind=DayKind.SWAP_OFF,
        name="Nghỉ hoán đổi dịp 30/4",
        legal_reference="Công văn 2450/VPCP-KGVX ngày 10/4/2024",
    )

    # then
    seeded.refresh_from_db()
    assert seeded.source == DaySource.ADMIN
    assert seeded.name == "Nghỉ hoán đổi dịp 30/4"
    event = AuditEvent.objects.get(action="workcalendar.day.set")
    assert event.changes["source"] == ["seed", "admin"]
    assert CalendarDay.objects.filter(date=seeded.date).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"legal_reference": "  "}, "legal_reference", "Căn cứ pháp lý không được để trống."),
        ({"name": ""}, "name", "Tên ngày không được để trống."),
        ({"kind": "nghi"}, "kind", "Loại ngày không hợp lệ."),
        (
            {"kind": DayKind.MAKEUP_WORKDAY},
            "kind",
            "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật; ngày 12/03/2025 là ngày làm việc.",
        ),
        ({"date": dt.date(1990, 1, 2)}, "date", "Ngày phải thuộc các năm từ 1995 đến 2100."),
        ({"name": "x" * 256}, "name", "Tên ngày dài tối đa 255 ký tự (đang có 256)."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    province_admin: User, kwargs: dict[str, object], field: str, message: str
) -> None:
    # given
    values: dict[str, object] = {
        "date": dt.date(2025, 3, 12),
        "kind": DayKind.CLOSURE,
        "name": "Nghỉ đột xuất",
        "legal_reference": "Quyết định 1/QĐ-UBND",
    } | kwargs
    rows, state = CalendarDay.objects.count(), CalendarState.objects.get()

    # when
    with pytest.raises(ValidationError) as error:
        calendar_day_set(actor=province_admin, **values)  # type: ignore[arg-type]

    # then
    assert error.value.message_dict[field] == [message]
    assert CalendarDay.objects.count() == rows
    assert CalendarState.objects.get().revision == state.revision
    assert not AuditEvent.objects.filter(action="workcalendar.day.set").exists()


def test_make_up_day_on_a_saturday_is_accepted(province_admin: User) -> None:
    day = calendar_day_set(
        actor=province_admin,
        date=dt.date(2025, 3, 15),
        kind=DayKind.MAKEUP_WORKDAY,
        name="Làm bù",
        legal_reference="Quyết định 2/QĐ-UBND",
    )
    assert day.kind == DayKind.MAKEUP_WORKDAY


@pytest.mark.parametrize("role_fixture", ["specialist_a", "admin_a"])
def test_only_the_provincial_administrator_edits_the_calendar(
    request: pytest.FixtureRequest, role_fixture: str
) -> None:
    # given an official who is not the provincial administrator
    user = request.getfixturevalue(role_fixture)

    # when / then
    with pytest.raises(PermissionDenied):
        calendar_day_set(
            actor=user,
            date=dt.date(2025, 3, 12),
            kind=DayKind.CLOSURE,
            name="Nghỉ",
            legal_reference="QĐ 1",
        )
    assert not CalendarDay.objects.filter(date=dt.date(2025, 3, 12)).exists()
    # the seed fixture may re-seed (and audit) after a transactional test emptied the table
    assert not AuditEvent.objects.exclude(action="workcalendar.seed").exists()
