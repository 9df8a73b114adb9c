"""The operator's pages in Chromium, at desktop and phone sizes (screenshots kept in
test-artifacts/screenshots/ and copied to /tmp/hub-shots/ for review)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from tinhso.accounts.models import User
from tinhso.exchange import edxml
from tinhso.hub import registry, services
from tinhso.hub.models import Delivery
from tinhso.hub.tests.conftest import BNV, COMMUNE, OTHER, Hub, document, status
from tinhso.testing.browser import assert_accessible, login, screenshots

pytestmark = [pytest.mark.browser, pytest.mark.urls("tinhso.config.urls_hub")]

SHOTS = Path("/tmp/hub-shots")  # noqa: S108 - a copy for review, named in the brief
PASSWORD = "mat-khau-van-hanh-2026"


def _shoot(page: Page, name: str) -> None:
    paths = screenshots(page, f"hub-{name}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for path in paths.values():
        shutil.copy(path, SHOTS / path.name)


@pytest.fixture
def traffic(hub: Hub) -> dict[str, Any]:
    """Packages without envelope signatures (the browser's event loop and the signer's do not
    mix), accepted with HUB_REQUIRE_SIGNATURE off."""
    snapshot = registry.current()
    a = snapshot.nodes["tinh-a"]
    b = snapshot.nodes["tinh-b"]
    with override_settings(HUB_REQUIRE_SIGNATURE=False):
        first = document(to=(BNV, COMMUNE, OTHER))
        for number in range(1, 8):
            services.package_send(
                node=a,
                body=edxml.build(document(number=str(number), to=(BNV, COMMUNE))),
                message_type="edoc",
                send_id=uuid.uuid4(),
            )
        main = services.package_send(
            node=a, body=edxml.build(first), message_type="edoc", send_id=uuid.uuid4()
        )
        services.package_send(
            node=b,
            body=edxml.build(status(first, sender=BNV, code="01")),
            message_type="status",
            send_id=uuid.uuid4(),
        )
    package_id = main.answer["id"]
    refused = Delivery.objects.get(package_id=package_id, organ_id=BNV)
    services.delivery_fetch(node=b, delivery_id=refused.id)
    services.delivery_ack(
        node=b,
        delivery_id=refused.id,
        status="fail",
        reason="Chữ ký số trên tệp đính kèm không hợp lệ: chứng thư số đã hết hạn",
    )
    dead = Delivery.objects.get(package_id=package_id, organ_id=OTHER)
    Delivery.objects.filter(id=dead.id).update(
        state="dead", attempts=10, reason="Quá số lần nhận mà không có xác nhận."
    )
    return {"package": package_id, "dead": dead.id}


def test_the_operator_pages(page: Page, live_server: Any, traffic: dict[str, Any]) -> None:
    # given an operator
    User.objects.create_user(
        username="vanhanh",
        password=PASSWORD,
        full_name="Trần Văn Vận Hành",
        email="vanhanh@hub.example",
        is_staff=True,
    )
    # when signing in through the form
    login(page, "vanhanh", PASSWORD)
    # then the queues per node
    expect(page.get_by_role("heading", name="Hàng đợi theo nút")).to_be_visible()
    expect(page.locator('tr[data-node="tinh-b"] td[data-count="failed"]')).to_have_text("1")
    assert_accessible(page, "hub queues")
    _shoot(page, "queues")

    page.get_by_role("link", name="Lượt chuyển lỗi").first.click()
    expect(page.get_by_role("heading", name="Lượt chuyển lỗi")).to_be_visible()
    expect(page.locator("table").get_by_text("chứng thư số đã hết hạn")).to_be_visible()
    assert_accessible(page, "hub problems")
    _shoot(page, "problems")

    page.get_by_role("link", name="Gói tin").first.click()
    expect(page.get_by_role("heading", name="Gói tin", exact=True)).to_be_visible()
    assert_accessible(page, "hub packages")
    _shoot(page, "packages")

    page.goto(f"/hub/packages/{traffic['package']}/")
    assert_accessible(page, "hub package")
    _shoot(page, "package")

    # when the operator redelivers the dead delivery
    section = page.locator(f'section[data-delivery="{traffic["dead"]}"]')
    section.get_by_role("button", name="Chuyển lại").click()
    # then it waits again, with its receipt
    expect(page.get_by_text("Đã đưa lượt chuyển đến H58.01 vào hàng đợi lại.")).to_be_visible()
    expect(section.locator(".card-header [data-state]")).to_have_attribute("data-state", "pending")
    assert Delivery.objects.get(id=traffic["dead"]).state == "pending"
    _shoot(page, "package-redelivered")
