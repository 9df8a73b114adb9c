"""The clerk's interconnection pages in Chromium: Sở Nội vụ's clerk follows the packages sent
(each outside recipient's state, a refusal's reason, a failure with the hub's message) and
sends a failed one again; Phường Phú Xuân's clerk reads the packages received (accepted and
refused, with the reasons) and agrees to the sender's revoke on the document page. Every page
in Vietnamese, at 1366×768 and 390 wide, with no serious axe-core violation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from tinhso.documents import services
from tinhso.documents.models import Document, DocumentStatus, ExchangeOutbox, Source
from tinhso.exchange.models import ReceivedPackage, Verdict
from tinhso.exchange.services import inbox_pull, outbox_send_batch
from tinhso.exchange.tests.node.conftest import Hub, Seals, issue
from tinhso.organizations import demo
from tinhso.testing.browser import DESKTOP, PHONE, SCREENSHOTS, assert_accessible, screenshots
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.browser

COMMUNE = services.ExternalRecipient("Phường Phú Xuân", demo.PHU_XUAN_CODE)
QUANG_TRI = services.ExternalRecipient("Sở Nội vụ tỉnh Quảng Trị", "H48.02")
MINISTRY = services.ExternalRecipient("Bộ Nội vụ", "000.00.00.G12")
#: An address the hub does not know: the hub refuses the package (wrong_address).
UNKNOWN = services.ExternalRecipient("Sở Xây dựng tỉnh Quảng Bình", "H98.01")

REFUSAL = (
    "Văn bản không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường; "
    "đề nghị gửi Ủy ban nhân dân thành phố Huế."
)
RECALL = "Văn bản ký sai thẩm quyền; Sở sẽ ban hành văn bản thay thế."


@dataclass(frozen=True)
class Exchanged:
    """Sở Nội vụ's documents sent to outside recipients, one per state the monitor shows,
    and what Phường Phú Xuân received of them."""

    office: EofficeWorld
    sent: Document  # to Quảng Trị and the ministry (another node): sent, no answer yet
    arrived: Document  # to the commune: it arrived (01)
    registered: Document  # to the commune: its clerk registered it (03)
    refused: Document  # to the commune: its clerk refused it (02) with REFUSAL
    failed: Document  # to an address the hub does not know: failed with the hub's message
    broken: Document  # to the commune, changed on the way: refused on its signature (02)
    recalled: Document  # to the commune, then recalled: the commune is asked to revoke


def _round(hub: Hub) -> None:
    """The workers of both sides once: send what waits, receive what arrived."""
    outbox_send_batch(hub.client())
    inbox_pull(hub.client())


def _copy(w: EofficeWorld, d: Document) -> Document:
    return Document.objects.get(
        agency=w.phu_xuan, source=Source.EXCHANGE, edxml_document_id=d.edxml_document_id
    )


@pytest.fixture
def exchanged(eoffice: EofficeWorld, seals: Seals, hub: Hub) -> Exchanged:
    # Built before `page` (the tests list it first): signing runs event loops of its own,
    # which it may not while Playwright's loop is marked running in this thread.
    w = eoffice
    sent = issue(
        w,
        external_recipients=(QUANG_TRI, MINISTRY),
        subject="Về việc trao đổi kinh nghiệm triển khai chính quyền địa phương hai cấp",
    )
    arrived = issue(
        w,
        external_recipients=(COMMUNE,),
        subject="Về việc rà soát, bổ sung quy hoạch cán bộ lãnh đạo, quản lý giai đoạn 2026-2031",
    )
    registered = issue(
        w,
        external_recipients=(COMMUNE,),
        subject="Về việc cử công chức tham dự lớp bồi dưỡng nghiệp vụ văn thư, lưu trữ",
    )
    refused = issue(
        w,
        external_recipients=(COMMUNE,),
        subject="Về việc giải quyết kiến nghị của công dân về chế độ chính sách",
    )
    failed = issue(
        w,
        external_recipients=(UNKNOWN,),
        subject="Về việc phối hợp kiểm tra công vụ liên tỉnh năm 2026",
    )
    broken = issue(
        w,
        external_recipients=(COMMUNE,),
        subject="Về việc báo cáo số lượng, chất lượng đội ngũ công chức cấp xã",
    )
    recalled = issue(
        w,
        external_recipients=(COMMUNE,),
        subject="Về việc điều động công chức phường Phú Xuân",
    )
    outbox_send_batch(hub.client())
    # One package is changed on its way to the commune: its envelope signature breaks.
    (delivery,) = [
        x
        for x in hub.state.deliveries_to(demo.PHU_XUAN_CODE)
        if x.package.document_id == broken.edxml_document_id
    ]
    delivery.package.body = delivery.package.body.replace(
        broken.subject.encode(), (broken.subject + " (đã sửa)").encode()
    )
    inbox_pull(hub.client())
    services.incoming_accept(actor=w.commune_clerk, document_id=_copy(w, registered).pk)
    services.incoming_refuse(
        actor=w.commune_clerk, document_id=_copy(w, refused).pk, reason=REFUSAL
    )
    _round(hub)
    services.outgoing_recall(actor=w.clerk, document_id=recalled.pk, reason=RECALL)
    _round(hub)
    _round(hub)
    return Exchanged(w, sent, arrived, registered, refused, failed, broken, recalled)


def _outbox(d: Document) -> ExchangeOutbox:
    return ExchangeOutbox.objects.get(document=d, kind=ExchangeOutbox.Kind.EDOC)


def _outbox_to(d: Document, code: str) -> ExchangeOutbox:
    return ExchangeOutbox.objects.get(document=d, kind=ExchangeOutbox.Kind.EDOC, to_code=code)


def _shoot(page: Page, name: str) -> dict[str, Path]:
    """The project's screenshots (one screen at each size), and both sizes' whole page."""
    paths = screenshots(page, name)
    try:
        for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)  # type: ignore[arg-type]
            path = SCREENSHOTS / f"{name}-{size_name}-full.png"
            page.screenshot(path=str(path), full_page=True)
            paths[f"{size_name}-full"] = path
    finally:
        page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    return paths


@contextmanager
def _phone(page: Page) -> Iterator[None]:
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    try:
        yield
    finally:
        page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]


def _visit(page: Page, url: str, name: str, heading: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{name}: HTTP {response}"
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert_accessible(page, name)
    _shoot(page, name)


def _row(page: Page, d: Document) -> Locator:
    return page.locator(f"tr[data-outbox='{_outbox(d).pk}']")


def test_the_clerks_follow_packages_sent_and_received(
    exchanged: Exchanged, page: Page, sign_in: Callable[..., Page]
) -> None:
    x = exchanged
    w = x.office

    # given Sở Nội vụ's clerk, when they open the monitor of packages sent
    sign_in(w.clerk)
    _visit(page, reverse("exchange:sent"), "exchange-sent", "Gói tin liên thông đã gửi")

    # then each outside recipient's state is there in words, with the reasons
    expect(page.get_by_test_id("failed-count")).to_contain_text("1 gói tin gửi lỗi cần xem lại.")
    for d, outbox_state, recipient_state in (
        (x.arrived, "Đã gửi", "Đã đến"),
        (x.registered, "Đã gửi", "Đã tiếp nhận"),
        (x.refused, "Đã gửi", "Từ chối"),
        (x.broken, "Đã gửi", "Từ chối"),
        (x.recalled, "Đã gửi", "Đã thu hồi"),
        (x.failed, "Gửi lỗi", "Gửi lỗi"),
    ):
        row = _row(page, d)
        expect(row.locator("td").nth(3).locator(".badge")).to_have_text(outbox_state)
        expect(row.locator("[data-recipient-state]")).to_have_text(recipient_state)
    for recipient in (QUANG_TRI, MINISTRY):
        row = page.locator(f"tr[data-outbox='{_outbox_to(x.sent, recipient.code).pk}']")
        expect(row).to_contain_text(recipient.name)
        expect(row.locator("[data-recipient-state]")).to_have_text("Đã gửi")
    expect(_row(page, x.refused)).to_contain_text(REFUSAL)
    expect(_row(page, x.broken)).to_contain_text("Chữ ký số của gói tin không hợp lệ")
    failed = _row(page, x.failed)
    expect(failed.get_by_test_id("error")).to_contain_text("Sai địa chỉ nơi nhận")
    expect(failed.get_by_role("button", name="Gửi lại")).to_be_visible()
    expect(page.get_by_role("button", name="Gửi lại")).to_have_count(1)
    # the recall went out as a status package (13)
    expect(page.locator("tr[data-state='sent']", has_text="Trạng thái 13 · Thu hồi")).to_have_count(
        1
    )

    # on a phone the table gives way to cards with the same facts and the same button
    with _phone(page):
        expect(page.get_by_test_id("sent-table")).to_be_hidden()
        card = page.locator(f"[data-outbox-card='{_outbox(x.failed).pk}']")
        expect(card).to_be_visible()
        expect(card.locator("[data-recipient-state]")).to_have_text("Gửi lỗi")
        expect(card).to_contain_text("Sai địa chỉ nơi nhận")
        expect(card.get_by_role("button", name="Gửi lại")).to_be_visible()
        expect(page.locator(f"[data-outbox-card='{_outbox(x.refused).pk}']")).to_contain_text(
            REFUSAL
        )

    # when the clerk opens the failed document, its exchange panel says why
    _visit(
        page,
        reverse("documents:detail", args=[x.failed.pk]),
        "exchange-document-failed",
        x.failed.reference,
    )
    panel = page.get_by_test_id("exchange-panel")
    expect(panel.locator(f"[data-outbox='{_outbox(x.failed).pk}']")).to_have_attribute(
        "data-state", "failed"
    )
    expect(panel.get_by_test_id("exchange-error")).to_contain_text("Sai địa chỉ nơi nhận")
    panel.scroll_into_view_if_needed()
    _shoot(page, "exchange-document-failed-panel")

    # and the refused one shows the commune's reason
    _visit(
        page,
        reverse("documents:detail", args=[x.refused.pk]),
        "exchange-document-refused",
        x.refused.reference,
    )
    expect(page.get_by_test_id("recipient-reason")).to_contain_text(REFUSAL)

    # when the clerk sends the failed package again from the monitor
    page.goto(reverse("exchange:sent") + "?state=failed")
    _row(page, x.failed).get_by_role("button", name="Gửi lại").click()

    # then it waits to be sent again, on the list of pending packages
    expect(page.get_by_text("Gói tin được đưa lại vào hàng đợi gửi.")).to_be_visible()
    expect(page.get_by_label("Tình trạng gửi")).to_have_value("pending")
    row = _row(page, x.failed)
    expect(row).to_have_attribute("data-state", "pending")
    expect(row.locator("[data-recipient-state]")).to_have_text("Chờ gửi")
    expect(page.get_by_role("button", name="Gửi lại")).to_have_count(0)
    assert _outbox(x.failed).state == ExchangeOutbox.State.PENDING
    assert_accessible(page, "exchange-sent-after-retry")
    _shoot(page, "exchange-sent-after-retry")

    # and the statuses the commune sent back are among the packages received
    _visit(page, reverse("exchange:received"), "exchange-received-statuses", "đã nhận")
    expect(
        page.locator("tr[data-received]", has_text="Trạng thái 02 · Từ chối tiếp nhận")
    ).to_have_count(2)

    # given Phường Phú Xuân's clerk, when they open the packages received
    page.context.clear_cookies()
    sign_in(w.commune_clerk)
    _visit(page, reverse("exchange:received"), "exchange-received", "Gói tin liên thông đã nhận")

    # then the accepted ones link to their documents, the refused one says why
    (bad,) = ReceivedPackage.objects.filter(agency=w.phu_xuan, verdict=Verdict.REFUSED)
    refused_row = page.locator(f"tr[data-received='{bad.pk}']")
    expect(refused_row).to_have_attribute("data-verdict", "refused")
    expect(refused_row.locator(".badge").last).to_have_text("Từ chối")
    expect(refused_row.get_by_test_id("reasons")).to_contain_text(
        "Chữ ký số của gói tin không hợp lệ"
    )
    with _phone(page):
        card = page.locator(f"[data-received-card='{bad.pk}']")
        expect(card).to_contain_text("Từ chối")
        expect(card).to_contain_text("Chữ ký số của gói tin không hợp lệ")
    accepted = page.locator("tr[data-verdict='accepted']")
    expect(accepted).to_have_count(5)  # four documents and the revoke request
    expect(accepted.get_by_role("link", name="Xem văn bản")).to_have_count(5)
    expect(accepted.filter(has_text=x.registered.subject)).to_contain_text("Đã tiếp nhận")
    expect(accepted.filter(has_text="Trạng thái 13 · Thu hồi")).to_have_count(1)
    copy = _copy(w, x.recalled)

    # when the clerk opens the recalled document's copy
    _visit(
        page,
        reverse("documents:detail", args=[copy.pk]),
        "exchange-document-revoke",
        copy.reference or "Công văn",
    )

    # then the sender's request and its reason are there, with both answers
    request = page.get_by_test_id("revoke-request")
    expect(request).to_contain_text("đề nghị thu hồi văn bản này")
    expect(request).to_contain_text(RECALL)
    expect(request.get_by_role("button", name="Đồng ý thu hồi (hủy văn bản)")).to_be_visible()
    request.locator("summary", has_text="Từ chối thu hồi").click()
    expect(request.get_by_label("Lý do từ chối thu hồi")).to_be_visible()
    page.mouse.move(0, 0)  # the photographs show the buttons at rest, not hovered
    request.scroll_into_view_if_needed()
    assert_accessible(page, "exchange-document-revoke (refusal open)")
    _shoot(page, "exchange-document-revoke-panel")

    # when the clerk agrees
    request.get_by_test_id("revoke-agree").click()

    # then the copy is recalled, the answer recorded and the buttons gone
    expect(page.get_by_text("Đã hủy văn bản theo đề nghị thu hồi của nơi gửi.")).to_be_visible()
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "recalled")
    expect(page.get_by_text("Văn bản đã bị thu hồi lúc", exact=False)).to_be_visible()
    panel = page.get_by_test_id("exchange-panel")
    expect(panel).to_contain_text("Đã đồng ý đề nghị thu hồi")
    expect(page.get_by_test_id("revoke-agree")).to_have_count(0)
    copy.refresh_from_db()
    assert copy.status == DocumentStatus.RECALLED
    assert ExchangeOutbox.objects.filter(document=copy, status_code="15").exists()
    assert_accessible(page, "exchange-document-revoked")
    _shoot(page, "exchange-document-revoked")


def test_a_clerk_with_nothing_exchanged_sees_empty_pages(
    eoffice: EofficeWorld, page: Page, sign_in: Callable[..., Page]
) -> None:
    sign_in(eoffice.clerk)
    for url_name, name, text in (
        ("exchange:sent", "exchange-sent-empty", "Chưa gửi gói tin liên thông nào."),
        ("exchange:received", "exchange-received-empty", "Chưa nhận gói tin liên thông nào."),
    ):
        _visit(page, reverse(url_name), name, "Gói tin liên thông")
        expect(page.get_by_test_id("empty-state")).to_contain_text(text)
        expect(page.locator("table")).to_have_count(0)
