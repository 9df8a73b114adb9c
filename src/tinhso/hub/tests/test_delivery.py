"""Pulling: the inbox, leases, bounded attempts, acknowledgements, and the sender's view."""

from __future__ import annotations

import datetime as dt
import threading
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.hub import services
from tinhso.hub.faults import HubFault
from tinhso.hub.models import Delivery, DeliveryEvent
from tinhso.hub.tests.conftest import BNV, COMMUNE, OTHER, SNV, Hub, document

pytestmark = pytest.mark.urls("tinhso.config.urls_hub")


def _send(hub: Hub, **kwargs: object) -> int:
    response = hub.send(hub.a, hub.sealed(document(**kwargs)))  # type: ignore[arg-type]
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def _delivery(organ_id: str = BNV) -> Delivery:
    return Delivery.objects.filter(organ_id=organ_id).latest("id")


def _expire_lease(delivery: Delivery) -> None:
    Delivery.objects.filter(id=delivery.id).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )


def test_the_inbox_lists_oldest_first_and_honours_the_limit(hub: Hub) -> None:
    for number in ("1", "2", "3"):
        _send(hub, number=number, to=(BNV,))
    items = hub.inbox(hub.b)
    assert [item["document_id"].rsplit(",", 1)[1] for item in items] == [
        "1/QĐ-SNV",
        "2/QĐ-SNV",
        "3/QĐ-SNV",
    ]
    assert [item["id"] for item in hub.inbox(hub.b, "?limit=2")] == [
        items[0]["id"],
        items[1]["id"],
    ]


def test_a_fetched_delivery_is_leased_then_offered_again_when_the_lease_runs_out(
    hub: Hub,
) -> None:
    # given
    _send(hub)
    delivery = _delivery()
    # when b fetches it
    fetched = hub.fetch(hub.b, delivery.id)
    # then it is leased: not listed, not handed out again
    assert fetched.status_code == 200
    assert fetched["X-Tinhso-Attempts"] == "1"
    delivery.refresh_from_db()
    assert delivery.state == "fetched"
    assert delivery.lease_until is not None
    assert delivery.lease_until > timezone.now() + dt.timedelta(seconds=250)
    assert hub.inbox(hub.b) == []
    again = hub.fetch(hub.b, delivery.id)
    assert again.status_code == 409
    assert again.json()["fault"] == "not_available"
    # when the lease runs out without an acknowledgement
    _expire_lease(delivery)
    # then it is listed and handed out again, counting a second attempt
    assert [item["id"] for item in hub.inbox(hub.b)] == [delivery.id]
    assert hub.inbox(hub.b)[0]["attempts"] == 1
    assert hub.fetch(hub.b, delivery.id)["X-Tinhso-Attempts"] == "2"


def test_the_worker_returns_expired_leases_to_the_queue(hub: Hub) -> None:
    _send(hub)
    delivery = _delivery()
    assert hub.fetch(hub.b, delivery.id).status_code == 200
    _expire_lease(delivery)
    counts = services.leases_expire()
    assert (counts.returned, counts.dead) == (1, 0)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.lease_until) == ("pending", None)
    event = DeliveryEvent.objects.filter(delivery=delivery).latest("id")
    assert (event.from_state, event.to_state, event.actor) == ("fetched", "pending", "hub")


@override_settings(HUB_MAX_ATTEMPTS=2)
def test_past_the_maximum_attempts_a_delivery_is_dead_and_not_listed(hub: Hub) -> None:
    # given two fetches whose leases ran out
    _send(hub)
    delivery = _delivery()
    for _attempt in range(2):
        assert hub.fetch(hub.b, delivery.id).status_code == 200
        _expire_lease(delivery)
    # then it is no longer offered
    assert hub.inbox(hub.b) == []
    # and a third fetch parks it as dead for the operator
    third = hub.fetch(hub.b, delivery.id)
    assert third.status_code == 409
    assert third.json()["details"] == ["dead"]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("dead", 2)


@override_settings(HUB_MAX_ATTEMPTS=1)
def test_the_worker_parks_a_delivery_past_its_attempts_as_dead(hub: Hub) -> None:
    _send(hub)
    delivery = _delivery()
    assert hub.fetch(hub.b, delivery.id).status_code == 200
    _expire_lease(delivery)
    assert services.leases_expire().dead == 1
    delivery.refresh_from_db()
    assert delivery.state == "dead"
    assert delivery.reason
    sent = hub.call(hub.a, "GET", "sent").json()["items"][0]["recipients"][0]
    assert (sent["state"], sent["reason"]) == ("dead", delivery.reason)


def test_an_operator_redelivers_a_dead_delivery(hub: Hub) -> None:
    # given
    _send(hub)
    delivery = _delivery()
    Delivery.objects.filter(id=delivery.id).update(state="dead", attempts=10, reason="x")
    operator = User.objects.create_user(
        username="vanhanh", password="x" * 12, full_name="Người vận hành", is_staff=True
    )
    # when
    services.delivery_redeliver(actor=operator, delivery_id=delivery.id)
    # then
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.reason) == ("pending", 0, "")
    event = DeliveryEvent.objects.filter(delivery=delivery).latest("id")
    assert (event.from_state, event.to_state, event.actor, event.note) == (
        "dead",
        "pending",
        "operator:vanhanh",
        "x",
    )
    audit = AuditEvent.objects.get(action="hub.delivery.redeliver")
    assert (audit.actor_id, audit.object_id) == (operator.id, str(delivery.id))
    assert [item["id"] for item in hub.inbox(hub.b)] == [delivery.id]


def test_only_failed_or_dead_deliveries_can_be_redelivered(hub: Hub) -> None:
    _send(hub)
    with pytest.raises(HubFault) as refused:
        services.delivery_redeliver(actor="test", delivery_id=_delivery().id)
    assert refused.value.code == "not_available"


def test_an_acknowledgement_is_idempotent(hub: Hub) -> None:
    # given
    _send(hub)
    delivery = _delivery()
    assert hub.fetch(hub.b, delivery.id).status_code == 200
    # when acknowledged twice
    first = hub.ack(hub.b, delivery.id, "done")
    second = hub.ack(hub.b, delivery.id, "done")
    # then
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {"id": delivery.id, "state": "done"}
    assert DeliveryEvent.objects.filter(delivery=delivery, to_state="done").count() == 1
    # a contrary acknowledgement afterwards is refused
    contrary = hub.ack(hub.b, delivery.id, "fail", "muộn")
    assert contrary.status_code == 409
    delivery.refresh_from_db()
    assert delivery.state == "done"
    # a finished delivery is not handed out again
    assert hub.fetch(hub.b, delivery.id).status_code == 409


def test_a_late_acknowledgement_of_a_dead_delivery_counts(hub: Hub) -> None:
    _send(hub)
    delivery = _delivery()
    Delivery.objects.filter(id=delivery.id).update(state="dead")
    assert hub.ack(hub.b, delivery.id, "done").json()["state"] == "done"


def test_a_refusal_needs_a_reason_and_the_sender_sees_it(hub: Hub) -> None:
    # given
    package_id = _send(hub, to=(BNV, COMMUNE))
    delivery = _delivery(BNV)
    assert hub.fetch(hub.b, delivery.id).status_code == 200
    # when b refuses it without a reason, then with one
    bare = hub.ack(hub.b, delivery.id, "fail", "  ")
    assert bare.status_code == 400
    assert bare.json()["fault"] == "bad_request"
    refused = hub.ack(hub.b, delivery.id, "fail", "Chữ ký số trên tệp PDF không hợp lệ")
    assert refused.json() == {"id": delivery.id, "state": "failed"}
    # then the sender's list shows each recipient's state and the reason
    items = hub.call(hub.a, "GET", "sent").json()["items"]
    assert [item["id"] for item in items] == [package_id]
    recipients = {r["organ_id"]: r for r in items[0]["recipients"]}
    assert recipients[BNV]["state"] == "failed"
    assert recipients[BNV]["reason"] == "Chữ ký số trên tệp PDF không hợp lệ"
    assert recipients[COMMUNE] | {"updated_at": None} == {
        "organ_id": COMMUNE,
        "state": "pending",
        "updated_at": None,
        "reason": "",
    }
    assert set(items[0]) >= {"id", "send_id", "document_id", "message_type", "created_at"}
    # the receiver's list of sent packages does not show it
    assert hub.call(hub.b, "GET", "sent").json()["items"] == []


def test_the_sent_list_follows_changes_since_a_moment(hub: Hub) -> None:
    first = _send(hub, number="1")
    second = _send(hub, number="2")
    mark = timezone.now()
    # only the first changes after the mark
    assert hub.fetch(hub.b, _delivery_of(first).id).status_code == 200
    since = mark.astimezone(dt.UTC).isoformat()
    items = hub.call(hub.a, "GET", f"sent?{urlencode({'since': since})}").json()["items"]
    assert [item["id"] for item in items] == [first]
    assert items[0]["recipients"][0]["state"] == "fetched"
    everything = hub.call(hub.a, "GET", "sent").json()["items"]
    assert [item["id"] for item in everything] == [second, first]
    bad = hub.call(hub.a, "GET", "sent?since=yesterday")
    assert bad.status_code == 400


def _delivery_of(package_id: int) -> Delivery:
    return Delivery.objects.get(package_id=package_id)


def test_the_agencies_list_names_each_agency_and_its_node(hub: Hub) -> None:
    items = hub.call(hub.c, "GET", "agencies").json()["items"]
    assert {(item["organ_id"], item["node"]) for item in items} == {
        ("H57.02", "tinh-a"),
        ("H57.09", "tinh-a"),
        ("H57.05", "tinh-b"),
        (BNV, "tinh-b"),
        (COMMUNE, "tinh-b"),
        (OTHER, "tinh-c"),
    }
    assert [item["organ_id"] for item in items] == sorted(item["organ_id"] for item in items)


def test_the_inbox_reads_no_package_body(hub: Hub) -> None:
    for number in ("1", "2", "3", "4"):
        _send(hub, number=number, to=(BNV, COMMUNE))
    with CaptureQueriesContext(connection) as queries:
        items = hub.inbox(hub.b)
    assert len(items) == 8
    listing = [q["sql"] for q in queries.captured_queries if "hub_delivery" in q["sql"]]
    assert len(listing) == 1
    assert '"body"' not in listing[0]


@pytest.mark.django_db(transaction=True)
def test_concurrent_pullers_of_one_node_never_get_one_delivery_twice(hub: Hub) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers")
    # given six deliveries to node b
    for number in ("1", "2", "3"):
        _send(hub, number=number, to=(BNV, COMMUNE))
    ids = [item["id"] for item in hub.inbox(hub.b)]
    assert len(ids) == 6
    barrier = threading.Barrier(4)
    got: list[int] = []
    lock = threading.Lock()

    def pull() -> None:
        caller = Hub(hub.a, hub.b, hub.c, hub.seal, client=Client())
        barrier.wait()
        try:
            # every puller tries every delivery it saw listed
            for delivery_id in ids:
                response = caller.fetch(hub.b, delivery_id)
                if response.status_code == 200:
                    with lock:
                        got.append(delivery_id)
                else:
                    assert response.status_code == 409
        finally:
            connection.close()

    threads = [threading.Thread(target=pull) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got) == sorted(ids)
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def test_the_sender_of_a_package_is_not_its_receiver(hub: Hub) -> None:
    _send(hub, to=(OTHER,))
    assert hub.inbox(hub.a) == []
    assert [item["from"] for item in hub.inbox(hub.c)] == [SNV]
