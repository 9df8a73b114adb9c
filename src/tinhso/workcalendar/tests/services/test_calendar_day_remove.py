from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.workcalendar.models import CalendarDay, CalendarState, DaySource
from tinhso.workcalendar.services import calendar_day_remove, calendar_seed_apply

pytestmark = pytest.mark.usefixtures("seeded")


def test_removal_keeps_a_tombstone_that_seeding_respects(province_admin: User) -> None:
    # given the seeded make-up Saturday of 2024
    day = CalendarDay.objects.get(date=dt.date(2024, 5, 4))
    version = CalendarState.objects.get().version

    # when
    calendar_day_remove(actor=province_admin, day=day, legal_reference="Công văn 9/UBND-KGVX")
    calendar_seed_apply(from_year=2024, to_year=2024)

    # then
    day.refresh_from_db()
    assert day.is_removed
    assert day.source == DaySource.ADMIN
    assert day.legal_reference == "Công văn 9/UBND-KGVX"
    assert CalendarState.objects.get().version == version + 1  # the seed changed nothing
    event = AuditEvent.objects.get(action="workcalendar.day.remove")
    assert event.changes["is_removed"] == [False, True]
    assert event.actor == province_admin


def test_legal_reference_is_required(province_admin: User) -> None:
    day = CalendarDay.objects.get(date=dt.date(2024, 5, 4))
    with pytest.raises(ValidationError) as error:
        calendar_day_remove(actor=province_admin, day=day, legal_reference=" ")
    assert error.value.message_dict == {"legal_reference": ["Căn cứ pháp lý không được để trống."]}
    day.refresh_from_db()
    assert not day.is_removed
    # the seed fixture may re-seed (and audit) after a transactional test emptied the table
    assert not AuditEvent.objects.exclude(action="workcalendar.seed").exists()


def test_removing_twice_is_refused(province_admin: User) -> None:
    day = CalendarDay.objects.get(date=dt.date(2024, 5, 4))
    calendar_day_remove(actor=province_admin, day=day, legal_reference="CV 1")
    with pytest.raises(ValidationError, match="đã được gỡ"):
        calendar_day_remove(actor=province_admin, day=day, legal_reference="CV 2")
    assert AuditEvent.objects.filter(action="workcalendar.day.remove").count() == 1


def test_agency_administrator_cannot_remove(admin_a: User) -> None:
    day = CalendarDay.objects.get(date=dt.date(2024, 5, 4))
    with pytest.raises(PermissionDenied):
        calendar_day_remove(actor=admin_a, day=day, legal_reference="CV 1")
    day.refresh_from_db()
    assert not day.is_removed
