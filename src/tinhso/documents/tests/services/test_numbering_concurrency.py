"""Parallel issuing and registration get consecutive numbers: no gap, no duplicate, and a
registration that rolls back gives its number back (Nghị định 30/2020, Điều 15 and 22).

Real threads, each with its own connection, on PostgreSQL: the counter row's lock (taken by
the upsert, held until commit) is what serialises them there. SQLite writers are serialised
by the database lock anyway, so the race is only meaningful on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from django.db import connection, connections, transaction

from tinhso.audit.models import AuditEvent
from tinhso.documents import services
from tinhso.documents.models import Activity, Direction, Document, NumberCounter
from tinhso.testing.eoffice import EofficeWorld

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock races need PostgreSQL"),
]

T = TypeVar("T")


def race(count: int, work: Callable[[int], T]) -> list[T]:
    """Run `work(0..count-1)` in `count` threads at once, each on its own connection."""

    def run(i: int) -> T:
        try:
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_twenty_parallel_issues_get_01_to_20(eoffice: EofficeWorld) -> None:
    # given 20 approved documents (drafted and approved one after the other)
    documents = [eoffice.approved(subject=f"Về việc báo cáo số {i}") for i in range(20)]
    clerk_id = eoffice.clerk.pk
    ids = [d.pk for d in documents]

    def issue(i: int) -> str:
        from tinhso.accounts.models import User

        clerk = User.objects.get(pk=clerk_id)  # one user object per thread
        return services.outgoing_issue(actor=clerk, document_id=ids[i]).number

    # when the clerk's 20 requests race
    numbers = race(20, issue)
    # then 01…20, each once
    assert sorted(numbers) == [f"{n:02d}" for n in range(1, 21)]
    stored = Document.objects.filter(pk__in=ids).values_list("register_number", flat=True)
    assert sorted(n or 0 for n in stored) == list(range(1, 21))
    assert NumberCounter.objects.get(register__direction=Direction.OUTGOING).last == 20
    assert AuditEvent.objects.filter(action="documents.outgoing.issue").count() == 20
    # and each recipient copy was delivered once
    assert Document.objects.filter(origin_id__in=ids).count() == 20


#: With files, and without: a paper document without files is written, on PostgreSQL, by the
#: statement that takes the number (services.incoming._write_numbered).
WITH_FILES = pytest.mark.parametrize("with_files", [True, False], ids=["files", "no-files"])


@WITH_FILES
def test_sixteen_parallel_registrations_get_1_to_16(
    eoffice: EofficeWorld, with_files: bool
) -> None:
    # given 16 paper documents (with files uploaded beforehand, or none)
    inputs = [
        eoffice.incoming_input(number=str(100 + i), **({} if with_files else {"files": ()}))
        for i in range(16)
    ]
    clerk_id = eoffice.clerk.pk

    def register(i: int) -> int:
        from tinhso.accounts.models import User

        d = services.incoming_register(actor=User.objects.get(pk=clerk_id), data=inputs[i])
        assert d.register_number is not None
        return d.register_number

    numbers = race(16, register)
    assert sorted(numbers) == list(range(1, 17))
    assert NumberCounter.objects.get(register__direction=Direction.INCOMING).last == 16
    assert AuditEvent.objects.filter(action="documents.incoming.register").count() == 16
    # and each document has its history row (03) and its stored number
    registered = Document.objects.filter(direction=Direction.INCOMING)
    stored = registered.values_list("register_number", flat=True)
    assert sorted(n or 0 for n in stored) == list(range(1, 17))
    assert (
        Activity.objects.filter(
            action="register", edxml_status="03", document__in=registered
        ).count()
        == 16
    )


@WITH_FILES
def test_registrations_that_roll_back_in_the_race_leave_no_gap(
    eoffice: EofficeWorld, with_files: bool
) -> None:
    # given 16 registrations in parallel, every fourth of which fails after taking its number
    inputs = [
        eoffice.incoming_input(number=str(200 + i), **({} if with_files else {"files": ()}))
        for i in range(16)
    ]
    clerk_id = eoffice.clerk.pk

    class Abandoned(Exception):
        pass

    def register(i: int) -> int | None:
        from tinhso.accounts.models import User

        try:
            with transaction.atomic():
                d = services.incoming_register(actor=User.objects.get(pk=clerk_id), data=inputs[i])
                if i % 4 == 3:
                    raise Abandoned
            return d.register_number
        except Abandoned:
            return None

    numbers = [n for n in race(16, register) if n is not None]
    # then the 12 that committed hold 1…12
    assert sorted(numbers) == list(range(1, 13))
    assert Document.objects.filter(direction=Direction.INCOMING).count() == 12
    assert NumberCounter.objects.get().last == 12
