"""Typed wrappers over the shared factories (factory_boy's calls are untyped for mypy)."""

from __future__ import annotations

from typing import Any, cast

from tinhso.accounts.models import Membership, User
from tinhso.organizations.models import Agency, Department, Position
from tinhso.testing.factories import (
    AgencyFactory,
    DepartmentFactory,
    MembershipFactory,
    PositionFactory,
    UserFactory,
)


def make_agency(**fields: Any) -> Agency:
    return cast(Agency, AgencyFactory.create(**fields))


def make_department(**fields: Any) -> Department:
    return cast(Department, DepartmentFactory.create(**fields))


def make_position(**fields: Any) -> Position:
    return cast(Position, PositionFactory.create(**fields))


def make_user(**fields: Any) -> User:
    return cast(User, UserFactory.create(**fields))


def make_membership(**fields: Any) -> Membership:
    return cast(Membership, MembershipFactory.create(**fields))
