"""The pure deadline arithmetic: examples around Tết, 30/4–1/5 and 2/9, the documented edge
semantics, and hypothesis properties (against a slow day-by-day oracle as well)."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tinhso.workcalendar import seed
from tinhso.workcalendar.arithmetic import (
    DEFAULT_PERIODS,
    TIMEZONE,
    CalendarError,
    InvalidPeriodsError,
    OutsideCalendarError,
    Period,
    Unit,
    WorkCalendar,
    add,
    add_calendar_days,
    add_working_days,
    add_working_hours,
    add_working_time,
    periods_from_pairs,
    periods_to_pairs,
    validate_periods,
    working_time_between,
)

H = dt.timedelta(hours=1)


@cache
def vietnam() -> WorkCalendar:
    """The calendar of the seed (2015–2035), as the database has it after the migration."""
    days = seed.seed_days(2015, 2035)
    return WorkCalendar(
        first_day=dt.date(2015, 1, 1),
        last_day=dt.date(2035, 12, 31),
        days_off=frozenset(d.date for d in days if d.kind != seed.MAKEUP_WORKDAY),
        makeup_days=frozenset(d.date for d in days if d.kind == seed.MAKEUP_WORKDAY),
    )


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


# --- Examples around the holidays -----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "amount", "unit", "due"),
    [
        # Tết 2024: off Thu 8 – Wed 14 February; work resumes Thursday 15.
        (at(2024, 2, 7, 9), 1, Unit.WORKING_DAYS, at(2024, 2, 15, 9)),
        (at(2024, 2, 7, 16), 2, Unit.WORKING_HOURS, at(2024, 2, 15, 8)),
        (at(2024, 2, 10, 10), 0, Unit.WORKING_HOURS, at(2024, 2, 15, 7)),
        (at(2024, 2, 5, 10), 5, Unit.CALENDAR_DAYS, at(2024, 2, 15, 17)),
        # Tết 2025: off Mon 27 – Fri 31 January, then the weekend; work resumes Monday 3 Feb.
        (at(2025, 1, 24, 14), 1, Unit.WORKING_DAYS, at(2025, 2, 3, 14)),
        (at(2025, 1, 24, 9), 3, Unit.WORKING_DAYS, at(2025, 2, 5, 9)),
        (at(2025, 1, 26, 10), 1, Unit.CALENDAR_DAYS, at(2025, 2, 3, 17)),
        # Tết 2026: off Mon 16 – Fri 20 February; work resumes Monday 23.
        (at(2026, 2, 13, 10), 1, Unit.WORKING_DAYS, at(2026, 2, 23, 10)),
        (at(2026, 2, 13, 16, 30), 1, Unit.WORKING_HOURS, at(2026, 2, 23, 7, 30)),
        # 30/4–1/5 2024: Monday 29 April swapped for Saturday 4 May, which is worked.
        (at(2024, 4, 26, 9), 3, Unit.WORKING_DAYS, at(2024, 5, 4, 9)),
        (at(2024, 4, 26, 9), 4, Unit.WORKING_DAYS, at(2024, 5, 6, 9)),
        (at(2024, 5, 3, 17), 1, Unit.WORKING_HOURS, at(2024, 5, 4, 8)),
        (at(2024, 4, 26, 10), 8, Unit.CALENDAR_DAYS, at(2024, 5, 4, 17)),
        (at(2024, 4, 26, 10), 3, Unit.CALENDAR_DAYS, at(2024, 5, 2, 17)),
        # 2/9 2025: Monday 1 and Tuesday 2 September off.
        (at(2025, 8, 29, 15), 1, Unit.WORKING_DAYS, at(2025, 9, 3, 15)),
        (at(2025, 8, 29, 15), 8, Unit.WORKING_HOURS, at(2025, 9, 3, 15)),
        (at(2025, 8, 28, 10), 4, Unit.CALENDAR_DAYS, at(2025, 9, 3, 17)),
    ],
)
def test_deadlines_around_holidays(
    start: dt.datetime, amount: int, unit: Unit, due: dt.datetime
) -> None:
    # given the seeded calendar of Vietnam
    calendar = vietnam()

    # when
    result = add(calendar, start, amount, unit)

    # then
    assert result == due
    assert result.utcoffset() == dt.timedelta(hours=7)


def test_swap_day_is_off_and_its_saturday_is_worked() -> None:
    # given
    calendar = vietnam()

    # then
    assert not calendar.is_working_day(dt.date(2024, 4, 29))
    assert calendar.is_working_day(dt.date(2024, 5, 4))
    assert not calendar.is_working_day(dt.date(2024, 5, 5))
    assert calendar.is_working_day(dt.date(2025, 4, 26))
    assert not calendar.is_working_day(dt.date(2025, 5, 2))
    assert calendar.working_days_between(dt.date(2024, 4, 27), dt.date(2024, 5, 5)) == 3


# --- The documented semantics on an ordinary week (10–14 March 2025) -----------------------


@pytest.mark.parametrize(
    ("start", "amount", "due"),
    [
        (at(2025, 3, 10, 7), dt.timedelta(hours=4, minutes=30), at(2025, 3, 10, 11, 30)),
        (at(2025, 3, 10, 7), 8 * H, at(2025, 3, 10, 17)),
        (at(2025, 3, 10, 18), 1 * H, at(2025, 3, 11, 8)),
        (at(2025, 3, 10, 12), 1 * H, at(2025, 3, 10, 14, 30)),
        (at(2025, 3, 10, 11), 1 * H, at(2025, 3, 10, 14)),
        (at(2025, 3, 10, 12), dt.timedelta(0), at(2025, 3, 10, 13, 30)),
        (at(2025, 3, 10, 11, 30), dt.timedelta(0), at(2025, 3, 10, 11, 30)),
        (at(2025, 3, 10, 17), dt.timedelta(0), at(2025, 3, 10, 17)),
        (at(2025, 3, 10, 17, 1), dt.timedelta(0), at(2025, 3, 11, 7)),
        (at(2025, 3, 10, 6), dt.timedelta(0), at(2025, 3, 10, 7)),
        (at(2025, 3, 14, 16), 2 * H, at(2025, 3, 17, 8)),
    ],
)
def test_working_time_semantics(start: dt.datetime, amount: dt.timedelta, due: dt.datetime) -> None:
    assert add_working_time(vietnam(), start, amount) == due


def test_a_working_day_is_eight_working_hours() -> None:
    calendar = vietnam()
    # 07:00 Monday: the whole of Monday; after 17:00: the whole of Tuesday.
    assert add_working_days(calendar, at(2025, 3, 10, 7), 1) == at(2025, 3, 10, 17)
    assert add_working_days(calendar, at(2025, 3, 10, 18), 1) == at(2025, 3, 11, 17)
    assert add_working_days(calendar, at(2025, 3, 10, 9, 15), 2) == at(2025, 3, 12, 9, 15)


def test_calendar_days_follow_the_civil_code() -> None:
    calendar = vietnam()
    # The first day is not counted; the deadline ends when work ends.
    assert add_calendar_days(calendar, at(2025, 3, 1, 8), 10) == at(2025, 3, 11, 17)
    # 0 days: by the end of today's work, or the next working day's once work is over.
    assert add_calendar_days(calendar, at(2025, 3, 10, 10), 0) == at(2025, 3, 10, 17)
    assert add_calendar_days(calendar, at(2025, 3, 10, 18), 0) == at(2025, 3, 11, 17)


def test_results_are_in_vietnam_time_whatever_the_offset_of_start() -> None:
    # given 09:00 in Hà Nội written in UTC
    start = dt.datetime(2025, 3, 10, 2, 0, tzinfo=dt.UTC)

    # when
    due = add_working_hours(vietnam(), start, 1)

    # then
    assert due.isoformat() == "2025-03-10T10:00:00+07:00"


def test_refuses_naive_start_negative_amount_and_dates_outside() -> None:
    calendar = vietnam()
    with pytest.raises(CalendarError) as naive:
        add_working_hours(calendar, dt.datetime(2025, 3, 10, 9), 1)
    assert naive.value.code == "naive"
    with pytest.raises(CalendarError) as negative:
        add_working_days(calendar, at(2025, 3, 10, 9), -1)
    assert negative.value.code == "negative"
    with pytest.raises(OutsideCalendarError):
        add_working_hours(calendar, at(2036, 1, 2, 9), 1)
    with pytest.raises(OutsideCalendarError):
        add_working_days(calendar, at(2035, 12, 31, 9), 1)
    with pytest.raises(OutsideCalendarError):
        add_calendar_days(calendar, at(2035, 12, 20, 9), 30)
    with pytest.raises(OutsideCalendarError):
        add_working_hours(calendar, at(2014, 12, 31, 9), 1)


def test_an_agency_with_other_hours() -> None:
    # given an agency working 07:30–12:00 and 13:00–16:30
    calendar = vietnam().with_periods(
        [Period(dt.time(7, 30), dt.time(12)), Period(dt.time(13), dt.time(16, 30))]
    )

    # then
    assert add_working_hours(calendar, at(2025, 3, 10, 11), 2) == at(2025, 3, 10, 14)
    assert add_working_days(calendar, at(2025, 3, 10, 7, 30), 1) == at(2025, 3, 10, 16, 30)
    assert add_calendar_days(calendar, at(2025, 3, 10, 7), 0) == at(2025, 3, 10, 16, 30)


@pytest.mark.parametrize(
    ("periods", "code", "index"),
    [
        ([], "empty", 0),
        ([Period(dt.time(11), dt.time(7))], "reversed", 0),
        ([Period(dt.time(7), dt.time(7))], "reversed", 0),
        ([Period(dt.time(13), dt.time(17)), Period(dt.time(7), dt.time(11))], "unordered", 1),
        ([Period(dt.time(7), dt.time(12)), Period(dt.time(11), dt.time(17))], "overlap", 1),
    ],
)
def test_invalid_periods(periods: list[Period], code: str, index: int) -> None:
    with pytest.raises(InvalidPeriodsError) as error:
        validate_periods(periods)
    assert (error.value.code, error.value.index) == (code, index)


def test_periods_round_trip_through_storage() -> None:
    assert periods_from_pairs(periods_to_pairs(DEFAULT_PERIODS)) == DEFAULT_PERIODS
    assert periods_to_pairs(DEFAULT_PERIODS) == [["07:00", "11:30"], ["13:30", "17:00"]]


# --- Properties ---------------------------------------------------------------------------

starts = st.datetimes(
    min_value=dt.datetime(2015, 1, 1),
    max_value=dt.datetime(2033, 12, 31),
    timezones=st.just(TIMEZONE),
)
amounts = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(hours=1_000)).map(
    # Whole minutes, with a share of exact zero and of whole working days.
    lambda d: dt.timedelta(minutes=int(d.total_seconds() // 60))
)
hours = st.integers(min_value=0, max_value=400)


@given(start=starts, amount=amounts)
def test_due_is_a_working_moment_after_start_with_exactly_the_amount_between(
    start: dt.datetime, amount: dt.timedelta
) -> None:
    calendar = vietnam()
    due = add_working_time(calendar, start, amount)
    assert due >= start
    assert calendar.is_working_moment(due)
    assert working_time_between(calendar, start, due) == amount
    assert due.tzinfo is TIMEZONE


@given(start=starts, a=amounts, b=amounts)
def test_adding_a_then_b_equals_adding_a_plus_b(
    start: dt.datetime, a: dt.timedelta, b: dt.timedelta
) -> None:
    calendar = vietnam()
    assert add_working_time(calendar, add_working_time(calendar, start, a), b) == (
        add_working_time(calendar, start, a + b)
    )


@given(s1=starts, s2=starts, amount=hours)
def test_monotonic_in_start(s1: dt.datetime, s2: dt.datetime, amount: int) -> None:
    calendar = vietnam()
    early, late = sorted((s1, s2))
    for unit in Unit:
        assert add(calendar, early, amount, unit) <= add(calendar, late, amount, unit)


@given(start=starts, days=st.integers(min_value=0, max_value=60))
def test_working_days_are_eight_hours_each(start: dt.datetime, days: int) -> None:
    calendar = vietnam()
    assert add_working_days(calendar, start, days) == add_working_hours(calendar, start, 8 * days)


@given(start=starts, days=st.integers(min_value=0, max_value=400))
def test_calendar_days_end_on_a_working_day_not_before_the_target(
    start: dt.datetime, days: int
) -> None:
    calendar = vietnam()
    due = add_calendar_days(calendar, start, days)
    target = start.date() + dt.timedelta(days=days)
    assert due >= start
    assert due.date() >= target
    assert calendar.is_working_day(due.date())
    assert due.time() == dt.time(17)
    # No working day was skipped between the target and the due date, unless it was over.
    skipped = calendar.working_days_between(target, due.date() - dt.timedelta(days=1))
    assert skipped == 0 or (days == 0 and skipped == 1 and start.time() > dt.time(17))


# --- Random calendars against a slow oracle ----------------------------------------------

RANGE_FIRST = dt.date(2024, 1, 1)
RANGE_LAST = dt.date(2024, 3, 31)
_range_days = [
    RANGE_FIRST + dt.timedelta(days=i) for i in range((RANGE_LAST - RANGE_FIRST).days + 1)
]


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    off = draw(st.sets(st.sampled_from(_range_days), max_size=30))
    weekends = [d for d in _range_days if d.weekday() >= 5 and d not in off]
    makeup = draw(st.sets(st.sampled_from(weekends), max_size=6)) if weekends else set()
    cuts = sorted(
        draw(st.sets(st.integers(min_value=0, max_value=24 * 4 - 1), min_size=2, max_size=6))
    )
    if len(cuts) % 2:
        cuts = cuts[:-1]
    periods = [
        Period(
            dt.time(cuts[i] // 4, cuts[i] % 4 * 15), dt.time(cuts[i + 1] // 4, cuts[i + 1] % 4 * 15)
        )
        for i in range(0, len(cuts), 2)
    ]
    return WorkCalendar(
        first_day=RANGE_FIRST,
        last_day=RANGE_LAST,
        days_off=frozenset(off),
        makeup_days=frozenset(makeup),
        periods=tuple(periods),
    )


def oracle(calendar: WorkCalendar, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
    """Walk day by day and period by period: slow and obviously right."""
    day = start.date()
    while True:
        if calendar.is_working_day(day):
            for period in calendar.periods:
                begin = dt.datetime.combine(day, period.start, tzinfo=TIMEZONE)
                end = dt.datetime.combine(day, period.end, tzinfo=TIMEZONE)
                if end < start:
                    continue
                begin = max(begin, start)
                if end - begin >= amount:
                    return begin + amount
                amount -= end - begin
        day += dt.timedelta(days=1)


@settings(max_examples=300)
@given(
    calendar=calendars(),
    start=st.datetimes(
        min_value=dt.datetime(2024, 1, 1),
        max_value=dt.datetime(2024, 2, 15),
        timezones=st.just(TIMEZONE),
    ),
    amount=st.integers(min_value=0, max_value=60 * 60).map(lambda m: dt.timedelta(minutes=m)),
)
def test_agrees_with_the_day_by_day_oracle(
    calendar: WorkCalendar, start: dt.datetime, amount: dt.timedelta
) -> None:
    try:
        expected = oracle(calendar, start, amount)
    except OutsideCalendarError:
        assume(False)
    try:
        result = add_working_time(calendar, start, amount)
    except OutsideCalendarError:
        pytest.fail("the oracle found a due date inside the calendar")
    assert result == expected


def test_a_make_up_date_that_is_also_off_is_worked() -> None:
    # given a Saturday listed both ways (the table cannot hold this, the value can)
    saturday = dt.date(2025, 3, 15)
    calendar = WorkCalendar(
        first_day=dt.date(2025, 1, 1),
        last_day=dt.date(2025, 12, 31),
        days_off=frozenset({saturday}),
        makeup_days=frozenset({saturday}),
    )

    # then the make-up wins, as documented
    assert calendar.is_working_day(saturday)
