"""Sending: an issued document for an outside recipient is sealed, its outbox row becomes a
signed edXML package sent with the row's send id; failures are retried or reported."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tinhso.audit.models import AuditEvent
from tinhso.documents import services
from tinhso.documents.errors import DocumentConflict
from tinhso.documents.models import (
    Activity,
    DocumentFile,
    ExchangeOutbox,
    FileRole,
    Recipient,
    RecipientState,
)
from tinhso.exchange import edxml
from tinhso.exchange.envelope import pdf_is_signed
from tinhso.exchange.services import inbox_pull, outbox_claim, outbox_retry, outbox_send_batch
from tinhso.exchange.tests.node.conftest import Hub, Seals, issue
from tinhso.signatures.selectors import trust_roots_pem
from tinhso.signatures.services import read_file_bytes
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db

QUANG_TRI = services.ExternalRecipient("Sở Nội vụ tỉnh Quảng Trị", "H48.02")
MINISTRY = services.ExternalRecipient("Bộ Nội vụ", "000.00.00.G12")


def test_an_issued_document_is_sealed_signed_and_sent(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    # given a document issued to two outside agencies
    d = issue(eoffice, external_recipients=(QUANG_TRI, MINISTRY))
    # then the issued PDF is the sealed one, the unsigned one stays as a draft file
    issued = DocumentFile.objects.get(document=d, role=FileRole.ISSUED)
    assert pdf_is_signed(read_file_bytes(issued.file))
    seal = Activity.objects.get(document=d, action="seal")
    assert seal.data["sealed"] == issued.file_id
    assert DocumentFile.objects.filter(
        document=d, role=FileRole.DRAFT, file_id=seal.data["unsigned"]
    ).exists()
    assert d.edxml_document_id == f"H57.02,{d.issued_on:%Y/%m/%d},{d.number}/{d.notation}"
    rows = list(ExchangeOutbox.objects.filter(document=d).order_by("to_code"))
    assert [(r.kind, r.state, r.agency_id) for r in rows] == [("edoc", "pending", d.agency_id)] * 2
    # when the worker sends the outbox
    report = outbox_send_batch(hub.client())
    # then both went out, once each, signed by Sở Nội vụ's seal
    assert (report.sent, report.failed, report.retried) == (2, 0, 0)
    sent = hub.state.sends()
    assert sorted(p.send_id for p in sent) == sorted(str(r.send_id) for r in rows)
    for package in sent:
        parsed = edxml.parse(package.body)
        pkg = parsed.package
        assert isinstance(pkg, edxml.DocumentPackage)
        assert pkg.sender.organ_id == "H57.02"
        assert (pkg.code_number, pkg.code_notation) == (d.number, d.notation)
        assert pkg.document_id == d.edxml_document_id
        assert pkg.subject == d.subject
        assert pkg.business.business_type == 0
        assert pkg.attachments[0].data == read_file_bytes(issued.file)
        check = edxml.verify(
            package.body, trust_roots=trust_roots_pem(timezone.now()), at=timezone.now()
        )
        assert (check.present, check.valid, check.agency_code) == (True, True, "H57.02")
    for row in rows:
        row.refresh_from_db()
        assert (row.state, row.attempts, row.last_error) == ("sent", 1, "")
        assert row.response["id"]
    assert set(
        Recipient.objects.filter(document=d, is_internal=False).values_list("state", flat=True)
    ) == {RecipientState.SENT}
    assert AuditEvent.objects.filter(action="exchange.package.send").count() == 2


def _one_row(eoffice: EofficeWorld, recipient: services.ExternalRecipient = QUANG_TRI) -> Any:
    d = issue(eoffice, external_recipients=(recipient,))
    return d, ExchangeOutbox.objects.get(document=d)


def test_an_unreachable_hub_is_tried_again_later_with_the_same_send_id(
    eoffice: EofficeWorld, seals: Seals, hub: Hub, settings: Any
) -> None:
    _d, row = _one_row(eoffice)
    hub.state.outage = 10
    now = timezone.now()
    # when the hub does not answer
    report = outbox_send_batch(hub.client(), now=now)
    # then the row waits 5 s, then 10 s …
    assert report.retried == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == now + dt.timedelta(seconds=5)
    assert "tự gửi lại" in row.last_error
    assert outbox_send_batch(hub.client(), now=now + dt.timedelta(seconds=4)).taken == 0
    outbox_send_batch(hub.client(), now=now + dt.timedelta(seconds=6))
    row.refresh_from_db()
    assert row.next_attempt_at == now + dt.timedelta(seconds=6 + 10)
    # and once the hub is back, it goes out once
    hub.state.outage = 0
    later = now + dt.timedelta(minutes=5)
    assert outbox_send_batch(hub.client(), now=later).sent == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.sent_at) == ("sent", 3, later)
    assert [p.send_id for p in hub.state.sends()] == [str(row.send_id)]


def test_a_hub_that_stored_the_package_before_failing_answers_the_retry_with_the_first_answer(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    _d, row = _one_row(eoffice)
    hub.state.crash_after_store = 1
    now = timezone.now()
    assert outbox_send_batch(hub.client(), now=now).retried == 1
    assert outbox_send_batch(hub.client(), now=now + dt.timedelta(minutes=1)).sent == 1
    row.refresh_from_db()
    assert row.response["replayed"] is True
    assert len(hub.state.sends()) == 1
    assert len(hub.state.deliveries_to("H48.02")) == 1


def test_too_many_failures_give_up(
    eoffice: EofficeWorld, seals: Seals, hub: Hub, settings: Any
) -> None:
    settings.TINHSO_EXCHANGE_MAX_ATTEMPTS = 2
    _d, row = _one_row(eoffice)
    hub.state.outage = 10
    now = timezone.now()
    outbox_send_batch(hub.client(), now=now)
    assert outbox_send_batch(hub.client(), now=now + dt.timedelta(hours=1)).failed == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 2)
    r = Recipient.objects.get(pk=row.recipient_id)
    assert r.state == RecipientState.FAILED
    assert "Trục liên thông chưa phản hồi" in r.state_reason


def test_a_wrong_address_fails_with_the_hubs_reason_and_can_be_sent_again(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    unknown = services.ExternalRecipient("Sở không có trên trục", "H98.01")
    _d, row = _one_row(eoffice, unknown)
    # when the hub says the address is wrong
    assert outbox_send_batch(hub.client()).failed == 1
    # then the row and the recipient say so, in Vietnamese, with the hub's words
    row.refresh_from_db()
    assert row.state == "failed"
    assert "Sai địa chỉ nơi nhận" in row.last_error
    assert "Không có nơi nhận" in row.last_error
    r = Recipient.objects.get(pk=row.recipient_id)
    assert (r.state, r.state_reason) == (RecipientState.FAILED, row.last_error)
    assert AuditEvent.objects.filter(action="exchange.package.fail").count() == 1
    # only the sending agency's clerk (or administrators) sends it again
    with pytest.raises(PermissionDenied):
        outbox_retry(actor=eoffice.commune_clerk, outbox_id=row.pk)
    # when the address exists at last, the clerk sends it again with the same send id
    hub.state.served["H98.01"] = "node-outside"
    outbox_retry(actor=eoffice.clerk, outbox_id=row.pk)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("pending", 0, "")
    assert Recipient.objects.get(pk=row.recipient_id).state == RecipientState.PENDING
    assert outbox_send_batch(hub.client()).sent == 1
    with pytest.raises(DocumentConflict):
        outbox_retry(actor=eoffice.clerk, outbox_id=row.pk)


def test_a_duplicate_of_our_own_package_counts_as_sent(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    _d, row = _one_row(eoffice)
    hub.state.faults.append(("duplicate", 409))
    assert outbox_send_batch(hub.client()).sent == 1
    row.refresh_from_db()
    assert (row.state, row.response["duplicate"]) == ("sent", True)


def test_without_a_seal_key_the_document_is_issued_but_never_sent_unsigned(
    eoffice: EofficeWorld, hub: Hub
) -> None:
    # given no agency key the server may use: issuing still works
    d, row = _one_row(eoffice)
    issued = DocumentFile.objects.get(document=d, role=FileRole.ISSUED)
    assert not pdf_is_signed(read_file_bytes(issued.file))
    # but the package fails with the reason, and nothing reached the hub
    assert outbox_send_batch(hub.client()).failed == 1
    row.refresh_from_db()
    assert row.state == "failed"
    assert "chưa có chữ ký số" in row.last_error
    assert hub.state.sends() == []


def test_a_status_of_an_agency_without_a_seal_key_fails_with_the_reason(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    seals.commune.enabled = False
    seals.commune.save(update_fields=["enabled"])
    issue(
        eoffice,
        external_recipients=(services.ExternalRecipient("Phường Phú Xuân", "H57.19753"),),
    )
    outbox_send_batch(hub.client())
    inbox_pull(hub.client())
    report = outbox_send_batch(hub.client())
    assert report.failed == 1
    status = ExchangeOutbox.objects.get(status_code="01")
    assert status.state == "failed"
    assert "chưa có khóa ký số của cơ quan" in status.last_error


def test_a_document_recalled_before_its_package_left_is_not_sent(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    d, row = _one_row(eoffice)
    services.outgoing_recall(actor=eoffice.clerk, document_id=d.pk, reason="Nhầm")
    report = outbox_send_batch(hub.client())
    row.refresh_from_db()
    assert row.state == "failed"
    assert (report.failed, report.sent) == (1, 1)  # the document not sent, the revoke sent
    (revoke,) = hub.state.sends()
    assert revoke.message_type == "status"


def test_two_workers_never_take_the_same_row(eoffice: EofficeWorld) -> None:
    issue(eoffice, external_recipients=(QUANG_TRI, MINISTRY))
    now = timezone.now()
    first = outbox_claim(now=now, limit=1)
    second = outbox_claim(now=now, limit=5)
    assert len(first) == 1 and len(second) == 1 and set(first).isdisjoint(second)
    assert outbox_claim(now=now, limit=5) == []
    # a worker that died: its rows come back after the lease
    assert len(outbox_claim(now=now + dt.timedelta(hours=1), limit=5)) == 2
