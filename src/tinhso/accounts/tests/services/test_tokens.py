from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from tinhso.accounts.models import ApiToken, Role, User
from tinhso.accounts.services import api_token_issue, api_token_revoke
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency
from tinhso.testing.factories import official


@override_settings(API_TOKEN_TTL_HOURS=3)
def test_issue_stores_only_the_hash_and_expires_after_the_ttl(agency_a: Agency) -> None:
    # given an official and a moment
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    now = timezone.now()

    # when a token is issued
    token, key = api_token_issue(actor=user, now=now)

    # then the key itself is nowhere in the database, its SHA-256 is
    row = ApiToken.objects.get(pk=token.pk)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in (row.key_hash, row.prefix) and key.startswith(row.prefix)
    assert row.expires_at == now + dt.timedelta(hours=3)
    event = AuditEvent.objects.get(action="accounts.api_token_issue")
    assert key not in str(event.changes)


def test_a_locked_account_gets_no_token(agency_a: Agency) -> None:
    user = official(Role.CHUYEN_VIEN, agency=agency_a, is_active=False)
    with pytest.raises(PermissionDenied):
        api_token_issue(actor=user)
    assert not ApiToken.objects.exists()


def test_revoke_once_audits_once(agency_a: Agency) -> None:
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    token, _key = api_token_issue(actor=user)
    api_token_revoke(actor=user, token=token)
    api_token_revoke(actor=user, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.is_live()
    assert AuditEvent.objects.filter(action="accounts.api_token_revoke").count() == 1


def test_only_the_owner_revokes(agency_a: Agency, admin_a: User) -> None:
    user = official(Role.CHUYEN_VIEN, agency=agency_a)
    token, _key = api_token_issue(actor=user)
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=admin_a, token=token)
