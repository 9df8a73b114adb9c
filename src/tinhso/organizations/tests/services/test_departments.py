from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import Role, User
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency, Department
from tinhso.organizations.services import (
    department_create,
    department_update,
    position_create,
)
from tinhso.testing.factories import make_agency, make_department, official

pytestmark = pytest.mark.django_db


def test_agency_admin_adds_a_department(agency_a: Agency, agency_admin_a: User) -> None:
    # when
    department = department_create(
        actor=agency_admin_a, agency=agency_a, name=" Văn phòng Sở ", short_name="VP"
    )

    # then
    assert department.name == "Văn phòng Sở"
    event = AuditEvent.objects.get()
    assert event.action == "organizations.department_create"
    assert event.agency_id == agency_a.pk


def test_duplicate_name_in_the_agency_is_refused(agency_a: Agency, agency_admin_a: User) -> None:
    # given
    make_department(agency=agency_a, name="Văn phòng Sở")

    # when
    with pytest.raises(ValidationError) as caught:
        department_create(actor=agency_admin_a, agency=agency_a, name="văn phòng sở")

    # then
    assert caught.value.message_dict["name"] == ["Cơ quan đã có phòng ban tên “văn phòng sở”."]
    assert Department.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "short_name", "field", "message"),
    [
        ("", "", "name", "Tên phòng ban không được để trống."),
        ("P" * 256, "", "name", "Tên phòng ban dài tối đa 255 ký tự (đang có 256)."),
        ("Phòng A", "X" * 21, "short_name", "Tên viết tắt dài tối đa 20 ký tự (đang có 21)."),
    ],
)
def test_bad_input_is_refused_in_vietnamese(
    agency_a: Agency, agency_admin_a: User, name: str, short_name: str, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        department_create(actor=agency_admin_a, agency=agency_a, name=name, short_name=short_name)
    assert caught.value.message_dict[field] == [message]
    assert not Department.objects.exists()


def test_closed_agency_gets_no_new_department(province_admin: User) -> None:
    # given
    agency = make_agency(valid_to=dt.date(2025, 6, 30))

    # then
    with pytest.raises(ValidationError, match="đã kết thúc hoạt động"):
        department_create(actor=province_admin, agency=agency, name="Phòng Mới")


@pytest.mark.parametrize("role", [Role.CHUYEN_VIEN, Role.LANH_DAO])
def test_officials_without_admin_role_may_not_manage_departments(
    agency_a: Agency, role: str
) -> None:
    # given
    user = official(role, agency=agency_a)

    # then
    with pytest.raises(PermissionDenied):
        department_create(actor=user, agency=agency_a, name="Phòng Mới")


def test_admin_of_another_agency_may_not_manage_departments(
    agency_a: Agency, agency_b: Agency
) -> None:
    # given
    admin_b = official(Role.QUAN_TRI_CO_QUAN, agency=agency_b)
    department = make_department(agency=agency_a)

    # then
    with pytest.raises(PermissionDenied):
        department_update(actor=admin_b, department=department, changes={"name": "Đổi"})


def test_update_renames_and_deactivates(agency_a: Agency, agency_admin_a: User) -> None:
    # given
    department = make_department(agency=agency_a, name="Phòng Cũ")

    # when
    department_update(
        actor=agency_admin_a,
        department=department,
        changes={"name": "Phòng Mới", "is_active": False},
    )

    # then
    department.refresh_from_db()
    assert (department.name, department.is_active) == ("Phòng Mới", False)
    event = AuditEvent.objects.get()
    assert event.changes == {"is_active": [True, False], "name": ["Phòng Cũ", "Phòng Mới"]}


def test_position_create_is_for_the_provincial_admin(province_admin: User) -> None:
    # when
    position = position_create(actor=province_admin, name="Giám đốc", rank=30, is_leadership=True)

    # then
    assert position.is_leadership
    with pytest.raises(ValidationError, match="đã có"):
        position_create(actor=province_admin, name="giám đốc")
    with pytest.raises(PermissionDenied):
        position_create(actor=official(Role.QUAN_TRI_CO_QUAN), name="Trưởng phòng")
