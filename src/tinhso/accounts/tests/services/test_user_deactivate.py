from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import Role, User
from tinhso.accounts.services import api_token_issue, user_deactivate, user_reactivate
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency
from tinhso.testing.factories import make_membership, official


def test_locks_the_account_revokes_its_tokens_and_keeps_memberships(
    admin_a: User, agency_a: Agency
) -> None:
    # given a specialist with a live API token
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    token, _key = api_token_issue(actor=specialist)

    # when the administrator locks the account
    user_deactivate(actor=admin_a, user=specialist)

    # then
    specialist.refresh_from_db()
    token.refresh_from_db()
    assert not specialist.is_active
    assert token.revoked_at is not None
    assert specialist.memberships.filter(is_active=True).count() == 1
    event = AuditEvent.objects.get(action="accounts.user_deactivate")
    assert event.changes == {"is_active": [True, False], "api_tokens_revoked": 1}
    assert event.agency_id == agency_a.pk


def test_locking_twice_is_refused_and_reactivating_unlocks(admin_a: User, agency_a: Agency) -> None:
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    user_deactivate(actor=admin_a, user=specialist)
    with pytest.raises(ValidationError) as caught:
        user_deactivate(actor=admin_a, user=specialist)
    assert caught.value.messages == ["Tài khoản này đã bị khóa trước đó."]

    user_reactivate(actor=admin_a, user=specialist)
    specialist.refresh_from_db()
    assert specialist.is_active
    with pytest.raises(ValidationError):
        user_reactivate(actor=admin_a, user=specialist)


def test_an_agency_administrator_cannot_lock_an_official_shared_with_another_agency(
    admin_a: User, provincial_admin: User, agency_a: Agency, agency_b: Agency
) -> None:
    # given an official working in A and B
    shared = official(Role.CHUYEN_VIEN, agency=agency_a)
    make_membership(user=shared, agency=agency_b, role=Role.VAN_THU)

    # when A's administrator tries, then the provincial administrator
    with pytest.raises(PermissionDenied):
        user_deactivate(actor=admin_a, user=shared)
    shared.refresh_from_db()
    assert shared.is_active
    user_deactivate(actor=provincial_admin, user=shared)
    shared.refresh_from_db()
    assert not shared.is_active


def test_nobody_locks_themselves(admin_a: User, provincial_admin: User) -> None:
    with pytest.raises(PermissionDenied):
        user_deactivate(actor=admin_a, user=admin_a)
    with pytest.raises(PermissionDenied):
        user_deactivate(actor=provincial_admin, user=provincial_admin)


def test_an_agency_administrator_cannot_lock_a_superuser(admin_a: User, agency_a: Agency) -> None:
    root = official(Role.CHUYEN_VIEN, agency=agency_a, is_superuser=True)
    with pytest.raises(PermissionDenied):
        user_deactivate(actor=admin_a, user=root)
