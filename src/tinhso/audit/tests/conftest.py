from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

import pytest

from tinhso.audit import services


@pytest.fixture
def at_time(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Make the next audit rows carry `moment` as their time (the trail reads the clock)."""

    def set_moment(moment: dt.datetime) -> None:
        monkeypatch.setattr(services, "timezone", SimpleNamespace(now=lambda: moment))

    return set_moment
