"""Signing in through the login form: success, a wrong password, the lockout, two factors."""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from tinhso.accounts.models import Role
from tinhso.testing.browser import assert_accessible, login, screenshots
from tinhso.testing.factories import TEST_PASSWORD, official

pytestmark = pytest.mark.browser


def test_official_signs_in_and_reaches_the_home_page(page: Page, live_server: Any) -> None:
    # given
    user = official(Role.CHUYEN_VIEN, full_name="Nguyễn Thị Lan")
    # when
    login(page, user.username, TEST_PASSWORD)
    # then
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Nguyễn Thị Lan")
    expect(page.get_by_test_id("current-user")).to_have_text("Nguyễn Thị Lan")


def test_wrong_password_is_refused_with_a_message(page: Page) -> None:
    # given
    user = official(Role.CHUYEN_VIEN)
    # when
    login(page, user.username, "mat-khau-sai-2026")
    # then
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text("không đúng")
    expect(page.locator("input[name=password]")).to_have_value("")
    assert_accessible(page, "the login page with its error")


def test_five_wrong_passwords_lock_the_account(page: Page) -> None:
    # given
    user = official(Role.CHUYEN_VIEN)
    # when: four failures still show the form, the fifth locks
    for _ in range(4):
        login(page, user.username, "mat-khau-sai-2026")
        expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    login(page, user.username, "mat-khau-sai-2026")
    # then: the lockout page, even for the right password now
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản tạm thời bị khóa")
    screenshots(page, "accounts-locked_out")
    assert_accessible(page, "the lockout page")
    login(page, user.username, TEST_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản tạm thời bị khóa")


def _totp_from_page(page: Page) -> TOTP:
    secret = re.sub(r"\s+", "", page.get_by_test_id("otp-secret").inner_text())
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return TOTP(key, step=30, t0=0, digits=6, drift=0)


def _clear_of_a_step_boundary(seconds: float = 6.0) -> None:
    """Wait, if need be, for a code's 30-second step to have `seconds` left: a code typed as
    the step ends is checked in the next one, and the server then records a drift of one step
    that the test's own clock does not know (a flake seen once in CI)."""
    left = 30 - time.time() % 30
    if left < seconds:
        time.sleep(left + 0.2)


def test_administrator_enrols_an_authenticator_then_signs_in_with_it(
    page: Page, live_server: Any
) -> None:
    # given: an agency administrator without a second factor yet
    admin = official(Role.QUAN_TRI_CO_QUAN, full_name="Trần Văn Quản")
    # when: signing in leads to the enrolment page, which shows the secret
    login(page, admin.username, TEST_PASSWORD)
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    totp = _totp_from_page(page)
    _clear_of_a_step_boundary()
    page.locator("input[name=otp_token]").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Xác nhận và bật").click()
    # then
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Trần Văn Quản")

    # when: later, after signing out, the password alone is not enough
    page.locator("header").get_by_role("button", name="Đăng xuất").click()
    login(page, admin.username, TEST_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực hai lớp")
    screenshots(page, "accounts-two_factor_verify")
    assert_accessible(page, "the second-factor page")
    # The code of this time step was used at enrolment; the next step's code is accepted
    # (one step of tolerance) and spares the test a wait of up to 30 seconds.
    totp.drift = 1
    _clear_of_a_step_boundary()
    page.locator("input[name=otp_token]").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    # then
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Trần Văn Quản")
