"""What the e-office API tests share: clients with bearer tokens, uploads through the files
API, the issue's smallest bodies and problem documents (documents in each state come from
`tinhso.testing.eoffice`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tinhso.accounts.models import User
from tinhso.accounts.services import api_token_issue
from tinhso.api.problems import PROBLEM_CONTENT_TYPE
from tinhso.testing.onestop import MINIMAL_PDF

if TYPE_CHECKING:
    from rest_framework.response import _MonkeyPatchedResponse as Response

INCOMING = "/api/v1/documents/incoming/"
OUTGOING = "/api/v1/documents/outgoing/"
SEARCH = "/api/v1/documents/search/"
FILES = "/api/v1/files/"

#: The commune of the demo: another agency, with its clerk, a specialist and its chairman.
COMMUNE_CLERK = "vanthu.xa"
COMMUNE_SPECIALIST = "xa19753.kt.cv"
COMMUNE_CHAIRMAN = "xa19753.chutich"


def bearer(user: User) -> APIClient:
    """A client sending a real bearer token of the user (as integrators call the API)."""
    client = APIClient()
    _token, key = api_token_issue(actor=user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def api_upload(client: APIClient, name: str = "van-ban.pdf", content: bytes = MINIMAL_PDF) -> int:
    """Upload through POST /api/v1/files/ and return the file's id."""
    kind = "application/pdf" if name.endswith(".pdf") else "application/octet-stream"
    response = client.post(
        FILES, {"file": SimpleUploadedFile(name, content, content_type=kind)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:1000]
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def ok(response: Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content[:1000]
    body: dict[str, Any] = response.json()
    return body


def register_body(file_id: int | None = None, **overrides: Any) -> dict[str, Any]:
    """The issue's smallest registration, as written there."""
    body: dict[str, Any] = {
        "issuer_name": "Ủy ban nhân dân tỉnh Thừa Thiên Huế",
        "number": "15",
        "notation": "QĐ-UBND",
        "date": "2026-11-20",
        "type": "QĐ",
        "subject": "Quyết định về việc giao chỉ tiêu biên chế công chức năm 2027",
        "urgency": "thuong",
        "files": [] if file_id is None else [file_id],
    }
    body.update(overrides)
    return body


def draft_body(
    recipient: int, signer: int, file_id: int | None = None, **overrides: Any
) -> dict[str, Any]:
    """The issue's smallest draft, as written there."""
    body: dict[str, Any] = {
        "type": "CV",
        "subject": "Về việc báo cáo tình hình biên chế năm 2026",
        "recipients": [recipient],
        "signer": signer,
        "files": [] if file_id is None else [file_id],
    }
    body.update(overrides)
    return body
