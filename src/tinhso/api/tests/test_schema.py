from __future__ import annotations

import warnings
from pathlib import Path

from django.core.management import call_command
from rest_framework.test import APIClient


def test_the_schema_generates_without_warnings(tmp_path: object, db: None) -> None:
    # when the OpenAPI schema is generated with warnings treated as failures
    target = f"{tmp_path}/schema.yaml"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", target)

    # then the accounts endpoints are described with the bearer scheme
    text = Path(target).read_text(encoding="utf-8")
    for path in ("/api/v1/auth/token/:", "/api/v1/auth/token/revoke/:", "/api/v1/me/:"):
        assert path in text
    assert "bearerAuth" in text and "ProblemDetails" in text


def test_the_schema_is_served(api_client: APIClient, db: None) -> None:
    response = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/me/" in response.json()["paths"]
