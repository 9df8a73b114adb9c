"""Every read of the organizations app, scoped to the actor, with related rows loaded here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor
from tinhso.organizations.models import (
    DISTRICTS_ABOLISHED_ON,
    AdministrativeUnit,
    Agency,
    AgencyLevel,
    Department,
    UnitLevel,
    UnitSuccession,
)
from tinhso.text import fold_terms

_LEVEL_RANK = Case(
    When(level=AgencyLevel.CENTRAL, then=Value(0)),
    When(level=AgencyLevel.PROVINCE, then=Value(1)),
    When(level=AgencyLevel.DISTRICT, then=Value(2)),
    When(level=AgencyLevel.COMMUNE, then=Value(3)),
    default=Value(9),
    output_field=IntegerField(),
)


def _require_signed_in(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise PermissionDenied(_("Vui lòng đăng nhập."))


def agency_list(
    *,
    actor: Actor,
    level: str | None = None,
    parent_id: int | None = None,
    q: str = "",
    active_only: bool = False,
) -> QuerySet[Agency]:
    """Agencies of the directory, provincial bodies first, then by identification code.

    Who may read: the agency directory is shared information. Every authenticated account —
    official of any agency, citizen or enterprise — may read every agency's name, code,
    level, place in the tree and contact details: they are the public identifiers of the
    state apparatus (the codes are published under Quyết định 20/2020/QĐ-TTg) and every
    user needs them to address a document or a dossier. Anonymous callers read nothing.

    `q` matches every folded word against the folded name, short name and code, so
    "ubnd phu xuan" finds "Ủy ban nhân dân phường Phú Xuân".
    """
    _require_signed_in(actor)
    agencies = Agency.objects.select_related("parent", "admin_unit")
    if level:
        agencies = agencies.filter(level=level)
    if parent_id is not None:
        agencies = agencies.filter(parent_id=parent_id)
    if active_only:
        agencies = agencies.filter(valid_to__isnull=True)
    for term in fold_terms(q):
        agencies = agencies.filter(search_text__contains=term)
    return agencies.annotate(level_rank=_LEVEL_RANK).order_by("level_rank", "code")


def agency_children(*, actor: Actor, agency: Agency) -> QuerySet[Agency]:
    """The agencies directly under `agency` (shared information, like `agency_list`)."""
    return agency_list(actor=actor, parent_id=agency.pk)


def agency_departments(*, actor: Actor, agency: Agency) -> QuerySet[Department]:
    """The departments of `agency`, active first; readable by any signed-in account."""
    _require_signed_in(actor)
    return Department.objects.filter(agency=agency).order_by("-is_active", "name")


def parent_choices(*, actor: Actor, exclude: Agency | None = None) -> QuerySet[Agency]:
    """Agencies that may be chosen as a parent: active ones, `exclude` left out."""
    agencies = agency_list(actor=actor, active_only=True)
    if exclude is not None:
        agencies = agencies.exclude(pk=exclude.pk)
    return agencies


def unit_list(
    *,
    actor: Actor,
    province_code: str | None = None,
    level: str | None = None,
    period: str = "",
    q: str = "",
) -> QuerySet[AdministrativeUnit]:
    """Administrative units with their successors and predecessors loaded.

    Who may read: the list of administrative units is public data of the statistics office;
    every authenticated account may read all of it. `period` is "current" (valid from
    1 July 2025), "former" (ended 30 June 2025) or empty for both. `province_code` is the
    province a unit belongs to now (for an old commune, the new province it went into).
    """
    _require_signed_in(actor)
    units = AdministrativeUnit.objects.all()
    if province_code:
        units = units.filter(province_code=province_code)
    if level:
        units = units.filter(level=level)
    if period == "current":
        units = units.filter(valid_to__isnull=True)
    elif period == "former":
        units = units.filter(valid_to__lt=DISTRICTS_ABOLISHED_ON)
    for term in fold_terms(q):
        units = units.filter(search_text__contains=term)
    successions = UnitSuccession.objects.select_related("successor").order_by("successor__code")
    predecessions = UnitSuccession.objects.select_related("predecessor").order_by(
        "predecessor__code"
    )
    return units.prefetch_related(
        Prefetch("successions", queryset=successions),
        Prefetch("predecessions", queryset=predecessions),
    ).order_by("province_code", "-valid_from", "level", "code")


def province_choices(*, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the provinces in force, for filters."""
    _require_signed_in(actor)
    return list(
        AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, valid_to__isnull=True)
        .order_by("code")
        .values_list("code", "name")
    )


def current_unit_by_code(code: str) -> AdministrativeUnit | None:
    """The unit in force with this statistics code (2 digits: province, 5: commune)."""
    level = {2: UnitLevel.PROVINCE, 5: UnitLevel.COMMUNE}.get(len(code))
    if level is None:
        return None
    return AdministrativeUnit.objects.filter(level=level, code=code, valid_to__isnull=True).first()
