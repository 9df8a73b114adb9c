"""The browser-test harness itself: axe-core really reports, a missing Chromium fails loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tinhso.testing.browser import INSTALL_COMMAND, axe_violations, format_violations

REPO = Path(__file__).resolve().parents[5]


@pytest.mark.browser
def test_axe_reports_a_serious_violation_with_its_nodes(page: Page) -> None:
    # given: a page with an image without text alternative and an unlabelled field
    page.set_content(
        '<!doctype html><html lang="vi"><head><title>t</title></head><body><main>'
        '<img src="data:," id="no-alt"><input type="text" id="no-label"></main></body></html>'
    )
    # when
    violations = axe_violations(page)
    # then
    report = format_violations("thử nghiệm", violations)
    assert {v["id"] for v in violations} >= {"image-alt", "label"}
    assert "#no-alt" in report and "#no-label" in report and "[critical] image-alt" in report


def test_missing_chromium_fails_with_the_install_command(tmp_path: Path) -> None:
    # given: a machine without Chromium (the path the harness drives points nowhere), and a
    # browser test run on its own, without Django, to keep this check fast
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tinhso.testing.browser"]\n')
    (tmp_path / "test_needs_chromium.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.browser\n"
        "def test_needs_chromium(browser):\n"
        "    assert browser is not None\n"
    )
    env = {
        **os.environ,
        "TINHSO_CHROMIUM": str(tmp_path / "no-chromium"),
        "PYTHONPATH": str(REPO / "src"),
    }
    # when
    result = subprocess.run(  # noqa: S603 - the test runner itself, with fixed arguments
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:django",
            "-p",
            "no:randomly",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # then: the test fails (it is neither skipped nor an error) and says what to install
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert output.strip().splitlines()[-1].startswith("1 failed"), output
    assert INSTALL_COMMAND in output, output
