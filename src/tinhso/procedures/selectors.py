"""Every read of the catalogue, scoped to the actor, with related rows loaded here.

Who may read: the catalogue of administrative procedures is public information (it is
published on the national portal, Nghị định 63/2010, Điều 8 khoản 2, and must be posted at
every one-stop desk); every signed-in account reads the versions in force. Drafts and retired
versions are the catalogue's working material: only the provincial administrator lists them.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor
from tinhso.organizations.models import Agency, AgencyKind, AgencyLevel, Department
from tinhso.procedures.models import (
    ProcedureLevel,
    ProcedureVersion,
    ProcessStep,
    StepAgency,
    VersionStatus,
)
from tinhso.procedures.rules import legal_hours
from tinhso.text import fold_terms


def _require_signed_in(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise PermissionDenied(_("Vui lòng đăng nhập."))


def _with_children(versions: QuerySet[ProcedureVersion]) -> QuerySet[ProcedureVersion]:
    return versions.select_related(
        "procedure", "competent_agency", "published_by"
    ).prefetch_related(
        "components",
        "fees",
        Prefetch(
            "steps",
            queryset=ProcessStep.objects.select_related("agency", "department").order_by("order"),
        ),
    )


def _has_level(level: str) -> Q:
    # `levels` is a JSON list such as ["province", "commune"]. SQLite has no JSON containment
    # lookup, so match the quoted value in the JSON text (values are plain ASCII codes, none a
    # substring of another once quoted).
    return Q(levels__icontains=f'"{level}"')


def procedure_list(
    *,
    actor: Actor,
    q: str = "",
    level: str = "",
    field: str = "",
    status: str = "",
    agency: Agency | None = None,
) -> QuerySet[ProcedureVersion]:
    """Versions of the catalogue by procedure code: the published ones unless `status` says.

    `status` other than "published" (or "all") is for the provincial administrator only.
    `q` matches every folded word against the folded code, name and field ("dang ky khai
    sinh" finds "Đăng ký khai sinh"); `level` is a ProcedureLevel value; `field` a field name
    as written in the catalogue; `agency` keeps the versions whose competent agency it is or
    one of whose steps it carries out by name.
    """
    _require_signed_in(actor)
    status = status or VersionStatus.PUBLISHED
    if status != VersionStatus.PUBLISHED and not actor.is_provincial_admin:
        raise PermissionDenied(
            _("Chỉ quản trị cấp tỉnh xem được phiên bản dự thảo và phiên bản hết áp dụng.")
        )
    versions = ProcedureVersion.objects.select_related("procedure", "competent_agency")
    if status != "all":
        versions = versions.filter(status=status)
    for term in fold_terms(q):
        versions = versions.filter(procedure__search_text__contains=term)
    if level:
        versions = versions.filter(_has_level(level))
    if field:
        versions = versions.filter(field=field)
    if agency is not None:
        versions = versions.filter(
            Q(competent_agency=agency)
            | Q(steps__agency=agency, steps__agency_mode=StepAgency.FIXED)
        ).distinct()
    return versions.order_by("procedure__code", "-number")


def field_choices(*, actor: Actor) -> list[str]:
    """The fields (lĩnh vực) of the versions in force, for filters."""
    _require_signed_in(actor)
    return list(
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .exclude(field="")
        .order_by("field")
        .values_list("field", flat=True)
        .distinct()
    )


def published_version(code: str) -> ProcedureVersion | None:
    """The version of `code` in force, with components, fees and steps loaded."""
    return (
        _with_children(ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED))
        .filter(procedure__code=code)
        .first()
    )


def version_with_children(version_id: int) -> ProcedureVersion | None:
    return _with_children(ProcedureVersion.objects.filter(pk=version_id)).first()


def procedure_versions(*, actor: Actor, procedure_id: int) -> QuerySet[ProcedureVersion]:
    """A procedure's versions, newest first; drafts only for the provincial administrator."""
    versions = ProcedureVersion.objects.filter(procedure_id=procedure_id).select_related(
        "published_by"
    )
    if not actor.is_provincial_admin:
        versions = versions.exclude(status=VersionStatus.DRAFT)
    return versions.order_by("-number")


def receivable_levels(agency: Agency) -> tuple[str, ...]:
    """The levels of procedures whose dossiers `agency`'s one-stop desk receives.

    A simple rule, matching the two-tier local government from 1 July 2025: the commune's
    People's Committee receives commune-level procedures; the provincial Public
    Administrative Service Center and the provincial bodies receive provincial and central
    ones (the latter where the ministry has delegated reception to the province). A
    procedure of several levels is receivable wherever one of them is.
    """
    if agency.level == AgencyLevel.COMMUNE:
        return (ProcedureLevel.COMMUNE,)
    if agency.kind == AgencyKind.SERVICE_CENTER or agency.level == AgencyLevel.PROVINCE:
        return (ProcedureLevel.PROVINCE, ProcedureLevel.CENTRAL)
    return ()


def procedures_receivable_at(agency: Agency) -> QuerySet[ProcedureVersion]:
    """The versions in force that the agency's counter may receive (`receivable_levels`)."""
    levels = receivable_levels(agency)
    if not levels:
        return ProcedureVersion.objects.none()
    condition = Q()
    for level in levels:
        condition |= _has_level(level)
    return (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .filter(condition)
        .select_related("procedure", "competent_agency")
        .order_by("procedure__code")
    )


def step_agency(step: ProcessStep, *, receiving: Agency, competent: Agency | None) -> Agency:
    """The agency that carries out `step` for a dossier received at `receiving`.

    Competent steps of a version that names no competent agency belong to the receiving
    agency (a commune resolves its own procedures).
    """
    if step.agency_mode == StepAgency.FIXED and step.agency is not None:
        return step.agency
    if step.agency_mode == StepAgency.COMPETENT and competent is not None:
        return competent
    return receiving


def step_department(step: ProcessStep, agency: Agency) -> Department | None:
    """The department of `step` in `agency`: its row, else the active one with its short
    name; None when the step names no department (the agency's leadership) or `agency` has
    no department of that short name."""
    if step.department is not None and step.department.agency_id == agency.pk:
        return step.department
    if not step.department_short_name:
        return None
    return (
        Department.objects.filter(
            agency=agency, short_name__iexact=step.department_short_name, is_active=True
        )
        .order_by("pk")
        .first()
    )


def version_legal_hours(version: ProcedureVersion) -> Decimal:
    return legal_hours(version.processing_time, version.time_unit)
