"""The one-stop pages in Chromium (the "dossiers" group of the pages sweep): axe-core finds no
serious or critical WCAG 2.1 A/AA violation, nothing is wider than a phone, screenshots go to
test-artifacts/screenshots/ (1366×768 and 390×844). The list of pages:
`tinhso/web/tests/browser/pages.py`; the visitors are the one-stop desks of `onestop_world`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tinhso.accounts.models import Membership, User
from tinhso.audit.models import AuditEvent
from tinhso.dossiers.tests.browser.conftest import Desk
from tinhso.web.tests.browser.pages import World, visit_all

GROUP = "dossiers"


def _pages_world(desk: Desk) -> World:
    w = desk.world
    return World(
        admin=desk.admin,
        official=w.specialist,
        agency=w.so,
        department=w.so_department,
        membership=Membership.objects.get(user=w.specialist),
        audit_seq=AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0],
        day=dt.date(2026, 1, 1),
        dossier_code=desk.at_approval.code,
        procedure_code=w.version.procedure.code,
    )


def _visitor(desk: Desk, visitor: str) -> tuple[User | None, bool]:
    w = desk.world
    return {
        "anonymous": (None, False),
        "counter": (w.counter, False),
        "specialist": (w.specialist, False),
        "leader": (w.leader, False),
        "provincial_admin": (desk.admin, True),
    }[visitor]


@pytest.mark.browser
@pytest.mark.parametrize(
    "visitor", ["anonymous", "counter", "specialist", "leader", "provincial_admin"]
)
def test_one_stop_pages(page: Page, desk: Desk, sign_in: Callable[..., Page], visitor: str) -> None:
    user, verified = _visitor(desk, visitor)
    if user is not None:
        sign_in(user, verified=verified)
    problems = visit_all(page, _pages_world(desk), visitor, GROUP)
    assert not problems, "\n\n".join(problems)
