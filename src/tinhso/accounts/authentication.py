"""DRF authentication by `Authorization: Bearer <token>`.

An integration calls many times a second with the same token (the counter software of the
one-stop shop): each process keeps what it read about a token — the token row, its user and
the user's `Actor` (memberships) — while the access revision (`AccessRevision`, moved by
database triggers on every write to tokens, users and memberships) stays the same, so that a
busy token costs no query. A process re-reads that one row at most once per
`TINHSO_API_TOKEN_RECHECK_SECONDS` (2 s by default, 0 — nothing kept — in tests). The expiry is
checked on every request. A revocation, a deactivated or changed account and a changed
membership take effect within that interval in every process, whoever wrote them; the process
that saves them also drops what it kept at once.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from tinhso.accounts.access import Actor, actor_for
from tinhso.accounts.models import ApiToken, Membership, User
from tinhso.accounts.tokens import hash_token_key
from tinhso.revision import RevisionWatch, still_current

#: `last_used_at` is bookkeeping for administrators (which tokens are stale), not business
#: state: refreshed at most this often, without an audit row, to spare a write per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)

#: Beyond this many tokens the process forgets them all (a few hundred integrations at most).
_MAX_KEPT = 10_000


def recheck_seconds() -> float:
    """How long a process trusts a token it has read (0: read it on every request)."""
    return float(
        getattr(settings, "TINHSO_API_TOKEN_RECHECK_SECONDS", 0.0 if settings.IS_TEST else 2.0)
    )


@dataclass(frozen=True, slots=True)
class _Kept:
    token: ApiToken  # with its user
    actor: Actor
    read_at: float  # _monotonic()
    revision: int | None  # the access revision when read


_kept: dict[str, _Kept] = {}
_lock = threading.Lock()
#: Bumped by every forget: a read that started before it must not be kept after it.
_generation = 0
_monotonic = time.monotonic  # replaced in tests to move the clock
_revision = RevisionWatch('SELECT "revision" FROM "accounts_accessrevision" WHERE "id" = 1')


def api_token_cache_clear() -> None:
    """Forget every token and session user this process has read (on saves of tokens, users,
    memberships)."""
    global _generation
    with _lock:
        _generation += 1
        _kept.clear()
        _users.clear()
    _revision.forget()


def _forget(**_: Any) -> None:
    api_token_cache_clear()


for _model in (ApiToken, User, Membership):
    post_save.connect(_forget, sender=_model, dispatch_uid=f"api-token-{_model}")
    post_delete.connect(_forget, sender=_model, dispatch_uid=f"api-token-{_model}-d")


def _read(
    key_hash: str, *, keep: bool, revision: int | None = None
) -> tuple[ApiToken | None, Actor | None]:
    """The token from the database; with `keep`, also its user's Actor, and both are kept
    while the access revision stays `revision`."""
    with _lock:
        generation = _generation
    now = _monotonic()
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
    if token is None or not keep:
        return token, None  # unknown keys are not kept: a token issued now works at once
    actor = actor_for(token.user)
    with _lock:
        if generation == _generation:
            if len(_kept) >= _MAX_KEPT:
                _kept.clear()
            _kept[key_hash] = _Kept(token, actor, now, revision)
    return token, actor


def _lookup(key_hash: str) -> tuple[ApiToken | None, Actor | None]:
    interval = recheck_seconds()
    if interval <= 0:
        return _read(key_hash, keep=False)
    now = _monotonic()
    revision = _revision.current(interval, now)
    kept = _kept.get(key_hash)
    if kept is not None and still_current(kept.revision, kept.read_at, revision, now, interval):
        return kept.token, kept.actor
    return _read(key_hash, keep=True, revision=revision)


# --- Signed-in sessions ---------------------------------------------------------------------
# A browser's every request reads its user (Django's `get_user`) and memberships (`actor_for`):
# two queries for what changes a few times a year. A process keeps both per user under the same
# access revision and interval as the tokens (`accounts.backends.ModelBackend`).


@dataclass(frozen=True, slots=True)
class _KeptUser:
    user: User
    actor: Actor
    read_at: float
    revision: int | None


_users: dict[int, _KeptUser] = {}


def session_user(user_id: int, read: Any) -> User | None:
    """The active user `user_id` with its Actor, as `read(user_id)` (the model backend's
    `get_user`) gives it; kept per process while the access revision stays the same.

    Each call gets its own copy (views may annotate it). An inactive or unknown user is never
    kept: `read` answers None for them every time.
    """
    interval = recheck_seconds()
    if interval <= 0:
        return read(user_id)  # type: ignore[no-any-return]
    now = _monotonic()
    revision = _revision.current(interval, now)
    kept = _users.get(user_id)
    if kept is None or not still_current(kept.revision, kept.read_at, revision, now, interval):
        with _lock:
            generation = _generation
        user = read(user_id)
        if user is None:
            return None
        kept = _KeptUser(user, actor_for(user), now, revision)
        with _lock:
            if generation == _generation:
                if len(_users) >= _MAX_KEPT:
                    _users.clear()
                _users[user_id] = kept
    user = copy.copy(kept.user)
    user._tinhso_actor = kept.actor  # type: ignore[attr-defined]
    return user


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Tiêu đề Authorization không hợp lệ."))
        token, actor = _lookup(hash_token_key(parts[1]))
        now = timezone.now()
        if token is None or not token.is_live(now) or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")
            )
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        if actor is None:
            return token.user, token
        # A kept token serves many requests at once: each gets its own user object (views may
        # annotate it), holding the Actor that `actor_for` would otherwise read again.
        user = copy.copy(token.user)
        user._tinhso_actor = actor  # type: ignore[attr-defined]
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
