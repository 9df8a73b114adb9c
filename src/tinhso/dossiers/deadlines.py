"""The dossier's times through the working-day calendar.

The legal time of a procedure runs from the moment of receipt (vn-onestop §1, §6); the result
is stored on the dossier (`due_at`), so a later edit of the calendar never moves a deadline
that has been given to the applicant. Only the supplement pause moves it, by the working time
the dossier waited for the applicant (Thông tư 01/2018 practice, vn-onestop §1 "Resolve").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tinhso.procedures.models import TimeUnit
from tinhso.workcalendar.arithmetic import (
    HOURS_PER_WORKING_DAY,
    CalendarError,
    WorkCalendar,
    add_calendar_days,
    add_working_time,
    to_local,
    working_time_between,
)
from tinhso.workcalendar.selectors import (
    CalendarNotSeededError,
    UnknownAgencyError,
    work_calendar,
)


def calendar_of(agency_code: str) -> WorkCalendar:
    """The working calendar of an agency (its own hours if it has set any)."""
    try:
        return work_calendar(agency_code)
    except UnknownAgencyError:
        return work_calendar(None)
    except CalendarNotSeededError as exc:
        raise ValidationError(
            _("Lịch làm việc chưa được khởi tạo (chạy lệnh calendar_seed).")
        ) from exc


def _outside(exc: CalendarError) -> ValidationError:
    return ValidationError(
        _("Không tính được thời hạn: lịch làm việc chưa có các ngày cần dùng (%(why)s).")
        % {"why": exc}
    )


def legal_due(
    calendar: WorkCalendar, start: dt.datetime, amount: Decimal, unit: str
) -> dt.datetime:
    """The due moment of a procedure's legal time `amount` `unit` counted from `start`.

    Working days are 8 working hours each and may be fractional (½ day = 4 hours); calendar
    days and months follow Bộ luật Dân sự 2015 Điều 147–148 (the first day is not counted; a
    last day that is a day off moves to the next working day; the day ends when work ends).
    """
    try:
        match unit:
            case TimeUnit.WORKING_DAYS:
                hours = amount * HOURS_PER_WORKING_DAY
                return add_working_time(calendar, start, dt.timedelta(hours=float(hours)))
            case TimeUnit.WORKING_HOURS:
                return add_working_time(calendar, start, dt.timedelta(hours=float(amount)))
            case TimeUnit.CALENDAR_DAYS:
                return add_calendar_days(calendar, start, int(amount))
            case TimeUnit.MONTHS:
                day = to_local(start).date()
                target = day + relativedelta(months=int(amount))
                return add_calendar_days(calendar, start, (target - day).days)
    except CalendarError as exc:
        raise _outside(exc) from exc
    raise ValueError(f"unknown time unit {unit!r}")


def step_due(calendar: WorkCalendar, start: dt.datetime, hours: Decimal) -> dt.datetime:
    """The due moment of a step of `hours` working hours handed over at `start`."""
    try:
        return add_working_time(calendar, start, dt.timedelta(hours=float(hours)))
    except CalendarError as exc:
        raise _outside(exc) from exc


def transfer_cutoff() -> dt.time:
    """After this local time a received dossier goes to the resolving agency at the start of
    the next working day (15:00: the standard clause of the provincial internal procedures
    under Nghị định 61/2018 and 118/2025, vn-onestop §1 "Transfer"). Configurable [I]."""
    value = getattr(settings, "TINHSO_DOSSIER_TRANSFER_CUTOFF", "15:00")
    return dt.time.fromisoformat(value)


def transfer_moment(calendar: WorkCalendar, received_at: dt.datetime) -> dt.datetime:
    """When a dossier received at `received_at` is handed to the resolving agency."""
    local = to_local(received_at)
    try:
        if calendar.is_working_day(local.date()) and local.time() < transfer_cutoff():
            return calendar.first_working_moment(local)
        following = calendar.next_working_day(local.date() + dt.timedelta(days=1))
        return calendar.first_working_moment(
            dt.datetime.combine(following, dt.time(0, 0), tzinfo=local.tzinfo)
        )
    except CalendarError as exc:
        raise _outside(exc) from exc


def paused_working_time(
    calendar: WorkCalendar, paused_at: dt.datetime, resumed_at: dt.datetime
) -> dt.timedelta:
    """The working time between a supplement request and the applicant's answer."""
    try:
        return max(working_time_between(calendar, paused_at, resumed_at), dt.timedelta())
    except CalendarError as exc:
        raise _outside(exc) from exc


def shift(calendar: WorkCalendar, moment: dt.datetime, by: dt.timedelta) -> dt.datetime:
    """`moment` moved forward by `by` of working time."""
    if not by:
        return moment
    try:
        return add_working_time(calendar, moment, by)
    except CalendarError as exc:
        raise _outside(exc) from exc


def one_working_day_before(calendar: WorkCalendar, now: dt.datetime, due: dt.datetime) -> bool:
    """True while at least one working day remains before `due` (the apology's last moment,
    vn-onestop §1 "Late": "chậm nhất 01 ngày trước ngày hẹn trả")."""
    try:
        return working_time_between(calendar, now, due) >= dt.timedelta(hours=HOURS_PER_WORKING_DAY)
    except CalendarError as exc:
        raise _outside(exc) from exc
