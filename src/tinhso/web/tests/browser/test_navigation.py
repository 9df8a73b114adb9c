"""The sidebar each role sees, and switching the interface language."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tinhso.accounts.models import Role
from tinhso.testing.factories import official

pytestmark = pytest.mark.browser


def test_specialist_has_no_administration_section(page: Page, sign_in: Callable[..., Page]) -> None:
    # given
    sign_in(official(Role.CHUYEN_VIEN))
    # when
    page.goto("/")
    # then
    sidebar = page.get_by_role("navigation", name="Chức năng")
    expect(sidebar.get_by_role("link", name="Lịch làm việc")).to_be_visible()
    expect(sidebar).not_to_contain_text("Quản trị")
    expect(sidebar.get_by_role("link", name="Nhật ký hệ thống")).to_have_count(0)


def test_agency_admin_reaches_the_audit_trail_from_the_sidebar(
    page: Page, sign_in: Callable[..., Page]
) -> None:
    # given
    sign_in(official(Role.QUAN_TRI_CO_QUAN), verified=True)
    page.goto("/")
    sidebar = page.get_by_role("navigation", name="Chức năng")
    expect(sidebar).to_contain_text("Quản trị")
    expect(sidebar.get_by_role("link", name="Ngày nghỉ, ngày làm bù")).to_have_count(0)
    # when
    sidebar.get_by_role("link", name="Nhật ký hệ thống").click()
    # then
    expect(page).to_have_url(re.compile(r"/audit/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhật ký hệ thống")
    expect(sidebar.get_by_role("link", name="Nhật ký hệ thống")).to_have_attribute(
        "aria-current", "page"
    )


def test_provincial_admin_sees_the_calendar_administration(
    page: Page, sign_in: Callable[..., Page]
) -> None:
    sign_in(official(Role.QUAN_TRI_TINH), verified=True)
    page.goto("/")
    sidebar = page.get_by_role("navigation", name="Chức năng")
    expect(sidebar.get_by_role("link", name="Ngày nghỉ, ngày làm bù")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Nhật ký hệ thống")).to_be_visible()


def test_phone_menu_opens_the_sidebar(page: Page, sign_in: Callable[..., Page]) -> None:
    # given: a phone-sized window, where the sidebar hides behind the menu button
    sign_in(official(Role.CHUYEN_VIEN))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    link = page.locator("#sidebar").get_by_role("link", name="Lịch làm việc")
    expect(link).to_be_hidden()
    # when
    page.get_by_role("button", name="Mở trình đơn").click()
    # then
    expect(link).to_be_visible()


def test_switching_language_to_english_and_back(page: Page, sign_in: Callable[..., Page]) -> None:
    # given
    sign_in(official(Role.CHUYEN_VIEN))
    page.goto("/calendar/year/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("#sidebar")).to_contain_text("Lịch làm việc")
    # when
    page.get_by_label("Ngôn ngữ").select_option("en")
    # then: the same page, in English (the catalogue comes from `make messages`)
    expect(page).to_have_url(re.compile(r"/calendar/year/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(
        page.locator("#sidebar"),
        "the English catalogue is missing or not compiled: run `make messages`",
    ).not_to_contain_text("Lịch làm việc")
    expect(page.locator("#sidebar")).to_contain_text("Home")
    # when: back to Vietnamese
    page.locator("#language-select").select_option("vi")
    # then
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("#sidebar")).to_contain_text("Lịch làm việc")
