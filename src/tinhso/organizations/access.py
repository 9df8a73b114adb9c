"""Fetch-and-authorize for agencies and departments: the object, or 404/403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor
from tinhso.accounts.models import Role
from tinhso.organizations.models import Agency, Department


def can_administer_agency(actor: Actor, agency_id: int) -> bool:
    return actor.is_provincial_admin or actor.has_role(Role.QUAN_TRI_CO_QUAN, agency_id=agency_id)


def access_agency(actor: Actor, agency_id: int) -> Agency:
    """Any signed-in account may read any agency (the directory is shared information)."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Vui lòng đăng nhập."))
    agency = Agency.objects.select_related("parent", "admin_unit").filter(pk=agency_id).first()
    if agency is None:
        raise Http404(_("Không tìm thấy cơ quan."))
    return agency


def access_agency_for_edit(actor: Actor, agency_id: int) -> Agency:
    """The provincial administrator edits any agency; an agency administrator their own."""
    agency = access_agency(actor, agency_id)
    if not can_administer_agency(actor, agency.pk):
        raise PermissionDenied(_("Bạn không có quyền sửa thông tin cơ quan này."))
    return agency


def access_agency_for_provincial_admin(actor: Actor, agency_id: int) -> Agency:
    agency = access_agency(actor, agency_id)
    if not actor.is_provincial_admin:
        raise PermissionDenied(_("Chức năng này dành cho quản trị cấp tỉnh."))
    return agency


def access_department_for_edit(actor: Actor, department_id: int) -> Department:
    if not actor.is_authenticated:
        raise PermissionDenied(_("Vui lòng đăng nhập."))
    department = Department.objects.select_related("agency").filter(pk=department_id).first()
    if department is None:
        raise Http404(_("Không tìm thấy phòng ban."))
    if not can_administer_agency(actor, department.agency_id):
        raise PermissionDenied(
            _("Chỉ quản trị của cơ quan này hoặc quản trị cấp tỉnh được quản lý phòng ban.")
        )
    return department
