"""/healthz and /readyz answer JSON; every response carries a request id; logs are JSON lines."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from tinhso.web.logging import JsonFormatter


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(
    client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_and_queue(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"]["ok"] is True


@pytest.mark.django_db
def test_readyz_reports_503_when_the_queue_is_unreachable(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huey.contrib.djhuey import HUEY

    def broken() -> int:
        raise ConnectionError("queue down")

    monkeypatch.setattr(HUEY.storage, "queue_size", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == {"ok": False, "error": "ConnectionError"}


def test_request_id_is_generated_and_returned(client: Client) -> None:
    response = client.get("/healthz")
    assert len(response["X-Request-ID"]) == 32


def test_a_safe_incoming_request_id_is_kept_and_a_hostile_one_replaced(client: Client) -> None:
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-req-12345678")
    assert kept["X-Request-ID"] == "nginx-req-12345678"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert replaced["X-Request-ID"] != "bad id\nwith newline"
    assert len(replaced["X-Request-ID"]) == 32


def test_log_records_render_as_json_with_the_request_id() -> None:
    from tinhso import requestcontext

    token = requestcontext.bind(requestcontext.RequestContext("abc12345", "127.0.0.1"))
    try:
        record = logging.LogRecord(
            "tinhso.test", logging.INFO, __file__, 1, "Đã lưu %s", ("hồ sơ",), None
        )
        line = JsonFormatter().format(record)
    finally:
        requestcontext.reset(token)
    data = json.loads(line)
    assert data["event"] == "Đã lưu hồ sơ"
    assert data["request_id"] == "abc12345"
    assert data["level"] == "info"
    assert "timestamp" in data
