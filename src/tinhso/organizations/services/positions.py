"""Positions (chức vụ): a short province-wide list kept by the provincial administrator."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.audit.services import audit_record, diff, snapshot
from tinhso.organizations.models import Position
from tinhso.organizations.services.common import (
    ServiceActor,
    check_text,
    raise_if_errors,
    require_provincial_admin,
)


def position_create(
    *, actor: ServiceActor, name: str, rank: int = 100, is_leadership: bool = False
) -> Position:
    require_provincial_admin(actor)
    with transaction.atomic():
        errors: dict[str, list[str]] = {}
        clean_name = check_text(
            errors, "name", name, label=_("Tên chức vụ"), max_length=100, required=True
        )
        if clean_name and Position.objects.filter(name__iexact=clean_name).exists():
            errors.setdefault("name", []).append(
                _("Chức vụ “%(name)s” đã có.") % {"name": clean_name}
            )
        if not 0 <= rank <= 32767:
            errors.setdefault("rank", []).append(_("Thứ bậc phải từ 0 đến 32767."))
        raise_if_errors(errors)
        position = Position.objects.create(name=clean_name, rank=rank, is_leadership=is_leadership)
        audit_record(
            actor=actor,
            action="organizations.position_create",
            obj=position,
            changes=diff({}, snapshot(position, ("name", "rank", "is_leadership"))),
        )
    return position
