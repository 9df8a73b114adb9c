"""Audit rows are append-only: the model, the query set and the database all refuse changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from tinhso.audit.models import AuditEvent, AuditTamperingError
from tinhso.audit.protection import POSTGRESQL_TRIGGERS, SQLITE_TRIGGERS, installed_triggers
from tinhso.audit.tests.factories import record

pytestmark = pytest.mark.django_db


def test_saving_a_stored_row_again_is_refused() -> None:
    event = record()
    event.object_repr = "Đã sửa"
    with pytest.raises(AuditTamperingError):
        event.save()


def test_deleting_a_row_is_refused() -> None:
    event = record()
    with pytest.raises(AuditTamperingError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "operation",
    [
        lambda rows: rows.update(object_repr="Đã sửa"),
        lambda rows: rows.delete(),
        lambda rows: rows.bulk_update(list(rows), ["object_repr"]),
        lambda rows: AuditEvent._base_manager.all().update(action="x"),
    ],
    ids=["update", "delete", "bulk_update", "base_manager_update"],
)
def test_bulk_operations_of_the_orm_are_refused(operation: Callable[[Any], object]) -> None:
    record()
    with pytest.raises(AuditTamperingError):
        operation(AuditEvent.objects.all())
    assert AuditEvent.objects.get().object_repr == ""


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET object_repr = 'Đã sửa'",
        "DELETE FROM audit_auditevent",
    ],
    ids=["update", "delete"],
)
def test_raw_sql_changes_are_refused_by_the_database(statement: str) -> None:
    # given
    record()
    # when / then: the trigger of migration 0002 refuses, whatever the client
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.get().object_repr == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE triggers are PostgreSQL's")
def test_truncate_is_refused_on_postgresql() -> None:
    record()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Checks deferred to commit would otherwise make PostgreSQL refuse for another reason.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.count() == 1


def test_every_append_only_trigger_is_installed_and_enabled() -> None:
    # A later migration that makes SQLite rebuild the table would drop them silently.
    expected = POSTGRESQL_TRIGGERS if connection.vendor == "postgresql" else set(SQLITE_TRIGGERS)
    triggers = installed_triggers(connection)
    assert set(triggers) == set(expected)
    assert all(triggers.values())
