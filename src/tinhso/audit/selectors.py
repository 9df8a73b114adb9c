"""Reading the audit trail: filtered, scoped, newest first, one keyset page at a time.

Pages are cut on `seq` (`before`/`after` a sequence number) rather than by page number, so
the tenth thousandth page costs what the first does, and nothing counts the whole table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class AuditFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str = ""  # a username
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    agency_id: int | None = None
    request_id: str = ""

    @property
    def is_empty(self) -> bool:
        return self == AuditFilters()


@dataclass(frozen=True, slots=True)
class AuditPage:
    events: list[AuditEvent]
    newer_than: int | None  # link to the newer page with ?after=<this>
    older_than: int | None  # link to the older page with ?before=<this>


def _day_start(day: dt.date) -> dt.datetime:
    # Days are the province's days (Asia/Ho_Chi_Minh), whatever the server's clock says.
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone()
    )


def _in_period(
    rows: QuerySet[AuditEvent], date_from: dt.date | None, date_to: dt.date | None
) -> QuerySet[AuditEvent]:
    """Rows of the period, as a range of seq found through the time index.

    Times never go down as seq goes up (`audit_record` holds the chain head's time), so the
    period is exactly the seq range between its first and last rows; every other filter then
    reads its (…, -seq) index over that range instead of walking the whole trail to reach an
    old period.
    """
    times = AuditEvent.objects.values_list("seq", flat=True)
    if date_from is not None:
        start = _day_start(date_from)
        first = times.filter(occurred_at__gte=start).order_by("occurred_at", "seq").first()
        if first is None:
            return rows.none()
        rows = rows.filter(seq__gte=first, occurred_at__gte=start)
    if date_to is not None:
        end = _day_start(date_to + dt.timedelta(days=1))
        last = times.filter(occurred_at__lt=end).order_by("-occurred_at", "-seq").first()
        if last is None:
            return rows.none()
        rows = rows.filter(seq__lte=last, occurred_at__lt=end)
    return rows


def audit_events(*, scope: frozenset[int] | None, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The rows the scope allows that match the filters, newest first, actor and agency joined."""
    rows: QuerySet[AuditEvent] = AuditEvent.objects.select_related("actor", "agency").order_by(
        "-seq"
    )
    if scope is not None:
        rows = rows.filter(agency_id__in=scope)
    if filters.agency_id is not None:
        rows = rows.filter(agency_id=filters.agency_id)
    if filters.date_from is not None or filters.date_to is not None:
        rows = _in_period(rows, filters.date_from, filters.date_to)
    if filters.actor:
        # By the account when it exists (it survives a renamed username); system processes
        # ("system:calendar_seed") have no account and are found by their label.
        user_id = User.objects.filter(username=filters.actor).values_list("pk", flat=True).first()
        if user_id is not None:
            rows = rows.filter(actor_id=user_id)
        else:
            rows = rows.filter(actor_label=filters.actor)
    if filters.action:
        rows = rows.filter(action=filters.action)
    if filters.object_type:
        rows = rows.filter(object_type=filters.object_type)
    if filters.object_id:
        rows = rows.filter(object_id=filters.object_id)
    if filters.request_id:
        rows = rows.filter(request_id=filters.request_id)
    return rows


def audit_event_page(
    *,
    scope: frozenset[int] | None,
    filters: AuditFilters,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> AuditPage:
    """One page of `size` rows, newest first: the newest, or those before/after a seq."""
    rows = audit_events(scope=scope, filters=filters)
    if after is not None:
        # Walking towards newer rows: read upwards from `after`, then show newest first.
        chunk = list(rows.filter(seq__gt=after).order_by("seq")[: size + 1])
        more_newer = len(chunk) > size
        events = list(reversed(chunk[:size]))
        return AuditPage(
            events=events,
            newer_than=events[0].seq if events and more_newer else None,
            older_than=events[-1].seq if events else None,
        )
    if before is not None:
        rows = rows.filter(seq__lt=before)
    chunk = list(rows[: size + 1])
    events = chunk[:size]
    return AuditPage(
        events=events,
        newer_than=events[0].seq if events and before is not None else None,
        older_than=events[-1].seq if len(chunk) > size else None,
    )


def filter_agencies(scope: frozenset[int] | None) -> QuerySet[Agency]:
    """The agencies offered in the agency filter: every agency, or those in scope."""
    agencies = Agency.objects.only("pk", "name", "code").order_by("name")
    if scope is not None:
        agencies = agencies.filter(pk__in=scope)
    return agencies
