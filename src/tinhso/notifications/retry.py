"""When to try a failed delivery again: pure arithmetic over the attempts made, no clock."""

from __future__ import annotations

import datetime as dt
from typing import Final

#: The waits after the 1st, 2nd, … failed attempt; the last one repeats if more are allowed.
BACKOFF: Final[tuple[dt.timedelta, ...]] = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
#: Six attempts: the first, then one after each wait of BACKOFF (about 14 h 36 min in all).
DEFAULT_MAX_ATTEMPTS: Final = 6
#: A row "sending" for longer than this was left by a worker that died: far beyond the SMTP
#: timeout, so that a slow but live worker is never overtaken.
STUCK_AFTER: Final = dt.timedelta(minutes=10)


def next_attempt_at(*, attempts: int, max_attempts: int, now: dt.datetime) -> dt.datetime | None:
    """The time of the next attempt once `attempts` attempts have failed, or None: give up."""
    if attempts < 1:
        raise ValueError("next_attempt_at is asked after at least one failed attempt")
    if attempts >= max(max_attempts, 1):
        return None
    return now + BACKOFF[min(attempts, len(BACKOFF)) - 1]
