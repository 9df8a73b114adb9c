"""One hub and two installations per test module, as separate processes with their own
databases on loopback (`tinhso.testing.interconnect`); the logs of every process are added to
the report of a failed test."""

from __future__ import annotations

from collections.abc import Generator, Iterator

import pytest

from tinhso.testing.interconnect import Interconnect
from tinhso.testing.signing import LocalPki

#: Short leases and pauses: a test waits seconds, not the production minutes, for a package
#: fetched by a worker that died to be offered again, or for a send to be retried.
FAST = {
    "TINHSO_HUB_LEASE_SECONDS": "5",
}


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory, test_pki: LocalPki) -> Iterator[Interconnect]:
    work = tmp_path_factory.mktemp("interconnect")
    with Interconnect(work, pki=test_pki, extra_env=FAST) as running:
        print(f"\n[interconnect] {running.timings.describe()}")
        yield running


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        running = getattr(item, "funcargs", {}).get("net")
        if isinstance(running, Interconnect):
            report.sections.append(("interconnect processes", running.logs(80)))
    return report
