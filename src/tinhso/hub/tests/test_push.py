"""Pushing to a node's address: a real HTTP server on loopback that checks the hub's signature."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from urllib.parse import unquote

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from tinhso.exchange import httpsig
from tinhso.hub import push, services
from tinhso.hub.models import Delivery, DeliveryEvent
from tinhso.hub.tests.conftest import BNV, COMMUNE, SNV, Hub, document

pytestmark = pytest.mark.urls("tinhso.config.urls_hub")


@dataclass
class Received:
    path: str
    body: bytes
    headers: dict[str, str]
    signature: str  # "ok" or the refusal code


@dataclass
class NodeServer:
    """A node's push endpoint: answers `statuses` in turn (then the last one again)."""

    url: str
    hub_certificate: bytes
    statuses: list[int] = field(default_factory=lambda: [200])
    received: list[Received] = field(default_factory=list)


@pytest.fixture
def hub_credentials(tmp_path: Path) -> Iterator[bytes]:
    key_pem, certificate_pem = httpsig.make_node_credentials("hub")
    key_file = tmp_path / "hub-key.pem"
    key_file.write_bytes(key_pem)
    with override_settings(HUB_KEY_FILE=str(key_file), HUB_PUSH_BACKOFF_SECONDS=["10", "60"]):
        yield certificate_pem


@pytest.fixture
def node_server(hub_credentials: bytes) -> Iterator[NodeServer]:
    state = NodeServer(url="", hub_certificate=hub_credentials)
    certificate = httpsig.load_certificate(hub_credentials)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = dict(self.headers.items())
            try:
                verified = httpsig.verify_request(
                    "POST",
                    self.path,
                    body,
                    cast(Mapping[str, str], self.headers),
                    certificate=certificate,
                )
                outcome = "ok" if verified.node == "hub" else "wrong_node"
            except httpsig.SignatureRefused as refused:
                outcome = refused.code
            state.received.append(Received(self.path, body, headers, outcome))
            index = min(len(state.received), len(state.statuses)) - 1
            code = state.statuses[index] if outcome == "ok" else 401
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/lien-thong/nhan?kenh=1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _push_node(hub: Hub, url: str) -> None:
    services.node_register(
        actor="test",
        code=hub.b.code,
        name="Nút tinh-b",
        certificate_pem=hub.b.certificate_pem,
        push_url=url,
    )


def test_a_package_is_pushed_signed_by_the_hub_and_done_on_2xx(
    hub: Hub, node_server: NodeServer
) -> None:
    # given node b takes pushes
    _push_node(hub, node_server.url)
    data = hub.sealed(document(to=(BNV,)))
    sent = hub.send(hub.a, data)
    assert sent.status_code == 201
    # when the worker runs a round
    counts = push.worker_cycle()
    # then the node received the package, signed by the hub, at its path with its query
    assert (counts.pushed, counts.push_failed) == (1, 0)
    [received] = node_server.received
    assert received.signature == "ok"
    assert received.path == "/lien-thong/nhan?kenh=1"
    assert received.body == data
    delivery = Delivery.objects.get()
    assert received.headers["X-Tinhso-Delivery-Id"] == str(delivery.id)
    assert received.headers["X-Tinhso-Message-Type"] == "edoc"
    assert received.headers["X-Tinhso-Send-Id"] == sent.json()["send_id"]
    assert unquote(received.headers["X-Tinhso-From"]) == SNV
    assert unquote(received.headers["X-Tinhso-Document-Id"]) == sent.json()["document_id"]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_push_at) == ("done", 1, None)
    assert list(
        DeliveryEvent.objects.filter(delivery=delivery).values_list("to_state", "actor")
    ) == [("pending", "tinh-a"), ("fetched", "hub"), ("done", "hub")]
    # and the sender sees it delivered
    recipient = hub.call(hub.a, "GET", "sent").json()["items"][0]["recipients"][0]
    assert recipient["state"] == "done"


def test_deliveries_waiting_when_a_node_registers_its_address_are_pushed(
    hub: Hub, node_server: NodeServer
) -> None:
    assert hub.send(hub.a, hub.sealed(document(to=(BNV,)))).status_code == 201
    assert push.worker_cycle().busy is False  # node b pulls: nothing to push
    _push_node(hub, node_server.url)
    assert push.worker_cycle().pushed == 1
    assert Delivery.objects.get().state == "done"


def test_a_failed_push_is_retried_after_the_back_off(hub: Hub, node_server: NodeServer) -> None:
    # given the node answers 500 once, then 200
    node_server.statuses = [500, 200]
    _push_node(hub, node_server.url)
    assert hub.send(hub.a, hub.sealed(document(to=(BNV,)))).status_code == 201
    # when the worker pushes
    first = push.worker_cycle()
    # then the delivery waits for the first back-off step (10 s) before the next push
    assert (first.pushed, first.push_failed) == (0, 1)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.next_push_at is not None
    wait = (delivery.next_push_at - timezone.now()).total_seconds()
    assert 8 < wait <= 10
    assert "HTTP 500" in DeliveryEvent.objects.filter(delivery=delivery).latest("id").note
    assert push.worker_cycle().busy is False  # not due yet
    assert len(node_server.received) == 1
    # when the back-off has passed
    later = push.worker_cycle(now=timezone.now() + dt.timedelta(seconds=11))
    # then the second push is delivered
    assert later.pushed == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("done", 2)


@override_settings(HUB_MAX_ATTEMPTS=2)
def test_pushes_are_bounded_by_the_maximum_attempts(hub: Hub, node_server: NodeServer) -> None:
    node_server.statuses = [503]
    _push_node(hub, node_server.url)
    assert hub.send(hub.a, hub.sealed(document(to=(BNV,)))).status_code == 201
    push.worker_cycle()
    push.worker_cycle(now=timezone.now() + dt.timedelta(seconds=11))
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("dead", 2)
    assert "HTTP 503" in delivery.reason
    # nothing more is tried
    assert push.worker_cycle(now=timezone.now() + dt.timedelta(hours=2)).busy is False
    assert len(node_server.received) == 2


def test_an_unreachable_node_counts_as_a_failed_push(hub: Hub, hub_credentials: bytes) -> None:
    _push_node(hub, "http://127.0.0.1:9/khong-co")
    assert hub.send(hub.a, hub.sealed(document(to=(BNV,)))).status_code == 201
    counts = push.worker_cycle()
    assert counts.push_failed == 1
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)


def test_a_node_that_takes_pushes_may_still_pull(hub: Hub, node_server: NodeServer) -> None:
    _push_node(hub, node_server.url)
    assert hub.send(hub.a, hub.sealed(document(to=(BNV,)))).status_code == 201
    [item] = hub.inbox(hub.b)
    assert hub.fetch(hub.b, item["id"]).status_code == 200
    # the leased delivery is not pushed meanwhile
    assert push.worker_cycle().pushed == 0
    assert node_server.received == []


def test_without_the_hub_key_nothing_is_pushed(hub: Hub, node_server: NodeServer) -> None:
    _push_node(hub, node_server.url)
    assert hub.send(hub.a, hub.sealed(document(to=(BNV,)))).status_code == 201
    with override_settings(HUB_KEY_FILE=""):
        assert push.worker_cycle().busy is False
    assert node_server.received == []
    assert Delivery.objects.get().state == "pending"


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_pushes_several_at_once(hub: Hub, node_server: NodeServer) -> None:
    _push_node(hub, node_server.url)
    for number in ("1", "2", "3"):
        sent = hub.send(hub.a, hub.sealed(document(number=number, to=(BNV, COMMUNE))))
        assert sent.status_code == 201
    from io import StringIO

    out = StringIO()
    call_command("hub_worker", "--once", stdout=out)
    assert "đẩy được 6" in out.getvalue()
    assert set(Delivery.objects.values_list("state", flat=True)) == {"done"}
    assert len(node_server.received) == 6
    assert {r.signature for r in node_server.received} == {"ok"}
