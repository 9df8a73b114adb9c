"""The clerk's interconnection pages and the document page's interconnection: states, failures,
verdicts and reasons in Vietnamese, paging, empty states, each agency seeing its own."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tinhso.accounts.models import User
from tinhso.documents import services
from tinhso.documents.models import Document, DocumentStatus, ExchangeOutbox, Source
from tinhso.exchange.models import MessageType, ReceivedPackage, Verdict
from tinhso.exchange.services import inbox_pull, outbox_send_batch
from tinhso.exchange.tests.node.conftest import Hub, Seals, issue
from tinhso.organizations import demo
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db

COMMUNE = services.ExternalRecipient("Phường Phú Xuân", demo.PHU_XUAN_CODE)
QUANG_TRI = services.ExternalRecipient("Sở Nội vụ tỉnh Quảng Trị", "H48.02")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def test_the_sent_page_shows_states_and_failures_of_the_clerks_agency_only(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    # given one package sent and one refused by the hub
    sent = issue(eoffice, external_recipients=(QUANG_TRI,), subject="Về việc tập huấn")
    failing = issue(
        eoffice,
        external_recipients=(services.ExternalRecipient("Sở lạ", "H98.01"),),
        subject="Về việc kiểm tra công vụ",
    )
    outbox_send_batch(hub.client())
    # when Sở Nội vụ's clerk opens the monitor
    response = _client(eoffice.clerk).get(reverse("exchange:sent"))
    # then both rows are there, the failure with its reason and a button to send it again
    assert response.status_code == 200
    text = _text(response)
    assert sent.subject in text and failing.subject in text
    assert "Sai địa chỉ nơi nhận" in text
    assert "1 gói tin gửi lỗi cần xem lại." in text
    failed = ExchangeOutbox.objects.get(document=failing)
    assert reverse("exchange:outbox_retry", args=[failed.pk]) in response.content.decode()
    # filtered by state
    only_failed = _client(eoffice.clerk).get(reverse("exchange:sent"), {"state": "failed"})
    assert sent.subject not in _text(only_failed)
    assert failing.subject in _text(only_failed)
    # the commune's clerk sees none of Sở Nội vụ's packages: the empty state
    other = _client(eoffice.commune_clerk).get(reverse("exchange:sent"))
    assert other.status_code == 200
    assert "Chưa gửi gói tin liên thông nào." in _text(other)
    # a specialist may not open it
    assert _client(eoffice.specialist).get(reverse("exchange:sent")).status_code == 403


def test_the_clerk_sends_a_failed_package_again_from_the_page(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    d = issue(eoffice, external_recipients=(services.ExternalRecipient("Sở lạ", "H98.01"),))
    outbox_send_batch(hub.client())
    row = ExchangeOutbox.objects.get(document=d)
    other = _client(eoffice.commune_clerk).post(reverse("exchange:outbox_retry", args=[row.pk]))
    assert other.status_code == 404
    response = _client(eoffice.clerk).post(reverse("exchange:outbox_retry", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == "pending"


def test_the_sent_page_pages_and_spends_few_queries(
    eoffice: EofficeWorld, django_assert_max_num_queries: Any
) -> None:
    d = issue(eoffice, external_recipients=(QUANG_TRI,))
    recipient = d.recipients.get()
    ExchangeOutbox.objects.bulk_create(
        [
            ExchangeOutbox(
                document=d,
                agency=eoffice.snv,
                recipient=recipient,
                to_code=QUANG_TRI.code,
                state="failed",
                last_error=f"Lỗi thử {i}",
            )
            for i in range(40)
        ]
    )
    client = _client(eoffice.clerk)
    with django_assert_max_num_queries(15):
        first = client.get(reverse("exchange:sent"))
    assert first.content.decode().count('data-outbox="') == 30
    second = client.get(reverse("exchange:sent"), {"page": 2})
    assert second.content.decode().count('data-outbox="') == 11


def test_the_received_page_shows_verdicts_and_reasons(eoffice: EofficeWorld) -> None:
    ReceivedPackage.objects.create(
        hub_id="1",
        message_type=MessageType.EDOC,
        agency=eoffice.phu_xuan,
        from_code="H48.02",
        from_name="Sở Nội vụ tỉnh Quảng Trị",
        to_code=demo.PHU_XUAN_CODE,
        reference="12/SNV-VP",
        subject="Về việc trao đổi kinh nghiệm",
        verdict=Verdict.REFUSED,
        reasons=[{"code": "pdf_signature", "message": "Chữ ký số trên tệp “a.pdf” không hợp lệ"}],
    )
    response = _client(eoffice.commune_clerk).get(reverse("exchange:received"))
    text = _text(response)
    assert "Sở Nội vụ tỉnh Quảng Trị" in text and "Từ chối" in text
    assert "Chữ ký số trên tệp “a.pdf” không hợp lệ" in text
    assert "Chưa nhận gói tin liên thông nào." in _text(
        _client(eoffice.clerk).get(reverse("exchange:received"))
    )
    accepted_only = _client(eoffice.commune_clerk).get(
        reverse("exchange:received"), {"verdict": "accepted"}
    )
    assert "Không có gói tin nào khớp bộ lọc." in _text(accepted_only)


def test_the_document_page_shows_each_outside_recipients_state_and_why(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    d = issue(
        eoffice,
        external_recipients=(COMMUNE, services.ExternalRecipient("Sở lạ", "H98.01")),
    )
    for _ in range(2):
        outbox_send_batch(hub.client())
        inbox_pull(hub.client())
    copy = Document.objects.get(agency=eoffice.phu_xuan, source=Source.EXCHANGE)
    services.incoming_refuse(
        actor=eoffice.commune_clerk, document_id=copy.pk, reason="Không thuộc thẩm quyền"
    )
    for _ in range(2):
        outbox_send_batch(hub.client())
        inbox_pull(hub.client())
    page = _text(_client(eoffice.clerk).get(reverse("documents:detail", args=[d.pk])))
    assert 'data-state="02"' in page or "Từ chối" in page
    assert "Không thuộc thẩm quyền" in page
    assert "Gửi lỗi" in page and "Sai địa chỉ nơi nhận" in page
    assert 'data-testid="exchange-panel"' in page


def test_the_clerk_answers_a_revoke_on_the_document_page(
    eoffice: EofficeWorld, seals: Seals, hub: Hub
) -> None:
    d = issue(eoffice, external_recipients=(COMMUNE,))
    for _ in range(2):
        outbox_send_batch(hub.client())
        inbox_pull(hub.client())
    services.outgoing_recall(actor=eoffice.clerk, document_id=d.pk, reason="Sai số liệu")
    for _ in range(2):
        outbox_send_batch(hub.client())
        inbox_pull(hub.client())
    copy = Document.objects.get(agency=eoffice.phu_xuan, source=Source.EXCHANGE)
    url = reverse("documents:detail", args=[copy.pk])
    clerk = _client(eoffice.commune_clerk)
    page = _text(clerk.get(url))
    assert "đề nghị thu hồi văn bản này" in page and "Sai số liệu" in page
    assert 'data-testid="revoke-agree"' in page
    # the chairman sees the request but no buttons
    chairman_page = _text(_client(eoffice.commune_chairman).get(url))
    assert "đề nghị thu hồi" in chairman_page
    assert 'data-testid="revoke-agree"' not in chairman_page
    # a refusal without a reason is not taken
    clerk.post(reverse("exchange:revoke_answer", args=[copy.pk, "tu-choi"]), {"reason": ""})
    assert not ExchangeOutbox.objects.filter(document=copy, status_code="16").exists()
    response = clerk.post(reverse("exchange:revoke_answer", args=[copy.pk, "dong-y"]))
    assert response.status_code == 302 and response["Location"] == url
    copy.refresh_from_db()
    assert copy.status == DocumentStatus.RECALLED
    page = _text(clerk.get(url))
    assert "Đã đồng ý đề nghị thu hồi" in page
    assert 'data-testid="revoke-agree"' not in page
