"""The database triggers that keep `audit_auditevent` append-only (migration 0002).

Only two callers may suspend them: the test suite's database flush (see the `flush` command
of this app) and tests that tamper with the trail on purpose to prove that verification
notices. Production code never does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE: Final = "audit_auditevent"

#: The same statements as migration 0002 (kept there too: migrations are frozen history).
SQLITE_TRIGGERS: Final = {
    "audit_auditevent_no_update": (
        "CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent "
        "BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only (UPDATE refused)'); END;"
    ),
    "audit_auditevent_no_delete": (
        "CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent "
        "BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only (DELETE refused)'); END;"
    ),
}
POSTGRESQL_TRIGGERS: Final = frozenset(
    {"audit_auditevent_no_update", "audit_auditevent_no_truncate"}
)


def installed_triggers(connection: BaseDatabaseWrapper) -> dict[str, bool]:
    """The append-only triggers present on the table, each with whether it is enabled."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgenabled <> 'D' FROM pg_trigger "
                "WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [TABLE],
            )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, 1 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
        else:  # pragma: no cover - only the two supported databases
            return {}
        return {name: bool(enabled) for name, enabled in cursor.fetchall()}


def suspend(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE is refused while deferred foreign-key checks of rows written in the
            # same transaction are pending: run those checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def restore(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            for name, create in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(create)


@contextmanager
def append_only_suspended(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Lift the triggers for the duration of the block (tests and the test flush only)."""
    suspend(connection)
    try:
        yield
    finally:
        restore(connection)
