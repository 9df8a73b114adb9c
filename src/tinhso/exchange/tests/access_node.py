"""The node's routes in the access matrix (see tinhso.testing.access_matrix).

The monitor pages are for the clerk and the agency's and province's administrators (each sees
only their agencies' packages: the pages open for all of them); sending a failed package again
is for the sending agency's clerk and administrator (another agency's: 404). Answering a revoke
is for the clerk of the agency that received the document: its leader sees the document but
may not answer (403), whoever does not see the document gets 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.urls import reverse

from tinhso.documents.models import Direction, Document, DocumentStatus, ExchangeOutbox, Source
from tinhso.exchange.models import MessageType, ReceivedPackage, Verdict
from tinhso.exchange.storage import exchange_user
from tinhso.testing.access_matrix import (
    ALLOWED,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    Endpoint,
    World,
    expect,
)

WATCHERS = expect(
    FORBIDDEN,
    anonymous=LOGIN,
    van_thu_a=ALLOWED,
    quan_tri_co_quan_a=ALLOWED,
    quan_tri_co_quan_b=ALLOWED,
    quan_tri_tinh=ALLOWED,
)
#: A failed package of agency A: its clerk and administrator; other watchers do not find it.
RETRY_A = expect(
    FORBIDDEN,
    anonymous=LOGIN,
    van_thu_a=ALLOWED,
    quan_tri_co_quan_a=ALLOWED,
    quan_tri_co_quan_b=NOT_FOUND,
    quan_tri_tinh=NOT_FOUND,
)
#: A revoke of a document agency A received: A's clerk answers; A's leader sees the document.
REVOKE_A = expect(
    NOT_FOUND,
    anonymous=LOGIN,
    citizen=FORBIDDEN,
    van_thu_a=ALLOWED,
    lanh_dao_a=FORBIDDEN,
)


def _failed_a(w: World) -> str:
    def build() -> ExchangeOutbox:
        return ExchangeOutbox.objects.create(
            agency=w.agency_a,
            kind=ExchangeOutbox.Kind.STATUS,
            status_code="02",
            to_code="H99.01",
            state=ExchangeOutbox.State.FAILED,
            attempts=1,
            last_error="Sai địa chỉ nơi nhận",
            data={"response_for": {"organ_id": "H99.01", "code": "1/X", "document_id": "x"}},
        )

    row = cast(ExchangeOutbox, w.make("exchange_failed_a", build))
    return reverse("exchange:outbox_retry", args=[row.pk])


def _revoked_a(w: World) -> Document:
    def build() -> Document:
        d = Document.objects.create(
            agency=w.agency_a,
            direction=Direction.INCOMING,
            status=DocumentStatus.RECEIVED,
            source=Source.EXCHANGE,
            doc_type="CV",
            number="15",
            notation="UBND-VP",
            subject="Về việc phối hợp kiểm tra",
            issuer_name="Ủy ban nhân dân tỉnh Khác",
            issuer_code="H99.01",
            edxml_document_id="H99.01,2026/11/20,15/UBND-VP",
            created_by=exchange_user(),
        )
        ReceivedPackage.objects.create(
            hub_id=f"matrix-revoke-{d.pk}",
            message_type=MessageType.STATUS,
            status_code="13",
            agency=w.agency_a,
            from_code="H99.01",
            to_code=w.agency_a.code,
            edxml_document_id=d.edxml_document_id,
            description="Ban hành nhầm",
            verdict=Verdict.ACCEPTED,
            document=d,
        )
        return d

    return cast(Document, w.make("exchange_revoked_a", build))


def _revoke_url(answer: str) -> Callable[[World], str]:
    def url(w: World) -> str:
        return reverse("exchange:revoke_answer", args=[_revoked_a(w).pk, answer])

    return url


ENDPOINTS: list[Endpoint] = [
    Endpoint("exchange:sent", "GET", expect=WATCHERS),
    Endpoint("exchange:received", "GET", expect=WATCHERS),
    Endpoint(
        "exchange:outbox_retry", "POST", url=_failed_a, expect=RETRY_A, success=frozenset({302})
    ),
    Endpoint(
        "exchange:revoke_answer",
        "POST",
        url=_revoke_url("dong-y"),
        label="agree",
        expect=REVOKE_A,
        success=frozenset({302}),
    ),
    Endpoint(
        "exchange:revoke_answer",
        "POST",
        url=_revoke_url("tu-choi"),
        payload=lambda w: {"reason": "Văn bản đã được thực hiện"},
        label="refuse",
        expect=REVOKE_A,
        success=frozenset({302}),
    ),
]
