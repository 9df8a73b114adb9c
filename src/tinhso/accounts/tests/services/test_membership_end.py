from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import Role, User
from tinhso.accounts.services import membership_end
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency
from tinhso.testing.factories import make_membership, official


def test_ends_the_membership_keeping_the_row(admin_a: User, agency_a: Agency) -> None:
    # given a specialist
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    membership = specialist.memberships.get()

    # when the administrator ends the membership
    membership_end(actor=admin_a, membership=membership)

    # then the row stays, inactive with its end time, and the role is gone from the actor view
    membership.refresh_from_db()
    assert not membership.is_active and membership.ended_at is not None
    assert actor_for(User.objects.get(pk=specialist.pk)).roles == frozenset()
    event = AuditEvent.objects.get(action="accounts.membership_end")
    assert event.changes["is_active"] == [True, False]


def test_ending_twice_is_refused(admin_a: User, agency_a: Agency) -> None:
    membership = official(Role.CHUYEN_VIEN, agency=agency_a).memberships.get()
    membership_end(actor=admin_a, membership=membership)
    with pytest.raises(ValidationError) as caught:
        membership_end(actor=admin_a, membership=membership)
    assert caught.value.messages == ["Vị trí công tác này đã kết thúc trước đó."]
    assert AuditEvent.objects.filter(action="accounts.membership_end").count() == 1


def test_an_agency_administrator_cannot_end_another_agencys_membership(
    admin_a: User, agency_a: Agency, agency_b: Agency
) -> None:
    # given an official of A who also works in B
    shared = official(Role.CHUYEN_VIEN, agency=agency_a)
    in_b = make_membership(user=shared, agency=agency_b, role=Role.CHUYEN_VIEN)

    # when A's administrator ends the B membership
    with pytest.raises(PermissionDenied):
        membership_end(actor=admin_a, membership=in_b)

    # then it is untouched
    in_b.refresh_from_db()
    assert in_b.is_active


def test_an_administrator_cannot_end_their_own_membership(admin_a: User) -> None:
    with pytest.raises(PermissionDenied):
        membership_end(actor=admin_a, membership=admin_a.memberships.get())


def test_only_the_provincial_administrator_ends_a_provincial_administrator(
    admin_a: User, provincial_admin: User, agency_a: Agency
) -> None:
    # given a provincial administrator whose membership is in agency A
    other = official(Role.QUAN_TRI_TINH, agency=agency_a)
    membership = other.memberships.get()

    # when / then
    with pytest.raises(PermissionDenied):
        membership_end(actor=admin_a, membership=membership)
    membership_end(actor=provincial_admin, membership=membership)
    membership.refresh_from_db()
    assert not membership.is_active
