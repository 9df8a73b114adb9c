"""Who sees and who acts on a document.

Seeing (Nghị định 30, Điều 22–24 and the agency's rules on who handles what):

- the registry clerk (văn thư) of an agency sees its incoming documents, and its outgoing ones
  once approved (they issue them) — not the drafts under review;
- a leader of the agency (lãnh đạo without a department) sees all of the agency's documents
  except drafts not yet submitted;
- the members of a department see the documents of their department (drafted there, or
  routed there for processing), drafts included;
- an official sees what they drafted, what they were assigned, what waits for their approval
  and what they sign;
- nobody sees another agency's documents: an issued document reaches another agency as that
  agency's own incoming copy.

Anyone else gets 404, as if the document did not exist.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tinhso.accounts.access import Actor
from tinhso.accounts.models import Role
from tinhso.documents.models import (
    ApprovalStep,
    Assignment,
    Direction,
    Document,
    DocumentFile,
    DocumentStatus,
)
from tinhso.files.models import StoredFile

#: Outgoing statuses the registry clerk works on.
CLERK_OUTGOING = (DocumentStatus.APPROVED, DocumentStatus.ISSUED, DocumentStatus.RECALLED)


def clerk_agencies(actor: Actor) -> frozenset[int]:
    return actor.agency_ids_with_role(Role.VAN_THU)


def leader_agencies(actor: Actor) -> frozenset[int]:
    """Agencies the actor leads as a whole (a leader's post without a department)."""
    return frozenset(
        m.agency_id
        for m in actor.memberships
        if m.role == Role.LANH_DAO and m.department_id is None
    )


def led_departments(actor: Actor) -> frozenset[int]:
    """Departments the actor heads (a leader's post in a department)."""
    return frozenset(
        m.department_id
        for m in actor.memberships
        if m.role == Role.LANH_DAO and m.department_id is not None
    )


def member_departments(actor: Actor) -> frozenset[int]:
    return frozenset(m.department_id for m in actor.memberships if m.department_id is not None)


def visibility(actor: Actor) -> Q | None:
    """The condition on `Document` for what `actor` may see; None = nothing."""
    direct = _direct_visibility(actor)
    if direct is None:
        return None
    user_id = actor.user_id
    assigned = Exists(Assignment.objects.filter(document_id=OuterRef("pk"), assignee_id=user_id))
    reviewed = Exists(ApprovalStep.objects.filter(_approvals(actor), document_id=OuterRef("pk")))
    return direct | Q(assigned) | Q(reviewed)


def _direct_visibility(actor: Actor) -> Q | None:
    """The terms of `visibility` on the document's own columns (all but the assignments and
    the review steps)."""
    if not actor.is_authenticated or not actor.is_official:
        return None
    user_id = actor.user_id
    # Only in one's own agencies: the sending clerk creates the recipients' incoming copies.
    condition = (Q(created_by_id=user_id) | Q(signer_id=user_id)) & Q(
        agency_id__in=actor.agency_ids
    )
    clerks = clerk_agencies(actor)
    if clerks:
        condition |= Q(agency_id__in=clerks, direction=Direction.INCOMING)
        condition |= Q(agency_id__in=clerks, status__in=CLERK_OUTGOING)
    leaders = leader_agencies(actor)
    if leaders:
        condition |= Q(agency_id__in=leaders) & ~Q(status=DocumentStatus.DRAFT)
    departments = member_departments(actor)
    if departments:
        condition |= Q(department_id__in=departments)
    return condition


def _approvals(actor: Actor) -> Q:
    """The review steps (`ApprovalStep`) that let `actor` see their document."""
    approvals = Q(approver_id=actor.user_id)
    heads = led_departments(actor)
    if heads:
        approvals |= Q(approver__isnull=True, department_id__in=heads)
    leaders = leader_agencies(actor)
    if leaders:
        approvals |= Q(
            approver__isnull=True,
            department__isnull=True,
            document__agency_id__in=leaders,
        )
    return approvals


def related_document_ids(actor: Actor, limit: int) -> list[int] | None:
    """The documents `actor` sees through an assignment or a review step — the two EXISTS
    terms of `visibility` — or None when there are more than `limit` of them."""
    key = visibility_key(actor)
    if key is None:
        return []

    def build() -> tuple[str, tuple[Any, ...]]:
        assigned = (
            Assignment.objects.filter(assignee_id=actor.user_id)
            .order_by()
            .values_list("document_id")
        )
        reviewed = (
            ApprovalStep.objects.filter(_approvals(actor)).order_by().values_list("document_id")
        )
        sql, params = assigned.union(reviewed).query.sql_with_params()
        return f"{sql} LIMIT %s", tuple(params)

    found = _kept_sql((connection.vendor, "related", key), build)
    with connection.cursor() as cursor:
        cursor.execute(found[0], [*found[1], limit + 1])
        ids = [row[0] for row in cursor.fetchall()]
    return None if len(ids) > limit else ids


def visibility_key(actor: Actor) -> tuple[object, ...] | None:
    """Everything `visibility` reads of the actor: two actors with one key see the same."""
    if not actor.is_authenticated or not actor.is_official:
        return None
    return (
        actor.user_id,
        tuple(sorted(actor.agency_ids)),
        tuple(sorted(clerk_agencies(actor))),
        tuple(sorted(leader_agencies(actor))),
        tuple(sorted(member_departments(actor))),
        tuple(sorted(led_departments(actor))),
    )


#: (database vendor, model, visibility key) → the compiled condition; see `visible_where`.
_COMPILED: OrderedDict[tuple[object, ...], tuple[str, tuple[Any, ...]]] = OrderedDict()
_COMPILED_MAX: Final = 2048
_COMPILED_LOCK = threading.Lock()


def visible_where(actor: Actor, model: type[models.Model]) -> tuple[str, tuple[Any, ...]] | None:
    """`visibility(actor)` compiled to SQL on `model`'s table (its columns under their names:
    `Document`, or the search index's copies of them), or None when the actor sees nothing.

    Compiling the condition — an OR of half a dozen terms and two EXISTS subqueries — costs
    the ORM a few milliseconds, more than the index lookup it guards; the search runs it
    for every request. The SQL depends only on `visibility_key`, so each process keeps it
    per key (bounded, least recently used first out): a change of the actor's posts changes
    the key, never a stale answer.
    """
    key = visibility_key(actor)
    if key is None:
        return None
    return _kept_sql(
        (connection.vendor, model._meta.label, key),
        lambda: _compile(model, visibility(actor)),  # type: ignore[arg-type]  # key: not None
    )


def visible_where_listed(
    actor: Actor, model: type[models.Model], ids: Sequence[int]
) -> tuple[str, tuple[Any, ...]] | None:
    """`visible_where` with the assignments and review steps given as the documents' ids
    (`related_document_ids`) instead of two correlated subqueries (PostgreSQL only: `= ANY`).

    The subqueries cost two index lookups for every row the other terms refuse: a search by a
    specialist, who sees a department's share of an agency, pays them for most of the rows its
    words match. A list of the few documents they were assigned is tested in memory instead.
    """
    key = visibility_key(actor)
    if key is None:
        return None
    found = _kept_sql(
        (connection.vendor, model._meta.label, key, "listed"),
        lambda: _compile(model, _direct_visibility(actor)),  # type: ignore[arg-type]
    )
    pk = f'"{model._meta.db_table}"."{model._meta.pk.column}"'
    return f"(({found[0]}) OR {pk} = ANY(%s))", (*found[1], list(ids))


def _kept_sql(
    cache_key: tuple[object, ...], build: Callable[[], tuple[str, tuple[Any, ...]]]
) -> tuple[str, tuple[Any, ...]]:
    """SQL compiled once per process and key (`_COMPILED`, least recently used out first)."""
    with _COMPILED_LOCK:
        found = _COMPILED.get(cache_key)
        if found is not None:
            _COMPILED.move_to_end(cache_key)
            return found
    found = build()
    with _COMPILED_LOCK:
        _COMPILED[cache_key] = found
        while len(_COMPILED) > _COMPILED_MAX:
            _COMPILED.popitem(last=False)
    return found


def _compile(model: type[models.Model], condition: Q) -> tuple[str, tuple[Any, ...]]:
    query = model._default_manager.filter(condition).query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.compile(query.where)
    return sql, tuple(params)


def visible_documents(actor: Actor, qs: QuerySet[Document] | None = None) -> QuerySet[Document]:
    qs = Document.objects.all() if qs is None else qs
    condition = visibility(actor)
    if condition is None:
        return qs.none()
    return qs.filter(condition)


def access_document(
    actor: Actor, document_id: int, qs: QuerySet[Document] | None = None
) -> Document:
    """The document if the actor may see it, else 404 (its existence is hidden)."""
    try:
        return visible_documents(actor, qs).get(pk=document_id)
    except (Document.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy văn bản.")) from exc


def is_clerk(actor: Actor, agency_id: int) -> bool:
    return actor.has_role(Role.VAN_THU, agency_id=agency_id)


def is_agency_leader(actor: Actor, agency_id: int) -> bool:
    return agency_id in leader_agencies(actor)


def leads_department(actor: Actor, department_id: int | None) -> bool:
    return department_id is not None and department_id in led_departments(actor)


def may_edit_draft(actor: Actor, d: Document) -> bool:
    """The drafter and the members of the drafting department change a draft."""
    return d.created_by_id == actor.user_id or (
        d.department_id is not None and d.department_id in actor.department_ids(d.agency_id)
    )


def may_decide(actor: Actor, d: Document, step: ApprovalStep) -> bool:
    """Whether `actor` decides this review step: its named official, else a head of its
    department, else a leader of the agency — never the drafter of the document."""
    if actor.user_id == d.created_by_id:
        return False
    if step.approver_id is not None:
        return step.approver_id == actor.user_id
    if step.department_id is not None:
        return step.department_id in led_departments(actor)
    return d.agency_id in leader_agencies(actor)


def require(condition: bool, message: str | None = None) -> None:
    if not condition:
        raise PermissionDenied(message or _("Bạn không có quyền thực hiện thao tác này."))


def governs_document_file(stored: StoredFile) -> bool:
    """A document's file is read by who sees the document, not by every official of the
    agency (a department's draft, an incoming document not routed to you)."""
    return DocumentFile.objects.filter(file_id=stored.pk).exists()


def reads_document_file(actor: Actor, stored: StoredFile) -> bool:
    """A file rule for `tinhso.files`: the file belongs to a document the actor may see."""
    holders = Document.objects.filter(files__file_id=stored.pk)
    return visible_documents(actor, holders).exists()
