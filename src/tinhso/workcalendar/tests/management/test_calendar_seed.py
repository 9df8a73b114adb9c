from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tinhso.workcalendar.models import CalendarDay, CalendarState

pytestmark = pytest.mark.usefixtures("seeded")


def test_extends_the_calendar_to_later_years() -> None:
    # given
    out = StringIO()

    # when
    call_command("calendar_seed", "--from-year", "2036", "--to-year", "2037", stdout=out)

    # then
    assert CalendarDay.objects.filter(date=dt.date(2036, 9, 2)).exists()
    assert CalendarState.objects.get().last_year == 2037
    assert "Lịch 2036–2037: thêm" in out.getvalue()


def test_reapplying_the_default_years_changes_nothing() -> None:
    out = StringIO()
    call_command("calendar_seed", stdout=out)
    assert "thêm 0, cập nhật 0, giữ nguyên 315" in out.getvalue()


def test_bad_years_are_an_error() -> None:
    with pytest.raises(CommandError, match="Khoảng năm"):
        call_command("calendar_seed", "--from-year", "2030", "--to-year", "2020")
