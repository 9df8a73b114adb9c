"""What every organisation service shares: who may act, and how errors are raised."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import Role, User

#: The one who acts: a signed-in user, or a system process named by a label such as
#: "system" (the import command) or "system:demo" (the demo loader). A system process is
#: trusted: it runs from the command line of the machine, never from a request.
ServiceActor: TypeAlias = User | str


def is_system(actor: ServiceActor) -> bool:
    return isinstance(actor, str)


def is_provincial_admin(actor: ServiceActor) -> bool:
    return isinstance(actor, str) or actor_for(actor).is_provincial_admin


def require_provincial_admin(actor: ServiceActor) -> None:
    if not is_provincial_admin(actor):
        raise PermissionDenied(_("Chức năng này dành cho quản trị cấp tỉnh."))


def administers_agency(actor: ServiceActor, agency_id: int) -> bool:
    """The provincial administrator, or an administrator (quản trị cơ quan) of this agency."""
    if isinstance(actor, str):
        return True
    view = actor_for(actor)
    return view.is_provincial_admin or view.has_role(Role.QUAN_TRI_CO_QUAN, agency_id=agency_id)


def raise_if_errors(errors: Mapping[str, list[str]]) -> None:
    if any(errors.values()):
        raise ValidationError({field: messages for field, messages in errors.items() if messages})


def check_text(
    errors: dict[str, list[str]],
    field: str,
    value: str,
    *,
    label: str,
    max_length: int,
    required: bool,
) -> str:
    """Trimmed `value`; adds a message naming the field when it is missing or too long."""
    text = value.strip()
    if required and not text:
        errors.setdefault(field, []).append(_("%(label)s không được để trống.") % {"label": label})
    elif len(text) > max_length:
        errors.setdefault(field, []).append(
            _("%(label)s dài tối đa %(max)d ký tự (đang có %(count)d).")
            % {"label": label, "max": max_length, "count": len(text)}
        )
    return text
