"""The node against the real hub (`tinhso.hub`): its views answer in this process, through the
hub's own URL configuration, within the test's transaction. Only the transport differs from
production: `HttpHubClient`'s socket is replaced by Django's test client, so the node's
request signing, the hub's checks (signed requests, envelope signature against its trust
anchors, From agency served by the calling node, recipients, de-duplication) and the node's
reading of the answers are the real ones."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from tinhso.documents import services
from tinhso.documents.models import Document, ExchangeOutbox, Recipient, RecipientState, Source
from tinhso.exchange import httpsig
from tinhso.exchange.client import HttpHubClient
from tinhso.exchange.services import inbox_pull, outbox_send_batch
from tinhso.exchange.tests.node.conftest import NODE, Seals, issue
from tinhso.hub import registry
from tinhso.hub import services as hub_services
from tinhso.organizations import demo
from tinhso.testing.eoffice import EofficeWorld
from tinhso.testing.signing import LocalPki

pytestmark = pytest.mark.django_db

COMMUNE = services.ExternalRecipient("Phường Phú Xuân", demo.PHU_XUAN_CODE)


class InProcessHubClient(HttpHubClient):
    """`HttpHubClient` whose requests go to the hub's views in this process."""

    def __init__(self, *, node: str, key: httpsig.PrivateKey) -> None:
        super().__init__("http://hub.test", node=node, key=key)
        self._django = Client()

    def _call(
        self,
        method: str,
        call: str,
        *,
        query: Mapping[str, str] | None = None,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        path = self._prefix + call + (f"?{urlencode(query)}" if query else "")
        signed = httpsig.sign_request(method, path, body, node=self._node, key=self._key)
        all_headers = {**(headers or {}), **signed}
        content_type = all_headers.pop("Content-Type", "application/octet-stream")
        response = self._django.generic(
            method, path, data=body, content_type=content_type, headers=all_headers
        )
        return self._answer(method, call, response.status_code, response.content)


@pytest.fixture
def real_hub(
    settings: Any, eoffice: EofficeWorld, seals: Seals, commune_pki: LocalPki
) -> Iterator[InProcessHubClient]:
    settings.ROOT_URLCONF = "tinhso.config.urls_hub"
    registry.invalidate()
    key_pem, cert_pem = httpsig.make_node_credentials(NODE)
    hub_services.node_register(actor=None, code=NODE, name="Tỉnh thử", certificate_pem=cert_pem)
    for agency in (eoffice.snv, eoffice.phu_xuan):
        hub_services.organ_register(
            actor=None, node_code=NODE, organ_id=agency.code, name=agency.name
        )
    hub_services.trust_anchor_add(actor=None, certificate_pem=commune_pki.trust_root_pem)
    registry.invalidate()
    yield InProcessHubClient(node=NODE, key=httpsig.load_private_key(key_pem))
    registry.invalidate()


def test_a_document_and_its_statuses_cross_the_real_hub(
    eoffice: EofficeWorld, real_hub: InProcessHubClient
) -> None:
    # given Sở Nội vụ issues to Phường Phú Xuân (both served by this node)
    d = issue(eoffice, external_recipients=(COMMUNE,))
    # when the worker sends, pulls, and the commune's clerk registers it
    assert outbox_send_batch(real_hub).sent == 1
    assert inbox_pull(real_hub).accepted == 1
    copy = Document.objects.get(agency=eoffice.phu_xuan, source=Source.EXCHANGE)
    services.incoming_accept(actor=eoffice.commune_clerk, document_id=copy.pk)
    for _ in range(2):
        outbox_send_batch(real_hub)
        inbox_pull(real_hub)
    # then the sender sees the commune registered it, and every package left once
    r = Recipient.objects.get(document=d, code=demo.PHU_XUAN_CODE)
    assert r.state == RecipientState.REGISTERED
    assert set(ExchangeOutbox.objects.values_list("state", flat=True)) == {"sent"}
    assert inbox_pull(real_hub).handled == 0


def test_the_real_hub_refuses_a_wrong_address_and_the_clerk_sees_why(
    eoffice: EofficeWorld, real_hub: InProcessHubClient
) -> None:
    d = issue(eoffice, external_recipients=(services.ExternalRecipient("Sở không có", "H98.01"),))
    assert outbox_send_batch(real_hub).failed == 1
    row = ExchangeOutbox.objects.get(document=d)
    assert "Sai địa chỉ nơi nhận" in row.last_error


def test_a_resend_under_the_same_send_id_gets_the_first_answer(
    eoffice: EofficeWorld, real_hub: InProcessHubClient
) -> None:
    d = issue(eoffice, external_recipients=(COMMUNE,))
    assert outbox_send_batch(real_hub).sent == 1
    row = ExchangeOutbox.objects.get(document=d)
    first = row.response
    # a worker that crashed after the hub stored it but before recording the answer
    ExchangeOutbox.objects.filter(pk=row.pk).update(state="pending", attempts=0)
    assert outbox_send_batch(real_hub).sent == 1
    row.refresh_from_db()
    assert row.response["id"] == first["id"] and row.response["replayed"] is True
    assert inbox_pull(real_hub).accepted == 1
    assert Document.objects.filter(agency=eoffice.phu_xuan, source=Source.EXCHANGE).count() == 1
