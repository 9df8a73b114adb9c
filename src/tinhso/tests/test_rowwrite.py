"""`tinhso.rowwrite.insert_rows`: the hot paths' INSERT writes what the ORM would write, on
PostgreSQL (server-side binding, prepared) and SQLite alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.notifications.models import Notification, Status
from tinhso.organizations.models import Agency
from tinhso.rowwrite import (
    Insert,
    any_of,
    execute_prepared,
    insert_rows,
    insert_together,
    native_placeholders,
)
from tinhso.testing.factories import make_agency

pytestmark = pytest.mark.django_db


def _agency() -> Agency:
    return make_agency()


def _event(n: int, **overrides: object) -> AuditEvent:
    values: dict[str, object] = {
        "seq": 10_000 + n,
        "occurred_at": dt.datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=dt.UTC),
        "actor_label": "vanthu",
        "action": "tests.rowwrite",
        "object_type": "tests.thing",
        "object_id": str(n),
        "object_repr": "Quyết định bổ nhiệm",
        "changes": {"subject": ["cũ", "mới"], "n": 1.5, "list": [1, None, True]},
        "request_id": "r-1",
        "ip_address": "2001:db8::1",
        "prev_hash": "0" * 64,
        "hash": f"{n:064x}",
    }
    values.update(overrides)
    return AuditEvent(**values)


def test_written_rows_read_back_as_the_orm_writes_them() -> None:
    # given two new rows with JSON, an address, an aware time, a foreign key
    agency = _agency()
    rows = [_event(1, agency=agency), _event(2, ip_address=None, changes={})]

    # when they are inserted in one statement
    insert_rows(rows)

    # then each got its id (in order), is no longer "adding", and reads back as written
    assert all(r.pk is not None and not r._state.adding for r in rows)
    assert rows[0].pk < rows[1].pk
    first = AuditEvent.objects.get(pk=rows[0].pk)
    assert first.seq == 10_001 and first.agency_id == agency.pk
    assert first.changes == {"subject": ["cũ", "mới"], "n": 1.5, "list": [1, None, True]}
    assert first.ip_address == "2001:db8::1"
    assert first.occurred_at == dt.datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=dt.UTC)
    second = AuditEvent.objects.get(pk=rows[1].pk)
    assert (second.seq, second.ip_address, second.changes) == (10_002, None, {})


def test_defaults_and_choices_are_the_models() -> None:
    # given an outbox row built with only what a caller gives
    before = timezone.now()
    row = Notification(
        channel="email", recipient="a@example.vn", subject="S", body_text="B", kind="k"
    )

    # when inserted
    insert_rows([row])

    # then the model's defaults were written (status, attempts, times)
    stored = Notification.objects.get(pk=row.pk)
    assert stored.status == Status.PENDING and stored.attempts == 0
    assert stored.created_at >= before and stored.next_attempt_at >= before


def test_a_reserved_id_is_written_as_given() -> None:
    row = Notification(
        pk=987_654, channel="email", recipient="a@example.vn", subject="S", body_text="B", kind="k"
    )
    insert_rows([row])
    assert Notification.objects.filter(pk=987_654, subject="S").exists()


def test_a_constraint_violation_is_djangos_integrity_error_and_rolls_back() -> None:
    insert_rows([_event(1)])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows([_event(2, seq=10_001)])  # the same seq: unique
    # the connection is usable after the savepoint's rollback, and nothing half-written stays
    assert AuditEvent.objects.filter(seq=10_001).count() == 1
    assert not AuditEvent.objects.filter(object_id="2").exists()


def test_statements_are_seen_by_query_logging() -> None:
    with CaptureQueriesContext(connection) as captured:
        insert_rows([_event(1)])
        ((value,),) = execute_prepared("SELECT %s + 1", [41])
    assert value == 42
    assert any('INSERT INTO "audit_auditevent"' in q["sql"] for q in captured.captured_queries)


def test_a_model_with_save_receivers_is_refused() -> None:
    # User has a pre_save receiver (its search text): skipping it would write a wrong row
    with pytest.raises(TypeError, match="signal receivers"):
        insert_rows([User(username="khong-ghi")])
    assert not User.objects.filter(username="khong-ghi").exists()


def test_one_model_per_call() -> None:
    with pytest.raises(TypeError, match="one model"):
        insert_rows([_event(1), Notification(channel="email")])


def test_nothing_to_write_is_no_statement() -> None:
    with CaptureQueriesContext(connection) as captured:
        insert_rows([])
    assert captured.captured_queries == []


def test_rows_of_several_models_written_together_get_their_ids() -> None:
    # given new rows of two models, one group of two
    events = [_event(1), _event(2)]
    mail = Notification(
        channel="email", recipient="a@example.vn", subject="S", body_text="B", kind="k"
    )

    # when they are written together (one statement on PostgreSQL)
    with CaptureQueriesContext(connection) as captured:
        insert_together([events, [], [mail]])

    # then each row is in its table with the id its object got
    inserts = [q for q in captured.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 2)
    assert [AuditEvent.objects.get(pk=e.pk).object_id for e in events] == ["1", "2"]
    assert Notification.objects.get(pk=mail.pk).subject == "S"
    assert not any(o._state.adding for o in (*events, mail))


def test_placeholders_are_numbered_as_postgresql_writes_them() -> None:
    assert native_placeholders("SELECT %s, '100%%', %s") == "SELECT $1, '100%', $2"
    with pytest.raises(ValueError, match="unsupported placeholder"):
        native_placeholders("SELECT %d")


def test_an_insert_with_values_computed_by_the_database_in_the_same_statement() -> None:
    # given a notification whose subject the database completes from a WITH query
    agency = _agency()
    row = Notification(
        channel="email",
        recipient="a@example.vn",
        subject="[MARK] Giấy tiếp nhận",
        body_text="Mã hồ sơ: MARK",
        kind="tests.rowwrite",
        agency=agency,
        status=Status.PENDING,
        next_attempt_at=timezone.now(),
        created_at=timezone.now(),
    )
    insert = Insert([row])
    marked = "SELECT replace(%s, 'MARK', v) FROM n"
    sql, params = insert.sql_with(
        {"subject": (marked, [row.subject]), "body_text": (marked, [row.body_text])}
    )
    # when
    with transaction.atomic():
        rows = execute_prepared(
            f"WITH n AS (SELECT CAST(%s AS text) AS v) {sql}", ["H57-261126-0001", *params]
        )
        insert.written(rows)
    # then
    stored = Notification.objects.get(pk=row.pk)
    assert stored.subject == "[H57-261126-0001] Giấy tiếp nhận"
    assert stored.body_text == "Mã hồ sơ: H57-261126-0001"
    assert stored.agency_id == agency.pk


def test_several_rows_with_a_value_computed_by_the_database_in_each() -> None:
    # given three notifications whose subject the database completes, the same way in each
    agency = _agency()
    rows = [
        Notification(
            channel="email",
            recipient=f"{n}@example.vn",
            subject=f"[MARK] thư {n}",
            body_text="",
            kind="tests.rowwrite",
            agency=agency,
            status=Status.PENDING,
            next_attempt_at=timezone.now(),
            created_at=timezone.now(),
        )
        for n in range(3)
    ]
    insert = Insert(rows)
    sql, params = insert.sql_with({"body_text": ("SELECT v || %s FROM n", ["!"])})
    # when
    with transaction.atomic():
        returned = execute_prepared(
            f"WITH n AS (SELECT CAST(%s AS text) AS v) {sql}", ["X", *params]
        )
        insert.written(returned)
    # then: each row has its own values, the computed one, and its id in order
    stored = Notification.objects.filter(kind="tests.rowwrite").order_by("pk")
    assert [(n.pk, n.recipient, n.body_text) for n in stored] == [
        (row.pk, f"{n}@example.vn", "X!") for n, row in enumerate(rows)
    ]
    with pytest.raises(ValueError, match="one object only"):
        insert.sql_with({"body_text": ("n.v", [])}, source="n")


def test_an_insert_selected_from_an_empty_source_writes_nothing() -> None:
    event = _event(1)
    sql, params = Insert([event]).sql_with({"seq": ("n.v", [])}, source="n")
    with transaction.atomic():
        rows = execute_prepared(f"WITH n AS (SELECT 1 AS v WHERE 1 = 0) {sql}", params)
    assert rows == []
    assert not AuditEvent.objects.exists()
    with pytest.raises(ValueError, match="no column"):
        Insert([event]).sql_with({"nothing": ("1", [])})


def test_any_of_matches_each_listed_value_and_nothing_for_none() -> None:
    agencies = [make_agency() for _ in range(3)]
    wanted = [agencies[0].pk, agencies[2].pk]
    where, params = any_of("id", wanted)
    rows = execute_prepared(
        f"SELECT id FROM organizations_agency WHERE {where} ORDER BY id",  # noqa: S608
        params,
    )
    assert [row[0] for row in rows] == sorted(wanted)
    where, params = any_of("id", [])
    assert execute_prepared(f"SELECT id FROM organizations_agency WHERE {where}", params) == []  # noqa: S608
    if connection.vendor == "postgresql":  # one statement whatever the number of values
        assert any_of("id", [1])[0] == any_of("id", [1, 2, 3])[0] == "id = ANY(%s)"


def test_binary_results_read_as_the_text_ones() -> None:
    """Rows in PostgreSQL's binary form (a large bytea without its hexadecimal text) give the
    same Python values as the usual ones, whatever the column's type."""
    payload = bytes(range(256)) * 600
    moment = dt.datetime(2026, 11, 27, 8, 30, 15, 123456, tzinfo=dt.UTC)
    sql = "SELECT %s, %s, %s, %s"
    params = [payload, "Hòa Bình", 42, connection.ops.adapt_datetimefield_value(moment)]
    text_rows = execute_prepared(sql + ", 1", params)
    binary_rows = execute_prepared(sql + ", 1", params, binary=True)
    assert bytes(binary_rows[0][0]) == bytes(text_rows[0][0]) == payload
    assert binary_rows[0][1:] == text_rows[0][1:]
    if connection.vendor == "postgresql":
        assert binary_rows[0][3] == moment
