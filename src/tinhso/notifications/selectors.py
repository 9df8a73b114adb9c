"""Reading the outbox: the rows in the actor's scope that match the filters, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from tinhso.notifications.models import Notification


@dataclass(frozen=True, slots=True)
class NotificationFilters:
    status: str = ""
    kind: str = ""


def notifications(
    *, scope: frozenset[int] | None, filters: NotificationFilters
) -> QuerySet[Notification]:
    """The rows the scope allows (None: all) matching the filters, agency joined, newest first."""
    rows = Notification.objects.select_related("agency").order_by("-id")
    if scope is not None:
        rows = rows.filter(agency_id__in=scope)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return rows
