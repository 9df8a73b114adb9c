from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from tinhso.accounts.models import ApiToken, Role, User
from tinhso.accounts.tests.helpers import code_for, confirmed_totp
from tinhso.organizations.models import Agency
from tinhso.testing.factories import TEST_PASSWORD, official

URL = "/api/v1/auth/token/"


@pytest.fixture
def specialist(agency_a: Agency) -> User:
    return official(Role.CHUYEN_VIEN, agency=agency_a, username="an.nv")


@override_settings(API_TOKEN_TTL_HOURS=6)
def test_a_token_is_issued_for_the_right_password(api_client: APIClient, specialist: User) -> None:
    # when
    before = timezone.now()
    response = api_client.post(URL, {"username": "an.nv", "password": TEST_PASSWORD}, format="json")

    # then the token and its expiry come back; only the hash is stored
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    row = ApiToken.objects.get(user=specialist)
    assert row.key_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert before + dt.timedelta(hours=6) <= expires <= timezone.now() + dt.timedelta(hours=6)
    # and the token works
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert api_client.get("/api/v1/me/").json()["username"] == "an.nv"


def test_wrong_credentials_are_401_problem_json_in_vietnamese(
    api_client: APIClient, specialist: User
) -> None:
    response = api_client.post(URL, {"username": "an.nv", "password": "sai"}, format="json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body == {
        "type": "about:blank",
        "title": "Chưa xác thực",
        "status": 401,
        "detail": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "code": "invalid_credentials",
    }
    assert not ApiToken.objects.exists()


def test_missing_fields_are_400_with_field_errors(api_client: APIClient, db: None) -> None:
    response = api_client.post(URL, {"otp": "12"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {
        "username": ["Thiếu tên đăng nhập (username)."],
        "password": ["Thiếu mật khẩu (password)."],
        "otp": ["Mã xác thực (otp) gồm 6 chữ số."],
    }
    assert body["detail"] == "Vui lòng kiểm tra các trường được nêu."


def test_an_administrator_needs_the_otp_field(api_client: APIClient, admin_a: User) -> None:
    # given an enrolled administrator
    device = confirmed_totp(admin_a)

    # when the password alone is sent
    missing = api_client.post(URL, {"username": "qt_a", "password": TEST_PASSWORD}, format="json")

    # then 401 names the otp field; with the code from the app, the token comes
    assert missing.status_code == 401
    assert missing.json()["code"] == "otp_required"
    assert "otp" in missing.json()["detail"] and "otp" in missing.json()["errors"]
    ok = api_client.post(
        URL,
        {"username": "qt_a", "password": TEST_PASSWORD, "otp": code_for(device)},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["token"]


def test_a_wrong_otp_is_refused(api_client: APIClient, admin_a: User) -> None:
    confirmed_totp(admin_a)
    response = api_client.post(
        URL, {"username": "qt_a", "password": TEST_PASSWORD, "otp": "000000"}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "otp_invalid"
    assert response.json()["errors"]["otp"] == [
        "Mã xác thực không đúng hoặc đã hết hạn; hãy nhập mã mới trong ứng dụng."
    ]
    assert not ApiToken.objects.exists()


def test_an_administrator_without_an_app_must_enrol_first(
    api_client: APIClient, admin_a: User
) -> None:
    response = api_client.post(
        URL, {"username": "qt_a", "password": TEST_PASSWORD, "otp": "123456"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_not_enrolled"


def test_wrong_otps_count_towards_the_lockout(
    api_client: APIClient, admin_a: User, settings: object
) -> None:
    # given an enrolled administrator (no waiting between tries, for the test)
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # type: ignore[attr-defined]
    confirmed_totp(admin_a)

    # when the right password comes with a wrong code five times
    statuses = [
        api_client.post(
            URL, {"username": "qt_a", "password": TEST_PASSWORD, "otp": "000000"}, format="json"
        ).status_code
        for _ in range(5)
    ]

    # then the account is locked
    assert statuses == [401, 401, 401, 401, 429]


def test_a_bearer_header_on_the_token_endpoint_is_ignored(
    api_client: APIClient, specialist: User
) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.post(URL, {"username": "an.nv", "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 200


def test_a_successful_token_records_the_sign_in(api_client: APIClient, specialist: User) -> None:
    api_client.post(URL, {"username": "an.nv", "password": TEST_PASSWORD}, format="json")
    specialist.refresh_from_db()
    assert specialist.last_login is not None
