"""One audit row: its changes field by field, for those allowed to see it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tinhso.accounts.models import Role
from tinhso.audit.models import AuditEvent
from tinhso.audit.tests.factories import login_verified, record
from tinhso.organizations.models import Agency
from tinhso.testing.factories import AgencyFactory, UserFactory, official

pytestmark = pytest.mark.django_db


def url(seq: int) -> str:
    return reverse("audit:event_detail", args=[seq])


@pytest.fixture
def agency() -> Agency:
    created: Agency = AgencyFactory.create()
    return created


@pytest.fixture
def event(agency: Agency) -> AuditEvent:
    target = official(agency=agency, full_name="Lê Văn Cũ")
    return record(
        actor="system:test",
        action="accounts.user.update",
        obj=target,
        agency=agency,
        changes={"full_name": ["Lê Văn Cũ", "Lê Văn Mới"], "is_active": [True, False]},
    )


def test_anonymous_is_sent_to_sign_in(client: Client, event: AuditEvent) -> None:
    assert client.get(url(event.seq)).status_code == 302


def test_citizen_and_non_administrators_are_refused(
    client: Client, event: AuditEvent, agency: Agency
) -> None:
    client.force_login(UserFactory.create(citizen=True))
    assert client.get(url(event.seq)).status_code == 403
    client.force_login(official(Role.LANH_DAO, agency=agency))
    assert client.get(url(event.seq)).status_code == 403


def test_administrator_of_another_agency_does_not_find_it(
    client: Client, event: AuditEvent
) -> None:
    login_verified(client, official(Role.QUAN_TRI_CO_QUAN))
    assert client.get(url(event.seq)).status_code == 404


def test_agency_admin_reads_a_row_of_their_agency(
    client: Client, event: AuditEvent, agency: Agency
) -> None:
    login_verified(client, official(Role.QUAN_TRI_CO_QUAN, agency=agency))
    assert client.get(url(event.seq)).status_code == 200


def test_missing_row_is_not_found(client: Client) -> None:
    login_verified(client, official(Role.QUAN_TRI_TINH))
    assert client.get(url(999)).status_code == 404


def test_changes_are_shown_before_and_after_with_field_names(
    client: Client, event: AuditEvent
) -> None:
    # given
    login_verified(client, official(Role.QUAN_TRI_TINH))
    # when
    response = client.get(url(event.seq))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Họ và tên" in html and "Lê Văn Cũ" in html and "Lê Văn Mới" in html
    assert "Còn hoạt động" in html or "is_active" in html
    assert ">Có<" in html and ">Không<" in html
    assert event.hash in html


def test_row_without_changes_says_so(client: Client) -> None:
    login_verified(client, official(Role.QUAN_TRI_TINH))
    plain = record(action="accounts.user.sign_in")
    html = client.get(url(plain.seq)).content.decode()
    assert "không ghi lại thay đổi nào" in html
