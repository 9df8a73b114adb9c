"""The two journeys of the issue in Chromium, as the people at each desk do them.

(a) The clerk registers a paper document (a first try with a secret marking is refused with
the reason, the scan stays uploaded), presents it to the director, who assigns it; the
specialist starts and completes it, and the history shows each edXML status.

(b) The specialist drafts a công văn (recipients picked from the organisation tree, a PDF
draft) and submits it; the head of department approves it; the clerk issues it and the page
shows the number it was given.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tinhso.documents.models import Assignment, Document, DocumentStatus, Recipient
from tinhso.documents.tests.browser.conftest import (
    open_panel,
    pdf_payload,
    shoot,
    switch_to,
    vietnam_today,
)
from tinhso.testing.browser import assert_accessible
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.browser


def _sidebar(page: Page, name: str) -> None:
    page.goto("/")
    page.locator("#sidebar").get_by_role("link", name=name, exact=True).click()


def _status(page: Page) -> Locator:
    return page.locator(".page-heading .doc-status")


def test_an_incoming_document_from_the_clerk_to_completion(
    page: Page, office: EofficeWorld, sign_in: Callable[..., Page]
) -> None:
    w = office
    # --- The clerk registers ---------------------------------------------------------------
    switch_to(page, sign_in, w.clerk)
    _sidebar(page, "Vào sổ văn bản đến")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vào sổ văn bản đến")
    page.get_by_label("Cơ quan ban hành (tác giả)").fill("Ủy ban nhân dân thành phố Huế")
    page.get_by_label("Mã định danh cơ quan ban hành").fill("000.00.00.H57")
    page.get_by_label("Số văn bản").fill("125")
    page.get_by_label("Ký hiệu").fill("UBND-NC")
    page.get_by_label("Ngày văn bản").fill("2026-11-24")
    page.get_by_label("Loại văn bản").select_option(label="Công văn")
    page.get_by_label("Trích yếu nội dung").fill(
        "Về việc rà soát, sắp xếp tổ chức bộ máy các cơ quan chuyên môn"
    )
    page.get_by_label("Người ký", exact=True).fill("Nguyễn Văn Phương")
    page.get_by_label("Chức vụ người ký").fill("Chủ tịch")
    page.get_by_label("Số trang").fill("3")
    page.get_by_label("Độ khẩn").select_option(label="Khẩn")
    page.get_by_label("Tệp văn bản (bản quét hoặc bản điện tử)").set_input_files(
        pdf_payload("cv-125-ubnd.pdf")
    )
    # a first try with the "Mật" marking: refused, with the reason, next to the field
    page.get_by_label("Độ mật").select_option(label="Mật")
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    secrecy = page.get_by_label("Độ mật")
    expect(secrecy).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_secrecy_errors")).to_contain_text("bí mật nhà nước")
    expect(page.get_by_test_id("stored-files")).to_contain_text("cv-125-ubnd.pdf")
    expect(page.get_by_label("Trích yếu nội dung")).to_have_value(re.compile("rà soát, sắp xếp"))
    assert not Document.objects.exists()
    assert_accessible(page, "the incoming form refusing a secret document")
    shoot(page, "journey-a-1-incoming-secret-refused", full=True)

    # without the marking it is registered, with the scan uploaded on the first try
    secrecy.select_option(label="Không mật")
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Đã vào sổ văn bản đến, số đến 1")
    expect(page.get_by_test_id("incoming-number")).to_have_text("1")
    expect(_status(page)).to_have_text("Đã vào sổ")
    expect(page.get_by_role("link", name="cv-125-ubnd.pdf")).to_be_visible()
    expect(page.get_by_test_id("history")).to_contain_text("03 · Đã tiếp nhận")
    d = Document.objects.get()
    shoot(page, "journey-a-2-registered", full=True)

    # presented to the director from the clerk's queue
    _sidebar(page, "Việc của văn thư")
    page.get_by_role("link", name=re.compile("Chờ trình")).click()
    row = page.locator(f"[data-document='{d.pk}']")
    panel = open_panel(page, "Trình lãnh đạo", row)
    panel.get_by_label("Trình lãnh đạo").select_option(label="Tôn Thất Bảo Long (Giám đốc)")
    panel.get_by_label("Ý kiến của văn thư (nếu có)").fill("Văn bản khẩn, kính trình Giám đốc.")
    assert_accessible(page, "the clerk's queue with the present form open")
    shoot(page, "journey-a-3-present")
    panel.get_by_role("button", name="Trình", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Đã trình văn bản cho Tôn Thất Bảo Long")
    expect(page.get_by_test_id("empty-state")).to_be_visible()

    # --- The director assigns ----------------------------------------------------------------
    switch_to(page, sign_in, w.director)
    _sidebar(page, "Văn bản chờ phân công")
    page.get_by_role("link", name=re.compile("^Phân công")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phân công xử lý")
    page.get_by_label("Xử lý chính").select_option(label="Phan Văn Hùng (Chuyên viên)")
    readers = page.locator("#id_readers")
    readers.get_by_label("Hoàng Thị Thanh Tâm (Trưởng phòng)").check()
    page.get_by_label("Ý kiến chỉ đạo").fill("Giao phòng TCBC tham mưu báo cáo trước hạn.")
    due = vietnam_today() + dt.timedelta(days=10)
    page.get_by_label("Hạn xử lý").fill(due.isoformat())
    shoot(page, "journey-a-4-assign", full=True)
    page.get_by_role("button", name="Phân công", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Đã phân công xử lý văn bản")
    expect(_status(page)).to_have_text("Đã phân công")
    expect(page.get_by_test_id("history")).to_contain_text("04 · Phân công")

    # --- The specialist processes ------------------------------------------------------------
    switch_to(page, sign_in, w.specialist)
    _sidebar(page, "Văn bản cần xử lý")
    row = page.locator("[data-assignment]").first
    chip = row.locator(".deadline")
    expect(chip).to_have_attribute("data-level", "ok")
    expect(chip).to_have_text(re.compile(r"Còn 1\d ngày|Còn 9 ngày"))
    shoot(page, "journey-a-5-inbox")
    row.get_by_role("button", name="Bắt đầu xử lý").click()
    expect(page.locator(".messages")).to_contain_text("Đã bắt đầu xử lý văn bản")
    row = page.locator("[data-assignment]").first
    expect(row).to_contain_text("Đang xử lý")
    panel = open_panel(page, "Hoàn thành xử lý", row)
    # the main processor must say what was done
    panel.get_by_role("button", name="Hoàn thành").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Công văn")
    expect(page.locator("#complete-errors")).to_contain_text("Ghi kết quả xử lý")
    panel = page.locator("details.action-panel[data-action='complete']")
    panel.get_by_label("Kết quả xử lý").fill("Đã tham mưu báo cáo số 45/BC-SNV gửi UBND thành phố.")
    shoot(page, "journey-a-6-complete")
    panel.get_by_role("button", name="Hoàn thành").click()
    # back to the inbox the work started from, now empty
    expect(page.locator(".messages")).to_contain_text("Đã ghi nhận hoàn thành xử lý")
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    page.goto(f"/van-ban/{d.pk}/")
    expect(_status(page)).to_have_text("Đã hoàn thành")
    history = page.get_by_test_id("history")
    for label in ("03 · Đã tiếp nhận", "04 · Phân công", "05 · Đang xử lý", "06 · Hoàn thành"):
        expect(history).to_contain_text(label)
    assert_accessible(page, "the completed document")
    shoot(page, "journey-a-7-completed", full=True)
    d.refresh_from_db()
    assert d.status == DocumentStatus.COMPLETED
    assert Assignment.objects.filter(document=d, role="reader", assignee=w.head).exists()


def test_an_outgoing_document_from_the_draft_to_its_number(
    page: Page, office: EofficeWorld, sign_in: Callable[..., Page]
) -> None:
    w = office
    # --- The specialist drafts ----------------------------------------------------------------
    switch_to(page, sign_in, w.specialist)
    _sidebar(page, "Soạn văn bản đi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Soạn văn bản đi")
    page.get_by_label("Loại văn bản").select_option(label="Công văn")
    page.get_by_label("Trích yếu nội dung").fill("Về việc báo cáo số lượng công chức năm 2026")
    page.get_by_label("Người ký").select_option(
        label="Hoàng Thị Thanh Tâm (Trưởng phòng) — Phòng Tổ chức, biên chế và Tổ chức phi chính phủ"
    )
    # the organisation tree, filtered by a name typed without accents
    page.get_by_placeholder("Gõ để lọc: tên hoặc mã cơ quan").fill("so tai chinh")
    expect(page.get_by_label(re.compile("^Sở Xây dựng"))).to_be_hidden()
    page.get_by_label(re.compile("^Sở Tài chính")).check()
    expect(page.locator("#recipient-count")).to_have_text("Đã chọn 1 cơ quan.")
    page.get_by_label("Tên cơ quan nhận ngoài hệ thống 1").fill("Bộ Nội vụ")
    page.get_by_label("Mã định danh nơi nhận 1").fill("000.00.00.G12")
    page.get_by_label("Tệp dự thảo (DOCX hoặc PDF)").set_input_files(pdf_payload("du-thao-bc.pdf"))
    shoot(page, "journey-b-1-draft-form", full=True)
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu dự thảo")
    expect(_status(page)).to_have_text("Dự thảo")
    expect(page.get_by_test_id("versions")).to_contain_text("Phiên bản 1")
    d = Document.objects.get()
    assert set(Recipient.objects.filter(document=d).values_list("name", flat=True)) == {
        "Sở Tài chính",
        "Bộ Nội vụ",
    }
    assert_accessible(page, "the draft's page")
    shoot(page, "journey-b-2-draft-page", full=True)
    open_panel(page, "Trình duyệt dự thảo").get_by_role("button", name="Trình duyệt").click()
    expect(page.locator(".messages")).to_contain_text("Đã trình duyệt dự thảo")
    expect(_status(page)).to_have_text("Đang trình duyệt")

    # --- The head of department approves -----------------------------------------------------
    switch_to(page, sign_in, w.head)
    _sidebar(page, "Văn bản chờ duyệt")
    row = page.locator(f"[data-document='{d.pk}']")
    panel = open_panel(page, "Duyệt dự thảo", row)
    panel.get_by_label("Ý kiến (nếu có)").fill("Đồng ý ban hành.")
    assert_accessible(page, "the approval queue")
    shoot(page, "journey-b-3-approvals")
    panel.get_by_role("button", name="Duyệt", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Đã duyệt. Dự thảo chuyển văn thư")
    expect(page.get_by_test_id("empty-state")).to_be_visible()

    # --- The clerk issues ---------------------------------------------------------------------
    switch_to(page, sign_in, w.clerk)
    _sidebar(page, "Việc của văn thư")
    page.get_by_role("link", name=re.compile("Chờ phát hành")).click()
    row = page.locator(f"[data-document='{d.pk}']")
    panel = open_panel(page, "Phát hành", row)
    shoot(page, "journey-b-4-issue")
    panel.get_by_role("button", name="Cấp số và phát hành").click()
    d.refresh_from_db()
    assert d.status == DocumentStatus.ISSUED and d.reference == "01/SNV-TCBC"
    expect(page.locator(".messages")).to_contain_text("Đã phát hành văn bản số 01/SNV-TCBC")
    expect(page.get_by_test_id("reference")).to_have_text("01/SNV-TCBC")
    expect(_status(page)).to_have_text("Đã phát hành")
    expect(page.get_by_role("heading", name="Nơi nhận")).to_be_visible()
    expect(page.locator("[data-state='01']")).to_have_text("Đã đến")
    assert_accessible(page, "the issued document")
    shoot(page, "journey-b-5-issued", full=True)


def test_a_likely_duplicate_is_shown_before_saving(
    page: Page, office: EofficeWorld, sign_in: Callable[..., Page]
) -> None:
    w = office
    first = w.register()
    switch_to(page, sign_in, w.clerk)
    page.goto("/van-ban/vao-so/")
    page.get_by_label("Cơ quan ban hành (tác giả)").fill(first.issuer_name)
    page.get_by_label("Số văn bản").fill(first.number)
    page.get_by_label("Ký hiệu").fill(first.notation)
    assert first.issued_on is not None
    page.get_by_label("Ngày văn bản").fill(first.issued_on.isoformat())
    page.get_by_label("Loại văn bản").select_option(value=first.doc_type)
    page.get_by_label("Trích yếu nội dung").fill(first.subject)
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_contain_text("có thể đã được vào sổ")
    expect(warning.get_by_role("link")).to_contain_text(first.subject[:30])
    assert Document.objects.count() == 1
    assert_accessible(page, "the duplicate warning")
    shoot(page, "journey-duplicate-warning")
    warning.get_by_label("Tôi đã kiểm tra: đây là văn bản khác, vẫn vào sổ.").check()
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("số đến 2")
    assert Document.objects.count() == 2
