"""The data migration's seeding is idempotent and leaves the administrator's rows alone."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from tinhso.workcalendar.models import CalendarDay, CalendarState, DaySource

pytestmark = pytest.mark.usefixtures("seeded")

migration = importlib.import_module("tinhso.workcalendar.migrations.0002_seed_calendar_2015_2035")


def test_running_the_seed_again_keeps_rows_and_edits() -> None:
    # given an administrator's edit of a seeded day
    CalendarDay.objects.filter(date=dt.date(2025, 9, 2)).update(
        name="Quốc khánh (đã xác nhận)", source=DaySource.ADMIN
    )
    count = CalendarDay.objects.count()
    version = CalendarState.objects.get().version

    # when
    migration.seed_calendar(apps, None)

    # then
    assert CalendarDay.objects.count() == count
    assert CalendarDay.objects.get(date=dt.date(2025, 9, 2)).name == "Quốc khánh (đã xác nhận)"
    assert CalendarState.objects.get().version == version + 1


def test_reversing_removes_only_seeded_rows() -> None:
    # given
    CalendarDay.objects.filter(date=dt.date(2025, 9, 2)).update(source=DaySource.ADMIN)

    # when
    migration.unseed_calendar(apps, None)

    # then
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [dt.date(2025, 9, 2)]
    assert not CalendarState.objects.exists()
