from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import Membership, Role, User
from tinhso.accounts.services import membership_add, membership_end
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency, Department
from tinhso.testing.factories import make_user, official


def test_grants_a_second_role_with_an_audit_row(
    admin_a: User, agency_a: Agency, department_a: Department
) -> None:
    # given a specialist of agency A
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)

    # when the administrator makes them head of a department too
    membership = membership_add(
        actor=admin_a, user=specialist, agency=agency_a, department=department_a, role=Role.LANH_DAO
    )

    # then they hold two roles, and the grant is in the audit trail
    assert set(specialist.memberships.values_list("role", flat=True)) == {
        Role.CHUYEN_VIEN,
        Role.LANH_DAO,
    }
    event = AuditEvent.objects.get(action="accounts.membership_add")
    assert event.object_id == str(membership.pk) and event.agency_id == agency_a.pk


def test_the_same_active_role_twice_is_refused(admin_a: User, agency_a: Agency) -> None:
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    with pytest.raises(ValidationError) as caught:
        membership_add(actor=admin_a, user=specialist, agency=agency_a, role=Role.CHUYEN_VIEN)
    assert caught.value.message_dict["role"] == [
        f"Cán bộ đã có vai trò Chuyên viên tại {agency_a.name}."
    ]
    assert specialist.memberships.count() == 1


def test_an_ended_role_may_be_granted_again(admin_a: User, agency_a: Agency) -> None:
    # given a role that was ended
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    membership_end(actor=admin_a, membership=specialist.memberships.get())

    # when it is granted again
    membership_add(actor=admin_a, user=specialist, agency=agency_a, role=Role.CHUYEN_VIEN)

    # then history keeps both rows, one active
    rows = list(specialist.memberships.order_by("pk").values_list("is_active", flat=True))
    assert rows == [False, True]


def test_an_agency_administrator_grants_only_in_their_agency(
    admin_a: User, agency_a: Agency, agency_b: Agency
) -> None:
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    with pytest.raises(PermissionDenied):
        membership_add(actor=admin_a, user=specialist, agency=agency_b, role=Role.CHUYEN_VIEN)
    with pytest.raises(PermissionDenied):
        membership_add(actor=admin_a, user=specialist, agency=agency_a, role=Role.QUAN_TRI_TINH)
    assert specialist.memberships.count() == 1


def test_citizens_and_locked_accounts_get_no_memberships(admin_a: User, agency_a: Agency) -> None:
    citizen = make_user(citizen=True)
    locked = official(Role.CHUYEN_VIEN, agency=agency_a, is_active=False)
    with pytest.raises(ValidationError) as caught:
        membership_add(actor=admin_a, user=citizen, agency=agency_a, role=Role.VAN_THU)
    assert "Chỉ tài khoản cán bộ" in caught.value.message_dict["user"][0]
    with pytest.raises(ValidationError) as caught:
        membership_add(actor=admin_a, user=locked, agency=agency_a, role=Role.VAN_THU)
    assert "đã bị khóa" in caught.value.message_dict["user"][0]
    assert not Membership.objects.filter(role=Role.VAN_THU).exists()
