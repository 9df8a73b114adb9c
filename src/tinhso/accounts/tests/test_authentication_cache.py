"""What a process keeps of a bearer token (`authentication.TINHSO_API_TOKEN_RECHECK_SECONDS`):
no query for a busy token, and every way a token stops working still stops it — at once when
this process made the change, within the re-check interval when another process did."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient, APIRequestFactory

from tinhso.accounts import authentication
from tinhso.accounts.models import AccessRevision, ApiToken, Membership, Role, User
from tinhso.accounts.services import api_token_issue, api_token_revoke, membership_end
from tinhso.accounts.services.officials import user_deactivate
from tinhso.organizations.models import Agency
from tinhso.testing.factories import official
from tinhso.testing.fixtures import MonotonicClock as Clock

ME = "/api/v1/me/"
DOSSIERS = "/api/v1/dossiers/"  # officials only: the permission reads the caller's Actor
REFUSED = "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi."


def _client(user: User) -> tuple[APIClient, ApiToken]:
    token, key = api_token_issue(actor=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client, token


def _token_queries(client: APIClient, url: str = ME) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url).status_code
    return status, [
        q["sql"]
        for q in captured.captured_queries
        if "accounts_apitoken" in q["sql"] or "accounts_membership" in q["sql"]
    ]


def test_a_kept_token_is_not_read_again_within_the_interval(clock: Clock, agency_a: Agency) -> None:
    # given a token used once
    client, _token = _client(official(Role.CHUYEN_VIEN, agency=agency_a))
    assert client.get(ME).status_code == 200

    # when it is used again within the interval, and after it
    again = _token_queries(client, DOSSIERS)
    clock.now += 5.1
    later = _token_queries(client, DOSSIERS)

    # then neither read the token nor the memberships: after the interval only the access
    # revision was read again, and nothing had changed
    assert again == (200, [])
    assert later == (200, [])


def test_a_kept_token_is_read_again_after_a_change_elsewhere(
    clock: Clock, agency_a: Agency
) -> None:
    # given a token in use
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    client, _token = _client(user)
    assert client.get(ME).status_code == 200

    # when another process changes the account (no save signal reaches this one)
    User.objects.filter(pk=user.pk).update(first_name="Đổi")
    clock.now += 5.1
    later = _token_queries(client, DOSSIERS)

    # then the token and memberships are read again
    assert later[0] == 200
    assert any("accounts_apitoken" in sql for sql in later[1])
    assert any("accounts_membership" in sql for sql in later[1])


def _revision() -> int:
    return int(AccessRevision.objects.get_or_create(pk=1)[0].revision)


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda t: ApiToken.objects.filter(pk=t.pk).update(revoked_at=timezone.now()),
            id="token-revoked",
        ),
        pytest.param(
            lambda t: User.objects.filter(pk=t.user_id).update(is_active=False), id="user"
        ),
        pytest.param(
            lambda t: Membership.objects.filter(user_id=t.user_id).delete(), id="membership"
        ),
    ],
)
def test_every_write_that_decides_a_token_moves_the_revision(agency_a: Agency, write: Any) -> None:
    _, token = _client(official(Role.CHUYEN_VIEN, agency=agency_a))
    before = _revision()
    write(token)
    assert _revision() > before


def test_the_last_use_bookkeeping_leaves_the_revision(agency_a: Agency) -> None:
    _, token = _client(official(Role.CHUYEN_VIEN, agency=agency_a))
    before = _revision()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    assert _revision() == before


def test_each_request_gets_its_own_user_object(clock: Clock, agency_a: Agency) -> None:
    # given a kept token
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    token, key = api_token_issue(actor=user)
    request: Any = APIRequestFactory().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}")

    # when it authenticates twice
    first = authentication.BearerTokenAuthentication().authenticate(request)
    second = authentication.BearerTokenAuthentication().authenticate(request)

    # then the users are equal but distinct objects, each with the kept Actor
    assert first is not None and second is not None
    (first_user, first_token), (second_user, _second_token) = first, second
    assert first_user == second_user == user and first_user is not second_user
    assert first_user._tinhso_actor is second_user._tinhso_actor
    assert first_user._tinhso_actor.agency_ids == {agency_a.pk}
    assert first_token.pk == token.pk


def test_a_revocation_in_this_process_takes_effect_at_once(clock: Clock, agency_a: Agency) -> None:
    # given a kept token
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    client, token = _client(user)
    assert client.get(ME).status_code == 200

    # when its owner revokes it (the service saves the row)
    api_token_revoke(actor=user, token=token)

    # then the very next request is refused
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["detail"] == REFUSED


def test_a_revocation_by_another_process_takes_effect_within_the_interval(
    clock: Clock, agency_a: Agency
) -> None:
    # given a kept token
    client, token = _client(official(Role.CHUYEN_VIEN, agency=agency_a))
    assert client.get(ME).status_code == 200

    # when another process revokes it (no save signal reaches this one)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    # then this process still accepts it until the interval has passed, and refuses it after
    clock.now += 4.9
    assert client.get(ME).status_code == 200
    clock.now += 0.2
    assert client.get(ME).status_code == 401


def test_an_expired_token_is_refused_even_when_kept(
    clock: Clock, agency_a: Agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a kept token
    client, token = _client(official(Role.CHUYEN_VIEN, agency=agency_a))
    assert client.get(ME).status_code == 200

    # when its expiry passes within the interval
    later = token.expires_at + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    # then it is refused at once
    assert client.get(ME).status_code == 401


def test_a_deactivated_account_is_refused_at_once(
    clock: Clock, agency_a: Agency, admin_a: User
) -> None:
    # given a kept token
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    client, _token = _client(user)
    assert client.get(ME).status_code == 200

    # when an administrator locks the account (the user row is saved, tokens revoked in bulk)
    user_deactivate(actor=admin_a, user=user)

    # then the token is refused at once
    assert client.get(ME).status_code == 401


def test_an_ended_membership_is_seen_at_once(clock: Clock, agency_a: Agency, admin_a: User) -> None:
    # given an official whose kept token reaches the officials' API
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    client, _token = _client(user)
    assert client.get(DOSSIERS).status_code == 200

    # when the only post ends
    membership_end(actor=admin_a, membership=Membership.objects.get(user=user))

    # then the officials' API refuses them at once (the kept Actor was dropped)
    assert client.get(DOSSIERS).status_code == 403


def test_the_test_settings_keep_nothing(agency_a: Agency) -> None:
    # given the test settings (no TINHSO_API_TOKEN_RECHECK_SECONDS: 0 under TINHSO_ENV=test)
    authentication.api_token_cache_clear()
    client, _token = _client(official(Role.CHUYEN_VIEN, agency=agency_a))
    assert authentication.recheck_seconds() == 0
    assert client.get(ME).status_code == 200

    # when / then: every request reads the token
    status, queries = _token_queries(client)
    assert status == 200
    assert any("accounts_apitoken" in sql for sql in queries)
    assert authentication._kept == {}
