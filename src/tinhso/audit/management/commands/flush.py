"""Django's `flush`, able to empty the audit trail in the test environment only.

The test runner empties the database after every transactional test (pytest-django's
`transactional_db`, `live_server`) by calling `flush`, which TRUNCATEs (PostgreSQL) or
DELETEs (SQLite) every table. The append-only triggers rightly refuse that, so in the test
environment this command lifts them for the flush and puts them back after. Anywhere else it is
Django's own command, and the triggers refuse to empty the trail, as they should.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands import flush
from django.db import connections

from tinhso.audit.protection import append_only_suspended


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        if not getattr(settings, "IS_TEST", False):
            super().handle(**options)
            return
        with append_only_suspended(connections[options["database"]]):
            super().handle(**options)
