"""The audit trail's routes in the access matrix (see tinhso.testing.access_matrix).

The provincial administrator reads every row; an agency administrator only the rows of their
agency (another agency's row is hidden: 404); nobody else reads the trail.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from tinhso.audit.models import AuditEvent
from tinhso.audit.services import audit_record
from tinhso.testing.access_matrix import (
    AGENCY_A_ADMINS,
    OFFICIAL_ADMINS,
    Endpoint,
    World,
)


def _event_of_a(w: World) -> int:
    def record() -> AuditEvent:
        with transaction.atomic():
            return audit_record(
                actor="system:access-matrix",
                action="accessmatrix.test",
                agency=w.agency_a,
                object_type="organizations.agency",
                object_id=str(w.agency_a.pk),
                object_repr=str(w.agency_a),
            )

    event: AuditEvent = w.make("audit_event_a", record)
    return event.seq


ENDPOINTS = [
    Endpoint("audit:event_list", "GET", expect=OFFICIAL_ADMINS),
    Endpoint(
        "audit:event_detail",
        "GET",
        url=lambda w: reverse("audit:event_detail", args=[_event_of_a(w)]),
        expect=AGENCY_A_ADMINS,
    ),
    Endpoint("audit-event-list", "GET", expect=OFFICIAL_ADMINS),
    Endpoint(
        "audit-event-detail",
        "GET",
        url=lambda w: reverse("audit-event-detail", args=[_event_of_a(w)]),
        expect=AGENCY_A_ADMINS,
    ),
]
