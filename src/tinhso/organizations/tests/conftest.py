from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.accounts.models import Role, User
from tinhso.organizations.models import Agency
from tinhso.testing.factories import make_agency, official

UNITS_HEADER = "level,code,name,province_code"
COMMUNE_MAPPING_HEADER = "new_province_code,new_code,new_name,old_code,old_name,merge_type"
PROVINCE_MAPPING_HEADER = "new_code,new_name,old_code,old_name,merge_type"

#: A small, consistent set of files in the format of the shipped ones (CRLF like them).
SMALL_UNITS = [
    UNITS_HEADER,
    "1,46,Thành phố Huế,46",
    "1,48,Thành phố Đà Nẵng,48",
    "2,19753,Phường Phú Xuân,46",
    "2,19774,Phường Kim Long,46",
    "2,20194,Phường Hải Châu,48",
]
SMALL_COMMUNE_MAPPING = [
    COMMUNE_MAPPING_HEADER,
    "46,19753,Phường Phú Xuân,19753,Phường Phú Hòa,full",
    "46,19753,Phường Phú Xuân,19756,Phường Phú Cát,partial",
    "46,19774,Phường Kim Long,19756,Phường Phú Cát,partial",
    "46,19774,Phường Kim Long,19774,Phường Kim Long,full",
    "48,20194,Phường Hải Châu,20194,Phường Hải Châu I,full",
    "48,20194,Phường Hải Châu,498,Huyện Hoàng Sa,full",
]
SMALL_PROVINCE_MAPPING = [
    PROVINCE_MAPPING_HEADER,
    "46,Thành phố Huế,46,Thành phố Huế,full",
    "48,Thành phố Đà Nẵng,48,Thành phố Đà Nẵng,full",
    "48,Thành phố Đà Nẵng,49,Tỉnh Quảng Nam,full",
]


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


@pytest.fixture
def small_files(tmp_path: Path) -> dict[str, Path]:
    return {
        "units": write_csv(tmp_path / "units.csv", SMALL_UNITS),
        "commune_mapping": write_csv(tmp_path / "communes.csv", SMALL_COMMUNE_MAPPING),
        "province_mapping": write_csv(tmp_path / "provinces.csv", SMALL_PROVINCE_MAPPING),
    }


def login_verified(client: Client, user: User) -> Client:
    """Sign in with the second factor done, as administrators must be."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def province_admin(db: None) -> User:
    return official(Role.QUAN_TRI_TINH, agency=make_agency(code="H57", short_name="UBND"))


@pytest.fixture
def agency_a(db: None) -> Agency:
    return make_agency(code="H57.A1", name="Sở Nội vụ", short_name="SNV")


@pytest.fixture
def agency_b(db: None) -> Agency:
    return make_agency(code="H57.B1", name="Sở Tài chính", short_name="STC")


@pytest.fixture
def agency_admin_a(agency_a: Agency) -> User:
    return official(Role.QUAN_TRI_CO_QUAN, agency=agency_a)


@pytest.fixture
def make_client(client: Client) -> Callable[[User | None], Client]:
    """A test client signed in as the user (second factor done for administrators)."""

    def build(user: User | None) -> Client:
        if user is None:
            return client
        return login_verified(client, user)

    return build
