"""The calendar's routes in the access matrix (see tinhso.testing.access_matrix).

Reading the calendar and previewing deadlines is for officials; the deadline API is public;
the province's special days belong to the provincial administrator; an agency's working hours
to its own administrator and to the provincial administrator.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from tinhso.testing.access_matrix import (
    ALLOWED,
    EVERYONE,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    Endpoint,
    World,
    expect,
)
from tinhso.workcalendar.models import CalendarDay, DayKind, DaySource

OFFICIALS = expect(ALLOWED, anonymous=LOGIN, citizen=FORBIDDEN)
PROVINCIAL_ADMIN = expect(FORBIDDEN, anonymous=LOGIN, quan_tri_tinh=ALLOWED)
HOURS_ADMINS = expect(
    FORBIDDEN,
    anonymous=LOGIN,
    quan_tri_co_quan_a=ALLOWED,
    quan_tri_co_quan_b=ALLOWED,
    quan_tri_tinh=ALLOWED,
)
AGENCY_A_HOURS = expect(
    FORBIDDEN, anonymous=LOGIN, quan_tri_co_quan_a=ALLOWED, quan_tri_tinh=ALLOWED
)
# A special day exists for everyone, but only the provincial administrator may reach it.
DAY = dt.date(2031, 3, 5)


def _special_day(w: World) -> dt.date:
    row = w.make(
        "special_day",
        lambda: CalendarDay.objects.update_or_create(
            date=DAY,
            defaults={
                "kind": DayKind.CLOSURE,
                "name": "Nghỉ do bão (ma trận quyền)",
                "legal_reference": "QĐ thử nghiệm",
                "source": DaySource.ADMIN,
                "is_removed": False,
            },
        )[0],
    )
    day: dt.date = row.date
    return day


def _day_args(w: World) -> list[int]:
    day = _special_day(w)
    return [day.year, day.month, day.day]


def _deadline(w: World) -> str:
    return reverse("calendar-deadline") + (
        "?start=2026-04-28T09:00:00%2B07:00&amount=3&unit=working_days"
    )


ENDPOINTS = [
    Endpoint("workcalendar:calendar", "GET", expect=OFFICIALS),
    Endpoint("workcalendar:deadline", "GET", expect=OFFICIALS),
    Endpoint("workcalendar:day_list", "GET", expect=PROVINCIAL_ADMIN),
    Endpoint("workcalendar:day_add", "GET", expect=PROVINCIAL_ADMIN),
    Endpoint(
        "workcalendar:day_edit",
        "GET",
        url=lambda w: reverse("workcalendar:day_edit", args=_day_args(w)),
        expect=PROVINCIAL_ADMIN,
    ),
    Endpoint(
        "workcalendar:day_remove",
        "GET",
        url=lambda w: reverse("workcalendar:day_remove", args=_day_args(w)),
        expect=PROVINCIAL_ADMIN,
    ),
    Endpoint("workcalendar:working_hours", "GET", expect=HOURS_ADMINS),
    Endpoint("workcalendar:working_hours_province", "GET", expect=PROVINCIAL_ADMIN),
    Endpoint(
        "workcalendar:working_hours_edit",
        "GET",
        url=lambda w: reverse("workcalendar:working_hours_edit", args=[w.agency_a.pk]),
        expect=AGENCY_A_HOURS,
    ),
    Endpoint(
        "workcalendar:working_hours_edit",
        "GET",
        label="unknown agency",
        url=lambda w: reverse("workcalendar:working_hours_edit", args=[999_999]),
        expect=expect(
            NOT_FOUND,
            anonymous=LOGIN,
            citizen=NOT_FOUND,
        ),
    ),
    Endpoint(
        "workcalendar:working_hours_reset",
        "POST",
        url=lambda w: reverse("workcalendar:working_hours_reset", args=[w.agency_a.pk]),
        expect=AGENCY_A_HOURS,
        success=frozenset({302}),
    ),
    Endpoint("calendar-deadline", "GET", url=_deadline, expect=EVERYONE),
]
