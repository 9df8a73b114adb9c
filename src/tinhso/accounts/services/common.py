"""What every accounts service shares: who acts, how errors are raised."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor, actor_for, administered_agency_ids
from tinhso.accounts.models import Membership, Role, User

#: The one who acts: a signed-in user, or a system process named by a label such as
#: "system:demo". A system process is trusted: it runs from the command line, never a request.
ServiceActor: TypeAlias = User | str


def view_of(actor: ServiceActor) -> Actor | None:
    """The actor's access view; None for a trusted system process."""
    return None if isinstance(actor, str) else actor_for(actor)


def administers(actor: ServiceActor, agency_id: int) -> bool:
    view = view_of(actor)
    if view is None:
        return True
    ids = administered_agency_ids(view)
    return ids is None or agency_id in ids


def require_administers(actor: ServiceActor, agency_id: int) -> None:
    if not administers(actor, agency_id):
        raise PermissionDenied(_("Bạn không quản trị cơ quan này."))


def require_may_grant(actor: ServiceActor, role: str) -> None:
    """Only the provincial administrator makes provincial administrators."""
    view = view_of(actor)
    if role == Role.QUAN_TRI_TINH and view is not None and not view.is_provincial_admin:
        raise PermissionDenied(_("Chỉ quản trị cấp tỉnh mới giao được vai trò quản trị cấp tỉnh."))


def is_self(actor: ServiceActor, user: User) -> bool:
    return not isinstance(actor, str) and actor.pk == user.pk


def raise_if_errors(errors: Mapping[str, list[str]]) -> None:
    if any(errors.values()):
        raise ValidationError({field: messages for field, messages in errors.items() if messages})


def add_error(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def first_agency_id(user: User) -> int | None:
    """The agency an account-wide audit row is filed under: the first active membership's."""
    return (
        Membership.objects.filter(user_id=user.pk, is_active=True)
        .order_by("agency__level", "agency__code")
        .values_list("agency_id", flat=True)
        .first()
    )
