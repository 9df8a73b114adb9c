"""`BearerApiFastPathMiddleware`: a bearer call to /api/v1/ reaches its view without the
browser's middleware, with the same answer and headers; everything else keeps the full chain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client

from tinhso.accounts.api.views import MeView
from tinhso.accounts.models import Role
from tinhso.accounts.services import api_token_issue
from tinhso.api.fastpath import is_bearer
from tinhso.testing.factories import official

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


@pytest.fixture
def sessions_opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths SessionMiddleware ran for (it runs for every request of the full chain)."""
    seen: list[str] = []
    original = SessionMiddleware.process_request

    def spy(self: SessionMiddleware, request: Any) -> None:
        seen.append(request.path)
        original(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", spy)
    yield seen


def bearer() -> str:
    user = official(Role.CHUYEN_VIEN, username="tichhop")
    _token, key = api_token_issue(actor=user)
    return f"Bearer {key}"


def test_a_bearer_call_skips_the_browser_middleware_and_keeps_its_headers(
    sessions_opened: list[str],
) -> None:
    # when
    response = Client().get(ME, HTTP_AUTHORIZATION=bearer(), HTTP_X_REQUEST_ID="req-fast-0001")
    # then: the token's account, and the headers of the kept middleware
    assert response.status_code == 200
    assert response.json()["username"] == "tichhop"
    assert sessions_opened == []
    assert response["X-Request-ID"] == "req-fast-0001"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Content-Language"] == "vi"
    assert int(response["Content-Length"]) == len(response.content)
    assert "Set-Cookie" not in response and not response.cookies


def test_a_bad_token_is_refused_in_the_callers_language(sessions_opened: list[str]) -> None:
    response = Client().get(ME, HTTP_AUTHORIZATION="Bearer not-a-token", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["detail"] == (
        "The access token is invalid, has expired or has been revoked."
    )
    assert response["Content-Language"] == "en"
    assert sessions_opened == []


def test_calls_without_a_token_and_the_sign_in_endpoints_keep_the_full_chain(
    sessions_opened: list[str],
) -> None:
    token = bearer()
    client = Client()
    # a browser's call (no token): the session is read, and nobody is signed in
    assert client.get(ME).status_code in (401, 403)
    # the token endpoint, even with a token in the header (django-axes watches sign-in)
    client.post(
        "/api/v1/auth/token/",
        {"username": "tichhop", "password": "sai"},
        content_type="application/json",
        HTTP_AUTHORIZATION=token,
    )
    # a path that does not resolve: CommonMiddleware's APPEND_SLASH redirect
    redirect = client.get(ME.rstrip("/"), HTTP_AUTHORIZATION=token)
    assert (redirect.status_code, redirect["Location"]) == (301, ME)
    assert sessions_opened == [ME, "/api/v1/auth/token/", ME.rstrip("/")]


def test_an_error_in_the_view_is_logged_and_signalled_as_django_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = bearer()

    def broken(self: MeView, request: Any) -> None:
        raise RuntimeError("hỏng")

    monkeypatch.setattr(MeView, "get", broken)
    # the test client re-raises what Django signals (got_request_exception)
    with pytest.raises(RuntimeError, match="hỏng"):
        Client().get(ME, HTTP_AUTHORIZATION=token)
    # and the caller gets the server error page's status
    answer = Client(raise_request_exception=False).get(ME, HTTP_AUTHORIZATION=token)
    assert answer.status_code == 500


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Bearer abc", True),
        ("bearer abc", True),
        ("  Bearer   abc ", True),
        ("Bearer", False),
        ("Bearer ", False),
        ("Basic dXNlcjpwYXNz", False),
        ("", False),
    ],
)
def test_what_counts_as_a_bearer_token(header: str, expected: bool) -> None:
    assert is_bearer(header) is expected
