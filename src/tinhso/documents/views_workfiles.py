"""Pages of the work files: the yearly list (danh mục hồ sơ), planning a file, one file with
its documents and actions, the package download, and the files overdue for the archive.

Thin: parse, access, call the service, render. A form with errors is shown again (400); an
action refused by the file's state comes back as a message on the file's page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.accounts.access import Actor, actor_for
from tinhso.accounts.models import User
from tinhso.documents.errors import DocumentConflict
from tinhso.documents.models import WorkFile, WorkFileStatus
from tinhso.documents.selectors_workfiles import (
    access_work_file,
    access_workfile_agency,
    addable_documents,
    can_close,
    can_export,
    can_manage,
    can_submit,
    overdue_work_files,
    work_file_contents,
    work_files,
    workfile_agencies,
    workfile_agency_ids,
    workfile_years,
)
from tinhso.documents.services.workfiles import (
    RETENTION_MAX,
    RETENTION_MIN,
    goes_to_archive,
    retention_label,
    workfile_add_document,
    workfile_close,
    workfile_mark_submitted,
    workfile_open,
    workfile_plan,
    workfile_remove_document,
)
from tinhso.documents.workfiles_export import package_filename, package_tempfile
from tinhso.dossiers.forms_ui import DATE_INPUT_FORMATS, StyledForm
from tinhso.organizations.models import Agency, Department
from tinhso.text import fold
from tinhso.web.forms import apply_service_errors

PAGE_SIZE = 50
SEARCH_LIMIT = 30


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request.user)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _optional_date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": gettext_lazy("Ngày không hợp lệ (định dạng dd/mm/yyyy hoặc yyyy-mm-dd).")
        },
    )


class PlanForm(StyledForm):
    """A file for the yearly list (Phụ lục V): number and notation, title, retention, unit."""

    agency = forms.TypedChoiceField(label=gettext_lazy("Cơ quan"), coerce=int)
    year = forms.IntegerField(
        label=gettext_lazy("Năm"),
        error_messages={
            "required": gettext_lazy("Cần nhập năm của danh mục hồ sơ."),
            "invalid": gettext_lazy("Năm phải là một số, ví dụ 2026."),
        },
    )
    code = forms.CharField(
        label=gettext_lazy("Số và ký hiệu hồ sơ"),
        max_length=50,
        help_text=gettext_lazy("Ví dụ: 01.VP hoặc HS-05/TCCB; không trùng trong danh mục năm."),
        error_messages={"required": gettext_lazy("Cần nhập số và ký hiệu hồ sơ.")},
    )
    title = forms.CharField(
        label=gettext_lazy("Tiêu đề hồ sơ"),
        max_length=500,
        error_messages={"required": gettext_lazy("Cần nhập tiêu đề hồ sơ.")},
    )
    retention_years = forms.IntegerField(
        label=gettext_lazy("Thời hạn bảo quản (năm)"),
        required=False,
        help_text=gettext_lazy("Từ 01 đến 70 năm; hoặc chọn “Vĩnh viễn”."),
        error_messages={"invalid": gettext_lazy("Thời hạn bảo quản phải là số năm.")},
    )
    permanent = forms.BooleanField(label=gettext_lazy("Bảo quản vĩnh viễn"), required=False)
    department = forms.TypedChoiceField(
        label=gettext_lazy("Đơn vị (phòng, ban) lập hồ sơ"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    note = forms.CharField(
        label=gettext_lazy("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agency"]).choices = [(a.pk, a.name) for a in agencies]
        departments = Department.objects.filter(agency__in=agencies, is_active=True).order_by(
            "agency__name", "name"
        )
        several = len(agencies) > 1
        cast(forms.ChoiceField, self.fields["department"]).choices = [("", _("— Không ghi —"))] + [
            (d.pk, f"{d.name} ({d.agency.short_name})" if several else d.name)
            for d in departments.select_related("agency")
        ]
        self.fields["retention_years"].widget.attrs.update(
            {"min": RETENTION_MIN, "max": RETENTION_MAX}
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        missing = not data.get("permanent") and data.get("retention_years") is None
        if missing and "retention_years" not in self.errors:
            self.add_error(
                "retention_years",
                _("Cần nhập thời hạn bảo quản (số năm từ 01 đến 70) hoặc chọn Vĩnh viễn."),
            )
        return data

    @property
    def retention(self) -> int | None:
        if self.cleaned_data.get("permanent"):
            return None
        value: int = self.cleaned_data["retention_years"]
        return value


class CloseForm(StyledForm):
    closed_on = _optional_date(gettext_lazy("Ngày đóng hồ sơ"))


class OpenForm(StyledForm):
    opened_on = _optional_date(gettext_lazy("Ngày mở hồ sơ"))


# --- The yearly list ------------------------------------------------------------------------


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.strip().isdigit() else None


@login_required
@require_GET
def workfile_list(request: HttpRequest) -> HttpResponse:
    """Danh mục hồ sơ of an agency for a year, with each file's state and archive deadline."""
    actor = _actor(request)
    agency = access_workfile_agency(actor, _int(request.GET.get("agency")))
    today = timezone.localdate()
    year = _int(request.GET.get("year")) or today.year
    status = request.GET.get("status") or ""
    if status not in WorkFileStatus.values:
        status = ""
    files = work_files(actor, agency_id=agency.pk, year=year, status=status or None)
    page = Paginator(files, PAGE_SIZE).get_page(request.GET.get("page"))
    years = sorted({*workfile_years(actor, agency.pk), today.year, year}, reverse=True)
    context = {
        "agency": agency,
        "agencies": workfile_agencies(actor),
        "year": year,
        "years": years,
        "status": status,
        "statuses": WorkFileStatus.choices,
        "page": page,
        "rows": [_row(wf, today) for wf in page.object_list],
        "overdue_count": overdue_work_files(actor, today, agency_id=agency.pk).count(),
        "breadcrumbs": [(_("Danh mục hồ sơ"), None)],
    }
    return render(request, "documents/workfiles/list.html", context)


def _row(wf: WorkFile, today: dt.date) -> dict[str, Any]:
    return {
        "wf": wf,
        "retention": retention_label(wf.retention_years),
        "archive": _archive_flag(wf, today),
    }


def _archive_flag(wf: WorkFile, today: dt.date) -> dict[str, Any] | None:
    """The archive flag ("Cần nộp lưu trước dd/mm/yyyy") of a file kept 5 years or more."""
    if not goes_to_archive(wf.retention_years):
        return None
    if wf.status == WorkFileStatus.SUBMITTED:
        return {"text": _("Đã nộp lưu"), "overdue": False}
    if wf.status == WorkFileStatus.CLOSED and wf.archive_due_on is not None:
        return {
            "text": _("Cần nộp lưu trước %(day)s") % {"day": f"{wf.archive_due_on:%d/%m/%Y}"},
            "overdue": wf.archive_due_on < today,
        }
    return {"text": _("Nộp lưu khi đóng hồ sơ"), "overdue": False}


@login_required
@require_GET
def workfile_overdue(request: HttpRequest) -> HttpResponse:
    """Closed files past their archive deadline and not submitted, in every agency of the
    actor, earliest deadline first."""
    actor = _actor(request)
    access_workfile_agency(actor, None)  # 403 for an account without a post
    today = timezone.localdate()
    files = overdue_work_files(actor, today)
    page = Paginator(files, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [_row(wf, today) for wf in page.object_list],
        "today": today,
        "breadcrumbs": [
            (_("Danh mục hồ sơ"), reverse("documents:workfile_list")),
            (_("Quá hạn nộp lưu"), None),
        ],
    }
    return render(request, "documents/workfiles/overdue.html", context)


# --- Planning -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def workfile_plan_view(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    agency = access_workfile_agency(actor, _int(request.GET.get("agency")))
    agencies = workfile_agencies(actor)
    if request.method == "POST":
        posted = _int(request.POST.get("agency"))
        if posted is not None and posted not in workfile_agency_ids(actor):
            raise PermissionDenied(_("Bạn chỉ lập hồ sơ trong danh mục của cơ quan mình."))
        form = PlanForm(request.POST, agencies=agencies)
        if form.is_valid():
            try:
                wf = workfile_plan(
                    actor=_user(request),
                    agency_id=form.cleaned_data["agency"],
                    year=form.cleaned_data["year"],
                    code=form.cleaned_data["code"],
                    title=form.cleaned_data["title"],
                    retention_years=form.retention,
                    department_id=form.cleaned_data["department"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã đưa hồ sơ “%(code)s” vào danh mục.") % {"code": wf.code}
                )
                return redirect("documents:workfile_detail", pk=wf.pk)
        status = 400
    else:
        departments = actor.department_ids(agency.pk)
        form = PlanForm(
            initial={
                "agency": agency.pk,
                "year": _int(request.GET.get("year")) or timezone.localdate().year,
                "department": min(departments) if departments else None,
            },
            agencies=agencies,
        )
        status = 200
    context = {
        "form": form,
        "agency": agency,
        "breadcrumbs": [
            (_("Danh mục hồ sơ"), reverse("documents:workfile_list")),
            (_("Lập hồ sơ"), None),
        ],
    }
    return render(request, "documents/workfiles/plan.html", context, status=status)


# --- One file -------------------------------------------------------------------------------


@login_required
@require_GET
def workfile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    wf = access_work_file(actor, pk)
    today = timezone.localdate()
    contents = work_file_contents(actor, wf)
    q = (request.GET.get("q") or "").strip()[:100]
    candidates: list[Any] = []
    if q and wf.status == WorkFileStatus.OPEN and can_manage(actor, wf):
        folded = fold(q)
        candidates = list(
            addable_documents(actor, wf)
            .filter(search_text__contains=folded)
            .order_by("-registered_at", "-id")[:SEARCH_LIMIT]
        )
    context = {
        "wf": wf,
        "row": _row(wf, today),
        "contents": contents,
        "q": q,
        "candidates": candidates,
        "open_form": OpenForm(initial={"opened_on": today}),
        "close_form": CloseForm(initial={"closed_on": today}),
        "may_manage": can_manage(actor, wf),
        "may_close": can_close(actor, wf),
        "may_submit": can_submit(actor, wf) and goes_to_archive(wf.retention_years),
        "may_export": can_export(actor, wf),
        "Status": WorkFileStatus,
        "breadcrumbs": [
            (
                _("Danh mục hồ sơ"),
                reverse("documents:workfile_list") + f"?agency={wf.agency_id}&year={wf.year}",
            ),
            (wf.code, None),
        ],
    }
    return render(request, "documents/workfiles/detail.html", context)


def _back(wf: WorkFile) -> HttpResponseRedirect:
    return redirect("documents:workfile_detail", pk=wf.pk)


def _refused(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, DocumentConflict):
        messages.error(request, exc.message)
    elif isinstance(exc, ValidationError):
        messages.error(request, " ".join(exc.messages))


@login_required
@require_POST
def workfile_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    wf = access_work_file(_actor(request), pk)
    form = OpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(wf)
    try:
        workfile_open(actor=_user(request), work_file=wf, opened_on=form.cleaned_data["opened_on"])
    except (DocumentConflict, ValidationError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Đã mở hồ sơ."))
    return _back(wf)


@login_required
@require_POST
def workfile_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    wf = access_work_file(_actor(request), pk)
    document_id = _int(request.POST.get("document"))
    if document_id is None:
        messages.error(request, _("Cần chọn văn bản để thêm vào hồ sơ."))
        return _back(wf)
    try:
        item = workfile_add_document(actor=_user(request), work_file=wf, document_id=document_id)
    except (DocumentConflict, ValidationError) as exc:
        _refused(request, exc)
    else:
        messages.success(
            request, _("Đã thêm văn bản “%(doc)s” vào hồ sơ.") % {"doc": item.document}
        )
    return _back(wf)


@login_required
@require_POST
def workfile_remove_view(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    wf = access_work_file(_actor(request), pk)
    try:
        workfile_remove_document(actor=_user(request), work_file=wf, document_id=document_id)
    except (DocumentConflict, ValidationError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Đã bỏ văn bản khỏi hồ sơ."))
    return _back(wf)


@login_required
@require_POST
def workfile_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    wf = access_work_file(_actor(request), pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(wf)
    try:
        closed = workfile_close(
            actor=_user(request), work_file=wf, closed_on=form.cleaned_data["closed_on"]
        )
    except (DocumentConflict, ValidationError) as exc:
        _refused(request, exc)
    else:
        if closed.archive_due_on is not None:
            messages.success(
                request,
                _("Đã đóng hồ sơ. Cần nộp lưu trước %(day)s.")
                % {"day": f"{closed.archive_due_on:%d/%m/%Y}"},
            )
        else:
            messages.success(request, _("Đã đóng hồ sơ."))
    return _back(wf)


@login_required
@require_POST
def workfile_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    wf = access_work_file(_actor(request), pk)
    try:
        workfile_mark_submitted(actor=_user(request), work_file=wf)
    except DocumentConflict as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Đã ghi nhận hồ sơ nộp vào lưu trữ cơ quan."))
    return _back(wf)


@login_required
@require_GET
def workfile_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The closed file's package (ZIP): originals, metadata.json and muc_luc.csv."""
    actor = _actor(request)
    wf = access_work_file(actor, pk)
    if not can_export(actor, wf):
        raise PermissionDenied(
            _("Chỉ người lập hồ sơ, văn thư hoặc lãnh đạo cơ quan tải gói hồ sơ.")
        )
    try:
        spool = package_tempfile(wf)
    except DocumentConflict as exc:
        messages.error(request, exc.message)
        return _back(wf)
    response = FileResponse(
        spool, content_type="application/zip", as_attachment=True, filename=package_filename(wf)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
