"""Who may see the outbox, and which part of it.

The provincial administrator sees every row; an agency administrator (quan_tri_co_quan) the
rows about the agencies they administer; nobody else sees the outbox. Rows without an agency
(platform messages) are the provincial administrator's only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor, administered_agency_ids
from tinhso.notifications.models import Notification


def notification_scope(actor: Actor) -> frozenset[int] | None:
    """The agencies whose outbox rows the actor may see; None means every row.

    Raises PermissionDenied for anyone who administers nothing.
    """
    scope = administered_agency_ids(actor)
    if scope is not None and not scope:
        raise PermissionDenied(_("Chỉ quản trị viên mới được xem thông báo gửi đi."))
    return scope


def access_notification(actor: Actor, notification_id: int) -> Notification:
    """The outbox row `notification_id`, if the actor may see it (else 403/404)."""
    scope = notification_scope(actor)
    rows = Notification.objects.select_related("agency")
    if scope is not None:
        rows = rows.filter(agency_id__in=scope)
    row = rows.filter(pk=notification_id).first()
    if row is None:
        raise Http404(_("Không tìm thấy thông báo này."))
    return row
