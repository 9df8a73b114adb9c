"""The e-office endpoints in the OpenAPI description, without warnings of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PATHS = (
    "/api/v1/documents/incoming/",
    "/api/v1/documents/incoming/{document_id}/",
    "/api/v1/documents/incoming/{document_id}/accept/",
    "/api/v1/documents/incoming/{document_id}/refuse/",
    "/api/v1/documents/incoming/{document_id}/present/",
    "/api/v1/documents/incoming/{document_id}/assign/",
    "/api/v1/documents/incoming/{document_id}/process/",
    "/api/v1/documents/outgoing/",
    "/api/v1/documents/outgoing/{document_id}/",
    "/api/v1/documents/outgoing/{document_id}/submit/",
    "/api/v1/documents/outgoing/{document_id}/approve/",
    "/api/v1/documents/outgoing/{document_id}/return/",
    "/api/v1/documents/outgoing/{document_id}/issue/",
    "/api/v1/documents/outgoing/{document_id}/recall/",
    "/api/v1/documents/outgoing/{document_id}/versions/",
    "/api/v1/documents/outgoing/{document_id}/comments/",
    "/api/v1/documents/search/",
)

#: Names in a warning that would point at this API: its module, its components, the enum
#: fields only it declares.
OURS = (
    "documents/api/views.py",
    "documents/api/serializers.py",
    "Incoming",
    "Outgoing",
    "DocumentSearch",
    'fields named "urgency"',
    'fields named "type"',
    'fields named "source"',
)


def test_every_endpoint_is_described_without_a_warning_of_ours(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # when the schema is generated and validated (drf-spectacular prints its warnings)
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--file", str(target))
    err = capsys.readouterr().err

    # then every path is there, with its operation ids
    text = target.read_text(encoding="utf-8")
    for path in PATHS:
        assert f"{path}:" in text, path
    assert "operationId: documents_incoming_register" in text
    assert "operationId: documents_outgoing_issue" in text
    # and no warning or error names this API
    ours = [
        line
        for line in err.splitlines()
        if ("Warning" in line or "Error" in line) and any(name in line for name in OURS)
    ]
    assert ours == []
