from __future__ import annotations

import datetime as dt

import pytest

from tinhso.audit.models import AuditEvent
from tinhso.testing.fixtures import DemoProvince
from tinhso.web.tests.browser.pages import World
from tinhso.workcalendar import services as calendar_services
from tinhso.workcalendar.models import DayKind


@pytest.fixture
def world(demo_province: DemoProvince) -> World:
    """The demo province, with what the pages with an id in their URL need."""
    admin = demo_province.user("admin")
    official = demo_province.user("chuyenvien")
    membership = official.memberships.select_related("department").get()
    assert membership.department is not None
    day = dt.date(2026, 1, 1)
    # Transactional tests empty the tables seeded by migrations: put back one special day.
    calendar_services.calendar_day_set(
        actor=admin,
        date=day,
        kind=DayKind.HOLIDAY,
        name="Tết Dương lịch",
        legal_reference="Bộ luật Lao động 2019, Điều 112",
    )
    return World(
        admin=admin,
        official=official,
        agency=demo_province.snv,
        department=membership.department,
        membership=membership,
        audit_seq=AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0],
        day=day,
    )
