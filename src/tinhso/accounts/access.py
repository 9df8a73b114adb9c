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
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.accounts.models import ADMIN_ROLES, AccountKind, Membership, Role, User
from tinhso.organizations.models import Agency


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
    def navigation_key(self) -> str:
        """What the sidebar depends on: the set of roles and provincial administration."""
        return f"{int(self.is_provincial_admin)}:{','.join(sorted(self.roles))}"

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
    # Plain values, not model rows: this runs on every signed-in request.
    rows = (
        Membership.objects.filter(user_id=user.pk, is_active=True)
        .order_by("agency__level", "agency__code", "role")
        .values_list("agency_id", "agency__name", "department_id", "department__name", "role")
    )
    actor = Actor(
        user_id=user.pk,
        username=user.username,
        kind=user.kind,
        memberships=tuple(MembershipInfo(*row) for row in rows),
        is_superuser=bool(user.is_superuser),
    )
    user._tinhso_actor = actor
    return actor


def require_provincial_admin(actor: Actor) -> None:
    if not actor.is_provincial_admin:
        raise PermissionDenied(_("Chức năng này dành cho quản trị cấp tỉnh."))


def administered_agency_ids(actor: Actor) -> frozenset[int] | None:
    """Agencies whose administration the actor may see; None means every agency."""
    if actor.is_provincial_admin:
        return None
    return actor.agency_ids_with_role(Role.QUAN_TRI_CO_QUAN)


# --- Administration of officials --------------------------------------------------------------
# Who may manage whom: a provincial administrator manages every official; an agency
# administrator (quan_tri_co_quan) manages the officials who work in an agency they administer.
# Officials outside that reach are hidden (404); a visible official whose account reaches
# beyond the actor's agencies may be seen but not deactivated or reset (403).


def require_official_administrator(actor: Actor) -> None:
    """The officials-management pages are for administrators only."""
    if not actor.is_provincial_admin and not actor.agency_ids_with_role(Role.QUAN_TRI_CO_QUAN):
        raise PermissionDenied(_("Chức năng này dành cho quản trị cơ quan và quản trị cấp tỉnh."))


def access_agency_administration(actor: Actor, agency_id: int) -> Agency:
    """The agency whose officials the actor is about to manage (create, grant roles)."""
    require_official_administrator(actor)
    ids = administered_agency_ids(actor)
    if ids is not None and agency_id not in ids:
        raise Http404
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise Http404
    return agency


def _visible_officials(actor: Actor) -> QuerySet[User]:
    officials = User.objects.filter(kind=AccountKind.OFFICIAL)
    ids = administered_agency_ids(actor)
    if ids is None:
        return officials
    return officials.filter(
        pk__in=Membership.objects.filter(agency_id__in=ids, is_active=True).values("user_id")
    )


def access_official(actor: Actor, user_id: int) -> User:
    """An official the actor may see in the officials-management pages."""
    require_official_administrator(actor)
    official = _visible_officials(actor).filter(pk=user_id).first()
    if official is None:
        raise Http404
    return official


def can_manage_account(actor: Actor, official: User) -> bool:
    """Whether the actor may act on the account as a whole (deactivate, reset two-factor).

    An agency administrator may do so only when every active membership of the official lies
    in an agency they administer, and never for a provincial administrator or a superuser:
    the account serves the other agencies too.
    """
    if actor.user_id == official.pk:
        return False
    ids = administered_agency_ids(actor)
    if ids is None:
        return True
    if official.is_superuser:
        return False
    memberships = list(
        Membership.objects.filter(user_id=official.pk, is_active=True).values_list(
            "agency_id", "role"
        )
    )
    return all(agency_id in ids and role != Role.QUAN_TRI_TINH for agency_id, role in memberships)


def access_official_account(actor: Actor, user_id: int) -> User:
    """An official whose account (not just one membership) the actor may manage."""
    official = access_official(actor, user_id)
    if actor.user_id == official.pk:
        raise PermissionDenied(
            _("Bạn không thể thực hiện thao tác này trên tài khoản của chính mình.")
        )
    if not can_manage_account(actor, official):
        raise PermissionDenied(
            _(
                "Cán bộ này còn công tác ở cơ quan khác hoặc là quản trị cấp tỉnh; "
                "hãy đề nghị quản trị cấp tỉnh thực hiện."
            )
        )
    return official


def can_manage_membership(actor: Actor, membership: Membership) -> bool:
    ids = administered_agency_ids(actor)
    if membership.user_id == actor.user_id:
        return False
    if ids is None:
        return True
    return membership.agency_id in ids and membership.role != Role.QUAN_TRI_TINH


def access_membership(actor: Actor, membership_id: int) -> Membership:
    """A membership the actor may end: of a visible official, in an agency the actor administers."""
    require_official_administrator(actor)
    membership = (
        Membership.objects.select_related("user", "agency", "department")
        .filter(pk=membership_id, user__in=_visible_officials(actor))
        .first()
    )
    if membership is None:
        raise Http404
    if membership.user_id == actor.user_id:
        raise PermissionDenied(_("Bạn không thể tự kết thúc vị trí công tác của mình."))
    if not can_manage_membership(actor, membership):
        raise PermissionDenied(
            _("Bạn chỉ quản lý được vị trí công tác trong cơ quan mình quản trị.")
        )
    return membership
