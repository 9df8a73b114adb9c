"""The outbox's routes in the access matrix (see tinhso.testing.access_matrix).

The provincial administrator sees every row; an agency administrator the rows of their
agency (another agency's row is hidden: 404); nobody else sees the outbox.
"""

from __future__ import annotations

from django.urls import reverse

from tinhso.notifications.models import Notification
from tinhso.notifications.tests.factories import make_failed
from tinhso.testing.access_matrix import AGENCY_A_ADMINS, OFFICIAL_ADMINS, Endpoint, World


def _failed_of_a(w: World) -> str:
    row: Notification = w.make("failed_notification_a", lambda: make_failed(agency=w.agency_a))
    return reverse("notifications:notification_retry", args=[row.pk])


ENDPOINTS = [
    Endpoint("notifications:notification_list", "GET", expect=OFFICIAL_ADMINS),
    Endpoint(
        "notifications:notification_retry",
        "POST",
        url=_failed_of_a,
        expect=AGENCY_A_ADMINS,
        success=frozenset({302}),
    ),
]
