"""The PostgreSQL backend's health check (`tinhso.postgresql`): a kept connection that the
server has closed is found without a round trip; a healthy one is not asked anything."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL backend"),
]


@pytest.fixture
def kept() -> Iterator[Any]:
    """A second connection to the test database, as a web process keeps one."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _last_query(pid: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return str(row[0]) if row else ""


def test_a_healthy_kept_connection_is_usable_without_a_query(kept: Any) -> None:
    # given a kept connection whose last statement is known
    with kept.cursor() as cursor:
        cursor.execute("SELECT 'health-check-marker'")
    pid = kept.connection.info.backend_pid

    # when its health is checked
    usable = kept.is_usable()

    # then it is usable, and the server saw no SELECT 1 for it
    assert usable is True
    assert "health-check-marker" in _last_query(pid)


def test_a_connection_the_server_closed_is_not_usable(kept: Any) -> None:
    # given a kept connection that the server terminates (a restart, an administrator)
    pid = kept.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while _last_query(pid) and time.monotonic() < deadline:
        time.sleep(0.05)

    # when its health is checked, then it is not usable
    assert kept.is_usable() is False

    # and Django's per-request check closes it, so that the next query opens a new one
    kept.health_check_done = False
    kept.close_if_health_check_failed()
    assert kept.connection is None
    with kept.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
