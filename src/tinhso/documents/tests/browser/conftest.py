"""The e-office world for browser tests: the demo province on the live server, documents in
the states the pages show, and screenshots kept where `TINHSO_SCREENS_DIR` says.

Screenshots go to `$TINHSO_SCREENS_DIR` (outside the repository when reviewing, e.g.
`/tmp/screens`), else to test-artifacts/screenshots/ like every other browser test.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import FilePayload, Page

from tinhso.accounts.models import User
from tinhso.documents import services
from tinhso.documents.models import Assignment, Document
from tinhso.documents.numbering import vietnam_date
from tinhso.testing.browser import DESKTOP, PHONE, SCREENSHOTS, horizontal_overflow
from tinhso.testing.eoffice import EofficeWorld, upload
from tinhso.testing.fixtures import DemoProvince
from tinhso.testing.onestop import MINIMAL_PDF


def vietnam_today() -> dt.date:
    """Today in Vietnam, as the pages count days (a test at 23:00 UTC is already tomorrow)."""
    return vietnam_date(timezone.now())


SCREENS = Path(os.environ.get("TINHSO_SCREENS_DIR") or SCREENSHOTS)


def shoot(page: Page, name: str, *, full: bool = False) -> dict[str, Path]:
    """The page at 1366×768 and at 390×844 (a phone), and the whole desktop page when `full`;
    fails when the page is wider than the phone. Leaves the page at desktop size."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    try:
        for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)  # type: ignore[arg-type]
            path = SCREENS / f"{name}-{size_name}.png"
            page.screenshot(path=str(path))
            paths[size_name] = path
            if size_name == "phone":
                overflow = horizontal_overflow(page)
                assert overflow == 0, f"{name}: the page is {overflow}px wider than a phone"
        if full:
            page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
            path = SCREENS / f"{name}-desktop-full.png"
            page.screenshot(path=str(path), full_page=True)
            paths["full"] = path
    finally:
        page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    return paths


def pdf_payload(name: str) -> FilePayload:
    return {"name": name, "mimeType": "application/pdf", "buffer": MINIMAL_PDF}


def switch_to(page: Page, sign_in: Callable[..., Page], user: User) -> None:
    page.context.clear_cookies()
    sign_in(user)


@pytest.fixture
def office(demo_province: DemoProvince) -> EofficeWorld:
    return EofficeWorld(demo_province)


def sent_from_finance(demo: DemoProvince, *, subject: str) -> Document:
    """An outgoing document of the Sở Tài chính issued to the Sở Nội vụ: it waits in the
    Sở Nội vụ clerk's queue of electronic documents (the journey of another agency)."""
    drafter = demo.user("stc.qlns.cv")
    d = services.outgoing_draft(
        actor=drafter,
        data=services.DraftInput(
            doc_type="CV",
            subject=subject,
            signer=demo.user("giamdoc.stc").pk,
            recipients=(demo.snv.pk,),
            files=(upload(drafter, "cong-van.pdf"),),
        ),
    )
    services.outgoing_submit(actor=drafter, document_id=d.pk)
    d.refresh_from_db()
    while d.status == "in_review":
        step = d.approvals.filter(decision="waiting").order_by("-round", "order").first()
        assert step is not None and step.approver is not None
        services.outgoing_approve(actor=step.approver, document_id=d.pk)
        d.refresh_from_db()
    services.outgoing_issue(actor=demo.user("stc.vp.vanthu"), document_id=d.pk)
    return Document.objects.get(origin=d, agency=demo.snv)


@dataclass(frozen=True)
class Desk:
    """Documents in every state the pages list, for the tour of the pages."""

    office: EofficeWorld
    received: Document
    registered: Document
    assigned: Document
    overdue: Assignment
    draft: Document
    in_review: Document
    approved: Document
    issued: Document


def build_desk(w: EofficeWorld) -> Desk:
    received = sent_from_finance(
        w.demo, subject="Về việc góp ý dự thảo quy định phân cấp ngân sách"
    )
    registered = w.register(number="21", subject="Về việc cử cán bộ tham dự tập huấn chuyển đổi số")
    assigned, _main = w.assigned(number="22", subject="Quyết định phê duyệt kế hoạch tuyển dụng")
    late, main = w.assigned(
        number="23", subject="Về việc báo cáo số lượng cán bộ, công chức cấp xã", urgency="khan"
    )
    # Due a week ago, whatever day the test runs (test data: the service refuses a past date).
    week_ago = vietnam_today() - dt.timedelta(days=7)
    Assignment.objects.filter(pk=main.pk).update(due_on=week_ago)
    Document.objects.filter(pk=late.pk).update(due_on=week_ago)
    main.refresh_from_db()
    draft = w.draft(subject="Về việc đăng ký nhu cầu đào tạo, bồi dưỡng năm 2027")
    in_review = w.draft(subject="Báo cáo kết quả thực hiện cải cách hành chính quý III")
    services.outgoing_submit(actor=w.specialist, document_id=in_review.pk)
    approved = w.approved(subject="Về việc rà soát vị trí việc làm")
    issued = w.issued(subject="Về việc báo cáo tình hình biên chế năm 2026")
    return Desk(
        office=w,
        received=received,
        registered=registered,
        assigned=assigned,
        overdue=main,
        draft=draft,
        in_review=in_review,
        approved=approved,
        issued=issued,
    )


@pytest.fixture
def desk(office: EofficeWorld) -> Desk:
    return build_desk(office)


def open_panel(page: Page, label: str, scope: Any = None) -> Any:
    where = scope if scope is not None else page
    panel = where.locator("details.action-panel", has=page.locator("summary", has_text=label))
    panel.locator("summary").first.click()
    return panel
