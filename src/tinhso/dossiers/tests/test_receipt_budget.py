"""The query budget of a receipt through the API, as the counter software sends it (issue 3 §5:
≥ 200 receipts/s on two cores leaves about 10 ms of CPU per receipt, queries included).

A warm receipt (its token, procedure and calendar kept by the process, as in production) costs
on PostgreSQL the files' check and one statement, a transaction of its own: the dossier's id
and the day's number, its row, components, hand-overs, places, history, mail and audit row
(the counter's lock, then the trail's, held for that statement alone). SQLite writes row by
row: 13 (`bench/receipt_profile.py` measures the CPU)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from tinhso.accounts import authentication
from tinhso.accounts.services import api_token_issue
from tinhso.audit import services as audit_services
from tinhso.audit.models import AuditChainHead, AuditEvent
from tinhso.audit.protection import append_only_suspended
from tinhso.audit.verification import verify_trail
from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier, Status
from tinhso.notifications import services as notification_services
from tinhso.notifications.models import Notification
from tinhso.testing.onestop import OneStopWorld, onestop_world, upload
from tinhso.workcalendar.selectors import work_calendar_cache_clear

pytestmark = pytest.mark.django_db

LIST = "/api/v1/dossiers/"
WARM_BUDGET = {"postgresql": 2, "sqlite": 13}
#: With nothing kept (the test settings): the token, the memberships, the agency, the procedure
#: with its components, fees and steps, the desk and the calendar's revision twice are read too.
COLD_BUDGET = 24


@pytest.fixture
def w(monkeypatch: pytest.MonkeyPatch) -> OneStopWorld:
    world = onestop_world()
    monkeypatch.setattr(timezone, "now", lambda: world.monday_9am)  # before the 15:00 cut-off
    return world


@pytest.fixture
def production_intervals(settings: Any) -> Iterator[None]:
    """What production keeps per process: the calendar and catalogue for 2 s, tokens for 5 s."""
    settings.TINHSO_CALENDAR_RECHECK_SECONDS = 2
    settings.TINHSO_CATALOGUE_RECHECK_SECONDS = 2
    settings.TINHSO_API_TOKEN_RECHECK_SECONDS = 5
    forget = (
        authentication.api_token_cache_clear,
        services.catalogue_cache_clear,
        work_calendar_cache_clear,
    )
    for clear in forget:
        clear()
    yield
    for clear in forget:
        clear()


def counter_software(w: OneStopWorld) -> APIClient:
    _token, key = api_token_issue(actor=w.counter)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def body(w: OneStopWorld, n: int) -> dict[str, Any]:
    return {
        "procedure_code": w.version.procedure.code,
        "channel": "counter",
        "applicant": {
            "kind": "citizen",
            "name": "Nguyễn Văn An",
            "id_number": f"04609000{n:04d}",
            "phone": "0912345678",
            "email": f"nguoinop{n}@example.vn",
            "address": "12 Lê Lợi, phường Thuận Hóa",
        },
        "components": [
            {"component": cid, "file": upload(w.counter)} for cid in w.component_ids[:2]
        ],
    }


@pytest.mark.django_db(transaction=True)  # as in production: no transaction around the request
def test_a_warm_receipt_stays_within_its_query_budget(
    w: OneStopWorld,
    production_intervals: None,
    django_assert_max_num_queries: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given the counter software that has already sent one receipt; the mail worker runs
    # elsewhere (production queues the mail's delivery after the commit)
    woken: list[int] = []
    monkeypatch.setattr(notification_services, "deliver_notification", woken.append)
    client = counter_software(w)
    assert client.post(LIST, body(w, 1), format="json").status_code == 201
    second = body(w, 2)

    # when it sends the next one
    with django_assert_max_num_queries(WARM_BUDGET[connection.vendor]):
        response = client.post(LIST, second, format="json")

    # then the dossier is whole: code, deadline, transfer, control slip, history, places,
    # the applicant's mail and the audit row
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    assert code.endswith("-0002")
    d = Dossier.objects.get(code=code)
    assert d.status == Status.PROCESSING and d.due_at is not None
    assert d.search_text.endswith(code.lower())
    assert [h.action for h in d.handovers.order_by("seq")] == ["receive", "transfer"]
    assert d.handovers.get(seq=1).completed_at == w.monday_9am
    assert d.agencies.count() == 4  # the center and the Sở, each with its department
    assert d.components.filter(provided=True).count() == 2
    assert d.activities.get().action == "receive"
    mail = Notification.objects.get(object_id=str(d.pk))
    assert mail.kind == "dossier.received" and code in mail.subject and code in mail.body_text
    assert woken[-1] == mail.pk  # after the commit
    event = AuditEvent.objects.get(action="dossiers.dossier.receive", object_id=str(d.pk))
    assert event.changes["status"] == [None, Status.PROCESSING]
    assert event.object_repr == code
    assert verify_trail().intact


def test_a_receipt_with_nothing_kept_stays_within_its_query_budget(
    w: OneStopWorld, django_assert_max_num_queries: Any
) -> None:
    # given the test settings, which keep nothing between requests, and a first receipt
    client = counter_software(w)
    assert client.post(LIST, body(w, 1), format="json").status_code == 201
    second = body(w, 2)

    # when / then
    with django_assert_max_num_queries(COLD_BUDGET):
        response = client.post(LIST, second, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["code"].endswith("-0002")


@pytest.mark.django_db(transaction=True)
def test_the_first_receipt_of_an_installation_starts_the_audit_trail(
    w: OneStopWorld, production_intervals: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an installation whose trail has no row yet (its head is written on first use)
    client = counter_software(w)
    first = body(w, 1)  # its files stored (and audited) before the trail is emptied
    with transaction.atomic(), append_only_suspended(connection), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_auditchainhead")
    assert not AuditChainHead.objects.exists()
    started: list[int] = []

    def start() -> None:
        audit_services.audit_chain_start()
        started.append(AuditChainHead.objects.get().seq)

    monkeypatch.setattr(services, "audit_chain_start", start)

    # when the counter receives
    response = client.post(LIST, first, format="json")

    # then the dossier and its audit row are written, once, and the trail starts with it
    assert response.status_code == 201, response.content
    d = Dossier.objects.get()
    assert d.code == response.json()["code"]
    event = AuditEvent.objects.get(action="dossiers.dossier.receive")
    assert (event.seq, event.object_id, event.object_repr) == (1, str(d.pk), d.code)
    # PostgreSQL's one statement refused to write without it, and was run again once started
    assert started == ([0] if connection.vendor == "postgresql" else [])
    assert verify_trail().intact
