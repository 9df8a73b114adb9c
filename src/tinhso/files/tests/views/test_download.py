"""GET /files/<id>/: the browser's download, with the same access as the API."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from tinhso.accounts.models import User
from tinhso.files.models import StoredFile
from tinhso.files.services import file_store
from tinhso.files.tests import samples


@pytest.fixture
def stored(specialist_a: User) -> StoredFile:
    return file_store(actor=specialist_a, upload=samples.upload(samples.docx(), "Đơn đề nghị.docx"))


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_colleague_downloads_the_file(clerk_a: User, stored: StoredFile) -> None:
    # when
    response = _client(clerk_a).get(reverse("files:download", args=[stored.pk]))

    # then the original bytes come as an attachment under the uploaded name
    assert response.status_code == 200
    assert response.getvalue() == samples.docx()
    assert response["Content-Type"] == stored.content_type
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"Don de nghi.docx\"; filename*=UTF-8''{quote('Đơn đề nghị.docx')}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_official_of_another_agency_gets_404(specialist_b: User, stored: StoredFile) -> None:
    response = _client(specialist_b).get(reverse("files:download", args=[stored.pk]))
    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, stored: StoredFile) -> None:
    response = client.get(reverse("files:download", args=[stored.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_only_get_is_answered(clerk_a: User, stored: StoredFile) -> None:
    response = _client(clerk_a).post(reverse("files:download", args=[stored.pk]))
    assert response.status_code == 405
