from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency
from tinhso.organizations.services import agency_close
from tinhso.testing.factories import make_agency

pytestmark = pytest.mark.django_db


def test_closing_sets_valid_to_and_keeps_the_row(province_admin: User, agency_a: Agency) -> None:
    # when
    agency_close(actor=province_admin, agency=agency_a, valid_to=dt.date(2026, 3, 1))

    # then
    agency_a.refresh_from_db()
    assert agency_a.valid_to == dt.date(2026, 3, 1)
    assert agency_a.is_active_on(dt.date(2026, 3, 1))
    assert not agency_a.is_active_on(dt.date(2026, 3, 2))
    event = AuditEvent.objects.get()
    assert event.action == "organizations.agency_close"
    assert event.changes == {"valid_to": [None, "2026-03-01"]}


def test_closing_twice_is_refused(province_admin: User, agency_a: Agency) -> None:
    # given
    agency_close(actor=province_admin, agency=agency_a, valid_to=dt.date(2026, 3, 1))

    # when
    with pytest.raises(ValidationError) as caught:
        agency_close(actor=province_admin, agency=agency_a, valid_to=dt.date(2026, 4, 1))

    # then
    assert caught.value.message_dict["valid_to"] == [
        "Cơ quan đã kết thúc hoạt động từ ngày 01/03/2026."
    ]


def test_closing_before_valid_from_is_refused(province_admin: User) -> None:
    # given
    agency = make_agency(valid_from=dt.date(2025, 7, 1))

    # then
    with pytest.raises(ValidationError, match="không được trước ngày bắt đầu"):
        agency_close(actor=province_admin, agency=agency, valid_to=dt.date(2025, 6, 1))


def test_closing_with_active_children_is_refused(province_admin: User, agency_a: Agency) -> None:
    # given
    make_agency(parent=agency_a)

    # when
    with pytest.raises(ValidationError) as caught:
        agency_close(actor=province_admin, agency=agency_a, valid_to=dt.date(2026, 3, 1))

    # then
    assert "Còn 1 cơ quan trực thuộc" in caught.value.message_dict["valid_to"][0]
    agency_a.refresh_from_db()
    assert agency_a.valid_to is None


def test_agency_admin_may_not_close(agency_a: Agency, agency_admin_a: User) -> None:
    with pytest.raises(PermissionDenied):
        agency_close(actor=agency_admin_a, agency=agency_a, valid_to=dt.date(2026, 3, 1))
    agency_a.refresh_from_db()
    assert agency_a.valid_to is None
