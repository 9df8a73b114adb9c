from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from tinhso.accounts.models import Role
from tinhso.accounts.services import api_token_issue
from tinhso.organizations.models import Agency, Department
from tinhso.testing.factories import make_membership, make_user, official

URL = "/api/v1/me/"


def _as(api_client: APIClient, user: Any) -> APIClient:
    _token, key = api_token_issue(actor=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api_client


def test_an_official_sees_their_memberships(
    api_client: APIClient,
    agency_a: Agency,
    agency_b: Agency,
    department_a: Department,
    django_assert_max_num_queries: Any,
) -> None:
    # given an official with two active roles and an ended one
    user = official(
        Role.CHUYEN_VIEN, department=department_a, username="an.nv", full_name="Lê Văn An"
    )
    make_membership(user=user, agency=agency_b, role=Role.VAN_THU)
    make_membership(user=user, agency=agency_b, role=Role.LANH_DAO, is_active=False)
    _as(api_client, user)

    # when
    with django_assert_max_num_queries(3):
        response = api_client.get(URL)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "username": "an.nv",
        "full_name": "Lê Văn An",
        "kind": "official",
        "memberships": [
            {
                "agency": {"id": agency_a.pk, "code": agency_a.code, "name": agency_a.name},
                "department": {"id": department_a.pk, "name": department_a.name},
                "role": "chuyen_vien",
            },
            {
                "agency": {"id": agency_b.pk, "code": agency_b.code, "name": agency_b.name},
                "department": None,
                "role": "van_thu",
            },
        ],
    }


def test_a_citizen_has_no_memberships(api_client: APIClient, db: None) -> None:
    citizen = make_user(citizen=True, username="congdan")
    body = _as(api_client, citizen).get(URL).json()
    assert body["kind"] == "citizen" and body["memberships"] == []


def test_anonymous_gets_401_problem_json_in_vietnamese(api_client: APIClient, db: None) -> None:
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["title"] == "Chưa xác thực"
    assert not response.json()["detail"].isascii()  # Vietnamese, whichever catalogue says it
