from __future__ import annotations

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.accounts.models import Role, User
from tinhso.procedures.tests.factories import Province
from tinhso.testing.factories import make_agency, official


@pytest.fixture
def province(db: None) -> Province:
    return Province()


@pytest.fixture
def admin(db: None) -> User:
    """A provincial administrator (quản trị cấp tỉnh)."""
    return official(Role.QUAN_TRI_TINH, agency=make_agency(code="H57", short_name="UBND"))


@pytest.fixture
def specialist(province: Province) -> User:
    return official(Role.CHUYEN_VIEN, agency=province.so, department=province.so_department)


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    """The provincial administrator, signed in with the second factor done."""
    client.force_login(admin)
    device = TOTPDevice.objects.create(user=admin, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def specialist_client(client: Client, specialist: User) -> Client:
    client.force_login(specialist)
    return client
