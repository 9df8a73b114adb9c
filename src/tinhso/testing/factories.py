"""factory_boy factories for the foundation's models, shared by every app's tests.

`official(role, agency=…, department=…)` is the quickest way to an actor of a given role.
"""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from tinhso.accounts.models import AccountKind, Membership, Role, User
from tinhso.organizations.models import (
    AdministrativeUnit,
    Agency,
    AgencyKind,
    AgencyLevel,
    Department,
    Position,
    UnitLevel,
)

TEST_PASSWORD = "Mat-khau-thu-nghiem-2026"


class AdministrativeUnitFactory(DjangoModelFactory):
    class Meta:
        model = AdministrativeUnit

    level = UnitLevel.COMMUNE
    code = factory.Sequence(lambda n: f"{90000 + n:05d}")
    name = factory.Sequence(lambda n: f"Xã Thử Nghiệm {n}")
    province_code = "46"


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"H57.{n + 1:02d}")
    name = factory.Sequence(lambda n: f"Sở Thử Nghiệm {n}")
    short_name = factory.Sequence(lambda n: f"STN{n}")
    level = AgencyLevel.PROVINCE
    kind = AgencyKind.DEPARTMENT

    class Params:
        commune = factory.Trait(
            level=AgencyLevel.COMMUNE,
            kind=AgencyKind.PEOPLES_COMMITTEE,
            short_name="UBND",
            name=factory.Sequence(lambda n: f"Ủy ban nhân dân Xã Thử Nghiệm {n}"),
        )


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Phòng Thử Nghiệm {n}")
    short_name = factory.Sequence(lambda n: f"P{n}")


class PositionFactory(DjangoModelFactory):
    class Meta:
        model = Position
        django_get_or_create = ("name",)

    name = "Chuyên viên"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.vn")
    kind = AccountKind.OFFICIAL
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()

    class Params:
        citizen = factory.Trait(kind=AccountKind.CITIZEN, id_number="001203004567")
        enterprise = factory.Trait(kind=AccountKind.ENTERPRISE, tax_code="0101234567")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.CHUYEN_VIEN


def official(
    role: str = Role.CHUYEN_VIEN,
    *,
    agency: Agency | None = None,
    department: Department | None = None,
    **user_fields: Any,
) -> User:
    """A user with one active membership of `role` (creates the agency when not given)."""
    agency = agency or (department.agency if department else AgencyFactory.create())
    user: User = UserFactory.create(**user_fields)
    MembershipFactory.create(user=user, agency=agency, department=department, role=role)
    return user


# --- Typed makers: factory_boy's calls are untyped, so tests call these instead -------------


def make_agency(**fields: Any) -> Agency:
    agency: Agency = AgencyFactory.create(**fields)
    return agency


def make_agencies(count: int, **fields: Any) -> list[Agency]:
    agencies: list[Agency] = AgencyFactory.create_batch(count, **fields)
    return agencies


def make_department(**fields: Any) -> Department:
    department: Department = DepartmentFactory.create(**fields)
    return department


def make_unit(**fields: Any) -> AdministrativeUnit:
    unit: AdministrativeUnit = AdministrativeUnitFactory.create(**fields)
    return unit


def make_position(**fields: Any) -> Position:
    position: Position = PositionFactory.create(**fields)
    return position


def make_user(**fields: Any) -> User:
    user: User = UserFactory.create(**fields)
    return user


def make_citizen(**fields: Any) -> User:
    user: User = UserFactory.create(citizen=True, **fields)
    return user


def make_membership(**fields: Any) -> Membership:
    membership: Membership = MembershipFactory.create(**fields)
    return membership
