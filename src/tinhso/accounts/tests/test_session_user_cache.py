"""What a process keeps of a signed-in session's user (`accounts.backends.ModelBackend`): no
query for the user and their memberships on a busy session, and every change that matters —
deactivation, a new password, a membership ended — still takes effect: at once when this process
made it, within the re-check interval when another process did."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tinhso.accounts.models import Membership, Role, User
from tinhso.accounts.services.officials import user_deactivate
from tinhso.organizations.models import Agency
from tinhso.testing.factories import official
from tinhso.testing.fixtures import MonotonicClock as Clock

DOSSIERS = "/api/v1/dossiers/"  # officials only: the permission reads the caller's Actor
BACKEND = "tinhso.accounts.backends.ModelBackend"


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def _reads(client: Client, url: str = DOSSIERS) -> tuple[int, list[str]]:
    """The response status and the statements that read the user or their memberships."""
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url).status_code
    return status, [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "accounts_user"' in q["sql"] or 'FROM "accounts_membership"' in q["sql"]
    ]


def test_sessions_sign_in_through_the_keeping_backend(settings: Any) -> None:
    assert BACKEND in settings.AUTHENTICATION_BACKENDS
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS


def test_a_busy_session_reads_its_user_once(clock: Clock, agency_a: Agency) -> None:
    # given a session used once
    client = _signed_in(official(Role.CHUYEN_VIEN, agency=agency_a))
    first = _reads(client)

    # when it is used again within the interval, and after it
    again = _reads(client)
    clock.now += 5.1
    later = _reads(client)

    # then the first request read the user and the memberships, the others neither
    assert first[0] == 200
    assert any("accounts_user" in sql for sql in first[1])
    assert any("accounts_membership" in sql for sql in first[1])
    assert again == (200, [])
    assert later == (200, [])


def test_without_an_interval_every_request_reads_the_user(settings: Any, agency_a: Agency) -> None:
    settings.TINHSO_API_TOKEN_RECHECK_SECONDS = 0
    client = _signed_in(official(Role.CHUYEN_VIEN, agency=agency_a))
    assert _reads(client)[1]
    assert _reads(client)[1]


@pytest.mark.parametrize(
    ("write", "status"),
    [
        pytest.param(
            lambda u: User.objects.filter(pk=u.pk).update(is_active=False), 401, id="deactivated"
        ),
        pytest.param(
            lambda u: Membership.objects.filter(user_id=u.pk).update(is_active=False),
            403,
            id="membership-ended",
        ),
        pytest.param(
            lambda u: User.objects.filter(pk=u.pk).update(password="pbkdf2_sha256$1$x$y"),
            401,
            id="new-password",
        ),
    ],
)
def test_a_change_made_elsewhere_takes_effect_after_the_interval(
    clock: Clock, agency_a: Agency, write: Any, status: int
) -> None:
    # given a session in use
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    client = _signed_in(user)
    assert client.get(DOSSIERS).status_code == 200

    # when another process changes the account (no save signal reaches this one: a queryset
    # update), the triggers move the access revision
    write(user)

    # then within the interval the kept user still serves, after it the change holds
    assert client.get(DOSSIERS).status_code == 200
    clock.now += 5.1
    assert client.get(DOSSIERS).status_code == status


def test_a_change_made_in_this_process_takes_effect_at_once(clock: Clock, agency_a: Agency) -> None:
    admin = official(Role.QUAN_TRI_TINH, agency=agency_a)
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    client = _signed_in(user)
    assert client.get(DOSSIERS).status_code == 200

    user_deactivate(actor=admin, user=user)

    assert client.get(DOSSIERS).status_code == 401


def test_each_request_gets_its_own_user_object(clock: Clock, agency_a: Agency) -> None:
    from tinhso.accounts.backends import ModelBackend

    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    first = ModelBackend().get_user(user.pk)
    first.annotated = "x"
    second = ModelBackend().get_user(str(user.pk))

    assert first is not second and first.pk == second.pk == user.pk
    assert not hasattr(second, "annotated")
    assert second._tinhso_actor.user_id == user.pk
    assert ModelBackend().get_user("not-a-number") is None
