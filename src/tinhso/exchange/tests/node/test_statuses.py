"""Statuses both ways: e-office events on a received document write 02–06 for the sender (once
per code); received statuses move the recipient's state forwards only; revoke (13) is answered
15 or 16; update and replace link the earlier copy."""

from __future__ import annotations

from copy import copy as clone

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tinhso.documents import services
from tinhso.documents.errors import DocumentConflict
from tinhso.documents.models import (
    Activity,
    Document,
    DocumentStatus,
    ExchangeOutbox,
    Recipient,
    RecipientState,
    Source,
)
from tinhso.exchange import edxml
from tinhso.exchange.models import ReceivedPackage, Verdict
from tinhso.exchange.packages import organ_of
from tinhso.exchange.services import (
    inbox_pull,
    outbox_send_batch,
    pending_revokes,
    revoke_agree,
    revoke_refuse,
)
from tinhso.exchange.tests.node.conftest import Hub, Seals, issue, sign_as
from tinhso.organizations import demo
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db

COMMUNE = services.ExternalRecipient("Phường Phú Xuân", demo.PHU_XUAN_CODE)


def _exchange(hub: Hub) -> None:
    """One round of both workers: send everything due, pull everything waiting."""
    for _ in range(3):
        outbox_send_batch(hub.client(), limit=50)
        inbox_pull(hub.client())


def _received(eoffice: EofficeWorld, hub: Hub, **overrides: object) -> tuple[Document, Document]:
    d = issue(eoffice, external_recipients=(COMMUNE,), **overrides)
    _exchange(hub)
    copy = Document.objects.get(
        agency=eoffice.phu_xuan, source=Source.EXCHANGE, edxml_document_id=d.edxml_document_id
    )
    return d, copy


def _codes(copy: Document) -> list[str]:
    return list(
        ExchangeOutbox.objects.filter(document=copy, kind="status")
        .order_by("id")
        .values_list("status_code", flat=True)
    )


def _state(d: Document) -> Recipient:
    return Recipient.objects.get(document=d, code=demo.PHU_XUAN_CODE)


def test_e_office_events_send_03_to_06_once_each(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    d, copy = _received(eoffice, hub)
    assert _state(d).state == RecipientState.ARRIVED
    clerk, chairman = eoffice.commune_clerk, eoffice.commune_chairman
    # registered (03), presented and assigned (04 once), started (05), completed (06)
    services.incoming_accept(actor=clerk, document_id=copy.pk)
    services.incoming_present(actor=clerk, document_id=copy.pk, leader_id=chairman.pk)
    (main,) = services.incoming_assign(
        actor=chairman,
        document_id=copy.pk,
        data=services.AssignInput(main=eoffice.commune_specialist.pk),
    )
    services.assignment_start(actor=eoffice.commune_specialist, assignment_id=main.pk)
    services.assignment_complete(
        actor=eoffice.commune_specialist, assignment_id=main.pk, result_note="Đã xử lý"
    )
    assert _codes(copy) == ["01", "03", "04", "05", "06"]
    status = ExchangeOutbox.objects.get(document=copy, status_code="05")
    assert status.data["staff"]["staff"] == eoffice.commune_specialist.full_name
    # when they travel, the sender sees the last one
    _exchange(hub)
    assert _state(d).state == RecipientState.COMPLETED
    assert not ExchangeOutbox.objects.filter(state="pending").exists()


def test_the_clerks_refusal_sends_02_with_the_reason(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    d, copy = _received(eoffice, hub)
    services.incoming_refuse(
        actor=eoffice.commune_clerk, document_id=copy.pk, reason="Gửi nhầm nơi nhận"
    )
    refusal = ExchangeOutbox.objects.get(document=copy, status_code="02")
    assert refusal.description == "Gửi nhầm nơi nhận"
    _exchange(hub)
    r = _state(d)
    assert (r.state, r.state_reason) == (RecipientState.REFUSED, "Gửi nhầm nơi nhận")
    assert Activity.objects.filter(document=d, action="exchange_status").exists()


def _status_from_commune(
    eoffice: EofficeWorld, d: Document, code: str, description: str = ""
) -> bytes:
    pkg = edxml.StatusPackage(
        sender=organ_of(eoffice.phu_xuan),
        response_for=edxml.ResponseFor(
            organ_id="H57.02",
            code=d.reference,
            promulgation_date=d.issued_on,
            document_id=d.edxml_document_id,
        ),
        status_code=code,
        description=description,
        timestamp=timezone.now(),
        recipients=(edxml.Organ("H57.02", eoffice.snv.name),),
    )
    return sign_as(eoffice.phu_xuan, edxml.build(pkg))


def test_a_late_status_never_moves_the_state_back(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    d = issue(eoffice, external_recipients=(COMMUNE,))
    outbox_send_batch(hub.client())
    hub.state.deliveries.clear()
    for code in ("06", "05", "01"):
        hub.state.deliver(
            _status_from_commune(eoffice, d, code),
            to="H57.02",
            sender=demo.PHU_XUAN_CODE,
            message_type="status",
        )
    report = inbox_pull(hub.client())
    assert report.accepted == 3
    assert _state(d).state == RecipientState.COMPLETED


def test_a_status_about_an_unknown_document_is_recorded_and_acknowledged(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    d = issue(eoffice, external_recipients=(COMMUNE,))
    ghost = clone(d)
    ghost.edxml_document_id = "H57.02,2020/01/01,99/SNV-TCBC"
    delivery = hub.state.deliver(
        _status_from_commune(eoffice, ghost, "03"),
        to="H57.02",
        sender=demo.PHU_XUAN_CODE,
        message_type="status",
    )
    assert inbox_pull(hub.client()).unmatched == 1
    assert delivery.state == "done"
    assert ReceivedPackage.objects.get().verdict == Verdict.UNMATCHED
    assert _state(d).state == RecipientState.PENDING


def test_a_revoke_is_agreed_with_15(eoffice: EofficeWorld, seals: Seals, hub: Hub) -> None:
    # given the commune received a document and the sender recalls it
    d, copy = _received(eoffice, hub)
    services.outgoing_recall(actor=eoffice.clerk, document_id=d.pk, reason="Sai số liệu")
    _exchange(hub)
    # then the commune's copy shows the request, still unanswered
    copy.refresh_from_db()
    assert copy.status == DocumentStatus.RECEIVED
    (request,) = pending_revokes(copy)
    assert request.description == "Sai số liệu"
    assert Activity.objects.filter(document=copy, action="revoke_requested").exists()
    assert _state(d).state == RecipientState.RECALLED
    # only the commune's clerk answers
    with pytest.raises(PermissionDenied):
        revoke_agree(actor=eoffice.commune_chairman, document_id=copy.pk)
    # when the clerk agrees
    revoke_agree(actor=eoffice.commune_clerk, document_id=copy.pk)
    copy.refresh_from_db()
    assert (copy.status, copy.recall_reason) == (DocumentStatus.RECALLED, "Sai số liệu")
    assert _codes(copy)[-1] == "15"
    assert pending_revokes(copy) == []
    with pytest.raises(DocumentConflict):
        revoke_agree(actor=eoffice.commune_clerk, document_id=copy.pk)
    # and the sender sees its recall confirmed
    _exchange(hub)
    assert _state(d).state == RecipientState.RECALL_AGREED


def test_a_revoke_is_refused_with_16_and_a_reason(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    d, copy = _received(eoffice, hub)
    services.outgoing_recall(actor=eoffice.clerk, document_id=d.pk, reason="Ban hành nhầm")
    _exchange(hub)
    with pytest.raises(ValidationError):
        revoke_refuse(actor=eoffice.commune_clerk, document_id=copy.pk, reason=" ")
    revoke_refuse(
        actor=eoffice.commune_clerk, document_id=copy.pk, reason="Văn bản đã được thực hiện"
    )
    copy.refresh_from_db()
    assert copy.status == DocumentStatus.RECEIVED
    refusal = ExchangeOutbox.objects.get(document=copy, status_code="16")
    assert refusal.description == "Văn bản đã được thực hiện"
    _exchange(hub)
    r = _state(d)
    assert (r.state, r.state_reason) == (
        RecipientState.RECALL_REFUSED,
        "Văn bản đã được thực hiện",
    )


@pytest.mark.parametrize(("amendment", "business"), [("replace", 3), ("correct", 2)])
def test_a_replacement_links_the_earlier_copy(
    eoffice: EofficeWorld, seals: Seals, hub: Hub, amendment: str, business: int
) -> None:
    old, old_copy = _received(eoffice, hub)
    _new, new_copy = _received(
        eoffice,
        hub,
        replaces=old.pk,
        amendment=amendment,
        subject="Thay thế công văn về biên chế",
    )
    assert new_copy.replaces_id == old_copy.pk
    assert new_copy.amendment == amendment
    received = ReceivedPackage.objects.get(document=new_copy)
    assert received.business_type == business
    action = "replaced" if amendment == "replace" else "corrected"
    assert Activity.objects.get(document=old_copy, action=action).data["by"] == new_copy.pk


def test_an_old_document_replaced_by_one_sent_elsewhere_still_tells_its_recipient(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    # the replacement goes to the ministry only; the commune still gets Bussiness 3
    old, old_copy = _received(eoffice, hub)
    ministry = services.ExternalRecipient("Bộ Nội vụ", "000.00.00.G12")
    issue(eoffice, external_recipients=(ministry,), replaces=old.pk, subject="Thay thế")
    _exchange(hub)
    copies = Document.objects.filter(agency=eoffice.phu_xuan, source=Source.EXCHANGE)
    replacement = copies.exclude(pk=old_copy.pk).get()
    assert replacement.replaces_id == old_copy.pk


def test_a_revoke_that_overtook_its_document_waits_for_it(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    # given the sender issued and then recalled a document, and the revoke arrives first
    d = issue(eoffice, external_recipients=(COMMUNE,))
    outbox_send_batch(hub.client())
    services.outgoing_recall(actor=eoffice.clerk, document_id=d.pk, reason="Nhầm số liệu")
    outbox_send_batch(hub.client())
    document_delivery = next(
        x for x in hub.state.deliveries.values() if x.package.message_type == "edoc"
    )
    document_delivery.state = "held"  # the hub has not offered it yet
    assert inbox_pull(hub.client()).unmatched == 1
    # when the document arrives after all
    document_delivery.state = "pending"
    inbox_pull(hub.client())
    # then its copy shows the revoke request, for the clerk to answer
    copy = Document.objects.get(agency=eoffice.phu_xuan, source=Source.EXCHANGE)
    (request,) = pending_revokes(copy)
    assert request.description == "Nhầm số liệu"
