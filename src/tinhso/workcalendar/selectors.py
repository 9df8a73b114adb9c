"""Reads of the calendar, and the per-process cache of the built `WorkCalendar`.

`work_calendar()` is on the hot path of the deadline API. The calendar's revision is read at
most once every `TINHSO_CALENDAR_RECHECK_SECONDS` per process (one tiny query; 2 s by default,
0 in tests), so a warm request costs no query at all. Every calendar write draws a new revision
in its transaction (`services._bump_version`) and clears the writing process's cache on commit,
so the writer sees its change at once and every other process within the re-check interval.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor, administered_agency_ids
from tinhso.organizations.codes import InvalidIdentificationCode, normalize_identification_code
from tinhso.organizations.models import Agency
from tinhso.workcalendar.arithmetic import (
    DEFAULT_PERIODS,
    OutsideCalendarError,
    Period,
    Unit,
    WorkCalendar,
    add,
    periods_from_pairs,
    to_local,
)
from tinhso.workcalendar.models import (
    DAY_OFF_KINDS,
    CalendarDay,
    CalendarState,
    DayKind,
    WorkingHours,
)


class CalendarNotSeededError(LookupError):
    """The calendar state row is missing: run `manage.py calendar_seed`."""


class UnknownAgencyError(LookupError):
    """No agency has this identification code."""


@dataclass(frozen=True, slots=True)
class StateInfo:
    revision: uuid.UUID
    version: int
    first_year: int
    last_year: int


def calendar_state() -> StateInfo | None:
    """The calendar's revision and seeded years: one tiny query."""
    row = (
        CalendarState.objects.filter(id=1)
        .values_list("revision", "version", "first_year", "last_year")
        .first()
    )
    return StateInfo(*row) if row else None


# --- The cached WorkCalendar -------------------------------------------------------------

_MAX_AGENCIES_CACHED = 4096


@dataclass
class _Cache:
    revision: uuid.UUID | None = None
    province: WorkCalendar | None = None
    agencies: dict[str, WorkCalendar] = field(default_factory=dict)
    state: StateInfo | None = None
    state_read_at: float = 0.0


_cache = _Cache()
_lock = threading.Lock()


def work_calendar_cache_clear() -> None:
    """Forget this process's cached calendars (tests; a write does it through the revision)."""
    with _lock:
        _cache.revision = None
        _cache.province = None
        _cache.agencies = {}
        _cache.state = None


_monotonic = time.monotonic  # replaced in tests to move the clock


def _recent_state() -> StateInfo | None:
    """The calendar state, re-read from the database at most once per re-check interval."""
    interval: float = settings.TINHSO_CALENDAR_RECHECK_SECONDS
    now = _monotonic()
    with _lock:
        if _cache.state is not None and now - _cache.state_read_at < interval:
            return _cache.state
    state = calendar_state()
    with _lock:
        _cache.state = state
        _cache.state_read_at = now
    return state


def _province_calendar(state: StateInfo) -> WorkCalendar:
    first = dt.date(state.first_year, 1, 1)
    last = dt.date(state.last_year, 12, 31)
    days_off: set[dt.date] = set()
    makeup: set[dt.date] = set()
    rows = CalendarDay.objects.filter(date__range=(first, last), is_removed=False).values_list(
        "date", "kind"
    )
    for day, kind in rows:
        if kind == DayKind.MAKEUP_WORKDAY:
            makeup.add(day)
        elif kind in DAY_OFF_KINDS:
            days_off.add(day)
    row = WorkingHours.objects.filter(agency__isnull=True).values_list("periods", flat=True)
    stored = row.first()
    periods = periods_from_pairs(stored) if stored else DEFAULT_PERIODS
    return WorkCalendar(
        first_day=first,
        last_day=last,
        days_off=frozenset(days_off),
        makeup_days=frozenset(makeup),
        periods=periods,
    )


def _agency_calendar(province: WorkCalendar, code: str) -> WorkCalendar:
    agency = Agency.objects.filter(code=code).values_list("pk", flat=True).first()
    if agency is None:
        raise UnknownAgencyError(code)
    stored = WorkingHours.objects.filter(agency_id=agency).values_list("periods", flat=True).first()
    return province.with_periods(periods_from_pairs(stored)) if stored else province


def work_calendar(agency_code: str | None = None) -> WorkCalendar:
    """The province calendar, with the working hours of the agency `agency_code` if given.

    Raises `CalendarNotSeededError` when the calendar was never seeded and
    `UnknownAgencyError` for a code no agency has. An agency is cached by its code: a code
    given to another agency shows up at the next calendar write.
    """
    state = _recent_state()
    if state is None:
        raise CalendarNotSeededError
    code: str | None = None
    if agency_code is not None:
        try:
            code = normalize_identification_code(agency_code)
        except InvalidIdentificationCode as exc:
            raise UnknownAgencyError(agency_code) from exc
    with _lock:
        if _cache.revision != state.revision:
            _cache.revision = state.revision
            _cache.province = None
            _cache.agencies = {}
        province = _cache.province
        if province is not None:
            if code is None:
                return province
            cached = _cache.agencies.get(code)
            if cached is not None:
                return cached
    # Built outside the lock: a few queries, once per process and revision.
    if province is None:
        province = _province_calendar(state)
    result = province if code is None else _agency_calendar(province, code)
    with _lock:
        if _cache.revision == state.revision:
            _cache.province = _cache.province or province
            if code is not None:
                if len(_cache.agencies) >= _MAX_AGENCIES_CACHED:
                    _cache.agencies.clear()
                _cache.agencies[code] = result
    return result


# --- Special days ------------------------------------------------------------------------


def special_days(year: int) -> QuerySet[CalendarDay]:
    """The special days of `year` still in force, by date."""
    return CalendarDay.objects.filter(date__year=year, is_removed=False).select_related(
        "updated_by"
    )


def special_day_by_date(day: dt.date) -> CalendarDay | None:
    return CalendarDay.objects.filter(date=day, is_removed=False).first()


@dataclass(frozen=True, slots=True)
class DayCell:
    date: dt.date
    is_working: bool
    is_weekend: bool
    kind: str  # a DayKind value, or "" for an ordinary day
    name: str


@dataclass(frozen=True, slots=True)
class MonthGrid:
    month: int
    weeks: list[list[DayCell | None]]  # Monday-first weeks; None pads outside the month
    special: list[DayCell]


def year_grid(year: int) -> list[MonthGrid]:
    """The twelve month grids of `year` with each day's status (one query)."""
    special = {
        day: (kind, name)
        for day, kind, name in CalendarDay.objects.filter(
            date__year=year, is_removed=False
        ).values_list("date", "kind", "name")
    }
    months: list[MonthGrid] = []
    for month in range(1, 13):
        weeks: list[list[DayCell | None]] = []
        marked: list[DayCell] = []
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row: list[DayCell | None] = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                kind, name = special.get(day, ("", ""))
                weekend = day.weekday() >= 5
                if kind == DayKind.MAKEUP_WORKDAY:
                    working = True
                elif kind in DAY_OFF_KINDS:
                    working = False
                else:
                    working = not weekend
                cell = DayCell(day, working, weekend, kind, name)
                row.append(cell)
                if kind:
                    marked.append(cell)
            weeks.append(row)
        months.append(MonthGrid(month, weeks, marked))
    return months


# --- Working hours -----------------------------------------------------------------------


def province_periods() -> tuple[Period, ...]:
    stored = (
        WorkingHours.objects.filter(agency__isnull=True).values_list("periods", flat=True).first()
    )
    return periods_from_pairs(stored) if stored else DEFAULT_PERIODS


def working_hours_of(agency: Agency | None) -> WorkingHours | None:
    return WorkingHours.objects.filter(agency=agency).first()


def agencies_for_hours(actor: Actor) -> QuerySet[Agency]:
    """The agencies whose working hours the actor may set, with their own hours if any."""
    ids = administered_agency_ids(actor)
    agencies = Agency.objects.select_related("working_hours").order_by("level", "code")
    if ids is None:
        return agencies
    return agencies.filter(pk__in=ids)


# --- Deadlines ---------------------------------------------------------------------------

#: The largest amount accepted per unit: about eight years of work, beyond any procedure.
MAX_AMOUNT: dict[Unit, int] = {
    Unit.WORKING_DAYS: 2_000,
    Unit.WORKING_HOURS: 16_000,
    Unit.CALENDAR_DAYS: 3_000,
}


def deadline_due(
    *, start: dt.datetime, amount: int, unit: Unit, agency_code: str | None = None
) -> dt.datetime:
    """The due moment of `amount` `unit` from `start` (aware), in Asia/Ho_Chi_Minh.

    Raises `ValidationError` keyed by the parameter at fault (`start`, `amount`, `agency`)
    with a Vietnamese message: an unknown agency, a start or a due date outside the years
    the calendar covers.
    """
    try:
        calendar = work_calendar(agency_code)
    except UnknownAgencyError as exc:
        raise ValidationError(
            {"agency": [_("Không có cơ quan nào có mã định danh “%(code)s”.") % {"code": exc}]}
        ) from exc
    except CalendarNotSeededError as exc:
        raise ValidationError(
            {"start": [_("Lịch làm việc chưa được khởi tạo (chạy lệnh calendar_seed).")]}
        ) from exc
    first, last = calendar.first_day.year, calendar.last_day.year
    if not first <= start.year <= last or not calendar.covers(to_local(start).date()):
        raise ValidationError(
            {
                "start": [
                    _(
                        "Lịch làm việc chỉ có các năm %(first)d–%(last)d; thời điểm bắt đầu nằm ngoài khoảng này."
                    )
                    % {"first": first, "last": last}
                ]
            }
        )
    try:
        return add(calendar, start, amount, unit)
    except OutsideCalendarError as exc:
        raise ValidationError(
            {
                "amount": [
                    _("Hạn xử lý vượt quá năm %(last)d, năm cuối cùng của lịch làm việc.")
                    % {"last": last}
                ]
            }
        ) from exc
