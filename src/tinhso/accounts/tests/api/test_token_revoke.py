from __future__ import annotations

from django.test import Client
from rest_framework.test import APIClient

from tinhso.accounts.models import Role
from tinhso.accounts.services import api_token_issue
from tinhso.organizations.models import Agency
from tinhso.testing.factories import official

URL = "/api/v1/auth/token/revoke/"


def test_revoking_the_token_in_use_makes_it_useless(
    api_client: APIClient, agency_a: Agency
) -> None:
    # given a token
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    token, key = api_token_issue(actor=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    # when it revokes itself
    response = api_client.post(URL)

    # then it is refused afterwards, with a Vietnamese problem
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = api_client.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi."


def test_a_session_has_no_token_to_revoke(client: Client, agency_a: Agency) -> None:
    client.force_login(official(Role.CHUYEN_VIEN, agency=agency_a))
    response = client.post(URL)
    assert response.status_code == 400
    assert response.json()["code"] == "bearer_required"


def test_anonymous_is_401(api_client: APIClient, db: None) -> None:
    assert api_client.post(URL).status_code == 401
