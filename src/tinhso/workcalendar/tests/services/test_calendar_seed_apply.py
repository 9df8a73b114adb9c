from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.workcalendar.models import CalendarDay, CalendarState, DayKind, DaySource
from tinhso.workcalendar.services import calendar_day_set, calendar_seed_apply

pytestmark = pytest.mark.usefixtures("seeded")


def test_every_installation_has_the_seed_of_the_migration() -> None:
    state = CalendarState.objects.get()
    assert (state.first_year, state.last_year) == (2015, 2035)
    assert CalendarDay.objects.get(date=dt.date(2024, 5, 4)).kind == DayKind.MAKEUP_WORKDAY
    assert CalendarDay.objects.get(date=dt.date(2024, 4, 29)).kind == DayKind.SWAP_OFF
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 17)).name == "Tết Nguyên Đán"
    assert CalendarDay.objects.filter(source=DaySource.SEED).count() == 315


def test_reapplying_is_idempotent() -> None:
    # given
    rows = sorted(CalendarDay.objects.values_list("date", "kind", "name", "legal_reference"))
    version = CalendarState.objects.get().version

    # when
    result = calendar_seed_apply(from_year=2015, to_year=2035)

    # then
    assert (result.created, result.updated, result.kept) == (0, 0, 0)
    assert result.unchanged == 315
    assert (
        sorted(CalendarDay.objects.values_list("date", "kind", "name", "legal_reference")) == rows
    )
    assert CalendarState.objects.get().version == version
    event = AuditEvent.objects.get(action="workcalendar.seed")
    assert event.actor_label == "system:calendar_seed"
    assert event.changes["unchanged"] == 315


def test_never_overwrites_what_an_administrator_edited(province_admin: User) -> None:
    # given the administrator renamed a seeded holiday
    calendar_day_set(
        actor=province_admin,
        date=dt.date(2025, 9, 2),
        kind=DayKind.HOLIDAY,
        name="Quốc khánh nước CHXHCN Việt Nam",
        legal_reference="Bộ luật Lao động 2019, Điều 112, khoản 1, điểm đ",
    )

    # when
    result = calendar_seed_apply(from_year=2025, to_year=2025)

    # then
    assert result.kept == 1
    assert (
        CalendarDay.objects.get(date=dt.date(2025, 9, 2)).name == "Quốc khánh nước CHXHCN Việt Nam"
    )


def test_repairs_a_seeded_row_and_extends_the_range() -> None:
    # given a seeded row damaged outside the services
    CalendarDay.objects.filter(date=dt.date(2025, 9, 1)).update(name="sai")
    state = CalendarState.objects.get()

    # when
    result = calendar_seed_apply(from_year=2035, to_year=2036)

    # then the range grows; 2025 is untouched by a run over 2035–2036
    assert result.created > 0
    after = CalendarState.objects.get()
    assert (after.first_year, after.last_year) == (2015, 2036)
    assert after.revision != state.revision
    assert CalendarDay.objects.filter(date__year=2036, kind=DayKind.HOLIDAY).exists()

    # when the year is re-applied
    calendar_seed_apply(from_year=2025, to_year=2025)

    # then
    assert CalendarDay.objects.get(date=dt.date(2025, 9, 1)).name == "Quốc khánh"


def test_bad_year_range_is_refused() -> None:
    audit_rows_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="Khoảng năm"):
        calendar_seed_apply(from_year=2030, to_year=2020)
    assert AuditEvent.objects.count() == audit_rows_before
