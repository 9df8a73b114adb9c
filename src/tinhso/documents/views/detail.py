"""The document page (`documents:detail`) and the actions posted from it and from the queues."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tinhso.accounts.access import Actor
from tinhso.documents import forms_ui, selectors, services
from tinhso.documents.errors import DocumentConflict
from tinhso.documents.models import (
    ApprovalStep,
    AssignmentStatus,
    Direction,
    Document,
    DocumentStatus,
    FileRole,
)
from tinhso.documents.views.actions import (
    ACTIONS,
    ActionMeta,
    Situation,
    make_form,
    may_assign,
    offered,
    perform,
    situation,
)
from tinhso.documents.views.common import (
    activity_label,
    actor_of,
    due_left,
    list_url,
    require_official,
    safe_next,
    store_uploads,
    user_of,
)
from tinhso.web.forms import apply_service_errors


@dataclass
class Panel:
    action: str
    meta: ActionMeta
    form: forms_ui.ActionForm
    open: bool = False
    multipart: bool = False
    fields: list[Any] = field(default_factory=list)


def _panels(s: Situation, bound: tuple[str, forms_ui.ActionForm] | None) -> list[Panel]:
    panels = []
    for action in offered(s):
        form = bound[1] if bound is not None and bound[0] == action else make_form(action, s)
        panels.append(
            Panel(
                action=action,
                meta=ACTIONS[action],
                form=form,
                open=bound is not None and bound[0] == action,
                multipart=bool(form.upload_field),
                fields=list(form.visible_fields()),
            )
        )
    return panels


def _rounds(d: Document) -> list[tuple[int, list[ApprovalStep]]]:
    rounds: dict[int, list[ApprovalStep]] = {}
    for step in d.approvals.all():
        rounds.setdefault(step.round, []).append(step)
    return sorted(
        ((r, sorted(steps, key=lambda s: s.order)) for r, steps in rounds.items()), reverse=True
    )


def _context(
    actor: Actor,
    d: Document,
    *,
    bound: tuple[str, forms_ui.ActionForm] | None = None,
    refused: str = "",
) -> dict[str, Any]:
    s = situation(actor, d)
    files = [f for f in d.files.all() if f.role != FileRole.DRAFT]
    assignments = [
        {"row": a, "due": due_left(a.due_on, done=a.status == AssignmentStatus.DONE)}
        for a in d.assignments.all()
    ]
    history = [
        {"row": a, "label": activity_label(a.action)}
        for a in sorted(d.activities.all(), key=lambda a: (a.occurred_at, a.pk))
    ]
    bound_errors: list[str] = []
    offered_now = offered(s)
    if bound is not None and bound[0] not in offered_now:
        bound_errors = [str(e) for errors in bound[1].errors.values() for e in errors]
    return {
        "d": d,
        "s": s,
        "panels": _panels(s, bound),
        "may_assign": may_assign(s),
        "refused": refused,
        "bound_errors": bound_errors,
        "files": files,
        "versions": sorted(d.versions.all(), key=lambda v: -v.number),
        "comments": list(d.comments.all()),
        "rounds": _rounds(d),
        "recipients": list(d.recipients.all()),
        "assignments": assignments,
        "history": history,
        "due": due_left(d.due_on, done=d.status == DocumentStatus.COMPLETED)
        if d.direction == Direction.INCOMING
        else None,
        "breadcrumbs": [
            (
                _("Văn bản đến") if d.direction == Direction.INCOMING else _("Văn bản đi"),
                list_url(d.direction),
            ),
            (d.reference or _("Văn bản #%(id)s") % {"id": d.pk}, None),
        ],
    }


@login_required
@require_GET
def detail(request: HttpRequest, document_id: int) -> HttpResponse:
    actor = actor_of(request)
    require_official(actor)
    d = selectors.document_detail(actor, document_id)
    unseen = [
        a
        for a in d.assignments.all()
        if a.assignee_id == actor.user_id and a.status == AssignmentStatus.WAITING
    ]
    if unseen:
        # Opening a document given to you is seeing it (the sender's list shows "đã xem").
        for a in unseen:
            services.assignment_mark_seen(actor=user_of(request), assignment_id=a.pk)
        d = selectors.document_detail(actor, document_id)
    return render(request, "documents/detail.html", _context(actor, d))


def _apply(form: forms_ui.ActionForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        apply_service_errors(form, exc, field_map=form.service_fields)
    else:
        target = form.upload_field or None
        form.add_error(target, exc.messages)


@login_required
@require_POST
def act(request: HttpRequest, document_id: int, action: str) -> HttpResponse:
    """One action on the document, posted from its page or from a queue (`next`)."""
    if action not in ACTIONS:
        raise Http404(_("Thao tác không tồn tại."))
    actor = actor_of(request)
    require_official(actor)
    d = selectors.document_detail(actor, document_id)
    s = situation(actor, d)
    if action in ("start", "pass_on", "complete") and s.mine is None:
        # Processing is done on one's own assignment; whoever has none may not, whatever the
        # form would say about its fields.
        raise PermissionDenied(_("Văn bản này không được giao cho bạn xử lý."))
    data = request.POST.copy()
    form = make_form(action, s, data, request.FILES)
    if form.is_valid():
        file_id: int | None = None
        upload_errors: list[str] = []
        if form.upload_field and request.FILES.get(f"{action}-{form.upload_field}"):
            upload_errors = store_uploads(
                request, form.upload_field, into=data, stored_field="stored", prefix=f"{action}-"
            )
            ids = data.getlist(f"{action}-stored")
            file_id = int(ids[-1]) if ids else None
        if upload_errors:
            form.add_error(form.upload_field, upload_errors)
        else:
            try:
                message = perform(action, form, user=user_of(request), d=d, file_id=file_id)
            except ValidationError as exc:
                _apply(form, exc)
            except (DocumentConflict, PermissionDenied) as exc:
                status = 409 if isinstance(exc, DocumentConflict) else 403
                text = exc.message if isinstance(exc, DocumentConflict) else str(exc)
                d = selectors.document_detail(actor, document_id)
                context = _context(actor, d, bound=(action, form), refused=text)
                return render(request, "documents/detail.html", context, status=status)
            else:
                messages.success(request, message)
                target = safe_next(request, form.cleaned_data.get("next"))
                if action == "issue" or target is None:
                    target = reverse("documents:detail", args=[d.pk])
                return HttpResponseRedirect(target)
    return render(request, "documents/detail.html", _context(actor, d, bound=(action, form)))
