"""Fixtures of the calendar's tests: the seeded calendar, officials by role, verified logins."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from tinhso.accounts.models import Role, User
from tinhso.organizations.models import Agency
from tinhso.testing.factories import official
from tinhso.workcalendar import seed
from tinhso.workcalendar.models import CalendarState
from tinhso.workcalendar.selectors import work_calendar_cache_clear
from tinhso.workcalendar.services import calendar_seed_apply
from tinhso.workcalendar.tests.factories import make_agency


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    work_calendar_cache_clear()
    yield
    work_calendar_cache_clear()


@pytest.fixture
def seeded(db: None) -> None:
    """The 2015–2035 seed of the data migration (re-applied if a flush emptied the table)."""
    if not CalendarState.objects.filter(
        id=1, first_year__lte=seed.SEED_FIRST_YEAR, last_year__gte=seed.SEED_LAST_YEAR
    ).exists():
        calendar_seed_apply(from_year=seed.SEED_FIRST_YEAR, to_year=seed.SEED_LAST_YEAR)


@pytest.fixture
def agency_a(db: None) -> Agency:
    return make_agency()


@pytest.fixture
def agency_b(db: None) -> Agency:
    return make_agency()


@pytest.fixture
def province_admin(db: None) -> User:
    return official(Role.QUAN_TRI_TINH)


@pytest.fixture
def admin_a(agency_a: Agency) -> User:
    return official(Role.QUAN_TRI_CO_QUAN, agency=agency_a)


@pytest.fixture
def admin_b(agency_b: Agency) -> User:
    return official(Role.QUAN_TRI_CO_QUAN, agency=agency_b)


@pytest.fixture
def specialist_a(agency_a: Agency) -> User:
    return official(Role.CHUYEN_VIEN, agency=agency_a)


@pytest.fixture
def login() -> Callable[[User], Client]:
    """A client logged in as `user`, with the second factor done (administrators need it)."""

    def log_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        device = StaticDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return log_in
