from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import AccountKind, Membership, Role, User
from tinhso.accounts.services import official_create
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency, Department
from tinhso.testing.factories import make_department, make_position

PASSWORD = "Mot-mat-khau-moi-2026!"


def _create(actor: Any, agency: Agency, **overrides: Any) -> User:
    values: dict[str, Any] = {
        "username": "tranthimoi",
        "full_name": "Trần Thị Mới",
        "password": PASSWORD,
        "email": "moi@example.gov.vn",
        "phone": "0912 345 678",
        "role": Role.CHUYEN_VIEN,
    }
    values.update(overrides)
    return official_create(actor=actor, agency=agency, **values)


def test_creates_the_account_and_its_first_membership_with_an_audit_row(
    admin_a: User, agency_a: Agency, department_a: Department
) -> None:
    # given an agency administrator and a position
    position = make_position(name="Chuyên viên chính")

    # when they create an official in their agency
    user = _create(admin_a, agency_a, department=department_a, position=position)

    # then the account exists, normalised, with a usable password and one membership
    user.refresh_from_db()
    assert (user.username, user.kind, user.phone) == (
        "tranthimoi",
        AccountKind.OFFICIAL,
        "0912345678",
    )
    assert user.check_password(PASSWORD)
    assert user.search_text == "tran thi moi tranthimoi"
    membership = Membership.objects.get(user=user)
    assert (membership.agency, membership.department, membership.role, membership.position) == (
        agency_a,
        department_a,
        Role.CHUYEN_VIEN,
        position,
    )
    event = AuditEvent.objects.get(action="accounts.official_create")
    assert event.actor_id == admin_a.pk and event.agency_id == agency_a.pk
    assert event.object_id == str(user.pk)
    assert event.changes["membership"][1]["role"] == Role.CHUYEN_VIEN
    assert "password" not in str(event.changes)


def test_every_bad_field_is_named_in_vietnamese_and_nothing_is_saved(
    admin_a: User, agency_a: Agency, agency_b: Agency
) -> None:
    # given a department of another agency and bad values everywhere
    foreign_department = make_department(agency=agency_b)
    users_before = User.objects.count()

    # when
    with pytest.raises(ValidationError) as caught:
        _create(
            admin_a,
            agency_a,
            username="Nguyễn A",
            full_name="  ",
            email="sai@",
            phone="12345",
            id_number="123",
            password="123",
            department=foreign_department,
        )

    # then each field says what is wrong
    errors = caught.value.message_dict
    assert set(errors) == {
        "username",
        "full_name",
        "email",
        "phone",
        "id_number",
        "password",
        "department",
    }
    assert "chữ cái không dấu" in errors["username"][0]
    assert errors["full_name"] == ["Họ và tên không được để trống."]
    assert errors["department"] == [
        f"Phòng ban “{foreign_department.name}” không thuộc {agency_a.name}."
    ]
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in errors["password"]
    # and nothing was written
    assert User.objects.count() == users_before
    assert not AuditEvent.objects.filter(action="accounts.official_create").exists()


def test_a_taken_username_is_refused_whatever_its_case(admin_a: User, agency_a: Agency) -> None:
    # given an existing account "qt_a" (the administrator)
    # when another is created as "QT_A"
    with pytest.raises(ValidationError) as caught:
        _create(admin_a, agency_a, username="QT_A")

    # then
    assert caught.value.message_dict["username"] == [
        "Tên đăng nhập “qt_a” đã có người dùng; hãy chọn tên khác."
    ]


def test_an_inactive_department_is_refused(admin_a: User, agency_a: Agency) -> None:
    closed = make_department(agency=agency_a, is_active=False)
    with pytest.raises(ValidationError) as caught:
        _create(admin_a, agency_a, department=closed)
    assert "đã ngừng hoạt động" in caught.value.message_dict["department"][0]


def test_an_agency_administrator_cannot_create_in_another_agency(
    admin_a: User, agency_b: Agency
) -> None:
    with pytest.raises(PermissionDenied):
        _create(admin_a, agency_b)
    assert not User.objects.filter(username="tranthimoi").exists()


def test_only_the_provincial_administrator_makes_provincial_administrators(
    admin_a: User, provincial_admin: User, agency_a: Agency
) -> None:
    # when an agency administrator tries
    with pytest.raises(PermissionDenied):
        _create(admin_a, agency_a, role=Role.QUAN_TRI_TINH)

    # then the provincial administrator can
    user = _create(provincial_admin, agency_a, role=Role.QUAN_TRI_TINH)
    assert user.memberships.get().role == Role.QUAN_TRI_TINH


def test_a_clerk_cannot_create_officials(clerk_a: User, agency_a: Agency) -> None:
    with pytest.raises(PermissionDenied):
        _create(clerk_a, agency_a)


def test_a_system_process_may_create(agency_a: Agency) -> None:
    user = _create("system:demo", agency_a, otp_required=True)
    assert user.otp_required
    assert AuditEvent.objects.get(action="accounts.official_create").actor_label == "system:demo"
