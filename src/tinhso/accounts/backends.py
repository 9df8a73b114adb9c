"""The authentication backend of signed-in sessions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends


class ModelBackend(backends.ModelBackend):
    """Django's model backend (password sign-in, `is_active`), whose `get_user` — run on every
    request of a session — keeps the user and their memberships per process while the access
    revision does not move (`tinhso.accounts.authentication.session_user`)."""

    def get_user(self, user_id: Any) -> Any:
        from tinhso.accounts.authentication import session_user

        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        return session_user(pk, super().get_user)
