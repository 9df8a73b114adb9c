"""The receiving clerk answers a revoke (thu hồi) the sender asked for: agree — our copy is
recalled and the sender told 15 — or refuse with a reason — 16 (Nghị định 30/2020, Điều 18.4;
vn-eoffice.md §2.4). The status package is written by the history row (`common.activity`)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.audit.services import audit_record
from tinhso.documents.errors import DocumentConflict
from tinhso.documents.models import Direction, Document, DocumentStatus, Source
from tinhso.documents.services.common import activity, invalid, lock_document, now_or, reindex
from tinhso.exchange.access import may_answer_revoke
from tinhso.exchange.models import MessageType, ReceivedPackage, Verdict

REVOKES = Q(message_type=MessageType.STATUS, status_code="13") | Q(
    message_type=MessageType.EDOC, business_type=1
)


def pending_revokes(document: Document) -> list[ReceivedPackage]:
    """Revoke requests for a received document that wait for the clerk's answer."""
    if document.source != Source.EXCHANGE or document.direction != Direction.INCOMING:
        return []
    return list(
        ReceivedPackage.objects.filter(
            REVOKES, document=document, verdict=Verdict.ACCEPTED, answer=""
        ).order_by("received_at", "id")
    )


def _open_request(actor: User, document_id: int) -> tuple[Document, list[ReceivedPackage]]:
    d = lock_document(document_id, Direction.INCOMING)
    if not may_answer_revoke(actor_for(actor), d.agency_id):
        raise PermissionDenied(_("Chỉ văn thư của cơ quan nhận được trả lời đề nghị thu hồi."))
    requests = list(
        ReceivedPackage.objects.select_for_update()
        .filter(REVOKES, document=d, verdict=Verdict.ACCEPTED, answer="")
        .order_by("received_at", "id")
    )
    if not requests:
        raise DocumentConflict(_("Không có đề nghị thu hồi nào đang chờ trả lời."))
    return d, requests


def _close(
    requests: list[ReceivedPackage], actor: User, code: str, reason: str, at: dt.datetime
) -> None:
    for request in requests:
        request.answer = code
        request.answer_reason = reason
        request.answered_by = actor
        request.answered_at = at
        request.save(update_fields=["answer", "answer_reason", "answered_by", "answered_at"])


def revoke_agree(*, actor: User, document_id: int, now: dt.datetime | None = None) -> Document:
    """Cancel our copy as the sender asked: it is recalled, the sender gets 15."""
    at = now_or(now)
    with transaction.atomic():
        d, requests = _open_request(actor, document_id)
        reason = requests[-1].description or _("Nơi gửi thu hồi văn bản.")
        if d.status != DocumentStatus.RECALLED:
            d.status = DocumentStatus.RECALLED
            d.recalled_at = at
            d.recall_reason = reason
            d.save(update_fields=["status", "recalled_at", "recall_reason", "updated_at"])
        activity(d, "recalled", actor, note=reason, edxml_status="15", at=at)
        _close(requests, actor, "15", "", at)
        audit_record(
            actor=actor,
            action="exchange.revoke.agree",
            obj=d,
            agency=d.agency_id,
            changes={"requests": [r.pk for r in requests], "reason": reason},
        )
        reindex(d)
    return d


def revoke_refuse(
    *, actor: User, document_id: int, reason: str, now: dt.datetime | None = None
) -> Document:
    """Keep our copy: the sender gets 16 with the reason."""
    at = now_or(now)
    reason = reason.strip()
    if not reason:
        raise invalid("reason", _("Cần ghi lý do từ chối thu hồi."))
    with transaction.atomic():
        d, requests = _open_request(actor, document_id)
        activity(d, "revoke_refused", actor, note=reason, edxml_status="16", at=at)
        _close(requests, actor, "16", reason, at)
        audit_record(
            actor=actor,
            action="exchange.revoke.refuse",
            obj=d,
            agency=d.agency_id,
            changes={"requests": [r.pk for r in requests], "reason": reason},
        )
    return d
