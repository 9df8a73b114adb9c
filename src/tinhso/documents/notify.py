"""E-mails to officials about documents given to them, and reminders before a due date.

Written to the notifications outbox (sent after commit, with retries). An official without an
e-mail address gets nothing here; the inbox page shows the same with the time left in colour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from tinhso.documents.models import Assignment, AssignmentStatus
from tinhso.documents.numbering import vietnam_date


def _url(document_id: int) -> str:
    base = getattr(settings, "TINHSO_PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{reverse('documents:detail', args=[document_id])}"


def _send(a: Assignment, kind: str, subject: str, template: str) -> None:
    email = a.assignee.email
    if not email:
        return
    from tinhso.notifications.services import notification_enqueue

    body = render_to_string(
        f"documents/mail/{template}.txt", {"a": a, "d": a.document, "url": _url(a.document_id)}
    )
    notification_enqueue(
        channel="email",
        recipient=email,
        subject=subject,
        body_text=body,
        kind=kind,
        obj=a.document,
        agency=a.document.agency,
    )


def assigned(assignment_ids: Sequence[int]) -> None:
    """Tell each new assignee (own transaction: runs after the assignment committed)."""
    rows = Assignment.objects.filter(pk__in=assignment_ids).select_related(
        "assignee", "document", "document__agency"
    )
    with override("vi"), transaction.atomic():
        for a in rows:
            _send(
                a,
                "document.assigned",
                _("Văn bản được giao: %(s)s") % {"s": a.document.subject[:120]},
                "assigned",
            )


def remind_due(*, now: dt.datetime | None = None, days_ahead: int | None = None) -> int:
    """Remind the open assignments due within `days_ahead` days (default from settings), once."""
    moment = now or timezone.now()
    ahead = (
        days_ahead
        if days_ahead is not None
        else getattr(settings, "TINHSO_DOCUMENT_REMIND_DAYS", 2)
    )
    today = vietnam_date(moment)
    rows = list(
        Assignment.objects.filter(
            status__in=(
                AssignmentStatus.WAITING,
                AssignmentStatus.SEEN,
                AssignmentStatus.IN_PROGRESS,
            ),
            due_on__isnull=False,
            due_on__lte=today + dt.timedelta(days=ahead),
            reminded_at__isnull=True,
        ).select_related("assignee", "document", "document__agency")[:1000]
    )
    with override("vi"), transaction.atomic():
        for a in rows:
            overdue = a.due_on is not None and a.due_on < today
            subject = (
                _("Quá hạn xử lý văn bản: %(s)s")
                if overdue
                else _("Sắp đến hạn xử lý văn bản: %(s)s")
            ) % {"s": a.document.subject[:120]}
            _send(a, "document.reminder", subject, "reminder")
        Assignment.objects.filter(pk__in=[a.pk for a in rows]).update(reminded_at=moment)
    return len(rows)
