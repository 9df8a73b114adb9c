"""The batch calls (decision 0005 §5): take many deliveries at once, acknowledge many at once."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tinhso.exchange import takeframe
from tinhso.hub.models import Delivery, DeliveryEvent, Package
from tinhso.hub.tests.conftest import BNV, COMMUNE, OTHER, STP, Hub, NodeHandle, document, status

pytestmark = pytest.mark.urls("tinhso.config.urls_hub")


def _send(hub: Hub, **kwargs: Any) -> int:
    response = hub.send(hub.a, hub.sealed(document(**kwargs)))
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def _take(hub: Hub, node: NodeHandle, *, accept: str = "", **fields: Any) -> Any:
    return hub.call(
        node,
        "POST",
        "inbox/take",
        json.dumps(fields).encode(),
        content_type="application/json",
        headers={"Accept": accept} if accept else None,
    )


def _ack(hub: Hub, node: NodeHandle, items: list[dict[str, Any]]) -> Any:
    return hub.call(
        node,
        "POST",
        "inbox/ack",
        json.dumps({"items": items}).encode(),
        content_type="application/json",
    )


def test_take_leases_the_available_deliveries_oldest_first_with_their_bodies(hub: Hub) -> None:
    # given three packages for b and one for c
    for number in ("1", "2", "3"):
        _send(hub, number=number, to=(BNV,))
    _send(hub, number="9", to=(OTHER,))
    # when b takes two
    response = _take(hub, hub.b, limit=2)
    # then the two oldest, leased, counted, with the stored bytes
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [item["document_id"].rsplit(",", 1)[1] for item in items] == ["1/QĐ-SNV", "2/QĐ-SNV"]
    for item in items:
        delivery = Delivery.objects.get(id=item["id"])
        package = Package.objects.get(id=item["package"])
        assert base64.b64decode(item["body"]) == bytes(package.body)
        assert (delivery.state, delivery.attempts, item["attempts"]) == ("fetched", 1, 1)
        assert delivery.lease_until is not None
        assert delivery.lease_until > timezone.now() + dt.timedelta(seconds=250)
        assert item["lease_until"] == delivery.lease_until.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert (item["from"], item["to"], item["message_type"]) == ("H57.02", BNV, "edoc")
        assert item["send_id"] == str(package.send_id)
        assert list(
            DeliveryEvent.objects.filter(delivery=delivery).values_list(
                "from_state", "to_state", "attempt", "actor"
            )
        ) == [("", "pending", 0, "tinh-a"), ("pending", "fetched", 1, "tinh-b")]
    # a leased delivery is not taken again; the third is
    again = _take(hub, hub.b)
    assert [item["document_id"].rsplit(",", 1)[1] for item in again.json()["items"]] == ["3/QĐ-SNV"]
    assert _take(hub, hub.b).json()["items"] == []
    # c takes only its own
    assert [item["to"] for item in _take(hub, hub.c).json()["items"]] == [OTHER]


def test_take_in_the_binary_form_gives_the_same_items_and_the_bodies_as_stored(hub: Hub) -> None:
    # given four packages for b, of different sizes
    for number, size in (("1", 10), ("2", 150_000), ("3", 0), ("4", 70_000)):
        _send(hub, number=number, to=(BNV,), attachment=os.urandom(size))
    # when b takes two in JSON and two asking for the binary form
    as_json = _take(hub, hub.b, limit=2).json()["items"]
    response = _take(hub, hub.b, accept=f"{takeframe.MEDIA_TYPE}, application/json;q=0.5", limit=5)
    # then the binary answer holds the JSON form's fields and the stored bytes
    assert response.status_code == 200
    assert response["Content-Type"] == takeframe.MEDIA_TYPE
    framed = takeframe.decode(response.content)
    assert [row["document_id"].rsplit(",", 1)[1] for row, _ in framed] == ["3/QĐ-SNV", "4/QĐ-SNV"]
    for row, body in framed:
        assert set(row) == set(as_json[0]) - {"body"}
        delivery = Delivery.objects.get(id=row["id"])
        assert body == bytes(Package.objects.get(id=row["package"]).body)
        assert (delivery.state, row["attempts"], row["to"]) == ("fetched", 1, BNV)
        assert delivery.lease_until is not None
        assert row["lease_until"] == delivery.lease_until.strftime("%Y-%m-%dT%H:%M:%SZ")
    # nothing left: an empty binary answer
    empty = _take(hub, hub.b, accept=takeframe.MEDIA_TYPE)
    assert takeframe.decode(empty.content) == []


def test_take_offers_a_delivery_again_once_its_lease_ran_out(hub: Hub) -> None:
    _send(hub)
    first = _take(hub, hub.b).json()["items"]
    Delivery.objects.filter(id=first[0]["id"]).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    second = _take(hub, hub.b).json()["items"]
    assert [(item["id"], item["attempts"]) for item in second] == [(first[0]["id"], 2)]


@override_settings(HUB_MAX_ATTEMPTS=1)
def test_take_leaves_a_delivery_past_its_attempts_to_the_worker(hub: Hub) -> None:
    _send(hub)
    (item,) = _take(hub, hub.b).json()["items"]
    Delivery.objects.filter(id=item["id"]).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert _take(hub, hub.b).json()["items"] == []
    assert Delivery.objects.get(id=item["id"]).attempts == 1


def test_take_filters_by_message_type_and_refuses_bad_input(hub: Hub) -> None:
    answered = document(to=(STP,))
    _send(hub, to=(BNV,))
    stat = status(answered, sender=STP, to=(COMMUNE,))
    assert hub.send(hub.b, hub.sealed(stat), message_type="status").status_code == 201
    statuses = _take(hub, hub.b, message_type="status").json()["items"]
    assert [item["message_type"] for item in statuses] == ["status"]
    assert [item["message_type"] for item in _take(hub, hub.b).json()["items"]] == ["edoc"]
    for fields in ({"limit": 0}, {"limit": "x"}, {"message_type": "fax"}):
        refused = _take(hub, hub.b, **fields)
        assert refused.status_code == 400, fields
        assert refused.json()["fault"] == "bad_request"
    bad_json = hub.call(hub.b, "POST", "inbox/take", b"[1]", content_type="application/json")
    assert bad_json.status_code == 400
    assert hub.call(None, "POST", "inbox/take", b"{}").status_code == 401


def test_take_caps_the_limit_and_the_bytes(hub: Hub, settings: Any) -> None:
    for number in ("1", "2", "3"):
        _send(hub, number=number, to=(BNV,))
    size = Package.objects.values_list("size", flat=True).first()
    assert size is not None
    # room for two bodies: two go out, the third stays pending
    settings.HUB_TAKE_MAX_BYTES = 2 * size + 1
    assert len(_take(hub, hub.b, limit=1000).json()["items"]) == 2
    # room for none: one still goes out
    settings.HUB_TAKE_MAX_BYTES = 1
    assert len(_take(hub, hub.b).json()["items"]) == 1


def test_take_costs_few_statements_whatever_the_batch(hub: Hub, settings: Any) -> None:
    settings.HUB_REGISTRY_RECHECK_SECONDS = 60  # as deployed: the registry is not re-read
    for number in ("1", "2", "3", "4", "5"):
        _send(hub, number=number, to=(BNV,))
    with CaptureQueriesContext(connection) as queries:
        assert len(_take(hub, hub.b).json()["items"]) == 5
    writes = [q["sql"] for q in queries.captured_queries if "hub_" in q["sql"]]
    # the nonce, the locked rows, the bodies, one update, the receipts
    assert len(writes) == 5, writes


def test_ack_many_applies_each_item_as_the_single_call(hub: Hub) -> None:
    # given four deliveries to b, three taken
    for number in ("1", "2", "3", "4"):
        _send(hub, number=number, to=(BNV,))
    taken = [item["id"] for item in _take(hub, hub.b, limit=3).json()["items"]]
    untaken = Delivery.objects.exclude(id__in=taken).get().id
    other_node = Delivery.objects.create(
        package_id=Package.objects.first().id,  # type: ignore[union-attr]
        organ_id=OTHER,
        node_id=Delivery.objects.get(id=taken[0]).sender_node_id,
        sender_node_id=Delivery.objects.get(id=taken[0]).sender_node_id,
        dedup_key="x",
    ).id
    # when b acknowledges a batch with good and bad items
    response = _ack(
        hub,
        hub.b,
        [
            {"id": taken[0], "status": "done"},
            {"id": taken[1], "status": "fail", "reason": "Tệp PDF hỏng"},
            {"id": taken[2], "status": "fail", "reason": "  "},
            {"id": untaken, "status": "done"},
            {"id": other_node, "status": "done"},
            {"id": 999_999_999, "status": "done"},
            {"id": taken[0], "status": "fail", "reason": "ngược lại"},
            {"id": taken[2], "status": "maybe"},
        ],
    )
    # then each item has its own answer, in order
    assert response.status_code == 200, response.content
    answers = response.json()["items"]
    assert answers[0] == {"id": taken[0], "state": "done"}
    assert answers[1] == {"id": taken[1], "state": "failed"}
    assert [answers[i].get("fault") for i in range(2, 8)] == [
        "bad_request",
        None,
        "not_found",
        "not_found",
        "not_available",
        "bad_request",
    ]
    assert answers[3] == {"id": untaken, "state": "done"}
    assert all(answer["message"] for answer in answers if "fault" in answer)
    states = dict(Delivery.objects.values_list("id", "state"))
    assert (states[taken[0]], states[taken[1]], states[taken[2]]) == ("done", "failed", "fetched")
    assert (states[untaken], states[other_node]) == ("done", "pending")
    failed = Delivery.objects.get(id=taken[1])
    assert (failed.reason, failed.lease_until) == ("Tệp PDF hỏng", None)
    assert list(
        DeliveryEvent.objects.filter(delivery_id=taken[1])
        .order_by("id")
        .values_list("to_state", "attempt", "actor", "note")
    ) == [
        ("pending", 0, "tinh-a", "H57.02"),
        ("fetched", 1, "tinh-b", ""),
        ("failed", 1, "tinh-b", "Tệp PDF hỏng"),
    ]


def test_ack_many_is_idempotent_and_a_late_ack_of_a_dead_delivery_counts(hub: Hub) -> None:
    _send(hub, number="1", to=(BNV,))
    _send(hub, number="2", to=(BNV,))
    first, second = (item["id"] for item in _take(hub, hub.b).json()["items"])
    Delivery.objects.filter(id=second).update(state="dead", lease_until=None)
    items = [{"id": first, "status": "done"}, {"id": second, "status": "done"}]
    once = _ack(hub, hub.b, items).json()
    twice = _ack(hub, hub.b, [*items, {"id": first, "status": "done"}]).json()
    assert once["items"] == [{"id": first, "state": "done"}, {"id": second, "state": "done"}]
    assert twice["items"] == once["items"] + [{"id": first, "state": "done"}]
    assert DeliveryEvent.objects.filter(to_state="done").count() == 2
    assert set(Delivery.objects.values_list("state", flat=True)) == {"done"}


def test_ack_many_refuses_a_malformed_or_too_long_batch_and_writes_nothing(hub: Hub) -> None:
    _send(hub)
    (item,) = _take(hub, hub.b).json()["items"]
    too_many = [{"id": item["id"], "status": "done"}] * 501
    for items in (too_many, "x", [{"id": "1", "status": "done"}], [item["id"]]):
        body = json.dumps({"items": items}).encode()
        response = hub.call(hub.b, "POST", "inbox/ack", body, content_type="application/json")
        assert response.status_code == 400, items
        assert response.json()["fault"] == "bad_request"
    assert Delivery.objects.get(id=item["id"]).state == "fetched"
    assert not DeliveryEvent.objects.filter(to_state="done").exists()


def test_ack_many_costs_few_statements_whatever_the_batch(hub: Hub, settings: Any) -> None:
    settings.HUB_REGISTRY_RECHECK_SECONDS = 60  # as deployed: the registry is not re-read
    for number in ("1", "2", "3", "4", "5"):
        _send(hub, number=number, to=(BNV,))
    ids = [item["id"] for item in _take(hub, hub.b).json()["items"]]
    with CaptureQueriesContext(connection) as queries:
        response = _ack(hub, hub.b, [{"id": i, "status": "done"} for i in ids])
    assert [answer["state"] for answer in response.json()["items"]] == ["done"] * 5
    statements = [q["sql"] for q in queries.captured_queries if "hub_" in q["sql"]]
    # the nonce, the locked rows, one update, the receipts
    assert len(statements) == 4, statements
