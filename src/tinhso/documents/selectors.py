"""Reads of documents: the queues each role works from, lists with filters, one document's
page with its history. Everything goes through `access.visible_documents`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from tinhso.accounts.access import Actor
from tinhso.documents.access import (
    access_document,
    clerk_agencies,
    leader_agencies,
    led_departments,
    may_decide,
    visible_documents,
)
from tinhso.documents.models import (
    Activity,
    ApprovalStep,
    Assignment,
    AssignmentStatus,
    Direction,
    Document,
    DocumentFile,
    DocumentStatus,
    Recipient,
)
from tinhso.documents.numbering import vietnam_date
from tinhso.text import fold

OPEN_ASSIGNMENT = (AssignmentStatus.WAITING, AssignmentStatus.SEEN, AssignmentStatus.IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class DocumentFilter:
    direction: str = ""
    status: str = ""
    doc_type: str = ""
    urgency: str = ""
    agency_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    #: Folded words matched against number, notation, subject and issuer (a quick filter;
    #: full text with file contents is `tinhso.documents.search`).
    q: str = ""


def document_list(actor: Actor, f: DocumentFilter | None = None) -> QuerySet[Document]:
    f = f or DocumentFilter()
    qs = visible_documents(actor).select_related("agency", "department", "register")
    if f.direction:
        qs = qs.filter(direction=f.direction)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.doc_type:
        qs = qs.filter(doc_type=f.doc_type)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.agency_id is not None:
        qs = qs.filter(agency_id=f.agency_id)
    if f.date_from is not None:
        qs = qs.filter(issued_on__gte=f.date_from)
    if f.date_to is not None:
        qs = qs.filter(issued_on__lte=f.date_to)
    for word in fold(f.q).split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("-created_at", "-id")


def clerk_queue(actor: Actor) -> QuerySet[Document]:
    """Electronic documents waiting for the clerk to register (or return) them."""
    return (
        Document.objects.filter(
            agency_id__in=clerk_agencies(actor),
            direction=Direction.INCOMING,
            status=DocumentStatus.RECEIVED,
        )
        .select_related("agency")
        .order_by("created_at", "id")
    )


def clerk_to_present(actor: Actor) -> QuerySet[Document]:
    """Registered documents not yet presented to a leader."""
    return (
        Document.objects.filter(
            agency_id__in=clerk_agencies(actor),
            direction=Direction.INCOMING,
            status=DocumentStatus.REGISTERED,
        )
        .select_related("agency", "register")
        .order_by("-registered_at", "-id")
    )


def clerk_to_issue(actor: Actor) -> QuerySet[Document]:
    """Approved outgoing documents waiting for a number."""
    return (
        Document.objects.filter(
            agency_id__in=clerk_agencies(actor),
            direction=Direction.OUTGOING,
            status=DocumentStatus.APPROVED,
        )
        .select_related("agency", "department", "signer")
        .order_by("updated_at", "id")
    )


def to_assign(actor: Actor) -> QuerySet[Document]:
    """The leader's assignment view: documents presented to them, and registered documents of
    the agencies they lead or departments they head that nobody routed yet."""
    presented = Q(
        assignments__assignee_id=actor.user_id,
        assignments__is_presentation=True,
        assignments__status__in=(AssignmentStatus.WAITING, AssignmentStatus.SEEN),
    )
    mine = presented | Q(agency_id__in=leader_agencies(actor), status=DocumentStatus.REGISTERED)
    return (
        Document.objects.filter(mine, direction=Direction.INCOMING)
        .filter(status__in=(DocumentStatus.REGISTERED, DocumentStatus.PRESENTED))
        .select_related("agency")
        .distinct()
        .order_by("-registered_at", "-id")
    )


def inbox(actor: Actor, *, include_done: bool = False) -> QuerySet[Assignment]:
    """The specialist's inbox: documents given to them, soonest due first."""
    qs = Assignment.objects.filter(assignee_id=actor.user_id, is_presentation=False)
    if not include_done:
        qs = qs.filter(status__in=OPEN_ASSIGNMENT)
    return qs.select_related("document", "document__agency", "assigned_by").order_by(
        F("due_on").asc(nulls_last=True), "-assigned_at", "id"
    )


def approvals_waiting(actor: Actor) -> QuerySet[Document]:
    """Outgoing documents whose current review step is the actor's."""
    mine = Q(approver_id=actor.user_id)
    heads = led_departments(actor)
    if heads:
        mine |= Q(approver__isnull=True, department_id__in=heads)
    leaders = leader_agencies(actor)
    if leaders:
        mine |= Q(approver__isnull=True, department__isnull=True, document__agency_id__in=leaders)
    waiting = ApprovalStep.objects.filter(mine, decision=ApprovalStep.Decision.WAITING)
    candidates = list(
        Document.objects.filter(
            status=DocumentStatus.IN_REVIEW, pk__in=waiting.values("document_id")
        ).prefetch_related(
            Prefetch(
                "approvals",
                queryset=ApprovalStep.objects.filter(
                    decision=ApprovalStep.Decision.WAITING
                ).order_by("-round", "order"),
                to_attr="waiting_steps",
            )
        )
    )
    mine_ids = [
        d.pk for d in candidates if d.waiting_steps and may_decide(actor, d, d.waiting_steps[0])
    ]
    return (
        Document.objects.filter(pk__in=mine_ids)
        .select_related("agency", "department", "created_by")
        .order_by("updated_at", "id")
    )


def my_drafts(actor: Actor) -> QuerySet[Document]:
    return (
        Document.objects.filter(
            created_by_id=actor.user_id,
            direction=Direction.OUTGOING,
            status__in=(
                DocumentStatus.DRAFT,
                DocumentStatus.RETURNED,
                DocumentStatus.IN_REVIEW,
                DocumentStatus.APPROVED,
            ),
        )
        .select_related("agency", "signer")
        .order_by("-updated_at", "-id")
    )


def overdue_assignments(actor: Actor, *, today: dt.date | None = None) -> QuerySet[Assignment]:
    """Open assignments past their due date that the actor may see (their own; all of the
    agencies they lead or clerk for; their departments' if they head one)."""
    day = today or vietnam_date(timezone.now())
    scope = Q(assignee_id=actor.user_id)
    agencies = leader_agencies(actor) | clerk_agencies(actor)
    if agencies:
        scope |= Q(document__agency_id__in=agencies)
    heads = led_departments(actor)
    if heads:
        scope |= Q(department_id__in=heads)
    return (
        Assignment.objects.filter(scope, status__in=OPEN_ASSIGNMENT, due_on__lt=day)
        .exclude(is_presentation=True)
        .select_related("document", "assignee", "department")
        .order_by("due_on", "id")
    )


def document_detail(actor: Actor, document_id: int) -> Document:
    """One document with everything its page shows, in a fixed number of queries."""
    qs = Document.objects.select_related(
        "agency", "department", "register", "signer", "created_by", "origin", "replaces"
    ).prefetch_related(
        Prefetch("files", queryset=DocumentFile.objects.select_related("file", "version")),
        Prefetch("activities", queryset=Activity.objects.select_related("actor")),
        Prefetch(
            "assignments",
            queryset=Assignment.objects.select_related("assignee", "department", "assigned_by"),
        ),
        Prefetch(
            "approvals",
            queryset=ApprovalStep.objects.select_related("approver", "decided_by", "department"),
        ),
        Prefetch("recipients", queryset=Recipient.objects.select_related("agency")),
        "versions__created_by",
        "comments__author",
    )
    return access_document(actor, document_id, qs)


def days_left(due_on: dt.date | None, *, today: dt.date | None = None) -> int | None:
    """Days until the due date (negative when overdue): the inbox colours by it."""
    if due_on is None:
        return None
    return (due_on - (today or vietnam_date(timezone.now()))).days
