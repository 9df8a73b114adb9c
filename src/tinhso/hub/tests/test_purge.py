"""The purge empties the bodies of finished packages past HUB_PURGE_DAYS; receipts stay."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tinhso.hub import services
from tinhso.hub.faults import HubFault
from tinhso.hub.models import Delivery, DeliveryEvent, Package, RequestNonce
from tinhso.hub.tests.conftest import BNV, COMMUNE, Hub, document

pytestmark = pytest.mark.urls("tinhso.config.urls_hub")


def _age(package_id: int, days: int) -> None:
    moment = timezone.now() - dt.timedelta(days=days)
    Package.objects.filter(id=package_id).update(created_at=moment)
    Delivery.objects.filter(package_id=package_id).update(created_at=moment, updated_at=moment)


def test_the_purge_keeps_metadata_and_receipts_of_finished_packages(hub: Hub) -> None:
    # given an old package both recipients acknowledged, and an old one still waiting
    done = hub.send(hub.a, hub.sealed(document(number="1", to=(BNV, COMMUNE)))).json()["id"]
    for delivery in Delivery.objects.filter(package_id=done):
        assert hub.fetch(hub.b, delivery.id).status_code == 200
    first, second = Delivery.objects.filter(package_id=done).order_by("id")
    assert hub.ack(hub.b, first.id, "done").status_code == 200
    assert hub.ack(hub.b, second.id, "fail", "Sai nơi nhận").status_code == 200
    waiting = hub.send(hub.a, hub.sealed(document(number="2", to=(BNV,)))).json()["id"]
    recent = hub.send(hub.a, hub.sealed(document(number="3", to=(BNV,)))).json()["id"]
    Delivery.objects.filter(package_id=recent).update(state="done")
    _age(done, 31)
    _age(waiting, 31)
    events_before = DeliveryEvent.objects.count()
    # when
    counts = services.packages_purge()
    # then only the finished old package lost its body
    assert counts.packages == 1
    purged = Package.objects.get(id=done)
    assert bytes(purged.body) == b""
    assert purged.purged_at is not None
    assert purged.document_id and purged.sha256 and purged.size > 0
    assert bytes(Package.objects.get(id=waiting).body) != b""
    assert bytes(Package.objects.get(id=recent).body) != b""
    assert DeliveryEvent.objects.count() == events_before
    # the sender still sees its recipients' outcome
    items = {
        item["id"]: item
        for item in hub.call(hub.a, "GET", "sent?since=2000-01-01T00:00:00Z").json()["items"]
    }
    assert [r["state"] for r in items[done]["recipients"]] == ["done", "failed"]
    # and a purged package cannot be redelivered
    with pytest.raises(HubFault) as refused:
        services.delivery_redeliver(actor="test", delivery_id=second.id)
    assert refused.value.details == ["purged"]
    # a second purge finds nothing more
    assert services.packages_purge().packages == 0


def test_the_purge_forgets_nonces_too_old_to_replay(hub: Hub) -> None:
    assert hub.call(hub.a, "GET", "inbox").status_code == 200
    RequestNonce.objects.create(
        node_code="tinh-a", nonce="cu", seen_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert services.packages_purge().nonces == 1
    assert list(RequestNonce.objects.values_list("node_code", flat=True)) == ["tinh-a"]


def test_the_purge_command(hub: Hub) -> None:
    package_id = hub.send(hub.a, hub.sealed(document(to=(BNV,)))).json()["id"]
    Delivery.objects.filter(package_id=package_id).update(state="dead")
    _age(package_id, 3)
    out = StringIO()
    call_command("hub_purge", "--days", "2", stdout=out)
    assert "Đã xóa nội dung 1 gói tin" in out.getvalue()
    assert Package.objects.get(id=package_id).purged_at is not None
