"""The edXML inspection page in Chromium: a clerk checks a sealed package, another vendor's
package with a placeholder signature, a status package and something that is not XML."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tinhso.accounts.models import Role
from tinhso.exchange import edxml
from tinhso.exchange.tests.access_inspect import (
    sample_document,
    sample_status,
    sign_package,
    trust_test_root,
)
from tinhso.testing.browser import assert_accessible, screenshots
from tinhso.testing.factories import make_agency, official
from tinhso.testing.signing import LocalPki

pytestmark = pytest.mark.browser

VENDOR = Path("/work/shared/testdata/edxml/edoc_new.edxml")


@pytest.fixture(scope="module")
def sealed(test_pki: LocalPki) -> bytes:
    # Signed before the page exists: Playwright's event loop then runs in this thread, and
    # the token's signer starts one of its own.
    return sign_package(test_pki, edxml.build(sample_document()))


def choose(page: Page, name: str, data: bytes) -> None:
    page.get_by_label("Tệp gói tin (.edxml, .xml)").set_input_files(
        {"name": name, "mimeType": "application/xml", "buffer": data}
    )
    page.get_by_role("button", name="Kiểm tra").click()


def test_a_clerk_inspects_packages(
    sealed: bytes,
    page: Page,
    live_server: Any,
    transactional_db: None,
    test_pki: LocalPki,
    sign_in: Callable[..., Page],
) -> None:
    # given a clerk, and the test PKI's root on the trust list
    clerk = official(
        Role.VAN_THU, agency=make_agency(name="Sở Tài chính"), full_name="Trần Văn Thư"
    )
    trust_test_root(test_pki)

    # when the clerk opens the tool
    sign_in(clerk)
    page.goto("/lien-thong/kiem-tra-edxml/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra gói tin edXML")
    assert_accessible(page, "edXML inspection (empty)")
    screenshots(page, "exchange-edxml-inspect-empty")

    # and uploads a package sealed by Sở Nội vụ
    choose(page, "cong-van-123.edxml", sealed)

    # then the report shows it, its signature valid
    report = page.get_by_test_id("inspect-report")
    expect(report).to_have_attribute("data-verdict", "valid")
    expect(page.get_by_test_id("signature-badge")).to_contain_text("Hợp lệ")
    expect(report).to_contain_text("123/SNV-VP")
    expect(report).to_contain_text("Ủy ban nhân dân xã Phú Vang")
    expect(report).to_contain_text("cong-van-123.pdf")
    expect(page.get_by_test_id("signature")).to_contain_text("Sở Nội vụ")
    assert_accessible(page, "edXML inspection (valid)")
    page.get_by_test_id("inspect-report").scroll_into_view_if_needed()
    screenshots(page, "exchange-edxml-inspect-valid")

    # when the clerk checks another vendor's package (or, without the samples, a tampered one)
    if VENDOR.exists():
        choose(page, VENDOR.name, VENDOR.read_bytes())
    else:
        choose(page, "ban-sua.edxml", sealed.replace(b"SNV-VP", b"SNV-VX"))

    # then its signature is invalid, with the reasons, and the format warnings listed
    expect(report).to_have_attribute("data-verdict", "invalid")
    expect(page.get_by_test_id("signature-badge")).to_contain_text("Không hợp lệ")
    expect(page.get_by_test_id("signature-reasons").locator("li").first).to_be_visible()
    if VENDOR.exists():
        expect(page.get_by_test_id("warnings")).to_contain_text("yyyy/MM/dd")
    report.scroll_into_view_if_needed()
    screenshots(page, "exchange-edxml-inspect-invalid")
    assert_accessible(page, "edXML inspection (invalid)")

    # when the clerk pastes a status package
    page.get_by_text("Hoặc dán nội dung XML").click()
    page.get_by_label("Nội dung gói tin").fill(edxml.build(sample_status("05")).decode())
    page.get_by_role("button", name="Kiểm tra").click()

    # then it is shown as a status, unsigned
    expect(report).to_have_attribute("data-kind", "status")
    expect(page.get_by_test_id("signature-badge")).to_contain_text("Không có chữ ký")
    expect(report).to_contain_text("Đã phân công, đang xử lý")
    report.scroll_into_view_if_needed()
    screenshots(page, "exchange-edxml-inspect-status")

    # when what is pasted is not XML, then an error box says so and no report is shown
    page.get_by_label("Nội dung gói tin").fill("<edXML><chua-dong></edXML>")
    page.get_by_role("button", name="Kiểm tra").click()
    error = page.get_by_test_id("inspect-error")
    expect(error).to_contain_text("Không đọc được gói tin")
    expect(error).to_have_attribute("data-code", "not_xml")
    expect(page.get_by_test_id("inspect-report")).to_have_count(0)
    screenshots(page, "exchange-edxml-inspect-error")
    assert_accessible(page, "edXML inspection (error)")
