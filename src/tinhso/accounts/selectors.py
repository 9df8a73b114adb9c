"""Reads of accounts, scoped to what the actor may see, with the joins done here."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from tinhso.accounts.access import Actor, administered_agency_ids
from tinhso.accounts.models import AccountKind, Membership, User
from tinhso.organizations.models import Agency
from tinhso.text import fold_terms


def _active_memberships() -> QuerySet[Membership]:
    return (
        Membership.objects.filter(is_active=True)
        .select_related("agency", "department", "position")
        .order_by("agency__level", "agency__code", "role")
    )


def official_list(
    *, actor: Actor, search: str = "", agency_id: int | None = None
) -> QuerySet[User]:
    """Officials the actor administers, searched without diacritics ("nguyen van a" finds
    "Nguyễn Văn A"), each with its active memberships prefetched as `active_memberships`.

    Ordered by the folded name, so "Đặng" sorts with the D's rather than after "Z".
    """
    ids = administered_agency_ids(actor)
    officials = User.objects.filter(kind=AccountKind.OFFICIAL)
    scope = Membership.objects.filter(is_active=True)
    if ids is not None:
        scope = scope.filter(agency_id__in=ids)
    if agency_id is not None:
        scope = scope.filter(agency_id=agency_id)
    if ids is not None or agency_id is not None:
        officials = officials.filter(pk__in=scope.values("user_id"))
    for term in fold_terms(search):
        officials = officials.filter(search_text__contains=term)
    return officials.prefetch_related(
        Prefetch("memberships", queryset=_active_memberships(), to_attr="active_memberships")
    ).order_by("search_text", "username")


def official_memberships(*, official: User) -> QuerySet[Membership]:
    """Every membership of an official, active first, for the detail page."""
    return (
        Membership.objects.filter(user=official)
        .select_related("agency", "department", "position")
        .order_by("-is_active", "agency__level", "agency__code", "role", "-created_at")
    )


def administered_agencies(*, actor: Actor) -> QuerySet[Agency]:
    """Agencies in whose name the actor may create officials and grant roles."""
    ids = administered_agency_ids(actor)
    agencies = Agency.objects.all()
    if ids is not None:
        agencies = agencies.filter(pk__in=ids)
    return agencies.order_by("level", "code")


def user_memberships(*, user: User) -> QuerySet[Membership]:
    """The caller's own active memberships (for `/api/v1/me/`)."""
    return _active_memberships().filter(user=user)
