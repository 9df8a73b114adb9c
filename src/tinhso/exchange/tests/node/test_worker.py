"""The worker (`manage.py exchange_worker`) and the hub client: one pass sends and receives;
asked to stop, it gives back what it claimed; the client keeps one connection alive and types
the hub's answers into errors."""

from __future__ import annotations

import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tinhso.documents import services
from tinhso.documents.models import Document, ExchangeOutbox, Source
from tinhso.exchange.client import HttpHubClient, HubFault, HubUnavailable
from tinhso.exchange.services import outbox_send_batch
from tinhso.exchange.tests.node.conftest import NODE, Hub, Seals, issue
from tinhso.organizations import demo
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db

COMMUNE = services.ExternalRecipient("Phường Phú Xuân", demo.PHU_XUAN_CODE)
QUANG_TRI = services.ExternalRecipient("Sở Nội vụ tỉnh Quảng Trị", "H48.02")


def test_one_pass_of_the_worker_sends_and_receives(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    issue(eoffice, external_recipients=(COMMUNE,))
    out = StringIO()
    call_command("exchange_worker", "--once", stdout=out)
    # sent, then pulled back in the same pass (this node serves both agencies)
    assert Document.objects.filter(agency=eoffice.phu_xuan, source=Source.EXCHANGE).count() == 1
    assert "send: sent=1" in out.getvalue()
    assert "receive: accepted=1" in out.getvalue()


def test_the_worker_needs_a_hub(settings: object) -> None:
    settings.TINHSO_HUB_URL = ""  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="TINHSO_HUB_URL"):
        call_command("exchange_worker", "--once")


def test_a_worker_asked_to_stop_gives_back_what_it_claimed(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    issue(eoffice, external_recipients=(QUANG_TRI,), subject="Thứ nhất")
    issue(eoffice, external_recipients=(QUANG_TRI,), subject="Thứ hai")
    asked: list[bool] = []

    def stop() -> bool:
        asked.append(True)
        return len(asked) > 1  # after the first row

    report = outbox_send_batch(hub.client(), stop=stop)
    assert report.sent == 1
    waiting = ExchangeOutbox.objects.get(state="pending")
    assert waiting.next_attempt_at is None  # due at once for the next worker
    assert outbox_send_batch(hub.client(), now=timezone.now()).sent == 1


def test_the_client_keeps_one_connection_and_types_the_answers(hub: Hub) -> None:
    client = hub.client()
    assert client.inbox(message_type="edoc") == []
    first = client._connection
    assert client.agencies()
    assert client._connection is first  # kept alive
    hub.state.outage = 1
    with pytest.raises(HubUnavailable):
        client.inbox()
    with pytest.raises(HubFault) as caught:
        client.fetch("404")
    assert (caught.value.code, caught.value.status) == ("not_found", 404)
    client.close()


def test_a_hub_that_is_not_there_is_unavailable() -> None:
    from tinhso.exchange import httpsig

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    key = httpsig.load_private_key(httpsig.make_node_credentials(NODE)[0])
    client = HttpHubClient(f"http://127.0.0.1:{port}", node=NODE, key=key, timeout=2)
    with pytest.raises(HubUnavailable):
        client.inbox()


def test_a_node_the_hub_does_not_know_is_refused(hub: Hub) -> None:
    from tinhso.exchange import httpsig

    key = httpsig.load_private_key(httpsig.make_node_credentials("stranger")[0])
    client = HttpHubClient(hub.url, node="stranger", key=key, timeout=2)
    with pytest.raises(HubFault) as caught:
        client.inbox()
    assert caught.value.code == "unauthorised"


def test_the_periodic_tasks_do_the_workers_job(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    from tinhso.exchange.tasks import exchange_pull_inbox, exchange_send_due

    issue(eoffice, external_recipients=(COMMUNE,))
    assert exchange_send_due.call_local() == 1
    assert exchange_pull_inbox.call_local() == 1
    assert Document.objects.filter(agency=eoffice.phu_xuan, source=Source.EXCHANGE).exists()


def test_the_periodic_tasks_rest_without_a_hub(settings: object) -> None:
    from tinhso.exchange.tasks import exchange_pull_inbox, exchange_send_due

    settings.TINHSO_HUB_URL = ""  # type: ignore[attr-defined]
    assert exchange_send_due.call_local() == 0
    assert exchange_pull_inbox.call_local() == 0
