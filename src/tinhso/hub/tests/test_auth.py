"""Every call of the hub's API is a signed request of a registered, enabled node."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from tinhso.exchange import httpsig
from tinhso.hub import services
from tinhso.hub.models import Delivery, Package, RequestNonce
from tinhso.hub.tests.conftest import BNV, SNV, Hub, NodeHandle, credentials, document

pytestmark = pytest.mark.urls("tinhso.config.urls_hub")


def _fault(response: object) -> str:
    return str(response.json()["fault"])  # type: ignore[attr-defined]


def test_a_signed_request_of_a_registered_node_is_answered(hub: Hub) -> None:
    # when
    response = hub.call(hub.a, "GET", "agencies")
    # then
    assert response.status_code == 200
    assert {"organ_id": SNV, "name": "Sở Nội vụ", "node": "tinh-a"} in response.json()["items"]


def test_an_unsigned_request_is_refused(hub: Hub) -> None:
    response = hub.call(None, "GET", "agencies")
    assert response.status_code == 401
    assert _fault(response) == "unauthorised"
    assert response.json()["details"] == ["missing"]
    assert response.json()["message"].startswith("Yêu cầu không được xác thực")


def test_an_unknown_node_is_refused(hub: Hub) -> None:
    key_pem, _cert = credentials("tinh-x")
    stranger = NodeHandle("tinh-x", httpsig.load_private_key(key_pem), b"", ())
    response = hub.call(stranger, "GET", "agencies")
    assert response.status_code == 401
    assert response.json()["details"] == ["unknown_node"]


def test_a_disabled_node_is_refused(hub: Hub) -> None:
    # given
    services.node_register(
        actor="test",
        code="tinh-c",
        name="Nút tinh-c",
        certificate_pem=hub.c.certificate_pem,
        enabled=False,
    )
    # when
    response = hub.call(hub.c, "GET", "agencies")
    # then
    assert response.status_code == 401
    assert response.json()["details"] == ["unknown_node"]


def test_a_request_signed_with_another_nodes_key_is_refused(hub: Hub) -> None:
    # node b's key, claiming to be node a
    impostor = NodeHandle("tinh-a", hub.b.key, b"", ())
    response = hub.call(impostor, "GET", "inbox")
    assert response.status_code == 401
    assert response.json()["details"] == ["bad_signature"]


def test_a_body_changed_after_signing_is_refused(hub: Hub) -> None:
    data = b"<edXML/>"
    signed = httpsig.sign_request("POST", "/hub/v1/packages", data, node="tinh-a", key=hub.a.key)
    response = hub.call(
        None,
        "POST",
        "packages",
        data + b" ",
        signed_headers=signed,
        headers={"X-Tinhso-Message-Type": "edoc", "X-Tinhso-Send-Id": "x"},
    )
    assert response.status_code == 401
    assert response.json()["details"] == ["bad_digest"]


def test_a_stale_date_is_refused(hub: Hub) -> None:
    response = hub.call(
        hub.a, "GET", "inbox", now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    )
    assert response.status_code == 401
    assert response.json()["details"] == ["stale"]


@override_settings(HUB_CLOCK_SKEW_SECONDS=900)
def test_the_skew_window_is_configurable(hub: Hub) -> None:
    response = hub.call(
        hub.a, "GET", "inbox", now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    )
    assert response.status_code == 200


def test_a_replayed_request_is_refused(hub: Hub) -> None:
    # given
    signed = httpsig.sign_request("GET", "/hub/v1/inbox", b"", node="tinh-a", key=hub.a.key)
    first = hub.call(None, "GET", "inbox", signed_headers=signed)
    assert first.status_code == 200
    # when the same request (same nonce) comes again
    again = hub.call(None, "GET", "inbox", signed_headers=signed)
    # then
    assert again.status_code == 401
    assert again.json()["details"] == ["replayed"]
    assert (
        RequestNonce.objects.filter(node_code="tinh-a", nonce=signed["X-Tinhso-Nonce"]).count() == 1
    )


def test_the_signature_covers_the_query_string(hub: Hub) -> None:
    signed = httpsig.sign_request("GET", "/hub/v1/inbox?limit=1", b"", node="tinh-a", key=hub.a.key)
    response = hub.call(None, "GET", "inbox?limit=500", signed_headers=signed)
    assert response.status_code == 401
    assert response.json()["details"] == ["bad_signature"]


def test_a_node_cannot_read_or_acknowledge_another_nodes_delivery(hub: Hub) -> None:
    # given a package from a (Sở Nội vụ) to b (Bộ Nội vụ)
    sent = hub.send(hub.a, hub.sealed(document(to=(BNV,))))
    assert sent.status_code == 201
    delivery = Delivery.objects.get(package_id=sent.json()["id"])
    # when node c (and the sender a) try to take it
    for node in (hub.c, hub.a):
        assert hub.fetch(node, delivery.id).status_code == 404
        assert hub.ack(node, delivery.id).status_code == 404
        assert hub.inbox(node) == []
    # then it is still waiting for b, untouched
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 0)
    assert [item["id"] for item in hub.inbox(hub.b)] == [delivery.id]


def test_a_node_cannot_send_for_an_agency_it_does_not_serve(hub: Hub) -> None:
    # Sở Nội vụ (H57.02) is served by tinh-a; tinh-c sends in its name with its genuine seal
    response = hub.send(hub.c, hub.sealed(document(sender=SNV, to=(BNV,))))
    assert response.status_code == 403
    assert response.json()["fault"] == "forbidden"
    assert response.json()["details"] == [SNV]
    assert not Package.objects.exists()


@override_settings(HUB_MTLS_HEADER="X-SSL-Client-Cert")
def test_a_client_certificate_from_the_tls_proxy_identifies_the_node(hub: Hub) -> None:
    from urllib.parse import quote

    escaped = quote(hub.b.certificate_pem.decode("ascii"), safe="")
    ok = hub.call(None, "GET", "inbox", headers={"X-SSL-Client-Cert": escaped})
    assert ok.status_code == 200
    # a certificate nobody registered, or one claiming another node, is refused
    _key, stranger = credentials("tinh-x")
    unknown = hub.call(
        None, "GET", "inbox", headers={"X-SSL-Client-Cert": quote(stranger.decode(), safe="")}
    )
    assert unknown.status_code == 401
    mismatch = hub.call(
        None,
        "GET",
        "inbox",
        headers={"X-SSL-Client-Cert": escaped, "X-Tinhso-Node": "tinh-a"},
    )
    assert mismatch.status_code == 401


def test_without_the_proxy_setting_the_certificate_header_counts_for_nothing(hub: Hub) -> None:
    from urllib.parse import quote

    escaped = quote(hub.b.certificate_pem.decode("ascii"), safe="")
    response = hub.call(None, "GET", "inbox", headers={"X-SSL-Client-Cert": escaped})
    assert response.status_code == 401


def test_the_wrong_method_gets_a_fault(hub: Hub) -> None:
    response = hub.call(hub.a, "DELETE", "inbox")
    assert response.status_code == 405
    assert response.json()["fault"] == "method_not_allowed"
