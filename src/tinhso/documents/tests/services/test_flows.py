"""The two journeys of the issue through the services: an incoming document from registration
to completion, an outgoing one from draft to issue and delivery inside the installation."""

from __future__ import annotations

import pytest

from tinhso.audit.models import AuditEvent
from tinhso.documents import services
from tinhso.documents.models import Activity, Direction, Document, DocumentStatus, Recipient
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db


def test_incoming_from_registration_to_completion(eoffice: EofficeWorld) -> None:
    # given a registered document
    first = eoffice.register()
    second = eoffice.register(number="16")
    # then incoming numbers run from 1 in the register's year
    assert (first.register_number, second.register_number) == (1, 2)
    assert first.status == DocumentStatus.REGISTERED
    # when the clerk presents, the director assigns and the specialist processes
    services.incoming_present(
        actor=eoffice.clerk, document_id=first.pk, leader_id=eoffice.director.pk
    )
    (main, _reader) = services.incoming_assign(
        actor=eoffice.director,
        document_id=first.pk,
        data=services.AssignInput(main=eoffice.specialist.pk, readers=(eoffice.head.pk,)),
    )
    services.assignment_start(actor=eoffice.specialist, assignment_id=main.pk)
    services.assignment_complete(
        actor=eoffice.specialist, assignment_id=main.pk, result_note="Đã xử lý"
    )
    # then the document is complete and each step carries its edXML status
    first.refresh_from_db()
    assert first.status == DocumentStatus.COMPLETED
    codes = list(Activity.objects.filter(document=first).values_list("edxml_status", flat=True))
    assert [c for c in codes if c] == ["03", "04", "04", "05", "06"]
    assert AuditEvent.objects.filter(
        action="documents.incoming.complete", object_id=str(first.pk)
    ).exists()


def test_outgoing_from_draft_to_issue_and_delivery(eoffice: EofficeWorld) -> None:
    d = eoffice.draft()
    services.outgoing_submit(actor=eoffice.specialist, document_id=d.pk)
    d.refresh_from_db()
    # the demo chain: the head of department is also the signer: one step
    assert list(d.approvals.values_list("approver__username", flat=True)) == ["lanhdao"]
    services.outgoing_approve(actor=eoffice.head, document_id=d.pk)
    issued = services.outgoing_issue(actor=eoffice.clerk, document_id=d.pk)
    assert issued.status == DocumentStatus.ISSUED
    assert issued.number == "01"
    assert issued.notation == "SNV-TCBC"
    # the recipient agency's clerk has it in the queue at once
    copy = Document.objects.get(origin=issued)
    assert copy.agency_id == eoffice.demo.ubnd.pk
    assert copy.direction == Direction.INCOMING and copy.status == DocumentStatus.RECEIVED
    assert Recipient.objects.get(document=issued).state == "01"


def test_numbers_are_consecutive_per_year(eoffice: EofficeWorld) -> None:
    numbers = [eoffice.issued(doc_type="QĐ").number for _ in range(3)]
    assert numbers == ["01", "02", "03"]
