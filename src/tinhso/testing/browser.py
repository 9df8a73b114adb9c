"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Fixtures (registered in the root conftest.py):
    browser       one Chromium per test session (per xdist worker)
    page          a fresh context and page per test, 1366×768, locale vi-VN, on the live
                  server; a screenshot of the page is kept in test-artifacts/ when the test fails
    sign_in       sign a user in without the login form (a session cookie), optionally with
                  the second factor done — for tests whose journey is not signing in
Helpers:
    login(page, username, password)      sign in through the login form, as a person does
    assert_accessible(page)              axe-core, WCAG 2.1 A/AA: no serious or critical issue
    screenshots(page, name)              the page at 1366×768 and at 390×844 (a phone)

Chromium is never downloaded (`playwright install` is not used): the tests drive
/usr/bin/chromium from Debian and fail, naming the command to run, when it is missing.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path(os.environ.get("TINHSO_CHROMIUM", "/usr/bin/chromium"))
INSTALL_COMMAND = "sudo sh -c 'apt-get update && apt-get install -y chromium'"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

_REPO = Path(__file__).resolve().parents[3]
ARTIFACTS = _REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE = _REPO / "src" / "tinhso" / "static" / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

#: Playwright's navigation and auto-waiting limit: generous for a slow CI machine, short
#: enough that a missing element fails the test in seconds rather than minutes.
TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    # Keep each phase's report on the test item, so the `page` fixture knows at teardown
    # whether the test failed and its screenshot is worth keeping.
    report = yield
    setattr(item, f"_tinhso_report_{report.when}", report)
    return report


def missing_chromium() -> str | None:
    """Why the browser tests cannot run here, with the command that fixes it; None if they can."""
    if CHROMIUM.exists():
        return None
    return (
        f"Chromium is not installed at {CHROMIUM}; the browser tests drive Debian's Chromium. "
        f"Install it with:\n    {INSTALL_COMMAND}\n"
        "(or run `make system-deps`). Browser tests are never skipped."
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test that drives the browser is a browser test even if its author forgot the mark,
    # so that `-m browser` / `-m "not browser"` select exactly them.
    for item in items:
        if {"page", "browser"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    # Fail (not error, not skip) in the test's own phase, so the summary lists every browser
    # test as FAILED with the command to run.
    if item.get_closest_marker("browser") is not None:
        reason = missing_chromium()
        if reason is not None:
            pytest.fail(reason, pytrace=False)


#: Playwright's event loop while the session's browser is open (see `browser`).
_PLAYWRIGHT_LOOP: list[asyncio.AbstractEventLoop] = []


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser | None]:
    """Chromium for the whole session; None when it is missing (the tests then fail)."""
    if missing_chromium() is not None:
        yield None
        return
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # beside one unless told that the test code is in fact synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        # Playwright's loop stays marked as running in this thread between its calls. Tests
        # that do not drive the browser must not see it (pyHanko's synchronous calls start
        # loops of their own): it is marked running only while a `page` test runs.
        _PLAYWRIGHT_LOOP.append(asyncio.get_running_loop())
        asyncio.events._set_running_loop(None)
        try:
            yield chromium
        finally:
            asyncio.events._set_running_loop(_PLAYWRIGHT_LOOP.pop())
            chromium.close()


def _artifact_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:180]


@pytest.fixture
def page(
    browser: Browser | None, live_server: Any, request: pytest.FixtureRequest
) -> Iterator[Page]:
    if browser is None:
        yield None  # type: ignore[misc]  # pytest_runtest_call fails the test before it runs
        return
    asyncio.events._set_running_loop(_PLAYWRIGHT_LOOP[-1])
    context = browser.new_context(
        base_url=live_server.url,
        viewport=DESKTOP,  # type: ignore[arg-type]
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    try:
        yield new_page
    finally:
        report = getattr(request.node, "_tinhso_report_call", None)
        if report is not None and report.failed and not new_page.is_closed():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            target = ARTIFACTS / f"{_artifact_name(request.node.nodeid)}.png"
            try:
                new_page.screenshot(path=str(target), full_page=True)
                print(f"\nScreenshot of the failed test: {target}")
            except Exception as exc:  # the page may be what broke; the failure is reported anyway
                print(f"\nNo screenshot of the failed test ({exc.__class__.__name__}).")
        context.close()
        asyncio.events._set_running_loop(None)


def login(page: Page, username: str, password: str) -> None:
    """Sign in through the login form, as a person does (ends on the page after the form)."""
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


@pytest.fixture
def sign_in(page: Page, live_server: Any) -> Callable[..., Page]:
    """`sign_in(user, verified=False)`: a session for `user` in the page's browser context.

    For tests about something else than signing in: it skips the form and, with
    `verified=True`, the second factor (a confirmed TOTP device recorded in the session).
    """
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def _sign_in(user: Any, *, verified: bool = False) -> Page:
        client = Client()
        client.force_login(user)
        if verified:
            device = TOTPDevice.objects.create(user=user, name="browser test", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        return page

    return _sign_in


_AXE_RUN = """
async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
  }));
}
"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: build the front-end assets with `make assets`.")
    page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN, WCAG_TAGS)
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def format_violations(where: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{where}: {len(violations)} serious/critical accessibility violation(s)"]
    for violation in violations:
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"      {violation['helpUrl']}")
        for node in violation["nodes"][:10]:
            lines.append(f"      - {node['target']}")
            summary = " ".join(node["summary"].split())
            if summary:
                lines.append(f"        {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str = "") -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(where or page.url, violations)


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: nothing sticks out)."""
    overflow: int = page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )
    return max(overflow, 0)


def screenshots(page: Page, name: str) -> dict[str, Path]:
    """Save the page at desktop and phone size under test-artifacts/screenshots/.

    Returns the paths by size name and leaves the page at desktop size. Fails when the page
    is wider than the phone's screen (something overflows horizontally).
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    try:
        for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)  # type: ignore[arg-type]
            path = SCREENSHOTS / f"{_artifact_name(name)}-{size_name}.png"
            # What a person sees on opening the page: one screen, not the whole scroll height.
            page.screenshot(path=str(path))
            paths[size_name] = path
            if size_name == "phone":
                overflow = horizontal_overflow(page)
                assert overflow == 0, f"{name}: the page is {overflow}px wider than a phone"
    finally:
        page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    return paths
