"""Incoming documents: the clerk's registration form and queues, the leader's assignment,
the processors' inbox and the overdue list (Nghị định 30/2020, Điều 21–24)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tinhso.accounts.access import Actor
from tinhso.documents import forms_ui, selectors, services
from tinhso.documents.access import clerk_agencies
from tinhso.documents.errors import DocumentConflict, LikelyDuplicate
from tinhso.documents.models import (
    AssignmentRole,
    Direction,
    Document,
    DocumentStatus,
)
from tinhso.documents.views.actions import ACTIONS, may_assign, situation
from tinhso.documents.views.common import (
    actor_of,
    agency_people,
    clerk_agency_choices,
    department_colleagues,
    due_left,
    leader_choices,
    page_of,
    register_choices,
    require_clerk,
    require_leader,
    require_official,
    store_uploads,
    stored_names,
    user_of,
)
from tinhso.web.forms import apply_service_errors

# --- The clerk: registration ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def incoming_new(request: HttpRequest) -> HttpResponse:
    """Vào sổ văn bản đến (paper or a file received outside the system)."""
    actor = actor_of(request)
    agency_ids = require_clerk(actor)
    kwargs: dict[str, Any] = {
        "agencies": clerk_agency_choices(actor),
        "registers": register_choices(agency_ids, Direction.INCOMING),
    }
    duplicates: list[Document] = []
    duplicate_message = ""
    if request.method == "POST":
        data = request.POST.copy()
        form = forms_ui.IncomingForm(data, request.FILES, **kwargs)
        upload_errors = {
            name: store_uploads(request, name, into=data, stored_field=stored)
            for name, stored in form.upload_pairs
        }
        valid = form.is_valid()
        for name, errors in upload_errors.items():
            if errors:
                form.add_error(name, errors)
        if valid and not any(upload_errors.values()):
            try:
                d = services.incoming_register(
                    actor=user_of(request),
                    data=form.incoming_input(),
                    confirm_duplicate=form.cleaned_data["confirm_duplicate"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, field_map=forms_ui.SERVICE_FIELDS)
            except LikelyDuplicate as exc:
                duplicate_message = exc.message
                duplicates = list(selectors.document_list(actor).filter(pk__in=exc.duplicate_ids))
            else:
                messages.success(
                    request,
                    _("Đã vào sổ văn bản đến, số đến %(n)s (%(register)s).")
                    % {"n": d.register_number, "register": d.register.name if d.register else ""},
                )
                return HttpResponseRedirect(reverse("documents:detail", args=[d.pk]))
    else:
        form = forms_ui.IncomingForm(**kwargs)
    names = stored_names(actor, form.all_stored_ids())
    return render(
        request,
        "documents/incoming_form.html",
        {
            "form": form,
            "stored": form.stored_rows(names),
            "duplicates": duplicates,
            "duplicate_message": duplicate_message,
            "breadcrumbs": [
                (_("Văn bản đến"), reverse("documents:incoming_list")),
                (_("Vào sổ văn bản đến"), None),
            ],
        },
    )


# --- The clerk: queues ---------------------------------------------------------------------------


def _clerk_counts(actor: Actor) -> dict[str, int]:
    return {
        "queue": selectors.clerk_queue(actor).count(),
        "present": selectors.clerk_to_present(actor).count(),
        "issue": selectors.clerk_to_issue(actor).count(),
    }


def _clerk_page(
    request: HttpRequest,
    *,
    tab: str,
    qs: QuerySet[Document],
    title: str,
    intro: str,
    empty: str,
    actions: list[str],
) -> HttpResponse:
    actor = actor_of(request)
    page = page_of(request, qs)
    here = request.get_full_path()
    rows = []
    # The choices each row's form offers are the agency's, computed once per agency.
    leaders: dict[int, list[tuple[int, str]]] = {}
    registers: dict[int, list[tuple[int, str]]] = {}
    for d in page.object_list:
        forms = []
        for action in actions:
            if action == "present" and d.agency_id not in leaders:
                leaders[d.agency_id] = leader_choices(d.agency_id)
            if action == "accept" and d.agency_id not in registers:
                registers[d.agency_id] = register_choices([d.agency_id], Direction.INCOMING)
            form: forms_ui.ActionForm
            prefix: dict[str, Any] = {
                "prefix": action,
                "initial": {"next": here},
                "auto_id": f"id_d{d.pk}_%s",
            }
            if action == "present":
                form = forms_ui.PresentForm(leaders=leaders[d.agency_id], **prefix)
            elif action == "accept":
                form = forms_ui.AcceptForm(registers=registers[d.agency_id], **prefix)
            elif action == "refuse":
                form = forms_ui.RefuseForm(**prefix)
            else:
                form = forms_ui.IssueForm(**prefix)
            forms.append({"action": action, "meta": ACTIONS[action], "form": form})
        rows.append({"d": d, "forms": forms, "due": due_left(d.due_on)})
    return render(
        request,
        "documents/clerk.html",
        {
            "tab": tab,
            "counts": _clerk_counts(actor),
            "page": page,
            "rows": rows,
            "title": title,
            "intro": intro,
            "empty": empty,
            "breadcrumbs": [(_("Việc của văn thư"), None)],
        },
    )


@login_required
@require_GET
def clerk_queue(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_clerk(actor)
    return _clerk_page(
        request,
        tab="queue",
        qs=selectors.clerk_queue(actor),
        title=_("Văn bản điện tử chờ vào sổ"),
        intro=_(
            "Văn bản đến qua hệ thống: kiểm tra, vào sổ (cấp số đến) hoặc trả lại nơi gửi nếu "
            "gửi nhầm, không hợp lệ."
        ),
        empty=_("Không có văn bản điện tử nào chờ vào sổ."),
        actions=["accept", "refuse"],
    )


@login_required
@require_GET
def clerk_present(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_clerk(actor)
    return _clerk_page(
        request,
        tab="present",
        qs=selectors.clerk_to_present(actor),
        title=_("Văn bản đã vào sổ, chờ trình"),
        intro=_("Trình lãnh đạo cơ quan để phân công xử lý (Nghị định 30/2020, Điều 23)."),
        empty=_("Không có văn bản nào chờ trình."),
        actions=["present"],
    )


@login_required
@require_GET
def clerk_issue(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_clerk(actor)
    return _clerk_page(
        request,
        tab="issue",
        qs=selectors.clerk_to_issue(actor),
        title=_("Văn bản đi đã duyệt, chờ phát hành"),
        intro=_(
            "Cấp số, ký hiệu theo sổ văn bản đi và gửi đến nơi nhận (Nghị định 30/2020, Điều 15–18)."
        ),
        empty=_("Không có văn bản nào chờ phát hành."),
        actions=["issue"],
    )


# --- The leader: assignment -------------------------------------------------------------------


@login_required
@require_GET
def to_assign(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_leader(actor)
    page = page_of(request, selectors.to_assign(actor))
    rows = [{"d": d, "due": due_left(d.due_on)} for d in page.object_list]
    return render(
        request,
        "documents/to_assign.html",
        {"page": page, "rows": rows, "breadcrumbs": [(_("Văn bản chờ phân công"), None)]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, document_id: int) -> HttpResponse:
    """Phân công xử lý: the form of the leader the document was presented to."""
    actor = actor_of(request)
    require_official(actor)
    d = selectors.document_detail(actor, document_id)
    s = situation(actor, d)
    if not may_assign(s):
        raise PermissionDenied(
            _("Bạn không được phân công xử lý văn bản này ở trạng thái hiện tại.")
        )
    people = agency_people(d.agency_id)
    refused = ""
    status = 200
    if request.method == "POST":
        form = forms_ui.AssignForm(request.POST, people=people)
        if form.is_valid():
            try:
                services.incoming_assign(
                    actor=user_of(request), document_id=d.pk, data=form.assign_input()
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except (DocumentConflict, PermissionDenied) as exc:
                refused = exc.message if isinstance(exc, DocumentConflict) else str(exc)
                status = 409 if isinstance(exc, DocumentConflict) else 403
            else:
                messages.success(request, _("Đã phân công xử lý văn bản."))
                return HttpResponseRedirect(reverse("documents:detail", args=[d.pk]))
    else:
        current = [
            a for a in d.assignments.all() if not a.is_presentation and a.status != "withdrawn"
        ]
        initial: dict[str, Any] = {"due_on": d.due_on}
        mains = [a.assignee_id for a in current if a.role == AssignmentRole.MAIN]
        if mains:
            initial["main"] = mains[-1]
            initial["supports"] = [
                a.assignee_id for a in current if a.role == AssignmentRole.SUPPORT
            ]
            initial["readers"] = [a.assignee_id for a in current if a.role == AssignmentRole.READER]
        form = forms_ui.AssignForm(people=people, initial=initial)
    return render(
        request,
        "documents/assign.html",
        {
            "d": d,
            "form": form,
            "people": people,
            "refused": refused,
            "reassign": d.status == DocumentStatus.ASSIGNED,
            "breadcrumbs": [
                (_("Văn bản chờ phân công"), reverse("documents:to_assign")),
                (d.reference or d.subject[:40], reverse("documents:detail", args=[d.pk])),
                (_("Phân công xử lý"), None),
            ],
        },
        status=status,
    )


# --- Processors: inbox and overdue --------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_official(actor)
    # Soonest due first and the undated last, on every database (SQLite sorts NULL first).
    qs = selectors.inbox(actor)
    page = page_of(request, qs)
    here = request.get_full_path()
    colleagues: dict[int | None, list[tuple[int, str]]] = {}
    rows = []
    for a in page.object_list:
        forms: list[dict[str, Any]] = []
        if a.status in ("waiting", "seen"):
            forms.append(
                {
                    "action": "start",
                    "form": forms_ui.StartForm(
                        prefix="start",
                        initial={"assignment": a.pk, "next": here},
                        auto_id=f"id_a{a.pk}_%s",
                    ),
                }
            )
        if a.role == AssignmentRole.MAIN and a.department_id is not None:
            if a.department_id not in colleagues:
                colleagues[a.department_id] = department_colleagues(a.department_id, actor.user_id)
            forms.append(
                {
                    "action": "pass_on",
                    "form": forms_ui.PassOnForm(
                        prefix="pass_on",
                        colleagues=colleagues[a.department_id],
                        initial={"assignment": a.pk, "next": here},
                        auto_id=f"id_a{a.pk}_%s",
                    ),
                }
            )
        forms.append(
            {
                "action": "complete",
                "form": forms_ui.CompleteForm(
                    prefix="complete",
                    main=a.role == AssignmentRole.MAIN,
                    initial={"assignment": a.pk, "next": here},
                    auto_id=f"id_a{a.pk}_%s",
                ),
            }
        )
        for f in forms:
            f["meta"] = ACTIONS[f["action"]]
        rows.append({"a": a, "d": a.document, "due": due_left(a.due_on), "forms": forms})
    return render(
        request,
        "documents/inbox.html",
        {"page": page, "rows": rows, "breadcrumbs": [(_("Văn bản cần xử lý"), None)]},
    )


@login_required
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_official(actor)
    page = page_of(request, selectors.overdue_assignments(actor))
    rows = [{"a": a, "d": a.document, "due": due_left(a.due_on)} for a in page.object_list]
    return render(
        request,
        "documents/overdue.html",
        {
            "page": page,
            "rows": rows,
            "sees_agency": bool(clerk_agencies(actor))
            or bool(actor.agency_ids_with_role("lanh_dao")),
            "breadcrumbs": [(_("Văn bản quá hạn xử lý"), None)],
        },
    )
