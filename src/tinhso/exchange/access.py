"""Who watches an agency's interconnection traffic.

The monitor of sent and received packages is for the registry clerk (văn thư: Nghị định
30/2020, Điều 21 and 18 make the clerk receive and dispatch documents) and the agency's and the
province's administrators, each for the agencies where they hold that role. Packages the hub
delivered for no agency of this installation belong to nobody's agency: the provincial
administrators see them. Everyone else gets 403 on the pages; a package of another agency is 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor
from tinhso.accounts.models import Role

WATCH_ROLES = (Role.VAN_THU, Role.QUAN_TRI_CO_QUAN, Role.QUAN_TRI_TINH)


def watched_agencies(actor: Actor) -> frozenset[int]:
    if not actor.is_authenticated or not actor.is_official:
        return frozenset()
    return actor.agency_ids_with_role(*WATCH_ROLES)


def may_watch_agency(actor: Actor, agency_id: int | None) -> bool:
    if agency_id is None:
        return actor.is_provincial_admin
    return agency_id in watched_agencies(actor)


def require_watcher(actor: Actor) -> frozenset[int]:
    """The agencies whose packages the actor watches; 403 when none."""
    agencies = watched_agencies(actor)
    if not agencies:
        raise PermissionDenied(
            _("Chức năng này dành cho văn thư và quản trị của cơ quan (liên thông văn bản).")
        )
    return agencies


def may_answer_revoke(actor: Actor, agency_id: int) -> bool:
    """The clerk of the receiving agency answers a revoke (Nghị định 30/2020, Điều 18.4)."""
    return actor.has_role(Role.VAN_THU, agency_id=agency_id)
