"""Sign-in, home, accounts and audit pages in Chromium: axe-core finds no serious or critical
WCAG 2.1 A/AA violation, nothing is wider than a phone, screenshots go to
test-artifacts/screenshots/ (1366×768 and 390×844). The list of pages: `pages.py`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tinhso.accounts.models import User
from tinhso.web.tests.browser.pages import (
    GROUPS,
    NOT_PAGES,
    PAGES,
    VISITORS,
    World,
    url_names,
    visit_all,
)

GROUP = "accounts_audit"


def test_every_page_is_listed() -> None:
    # given: every named route of the project outside the API
    routes = {name for name, route in url_names() if not route.startswith("api/")}
    listed = {case.url_name for case in PAGES} | set(NOT_PAGES)
    # then: each is a page to sweep or is said not to be one, and each page has a sweep
    missing = sorted(routes - listed)
    assert not missing, (
        "These URL names are neither in PAGES (checked with axe-core and screenshots) nor in "
        "NOT_PAGES (with the reason) of tinhso/web/tests/browser/pages.py:\n  "
        + "\n  ".join(missing)
    )
    swept = frozenset().union(*GROUPS.values())
    unswept = sorted(c.url_name for c in PAGES if c.namespace not in swept)
    assert not unswept, f"Add their namespace to a group in GROUPS of pages.py: {unswept}"
    assert {c.visitor for c in PAGES} <= set(VISITORS)


@pytest.mark.browser
def test_sign_in_page(page: Page) -> None:
    problems = visit_all(page, None, "anonymous", GROUP)
    assert not problems, "\n\n".join(problems)


@pytest.mark.browser
def test_second_factor_enrolment_page(
    page: Page, world: World, sign_in: Callable[..., Page]
) -> None:
    sign_in(User.objects.get(username="quantri.snv"))
    problems = visit_all(page, world, "admin_before_second_factor", GROUP)
    assert not problems, "\n\n".join(problems)


@pytest.mark.browser
def test_pages_of_the_provincial_administrator(
    page: Page, world: World, sign_in: Callable[..., Page]
) -> None:
    sign_in(world.admin, verified=True)
    problems = visit_all(page, world, "provincial_admin", GROUP)
    assert not problems, "\n\n".join(problems)
