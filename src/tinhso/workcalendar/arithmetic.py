"""Deadline arithmetic in working days, working hours and calendar days.

Pure and typed: no Django, never reads the clock. The caller passes a `WorkCalendar` (built
from the calendar table and the agency's working hours) and an aware start moment; every
result is an aware datetime in Asia/Ho_Chi_Minh.

The model
---------
*Working days* are the Mondays to Fridays of the calendar's range that are not days off,
plus the make-up working days (a Saturday or Sunday worked in exchange for a swap day).
Days off are public holidays and Tết (Bộ luật Lao động 2019, Điều 112), their observed days,
swap days and one-off closures; Saturdays and Sundays are off unless a make-up working day
says otherwise (Quyết định 188/1999/QĐ-TTg: a 40-hour, five-day week for public servants).

*Working time* is the union W of the closed intervals [period.start, period.end] of every
working period on every working day (by default 07:00–11:30 and 13:30–17:00). A *working
moment* is an instant inside W; the end of a period (11:30, 17:00) is a working moment.

*One working day is 8 working hours* (`HOURS_PER_WORKING_DAY`): the unit in which the
one-stop practice stores procedure times (vn-onestop §6). With the default 8-hour schedule,
N working days from 09:15 on a working day end at 09:15 on the N-th following working day.

Semantics of the three additions (the exact rules the tests check)
-----------------------------------------------------------------
For working hours and working days, with amount `a ≥ 0` (a working day = 8 hours):

    due(start, a) = the earliest instant t ≥ start such that t is a working moment and the
                    working time in [start, t] (the length of W ∩ [start, t]) equals a.

Consequences:

* `a = 0` gives the first working moment at or after `start`: `start` itself when it is a
  working moment (including exactly 11:30 or 17:00), 13:30 when it falls in the lunch
  break, 07:00 of the same day before opening, the next working day's 07:00 after 17:00 or
  on a day off.
* A start outside working time counts from the next working moment: 1 working hour from
  18:00 on Monday is 08:00 on Tuesday; from 12:00 (lunch) it is 14:30.
* A due time never skips past the end of a period: 4.5 hours from 07:00 is 11:30 (not
  13:30), 8 hours from 07:00 is 17:00 the same day (not 07:00 the next day). So
  1 working day from 07:00 Monday is 17:00 Monday, and from 18:00 Monday it is 17:00
  Tuesday (the R1 rule "after 17:00 counts from the next morning").
* Additivity: `due(due(s, a), b) == due(s, a + b)`; monotonic in `start`; `due ≥ start`; the
  working time between `start` and `due` is exactly `a`.

For calendar days (Bộ luật Dân sự 2015, Điều 147–148), with `n ≥ 0`:

    due(start, n) = the end of working hours (the last period's end, 17:00 by default) of
                    the first working day on or after (the local date of start) + n days,
                    taking the next working day again if that moment would lie before start.

  The first day is not counted (Điều 147): 10 days from any time on 1 March end on 11 March.
  A last day that is a day off moves to the next working day (Điều 148 khoản 2). The day ends
  when work ends, because results are returned at the counter during working hours; `n = 0`
  means "by the end of today's work" (or of the next working day when today's work is over).

Every date involved (the start, each working day counted, the due date) must lie inside the
calendar's range [first_day, last_day]: outside it the days off are unknown, so the functions
raise `OutsideCalendarError` rather than guess.

Speed: building a `WorkCalendar` indexes the working days of its range once (a sorted list of
ordinals, a few milliseconds for 20 years); each addition is then a few bisections and
integer operations, whatever the amount, with no loop over days.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
HOURS_PER_WORKING_DAY = 8

_US_PER_SECOND = 1_000_000
_US_PER_MINUTE = 60 * _US_PER_SECOND
_US_PER_HOUR = 60 * _US_PER_MINUTE


class Unit(StrEnum):
    """The unit of a deadline's amount."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"


class CalendarError(ValueError):
    """A deadline that cannot be computed; `code` says why (the caller words the message)."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class OutsideCalendarError(CalendarError):
    """A date the calendar does not cover: its days off are unknown."""

    code = "outside_calendar"

    def __init__(self, day: dt.date, first_day: dt.date, last_day: dt.date) -> None:
        super().__init__(f"{day.isoformat()} is outside the calendar {first_day}–{last_day}")
        self.day = day
        self.first_day = first_day
        self.last_day = last_day


class InvalidPeriodsError(CalendarError):
    """Working periods that are empty, reversed, unordered or overlapping.

    `code` is one of `empty`, `reversed`, `unordered`, `overlap`; `index` is the 0-based
    position of the offending period.
    """

    def __init__(self, code: str, index: int = 0) -> None:
        super().__init__(f"invalid working periods: {code} at {index}", code=code)
        self.index = index


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """One working period of a day, e.g. 07:00–11:30."""

    start: dt.time
    end: dt.time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(microseconds=_time_us(self.end) - _time_us(self.start))


#: The working hours of state agencies unless an agency sets its own.
DEFAULT_PERIODS: tuple[Period, ...] = (
    Period(dt.time(7, 0), dt.time(11, 30)),
    Period(dt.time(13, 30), dt.time(17, 0)),
)


def validate_periods(periods: Iterable[Period]) -> tuple[Period, ...]:
    """Return the periods as a tuple, or raise `InvalidPeriodsError`.

    Each period must end after it starts; periods must be in order and must not overlap
    (one may start at the minute the previous one ends).
    """
    result = tuple(periods)
    if not result:
        raise InvalidPeriodsError("empty")
    for index, period in enumerate(result):
        if period.start.tzinfo is not None or period.end.tzinfo is not None:
            raise InvalidPeriodsError("reversed", index)
        if period.end <= period.start:
            raise InvalidPeriodsError("reversed", index)
        if index:
            previous = result[index - 1]
            if period.start < previous.start:
                raise InvalidPeriodsError("unordered", index)
            if period.start < previous.end:
                raise InvalidPeriodsError("overlap", index)
    return result


def periods_from_pairs(pairs: Iterable[Sequence[str]]) -> tuple[Period, ...]:
    """Periods from stored ["HH:MM", "HH:MM"] pairs (not validated: see `validate_periods`)."""
    return tuple(
        Period(dt.time.fromisoformat(start), dt.time.fromisoformat(end)) for start, end in pairs
    )


def periods_to_pairs(periods: Iterable[Period]) -> list[list[str]]:
    """The ["HH:MM", "HH:MM"] pairs stored for `periods` (minutes precision)."""
    return [[f"{p.start:%H:%M}", f"{p.end:%H:%M}"] for p in periods]


def total_duration(periods: Iterable[Period]) -> dt.timedelta:
    """The working time of one working day under `periods`."""
    return sum((p.duration for p in periods), dt.timedelta())


def _time_us(moment: dt.time) -> int:
    return (
        moment.hour * _US_PER_HOUR
        + moment.minute * _US_PER_MINUTE
        + moment.second * _US_PER_SECOND
        + moment.microsecond
    )


def _weekday_of_ordinal(ordinal: int) -> int:
    # date.fromordinal(1) is Monday 1 January of year 1.
    return (ordinal - 1) % 7


@dataclass(frozen=True, slots=True)
class _DayIndex:
    """The working days of a range as sorted ordinals, with each one's position."""

    ordinals: tuple[int, ...]
    position: dict[int, int]


@lru_cache(maxsize=16)
def _day_index(
    first: int, last: int, days_off: frozenset[dt.date], makeup_days: frozenset[dt.date]
) -> _DayIndex:
    off = {d.toordinal() for d in days_off}
    makeup = {d.toordinal() for d in makeup_days}
    ordinals = tuple(
        o
        for o in range(first, last + 1)
        if o in makeup or (o not in off and _weekday_of_ordinal(o) < 5)
    )
    return _DayIndex(ordinals, {o: i for i, o in enumerate(ordinals)})


@dataclass(frozen=True)
class WorkCalendar:
    """Days off, make-up working days and working periods over a range of dates.

    Dates outside [first_day, last_day] are unknown: the arithmetic refuses them. A date in
    both `days_off` and `makeup_days` is a working day (the make-up wins); the calendar
    table keeps one row per date, so this does not happen with stored data.
    """

    first_day: dt.date
    last_day: dt.date
    days_off: frozenset[dt.date] = frozenset()
    makeup_days: frozenset[dt.date] = frozenset()
    periods: tuple[Period, ...] = DEFAULT_PERIODS
    hours_per_working_day: int = HOURS_PER_WORKING_DAY
    _index: _DayIndex = field(init=False, repr=False, compare=False)
    _spans: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    _cum_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _cum_ends: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _day_us: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise CalendarError("last_day is before first_day", code="empty_range")
        if self.hours_per_working_day <= 0:
            raise CalendarError("hours_per_working_day must be positive")
        periods = validate_periods(self.periods)
        spans = tuple((_time_us(p.start), _time_us(p.end)) for p in periods)
        cum_starts: list[int] = []
        cum_ends: list[int] = []
        total = 0
        for start, end in spans:
            cum_starts.append(total)
            total += end - start
            cum_ends.append(total)
        index = _day_index(
            self.first_day.toordinal(),
            self.last_day.toordinal(),
            frozenset(self.days_off),
            frozenset(self.makeup_days),
        )
        object.__setattr__(self, "periods", periods)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_spans", spans)
        object.__setattr__(self, "_cum_starts", tuple(cum_starts))
        object.__setattr__(self, "_cum_ends", tuple(cum_ends))
        object.__setattr__(self, "_day_us", total)

    def with_periods(self, periods: Sequence[Period]) -> WorkCalendar:
        """The same days with other working periods (an agency's own hours); cheap."""
        return replace(self, periods=tuple(periods))

    # --- Days -------------------------------------------------------------------------------

    def covers(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day

    def _check(self, day: dt.date) -> None:
        if not self.first_day <= day <= self.last_day:
            raise OutsideCalendarError(day, self.first_day, self.last_day)

    def is_working_day(self, day: dt.date) -> bool:
        self._check(day)
        return day.toordinal() in self._index.position

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day on or after `day`."""
        self._check(day)
        ordinals = self._index.ordinals
        i = bisect_left(ordinals, day.toordinal())
        if i == len(ordinals):
            raise OutsideCalendarError(
                self.last_day + dt.timedelta(days=1), self.first_day, self.last_day
            )
        return dt.date.fromordinal(ordinals[i])

    def working_days_between(self, first: dt.date, last: dt.date) -> int:
        """How many working days lie in [first, last] (0 when last < first)."""
        self._check(first)
        self._check(last)
        ordinals = self._index.ordinals
        return max(
            0, bisect_right(ordinals, last.toordinal()) - bisect_left(ordinals, first.toordinal())
        )

    @property
    def working_day_length(self) -> dt.timedelta:
        return dt.timedelta(microseconds=self._day_us)

    # --- Moments ----------------------------------------------------------------------------

    def is_working_moment(self, moment: dt.datetime) -> bool:
        local = to_local(moment)
        if not self.is_working_day(local.date()):
            return False
        tod = _time_us(local.time())
        return any(start <= tod <= end for start, end in self._spans)

    def _elapsed_in_day(self, tod: int) -> int:
        elapsed = 0
        for start, end in self._spans:
            if tod <= start:
                break
            elapsed += min(tod, end) - start
        return elapsed

    def _position(self, local: dt.datetime) -> int:
        """Working time (µs) from the start of the range's first working day to `local`."""
        day = local.date()
        self._check(day)
        ordinal = day.toordinal()
        i = self._index.position.get(ordinal)
        if i is None:
            return bisect_left(self._index.ordinals, ordinal) * self._day_us
        return i * self._day_us + self._elapsed_in_day(_time_us(local.time()))

    def _moment(self, position: int) -> dt.datetime:
        """The earliest instant at which `position` (> 0) µs of working time have elapsed."""
        day_index = (position - 1) // self._day_us
        ordinals = self._index.ordinals
        if day_index >= len(ordinals):
            raise OutsideCalendarError(
                self.last_day + dt.timedelta(days=1), self.first_day, self.last_day
            )
        within = position - day_index * self._day_us  # in (0, day length]
        k = bisect_left(self._cum_ends, within)
        tod = self._spans[k][0] + within - self._cum_starts[k]
        return _at(dt.date.fromordinal(ordinals[day_index]), tod)

    def first_working_moment(self, moment: dt.datetime) -> dt.datetime:
        """The first working moment at or after `moment` (itself when it is one)."""
        local = to_local(moment)
        day = local.date()
        self._check(day)
        if day.toordinal() in self._index.position:
            tod = _time_us(local.time())
            for start, end in self._spans:
                if tod <= end:
                    return local if tod >= start else _at(day, start)
        ordinals = self._index.ordinals
        i = bisect_right(ordinals, day.toordinal())
        if i == len(ordinals):
            raise OutsideCalendarError(
                self.last_day + dt.timedelta(days=1), self.first_day, self.last_day
            )
        return _at(dt.date.fromordinal(ordinals[i]), self._spans[0][0])

    def end_of_working_day(self, day: dt.date) -> dt.datetime:
        """The end of the last working period on `day`."""
        self._check(day)
        return _at(day, self._spans[-1][1])


def _at(day: dt.date, tod_us: int) -> dt.datetime:
    # Vietnam keeps +07:00 all year, so wall-clock arithmetic is exact.
    return dt.datetime.combine(day, dt.time(), tzinfo=TIMEZONE) + dt.timedelta(microseconds=tod_us)


def to_local(moment: dt.datetime) -> dt.datetime:
    """`moment` in Asia/Ho_Chi_Minh; a naive datetime is refused (its offset is unknown)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError("the start must carry a UTC offset", code="naive")
    return moment.astimezone(TIMEZONE)


def _microseconds(amount: dt.timedelta) -> int:
    return (amount.days * 86_400 + amount.seconds) * _US_PER_SECOND + amount.microseconds


def add_working_time(
    calendar: WorkCalendar, start: dt.datetime, amount: dt.timedelta
) -> dt.datetime:
    """The due moment `amount` of working time after `start` (see the module docstring)."""
    if amount < dt.timedelta():
        raise CalendarError("the amount must not be negative", code="negative")
    local = to_local(start)
    if not amount:
        return calendar.first_working_moment(local)
    return calendar._moment(calendar._position(local) + _microseconds(amount))


def add_working_hours(calendar: WorkCalendar, start: dt.datetime, hours: int) -> dt.datetime:
    """The due moment `hours` working hours after `start`."""
    if hours < 0:
        raise CalendarError("the amount must not be negative", code="negative")
    return add_working_time(calendar, start, dt.timedelta(hours=hours))


def add_working_days(calendar: WorkCalendar, start: dt.datetime, days: int) -> dt.datetime:
    """The due moment `days` working days (of `hours_per_working_day` hours) after `start`."""
    if days < 0:
        raise CalendarError("the amount must not be negative", code="negative")
    return add_working_time(
        calendar, start, dt.timedelta(hours=days * calendar.hours_per_working_day)
    )


def add_calendar_days(calendar: WorkCalendar, start: dt.datetime, days: int) -> dt.datetime:
    """The end of work on the `days`-th calendar day after `start`, moved off days off.

    Bộ luật Dân sự 2015, Điều 147 (the first day is not counted) and Điều 148 khoản 2 (a last
    day that is a weekend or holiday moves to the next working day).
    """
    if days < 0:
        raise CalendarError("the amount must not be negative", code="negative")
    local = to_local(start)
    calendar._check(local.date())
    target = local.date() + dt.timedelta(days=days)
    if target > calendar.last_day:
        raise OutsideCalendarError(target, calendar.first_day, calendar.last_day)
    due = calendar.end_of_working_day(calendar.next_working_day(target))
    if due < local:
        # n = 0 after today's work is over: the next working day's end.
        due = calendar.end_of_working_day(
            calendar.next_working_day(due.date() + dt.timedelta(days=1))
        )
    return due


def add(calendar: WorkCalendar, start: dt.datetime, amount: int, unit: Unit | str) -> dt.datetime:
    """Dispatch on `unit` (one of `Unit`)."""
    match Unit(unit):
        case Unit.WORKING_DAYS:
            return add_working_days(calendar, start, amount)
        case Unit.WORKING_HOURS:
            return add_working_hours(calendar, start, amount)
        case Unit.CALENDAR_DAYS:
            return add_calendar_days(calendar, start, amount)


def working_time_between(
    calendar: WorkCalendar, start: dt.datetime, end: dt.datetime
) -> dt.timedelta:
    """The working time in [start, end] (the length of working time between two moments).

    Negative when `end` is before `start`: the working time by which `end` precedes `start`.
    """
    a = calendar._position(to_local(start))
    b = calendar._position(to_local(end))
    return dt.timedelta(microseconds=b - a)
