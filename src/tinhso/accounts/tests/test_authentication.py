from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tinhso.accounts.authentication import LAST_USED_RESOLUTION
from tinhso.accounts.models import ApiToken, Role
from tinhso.accounts.services import api_token_issue
from tinhso.organizations.models import Agency
from tinhso.testing.factories import official

ME = "/api/v1/me/"
REFUSED = "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi."


def _token(agency: Agency, **user_fields: Any) -> tuple[ApiToken, str]:
    return api_token_issue(actor=official(Role.CHUYEN_VIEN, agency=agency, **user_fields))


def test_a_live_token_authenticates_and_records_its_use(
    api_client: APIClient, agency_a: Agency
) -> None:
    token, key = _token(agency_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api_client.get(ME).status_code == 200
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    # a second call right away does not write again
    api_client.get(ME)
    token.refresh_from_db()
    assert token.last_used_at == first_use
    assert dt.timedelta(minutes=1) <= LAST_USED_RESOLUTION


@pytest.mark.parametrize("problem", ["expired", "revoked", "inactive", "unknown"])
def test_dead_tokens_are_refused(api_client: APIClient, agency_a: Agency, problem: str) -> None:
    # given a token that is no longer good
    token, key = _token(agency_a)
    if problem == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    elif problem == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    elif problem == "inactive":
        token.user.__class__.objects.filter(pk=token.user_id).update(is_active=False)
    else:
        key = key + "x"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    # when / then
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["detail"] == REFUSED
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_malformed_header_is_refused(api_client: APIClient, db: None) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Bearer a b")
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["detail"] == "Tiêu đề Authorization không hợp lệ."


def test_other_schemes_are_left_to_other_authenticators(api_client: APIClient, db: None) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert api_client.get(ME).json()["code"] == "not_authenticated"
