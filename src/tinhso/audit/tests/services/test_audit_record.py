"""`audit_record`: what a row holds, its place in the chain, and the transaction it shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tinhso import requestcontext
from tinhso.accounts.models import Role
from tinhso.audit.chain import GENESIS_HASH
from tinhso.audit.models import AuditChainHead, AuditEvent
from tinhso.audit.services import (
    APPENDED,
    NO_HEAD,
    REQUIRE_APPENDED,
    append_queries,
    audit_appended,
    audit_chain_start,
    audit_event,
    audit_record,
    diff,
    is_no_head,
    snapshot,
)
from tinhso.audit.tests.factories import record
from tinhso.audit.verification import verify_trail
from tinhso.rowwrite import execute_prepared
from tinhso.testing.factories import AgencyFactory, official

pytestmark = pytest.mark.django_db


def test_row_records_actor_agency_object_and_changes() -> None:
    # given
    agency = AgencyFactory.create()
    user = official(Role.QUAN_TRI_CO_QUAN, agency=agency, username="quantri")
    before = snapshot(user, ["full_name", "is_active"])
    user.full_name = "Trần Thị Mới"
    # when
    with transaction.atomic():
        user.save()
        event = audit_record(
            actor=user,
            action="accounts.user.update",
            obj=user,
            agency=agency,
            changes=diff(before, snapshot(user, ["full_name", "is_active"])),
        )
    # then
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.seq == 1 and event.prev_hash == GENESIS_HASH
    assert (event.actor_id, event.actor_label, event.agency_id) == (user.pk, "quantri", agency.pk)
    assert (event.object_type, event.object_id, event.object_repr) == (
        "accounts.user",
        str(user.pk),
        "Trần Thị Mới",
    )
    assert event.changes == {"full_name": [before["full_name"], "Trần Thị Mới"]}
    assert event.occurred_at is not None
    assert (event.request_id, event.ip_address) == ("", None)


def test_system_actor_is_recorded_by_label() -> None:
    event = record(actor="system:calendar_seed")
    assert (event.actor_id, event.actor_label) == (None, "system:calendar_seed")


def test_rows_chain_and_move_the_head() -> None:
    # when
    first, second = record(), record()
    # then
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    assert AuditChainHead.objects.get().seq == 2
    assert AuditChainHead.objects.get().hash == second.hash


@pytest.mark.parametrize("action", ["", "x" * 101])
def test_refuses_an_empty_or_overlong_action(action: str) -> None:
    with pytest.raises(ValueError, match="1 to 100 characters"), transaction.atomic():
        audit_record(actor="system:test", action=action)
    assert not AuditEvent.objects.exists()


def test_row_written_in_a_rolled_back_transaction_disappears_with_it() -> None:
    # given
    record()
    head_before = AuditChainHead.objects.get()

    # when: the service fails after writing its audit row
    class ServiceFailed(Exception):
        pass

    with pytest.raises(ServiceFailed), transaction.atomic():
        agency = AgencyFactory.create()
        audit_record(actor="system:test", action="organizations.agency.create", obj=agency)
        raise ServiceFailed

    # then: neither the change, nor its row, nor the head's move survive
    assert AuditEvent.objects.count() == 1
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (head_before.seq, head_before.hash)
    assert record().seq == 2
    assert verify_trail().intact


def test_long_texts_are_cut_to_their_columns() -> None:
    event = record(object_type="t" * 150, object_id="9" * 80, object_repr="r" * 300)
    event.refresh_from_db()
    assert (len(event.object_type), len(event.object_id), len(event.object_repr)) == (100, 64, 255)
    assert verify_trail().intact


def test_numbers_of_any_size_survive_the_round_trip_through_the_database() -> None:
    # given: values that JSON storage (jsonb's numeric on PostgreSQL) could write differently
    changes = {
        "ratio": [0.1, 1.5e-07],
        "big_float": [1e16, 5.863018765402437e16],
        "big_int": [2**60 + 1, -(2**55)],
        "integral": [1.0, 2],
        "nan": [float("nan"), float("inf")],
    }
    # when
    record(changes=changes)
    # then
    assert verify_trail().intact
    assert AuditEvent.objects.get().changes["nan"] == ["nan", "inf"]


@pytest.mark.parametrize(
    ("given_ip", "stored_ip"),
    [
        ("192.0.2.10", "192.0.2.10"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("::FFFF:192.0.2.1", "::ffff:192.0.2.1"),
        ("fe80::1%eth0", "fe80::1"),
        ("not-an-address", None),
    ],
)
def test_client_address_is_stored_as_the_database_keeps_it(
    given_ip: str, stored_ip: str | None
) -> None:
    # given
    token = requestcontext.bind(
        requestcontext.RequestContext(request_id="req-12345678", ip_address=given_ip)
    )
    try:
        # when
        event = record()
    finally:
        requestcontext.reset(token)
    # then: the hash was computed over the stored form, so the chain still verifies
    event.refresh_from_db()
    assert (event.request_id, event.ip_address) == ("req-12345678", stored_ip)
    assert verify_trail().intact


def test_time_never_goes_back_when_the_clock_does(
    at_time: Callable[[dt.datetime], None],
) -> None:
    # given
    later = dt.datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=dt.UTC)
    at_time(later)
    first = record()
    # when: the server clock steps back a minute
    at_time(later - dt.timedelta(minutes=1))
    second = record()
    # then: the second row keeps the first one's time, and the chain verifies
    second.refresh_from_db()
    assert second.occurred_at == first.occurred_at == later
    assert AuditChainHead.objects.get().occurred_at == later
    assert verify_trail().intact


def test_an_append_after_the_first_is_one_statement_that_hashes_as_python_does(
    at_time: Callable[[dt.datetime], None],
) -> None:
    # given: a chain with its head; texts JSON escapes, decomposed marks, a whole second
    record()
    at_time(dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC))
    tricky = 'Quye\u0302\u0301t đi\u0323nh "số 15"\\QĐ\n\t🙂 \u2028'
    # when
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        event = audit_record(
            actor="system:test",
            action="test.thing.update",
            object_repr=tricky,
            changes={tricky: [tricky, 2**60, 0.5, None, True]},
        )
    # then: PostgreSQL locks, numbers, times, hashes and writes in one statement (SQLite in
    # Python), and the chain verifies with the row's hash
    statements = [q["sql"] for q in queries.captured_queries if "audit_" in q["sql"]]
    assert len(statements) == (1 if connection.vendor == "postgresql" else 3)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.seq, stored.hash, stored.prev_hash) == (2, event.hash, event.prev_hash)
    assert (
        stored.occurred_at
        == event.occurred_at
        == dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    )
    assert stored.object_repr == tricky
    assert verify_trail().intact
    assert AuditChainHead.objects.get().hash == event.hash


def _append_with(values_sql: str, text: str, *, require: bool = False) -> AuditEvent:
    """`audit_event` appended by a statement of the caller's that computes its object's id and
    text from a WITH query `n` (as the receipt computes the dossier's id and code)."""
    event = audit_event(actor="system:test", action="test.thing.create", changes={"n": 1})
    queries = append_queries(
        event,
        after="n",
        texts={
            "object_id": ("SELECT i FROM n", []),
            "object_repr": ("SELECT %s || v FROM n", [text]),
        },
    )
    required = f", {REQUIRE_APPENDED}" if require else ""
    ((value, ident, *appended),) = execute_prepared(
        f"WITH n AS ({values_sql}), {queries.sql} SELECT v, i, {APPENDED}{required} FROM n",  # noqa: S608
        queries.params,
    )
    audit_appended(
        queries, appended[:5], {"object_id": str(ident), "object_repr": f"{text}{value}"}
    )
    return event


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's one statement")
@pytest.mark.parametrize("text", ["000.00.01.H19-261127-", 'Quye\u0302\u0301t "số"\\\n🙂 '])
def test_an_append_inside_a_callers_statement_takes_its_texts_from_it(text: str) -> None:
    # given: a chain with its head
    record()
    # when: the caller's statement computes the object's id and text and appends the row
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        event = _append_with("SELECT '0042'::text AS v, 917 AS i", text)
    # then: one statement; the row holds the computed texts and hashes as Python does
    assert len([q for q in queries.captured_queries if "audit_" in q["sql"]]) == 1
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.object_repr == event.object_repr == f"{text}0042"
    assert stored.object_id == event.object_id == "917"
    assert (stored.seq, stored.hash) == (2, event.hash)
    assert verify_trail().intact
    assert AuditChainHead.objects.get().hash == event.hash


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's one statement")
def test_an_append_inside_a_callers_statement_before_the_chain_has_a_head() -> None:
    # given: no row and no head yet
    assert not AuditChainHead.objects.exists()
    # when
    with transaction.atomic():
        event = _append_with("SELECT '7'::text AS v, 3 AS i", "X-")
    # then: the statement wrote nothing of the trail and the row was appended after it
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.seq, stored.object_id, stored.object_repr) == (1, "3", "X-7")
    assert verify_trail().intact


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's one statement")
def test_a_statement_that_requires_its_row_fails_whole_before_the_chain_has_a_head() -> None:
    # given: no head; a statement that also writes a row of its own
    assert NO_HEAD in REQUIRE_APPENDED
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE own_rows (v text)")
    values = "INSERT INTO own_rows (v) VALUES ('v') RETURNING v, 1 AS i"
    # when / then: it fails with the trail's error and writes nothing
    with pytest.raises(DataError) as failed, transaction.atomic():
        _append_with(values, "X-", require=True)
    assert is_no_head(failed.value)
    assert not AuditChainHead.objects.exists()
    assert not AuditEvent.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM own_rows")
        assert cursor.fetchone() == (0,)
    # and once the chain is started, the same statement appends
    audit_chain_start()
    with transaction.atomic():
        event = _append_with("SELECT 'v'::text AS v, 1 AS i", "X-", require=True)
    assert AuditEvent.objects.get().pk == event.pk
    assert verify_trail().intact


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's one statement")
def test_an_append_inside_a_callers_statement_without_its_row_writes_nothing() -> None:
    # given a chain; the caller's WITH query has no row (the head is joined to it)
    record()
    # when
    with transaction.atomic():
        event = audit_event(actor="system:test", action="test.thing.create")
        queries = append_queries(event, after="n", texts={"object_repr": ("SELECT v FROM n", [])})
        ((appended),) = execute_prepared(
            f"WITH n AS (SELECT 'a'::text AS v WHERE false), {queries.sql} SELECT {APPENDED}",
            queries.params,
        )
    # then
    assert appended == (None, None, None, None, None)
    assert AuditEvent.objects.count() == 1
    with pytest.raises(ValueError, match="cannot be computed"):
        append_queries(event, after="n", texts={"action": ("SELECT 'x'", [])})


def test_diff_keeps_changed_fields_only() -> None:
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"b": [2, 3], "c": [None, 4]}
