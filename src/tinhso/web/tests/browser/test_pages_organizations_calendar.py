"""Organization and calendar pages in Chromium: axe-core finds no serious or critical
WCAG 2.1 A/AA violation, nothing is wider than a phone, screenshots go to
test-artifacts/screenshots/ (1366×768 and 390×844). The list of pages: `pages.py`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tinhso.web.tests.browser.pages import World, visit_all

GROUP = "organizations_calendar"


@pytest.mark.browser
def test_pages_of_the_provincial_administrator(
    page: Page, world: World, sign_in: Callable[..., Page]
) -> None:
    sign_in(world.admin, verified=True)
    problems = visit_all(page, world, "provincial_admin", GROUP)
    assert not problems, "\n\n".join(problems)
