"""Who the caller is and what they may reach: the one place access rules start from.

`actor_for(user)` loads the caller's active memberships once per request into a plain,
immutable `Actor`. Every app's `access_*` functions take an `Actor` and either return the
object or raise `Http404` (the object is hidden) / `PermissionDenied` (visible, not allowed).
An official of agency A never reaches agency B's records unless a rule here shares them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied

from tinhso.accounts.models import ADMIN_ROLES, AccountKind, Membership, Role


@dataclass(frozen=True, slots=True)
class MembershipInfo:
    agency_id: int
    agency_name: str
    department_id: int | None
    department_name: str | None
    role: str


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    username: str
    kind: str
    memberships: tuple[MembershipInfo, ...] = field(default=())
    is_superuser: bool = False

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_official(self) -> bool:
        return self.kind == AccountKind.OFFICIAL and bool(self.memberships)

    @property
    def is_provincial_admin(self) -> bool:
        return self.is_superuser or any(m.role == Role.QUAN_TRI_TINH for m in self.memberships)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.memberships)

    @property
    def agency_ids(self) -> frozenset[int]:
        return frozenset(m.agency_id for m in self.memberships)

    def has_role(self, *roles: str, agency_id: int | None = None) -> bool:
        return any(
            m.role in roles and (agency_id is None or m.agency_id == agency_id)
            for m in self.memberships
        )

    def agency_ids_with_role(self, *roles: str) -> frozenset[int]:
        return frozenset(m.agency_id for m in self.memberships if m.role in roles)

    def department_ids(self, agency_id: int | None = None) -> frozenset[int]:
        return frozenset(
            m.department_id
            for m in self.memberships
            if m.department_id is not None and (agency_id is None or m.agency_id == agency_id)
        )

    @property
    def needs_two_factor(self) -> bool:
        return any(m.role in ADMIN_ROLES for m in self.memberships)


ANONYMOUS = Actor(user_id=None, username="", kind="anonymous")


def actor_for(user: Any) -> Actor:
    """The Actor of a user, cached on the user object for the rest of the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_tinhso_actor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    rows = (
        Membership.objects.filter(user_id=user.pk, is_active=True)
        .select_related("agency", "department")
        .order_by("agency__level", "agency__code", "role")
    )
    actor = Actor(
        user_id=user.pk,
        username=user.username,
        kind=user.kind,
        memberships=tuple(
            MembershipInfo(
                agency_id=m.agency_id,
                agency_name=m.agency.name,
                department_id=m.department_id,
                department_name=m.department.name if m.department else None,
                role=m.role,
            )
            for m in rows
        ),
        is_superuser=bool(user.is_superuser),
    )
    user._tinhso_actor = actor
    return actor


def require_provincial_admin(actor: Actor) -> None:
    if not actor.is_provincial_admin:
        raise PermissionDenied("Chức năng này dành cho quản trị cấp tỉnh.")


def administered_agency_ids(actor: Actor) -> frozenset[int] | None:
    """Agencies whose administration the actor may see; None means every agency."""
    if actor.is_provincial_admin:
        return None
    return actor.agency_ids_with_role(Role.QUAN_TRI_CO_QUAN)
