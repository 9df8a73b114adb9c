"""The hub refuses at the door what it must not forward (issue 6 §2 and §4; decision 0005 §3):
a package changed in transit (bad_package), a package sent again under another send id
(duplicate), a package for an agency no node serves (wrong_address). Packages are made and
signed in the test process and sent with installation A's node key, as its worker would."""

from __future__ import annotations

import uuid

import pytest

from tinhso.exchange.client import HubFault
from tinhso.exchange.tests.integration.steps import (
    COMMUNE,
    SNV,
    STC,
    document_package,
    flip_one_byte,
    signed_package,
    unique_subject,
)
from tinhso.testing.interconnect import Interconnect
from tinhso.testing.signing import LocalPki


def _hub_packages(net: Interconnect, document_id: str) -> int:
    assert net.hub is not None
    rows = net.hub.sql("SELECT count(*) FROM hub_package WHERE document_id = %s", [document_id])
    return int(rows[0][0])


def test_a_byte_changed_in_transit_is_refused_as_a_bad_package(
    net: Interconnect, test_pki: LocalPki
) -> None:
    # given a package signed by Sở Nội vụ for the commune, one byte of its subject changed after
    # the signature
    subject = unique_subject("Về việc kiểm tra toàn vẹn gói tin") + " XYZ"
    package = document_package(SNV, [(COMMUNE.code, COMMUNE.name)], subject=subject)
    signed = signed_package(test_pki, package)
    tampered = flip_one_byte(signed, b" XYZ")
    hub = net.a.hub_client()

    # when A sends the changed bytes
    with pytest.raises(HubFault) as refused:
        hub.send(tampered, message_type="edoc", send_id=str(uuid.uuid4()))

    # then the hub refuses them as a bad package and keeps nothing
    assert refused.value.code == "bad_package", refused.value
    assert refused.value.status == 400
    assert _hub_packages(net, package.document_id) == 0
    # and the bytes as signed pass: the one byte was the reason
    accepted = hub.send(signed, message_type="edoc", send_id=str(uuid.uuid4()))
    assert accepted.document_id == package.document_id
    assert [r["organ_id"] for r in accepted.recipients] == [COMMUNE.code]
    assert _hub_packages(net, package.document_id) == 1


def test_a_replayed_package_gets_the_first_answer_or_a_duplicate_fault(
    net: Interconnect, test_pki: LocalPki
) -> None:
    # given a package A sent once
    package = document_package(
        SNV, [(STC.code, STC.name)], subject=unique_subject("Về việc gửi lại gói tin")
    )
    signed = signed_package(test_pki, package)
    hub = net.a.hub_client()
    send_id = str(uuid.uuid4())
    first = hub.send(signed, message_type="edoc", send_id=send_id)
    assert not first.replayed

    # when the same send is repeated (a retry after a lost answer)
    again = hub.send(signed, message_type="edoc", send_id=send_id)

    # then it gets the first answer, and nothing new is stored
    assert again.replayed
    assert (again.id, again.document_id) == (first.id, first.document_id)
    assert _hub_packages(net, package.document_id) == 1

    # when the same package comes under another send id (a replay)
    with pytest.raises(HubFault) as refused:
        hub.send(signed, message_type="edoc", send_id=str(uuid.uuid4()))

    # then it is refused as a duplicate, still stored once
    assert refused.value.code == "duplicate", refused.value
    assert refused.value.status == 409
    assert _hub_packages(net, package.document_id) == 1


def test_a_package_for_an_agency_nobody_serves_is_a_wrong_address(
    net: Interconnect, test_pki: LocalPki
) -> None:
    # given a package for an agency code no node registered
    unknown = ("000.00.99.H99", "Sở Không Có")
    package = document_package(SNV, [unknown], subject=unique_subject("Về việc gửi nhầm địa chỉ"))
    signed = signed_package(test_pki, package)

    # when A sends it
    with pytest.raises(HubFault) as refused:
        net.a.hub_client().send(signed, message_type="edoc", send_id=str(uuid.uuid4()))

    # then the hub refuses it as a wrong address, naming the code, and keeps nothing
    assert refused.value.code == "wrong_address", refused.value
    assert refused.value.status == 422
    assert unknown[0] in str(refused.value.details) + refused.value.message
    assert _hub_packages(net, package.document_id) == 0
