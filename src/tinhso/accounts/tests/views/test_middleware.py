"""TwoFactorRequiredMiddleware: administrators pass the second factor before anything else."""

from __future__ import annotations

import pytest
from django.test import Client

from tinhso.accounts.models import Role, User
from tinhso.accounts.tests.helpers import code_for, confirmed_totp, sign_in
from tinhso.organizations.models import Agency
from tinhso.testing.factories import TEST_PASSWORD, make_user, official


def test_an_unverified_administrator_is_sent_to_the_second_factor(
    client: Client, admin_a: User
) -> None:
    # given an administrator signed in by password only
    client.force_login(admin_a)

    # when they open an administration page (with a query string)
    response = client.get("/accounts/officials/?q=an")

    # then they are sent to the second factor, which will bring them back
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2Faccounts%2Fofficials%2F%3Fq%3Dan"


def test_a_verified_administrator_passes(client: Client, admin_a: User) -> None:
    sign_in(client, admin_a)
    assert client.get("/accounts/officials/").status_code == 200


@pytest.mark.parametrize("path", ["/accounts/two-factor/", "/healthz", "/static/x.css"])
def test_the_way_to_the_second_factor_stays_open(client: Client, admin_a: User, path: str) -> None:
    client.force_login(admin_a)
    response = client.get(path)
    assert not (response.status_code == 302 and "/two-factor/" in response.get("Location", ""))


def test_signing_out_stays_open(client: Client, admin_a: User) -> None:
    client.force_login(admin_a)
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_other_officials_are_not_asked(client: Client, agency_a: Agency) -> None:
    client.force_login(official(Role.VAN_THU, agency=agency_a))
    assert client.get("/").status_code == 200


def test_an_account_flagged_otp_required_is_asked(client: Client, agency_a: Agency) -> None:
    client.force_login(official(Role.VAN_THU, agency=agency_a, otp_required=True))
    assert client.get("/")["Location"] == "/accounts/two-factor/?next=%2F"


def test_the_api_with_an_unverified_session_answers_problem_json(
    client: Client, admin_a: User
) -> None:
    # given an administrator's password-only session
    client.force_login(admin_a)

    # when it is used on the API
    response = client.get("/api/v1/me/")

    # then 403 problem+json, not a redirect to a page
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "two_factor_required"


def test_a_superuser_is_asked(client: Client, db: None) -> None:
    client.force_login(make_user(username="root", is_superuser=True))
    assert client.get("/")["Location"] == "/accounts/two-factor/?next=%2F"


def test_whoever_enrolled_voluntarily_is_asked_after_signing_in(
    client: Client, agency_a: Agency
) -> None:
    # given a clerk who enrolled an app on their own
    clerk = official(Role.VAN_THU, agency=agency_a, username="vanthu")
    device = confirmed_totp(clerk)

    # when they sign in with the password
    response = client.post("/accounts/login/", {"username": "vanthu", "password": TEST_PASSWORD})

    # then the second factor comes next, and other pages wait for it
    assert response["Location"] == "/accounts/two-factor/?next=%2F"
    assert client.get("/")["Location"] == "/accounts/two-factor/?next=%2F"
    client.post("/accounts/two-factor/", {"otp_token": code_for(device)})
    assert client.get("/").status_code == 200
