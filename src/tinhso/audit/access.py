"""Who may read the audit trail, and which part of it.

The provincial administrator reads every row; an agency administrator (quan_tri_co_quan)
reads the rows of the agencies they administer; nobody else reads the trail.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor, administered_agency_ids
from tinhso.audit.models import AuditEvent


def audit_scope(actor: Actor) -> frozenset[int] | None:
    """The agencies whose audit rows the actor may read; None means all rows.

    Raises PermissionDenied for anyone who administers nothing.
    """
    scope = administered_agency_ids(actor)
    if scope is not None and not scope:
        raise PermissionDenied(_("Chỉ quản trị viên mới được xem nhật ký hệ thống."))
    return scope


def access_audit_event(actor: Actor, seq: int) -> AuditEvent:
    """The audit row with sequence number `seq`, if the actor may read it (else 403/404)."""
    scope = audit_scope(actor)
    rows = AuditEvent.objects.select_related("actor", "agency")
    if scope is not None:
        rows = rows.filter(agency_id__in=scope)
    try:
        return rows.get(seq=seq)
    except AuditEvent.DoesNotExist:
        raise Http404(_("Không tìm thấy dòng nhật ký này.")) from None
