"""The lists of incoming and outgoing documents with their filters, and the search page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tinhso.documents import forms_ui, selectors
from tinhso.documents.models import Direction, DocumentStatus
from tinhso.documents.search import SearchFilters, search_documents
from tinhso.documents.views.common import (
    PAGE_SIZE,
    actor_of,
    due_left,
    is_htmx,
    page_of,
    require_official,
)

INCOMING_STATUSES = (
    DocumentStatus.RECEIVED,
    DocumentStatus.REFUSED,
    DocumentStatus.REGISTERED,
    DocumentStatus.PRESENTED,
    DocumentStatus.ASSIGNED,
    DocumentStatus.IN_PROGRESS,
    DocumentStatus.COMPLETED,
    DocumentStatus.RECALLED,
)
OUTGOING_STATUSES = (
    DocumentStatus.DRAFT,
    DocumentStatus.IN_REVIEW,
    DocumentStatus.RETURNED,
    DocumentStatus.APPROVED,
    DocumentStatus.ISSUED,
    DocumentStatus.RECALLED,
)


def _choices(statuses: tuple[DocumentStatus, ...]) -> list[tuple[str, Any]]:
    return [(s.value, s.label) for s in statuses]


def _document_list(request: HttpRequest, direction: str) -> HttpResponse:
    actor = actor_of(request)
    require_official(actor)
    incoming = direction == Direction.INCOMING
    statuses = INCOMING_STATUSES if incoming else OUTGOING_STATUSES
    filtering = any(k != "page" for k in request.GET)
    form = forms_ui.DocumentFilterForm(
        request.GET if filtering else None, statuses=_choices(statuses), with_direction=False
    )
    page = None
    rows: list[dict[str, Any]] = []
    if not filtering or form.is_valid():
        data = form.cleaned_data if filtering else {}
        f = selectors.DocumentFilter(
            direction=direction,
            status=data.get("status") or "",
            doc_type=data.get("doc_type") or "",
            urgency=data.get("urgency") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=data.get("q") or "",
        )
        page = page_of(request, selectors.document_list(actor, f))
        rows = [{"d": d, "due": due_left(d.due_on)} for d in page.object_list]
    title = _("Văn bản đến") if incoming else _("Văn bản đi")
    return render(
        request,
        "documents/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filtering": filtering,
            "incoming": incoming,
            "title": title,
            "breadcrumbs": [(title, None)],
        },
    )


@login_required
@require_GET
def incoming_list(request: HttpRequest) -> HttpResponse:
    return _document_list(request, Direction.INCOMING)


@login_required
@require_GET
def outgoing_list(request: HttpRequest) -> HttpResponse:
    return _document_list(request, Direction.OUTGOING)


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Tìm văn bản: full text (subject, số và ký hiệu, issuer, the files' text) with filters."""
    actor = actor_of(request)
    require_official(actor)
    searching = any(k != "page" for k in request.GET)
    form = forms_ui.DocumentFilterForm(
        request.GET if searching else None,
        statuses=_choices((*INCOMING_STATUSES, *OUTGOING_STATUSES[:-1])),
    )
    result = None
    if searching and form.is_valid():
        data = form.cleaned_data
        result = search_documents(
            actor,
            data.get("q") or "",
            filters=SearchFilters(
                doc_type=data.get("doc_type") or None,
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
                urgency=data.get("urgency") or None,
                status=data.get("status") or None,
                direction=data.get("direction") or None,
            ),
            page=_page_number(request),
            per_page=PAGE_SIZE,
        )
    context = {
        "form": form,
        "result": result,
        "searching": searching,
        "breadcrumbs": [(_("Tìm văn bản"), None)],
    }
    template = "documents/_search_panel.html" if is_htmx(request) else "documents/search.html"
    return render(request, template, context)
