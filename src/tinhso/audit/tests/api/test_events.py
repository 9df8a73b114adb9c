"""`/api/v1/audit/events/`: the same scoping as the pages, keyset pages, the same filters."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tinhso.accounts.models import Role
from tinhso.audit.tests.factories import login_verified, record, record_many
from tinhso.organizations.models import Agency
from tinhso.testing.factories import AgencyFactory, UserFactory, official

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/events/"


@pytest.fixture
def agencies() -> tuple[Agency, Agency]:
    return AgencyFactory.create(), AgencyFactory.create()


def test_anonymous_gets_401(api_client: APIClient) -> None:
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("role", [Role.CHUYEN_VIEN, Role.LANH_DAO])
def test_non_administrators_get_403(api_client: APIClient, role: str) -> None:
    api_client.force_authenticate(official(role))
    assert api_client.get(URL).status_code == 403


def test_citizen_gets_403(api_client: APIClient) -> None:
    api_client.force_authenticate(UserFactory.create(citizen=True))
    assert api_client.get(URL).status_code == 403


def test_administrator_session_without_second_factor_gets_403(client: Client) -> None:
    client.force_login(official(Role.QUAN_TRI_TINH))
    assert client.get(URL).status_code == 403


def test_agency_admin_reads_only_rows_of_their_agency(
    client: Client, agencies: tuple[Agency, Agency]
) -> None:
    # given
    own, other = agencies
    mine = record(agency=own)
    record(agency=other)
    record()
    login_verified(client, official(Role.QUAN_TRI_CO_QUAN, agency=own))
    # when
    body = client.get(URL).json()
    # then
    assert [row["seq"] for row in body["results"]] == [mine.seq]
    assert body["results"][0]["hash"] == mine.hash
    assert client.get(f"{URL}{mine.seq}/").status_code == 200
    assert client.get(f"{URL}{mine.seq + 1}/").status_code == 404


def test_provincial_admin_pages_with_a_cursor(client: Client) -> None:
    # given
    record_many(60)
    login_verified(client, official(Role.QUAN_TRI_TINH))
    # when
    first = client.get(URL).json()
    second = client.get(first["next"]).json()
    # then
    assert [r["seq"] for r in first["results"]] == list(range(60, 10, -1))
    assert [r["seq"] for r in second["results"]] == list(range(10, 0, -1))
    assert second["next"] is None
    assert "count" not in first


def test_filters_and_their_errors(client: Client) -> None:
    # given
    record(action="a.create")
    record(action="a.update")
    login_verified(client, official(Role.QUAN_TRI_TINH))
    # when
    filtered = client.get(URL, {"action": "a.create"}).json()
    refused = client.get(URL, {"date_from": "31/02/2025"})
    # then
    assert [r["action"] for r in filtered["results"]] == ["a.create"]
    assert refused.status_code == 400
    assert refused.json()["errors"]["date_from"] == [
        "Từ ngày phải có dạng dd/mm/yyyy, ví dụ 02/09/2025."
    ]
