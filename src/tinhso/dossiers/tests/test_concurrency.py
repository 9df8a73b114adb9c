"""Concurrent receipts get consecutive codes: no gap, no duplicate (real threads, real
connections; on PostgreSQL the counter row lock serialises them, on SQLite the IMMEDIATE
transactions do)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction

from tinhso.audit.models import AuditEvent
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.services import dossier_receive
from tinhso.testing.onestop import onestop_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_receipts_number_without_gap_or_duplicate() -> None:
    w = onestop_world()
    receipts = [w.receipt() for _ in range(16)]  # files uploaded before the race
    workers = 8 if connection.vendor == "postgresql" else 4

    def receive(i: int) -> str:
        try:
            return dossier_receive(actor=w.counter, data=receipts[i], now=w.monday_9am)[0].code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        codes = list(pool.map(receive, range(len(receipts))))
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, 17))
    assert Dossier.objects.count() == 16
    assert AuditEvent.objects.filter(action="dossiers.dossier.receive").count() == 16


def test_the_same_idempotency_key_in_parallel_creates_one_dossier() -> None:
    w = onestop_world()
    receipt = w.receipt()

    def receive(_: int) -> int:
        try:
            return dossier_receive(
                actor=w.counter, data=receipt, idempotency_key="k-1", now=w.monday_9am
            )[0].pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = set(pool.map(receive, range(8)))
    assert len(ids) == 1
    assert Dossier.objects.count() == 1


def test_receipts_that_roll_back_in_the_race_leave_no_gap() -> None:
    # given 16 receipts in parallel, every fourth of which fails after it took its number
    # (its transaction then rolls back while the others wait for the day's counter)
    w = onestop_world()
    receipts = [w.receipt() for _ in range(16)]
    workers = 8 if connection.vendor == "postgresql" else 4

    class Abandoned(Exception):
        pass

    def receive(i: int) -> str | None:
        try:
            with transaction.atomic():
                d, _created = dossier_receive(actor=w.counter, data=receipts[i], now=w.monday_9am)
                if i % 4 == 3:
                    raise Abandoned
            return d.code
        except Abandoned:
            return None
        finally:
            connections.close_all()

    # when they race
    with ThreadPoolExecutor(max_workers=workers) as pool:
        codes = [code for code in pool.map(receive, range(len(receipts))) if code is not None]

    # then the 12 that committed hold the numbers 1 to 12
    assert sorted(int(code.rsplit("-", 1)[1]) for code in codes) == list(range(1, 13))
    assert sorted(Dossier.objects.values_list("code", flat=True)) == sorted(codes)
    assert AuditEvent.objects.filter(action="dossiers.dossier.receive").count() == 12
