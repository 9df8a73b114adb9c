"""Reads of the node: the monitor's lists of sent and received packages, and what the document
page shows of a document's interconnection."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from tinhso.accounts.access import Actor
from tinhso.documents.models import Direction, Document, ExchangeOutbox, Source
from tinhso.exchange.access import watched_agencies
from tinhso.exchange.models import ReceivedPackage

SENT_STATES = frozenset(ExchangeOutbox.State.values)
KINDS = frozenset(ExchangeOutbox.Kind.values)


def _agencies(actor: Actor) -> Q:
    condition = Q(agency_id__in=watched_agencies(actor))
    if actor.is_provincial_admin:
        condition |= Q(agency__isnull=True)
    return condition


def sent_packages(actor: Actor, *, state: str = "", kind: str = "") -> QuerySet[ExchangeOutbox]:
    """The packages the actor's agencies send or sent, newest first."""
    rows = ExchangeOutbox.objects.filter(_agencies(actor))
    if state in SENT_STATES:
        rows = rows.filter(state=state)
    if kind in KINDS:
        rows = rows.filter(kind=kind)
    return rows.select_related("document", "recipient", "agency").order_by("-created_at", "-id")


def sent_counts(actor: Actor) -> dict[str, int]:
    rows = ExchangeOutbox.objects.filter(_agencies(actor))
    return {
        state: rows.filter(state=state).count()
        for state in (ExchangeOutbox.State.PENDING, ExchangeOutbox.State.FAILED)
    }


def received_packages(actor: Actor, *, verdict: str = "") -> QuerySet[ReceivedPackage]:
    """The deliveries the hub made to the actor's agencies, newest first."""
    rows = ReceivedPackage.objects.filter(_agencies(actor))
    if verdict:
        rows = rows.filter(verdict=verdict)
    return rows.select_related("document", "agency").order_by("-received_at", "-id")


@dataclass
class DocumentExchange:
    """A document's interconnection, for its page."""

    outbox: list[ExchangeOutbox] = field(default_factory=list)
    received: ReceivedPackage | None = None
    revokes: list[ReceivedPackage] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return bool(self.outbox or self.received or self.revokes)


def document_exchange(d: Document) -> DocumentExchange:
    """The packages sent for a document, or the one it arrived in and revokes of it."""
    found = DocumentExchange()
    if d.direction == Direction.OUTGOING:
        if any(not r.is_internal for r in d.recipients.all()):
            found.outbox = list(
                ExchangeOutbox.objects.filter(document=d)
                .select_related("recipient")
                .order_by("created_at", "id")
            )
        return found
    if d.source != Source.EXCHANGE:
        return found
    rows = list(ReceivedPackage.objects.filter(document=d).order_by("received_at", "id"))
    found.received = next(
        (
            r
            for r in rows
            if r.message_type == "edoc" and r.verdict == "accepted" and not r.is_revoke
        ),
        None,
    )
    found.revokes = [r for r in rows if r.is_revoke]
    found.outbox = list(ExchangeOutbox.objects.filter(document=d).order_by("created_at", "id"))
    return found
