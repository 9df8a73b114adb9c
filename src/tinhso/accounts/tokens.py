"""Bearer tokens for integrations: random, shown once, stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX_LENGTH = 8


def new_token_key() -> str:
    return "ts_" + secrets.token_urlsafe(32)


def hash_token_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
