from __future__ import annotations

from django.test import Client

from tinhso.accounts.models import Role
from tinhso.organizations.models import Agency
from tinhso.testing.factories import TEST_PASSWORD, official

URL = "/accounts/password/"
NEW = "Mot-mat-khau-moi-2026!"


def test_the_page_lists_the_rules_in_vietnamese(client: Client, agency_a: Agency) -> None:
    client.force_login(official(Role.CHUYEN_VIEN, agency=agency_a))
    html = client.get(URL).content.decode()
    assert "Mật khẩu phải có ít nhất 10 ký tự." in html
    assert "Mật khẩu không được là mật khẩu phổ biến." in html
    assert 'autocomplete="new-password"' in html and 'autocomplete="current-password"' in html


def test_a_change_keeps_the_session_and_the_new_password_works(
    client: Client, agency_a: Agency
) -> None:
    # given a signed-in official
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    client.force_login(user)

    # when they change the password
    response = client.post(
        URL, {"old_password": TEST_PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )

    # then they stay signed in and the new password is the one
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_errors_are_shown_next_to_the_fields_in_vietnamese(
    client: Client, agency_a: Agency
) -> None:
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    client.force_login(user)
    short = client.post(
        URL, {"old_password": "sai", "new_password1": "ngan", "new_password2": "ngan"}
    ).content.decode()
    mismatch = client.post(
        URL, {"old_password": TEST_PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"}
    ).content.decode()
    assert "Mật khẩu hiện tại không đúng." in short
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in short
    assert 'id="id_new_password1_errors"' in short and 'role="alert"' in short
    assert "Hai lần nhập mật khẩu mới không khớp nhau." in mismatch
    assert "This password" not in short
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
