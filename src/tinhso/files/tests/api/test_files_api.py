"""/api/v1/files/: upload, errors as problem documents, metadata and download."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tinhso.accounts.models import User
from tinhso.accounts.services import api_token_issue
from tinhso.api.problems import PROBLEM_CONTENT_TYPE
from tinhso.files import detection
from tinhso.files.models import StoredFile
from tinhso.files.services import file_store
from tinhso.files.tests import samples
from tinhso.files.tests.conftest import stored_objects
from tinhso.testing.access_matrix import (
    PERSONAS,
    World,
    access_world,  # noqa: F401  (the fixture)
    signed_in_client,
)

UPLOAD_URL = "/api/v1/files/"


def _detail_url(stored: StoredFile) -> str:
    return f"/api/v1/files/{stored.pk}/"


def _content_url(stored: StoredFile) -> str:
    return f"/api/v1/files/{stored.pk}/content"


@pytest.fixture
def client_as() -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        client = APIClient()
        _token, key = api_token_issue(actor=user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make


def _post(client: APIClient, *files: SimpleUploadedFile) -> Any:
    return client.post(UPLOAD_URL, {"file": list(files)}, format="multipart")


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


# --- Upload -----------------------------------------------------------------------------------


def test_an_official_uploads_a_pdf(
    client_as: Callable[[User], APIClient], specialist_a: User
) -> None:
    # when
    response = _post(client_as(specialist_a), samples.upload(samples.pdf(), "Tờ trình số 5.pdf"))

    # then the description of the stored file comes back
    assert response.status_code == 201, response.content
    body = response.json()
    stored = StoredFile.objects.get()
    assert body == {
        "id": stored.pk,
        "name": "Tờ trình số 5.pdf",
        "size": len(samples.pdf()),
        "content_type": detection.PDF,
        "sha256": stored.sha256,
        "created_at": body["created_at"],
    }
    assert body["created_at"].endswith("+07:00")


def test_the_declared_content_type_is_ignored(
    client_as: Callable[[User], APIClient], citizen: User
) -> None:
    upload = samples.upload(samples.png(), "anh", content_type="application/pdf")
    response = _post(client_as(citizen), upload)
    assert response.status_code == 201
    assert response.json()["content_type"] == detection.PNG
    assert response.json()["name"] == "anh.png"


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_upload(persona: str, access_world: World) -> None:  # noqa: F811
    # given the persona's API client (a bearer token; none for the anonymous visitor)
    client = signed_in_client(access_world, persona, api=True)

    # when
    response = client.post(UPLOAD_URL, {"file": samples.upload(samples.pdf())}, format="multipart")

    # then every signed-in account may upload, the anonymous visitor must sign in
    assert response.status_code == (401 if persona == "anonymous" else 201), response.content


def test_a_spoofed_extension_is_a_400_problem_on_the_file_field(
    client_as: Callable[[User], APIClient], specialist_a: User, media_root: Path
) -> None:
    response = _post(client_as(specialist_a), samples.upload(samples.png(), "x.pdf"))
    body = _problem(response, 400)
    assert body["errors"] == {"file": ["Tệp “x.pdf” không phải là PDF: nội dung tệp là PNG."]}
    assert not StoredFile.objects.exists() and not stored_objects(media_root)


def test_no_file_is_a_400_problem(
    client_as: Callable[[User], APIClient], specialist_a: User
) -> None:
    response = client_as(specialist_a).post(UPLOAD_URL, {"name": "x"}, format="multipart")
    body = _problem(response, 400)
    assert body["errors"]["file"] == [
        "Chưa có tệp: gửi tệp trong trường “file” (multipart/form-data)."
    ]


def test_two_files_at_once_is_a_400_problem(
    client_as: Callable[[User], APIClient], specialist_a: User
) -> None:
    response = _post(
        client_as(specialist_a),
        samples.upload(samples.pdf(), "a.pdf"),
        samples.upload(samples.png(), "b.png"),
    )
    assert _problem(response, 400)["errors"]["file"] == ["Mỗi lần chỉ tải lên một tệp."]
    assert not StoredFile.objects.exists()


def test_a_json_body_is_a_415_problem(
    client_as: Callable[[User], APIClient], specialist_a: User
) -> None:
    response = client_as(specialist_a).post(UPLOAD_URL, {"file": "JVBERi0="}, format="json")
    detail = _problem(response, 415)["detail"]
    assert "“application/json”" in detail and "không được hỗ trợ" in detail


@pytest.mark.parametrize(
    "padding",
    [4_000, 200_000],
    ids=["file-grows-past-the-limit", "body-declares-too-much"],
)
def test_a_body_over_the_limit_is_a_413_problem_not_a_500(
    client_as: Callable[[User], APIClient],
    specialist_a: User,
    settings: Any,
    media_root: Path,
    padding: int,
) -> None:
    # given a 1,000-byte limit and a larger file (one that stops the parse as it streams in,
    # one whose Content-Length alone is refused before any of the body is read)
    settings.TINHSO_UPLOAD_MAX_BYTES = 1_000
    data = samples.pdf() + b" " * padding

    # when
    response = _post(client_as(specialist_a), samples.upload(data, "lon.pdf"))

    # then
    body = _problem(response, 413)
    assert body["code"] == "too_large"
    assert body["detail"] == "Tệp tải lên vượt quá dung lượng tối đa 1000\xa0byte."
    assert not StoredFile.objects.exists() and not stored_objects(media_root)


def test_over_the_limit_with_a_session_and_csrf_token_is_a_413_problem(
    specialist_a: User, settings: Any
) -> None:
    # given a browser session: its CSRF check reads the body during authentication
    settings.TINHSO_UPLOAD_MAX_BYTES = 1_000
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(specialist_a)
    token = "a" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = token

    # when
    response = client.post(
        UPLOAD_URL,
        {"file": samples.upload(samples.pdf() + b" " * 4_000)},
        format="multipart",
        HTTP_X_CSRFTOKEN=token,
    )

    # then
    assert _problem(response, 413)["code"] == "too_large"


def test_a_session_upload_within_the_limit_works(specialist_a: User, settings: Any) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(specialist_a)
    token = "b" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    response = client.post(
        UPLOAD_URL,
        {"file": samples.upload(samples.docx(), "don.docx")},
        format="multipart",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 201 and response.json()["content_type"] == detection.DOCX


def test_a_large_file_streams_through_a_temporary_file(
    client_as: Callable[[User], APIClient], specialist_a: User, settings: Any
) -> None:
    # given a file above FILE_UPLOAD_MAX_MEMORY_SIZE (so Django spools it to disk)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    data = samples.pdf() + b"\n" * 300_000 + b"%%EOF\n"

    # when
    response = _post(client_as(specialist_a), samples.upload(data, "lon.pdf"))

    # then it is stored whole
    assert response.status_code == 201, response.content
    stored = StoredFile.objects.get()
    with default_storage.open(stored.storage_name, "rb") as handle:
        assert handle.read() == data


def test_an_upload_stopped_past_the_limit_leaves_no_temporary_file(
    client_as: Callable[[User], APIClient],
    specialist_a: User,
    settings: Any,
    tmp_path: Path,
) -> None:
    # given uploads spooled to disk from the first kilobyte, and a 100 kB limit
    spool = tmp_path / "spool"
    spool.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.TINHSO_UPLOAD_MAX_BYTES = 100_000

    # when a 150 kB file streams in (its body is within the slack, so parsing starts)
    data = samples.pdf() + b" " * 150_000
    response = _post(client_as(specialist_a), samples.upload(data, "lon.pdf"))

    # then the parse stopped and its temporary file is gone
    assert _problem(response, 413)["code"] == "too_large"
    assert list(spool.iterdir()) == []


# --- Metadata and download --------------------------------------------------------------------


def test_the_uploader_reads_the_description(
    client_as: Callable[[User], APIClient], specialist_a: User
) -> None:
    stored = file_store(actor=specialist_a, upload=samples.upload(samples.pdf(), "a.pdf"))
    response = client_as(specialist_a).get(_detail_url(stored))
    assert response.status_code == 200
    assert response.json()["id"] == stored.pk and response.json()["sha256"] == stored.sha256


def test_another_agencys_official_gets_a_404_problem(
    client_as: Callable[[User], APIClient], specialist_a: User, specialist_b: User
) -> None:
    stored = file_store(actor=specialist_a, upload=samples.upload(samples.pdf()))
    for url in (_detail_url(stored), _content_url(stored)):
        _problem(client_as(specialist_b).get(url), 404)


def test_the_download_is_an_attachment_with_the_utf8_name_and_nosniff(
    client_as: Callable[[User], APIClient], specialist_a: User, clerk_a: User
) -> None:
    # given a Vietnamese file name
    name = "Quyết định số 15.pdf"
    stored = file_store(actor=specialist_a, upload=samples.upload(samples.pdf(), name))

    # when a colleague downloads it, asking for a PDF
    response = client_as(clerk_a).get(_content_url(stored), HTTP_ACCEPT="application/pdf")

    # then
    assert response.status_code == 200
    assert response.getvalue() == samples.pdf()
    assert response["Content-Type"] == detection.PDF
    assert response["Content-Length"] == str(len(samples.pdf()))
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"Quyet dinh so 15.pdf\"; filename*=UTF-8''{quote(name)}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"].startswith("private")


def test_the_download_requires_authentication(api_client: APIClient, specialist_a: User) -> None:
    stored = file_store(actor=specialist_a, upload=samples.upload(samples.pdf()))
    _problem(api_client.get(_content_url(stored)), 401)
