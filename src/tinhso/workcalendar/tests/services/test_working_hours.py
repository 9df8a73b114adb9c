from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency
from tinhso.workcalendar.arithmetic import Period
from tinhso.workcalendar.models import CalendarState, WorkingHours
from tinhso.workcalendar.services import working_hours_reset, working_hours_set

pytestmark = pytest.mark.usefixtures("seeded")

WINTER = [Period(dt.time(7, 30), dt.time(12)), Period(dt.time(13), dt.time(16, 30))]


def test_agency_administrator_sets_their_own_hours(admin_a: User, agency_a: Agency) -> None:
    # given
    version = CalendarState.objects.get().version

    # when
    row = working_hours_set(
        actor=admin_a, agency=agency_a, periods=WINTER, legal_reference="Quyết định 5/QĐ-STN"
    )

    # then
    row.refresh_from_db()
    assert row.periods == [["07:30", "12:00"], ["13:00", "16:30"]]
    assert CalendarState.objects.get().version == version + 1
    event = AuditEvent.objects.get(action="workcalendar.working_hours.set")
    assert event.agency_id == agency_a.pk
    assert event.changes["periods"] == [None, [["07:30", "12:00"], ["13:00", "16:30"]]]


def test_agency_administrator_of_b_cannot_set_the_hours_of_a(
    admin_b: User, agency_a: Agency
) -> None:
    with pytest.raises(PermissionDenied):
        working_hours_set(actor=admin_b, agency=agency_a, periods=WINTER, legal_reference="QĐ 1")
    assert not WorkingHours.objects.exists()
    # the seed fixture may re-seed (and audit) after a transactional test emptied the table
    assert not AuditEvent.objects.exclude(action="workcalendar.seed").exists()


def test_agency_administrator_cannot_set_the_province_hours(admin_a: User) -> None:
    with pytest.raises(PermissionDenied):
        working_hours_set(actor=admin_a, agency=None, periods=WINTER, legal_reference="QĐ 1")


def test_provincial_administrator_sets_any_agency_and_the_province(
    province_admin: User, agency_a: Agency
) -> None:
    working_hours_set(actor=province_admin, agency=agency_a, periods=WINTER, legal_reference="QĐ 1")
    working_hours_set(actor=province_admin, agency=None, periods=WINTER, legal_reference="QĐ 2")
    working_hours_set(actor=province_admin, agency=None, periods=WINTER, legal_reference="QĐ 3")
    assert WorkingHours.objects.count() == 2
    assert WorkingHours.objects.get(agency=None).legal_reference == "QĐ 3"


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ([], "Cần ít nhất một buổi làm việc."),
        (
            [Period(dt.time(12), dt.time(7))],
            "Buổi 1: giờ kết thúc phải sau giờ bắt đầu.",
        ),
        (
            [Period(dt.time(13), dt.time(17)), Period(dt.time(7), dt.time(11))],
            "Buổi 2: các buổi phải xếp theo thứ tự thời gian.",
        ),
        (
            [Period(dt.time(7), dt.time(12)), Period(dt.time(11), dt.time(15))],
            "Buổi 2 bắt đầu trước khi buổi 1 kết thúc.",
        ),
        (
            [Period(dt.time(7), dt.time(11)), Period(dt.time(13, 30), dt.time(17))],
            "Tổng thời gian các buổi phải đúng 8 giờ một ngày (đang là 7 giờ 30 phút).",
        ),
    ],
)
def test_invalid_periods_are_refused_and_nothing_saved(
    admin_a: User, agency_a: Agency, periods: list[Period], message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        working_hours_set(actor=admin_a, agency=agency_a, periods=periods, legal_reference="QĐ 1")
    assert error.value.message_dict == {"periods": [message]}
    assert not WorkingHours.objects.exists()
    # the seed fixture may re-seed (and audit) after a transactional test emptied the table
    assert not AuditEvent.objects.exclude(action="workcalendar.seed").exists()


def test_legal_reference_is_required(admin_a: User, agency_a: Agency) -> None:
    with pytest.raises(ValidationError) as error:
        working_hours_set(actor=admin_a, agency=agency_a, periods=WINTER, legal_reference="")
    assert error.value.message_dict == {"legal_reference": ["Căn cứ không được để trống."]}
    assert not WorkingHours.objects.exists()


def test_reset_returns_the_agency_to_the_province_hours(admin_a: User, agency_a: Agency) -> None:
    # given
    working_hours_set(actor=admin_a, agency=agency_a, periods=WINTER, legal_reference="QĐ 1")

    # when
    working_hours_reset(actor=admin_a, agency=agency_a)

    # then
    assert not WorkingHours.objects.filter(agency=agency_a).exists()
    event = AuditEvent.objects.get(action="workcalendar.working_hours.reset")
    assert event.agency_id == agency_a.pk
    with pytest.raises(ValidationError, match="giờ làm việc chung"):
        working_hours_reset(actor=admin_a, agency=agency_a)


def test_reset_by_another_agencys_administrator_is_refused(
    admin_a: User, admin_b: User, agency_a: Agency
) -> None:
    working_hours_set(actor=admin_a, agency=agency_a, periods=WINTER, legal_reference="QĐ 1")
    with pytest.raises(PermissionDenied):
        working_hours_reset(actor=admin_b, agency=agency_a)
    assert WorkingHours.objects.filter(agency=agency_a).exists()
