"""django-axes locks a username (from one address) after repeated failures, for pages and API."""

from __future__ import annotations

import datetime as dt
import re

from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tinhso.accounts.models import Role
from tinhso.organizations.models import Agency
from tinhso.testing.factories import TEST_PASSWORD, official

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


def _fail(client: Client, times: int) -> list[int]:
    return [
        client.post(LOGIN, {"username": "an.nv", "password": "sai"}).status_code
        for _ in range(times)
    ]


def test_the_fifth_failure_locks_and_the_page_says_when_to_retry(
    client: Client, agency_a: Agency
) -> None:
    # given an official
    official(Role.CHUYEN_VIEN, agency=agency_a, username="an.nv")
    assert settings.AXES_FAILURE_LIMIT == 5

    # when the password is wrong five times
    statuses = _fail(client, 5)

    # then the fifth answer is the lockout page, in Vietnamese, with the time to retry
    assert statuses == [200, 200, 200, 200, 429]
    response = client.post(LOGIN, {"username": "an.nv", "password": "sai"})
    html = response.content.decode()
    assert response.status_code == 429
    assert "Tài khoản tạm thời bị khóa" in html
    assert "đăng nhập sai 5 lần liên tiếp" in html
    assert re.search(r"Vui lòng thử lại sau 15 phút \(từ \d\d:\d\d\)", html)
    assert int(response["Retry-After"]) > 14 * 60
    assert 'id="sidebar"' not in html


def test_while_locked_even_the_right_password_is_refused(client: Client, agency_a: Agency) -> None:
    official(Role.CHUYEN_VIEN, agency=agency_a, username="an.nv")
    _fail(client, 5)
    response = client.post(LOGIN, {"username": "an.nv", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_after_the_cool_off_signing_in_works_again(client: Client, agency_a: Agency) -> None:
    # given a lock that began sixteen minutes ago
    official(Role.CHUYEN_VIEN, agency=agency_a, username="an.nv")
    _fail(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))

    # when
    response = client.post(LOGIN, {"username": "an.nv", "password": TEST_PASSWORD})

    # then
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_success_resets_the_count(client: Client, agency_a: Agency) -> None:
    official(Role.CHUYEN_VIEN, agency=agency_a, username="an.nv")
    _fail(client, 4)
    client.post(LOGIN, {"username": "an.nv", "password": TEST_PASSWORD})
    client.logout()
    assert _fail(client, 4) == [200, 200, 200, 200]


def test_the_api_token_endpoint_counts_and_answers_problem_json(
    api_client: APIClient, agency_a: Agency
) -> None:
    # given an official
    official(Role.CHUYEN_VIEN, agency=agency_a, username="an.nv")

    # when the API is given a wrong password five times
    statuses = [
        api_client.post(TOKEN, {"username": "an.nv", "password": "sai"}, format="json").status_code
        for _ in range(5)
    ]

    # then the fifth is refused as locked, in problem+json, in Vietnamese
    assert statuses == [401, 401, 401, 401, 429]
    response = api_client.post(
        TOKEN, {"username": "an.nv", "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "locked_out" and body["status"] == 429
    assert body["detail"] == (
        "Tài khoản tạm bị khóa vì đăng nhập sai 5 lần liên tiếp. Vui lòng thử lại sau 15 phút."
    )
    assert int(response["Retry-After"]) > 14 * 60


def test_failures_on_the_api_and_the_page_add_up(
    client: Client, api_client: APIClient, agency_a: Agency
) -> None:
    official(Role.CHUYEN_VIEN, agency=agency_a, username="an.nv")
    _fail(client, 3)
    for _ in range(2):
        api_client.post(TOKEN, {"username": "an.nv", "password": "sai"}, format="json")
    assert client.post(LOGIN, {"username": "an.nv", "password": TEST_PASSWORD}).status_code == 429
