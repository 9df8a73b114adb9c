"""Seed the calendar of 2015–2035 from the `holidays` package on every installation.

The days come from `tinhso.workcalendar.seed.seed_days`, a pure function that imports no
model; the writing is frozen here with the historical models. Rows an administrator
created, edited or removed (`source = admin`) are never overwritten. Reversing removes
only the rows this migration wrote that nobody has edited since.
"""

import uuid
from typing import Any

from django.db import migrations
from django.utils import timezone

FIRST_YEAR = 2015
LAST_YEAR = 2035


def seed_calendar(apps: Any, schema_editor: Any) -> None:
    from tinhso.workcalendar.seed import seed_days

    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    CalendarState = apps.get_model("workcalendar", "CalendarState")
    now = timezone.now()
    existing = {row.date: row for row in CalendarDay.objects.all()}
    created = []
    for entry in seed_days(FIRST_YEAR, LAST_YEAR):
        row = existing.get(entry.date)
        if row is None:
            created.append(
                CalendarDay(
                    date=entry.date,
                    kind=entry.kind,
                    name=entry.name,
                    legal_reference=entry.legal_reference,
                    source="seed",
                    updated_at=now,
                )
            )
        elif row.source == "seed":
            row.kind = entry.kind
            row.name = entry.name
            row.legal_reference = entry.legal_reference
            row.is_removed = False
            row.save(update_fields=["kind", "name", "legal_reference", "is_removed"])
    CalendarDay.objects.bulk_create(created)

    state = CalendarState.objects.filter(id=1).first()
    if state is None:
        CalendarState.objects.create(
            id=1,
            version=1,
            revision=uuid.uuid4(),
            first_year=FIRST_YEAR,
            last_year=LAST_YEAR,
            updated_at=now,
        )
    else:
        state.version += 1
        state.revision = uuid.uuid4()
        state.first_year = min(state.first_year, FIRST_YEAR)
        state.last_year = max(state.last_year, LAST_YEAR)
        state.updated_at = now
        state.save()


def unseed_calendar(apps: Any, schema_editor: Any) -> None:
    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    CalendarState = apps.get_model("workcalendar", "CalendarState")
    CalendarDay.objects.filter(source="seed").delete()
    CalendarState.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_calendar_days_working_hours_state")]

    operations = [migrations.RunPython(seed_calendar, unseed_calendar)]
