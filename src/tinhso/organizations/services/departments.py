"""Departments (phòng, ban) of an agency: created and changed by the provincial administrator
or by the agency's own administrator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.audit.services import audit_record, diff, snapshot
from tinhso.organizations.models import Agency, Department
from tinhso.organizations.services.common import (
    ServiceActor,
    administers_agency,
    check_text,
    raise_if_errors,
)

DEPARTMENT_FIELDS: Final = ("name", "short_name", "is_active")


def _require_department_admin(actor: ServiceActor, agency: Agency) -> None:
    if not administers_agency(actor, agency.pk):
        raise PermissionDenied(
            _("Chỉ quản trị của cơ quan này hoặc quản trị cấp tỉnh được quản lý phòng ban.")
        )


def _clean(
    *, agency: Agency, name: str, short_name: str, instance: Department | None
) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    name = check_text(errors, "name", name, label=_("Tên phòng ban"), max_length=255, required=True)
    short_name = check_text(
        errors, "short_name", short_name, label=_("Tên viết tắt"), max_length=20, required=False
    )
    if name:
        taken = Department.objects.filter(agency=agency, name__iexact=name)
        if instance is not None:
            taken = taken.exclude(pk=instance.pk)
        if taken.exists():
            errors.setdefault("name", []).append(
                _("Cơ quan đã có phòng ban tên “%(name)s”.") % {"name": name}
            )
    raise_if_errors(errors)
    return name, short_name


def department_create(
    *, actor: ServiceActor, agency: Agency, name: str, short_name: str = ""
) -> Department:
    """Add a department to an agency that is still active."""
    _require_department_admin(actor, agency)
    with transaction.atomic():
        if agency.valid_to is not None:
            raise_if_errors(
                {"name": [_("Không thêm phòng ban vào cơ quan đã kết thúc hoạt động.")]}
            )
        clean_name, clean_short = _clean(
            agency=agency, name=name, short_name=short_name, instance=None
        )
        department = Department.objects.create(
            agency=agency, name=clean_name, short_name=clean_short
        )
        audit_record(
            actor=actor,
            action="organizations.department_create",
            obj=department,
            agency=agency,
            changes=diff({}, snapshot(department, ("agency", *DEPARTMENT_FIELDS))),
        )
    return department


def department_update(
    *, actor: ServiceActor, department: Department, changes: Mapping[str, Any]
) -> Department:
    """Rename a department, change its short name, or mark it inactive (never deleted)."""
    unknown = set(changes) - set(DEPARTMENT_FIELDS)
    if unknown:
        raise ValueError(f"department_update cannot change {sorted(unknown)}")
    agency = department.agency
    _require_department_admin(actor, agency)
    with transaction.atomic():
        locked = Department.objects.select_for_update().get(pk=department.pk)
        before = snapshot(locked, DEPARTMENT_FIELDS)
        name, short_name = _clean(
            agency=agency,
            name=str(changes.get("name", locked.name)),
            short_name=str(changes.get("short_name", locked.short_name)),
            instance=locked,
        )
        locked.name = name
        locked.short_name = short_name
        locked.is_active = bool(changes.get("is_active", locked.is_active))
        delta = diff(before, snapshot(locked, DEPARTMENT_FIELDS))
        if delta:
            locked.save(update_fields=list(delta))
            audit_record(
                actor=actor,
                action="organizations.department_update",
                obj=locked,
                agency=agency,
                changes=delta,
            )
    return locked
