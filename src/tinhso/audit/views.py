"""The audit trail pages for administrators: the filtered list and one row's detail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tinhso.accounts.access import actor_for
from tinhso.audit.access import access_audit_event, audit_scope
from tinhso.audit.forms import AuditFilterForm
from tinhso.audit.presentation import change_rows
from tinhso.audit.selectors import AuditFilters, audit_event_page, filter_agencies

_CURSORS = ("before", "after")


def _cursor(query: QueryDict, name: str) -> int | None:
    value = query.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _query_without_cursors(query: QueryDict) -> str:
    kept = query.copy()
    for name in _CURSORS:
        kept.pop(name, None)
    return kept.urlencode()


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    scope = audit_scope(actor)
    agencies = filter_agencies(scope)
    filtering = any(key not in _CURSORS for key in request.GET)
    form = AuditFilterForm(request.GET if filtering else None, agencies=agencies)
    page = None  # stays None while the filters have errors: they are shown instead
    if not filtering or form.is_valid():
        page = audit_event_page(
            scope=scope,
            filters=form.filters() if filtering else AuditFilters(),
            before=_cursor(request.GET, "before"),
            after=_cursor(request.GET, "after"),
        )
    list_url = reverse("audit:event_list")
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            "filtering": filtering,
            "query": _query_without_cursors(request.GET),
            "show_agency": scope is None or len(scope) > 1,
            "breadcrumbs": [(_("Nhật ký hệ thống"), list_url)],
        },
    )


@login_required
@require_GET
def event_detail(request: HttpRequest, seq: int) -> HttpResponse:
    event = access_audit_event(actor_for(request.user), seq)
    return render(
        request,
        "audit/event_detail.html",
        {
            "event": event,
            "changes": change_rows(event.object_type, event.changes),
            "breadcrumbs": [
                (_("Nhật ký hệ thống"), reverse("audit:event_list")),
                (_("Dòng số %(seq)s") % {"seq": event.seq}, None),
            ],
        },
    )
