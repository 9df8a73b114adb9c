"""A revision row that tells a process whether what it keeps is still current.

Some tables carry a single-row revision that database triggers move on every write to the
tables it watches (`procedures.CatalogueRevision`, `accounts.AccessRevision`). A process keeps
what it read from those tables with the revision it saw, re-reads the revision at most once per
interval, and reads the rest again only when the revision moved. Without the row (a test's flush
empties tables) it falls back to keeping things for the interval.
"""

from __future__ import annotations

import threading

from tinhso.rowwrite import execute_prepared


class RevisionWatch:
    """The revision in the one row `sql` selects, re-read once the last reading is old."""

    def __init__(self, sql: str) -> None:
        self._sql = sql
        self._last: tuple[int | None, float] | None = None  # (revision, when read)
        self._lock = threading.Lock()

    def current(self, interval: float, now: float) -> int | None:
        """The revision (None without the row), read again when the last reading is
        `interval` seconds old at `now` (a monotonic time)."""
        last = self._last
        if last is not None and now - last[1] < interval:
            return last[0]
        rows = execute_prepared(self._sql, [])
        revision = rows[0][0] if rows else None
        with self._lock:
            self._last = (revision, now)
        return revision

    def forget(self) -> None:
        """Read the revision again at the next `current()`."""
        with self._lock:
            self._last = None


def still_current(
    kept_revision: int | None, kept_at: float, revision: int | None, now: float, interval: float
) -> bool:
    """Whether something kept under `kept_revision` at `kept_at` may be used at `now`: the
    revision has not moved, or, without a revision row, the interval has not passed."""
    if revision is not None:
        return kept_revision == revision
    return now - kept_at < interval
