"""Fetch-and-authorize for the calendar's pages.

Reading the calendar and computing deadlines is open to every official; the province's
special days belong to the provincial administrator; an agency's working hours to its
administrator (quan_tri_co_quan) and to the provincial administrator.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor, require_provincial_admin
from tinhso.accounts.models import Role
from tinhso.organizations.models import Agency
from tinhso.workcalendar.models import CalendarDay


def require_official(actor: Actor) -> None:
    if not actor.is_official:
        raise PermissionDenied(_("Chức năng này dành cho cán bộ, công chức."))


def require_hours_admin(actor: Actor) -> None:
    """Anyone who may set some working hours: a provincial or an agency administrator."""
    if not (actor.is_provincial_admin or actor.has_role(Role.QUAN_TRI_CO_QUAN)):
        raise PermissionDenied(_("Chức năng này dành cho quản trị cơ quan hoặc quản trị cấp tỉnh."))


def access_calendar_day(actor: Actor, day: dt.date) -> CalendarDay:
    """The special day of `day` still in force, for the provincial administrator."""
    require_provincial_admin(actor)
    row = CalendarDay.objects.filter(date=day, is_removed=False).first()
    if row is None:
        raise Http404(_("Không có ngày đặc biệt này trong lịch."))
    return row


def access_agency_hours(actor: Actor, agency_id: int) -> Agency:
    """The agency whose working hours the actor wants to set, if the actor may."""
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise Http404(_("Không tìm thấy cơ quan."))
    if actor.is_provincial_admin or actor.has_role(Role.QUAN_TRI_CO_QUAN, agency_id=agency.pk):
        return agency
    raise PermissionDenied(_("Bạn không có quyền sửa giờ làm việc của cơ quan này."))
