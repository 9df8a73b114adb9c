"""Receiving: the worker pulls the inbox, verifies each package (envelope and PAdES), stores it
and puts an incoming document in the clerk's queue with status 01 for the sender — or refuses
it with 02 and the reasons; a re-fetch never makes a second document."""

from __future__ import annotations

import dataclasses

import pytest

from tinhso.audit.models import AuditEvent
from tinhso.documents import services
from tinhso.documents.models import (
    Document,
    DocumentFile,
    DocumentStatus,
    ExchangeOutbox,
    FileRole,
    Recipient,
    RecipientState,
    Source,
)
from tinhso.exchange import edxml
from tinhso.exchange.client import InboxItem
from tinhso.exchange.models import ReceivedPackage, Verdict
from tinhso.exchange.packages import build_package
from tinhso.exchange.services import inbox_pull, outbox_send_batch, package_receive
from tinhso.exchange.tests.node.conftest import Hub, Seals, issue, sign_as
from tinhso.organizations import demo
from tinhso.signatures.services import read_file_bytes
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db

COMMUNE = services.ExternalRecipient("Phường Phú Xuân", demo.PHU_XUAN_CODE)


def _sent_to_commune(eoffice: EofficeWorld, hub: Hub, **overrides: object) -> Document:
    """Sở Nội vụ issues to Phường Phú Xuân through the hub; the package waits in the inbox."""
    d = issue(eoffice, external_recipients=(COMMUNE,), **overrides)
    assert outbox_send_batch(hub.client()).sent == 1
    return d


def _copy(eoffice: EofficeWorld) -> Document:
    return Document.objects.get(agency=eoffice.phu_xuan, source=Source.EXCHANGE)


def test_a_package_becomes_an_incoming_document_and_01_goes_back(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    # given a document of Sở Nội vụ waiting at the hub for Phường Phú Xuân
    d = _sent_to_commune(eoffice, hub, urgency="khan", page_count=2)
    # when the worker pulls the inbox
    report = inbox_pull(hub.client())
    # then the commune's clerk has an incoming document with the package's fields and files
    assert (report.accepted, report.refused) == (1, 0)
    copy = _copy(eoffice)
    assert (copy.status, copy.direction) == (DocumentStatus.RECEIVED, "incoming")
    assert (copy.number, copy.notation, copy.issued_on) == (d.number, d.notation, d.issued_on)
    assert (copy.subject, copy.doc_type, copy.urgency) == (d.subject, "CV", "khan")
    assert (copy.issuer_code, copy.issuer_name) == ("H57.02", eoffice.snv.name)
    assert copy.edxml_document_id == d.edxml_document_id
    assert copy.page_count == 2
    main = DocumentFile.objects.get(document=copy, role=FileRole.MAIN)
    issued = DocumentFile.objects.get(document=d, role=FileRole.ISSUED)
    assert read_file_bytes(main.file) == read_file_bytes(issued.file)
    assert main.file.agency_id == eoffice.phu_xuan.pk
    assert copy in services_clerk_queue(eoffice)
    # the package is kept with its verdict, the delivery acknowledged done
    received = ReceivedPackage.objects.get(document=copy)
    assert (received.verdict, received.signature["valid"]) == (Verdict.ACCEPTED, True)
    assert received.package is not None
    # the package (the whole document) is not readable agency-wide, unlike the document's files
    from tinhso.accounts.access import actor_for
    from tinhso.files.access import can_read_file

    assert received.package.agency_id is None
    assert not can_read_file(actor_for(eoffice.commune_specialist), received.package)
    assert can_read_file(actor_for(eoffice.commune_clerk), main.file)
    assert not can_read_file(actor_for(eoffice.commune_specialist), main.file)
    (delivery,) = hub.state.deliveries_to(demo.PHU_XUAN_CODE)
    assert (delivery.state, delivery.acks) == ("done", 1)
    # and status 01 waits in the outbox for the sender
    status = ExchangeOutbox.objects.get(document=copy)
    assert (status.kind, status.status_code, status.to_code) == ("status", "01", "H57.02")
    assert status.agency_id == eoffice.phu_xuan.pk
    assert AuditEvent.objects.filter(action="exchange.package.receive.accepted").exists()
    # when it is sent and the sender's node pulls it, the recipient's state says so
    assert outbox_send_batch(hub.client()).sent == 1
    assert inbox_pull(hub.client()).accepted == 1
    r = Recipient.objects.get(document=d, code=demo.PHU_XUAN_CODE)
    assert r.state == RecipientState.ARRIVED


def services_clerk_queue(eoffice: EofficeWorld) -> list[Document]:
    from tinhso.accounts.access import actor_for
    from tinhso.documents.selectors import clerk_queue

    return list(clerk_queue(actor_for(eoffice.commune_clerk)))


def test_a_delivery_fetched_twice_makes_one_document(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    _sent_to_commune(eoffice, hub)
    (delivery,) = hub.state.deliveries_to(demo.PHU_XUAN_CODE)
    # given the acknowledgement was lost: the hub offers the delivery again
    inbox_pull(hub.client())
    delivery.state = "pending"
    # when the worker pulls again, and the same package comes under another delivery id
    again = inbox_pull(hub.client())
    other = hub.state.deliver(
        delivery.package.body,
        to=demo.PHU_XUAN_CODE,
        sender="H57.02",
        message_type="edoc",
        document_id=delivery.package.document_id,
    )
    duplicate = inbox_pull(hub.client())
    # then there is still one document and one status 01; both deliveries are done
    assert (again.again, duplicate.duplicate) == (1, 1)
    assert Document.objects.filter(agency=eoffice.phu_xuan, source=Source.EXCHANGE).count() == 1
    assert ExchangeOutbox.objects.filter(status_code="01").count() == 1
    assert (delivery.state, delivery.acks, other.state) == ("done", 2, "done")
    rows = ReceivedPackage.objects.order_by("id")
    assert [r.verdict for r in rows] == [Verdict.ACCEPTED, Verdict.DUPLICATE]
    assert rows[1].document_id == rows[0].document_id


def _package_for_commune(eoffice: EofficeWorld, hub: Hub) -> tuple[Document, bytes]:
    """The unsigned edXML of a document Sở Nội vụ issued to the commune (not sent)."""
    d = issue(eoffice, external_recipients=(COMMUNE,))
    row = ExchangeOutbox.objects.get(document=d)
    ExchangeOutbox.objects.filter(pk=row.pk).update(state="sent")
    return d, build_package(row)[1]


def _receive(hub: Hub, body: bytes, document_id: str = "") -> None:
    hub.state.deliver(
        body, to=demo.PHU_XUAN_CODE, sender="H57.02", message_type="edoc", document_id=document_id
    )
    inbox_pull(hub.client())


def _refusal(eoffice: EofficeWorld) -> tuple[ReceivedPackage, ExchangeOutbox]:
    assert not Document.objects.filter(agency=eoffice.phu_xuan, source=Source.EXCHANGE).exists()
    received = ReceivedPackage.objects.get()
    assert received.verdict == Verdict.REFUSED
    status = ExchangeOutbox.objects.get(status_code="02")
    assert (status.document_id, status.agency_id, status.to_code) == (
        None,
        eoffice.phu_xuan.pk,
        "H57.02",
    )
    return received, status


def test_a_package_whose_envelope_signature_breaks_is_refused_with_02(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    # given a signed package changed on the way (its subject)
    d, built = _package_for_commune(eoffice, hub)
    signed = sign_as(eoffice.snv, built)
    tampered = signed.replace(d.subject.encode(), (d.subject + " (sửa)").encode())
    assert tampered != signed
    # when it is received
    _receive(hub, tampered, d.edxml_document_id)
    # then no document: the refusal is kept and 02 with the reason goes back
    received, status = _refusal(eoffice)
    assert [r["code"] for r in received.reasons] == ["envelope_signature"]
    assert "Chữ ký số của gói tin không hợp lệ" in status.description
    assert status.data["response_for"]["document_id"] == d.edxml_document_id
    (delivery,) = hub.state.deliveries_to(demo.PHU_XUAN_CODE)
    assert delivery.state == "done"
    # and the 02 is a signed status package answering the sender's document
    assert outbox_send_batch(hub.client()).sent == 1
    (answer,) = [p for p in hub.state.sends() if p.message_type == "status"]
    pkg = edxml.parse(answer.body).package
    assert isinstance(pkg, edxml.StatusPackage)
    assert (pkg.status_code, pkg.sender.organ_id) == ("02", demo.PHU_XUAN_CODE)
    assert pkg.response_for.document_id == d.edxml_document_id
    assert "Chữ ký số của gói tin không hợp lệ" in pkg.description


def test_an_unsigned_package_is_refused(eoffice: EofficeWorld, seals: Seals, hub: Hub) -> None:
    d, built = _package_for_commune(eoffice, hub)
    _receive(hub, built, d.edxml_document_id)
    received, _status = _refusal(eoffice)
    assert received.signature["present"] is False


def test_a_package_whose_pdf_was_changed_is_refused_with_02(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    # given a package whose sealed PDF had one byte changed before the envelope was signed
    d, _built = _package_for_commune(eoffice, hub)
    row = ExchangeOutbox.objects.get(document=d)
    from tinhso.exchange.packages import package_of

    _kind, pkg = package_of(row)
    assert isinstance(pkg, edxml.DocumentPackage)
    main = pkg.attachments[0]
    at = main.data.index(b"/Type /Page") if b"/Type /Page" in main.data else len(main.data) // 3
    changed = main.data[:at] + bytes([main.data[at] ^ 0x01]) + main.data[at + 1 :]
    pkg = dataclasses.replace(pkg, attachments=(dataclasses.replace(main, data=changed),))
    signed = sign_as(eoffice.snv, edxml.build(pkg))
    # when it is received
    _receive(hub, signed, d.edxml_document_id)
    # then the envelope is fine but the document's signature is not: refused, 02 says why
    received, status = _refusal(eoffice)
    assert received.signature["valid"] is True
    assert [r["code"] for r in received.reasons] == ["pdf_signature"]
    assert main.name in status.description


def test_a_package_for_an_agency_not_here_is_acknowledged_as_failed(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    _d, built = _package_for_commune(eoffice, hub)
    hub.state.served["H99.01"] = "node-test"
    hub.state.deliver(
        sign_as(eoffice.snv, built), to="H99.01", sender="H57.02", message_type="edoc"
    )
    report = inbox_pull(hub.client())
    assert report.misdirected == 1
    (delivery,) = hub.state.deliveries_to("H99.01")
    assert delivery.state == "failed"
    assert "H99.01" in delivery.reason
    assert not ExchangeOutbox.objects.filter(status_code="02").exists()
    assert ReceivedPackage.objects.get().verdict == Verdict.MISDIRECTED


def test_garbage_is_refused_without_harm(eoffice: EofficeWorld, seals: Seals, hub: Hub) -> None:
    item = InboxItem(
        id="x1",
        message_type="edoc",
        from_code="H57.02",
        to_code=demo.PHU_XUAN_CODE,
        document_id="H57.02,2026/11/20,15/SNV-TCBC",
    )
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    )
    outcome = package_receive(data=hostile, item=item)
    assert (outcome.verdict, outcome.ack) == ("refused", "done")
    received, status = _refusal(eoffice)
    assert received.reasons[0]["code"] == "forbidden_dtd"
    assert status.data["response_for"]["code"] == "15/SNV-TCBC"
