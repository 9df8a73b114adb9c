"""A dossier's whole journey in Chromium, as the people at each desk do it.

The counter receives it (the wizard, two scanned PDFs, a mistake corrected on the way) and
prints Mẫu 01, hands it over to the department, the specialist forwards it with a result file,
the leader approves, the counter records the payment and returns the result, and anyone
tracks it by its code without signing in.

The pages use the real clock. So that the test does not depend on the hour or the day it runs
(a receipt after 15:00, or on a Saturday, waits for the next working morning), the transfer
cut-off is moved to midnight: every receipt waits, and the counter uses "Chuyển xử lý ngay",
which is what the counter does when a dossier must go at once.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect
from pypdf import PdfReader

from tinhso.accounts.models import User
from tinhso.dossiers import deadlines
from tinhso.dossiers.forms.printing import long_moment
from tinhso.dossiers.models import Dossier, Status
from tinhso.testing.browser import SCREENSHOTS, TIMEOUT_MS, assert_accessible, screenshots
from tinhso.testing.onestop import MINIMAL_PDF, OneStopWorld

pytestmark = pytest.mark.browser


def _pdf(name: str) -> FilePayload:
    return {"name": name, "mimeType": "application/pdf", "buffer": MINIMAL_PDF}


def _as(page: Page, sign_in: Callable[..., Page], user: User) -> None:
    page.context.clear_cookies()
    sign_in(user)


def _open_panel(page: Page, label: str) -> Any:
    panel = page.locator("details.action-panel", has=page.locator("summary", has_text=label))
    panel.locator("summary").click()
    return panel


def _status(page: Page) -> Any:
    return page.locator(".page-heading .status-badge")


def test_a_dossier_from_the_counter_to_the_applicant(
    page: Page,
    browser: Browser,
    live_server: Any,
    onestop: OneStopWorld,
    sign_in: Callable[..., Page],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = onestop
    monkeypatch.setattr(deadlines, "transfer_cutoff", lambda: dt.time(0, 0))

    # --- The counter receives -------------------------------------------------------------
    _as(page, sign_in, w.counter)
    page.goto("/")
    page.locator("#sidebar").get_by_role("link", name="Tiếp nhận hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tiếp nhận hồ sơ")
    # Typing searches by itself (htmx, 400 ms after the last key), once htmx has bound the form
    # (it does so when the page has loaded). One search only: with the button too, a late
    # answer's history push could cancel the click on a result.
    page.wait_for_load_state("load")
    with page.expect_response(lambda r: "q=giay" in r.url):
        page.get_by_label("Tìm thủ tục theo mã hoặc tên").fill("giay phep thu nghiem")
    expect(page.get_by_text("1 kết quả")).to_be_visible()
    page.get_by_role("link", name=re.compile("Cấp giấy phép thử nghiệm")).click()
    expect(page.get_by_role("heading", name="Người nộp hồ sơ")).to_be_visible()

    # a first try with a malformed ID number
    page.get_by_label("Họ và tên (tên tổ chức)").fill("Nguyễn Văn An")
    page.get_by_label("Số căn cước (CCCD) / mã số doanh nghiệp").fill("12345")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_label("Thư điện tử").fill("an@example.vn")
    page.get_by_label("Địa chỉ").fill("12 Lê Lợi, phường Thuận Hóa")
    page.get_by_label("Tải lên bản quét: Đơn đề nghị").set_input_files(_pdf("don-de-nghi.pdf"))
    page.get_by_label("Tải lên bản quét: Bản sao giấy tờ").set_input_files(_pdf("cccd.pdf"))
    page.get_by_label("Thu sau (khi trả kết quả)").check()
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()

    # the error is next to the field, what was typed and uploaded is kept
    id_field = page.get_by_label("Số căn cước (CCCD) / mã số doanh nghiệp")
    expect(id_field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_applicant_id_number_errors")).to_contain_text("không hợp lệ")
    expect(page.get_by_label("Họ và tên (tên tổ chức)")).to_have_value("Nguyễn Văn An")
    expect(page.get_by_test_id("stored-file")).to_have_count(2)
    assert not Dossier.objects.exists()
    assert_accessible(page, "the receive form with an error")
    screenshots(page, "dossiers-flow-receive-error")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dossiers-flow-receive-error-full.png"), full_page=True)

    # corrected, without uploading again
    id_field.fill("046090001234")
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hồ sơ")
    dossier = Dossier.objects.get()
    assert dossier.components.filter(file__isnull=False).count() == 2
    expect(page.locator(".messages")).to_contain_text(f"Đã tiếp nhận hồ sơ {dossier.code}")
    expect(_status(page)).to_have_text("Được tiếp nhận")

    # Mẫu 01
    receipt_link = page.get_by_role("link", name="In Giấy tiếp nhận (Mẫu 01)")
    expect(receipt_link).to_have_attribute("href", f"/dossiers/{dossier.code}/mau/mau-01.pdf")
    pdf = page.request.get(f"/dossiers/{dossier.code}/mau/mau-01.pdf")
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")
    text = " ".join(
        (p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf.body())).pages
    ).replace("\n", " ")
    assert dossier.code in text
    assert dossier.due_at is not None
    assert long_moment(dossier.due_at) in " ".join(text.split())
    screenshots(page, "dossiers-flow-received")

    # found again by the applicant's name typed without diacritics (an HTMX search)
    page.locator("#sidebar").get_by_role("link", name="Tìm hồ sơ").click()
    page.get_by_label("Mã hồ sơ, họ tên, số điện thoại hoặc số giấy tờ").fill("nguyen van an")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=nguyen(%20|\+)van(%20|\+)an"))
    expect(page.locator("#search-results")).to_contain_text("Tìm thấy 1 hồ sơ")
    page.locator("#search-results").get_by_role("link", name=dossier.code).first.click()
    expect(_status(page)).to_have_text("Được tiếp nhận")

    # handed over to the department at once
    _open_panel(page, "Chuyển xử lý ngay").get_by_role("button", name="Chuyển xử lý").click()
    expect(_status(page)).to_have_text("Đang xử lý")

    # --- The specialist forwards ----------------------------------------------------------
    _as(page, sign_in, w.specialist)
    page.goto("/")
    page.locator("#sidebar").get_by_role("link", name="Hồ sơ cần xử lý").click()
    page.get_by_role("link", name=dossier.code).first.click()
    panel = _open_panel(page, "Chuyển bước tiếp theo")
    panel.get_by_label("Ý kiến, kết quả xử lý").fill("Đủ điều kiện, đề nghị cấp phép.")
    panel.get_by_label("Tệp kết quả (nếu có)").set_input_files(_pdf("du-thao-giay-phep.pdf"))
    assert_accessible(page, "the dossier page with the forward form open")
    screenshots(page, "dossiers-flow-forward")
    panel.get_by_role("button", name="Chuyển").click()
    expect(page.locator(".messages")).to_contain_text("Đã chuyển hồ sơ sang bước tiếp theo")
    expect(page.get_by_role("link", name="du-thao-giay-phep.pdf")).to_be_visible()
    expect(page.get_by_text("Phê duyệt — Phòng Tổ chức biên chế")).to_be_visible()

    # --- The leader approves --------------------------------------------------------------
    _as(page, sign_in, w.leader)
    page.goto("/")
    page.locator("#sidebar").get_by_role("link", name="Hồ sơ chờ phê duyệt").click()
    page.get_by_role("link", name=dossier.code).first.click()
    _open_panel(page, "Phê duyệt").get_by_role("button", name="Phê duyệt").click()
    expect(_status(page)).to_have_text("Đã xử lý xong")

    # --- The counter records the payment and returns the result --------------------------
    _as(page, sign_in, w.counter)
    page.goto("/")
    page.locator("#sidebar").get_by_role("link", name="Hồ sơ tại quầy hôm nay").click()
    page.get_by_role("link", name=dossier.code).first.click()
    # returning before the fee is paid is refused, with the reason
    _open_panel(page, "Trả kết quả").get_by_role("button", name="Trả kết quả").click()
    expect(page.get_by_test_id("refused")).to_contain_text("chưa thanh toán phí, lệ phí")
    pay = _open_panel(page, "Ghi nhận thanh toán phí, lệ phí")
    pay.get_by_label("Hình thức thanh toán").select_option(label="Tiền mặt")
    pay.get_by_label("Số biên lai").fill("BL-2026-0001")
    pay.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_test_id("fee-status")).to_have_text("Đã thanh toán")
    back = _open_panel(page, "Trả kết quả")
    back.get_by_label("Tại Bộ phận Một cửa").check()
    back.get_by_role("button", name="Trả kết quả").click()
    expect(_status(page)).to_have_text("Đã trả kết quả")
    screenshots(page, "dossiers-flow-returned")
    page.screenshot(path=str(SCREENSHOTS / "dossiers-flow-returned-full.png"), full_page=True)
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.fee_receipt_number == "BL-2026-0001"

    # --- Anyone tracks it by its code ------------------------------------------------------
    anonymous = browser.new_context(base_url=live_server.url, locale="vi-VN")
    anonymous.set_default_timeout(TIMEOUT_MS)
    try:
        visitor = anonymous.new_page()
        visitor.goto("/dossiers/tra-cuu/")
        visitor.get_by_label("Mã hồ sơ").fill(dossier.code.lower())
        visitor.get_by_role("button", name="Tra cứu").click()
        result = visitor.locator("section.card")
        expect(result).to_contain_text("Đã trả kết quả")
        expect(result).to_contain_text("N. V. A***")
        expect(result).not_to_contain_text("Nguyễn Văn An")
        expect(result).not_to_contain_text("046090001234")
        assert_accessible(visitor, "the public tracking page with a result")
        screenshots(visitor, "dossiers-flow-track")
    finally:
        anonymous.close()
