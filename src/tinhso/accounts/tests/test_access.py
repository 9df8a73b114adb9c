from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tinhso.accounts.access import (
    access_agency_administration,
    access_membership,
    access_official,
    access_official_account,
    actor_for,
    can_manage_account,
)
from tinhso.accounts.models import Role, User
from tinhso.organizations.models import Agency
from tinhso.testing.factories import make_membership, make_user, official


def test_the_officials_pages_are_for_administrators(
    clerk_a: User, agency_a: Agency, admin_a: User
) -> None:
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    with pytest.raises(PermissionDenied):
        access_official(actor_for(clerk_a), specialist.pk)
    with pytest.raises(PermissionDenied):
        access_agency_administration(actor_for(make_user(citizen=True)), agency_a.pk)
    assert access_official(actor_for(admin_a), specialist.pk) == specialist


def test_another_agencys_officials_are_hidden(
    admin_b: User, agency_a: Agency, provincial_admin: User
) -> None:
    specialist = official(Role.CHUYEN_VIEN, agency=agency_a)
    with pytest.raises(Http404):
        access_official(actor_for(admin_b), specialist.pk)
    with pytest.raises(Http404):
        access_agency_administration(actor_for(admin_b), agency_a.pk)
    with pytest.raises(Http404):
        access_membership(actor_for(admin_b), specialist.memberships.get().pk)
    # the provincial administrator sees everyone, and 404 stays 404 for what does not exist
    assert access_official(actor_for(provincial_admin), specialist.pk) == specialist
    with pytest.raises(Http404):
        access_agency_administration(actor_for(provincial_admin), 10**9)


def test_citizens_are_not_officials(provincial_admin: User) -> None:
    citizen = make_user(citizen=True)
    with pytest.raises(Http404):
        access_official(actor_for(provincial_admin), citizen.pk)


def test_an_official_of_two_agencies_is_visible_but_not_manageable(
    admin_a: User, agency_a: Agency, agency_b: Agency
) -> None:
    # given an official working in A and B
    shared = official(Role.CHUYEN_VIEN, agency=agency_a)
    in_b = make_membership(user=shared, agency=agency_b, role=Role.CHUYEN_VIEN)
    actor = actor_for(admin_a)

    # then A's administrator sees them but may neither lock the account nor end the B role
    assert access_official(actor, shared.pk) == shared
    assert not can_manage_account(actor, shared)
    with pytest.raises(PermissionDenied):
        access_official_account(actor, shared.pk)
    with pytest.raises(PermissionDenied):
        access_membership(actor, in_b.pk)
    assert access_membership(actor, shared.memberships.get(agency=agency_a).pk).agency == agency_a


def test_an_administrator_does_not_manage_their_own_account(admin_a: User) -> None:
    with pytest.raises(PermissionDenied):
        access_official_account(actor_for(admin_a), admin_a.pk)
    with pytest.raises(PermissionDenied):
        access_membership(actor_for(admin_a), admin_a.memberships.get().pk)
