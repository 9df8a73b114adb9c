"""Fixtures of the accounts tests: agencies, officials of each role, signed-in clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tinhso.accounts import authentication
from tinhso.accounts.models import AccessRevision, Role, User
from tinhso.accounts.tests.helpers import sign_in
from tinhso.organizations.models import Agency, Department
from tinhso.testing.factories import make_agency, make_department, official
from tinhso.testing.fixtures import MonotonicClock as Clock


@pytest.fixture
def agency_a(db: None) -> Agency:
    return make_agency(name="Sở Tư pháp", short_name="STP")


@pytest.fixture
def agency_b(db: None) -> Agency:
    return make_agency(name="Sở Y tế", short_name="SYT")


@pytest.fixture
def department_a(agency_a: Agency) -> Department:
    return make_department(agency=agency_a, name="Phòng Hành chính tư pháp")


@pytest.fixture
def admin_a(agency_a: Agency) -> User:
    return official(Role.QUAN_TRI_CO_QUAN, agency=agency_a, username="qt_a", full_name="Quản Trị A")


@pytest.fixture
def admin_b(agency_b: Agency) -> User:
    return official(Role.QUAN_TRI_CO_QUAN, agency=agency_b, username="qt_b", full_name="Quản Trị B")


@pytest.fixture
def provincial_admin(db: None) -> User:
    office = make_agency(name="Văn phòng UBND tỉnh", short_name="VP")
    return official(
        Role.QUAN_TRI_TINH, agency=office, username="qt_tinh", full_name="Quản Trị Tỉnh"
    )


@pytest.fixture
def clerk_a(agency_a: Agency) -> User:
    return official(Role.VAN_THU, agency=agency_a, username="vanthu_a", full_name="Văn Thư A")


@pytest.fixture
def admin_client(client: Client, admin_a: User) -> Client:
    return sign_in(client, admin_a)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, settings: Any, db: None) -> Iterator[Clock]:
    """The access revision re-read every 5 s (the test settings keep nothing)."""
    settings.TINHSO_API_TOKEN_RECHECK_SECONDS = 5
    # The migration writes the row; a transactional test's flush may have emptied the table.
    AccessRevision.objects.get_or_create(pk=1)
    c = Clock()
    monkeypatch.setattr(authentication, "_monotonic", c)
    authentication.api_token_cache_clear()
    yield c
    authentication.api_token_cache_clear()
