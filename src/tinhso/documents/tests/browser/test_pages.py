"""Every e-office page in Chromium, as the person who works on it: axe-core finds no serious or
critical WCAG 2.1 A/AA violation, nothing is wider than a phone, and each page is
photographed at 1366×768 and 390×844 (see `conftest.shoot`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tinhso.documents.tests.browser.conftest import Desk, shoot, switch_to
from tinhso.testing.browser import assert_accessible
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.browser


def _visit(page: Page, url: str, name: str, heading: str, *, full: bool = False) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (
        f"{name}: HTTP {response and response.status}"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert_accessible(page, name)
    shoot(page, name, full=full)


def test_the_clerks_pages(page: Page, desk: Desk, sign_in: Callable[..., Page]) -> None:
    w = desk.office
    switch_to(page, sign_in, w.clerk)
    _visit(page, reverse("documents:clerk_queue"), "documents-clerk-queue", "chờ vào sổ")
    expect(
        page.get_by_role("link", name="Về việc góp ý dự thảo quy định phân cấp ngân sách")
    ).to_be_visible()
    _visit(page, reverse("documents:clerk_present"), "documents-clerk-present", "chờ trình")
    _visit(page, reverse("documents:clerk_issue"), "documents-clerk-issue", "chờ phát hành")
    _visit(
        page,
        reverse("documents:incoming_new"),
        "documents-incoming-new",
        "Vào sổ văn bản đến",
        full=True,
    )
    _visit(
        page,
        reverse("documents:incoming_list"),
        "documents-incoming-list",
        "Văn bản đến",
        full=True,
    )
    _visit(page, reverse("documents:outgoing_list"), "documents-outgoing-list", "Văn bản đi")
    _visit(page, reverse("documents:overdue"), "documents-overdue", "quá hạn")
    _visit(
        page,
        reverse("documents:detail", args=[desk.received.pk]),
        "documents-detail-received",
        "Công văn",
        full=True,
    )
    _visit(
        page,
        reverse("documents:detail", args=[desk.issued.pk]),
        "documents-detail-issued",
        desk.issued.reference,
        full=True,
    )


def test_the_leaders_pages(page: Page, desk: Desk, sign_in: Callable[..., Page]) -> None:
    w = desk.office
    switch_to(page, sign_in, w.director)
    _visit(page, reverse("documents:to_assign"), "documents-to-assign", "Văn bản chờ phân công")
    _visit(
        page,
        reverse("documents:assign", args=[desk.registered.pk]),
        "documents-assign",
        "Phân công xử lý",
        full=True,
    )
    switch_to(page, sign_in, w.head)
    _visit(page, reverse("documents:approvals"), "documents-approvals", "Văn bản chờ duyệt")


def test_the_specialists_pages(page: Page, desk: Desk, sign_in: Callable[..., Page]) -> None:
    w = desk.office
    switch_to(page, sign_in, w.specialist)
    _visit(page, reverse("documents:inbox"), "documents-inbox", "Văn bản cần xử lý", full=True)
    # the overdue one is red and says so in words, the others green
    late = page.locator(f"[data-assignment='{desk.overdue.pk}'] .deadline")
    expect(late).to_have_attribute("data-level", "late")
    expect(late).to_contain_text("Quá hạn 7 ngày")
    _visit(
        page, reverse("documents:draft_new"), "documents-draft-new", "Soạn văn bản đi", full=True
    )
    _visit(page, reverse("documents:my_drafts"), "documents-my-drafts", "Dự thảo của tôi")
    _visit(
        page,
        reverse("documents:detail", args=[desk.draft.pk]),
        "documents-detail-draft",
        "Công văn",
        full=True,
    )
    _visit(
        page,
        reverse("documents:detail", args=[desk.overdue.document_id]),
        "documents-detail-assigned",
        "Quyết định",
        full=True,
    )
    _visit(page, reverse("documents:search") + "?q=bien+che", "documents-search", "Tìm văn bản")


def test_empty_lists_say_so(page: Page, office: EofficeWorld, sign_in: Callable[..., Page]) -> None:
    switch_to(page, sign_in, office.specialist)
    for url_name, name in (
        ("documents:inbox", "documents-inbox-empty"),
        ("documents:my_drafts", "documents-my-drafts-empty"),
        ("documents:search", "documents-search-empty"),
    ):
        page.goto(reverse(url_name))
        expect(page.get_by_test_id("empty-state")).to_be_visible()
        assert_accessible(page, name)
        shoot(page, name)
    switch_to(page, sign_in, office.clerk)
    page.goto(reverse("documents:clerk_queue"))
    expect(page.get_by_test_id("empty-state")).to_contain_text(
        "Không có văn bản điện tử nào chờ vào sổ"
    )
    shoot(page, "documents-clerk-queue-empty")


def test_the_registers_and_work_files_pages(
    page: Page, desk: Desk, sign_in: Callable[..., Page]
) -> None:
    from tinhso.documents.services.workfiles import workfile_open, workfile_plan

    w = desk.office
    year = desk.registered.year or 2026
    planned = workfile_plan(
        actor=w.clerk,
        agency_id=w.snv.pk,
        year=year,
        code="01.TCBC",
        title="Hồ sơ tuyển dụng công chức năm 2026",
        retention_years=10,
    )
    work_file = workfile_open(actor=w.clerk, work_file=planned.pk)
    switch_to(page, sign_in, w.clerk)
    _visit(page, reverse("documents:register_list"), "documents-registers", "Sổ văn bản")
    _visit(page, reverse("documents:workfile_list"), "documents-workfiles", "Danh mục hồ sơ")
    _visit(page, reverse("documents:workfile_plan"), "documents-workfile-plan", "Lập hồ sơ")
    _visit(
        page, reverse("documents:workfile_overdue"), "documents-workfile-overdue", "quá hạn nộp lưu"
    )
    _visit(
        page,
        reverse("documents:workfile_detail", args=[work_file.pk]),
        "documents-workfile-detail",
        "Hồ sơ tuyển dụng",
    )
