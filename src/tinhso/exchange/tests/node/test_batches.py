"""The batch calls of decision 0005 §5: the worker takes deliveries with their packages in one
call and acknowledges a batch in one call after each package's transaction committed; a lost
batch acknowledgement costs nothing (the hub offers them again after the lease, the delivery id
dedups); a hub without the batch calls is read one delivery at a time."""

from __future__ import annotations

import pytest

from tinhso.documents import services
from tinhso.documents.models import Document, ExchangeOutbox, Source
from tinhso.exchange.client import AckItem, AckResult
from tinhso.exchange.models import ReceivedPackage, Verdict
from tinhso.exchange.services import inbox_pull, outbox_send_batch
from tinhso.exchange.tests.node.conftest import Hub, Seals, issue
from tinhso.organizations import demo
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db

COMMUNE = services.ExternalRecipient("Phường Phú Xuân", demo.PHU_XUAN_CODE)
TAKE, ACK = ("POST", "/hub/v1/inbox/take"), ("POST", "/hub/v1/inbox/ack")


def _copies(eoffice: EofficeWorld) -> int:
    return Document.objects.filter(agency=eoffice.phu_xuan, source=Source.EXCHANGE).count()


def _issue_two(eoffice: EofficeWorld, hub: Hub) -> None:
    issue(eoffice, external_recipients=(COMMUNE,), subject="Thứ nhất")
    issue(eoffice, external_recipients=(COMMUNE,), subject="Thứ hai")
    assert outbox_send_batch(hub.client()).sent == 2


def test_a_batch_is_taken_and_acknowledged_in_one_call_each(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    # given two documents waiting at the hub for Phường Phú Xuân
    _issue_two(eoffice, hub)
    hub.state.calls.clear()
    # when the worker pulls
    report = inbox_pull(hub.client())
    # then both became incoming documents through one take and one acknowledgement per type,
    # no delivery fetched alone
    assert report.accepted == 2
    assert _copies(eoffice) == 2
    assert hub.state.calls.count(TAKE) == 2  # documents, then statuses
    assert hub.state.calls.count(ACK) == 1  # the statuses' take was empty
    assert not [c for c in hub.state.calls if c[0] == "GET"]
    deliveries = hub.state.deliveries_to(demo.PHU_XUAN_CODE)
    assert [(d.state, d.acks, d.attempts) for d in deliveries] == [("done", 1, 1)] * 2


def test_a_lost_batch_acknowledgement_is_repeated_without_a_second_document(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    # given the batch acknowledgement is lost (the hub answers 503): both are stored anyway
    _issue_two(eoffice, hub)
    hub.state.ack_outage = 1
    first = inbox_pull(hub.client())
    assert first.accepted == 2
    deliveries = hub.state.deliveries_to(demo.PHU_XUAN_CODE)
    assert [d.state for d in deliveries] == ["fetched", "fetched"]
    # when their lease runs out and the worker takes them again
    for d in deliveries:
        d.lease_until = None
    again = inbox_pull(hub.client())
    # then they are acknowledged as received before, and nothing is received twice
    assert (again.again, again.accepted) == (2, 0)
    assert _copies(eoffice) == 2
    assert ExchangeOutbox.objects.filter(status_code="01").count() == 2
    assert ReceivedPackage.objects.filter(verdict=Verdict.ACCEPTED).count() == 2
    assert [(d.state, d.acks, d.attempts) for d in deliveries] == [("done", 1, 2)] * 2


def test_a_leased_delivery_is_not_taken_again_before_its_lease_ends(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    _issue_two(eoffice, hub)
    hub.state.ack_outage = 1
    inbox_pull(hub.client())
    # the lease (300 s) still holds: nothing to take
    assert hub.client().take("edoc", 10) == []


def test_a_hub_without_the_batch_calls_is_read_one_by_one(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    # given a hub from before decision §5 (inbox/take answers 404)
    _issue_two(eoffice, hub)
    hub.state.batch_calls = False
    hub.state.calls.clear()
    client = hub.client()
    # when the worker pulls (twice, with the same client)
    report = inbox_pull(client)
    inbox_pull(client)
    # then it listed, fetched and acknowledged each delivery, and asked for take only once
    assert report.accepted == 2
    assert _copies(eoffice) == 2
    assert hub.state.calls.count(TAKE) == 1
    assert hub.state.calls.count(("GET", "/hub/v1/inbox")) == 4
    deliveries = hub.state.deliveries_to(demo.PHU_XUAN_CODE)
    assert [(d.state, d.acks) for d in deliveries] == [("done", 1)] * 2


def test_the_client_takes_bodies_and_acknowledges_many(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    _issue_two(eoffice, hub)
    client = hub.client()
    taken = client.take("edoc", 1)
    assert len(taken) == 1
    item = taken[0]
    delivery = hub.state.deliveries[item.id]
    assert item.body == delivery.package.body
    assert (item.to_code, item.attempts) == (demo.PHU_XUAN_CODE, 1)
    assert item.lease_until is not None
    answers = client.ack_many(
        [AckItem(item.id, "done"), AckItem("nope", "fail", "không có")],
    )
    assert answers == [
        AckResult(id=item.id, state="done"),
        AckResult(id="nope", fault="not_found"),
    ]
    # idempotent: once more, the same state
    assert client.ack_many([AckItem(item.id, "fail", "x")]) == [AckResult(id=item.id, state="done")]
    assert delivery.state == "done"
