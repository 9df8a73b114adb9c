"""Appends seen from outside a test transaction: without one, and from concurrent writers.

These tests commit for real (`transaction=True`), and the test runner then empties every table,
including what migrations seeded. They live in a file of their own, with no ordinary database
test, so that pytest-django's ordering (transactional tests last) keeps that emptying from
running before other files' tests on the same worker.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from tinhso.audit import chain
from tinhso.audit.models import AuditChainHead, AuditEvent
from tinhso.audit.services import audit_record
from tinhso.audit.verification import verify_trail


@pytest.mark.django_db(transaction=True)
def test_refuses_to_run_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        audit_record(actor="system:test", action="test.thing.update")
    assert not AuditEvent.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL's row locks"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_form_one_continuous_chain() -> None:
    # given: several workers that append at the same moment
    threads_count, per_thread = 4, 15
    start = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit_record(
                        actor="system:test", action="test.concurrent", object_id=f"{number}-{i}"
                    )
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert errors == []
    total = threads_count * per_thread
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, total + 1)
    )
    assert verify_trail() == chain.VerifyResult(
        True, total, last_hash=AuditChainHead.objects.get().hash
    )
