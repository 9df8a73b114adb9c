"""Fetch-and-authorize for the catalogue's pages: the object, or 404/403.

Officials read the catalogue (the versions in force and the retired ones, which dossiers
received earlier still follow); the provincial administrator also reads and edits drafts.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor
from tinhso.procedures.models import Procedure, ProcedureVersion, VersionStatus


def require_catalogue_reader(actor: Actor) -> None:
    """The catalogue pages are for officials (citizens read procedures on the portal)."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Vui lòng đăng nhập."))
    if not (actor.is_official or actor.is_provincial_admin):
        raise PermissionDenied(_("Chức năng này dành cho cán bộ, công chức."))


def require_catalogue_admin(actor: Actor) -> None:
    if not actor.is_provincial_admin:
        raise PermissionDenied(_("Chỉ quản trị cấp tỉnh được quản lý danh mục thủ tục hành chính."))


def access_procedure(actor: Actor, code: str) -> Procedure:
    """A procedure an official may see: one with a version beyond draft, or any for the
    provincial administrator."""
    require_catalogue_reader(actor)
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None or (
        not actor.is_provincial_admin
        and not procedure.versions.exclude(status=VersionStatus.DRAFT).exists()
    ):
        raise Http404(_("Không tìm thấy thủ tục hành chính."))
    return procedure


def access_version(actor: Actor, procedure: Procedure, number: int) -> ProcedureVersion:
    """A version of `procedure` (already accessed); drafts only for the administrator."""
    version = (
        ProcedureVersion.objects.select_related("procedure", "competent_agency")
        .filter(procedure=procedure, number=number)
        .first()
    )
    if version is None or (version.status == VersionStatus.DRAFT and not actor.is_provincial_admin):
        raise Http404(_("Không tìm thấy phiên bản thủ tục."))
    return version


def access_version_for_edit(actor: Actor, code: str, number: int) -> ProcedureVersion:
    """A version the provincial administrator is about to change or publish."""
    require_catalogue_admin(actor)
    procedure = access_procedure(actor, code)
    return access_version(actor, procedure, number)
