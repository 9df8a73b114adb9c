"""The document page's interconnection panel (`{% document_exchange d %}`): the packages sent
for the document with their failures, or the package it arrived in and the sender's revoke
requests with the clerk's answer buttons. The page itself has already checked who sees it."""

from __future__ import annotations

from typing import Any

from django import template

from tinhso.accounts.access import actor_for
from tinhso.documents.models import Document
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
