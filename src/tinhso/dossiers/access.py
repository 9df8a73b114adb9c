"""Who sees and who acts on a dossier.

Seeing: the counter officers of the receiving agency (a commune's counter sees only its
commune's dossiers); the officials of an agency (and department) that the dossier has passed
through at some step (`DossierAgency`); the leaders of those agencies; the applicant's own
account; provincial administrators and the Service Center's officials (province-wide board).

Acting: each action names who may take it (`may_act`); the services check it again, so an API
call cannot do what the page does not offer.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor
from tinhso.accounts.models import Role
from tinhso.dossiers.models import Dossier, DossierAgency
from tinhso.dossiers.rules import Action
from tinhso.files.models import StoredFile
from tinhso.organizations.models import AgencyKind


def _service_center_ids(actor: Actor) -> frozenset[int]:
    from tinhso.organizations.models import Agency

    ids = actor.agency_ids
    if not ids:
        return frozenset()
    return frozenset(
        Agency.objects.filter(id__in=ids, kind=AgencyKind.SERVICE_CENTER).values_list(
            "id", flat=True
        )
    )


def sees_province(actor: Actor) -> bool:
    """Provincial administrators and the Service Center's leaders see every dossier."""
    if actor.is_provincial_admin:
        return True
    centers = _service_center_ids(actor)
    return any(m.agency_id in centers and m.role == Role.LANH_DAO for m in actor.memberships)


def visible_dossiers(actor: Actor, qs: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """The dossiers `actor` may see."""
    qs = Dossier.objects.all() if qs is None else qs
    if not actor.is_authenticated:
        return qs.none()
    if sees_province(actor):
        return qs
    condition = Q(applicant_user_id=actor.user_id)
    counter_agencies = actor.agency_ids_with_role(Role.MOT_CUA)
    if counter_agencies:
        condition |= Q(receiving_agency_id__in=counter_agencies)
    leader_agencies = actor.agency_ids_with_role(Role.LANH_DAO, Role.QUAN_TRI_CO_QUAN)
    passages: Q = Q()
    has_passage = False
    if leader_agencies:
        passages |= Q(agency_id__in=leader_agencies)
        has_passage = True
    for m in actor.memberships:
        if m.role in (Role.CHUYEN_VIEN, Role.VAN_THU) or (
            m.role == Role.LANH_DAO and m.department_id is not None
        ):
            if m.department_id is None:
                passages |= Q(agency_id=m.agency_id, department_id__isnull=True)
            else:
                passages |= Q(agency_id=m.agency_id, department_id=m.department_id)
            has_passage = True
    if has_passage:
        through = Exists(
            DossierAgency.objects.filter(passages, dossier_id=OuterRef("pk")).values("pk")
        )
        return qs.filter(condition | Q(through))
    return qs.filter(condition)


def access_dossier(actor: Actor, code: str, qs: QuerySet[Dossier] | None = None) -> Dossier:
    """The dossier with this code if the actor may see it, else 404 (its existence is hidden)."""
    try:
        return visible_dossiers(actor, qs).get(code=code)
    except Dossier.DoesNotExist as exc:
        raise Http404(_("Không tìm thấy hồ sơ “%(code)s”.") % {"code": code}) from exc


def is_counter(actor: Actor, dossier: Dossier) -> bool:
    return actor.has_role(Role.MOT_CUA, agency_id=dossier.receiving_agency_id)


def handles_current_step(actor: Actor, dossier: Dossier) -> bool:
    """The actor holds the current step: its role in its agency (and department), and is its
    assignee when one is named."""
    step = dossier.current_step
    if step is None or dossier.current_agency_id is None:
        return False
    if dossier.current_assignee_id is not None and dossier.current_assignee_id != actor.user_id:
        return False
    for m in actor.memberships:
        if m.agency_id != dossier.current_agency_id or m.role != step.role:
            continue
        if (
            dossier.current_department_id is None
            or m.department_id == dossier.current_department_id
        ):
            return True
    return False


def leads_agency(actor: Actor, agency_id: int | None) -> bool:
    return agency_id is not None and actor.has_role(Role.LANH_DAO, agency_id=agency_id)


def may_act(actor: Actor, dossier: Dossier, action: Action) -> bool:
    """Whether `actor` may take `action` on `dossier` (its status is checked separately)."""
    if not actor.is_authenticated:
        return False
    counter = is_counter(actor, dossier)
    match action:
        case Action.ACCEPT | Action.REFUSE | Action.SUPPLEMENT | Action.RETURN_RESULT | Action.PAY:
            return counter
        case Action.REQUEST_SUPPLEMENT:
            return (
                counter if dossier.current_step_id is None else handles_current_step(actor, dossier)
            )
        case (
            Action.FORWARD
            | Action.SEND_BACK
            | Action.APPROVE
            | Action.REQUEST_PAYMENT
            | Action.ATTACH_RESULT
        ):
            return handles_current_step(actor, dossier)
        case Action.APOLOGIZE:
            return (
                counter
                or leads_agency(actor, dossier.current_agency_id)
                or leads_agency(actor, dossier.resolving_agency_id)
            )
        case Action.STOP:
            return counter or leads_agency(actor, dossier.resolving_agency_id)
        case Action.WITHDRAW | Action.RATE:
            return counter or (
                dossier.applicant_user_id is not None and dossier.applicant_user_id == actor.user_id
            )
        case Action.TRANSFER:
            return counter
    return False


def require_act(actor: Actor, dossier: Dossier, action: Action) -> None:
    if not may_act(actor, dossier, action):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này trên hồ sơ."))


def reads_dossier_file(actor: Actor, stored: StoredFile) -> bool:
    """A file rule for `tinhso.files`: the file is a component or a result of a dossier the
    actor may see."""
    holders = Dossier.objects.filter(
        Q(components__file_id=stored.pk) | Q(results__file_id=stored.pk)
    )
    return visible_dossiers(actor, holders).exists()
