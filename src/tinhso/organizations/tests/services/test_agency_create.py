from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import Role, User
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency, AgencyKind, AgencyLevel
from tinhso.organizations.services import agency_create
from tinhso.testing.factories import make_agency, make_unit, official

pytestmark = pytest.mark.django_db


def _values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": "h57.20",
        "name": "  Sở Du lịch  ",
        "short_name": "SDL",
        "level": AgencyLevel.PROVINCE,
        "kind": AgencyKind.DEPARTMENT,
    }
    values.update(overrides)
    return values


def test_provincial_admin_creates_an_agency_with_audit_row(province_admin: User) -> None:
    # when
    agency = agency_create(actor=province_admin, **_values(email="sdl@hue.example"))

    # then
    assert agency.code == "H57.20"
    assert agency.name == "Sở Du lịch"
    assert agency.search_text == "so du lich sdl h57.20"
    event = AuditEvent.objects.get()
    assert event.action == "organizations.agency_create"
    assert event.actor_id == province_admin.pk
    assert event.agency_id == agency.pk
    assert event.changes["code"] == [None, "H57.20"]


@pytest.mark.parametrize("code", ["H57.01", "000.00.00.H57", "000.00.11.H53", "G06.01.ABC"])
def test_accepts_both_styles_of_identification_code(code: str) -> None:
    # when
    agency = agency_create(actor="system", **_values(code=code))

    # then
    assert agency.code == code


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"code": "H5701"}, "code", "không đúng cấu trúc"),
        ({"code": "Z57.01"}, "code", "không đúng cấu trúc"),
        ({"code": "H57.Đ1"}, "code", "chỉ gồm chữ cái A–Z"),
        ({"code": ""}, "code", "không được để trống"),
        ({"code": "H57." + "1" * 40}, "code", "tối đa 35 ký tự"),
        ({"name": ""}, "name", "Tên cơ quan không được để trống"),
        ({"name": "S" * 256}, "name", "Tên cơ quan dài tối đa 255 ký tự (đang có 256)"),
        ({"short_name": "X" * 21}, "short_name", "Tên viết tắt dài tối đa 20 ký tự"),
        ({"address": "A" * 256}, "address", "Địa chỉ dài tối đa 255 ký tự"),
        ({"email": "khong-phai-email"}, "email", "Thư điện tử “khong-phai-email” không đúng"),
        ({"phone": "0234-abc"}, "phone", "Điện thoại chỉ gồm chữ số"),
        ({"level": "hamlet"}, "level", "Cấp cơ quan “hamlet” không hợp lệ"),
        ({"kind": "x"}, "kind", "Loại cơ quan “x” không hợp lệ"),
        (
            {"valid_from": dt.date(2026, 1, 2), "valid_to": dt.date(2026, 1, 1)},
            "valid_to",
            "không được trước ngày bắt đầu (02/01/2026)",
        ),
        ({"level": AgencyLevel.DISTRICT}, "level", "không còn chính quyền cấp huyện"),
        (
            {"level": AgencyLevel.DISTRICT, "valid_to": dt.date(2025, 7, 1)},
            "level",
            "chậm nhất ngày 30/6/2025",
        ),
    ],
)
def test_bad_input_names_the_field_in_vietnamese_and_saves_nothing(
    overrides: dict[str, Any], field: str, fragment: str
) -> None:
    # when
    with pytest.raises(ValidationError) as caught:
        agency_create(actor="system", **_values(**overrides))

    # then
    messages = caught.value.message_dict[field]
    assert any(fragment in message for message in messages), messages
    assert not Agency.objects.exists()
    assert not AuditEvent.objects.exists()


def test_district_agency_closed_before_july_2025_is_history_and_allowed() -> None:
    # when
    agency = agency_create(
        actor="system",
        **_values(
            code="000.00.31.H57",
            name="Ủy ban nhân dân huyện Phú Vang",
            short_name="UBND",
            level=AgencyLevel.DISTRICT,
            kind=AgencyKind.PEOPLES_COMMITTEE,
            valid_to=dt.date(2025, 6, 30),
        ),
    )

    # then
    assert agency.level == AgencyLevel.DISTRICT


def test_code_already_issued_is_refused() -> None:
    # given
    make_agency(code="H57.20", name="Sở Du lịch cũ")

    # when
    with pytest.raises(ValidationError) as caught:
        agency_create(actor="system", **_values(code="H57.20"))

    # then
    assert caught.value.message_dict["code"] == [
        "Mã định danh H57.20 đã được cấp cho Sở Du lịch cũ."
    ]


def test_admin_unit_must_match_the_level() -> None:
    # given
    commune = make_unit()

    # when
    with pytest.raises(ValidationError) as caught:
        agency_create(actor="system", **_values(admin_unit=commune))

    # then
    assert "phải là đơn vị tỉnh, thành phố" in caught.value.message_dict["admin_unit"][0]


@pytest.mark.parametrize("role", [Role.QUAN_TRI_CO_QUAN, Role.LANH_DAO, Role.VAN_THU])
def test_only_the_provincial_admin_creates_agencies(role: str) -> None:
    # given
    user = official(role)

    # when
    with pytest.raises(PermissionDenied):
        agency_create(actor=user, **_values())

    # then
    assert not Agency.objects.filter(code="H57.20").exists()
