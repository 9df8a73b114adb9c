"""Typed wrappers over the shared factories (factory_boy's calls are untyped for mypy)."""

from __future__ import annotations

from typing import Any, cast

from tinhso.accounts.models import User
from tinhso.organizations.models import AdministrativeUnit, Agency, Department
from tinhso.testing.factories import (
    AdministrativeUnitFactory,
    AgencyFactory,
    DepartmentFactory,
    UserFactory,
)


def make_agency(**fields: Any) -> Agency:
    return cast(Agency, AgencyFactory.create(**fields))


def make_agencies(count: int, **fields: Any) -> list[Agency]:
    return cast(list[Agency], AgencyFactory.create_batch(count, **fields))


def make_department(**fields: Any) -> Department:
    return cast(Department, DepartmentFactory.create(**fields))


def make_unit(**fields: Any) -> AdministrativeUnit:
    return cast(AdministrativeUnit, AdministrativeUnitFactory.create(**fields))


def make_citizen(**fields: Any) -> User:
    return cast(User, UserFactory.create(citizen=True, **fields))
