"""Reminders before the due date: once per assignment, only for open ones, by e-mail."""

from __future__ import annotations

import datetime as dt

import pytest

from tinhso.documents import services
from tinhso.documents.notify import remind_due
from tinhso.documents.numbering import vietnam_date
from tinhso.notifications.models import Notification
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db


def test_an_assignment_near_its_due_date_is_reminded_once(eoffice: EofficeWorld) -> None:
    # given two assignments: one due tomorrow, one in ten days
    d, main = eoffice.assigned()
    today = vietnam_date(main.assigned_at)
    type(main).objects.filter(pk=main.pk).update(due_on=today + dt.timedelta(days=1))
    _later, other = eoffice.assigned(number="99")
    type(other).objects.filter(pk=other.pk).update(due_on=today + dt.timedelta(days=10))
    # when the reminder runs twice
    first = remind_due(days_ahead=2)
    second = remind_due(days_ahead=2)
    # then only the near one is reminded, once, by e-mail to the specialist
    assert (first, second) == (1, 0)
    mail = Notification.objects.get(kind="document.reminder")
    assert mail.recipient == eoffice.specialist.email
    assert d.subject[:40] in mail.subject


def test_a_completed_assignment_is_not_reminded(eoffice: EofficeWorld) -> None:
    _d, main = eoffice.assigned()
    services.assignment_complete(
        actor=eoffice.specialist, assignment_id=main.pk, result_note="Đã xong"
    )
    type(main).objects.filter(pk=main.pk).update(due_on=vietnam_date(main.assigned_at))
    assert remind_due(days_ahead=2) == 0
