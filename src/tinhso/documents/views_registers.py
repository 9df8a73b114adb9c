"""Pages of the registers: choose a register and a period, print it (PDF) or export it (Excel).

Thin: parse, access, render. A bad period comes back as the page with the message next to
the field (400); the register of an agency the reader does not serve is 404, the page for an
official who reads no register is 403.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tinhso.accounts.access import Actor, actor_for
from tinhso.documents.models import Direction, Register
from tinhso.documents.registers import (
    RegisterBook,
    access_register_book,
    register_agencies,
    register_counts,
    register_filename,
    register_period,
    register_xlsx,
    render_register,
    require_register_reader,
)
from tinhso.dossiers.forms.book import Period
from tinhso.dossiers.forms.responses import PDF, XLSX, document_response
from tinhso.dossiers.forms_ui import DATE_INPUT_FORMATS, StyledForm
from tinhso.organizations.models import Agency
from tinhso.web.forms import apply_service_errors


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Cần chọn ngày."),
            "invalid": gettext_lazy("Ngày không hợp lệ (định dạng dd/mm/yyyy hoặc yyyy-mm-dd)."),
        },
    )


class RegisterQuery(StyledForm):
    """Which register(s) and which period.

    `register` is a register's id, or `incoming:<agency id>` / `outgoing:<agency id>` for all
    the registers of that direction of an agency.
    """

    register = forms.CharField(
        label=gettext_lazy("Sổ văn bản"),
        max_length=40,
        widget=forms.Select,
        error_messages={"required": gettext_lazy("Cần chọn sổ văn bản.")},
    )
    date_from = _date_field(gettext_lazy("Từ ngày"))
    date_to = _date_field(gettext_lazy("Đến ngày"))

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        registers = Register.objects.filter(agency__in=agencies).order_by(
            "agency__name", "direction", "id"
        )
        by_agency: dict[int, list[Register]] = {}
        for r in registers:
            by_agency.setdefault(r.agency_id, []).append(r)
        choices: list[Any] = []
        for agency in agencies:
            options = [
                (f"{Direction.INCOMING}:{agency.pk}", _("Tất cả sổ văn bản đến")),
                (f"{Direction.OUTGOING}:{agency.pk}", _("Tất cả sổ văn bản đi")),
            ]
            for r in by_agency.get(agency.pk, []):
                label = r.name if r.is_active else _("%(name)s (ngừng dùng)") % {"name": r.name}
                options.append((str(r.pk), label))
            choices.append((agency.name, options))
        self.fields["register"].widget.choices = choices

    def clean_register(self) -> tuple[int | None, str | None, int | None]:
        """(agency id, direction, register id); whose they are is checked by access."""
        value = str(self.cleaned_data["register"]).strip()
        direction, colon, agency = value.partition(":")
        if colon and direction in Direction.values and agency.isdigit():
            return int(agency), direction, None
        if value.isdigit():
            return None, None, int(value)
        raise ValidationError(_("Sổ văn bản đã chọn không hợp lệ."))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, last = data.get("date_from"), data.get("date_to")
        if isinstance(first, dt.date) and isinstance(last, dt.date):
            try:
                data["period"] = register_period(first, last)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    self.add_error(name, errors)
        return data

    def target(self) -> tuple[int | None, str | None, int | None]:
        """(agency id, direction, register id) of the valid choice."""
        result: tuple[int | None, str | None, int | None] = self.cleaned_data["register"]
        return result

    @property
    def period(self) -> Period:
        result: Period = self.cleaned_data["period"]
        return result


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request.user)


def _page(request: HttpRequest, query: RegisterQuery, status: int = 200) -> HttpResponse:
    actor = _actor(request)
    agencies = register_agencies(actor)
    period: Period | None = None
    if query.is_bound and query.is_valid():
        period = query.period
    elif not query.is_bound:
        initial = query.initial
        period = register_period(initial["date_from"], initial["date_to"])
    tables = []
    if period is not None:
        for agency in agencies:
            counts = register_counts(agency, period)
            registers = list(Register.objects.filter(agency=agency).order_by("direction", "id"))
            tables.append(
                {
                    "agency": agency,
                    "rows": [(r, counts.get(r.pk, 0)) for r in registers],
                    "total": sum(counts.values()),
                }
            )
    context = {
        "query": query,
        "period": period,
        "tables": tables,
        "empty": period is not None and not any(t["total"] for t in tables),
        "breadcrumbs": [(_("Sổ văn bản"), None)],
    }
    return render(request, "documents/registers/page.html", context, status=status)


@login_required
@require_GET
def register_list(request: HttpRequest) -> HttpResponse:
    """The agency's registers, their number of documents in the period (this month so far by
    default), and the buttons that print or export them."""
    actor = _actor(request)
    require_register_reader(actor)
    agencies = register_agencies(actor)
    first_choice = f"{Direction.INCOMING}:{agencies[0].pk}" if agencies else ""
    if request.GET.get("register") or request.GET.get("date_from"):
        data = request.GET.copy()
        if not data.get("register"):
            data["register"] = first_choice
        return _page(request, RegisterQuery(data, agencies=agencies))
    today = timezone.localdate()
    initial = {"date_from": today.replace(day=1), "date_to": today, "register": first_choice}
    return _page(request, RegisterQuery(initial=initial, agencies=agencies))


def _book(request: HttpRequest) -> tuple[RegisterQuery, RegisterBook | None]:
    actor = _actor(request)
    require_register_reader(actor)
    query = RegisterQuery(request.GET, agencies=register_agencies(actor))
    if not query.is_valid():
        return query, None
    agency_id, direction, register_id = query.target()
    try:
        book = access_register_book(
            actor, agency_id=agency_id, direction=direction, register_id=register_id
        )
    except ValidationError as exc:
        apply_service_errors(query, exc)
        return query, None
    return query, book


@login_required
@require_GET
def register_pdf(request: HttpRequest) -> HttpResponse:
    query, book = _book(request)
    if book is None:
        return _page(request, query, status=400)
    p = query.period
    try:
        pdf = render_register(book, p.first, p.last)
    except ValidationError as exc:
        apply_service_errors(query, exc)
        return _page(request, query, status=400)
    return document_response(pdf, PDF, register_filename(book, p, "pdf"), inline=True)


@login_required
@require_GET
def register_xlsx_view(request: HttpRequest) -> HttpResponseBase:
    query, book = _book(request)
    if book is None:
        return _page(request, query, status=400)
    p = query.period
    # Written to a temporary file and streamed from it: a year of a busy registry stays out
    # of memory. Closing the response closes (and deletes) the file.
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        register_xlsx(book, p.first, p.last, spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    response = FileResponse(
        spool,
        content_type=XLSX,
        as_attachment=True,
        filename=register_filename(book, p, "xlsx"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
