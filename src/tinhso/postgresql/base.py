"""Django's PostgreSQL backend, with a health check that does not cost a round trip.

With `CONN_HEALTH_CHECKS` (production's setting: connections are kept for `CONN_MAX_AGE`),
Django checks a kept connection at the start of each request by sending `SELECT 1`: one round
trip and one statement for the server on every request, about a tenth of a small API call's
time on the benchmark machine. An idle connection has nothing to read, though: when the server
has closed it (a restart, `pg_terminate_backend`, an idle timeout) its socket becomes readable
with the goodbye message and the end of the stream. So the check asks the operating system
first, without waiting, and sends `SELECT 1` only when there is something to read (which may
also be a harmless notice) or when psycopg already knows the connection is broken.

A connection lost without the server saying so (a cable pulled) looks alive here, as it does
to `SELECT 1` until the TCP timeout; the first query then fails and Django drops the
connection at the end of that request, as it does today.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        raw = self.connection
        if raw is None or raw.closed or raw.broken:
            return False
        try:
            readable, _, _ = select.select([raw.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        if readable:
            return bool(super().is_usable())
        return True
