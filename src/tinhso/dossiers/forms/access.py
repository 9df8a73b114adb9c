"""Who prints the forms of a dossier and who reads a counter's tracking book.

A dossier's forms: the officials who may see the dossier (`dossiers.access.access_dossier`;
404 for the others, so a code reveals nothing). The tracking book lists every applicant a
counter received, with address and phone: only the counter officers of that agency, its
leaders (agency-level lãnh đạo) and provincial administrators read it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor
from tinhso.accounts.models import Role
from tinhso.dossiers.access import access_dossier
from tinhso.dossiers.models import CodeCounter, Dossier
from tinhso.organizations.models import Agency


def access_dossier_forms(actor: Actor, code: str) -> Dossier:
    """The dossier whose forms an official is about to print (404 when it is not visible)."""
    if not actor.is_official and not actor.is_provincial_admin:
        raise PermissionDenied(_("Chỉ cán bộ, công chức được in các mẫu phiếu của hồ sơ."))
    return access_dossier(actor, code)


def book_agency_ids(actor: Actor) -> frozenset[int] | None:
    """The agencies whose tracking book the actor reads; None means every agency."""
    if actor.is_provincial_admin:
        return None
    ids = {m.agency_id for m in actor.memberships if m.role == Role.MOT_CUA}
    ids |= {
        m.agency_id
        for m in actor.memberships
        if m.role == Role.LANH_DAO and m.department_id is None
    }
    return frozenset(ids)


def require_book_reader(actor: Actor) -> None:
    ids = book_agency_ids(actor)
    if ids is not None and not ids:
        raise PermissionDenied(
            _("Sổ theo dõi hồ sơ dành cho cán bộ một cửa, lãnh đạo cơ quan và quản trị cấp tỉnh.")
        )


def book_agencies(actor: Actor) -> QuerySet[Agency]:
    """The agencies offered on the tracking-book page: for a provincial administrator those
    whose counter has received a dossier."""
    ids = book_agency_ids(actor)
    if ids is None:
        received = CodeCounter.objects.filter(agency_id=OuterRef("pk"))
        return Agency.objects.filter(Exists(received)).order_by("name")
    return Agency.objects.filter(pk__in=ids).order_by("name")


def access_tracking_book(actor: Actor, agency: str | int | None) -> Agency:
    """The agency whose book the actor asks for: by id or identification code, or the only
    one the actor reads when none is given."""
    require_book_reader(actor)
    ids = book_agency_ids(actor)
    raw = str(agency).strip() if agency is not None else ""
    if not raw:
        if ids is not None and len(ids) == 1:
            raw = str(next(iter(ids)))
        else:
            raise ValidationError({"agency": [_("Cần chọn cơ quan có bộ phận một cửa.")]})
    found = (
        Agency.objects.filter(pk=int(raw)).first()
        if raw.isdigit()
        else Agency.objects.filter(code=raw.upper()).first()
    )
    if found is None:
        raise Http404(_("Không tìm thấy cơ quan “%(agency)s”.") % {"agency": raw})
    if ids is not None and found.pk not in ids:
        raise PermissionDenied(
            _("Bạn không được xem sổ theo dõi hồ sơ của %(agency)s.") % {"agency": found.name}
        )
    return found
