"""The catalogue rows a receipt reads, kept per process while the catalogue's revision stays
the same (re-read every `TINHSO_CATALOGUE_RECHECK_SECONDS`): a busy counter reads its
procedure once, and a publication or a renamed agency is still seen — at once when this
process saved it, within the re-check interval when another process did, whoever wrote it
(the revision moves by database triggers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.services import ComponentInput, dossier_receive
from tinhso.procedures.models import CatalogueRevision, ProcedureVersion, VersionStatus
from tinhso.procedures.services import procedure_version_new, procedure_version_publish
from tinhso.testing.fixtures import MonotonicClock as Clock
from tinhso.testing.onestop import OneStopWorld, onestop_world, upload

pytestmark = pytest.mark.django_db

CATALOGUE_TABLES = (
    "procedures_",
    '"organizations_agency"',
    '"organizations_department"',
)


@pytest.fixture
def w() -> OneStopWorld:
    return onestop_world()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Clock]:
    """Catalogue rows kept for 2 s (production's default; the test settings keep none)."""
    settings.TINHSO_CATALOGUE_RECHECK_SECONDS = 2
    # The migration writes the row; a transactional test's flush may have emptied the table.
    CatalogueRevision.objects.get_or_create(pk=1)
    c = Clock()
    monkeypatch.setattr(services, "_monotonic", c)
    services.catalogue_cache_clear()
    yield c
    services.catalogue_cache_clear()


def receive(w: OneStopWorld) -> Dossier:
    d, _created = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    return d


def catalogue_queries(w: OneStopWorld) -> tuple[Dossier, list[str]]:
    data = w.receipt()  # its uploads are not the receipt's queries
    with CaptureQueriesContext(connection) as captured:
        d, _created = dossier_receive(actor=w.counter, data=data, now=w.monday_9am)
    sqls = [q["sql"] for q in captured.captured_queries]
    return d, [sql for sql in sqls if any(table in sql for table in CATALOGUE_TABLES)]


def test_a_kept_procedure_is_not_read_again_within_the_interval(
    clock: Clock, w: OneStopWorld
) -> None:
    # given a first receipt of the procedure
    first = receive(w)

    # when the counter receives the same procedure again, and again after the interval
    second, within = catalogue_queries(w)
    clock.now += 2.1
    third, after = catalogue_queries(w)

    # then the second receipt read no catalogue row, the third only the catalogue's revision
    # (nothing changed); all three dossiers got the same process and deadline
    assert within == []
    assert len(after) == 1 and "procedures_cataloguerevision" in after[0]
    for d in (first, second, third):
        d.refresh_from_db()
        assert (d.status, d.due_at, d.current_step_id, d.current_department_id) == (
            first.status,
            first.due_at,
            first.current_step_id,
            first.current_department_id,
        )
    assert [first.code[-4:], second.code[-4:], third.code[-4:]] == ["0001", "0002", "0003"]


def test_a_publication_in_this_process_is_seen_at_once(clock: Clock, w: OneStopWorld) -> None:
    # given a receipt under version 1, kept
    assert receive(w).procedure_version.number == 1

    # when the catalogue administrator publishes version 2 in this process
    draft = procedure_version_new(actor="system:test", procedure=w.version.procedure)
    procedure_version_publish(actor="system:test", version=draft)

    # then the next receipt is under version 2 (and must name version 2's components)
    components = [
        ComponentInput(component=pk, file=upload(w.counter))
        for pk in draft.components.order_by("order").values_list("pk", flat=True)[:2]
    ]
    d, _created = dossier_receive(
        actor=w.counter, data=w.receipt(components=components), now=w.monday_9am
    )
    assert d.procedure_version.number == 2
    assert Dossier.objects.get(pk=d.pk).procedure_version_id == draft.pk


def test_a_withdrawal_by_another_process_is_seen_within_the_interval(
    clock: Clock, w: OneStopWorld
) -> None:
    # given a receipt under version 1, kept
    receive(w)

    # when another process retires it (no save signal reaches this one)
    ProcedureVersion.objects.filter(pk=w.version.pk).update(status=VersionStatus.RETIRED)

    # then this process receives under it until the interval has passed, and refuses after
    clock.now += 1.9
    assert receive(w).procedure_version_id == w.version.pk
    clock.now += 0.2
    with pytest.raises(ValidationError) as refused:
        receive(w)
    assert "procedure_code" in refused.value.message_dict


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(
            lambda w: type(w.center).objects.filter(pk=w.center.pk).update(name="Trung tâm mới"),
            id="agency-update",
        ),
        pytest.param(lambda w: w.version.components.update(copies=3), id="component-update"),
        pytest.param(lambda w: w.version.fees.all().delete(), id="fee-delete"),
        pytest.param(
            lambda w: ProcedureVersion.objects.filter(pk=w.version.pk).update(processing_time=9),
            id="version-update",
        ),
    ],
)
def test_every_write_to_the_catalogue_moves_its_revision(w: OneStopWorld, write: Any) -> None:
    # given the revision now
    def revision() -> int:
        return int(CatalogueRevision.objects.get_or_create(pk=1)[0].revision)

    before = revision()

    # when a catalogue table is written without any model's save (another process, a script)
    write(w)

    # then the revision has moved (the database's triggers, on PostgreSQL and SQLite alike)
    assert revision() > before


def test_a_write_elsewhere_leaves_the_revision(w: OneStopWorld) -> None:
    before = CatalogueRevision.objects.get_or_create(pk=1)[0].revision
    receive(w)
    assert CatalogueRevision.objects.get(pk=1).revision == before


def test_a_renamed_agency_is_seen_at_once(clock: Clock, w: OneStopWorld) -> None:
    # given a receipt at the Service Center, kept
    receive(w)

    # when the agency is renamed in this process
    w.center.name = "Trung tâm Phục vụ hành chính công tỉnh"
    w.center.save()

    # then the next receipt carries the new name (its mail, its API answer)
    assert receive(w).receiving_agency.name == "Trung tâm Phục vụ hành chính công tỉnh"


def test_the_test_settings_keep_nothing(w: OneStopWorld) -> None:
    # given the test settings (TINHSO_CALENDAR_RECHECK_SECONDS is 0 under TINHSO_ENV=test)
    services.catalogue_cache_clear()
    assert services.catalogue_recheck_seconds() == 0
    receive(w)

    # when / then: every receipt reads its procedure
    _d, queries = catalogue_queries(w)
    assert any("procedures_procedureversion" in sql for sql in queries)
    assert services._catalogue == {}
