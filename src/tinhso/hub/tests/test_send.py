"""Sending: the entry checks (faults as DHX answers them), store once, deliver to each recipient,
and de-duplication on the send id and on (DocumentId, recipient, business type)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import uuid

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import connection
from django.test import Client, override_settings

from tinhso.exchange import edxml
from tinhso.hub.models import Delivery, DeliveryEvent, Package
from tinhso.hub.tests.conftest import (
    BNV,
    COMMUNE,
    OTHER,
    SNV,
    STP,
    VP,
    Hub,
    document,
    status,
)
from tinhso.testing.signing import LocalPki

pytestmark = pytest.mark.urls("tinhso.config.urls_hub")


def _nothing_stored() -> bool:
    return not Package.objects.exists() and not Delivery.objects.exists()


# --- Store once, deliver to N -----------------------------------------------------------------


def test_a_package_for_three_agencies_of_two_nodes_is_stored_once(hub: Hub) -> None:
    # given a signed document of Sở Nội vụ to a ministry and a commune (node b) and a
    # province elsewhere (node c)
    package = document(to=(BNV, COMMUNE, OTHER), attachment=os.urandom(100_000))
    data = hub.sealed(package)
    send_id = str(uuid.uuid4())
    # when
    response = hub.send(hub.a, data, send_id=send_id)
    # then
    assert response.status_code == 201
    answer = response.json()
    stored = Package.objects.get()
    assert answer == {
        "id": stored.id,
        "send_id": send_id,
        "document_id": package.document_id,
        "message_type": "edoc",
        "recipients": [
            {"organ_id": BNV, "node": "tinh-b", "state": "pending"},
            {"organ_id": COMMUNE, "node": "tinh-b", "state": "pending"},
            {"organ_id": OTHER, "node": "tinh-c", "state": "pending"},
        ],
    }
    assert bytes(stored.body) == data
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert (stored.from_organ, stored.business_code, stored.size) == (SNV, "0", len(data))
    deliveries = list(Delivery.objects.order_by("id").values_list("organ_id", "node__code"))
    assert deliveries == [(BNV, "tinh-b"), (COMMUNE, "tinh-b"), (OTHER, "tinh-c")]
    assert DeliveryEvent.objects.filter(to_state="pending", from_state="").count() == 3
    # each node sees its own deliveries, with the body as sent
    b_items = hub.inbox(hub.b)
    assert [item["to"] for item in b_items] == [BNV, COMMUNE]
    assert b_items[0] | {"id": 0, "created_at": ""} == {
        "id": 0,
        "package": stored.id,
        "message_type": "edoc",
        "from": SNV,
        "to": BNV,
        "document_id": package.document_id,
        "send_id": send_id,
        "created_at": "",
        "attempts": 0,
    }
    fetched = hub.fetch(hub.c, hub.inbox(hub.c)[0]["id"])
    assert fetched.status_code == 200
    assert fetched["Content-Type"] == "application/xml"
    assert fetched.content == data


def test_a_body_is_kept_out_of_line_without_compressing_it(hub: Hub) -> None:
    """PostgreSQL stores bodies out of line and uncompressed: pglz would scan each one to find
    that base64 of zipped files does not shrink (migration 0002)."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage setting")
    data = hub.sealed(document(to=(BNV,), attachment=os.urandom(100_000)))
    assert hub.send(hub.a, data).status_code == 201
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'hub_package'::regclass AND attname = 'body'"
        )
        assert cursor.fetchone() == ("e",)
        cursor.execute("SELECT pg_column_compression(body) FROM hub_package")
        assert cursor.fetchone() == (None,)


def test_a_status_goes_to_its_to_or_else_to_the_answered_agency(hub: Hub) -> None:
    answered = document(to=(STP,))
    with_to = status(answered, code="01", to=(SNV,))
    without_to = status(answered, code="03", to=())
    for package in (with_to, without_to):
        response = hub.send(hub.b, hub.sealed(package), message_type="status")
        assert response.status_code == 201, response.content
        assert response.json()["recipients"] == [
            {"organ_id": SNV, "node": "tinh-a", "state": "pending"}
        ]
        assert response.json()["document_id"] == answered.document_id
    assert sorted(Package.objects.values_list("business_code", flat=True)) == ["01", "03"]
    assert [item["message_type"] for item in hub.inbox(hub.a, "?message_type=status")] == [
        "status",
        "status",
    ]
    assert hub.inbox(hub.a, "?message_type=edoc") == []


# --- Entry faults -----------------------------------------------------------------------------


def test_not_xml_is_a_bad_package(hub: Hub) -> None:
    response = hub.send(hub.a, b"this is not xml at all")
    assert response.status_code == 400
    body = response.json()
    assert body["fault"] == "bad_package"
    assert body["message"]
    assert body["details"][0] == "not_xml"
    assert _nothing_stored()


def test_hostile_xml_is_refused_without_expanding_anything(hub: Hub) -> None:
    billion_laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<edXML>&lol3;</edXML>"
    )
    external = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<edXML>&xxe;</edXML>"
    )
    for data in (billion_laughs, external):
        response = hub.send(hub.a, data)
        assert response.status_code == 400
        assert response.json()["fault"] == "bad_package"
        assert response.json()["details"][0] == "forbidden_dtd"
        assert b"root:" not in response.content
    assert _nothing_stored()


def test_xml_that_is_not_edxml_is_a_bad_package(hub: Hub) -> None:
    response = hub.send(hub.a, b"<?xml version='1.0'?><invoice><total>1</total></invoice>")
    assert response.status_code == 400
    assert response.json()["fault"] == "bad_package"


def test_an_unsigned_package_is_refused(hub: Hub) -> None:
    response = hub.send(hub.a, edxml.build(document()))
    assert response.status_code == 400
    assert response.json()["fault"] == "bad_package"
    assert "chữ ký số" in response.json()["message"]
    assert _nothing_stored()


@override_settings(HUB_REQUIRE_SIGNATURE=False)
def test_an_unsigned_package_passes_where_signatures_are_not_required(hub: Hub) -> None:
    response = hub.send(hub.a, edxml.build(document()))
    assert response.status_code == 201


def test_a_package_changed_after_signing_is_refused(hub: Hub) -> None:
    data = hub.sealed(document())
    tampered = data.replace("thử nghiệm".encode(), b"thu nghiem", 1)
    assert tampered != data
    response = hub.send(hub.a, tampered)
    assert response.status_code == 400
    body = response.json()
    assert body["fault"] == "bad_package"
    assert body["message"] == "Chữ ký số của gói tin không hợp lệ."
    assert body["details"]  # the reasons, in Vietnamese
    assert _nothing_stored()


def test_a_signature_under_an_untrusted_root_is_refused(hub: Hub) -> None:
    # given an envelope sealed with a key whose self-made certificate no anchor vouches for
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(x509.NameOID.COMMON_NAME, "Sở Nội vụ (giả)"),
            x509.NameAttribute(x509.NameOID.ORGANIZATION_IDENTIFIER, SNV),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    data = edxml.sign(
        edxml.build(document()),
        sign_raw=lambda signed_info: key.sign(signed_info, ec.ECDSA(hashes.SHA256())),
        certificates=[certificate.public_bytes(serialization.Encoding.DER)],
    )
    # when
    response = hub.send(hub.a, data)
    # then
    assert response.status_code == 400
    assert response.json()["fault"] == "bad_package"
    assert _nothing_stored()


def test_a_seal_of_another_agency_than_the_sender_is_forbidden(hub: Hub) -> None:
    # Văn phòng (H57.09) is served by tinh-a, but the envelope carries Sở Nội vụ's seal
    data = hub.seal(edxml.build(document(sender=VP)), LocalPki.AGENCY)
    response = hub.send(hub.a, data)
    assert response.status_code == 403
    assert response.json()["fault"] == "forbidden"
    assert response.json()["details"] == [SNV]
    assert _nothing_stored()


def test_unknown_recipients_refuse_the_whole_package(hub: Hub) -> None:
    response = hub.send(hub.a, hub.sealed(document(to=(BNV, "000.00.00.X99", "H99.01"))))
    assert response.status_code == 422
    body = response.json()
    assert body["fault"] == "wrong_address"
    assert body["details"] == ["000.00.00.X99", "H99.01"]
    assert "000.00.00.X99" in body["message"]
    assert _nothing_stored()


@override_settings(TINHSO_EDXML_MAX_PACKAGE_BYTES=50_000)
def test_a_package_over_the_limit_is_too_large(hub: Hub) -> None:
    data = hub.sealed(document(attachment=os.urandom(60_000)))
    response = hub.send(hub.a, data)
    assert response.status_code == 413
    assert response.json()["fault"] == "too_large"
    assert _nothing_stored()


def test_the_declared_message_type_must_match_the_package(hub: Hub) -> None:
    data = hub.sealed(document())
    wrong = hub.send(hub.a, data, message_type="status")
    assert wrong.status_code == 400
    assert wrong.json()["fault"] == "bad_package"
    missing = hub.send(hub.a, data, message_type="")
    assert missing.status_code == 400
    assert missing.json()["fault"] == "bad_request"
    assert _nothing_stored()


def test_the_send_id_must_be_a_uuid(hub: Hub) -> None:
    response = hub.send(hub.a, hub.sealed(document()), send_id="lần-1")
    assert response.status_code == 400
    assert response.json()["fault"] == "bad_request"


# --- De-duplication ---------------------------------------------------------------------------


def test_the_same_send_id_again_gets_the_first_answer_and_nothing_more(hub: Hub) -> None:
    # given
    data = hub.sealed(document(to=(BNV, OTHER)))
    send_id = str(uuid.uuid4())
    first = hub.send(hub.a, data, send_id=send_id)
    assert first.status_code == 201
    delivery = Delivery.objects.filter(organ_id=BNV).get()
    assert hub.fetch(hub.b, delivery.id).status_code == 200  # its state moved on since
    # when the sender did not hear the answer and sends again
    again = hub.send(hub.a, data, send_id=send_id)
    # then
    assert again.status_code == 200
    assert again.content == first.content
    assert Package.objects.count() == 1
    assert Delivery.objects.count() == 2
    assert DeliveryEvent.objects.filter(to_state="pending").count() == 2


def test_a_send_id_of_another_node_is_a_duplicate(hub: Hub) -> None:
    send_id = str(uuid.uuid4())
    assert hub.send(hub.a, hub.sealed(document()), send_id=send_id).status_code == 201
    answer = document(to=(SNV,), sender=STP, number="7", notation="TP")
    response = hub.send(hub.b, hub.sealed(answer), send_id=send_id)
    assert response.status_code == 409
    assert response.json()["fault"] == "duplicate"
    assert Package.objects.count() == 1


def test_the_same_document_under_a_new_send_id_is_a_duplicate(hub: Hub) -> None:
    # given
    data = hub.sealed(document(to=(BNV, OTHER)))
    assert hub.send(hub.a, data).status_code == 201
    # when the same DocumentId and business type is sent again to one of them under a new id
    again = hub.send(hub.a, hub.sealed(document(to=(OTHER, COMMUNE))))
    # then
    assert again.status_code == 409
    body = again.json()
    assert body["fault"] == "duplicate"
    assert body["details"] == [OTHER]
    assert Package.objects.count() == 1
    assert Delivery.objects.count() == 2


def test_a_revocation_of_a_sent_document_is_not_a_duplicate(hub: Hub) -> None:
    assert hub.send(hub.a, hub.sealed(document(to=(BNV,)))).status_code == 201
    revoke = hub.send(hub.a, hub.sealed(document(to=(BNV,), business=1)))
    assert revoke.status_code == 201
    assert Delivery.objects.count() == 2


def test_a_refused_delivery_may_be_sent_again_under_a_new_send_id(hub: Hub) -> None:
    # given b refused the package (e.g. an attachment it could not verify)
    assert hub.send(hub.a, hub.sealed(document(to=(BNV,)))).status_code == 201
    delivery = Delivery.objects.get()
    assert hub.ack(hub.b, delivery.id, "fail", "Tệp đính kèm hỏng").status_code == 200
    # when the sender corrects and sends the same document again
    again = hub.send(hub.a, hub.sealed(document(to=(BNV,))))
    # then
    assert again.status_code == 201
    assert Delivery.objects.filter(state="pending").count() == 1


def test_the_same_status_twice_is_a_duplicate_but_a_new_one_is_not(hub: Hub) -> None:
    answered = document(to=(STP,))
    first = status(answered, code="01")
    assert hub.send(hub.b, hub.sealed(first), message_type="status").status_code == 201
    replay = hub.send(hub.b, hub.sealed(first), message_type="status")
    assert replay.status_code == 409
    later = status(answered, code="03", at=dt.datetime(2026, 11, 22, 9, 0, 0))
    assert hub.send(hub.b, hub.sealed(later), message_type="status").status_code == 201


@pytest.mark.django_db(transaction=True)
def test_two_identical_sends_at_once_store_one_package(hub: Hub) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: no two sends ever overlap there")
    # given
    data = hub.sealed(document(to=(BNV, OTHER)))
    send_id = str(uuid.uuid4())
    barrier = threading.Barrier(4)
    answers: list[tuple[int, dict[str, object]]] = []
    lock = threading.Lock()

    def send() -> None:
        caller = Hub(hub.a, hub.b, hub.c, hub.seal, client=Client())
        barrier.wait()
        try:
            response = caller.send(hub.a, data, send_id=send_id)
            with lock:
                answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    # when four threads send the same package with the same send id
    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then one package, one delivery per recipient, and everyone got the same answer
    assert sorted(status for status, _body in answers) == [200, 200, 200, 201]
    assert len({json.dumps(body) for _status, body in answers}) == 1
    assert Package.objects.count() == 1
    assert Delivery.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_document_under_different_send_ids_at_once(hub: Hub) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: no two sends ever overlap there")
    data = hub.sealed(document(to=(BNV,)))
    barrier = threading.Barrier(3)
    codes: list[int] = []

    def send() -> None:
        caller = Hub(hub.a, hub.b, hub.c, hub.seal, client=Client())
        barrier.wait()
        try:
            codes.append(caller.send(hub.a, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201, 409, 409]
    assert Delivery.objects.count() == 1


def test_two_agencies_answering_one_document_alike_in_the_same_second_are_both_accepted(
    hub: Hub,
) -> None:
    # given a document of Bộ Nội vụ sent to two agencies served by different nodes
    answered = document(sender=BNV, to=(STP, SNV))
    moment = dt.datetime(2026, 11, 21, 8, 0, 0)
    # when both answer "01" with the same timestamp
    from_stp = hub.send(
        hub.b, hub.sealed(status(answered, sender=STP, at=moment)), message_type="status"
    )
    from_snv = hub.send(
        hub.a, hub.sealed(status(answered, sender=SNV, at=moment)), message_type="status"
    )
    # then neither is a duplicate of the other: BNV gets both
    assert from_stp.status_code == 201, from_stp.content
    assert from_snv.status_code == 201, from_snv.content
    assert sorted(
        Delivery.objects.filter(organ_id=BNV, state="pending").values_list(
            "package__from_organ", flat=True
        )
    ) == sorted([STP, SNV])
    # and the same answer again from one of them still is
    again = hub.send(
        hub.b, hub.sealed(status(answered, sender=STP, at=moment)), message_type="status"
    )
    assert again.status_code == 409
