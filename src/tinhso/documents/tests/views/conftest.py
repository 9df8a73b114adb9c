"""The e-office pages' test world: the demo Sở Nội vụ (`eoffice`), a signed-in client per
demo account, and the documents each page shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tinhso.accounts.models import User
from tinhso.testing.onestop import MINIMAL_PDF

Login = Callable[[str | None], Client]


@pytest.fixture
def login(demo_province: Any) -> Login:
    """`login("vanthu")`: a client signed in as that demo account; `login(None)`: anonymous."""

    def _login(username: str | None) -> Client:
        client = Client()
        if username is not None:
            client.force_login(User.objects.get(username=username))
        return client

    return _login


def pdf(name: str = "van-ban.pdf", content: bytes = MINIMAL_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def page_text(response: Any) -> str:
    """The page's text with runs of whitespace collapsed (the templates wrap long lines)."""
    return " ".join(response.content.decode().split())
