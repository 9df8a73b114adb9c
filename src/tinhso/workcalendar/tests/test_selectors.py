from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from pytest_django import DjangoAssertNumQueries

from tinhso.accounts.models import User
from tinhso.organizations.models import Agency
from tinhso.workcalendar.arithmetic import TIMEZONE, Period, Unit
from tinhso.workcalendar.models import CalendarState, DayKind
from tinhso.workcalendar.selectors import (
    CalendarNotSeededError,
    UnknownAgencyError,
    deadline_due,
    work_calendar,
    year_grid,
)
from tinhso.workcalendar.services import (
    calendar_day_remove,
    calendar_day_set,
    working_hours_set,
)

pytestmark = pytest.mark.usefixtures("seeded")

MONDAY = dt.datetime(2025, 3, 10, 9, tzinfo=TIMEZONE)


def test_warm_cache_costs_one_query(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    # given a warm cache
    first = work_calendar()

    # when / then
    with django_assert_num_queries(1):
        again = work_calendar()
    assert again is first
    assert again.is_working_day(dt.date(2024, 5, 4))
    assert not again.is_working_day(dt.date(2024, 4, 29))


def test_agency_calendar_is_cached_by_code(
    django_assert_num_queries: DjangoAssertNumQueries,
    admin_a: User,
    agency_a: Agency,
) -> None:
    # given an agency with its own hours, looked up once
    working_hours_set(
        actor=admin_a,
        agency=agency_a,
        periods=[Period(dt.time(7, 30), dt.time(12)), Period(dt.time(13), dt.time(16, 30))],
        legal_reference="QĐ 1",
    )
    first = work_calendar(agency_a.code.lower())

    # when / then
    with django_assert_num_queries(1):
        again = work_calendar(agency_a.code)
    assert again is first
    assert again.periods[0].start == dt.time(7, 30)
    assert work_calendar().periods[0].start == dt.time(7)


def test_an_edit_invalidates_the_cache(province_admin: User) -> None:
    # given an ordinary Wednesday in the cached calendar
    wednesday = dt.date(2025, 3, 12)
    assert work_calendar().is_working_day(wednesday)

    # when the administrator closes the offices that day
    calendar_day_set(
        actor=province_admin,
        date=wednesday,
        kind=DayKind.CLOSURE,
        name="Nghỉ do bão",
        legal_reference="QĐ 9/QĐ-UBND",
    )

    # then the next read sees it
    assert not work_calendar().is_working_day(wednesday)

    # and a removal brings the day back
    from tinhso.workcalendar.models import CalendarDay

    calendar_day_remove(
        actor=province_admin, day=CalendarDay.objects.get(date=wednesday), legal_reference="QĐ 10"
    )
    assert work_calendar().is_working_day(wednesday)


def test_a_revision_written_by_another_process_is_seen() -> None:
    # given a cached calendar
    first = work_calendar()

    # when another process bumps the revision (simulated by writing the row)
    import uuid

    CalendarState.objects.filter(id=1).update(revision=uuid.uuid4())

    # then
    assert work_calendar() is not first


def test_unknown_agency_and_missing_state() -> None:
    with pytest.raises(UnknownAgencyError):
        work_calendar("H99.99")
    with pytest.raises(UnknownAgencyError):
        work_calendar("not a code!")
    CalendarState.objects.all().delete()
    with pytest.raises(CalendarNotSeededError):
        work_calendar()


def test_deadline_due_names_the_parameter_at_fault() -> None:
    with pytest.raises(ValidationError) as outside:
        deadline_due(
            start=dt.datetime(2040, 1, 2, 9, tzinfo=TIMEZONE), amount=1, unit=Unit.WORKING_DAYS
        )
    assert list(outside.value.message_dict) == ["start"]
    with pytest.raises(ValidationError) as beyond:
        deadline_due(
            start=dt.datetime(2035, 12, 1, 9, tzinfo=TIMEZONE), amount=100, unit=Unit.WORKING_DAYS
        )
    assert beyond.value.message_dict == {
        "amount": ["Hạn xử lý vượt quá năm 2035, năm cuối cùng của lịch làm việc."]
    }
    with pytest.raises(ValidationError) as agency:
        deadline_due(start=MONDAY, amount=1, unit=Unit.WORKING_DAYS, agency_code="H99.99")
    assert list(agency.value.message_dict) == ["agency"]


def test_year_grid_marks_the_special_days(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(1):
        months = year_grid(2024)
    may = months[4]
    cells = {c.date: c for week in may.weeks for c in week if c}
    assert len(cells) == 31
    assert cells[dt.date(2024, 5, 4)].kind == DayKind.MAKEUP_WORKDAY
    assert cells[dt.date(2024, 5, 4)].is_working
    assert not cells[dt.date(2024, 5, 1)].is_working
    assert not cells[dt.date(2024, 5, 5)].is_working
    assert cells[dt.date(2024, 5, 6)].is_working
    assert [c.date.day for c in may.special] == [1, 4]


def test_with_a_recheck_interval_a_warm_request_costs_no_query(
    settings: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    import uuid

    from tinhso.workcalendar import selectors

    # given production's re-check interval and a warm cache at t = 1000 s
    settings.TINHSO_CALENDAR_RECHECK_SECONDS = 2  # type: ignore[attr-defined]
    clock = [1000.0]
    monkeypatch.setattr(selectors, "_monotonic", lambda: clock[0])
    first = work_calendar()

    # when another process changes the calendar
    CalendarState.objects.filter(id=1).update(revision=uuid.uuid4())

    # then within the interval this process answers from memory, without a query
    clock[0] = 1001.5
    with django_assert_num_queries(0):
        assert work_calendar() is first

    # and after the interval it re-reads the revision and rebuilds
    clock[0] = 1002.5
    assert work_calendar() is not first


def test_a_write_clears_the_writing_process_cache_on_commit(
    settings: pytest.FixtureRequest,
    province_admin: User,
    django_capture_on_commit_callbacks: pytest.FixtureRequest,
) -> None:
    # given a long re-check interval and a cached calendar
    settings.TINHSO_CALENDAR_RECHECK_SECONDS = 3600  # type: ignore[attr-defined]
    wednesday = dt.date(2025, 3, 12)
    assert work_calendar().is_working_day(wednesday)

    # when this process closes the offices that day and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        calendar_day_set(
            actor=province_admin,
            date=wednesday,
            kind=DayKind.CLOSURE,
            name="Nghỉ do bão",
            legal_reference="QĐ 9/QĐ-UBND",
        )

    # then it sees the change at once, interval or not
    assert not work_calendar().is_working_day(wednesday)
