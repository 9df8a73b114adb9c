"""The provincial administrator keeps the catalogue in Chromium: a new version of a demo
procedure, edited through the form as rendered (blank rows left blank), then published."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tinhso.procedures.demo import load_demo_procedures
from tinhso.procedures.models import ProcedureVersion, VersionStatus
from tinhso.testing.fixtures import DemoProvince


@pytest.mark.browser
def test_the_administrator_edits_and_publishes_a_new_version(
    page: Page, demo_province: DemoProvince, sign_in: Callable[..., Page]
) -> None:
    # given the demo catalogue and the provincial administrator on a procedure's page
    load_demo_procedures()
    sign_in(demo_province.user("admin"), verified=True)
    page.goto("/procedures/1.008905/")

    # when they start a new version, rename it and add a component in a blank row
    page.get_by_role("button", name="Tạo phiên bản mới").click()
    expect(page.get_by_role("heading", name="Sửa phiên bản dự thảo 2")).to_be_visible()
    page.get_by_label("Tên thủ tục").fill("Thay đổi nội dung Giấy đăng ký hoạt động (bản mới)")
    page.locator("#id_components-1-name").fill("Quyết định thay đổi Trưởng Chi nhánh")
    page.get_by_role("button", name="Lưu", exact=True).click()

    # then the draft is saved as typed, the untouched blank rows left out
    expect(page.get_by_text("Đã lưu phiên bản dự thảo.")).to_be_visible()
    draft = ProcedureVersion.objects.get(procedure__code="1.008905", number=2)
    assert draft.name == "Thay đổi nội dung Giấy đăng ký hoạt động (bản mới)"
    assert [c.name for c in draft.components.all()] == [
        "Đơn đề nghị thay đổi nội dung Giấy đăng ký hoạt động của Chi nhánh Trung tâm trọng tài",
        "Quyết định thay đổi Trưởng Chi nhánh",
    ]
    assert draft.steps.count() == 4 and draft.fees.count() == 1

    # and publishing it puts it in force and retires version 1
    page.get_by_role("button", name="Công bố").click()
    expect(page.get_by_text("Đã công bố phiên bản 2; phiên bản trước hết áp dụng.")).to_be_visible()
    statuses = dict(
        ProcedureVersion.objects.filter(procedure__code="1.008905").values_list("number", "status")
    )
    assert statuses == {1: VersionStatus.RETIRED, 2: VersionStatus.PUBLISHED}
