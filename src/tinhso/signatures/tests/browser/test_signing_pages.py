"""Signatures in Chromium: the clerk of the resolving agency seals a dossier's result with the
token PIN, the dossier page shows the verdict, anyone checks the signed file on the public
page, and the provincial administrator manages the trust list."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tinhso.accounts.models import Role
from tinhso.dossiers.models import ResultFile
from tinhso.dossiers.rules import Action
from tinhso.dossiers.services import ActionInput, dossier_act, dossier_receive
from tinhso.signatures.services import read_file_bytes
from tinhso.signatures.tests.pdfs import official_document
from tinhso.testing.browser import assert_accessible, screenshots
from tinhso.testing.factories import official
from tinhso.testing.onestop import local, onestop_world, upload
from tinhso.testing.signing import LocalPki
from tinhso.testing.signing_db import register_test_keys
from tinhso.workcalendar.selectors import work_calendar_cache_clear

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(transactional_db: None, settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    work_calendar_cache_clear()
    yield
    work_calendar_cache_clear()


def test_the_clerk_seals_a_result_and_anyone_checks_it(
    page: Page,
    live_server: Any,
    seeded: None,
    settings: Any,
    test_pki: LocalPki,
    sign_in: Callable[..., Page],
) -> None:
    # given a dossier of the Sở with a result attached, and the Sở's seal on the token
    w = onestop_world()
    clerk = official(Role.VAN_THU, agency=w.so, full_name="Lê Thị Mỹ Linh")
    register_test_keys(settings, test_pki, agency=w.so)
    d, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    dossier_act(
        actor=w.specialist,
        code=d.code,
        action=Action.ATTACH_RESULT,
        data=ActionInput(files=[upload(w.specialist, "quyet-dinh.pdf", official_document())]),
        now=local(2026, 12, 8, 10),
    )

    # when the clerk opens the dossier and signs the result
    sign_in(clerk)
    page.goto(f"/dossiers/{d.code}/")
    page.get_by_role("link", name="Ký số", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ký số tệp")
    screenshots(page, "signatures-sign-result")
    assert_accessible(page, "sign result")
    page.get_by_label("Mã PIN của thiết bị ký số").fill("000000")
    page.get_by_role("button", name="Ký số").click()
    expect(page.get_by_role("alert")).to_contain_text("Mã PIN không đúng")
    page.get_by_label("Mã PIN của thiết bị ký số").fill(test_pki.pin)
    page.get_by_role("button", name="Ký số").click()

    # then the dossier page shows the result with a valid signature
    expect(page.get_by_text("Đã ký số tệp kết quả")).to_be_visible()
    badge = page.locator("section[aria-labelledby=results-heading] [data-signature]")
    expect(badge).to_have_attribute("data-signature", "valid")
    screenshots(page, "signatures-dossier-signed-result")

    # and anyone, signed out, checks the file on the public page
    signed = read_file_bytes(ResultFile.objects.get(dossier=d).file)
    page.context.clear_cookies()
    page.goto("/signatures/kiem-tra/")
    assert_accessible(page, "public check (empty)")
    page.get_by_label("Tệp PDF").set_input_files(
        {"name": "ket-qua.pdf", "mimeType": "application/pdf", "buffer": signed}
    )
    page.get_by_role("button", name="Kiểm tra").click()
    report = page.locator("section[data-verdict]")
    expect(report).to_have_attribute("data-verdict", "valid")
    expect(report).to_contain_text("Sở Nội vụ")
    expect(report).to_contain_text("PAdES B-T")
    screenshots(page, "signatures-public-check-valid")
    assert_accessible(page, "public check (report)")

    # and a tampered copy is shown invalid
    tampered = bytearray(signed)
    at = tampered.index(b"/Contents", 200) - 60
    tampered[at] ^= 0x01
    page.get_by_label("Tệp PDF").set_input_files(
        {"name": "ban-sua.pdf", "mimeType": "application/pdf", "buffer": bytes(tampered)}
    )
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.locator("section[data-verdict]")).to_have_attribute("data-verdict", "invalid")
    screenshots(page, "signatures-public-check-invalid")


def test_the_trust_list_page(
    page: Page, live_server: Any, seeded: None, sign_in: Callable[..., Page]
) -> None:
    from tinhso.signatures.tests.certs import certificate_pem

    admin = official(Role.QUAN_TRI_TINH, full_name="Quản Trị Tỉnh")
    sign_in(admin, verified=True)
    page.goto("/signatures/tin-cay/")
    expect(page.get_by_text("Chưa có chứng thư gốc nào")).to_be_visible()
    page.get_by_label("hoặc dán nội dung PEM").fill("không phải PEM")
    page.get_by_role("button", name="Thêm vào danh sách").click()
    expect(page.get_by_role("alert")).to_contain_text("Không đọc được chứng thư số")
    page.get_by_label("hoặc dán nội dung PEM").fill(certificate_pem("Ban Cơ yếu (thử nghiệm)"))
    page.get_by_label("Ghi chú").fill("Gốc chuyên dùng công vụ")
    page.get_by_role("button", name="Thêm vào danh sách").click()
    row = page.locator("tr[data-root]")
    expect(row).to_contain_text("Ban Cơ yếu (thử nghiệm)")
    expect(row).to_contain_text("Đang tin cậy")
    screenshots(page, "signatures-trust-list")
    assert_accessible(page, "trust list")
    row.get_by_role("button", name="Ngừng tin cậy").click()
    expect(page.locator("tr[data-root]")).to_contain_text("Ngừng tin cậy")
