"""A small fixed-window rate limit per client address, on the shared cache.

Used by the public endpoints (dossier tracking): enough to stop a script from walking the
code space, never a substitute for access control. With Redis configured the count is shared
by every process; on the embedded locmem cache it is per process.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from tinhso import requestcontext


def client_address(request: HttpRequest) -> str:
    ctx = requestcontext.current()
    if ctx is not None and ctx.ip_address:
        return ctx.ip_address
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def hit(scope: str, request: HttpRequest, *, limit: int, window: int = 60) -> tuple[bool, int]:
    """Count one request of this client in `scope`; returns (allowed, seconds until reset)."""
    now = int(time.time())
    bucket = now // window
    key = f"rl:{scope}:{client_address(request)}:{bucket}"
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 1)
            count = 1
    return count <= limit, window - (now % window)
