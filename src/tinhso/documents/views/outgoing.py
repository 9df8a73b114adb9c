"""Outgoing documents: drafting, the drafter's list and the reviewers' approval queue
(Nghị định 30/2020, Điều 10–13)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tinhso.documents import forms_ui, selectors, services
from tinhso.documents.views.actions import ACTIONS
from tinhso.documents.views.common import (
    actor_of,
    agency_tree,
    drafting_agency,
    leader_choices,
    page_of,
    require_official,
    store_uploads,
    stored_names,
    user_of,
)
from tinhso.web.forms import apply_service_errors


@login_required
@require_http_methods(["GET", "POST"])
def draft_new(request: HttpRequest) -> HttpResponse:
    """Soạn văn bản đi: the fields, the recipients, the signer and the draft file."""
    actor = actor_of(request)
    require_official(actor)
    agency_id = drafting_agency(actor)
    kwargs: dict[str, Any] = {
        "signers": leader_choices(agency_id) if agency_id is not None else [],
        "agencies": agency_tree(actor, exclude=agency_id),
    }
    if request.method == "POST":
        data = request.POST.copy()
        form = forms_ui.DraftForm(data, request.FILES, **kwargs)
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
                d = services.outgoing_draft(
                    actor=user_of(request), data=form.draft_input(agency_id)
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    apply_service_errors(form, exc, field_map=forms_ui.DRAFT_SERVICE_FIELDS)
                else:
                    form.add_error("draft_file", exc.messages)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Đã lưu dự thảo. Kiểm tra lại rồi bấm “Trình duyệt”."))
                return HttpResponseRedirect(reverse("documents:detail", args=[d.pk]))
    else:
        form = forms_ui.DraftForm(**kwargs)
    names = stored_names(actor, form.all_stored_ids())
    return render(
        request,
        "documents/draft_form.html",
        {
            "form": form,
            "stored": form.stored_rows(names),
            "selected": form.selected_recipients(),
            "breadcrumbs": [
                (_("Dự thảo của tôi"), reverse("documents:my_drafts")),
                (_("Soạn văn bản đi"), None),
            ],
        },
    )


@login_required
@require_GET
def my_drafts(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_official(actor)
    page = page_of(request, selectors.my_drafts(actor))
    return render(
        request,
        "documents/my_drafts.html",
        {"page": page, "breadcrumbs": [(_("Dự thảo của tôi"), None)]},
    )


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    require_official(actor)
    page = page_of(request, selectors.approvals_waiting(actor))
    here = request.get_full_path()
    rows = []
    for d in page.object_list:
        forms = [
            {
                "action": action,
                "meta": ACTIONS[action],
                "form": form_class(prefix=action, initial={"next": here}, auto_id=f"id_d{d.pk}_%s"),
            }
            for action, form_class in (
                ("approve", forms_ui.ApproveForm),
                ("return", forms_ui.ReturnForm),
            )
        ]
        rows.append({"d": d, "forms": forms})
    return render(
        request,
        "documents/approvals.html",
        {"page": page, "rows": rows, "breadcrumbs": [(_("Văn bản chờ duyệt"), None)]},
    )
