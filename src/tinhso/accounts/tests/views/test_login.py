from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.test import Client
from django.urls import reverse

from tinhso.accounts.models import Role, User
from tinhso.accounts.tests.helpers import confirmed_totp
from tinhso.organizations.models import Agency
from tinhso.testing.factories import TEST_PASSWORD, official

LOGIN = "/accounts/login/"


def test_the_page_is_vietnamese_accessible_and_bare(client: Client, db: None) -> None:
    # when an anonymous visitor opens the page
    response = client.get(LOGIN)

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("accounts:login") == LOGIN
    assert '<html lang="vi">' in html
    assert str(settings.TINHSO_PROVINCE_NAME) in html
    assert '<h1 id="login-title" class="h4 mb-1">Đăng nhập</h1>' in html
    assert re.search(r"<button[^>]*type=\"submit\"[^>]*>Đăng nhập</button>", html)
    # labelled fields with the autocomplete hints password managers rely on
    assert '<label class="form-label" for="id_username">Tên đăng nhập' in html
    assert '<label class="form-label" for="id_password">Mật khẩu' in html
    assert re.search(r'<input[^>]*name="username"[^>]*autocomplete="username"', html)
    assert re.search(r'<input[^>]*name="password"[^>]*autocomplete="current-password"', html)
    assert 'name="viewport"' in html
    # and no officials' sidebar
    assert 'id="sidebar"' not in html
    assert isinstance(response.context["form"], AuthenticationForm)


def test_a_wrong_password_shows_a_vietnamese_error_summary(
    client: Client, agency_a: Agency
) -> None:
    # given an official
    official(Role.CHUYEN_VIEN, agency=agency_a, username="an.nv")

    # when they mistype the password
    response = client.post(LOGIN, {"username": "an.nv", "password": "sai"})

    # then the page says so in an alert, and they are not signed in
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in html
    assert "_auth_user_id" not in client.session


def test_missing_fields_are_named(client: Client, db: None) -> None:
    html = client.post(LOGIN, {"username": "", "password": ""}).content.decode()
    assert "Vui lòng nhập tên đăng nhập." in html
    assert "Vui lòng nhập mật khẩu." in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_username_errors"' in html


def test_an_official_signs_in_and_goes_to_next(client: Client, agency_a: Agency) -> None:
    # given
    user = official(Role.CHUYEN_VIEN, agency=agency_a, username="an.nv")

    # when
    response = client.post(
        LOGIN + "?next=/calendar/", {"username": "an.nv", "password": TEST_PASSWORD}
    )

    # then
    assert response.status_code == 302 and response["Location"] == "/calendar/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_foreign_next_is_ignored(client: Client, agency_a: Agency) -> None:
    official(Role.CHUYEN_VIEN, agency=agency_a, username="an.nv")
    response = client.post(
        LOGIN, {"username": "an.nv", "password": TEST_PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("web:home")


def test_the_session_ends_with_the_browser_or_after_a_working_day(
    client: Client, agency_a: Agency
) -> None:
    official(Role.CHUYEN_VIEN, agency=agency_a, username="an.nv")
    response = client.post(LOGIN, {"username": "an.nv", "password": TEST_PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == 8 * 3600


def test_an_inactive_account_cannot_sign_in(client: Client, agency_a: Agency) -> None:
    official(Role.CHUYEN_VIEN, agency=agency_a, username="an.nv", is_active=False)
    response = client.post(LOGIN, {"username": "an.nv", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("enrolled", [False, True])
def test_an_administrator_continues_to_the_second_factor(
    client: Client, admin_a: User, enrolled: bool
) -> None:
    # given an administrator, with or without an authenticator app
    if enrolled:
        confirmed_totp(admin_a)

    # when they sign in with the password
    response = client.post(LOGIN + "?next=/audit/", {"username": "qt_a", "password": TEST_PASSWORD})

    # then the next stop is the second factor, which will lead on to /audit/
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2Faudit%2F"


def test_a_signed_in_visitor_is_sent_on(client: Client, agency_a: Agency) -> None:
    client.force_login(official(Role.CHUYEN_VIEN, agency=agency_a))
    assert client.get(LOGIN)["Location"] == reverse("web:home")


def test_logout_is_post_only(client: Client, agency_a: Agency) -> None:
    # given a signed-in official
    client.force_login(official(Role.CHUYEN_VIEN, agency=agency_a))

    # when a link (GET) tries to sign them out, nothing happens
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session

    # then the form (POST) does, back to the sign-in page
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session
