"""API bearer tokens: issue (shown once, stored as SHA-256) and revoke."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import ApiToken, User
from tinhso.accounts.tokens import TOKEN_PREFIX_LENGTH, hash_token_key, new_token_key
from tinhso.audit.services import audit_record

#: The audited prefix identifies a token in the logs without revealing it ("ts_" + 5 chars).
_PREFIX = TOKEN_PREFIX_LENGTH


def api_token_issue(*, actor: User, now: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for the actor, valid `API_TOKEN_TTL_HOURS`; returns the row and the key.

    The key is returned once and never stored: only its SHA-256 is.
    """
    if not actor.is_active:
        raise PermissionDenied(_("Tài khoản đã bị khóa."))
    moment = now or timezone.now()
    key = new_token_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            key_hash=hash_token_key(key),
            prefix=key[:_PREFIX],
            created_at=moment,
            expires_at=moment + dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        )
        audit_record(
            actor=actor,
            action="accounts.api_token_issue",
            obj=token,
            changes={"prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
        )
    return token, key


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token of the actor's own; revoking twice is harmless (no second audit row)."""
    if token.user_id != actor.pk:
        raise PermissionDenied(_("Bạn chỉ thu hồi được mã truy cập của chính mình."))
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="accounts.api_token_revoke",
            obj=locked,
            changes={"revoked_at": [None, locked.revoked_at.isoformat()]},
        )
    return locked
