"""Typed makers for the calendar's tests (the shared factory_boy factories are untyped)."""

from __future__ import annotations

import itertools

from tinhso.accounts.models import AccountKind, User
from tinhso.organizations.models import Agency, AgencyKind, AgencyLevel

_numbers = itertools.count(1)


def make_agency() -> Agency:
    """A provincial department with a code of its own (group W01, used by no other test)."""
    n = next(_numbers)
    return Agency.objects.create(
        code=f"W01.{n:03d}",
        name=f"Sở Lịch Thử {n}",
        short_name=f"SLT{n}",
        level=AgencyLevel.PROVINCE,
        kind=AgencyKind.DEPARTMENT,
    )


def make_citizen() -> User:
    n = next(_numbers)
    return User.objects.create_user(
        username=f"congdan-lich-{n}",
        full_name=f"Công Dân {n}",
        kind=AccountKind.CITIZEN,
        id_number=f"{n:012d}",
    )
