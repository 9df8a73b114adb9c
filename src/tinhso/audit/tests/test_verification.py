"""Verifying the stored trail: intact, and every kind of tampering found at its first row.

Tampering needs the append-only triggers lifted; `append_only_suspended` does it inside the
test's transaction (ALTER TABLE … DISABLE TRIGGER USER on PostgreSQL, DROP/CREATE TRIGGER on
SQLite), so the rollback at the end of each test puts everything back.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tinhso.audit import chain
from tinhso.audit.models import AuditChainHead, AuditEvent
from tinhso.audit.protection import append_only_suspended, installed_triggers
from tinhso.audit.tests.factories import record, record_many
from tinhso.audit.verification import verify_trail


def tamper(sql: str, params: list[str] | None = None) -> None:
    with append_only_suspended(connection), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.mark.django_db
class TestVerifyTrail:
    def test_empty_trail_is_intact(self) -> None:
        assert verify_trail() == chain.VerifyResult(True, 0)

    def test_intact_trail_reports_the_count_checked(self) -> None:
        record_many(7, changes={"name": ["Cũ", "Mới"]})
        result = verify_trail(chunk_size=3)
        assert (result.intact, result.checked) == (True, 7)

    def test_changed_content_is_found(self) -> None:
        # given
        record_many(5)
        # when
        tamper("UPDATE audit_auditevent SET object_repr = %s WHERE seq = 3", ["Đã sửa"])
        # then
        result = verify_trail(chunk_size=2)
        assert (result.intact, result.broken_seq, result.problem, result.checked) == (
            False,
            3,
            chain.CONTENT,
            2,
        )

    def test_changed_changes_are_found(self) -> None:
        record_many(3, changes={"amount": [1, 2]})
        tamper("UPDATE audit_auditevent SET changes = %s WHERE seq = 2", ['{"amount": [1, 3]}'])
        assert (verify_trail().broken_seq, verify_trail().problem) == (2, chain.CONTENT)

    def test_deleted_row_is_found(self) -> None:
        record_many(5)
        tamper("DELETE FROM audit_auditevent WHERE seq = 2")
        result = verify_trail()
        assert (result.intact, result.broken_seq, result.problem) == (False, 3, chain.GAP)

    def test_reordered_rows_are_found(self) -> None:
        # given
        record_many(5)
        # when: rows 2 and 3 exchange their sequence numbers
        tamper("UPDATE audit_auditevent SET seq = -2 WHERE seq = 2")
        tamper("UPDATE audit_auditevent SET seq = 2 WHERE seq = 3")
        tamper("UPDATE audit_auditevent SET seq = 3 WHERE seq = -2")
        # then
        result = verify_trail()
        assert (result.intact, result.broken_seq, result.problem) == (False, 2, chain.PREV_HASH)

    def test_deleted_last_rows_are_found(self) -> None:
        record_many(5)
        tamper("DELETE FROM audit_auditevent WHERE seq >= 4")
        result = verify_trail()
        assert (result.intact, result.broken_seq, result.problem) == (False, 4, chain.HEAD)

    def test_head_moved_back_to_hide_rows_is_found(self) -> None:
        events = record_many(5)
        AuditChainHead.objects.update(seq=3, hash=events[2].hash)
        result = verify_trail()
        assert (result.intact, result.broken_seq, result.problem) == (False, 4, chain.HEAD)

    def test_deleted_head_does_not_hide_the_trail(self) -> None:
        record_many(2)
        AuditChainHead.objects.all().delete()
        assert verify_trail().problem == chain.HEAD

    def test_row_appended_around_the_chain_is_found(self) -> None:
        # given: a row inserted directly, with a made-up hash, after two chained rows
        _, second = record_many(2)
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    seq=3,
                    occurred_at=second.occurred_at,
                    action="x",
                    prev_hash=second.hash,
                    hash="f" * 64,
                )
            ]
        )
        # when
        result = verify_trail()
        # then
        assert (result.intact, result.broken_seq, result.problem) == (False, 3, chain.CONTENT)

    def test_progress_is_reported_along_the_way(self) -> None:
        record_many(5)
        seen: list[tuple[int, int]] = []
        verify_trail(on_progress=lambda done, total: seen.append((done, total)), progress_every=2)
        assert seen == [(2, 5), (4, 5)]

    def test_triggers_are_back_after_tampering(self) -> None:
        record()
        tamper("UPDATE audit_auditevent SET object_repr = 'x'")
        assert all(installed_triggers(connection).values())
        assert len(installed_triggers(connection)) == 2
