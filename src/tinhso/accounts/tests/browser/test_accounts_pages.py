"""The accounts pages in Chromium: layout at desktop and phone width, accessibility, and the
administrator's journey through the officials pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tinhso.accounts.models import Membership, Role, User
from tinhso.testing.browser import DESKTOP, PHONE, assert_accessible, login, screenshots
from tinhso.testing.factories import TEST_PASSWORD, make_agency, make_department, official

pytestmark = pytest.mark.browser
NEW = "Mot-mat-khau-moi-2026!"


def _fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_login_page_fits_and_is_accessible(page: Page, viewport: dict[str, int]) -> None:
    # given the screen size
    page.set_viewport_size(viewport)  # type: ignore[arg-type]

    # when the login page opens
    page.goto("/accounts/login/")

    # then the form is visible without scrolling sideways, the username has the focus
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    expect(page.get_by_label("Tên đăng nhập")).to_be_focused()
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_in_viewport()
    expect(page.get_by_test_id("province-name")).to_be_visible()
    assert _fits_the_width(page)
    assert page.locator("#sidebar").count() == 0
    assert_accessible(page, f"the login page ({viewport['width']}px)")


def test_the_enrolment_page_is_accessible(page: Page) -> None:
    admin = official(Role.QUAN_TRI_CO_QUAN)
    login(page, admin.username, TEST_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bật xác thực hai lớp")
    expect(page.get_by_test_id("otp-qr").locator("svg")).to_be_visible()
    screenshots(page, "accounts-two_factor_enrol")
    assert_accessible(page, "the enrolment page")


def test_an_administrator_manages_the_officials_of_the_agency(
    page: Page, sign_in: Callable[..., Page]
) -> None:
    # given an agency administrator (second factor done) and one official
    agency = make_agency(name="Sở Tư pháp", short_name="STP")
    department = make_department(agency=agency, name="Phòng Hành chính tư pháp")
    admin = official(Role.QUAN_TRI_CO_QUAN, agency=agency, full_name="Quản Trị Sở")
    official(Role.CHUYEN_VIEN, agency=agency, full_name="Nguyễn Văn Ánh", username="nva")
    sign_in(admin, verified=True)

    # when they open the officials list from the sidebar and search without diacritics
    page.goto("/")
    page.locator("#sidebar").get_by_role("link", name="Cán bộ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cán bộ, công chức")
    assert_accessible(page, "the officials list")
    page.get_by_label("Tìm theo họ tên hoặc tên đăng nhập").fill("nguyen anh")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_role("link", name="Nguyễn Văn Ánh")).to_be_visible()
    expect(page.get_by_role("link", name="Quản Trị Sở")).to_have_count(0)
    screenshots(page, "accounts-official_list")

    # and add an official, first with a mistake
    page.get_by_role("link", name=re.compile("Thêm cán bộ vào Sở Tư pháp")).click()
    page.get_by_label("Họ và tên").fill("Trần Thị Mới")
    page.get_by_label("Tên đăng nhập").fill("Tran Thi Moi")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Phòng ban").select_option(label=department.name)
    page.get_by_label("Vai trò").select_option(label="Chuyên viên")
    page.get_by_label("Mật khẩu ban đầu").fill(NEW)
    page.get_by_label("Nhập lại mật khẩu").fill(NEW)
    page.get_by_role("button", name="Tạo tài khoản").click()

    # then the mistake is named next to the field and in the summary
    expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập")
    expect(page.locator("#id_username_errors")).to_contain_text("chữ cái không dấu")
    assert_accessible(page, "the create form with errors")
    screenshots(page, "accounts-official_form_errors")

    # when corrected (the passwords are asked again)
    page.get_by_label("Tên đăng nhập").fill("tranthimoi")
    page.get_by_label("Mật khẩu ban đầu").fill(NEW)
    page.get_by_label("Nhập lại mật khẩu").fill(NEW)
    page.get_by_role("button", name="Tạo tài khoản").click()

    # then the new official's page shows the membership
    expect(page.get_by_role("heading", level=1)).to_have_text("Trần Thị Mới")
    expect(page.get_by_role("cell", name=department.name)).to_be_visible()
    assert_accessible(page, "the official's page")
    screenshots(page, "accounts-official_detail")

    # when a second role is granted, then the first ended, then the account locked
    page.get_by_role("link", name="Giao thêm vai trò").click()
    page.get_by_label("Vai trò").select_option(label="Văn thư")
    page.get_by_role("button", name="Giao vai trò").click()
    expect(page.get_by_role("cell", name="Văn thư")).to_be_visible()
    page.get_by_role("row", name=re.compile("Chuyên viên")).get_by_role(
        "link", name="Kết thúc"
    ).click()
    page.get_by_role("button", name="Kết thúc vị trí công tác").click()
    expect(page.get_by_text("Đã kết thúc vị trí công tác.")).to_be_visible()
    page.get_by_role("link", name="Khóa tài khoản").click()
    page.get_by_role("button", name="Khóa tài khoản").click()

    # then
    expect(page.get_by_text("Đã khóa tài khoản tranthimoi.")).to_be_visible()
    user = User.objects.get(username="tranthimoi")
    assert not user.is_active
    assert list(
        Membership.objects.filter(user=user).order_by("pk").values_list("role", "is_active")
    ) == [(Role.CHUYEN_VIEN, False), (Role.VAN_THU, True)]


def test_the_officials_list_fits_a_phone(page: Page, sign_in: Callable[..., Any]) -> None:
    agency = make_agency(name="Ủy ban nhân dân phường Phú Xuân", short_name="UBND")
    admin = official(Role.QUAN_TRI_CO_QUAN, agency=agency)
    for n in range(3):
        official(Role.CHUYEN_VIEN, agency=agency, full_name=f"Lê Thị Hồng Nhung {n}")
    sign_in(admin, verified=True)
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    page.goto("/accounts/officials/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert _fits_the_width(page)
