"""The interconnection's template helpers: the document page's panel (`{% document_exchange d %}`:
the packages sent for the document with their failures, or the package it arrived in and the
sender's revoke requests with the clerk's answer buttons; the page itself has already checked
who sees it), and what a package carries in words, for the lists and the panel alike."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from tinhso.accounts.access import actor_for
from tinhso.documents.kinds import EdxmlStatus
from tinhso.documents.models import Document, ExchangeOutbox
from tinhso.exchange.access import may_answer_revoke
from tinhso.exchange.selectors import document_exchange as exchange_of

register = template.Library()


@register.inclusion_tag("exchange/_document.html", takes_context=True)
def document_exchange(context: dict[str, Any], d: Document) -> dict[str, Any]:
    request = context.get("request")
    actor = actor_for(getattr(request, "user", None))
    found = exchange_of(d)
    waiting = [r for r in found.revokes if not r.answer]
    return {
        "d": d,
        "x": found,
        "waiting": waiting,
        "may_answer": bool(waiting) and may_answer_revoke(actor, d.agency_id),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.filter
def status_label(code: str) -> str:
    """`Trạng thái 05 · Đang xử lý` for an edXML status code (vn-eoffice.md §2.4)."""
    if code in EdxmlStatus.values:
        return _("Trạng thái %(code)s · %(label)s") % {
            "code": code,
            "label": EdxmlStatus(code).label,
        }
    return _("Trạng thái %(code)s") % {"code": code}


@register.filter
def outbox_label(row: ExchangeOutbox) -> str:
    """What a package of the outbox carries: a status, or a new, updated or replacing document
    (edXML business types 0, 2 and 3)."""
    if row.kind == ExchangeOutbox.Kind.STATUS:
        return status_label(row.status_code)
    if row.business_type == 3:
        return _("Văn bản thay thế")
    if row.business_type == 2:
        return _("Văn bản cập nhật (đính chính)")
    return _("Văn bản mới")
