"""Pages of the forms: a dossier's form as PDF, and the tracking book (page, PDF, Excel).

Thin: parse, access, render. Errors a person can act on come back as a page in Vietnamese: a
form that does not apply to the dossier (409, with the forms that do), a bad period (400,
the tracking-book form with the message next to the field).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tinhso.accounts.access import Actor, actor_for
from tinhso.dossiers.forms.access import (
    access_dossier_forms,
    access_tracking_book,
    book_agencies,
    require_book_reader,
)
from tinhso.dossiers.forms.book import tracking_book_xlsx
from tinhso.dossiers.forms.inputs import TrackingBookQuery
from tinhso.dossiers.forms.registry import (
    FormKind,
    FormNotApplicable,
    FormNotFound,
    applicable_forms,
    form_spec,
)
from tinhso.dossiers.forms.render import render_form, render_tracking_book
from tinhso.dossiers.forms.responses import (
    PDF,
    XLSX,
    book_filename,
    document_response,
    form_filename,
)
from tinhso.web.forms import apply_service_errors


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request.user)


@login_required
@require_GET
def form_pdf(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    actor = _actor(request)
    d = access_dossier_forms(actor, code)
    try:
        spec = form_spec(d.rule_set, slug)
        if spec.kind == FormKind.BOOK:
            access_tracking_book(actor, d.receiving_agency_id)
        pdf = render_form(d, slug)
    except FormNotFound as exc:
        raise Http404(exc.message) from exc
    except FormNotApplicable as exc:
        context = {"d": d, "message": exc.message, "forms": applicable_forms(d)}
        return render(request, "dossiers/forms/page_unavailable.html", context, status=409)
    return document_response(pdf, PDF, form_filename(d.code, spec.slug), inline=True)


def _book_page(request: HttpRequest, query: TrackingBookQuery, status: int = 200) -> HttpResponse:
    actor = _actor(request)
    context = {"query": query, "agencies": list(book_agencies(actor))}
    return render(request, "dossiers/forms/page_tracking_book.html", context, status=status)


@login_required
@require_GET
def tracking_book(request: HttpRequest) -> HttpResponse:
    """The page that asks for a counter and a period (this month so far by default)."""
    require_book_reader(_actor(request))
    today = timezone.localdate()
    initial = {"from": today.replace(day=1), "to": today, "agency": request.GET.get("agency", "")}
    return _book_page(request, TrackingBookQuery(initial=initial))


def _book_download(request: HttpRequest, extension: str) -> HttpResponse:
    actor = _actor(request)
    require_book_reader(actor)
    query = TrackingBookQuery(request.GET)
    if not query.is_valid():
        return _book_page(request, query, status=400)
    try:
        agency = access_tracking_book(actor, query.cleaned_data["agency"])
        p = query.period
        if extension == "pdf":
            content, content_type = render_tracking_book(agency, p.first, p.last), PDF
        else:
            content, content_type = tracking_book_xlsx(agency, p.first, p.last), XLSX
    except ValidationError as exc:
        apply_service_errors(query, exc)
        return _book_page(request, query, status=400)
    name = book_filename(agency.code, _compact(p.first), _compact(p.last), extension)
    return document_response(content, content_type, name, inline=extension == "pdf")


def _compact(day: dt.date) -> str:
    return f"{day:%Y%m%d}"


@login_required
@require_GET
def tracking_book_pdf(request: HttpRequest) -> HttpResponse:
    return _book_download(request, "pdf")


@login_required
@require_GET
def tracking_book_xlsx_view(request: HttpRequest) -> HttpResponse:
    return _book_download(request, "xlsx")
