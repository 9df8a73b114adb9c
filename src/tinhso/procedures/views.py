"""HTML pages of the catalogue: the list, a version's page, and for the provincial
administrator the draft editor, new versions and publication. Thin: parse, access, call the
service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tinhso.accounts.access import actor_for
from tinhso.accounts.models import User
from tinhso.organizations.models import Agency, Department
from tinhso.procedures.access import (
    access_procedure,
    access_version,
    access_version_for_edit,
    require_catalogue_admin,
    require_catalogue_reader,
)
from tinhso.procedures.forms import (
    ComponentFormSet,
    FeeFormSet,
    StepFormSet,
    VersionForm,
    apply_errors,
    initial_of,
    kept_forms,
    version_input,
)
from tinhso.procedures.models import (
    Procedure,
    ProcedureLevel,
    ProcedureVersion,
    TimeUnit,
    VersionStatus,
)
from tinhso.procedures.selectors import (
    field_choices,
    procedure_list,
    procedure_versions,
    version_legal_hours,
    version_with_children,
)
from tinhso.procedures.services import (
    VersionInput,
    procedure_version_create,
    procedure_version_new,
    procedure_version_publish,
    procedure_version_update,
    process_total_hours,
    publish_problems,
    version_input_of,
)

PAGE_SIZE = 50
STATUS_FILTERS = (*VersionStatus.choices, ("all", gettext_lazy("Tất cả")))


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _list_crumb() -> tuple[str, str]:
    return (_("Thủ tục hành chính"), reverse("procedures:procedure_list"))


def _active_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(valid_to__isnull=True).order_by("level", "code")


def _short_names() -> list[str]:
    return list(
        Department.objects.filter(is_active=True)
        .exclude(short_name="")
        .order_by("short_name")
        .values_list("short_name", flat=True)
        .distinct()
    )


# --- List ---------------------------------------------------------------------------------


@login_required
def procedure_list_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require_catalogue_reader(actor)
    q = request.GET.get("q", "").strip()[:200]
    level = request.GET.get("level", "")
    if level not in ProcedureLevel.values:
        level = ""
    fields = field_choices(actor=actor)
    field = request.GET.get("field", "")
    if field not in fields:
        field = ""
    status = request.GET.get("status", "") if actor.is_provincial_admin else ""
    if status not in {value for value, _label in STATUS_FILTERS}:
        status = ""
    versions = procedure_list(actor=actor, q=q, level=level, field=field, status=status)
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "level": level,
        "field": field,
        "status": status,
        "levels": ProcedureLevel.choices,
        "fields": fields,
        "statuses": STATUS_FILTERS,
        "filtered": bool(q or level or field or status),
        "is_admin": actor.is_provincial_admin,
        "breadcrumbs": [(_("Thủ tục hành chính"), None)],
    }
    template = (
        "procedures/_procedure_results.html"
        if getattr(request, "htmx", False)
        else "procedures/procedure_list.html"
    )
    return render(request, template, context)


# --- A version's page ---------------------------------------------------------------------


def _render_version(
    request: HttpRequest, procedure: Procedure, version: ProcedureVersion
) -> HttpResponse:
    actor = actor_for(request.user)
    loaded = version_with_children(version.pk)
    assert loaded is not None
    steps = list(loaded.steps.all())
    versions = list(procedure_versions(actor=actor, procedure_id=procedure.pk))
    context = {
        "procedure": procedure,
        "version": loaded,
        "steps": steps,
        "components": list(loaded.components.all()),
        "fees": list(loaded.fees.all()),
        "versions": versions,
        "total_hours": process_total_hours(steps),
        "legal_hours": version_legal_hours(loaded),
        "time_unit_label": TimeUnit(loaded.time_unit).label,
        "level_labels": [ProcedureLevel(level).label for level in loaded.levels],
        "is_admin": actor.is_provincial_admin,
        "is_draft": loaded.status == VersionStatus.DRAFT,
        "draft": next((v for v in versions if v.status == VersionStatus.DRAFT), None),
        "problems": publish_problems(loaded)
        if actor.is_provincial_admin and loaded.status == VersionStatus.DRAFT
        else [],
        "breadcrumbs": [
            _list_crumb(),
            (procedure.code, reverse("procedures:procedure_detail", args=[procedure.code])),
            (_("Phiên bản %(n)d") % {"n": loaded.number}, None),
        ],
    }
    return render(request, "procedures/version_detail.html", context)


@login_required
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The procedure's version in force; else (for the administrator) its latest version."""
    actor = actor_for(request.user)
    procedure = access_procedure(actor, code)
    versions = procedure_versions(actor=actor, procedure_id=procedure.pk)
    version = versions.filter(status=VersionStatus.PUBLISHED).first() or versions.first()
    assert version is not None  # access_procedure returns only procedures with a visible one
    return _render_version(request, procedure, version)


@login_required
def version_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    actor = actor_for(request.user)
    procedure = access_procedure(actor, code)
    return _render_version(request, procedure, access_version(actor, procedure, number))


# --- Editing (provincial administrator) ---------------------------------------------------


def _editor(
    request: HttpRequest,
    *,
    initial: VersionInput | None,
    with_code: bool,
) -> tuple[VersionForm, Any, Any, Any]:
    agencies = _active_agencies()
    version_initial, components, fees, steps = (
        initial_of(initial) if initial is not None else ({}, [], [], [])
    )
    data = request.POST if request.method == "POST" else None
    return (
        VersionForm(data, initial=version_initial, agencies=agencies, with_code=with_code),
        ComponentFormSet(data, initial=components, prefix="components"),
        FeeFormSet(data, initial=fees, prefix="fees"),
        StepFormSet(data, initial=steps, prefix="steps", form_kwargs={"agencies": agencies}),
    )


def _submitted(
    form: VersionForm, components: Any, fees: Any, steps: Any
) -> tuple[VersionInput, dict[str, list[Any]]] | None:
    """The service's input when every form is valid (and the rows it came from)."""
    valid = all([form.is_valid(), components.is_valid(), fees.is_valid(), steps.is_valid()])
    if not valid:
        return None
    rows = {
        "components": kept_forms(components),
        "fees": kept_forms(fees),
        "steps": kept_forms(steps),
    }
    return version_input(form, rows["components"], rows["fees"], rows["steps"]), rows


def _render_editor(
    request: HttpRequest,
    *,
    title: str,
    forms: tuple[VersionForm, Any, Any, Any],
    cancel_url: str,
    breadcrumbs: list[tuple[str, str | None]],
    version: ProcedureVersion | None = None,
) -> HttpResponse:
    form, components, fees, steps = forms
    return render(
        request,
        "procedures/version_form.html",
        {
            "title": title,
            "form": form,
            "components": components,
            "fees": fees,
            "steps": steps,
            "version": version,
            "short_names": _short_names(),
            "cancel_url": cancel_url,
            "breadcrumbs": breadcrumbs,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def procedure_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require_catalogue_admin(actor)
    forms = _editor(request, initial=None, with_code=True)
    if request.method == "POST":
        submitted = _submitted(*forms)
        if submitted is not None:
            data, rows = submitted
            try:
                version = procedure_version_create(
                    actor=_user(request), code=forms[0].cleaned_data["code"], data=data
                )
            except ValidationError as exc:
                apply_errors(exc, forms[0], rows)
            else:
                messages.success(
                    request,
                    _("Đã thêm thủ tục %(code)s (phiên bản dự thảo 1).")
                    % {"code": version.procedure.code},
                )
                return redirect("procedures:version_detail", code=version.procedure.code, number=1)
    return _render_editor(
        request,
        title=_("Thêm thủ tục hành chính"),
        forms=forms,
        cancel_url=reverse("procedures:procedure_list"),
        breadcrumbs=[_list_crumb(), (_("Thêm thủ tục"), None)],
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, code: str, number: int) -> HttpResponse:
    actor = actor_for(request.user)
    version = access_version_for_edit(actor, code, number)
    detail_url = reverse("procedures:version_detail", args=[code, number])
    if version.status != VersionStatus.DRAFT:
        messages.warning(
            request,
            _("Chỉ sửa được phiên bản dự thảo. Hãy tạo phiên bản mới để thay đổi thủ tục."),
        )
        return redirect(detail_url)
    forms = _editor(request, initial=version_input_of(version), with_code=False)
    if request.method == "POST":
        submitted = _submitted(*forms)
        if submitted is not None:
            data, rows = submitted
            try:
                procedure_version_update(actor=_user(request), version=version, data=data)
            except ValidationError as exc:
                apply_errors(exc, forms[0], rows)
            else:
                messages.success(request, _("Đã lưu phiên bản dự thảo."))
                if "continue" in request.POST:
                    return redirect("procedures:version_edit", code=code, number=number)
                return redirect(detail_url)
    return _render_editor(
        request,
        title=_("Sửa phiên bản dự thảo %(n)d") % {"n": version.number},
        forms=forms,
        version=version,
        cancel_url=detail_url,
        breadcrumbs=[
            _list_crumb(),
            (code, reverse("procedures:procedure_detail", args=[code])),
            (_("Phiên bản %(n)d") % {"n": number}, detail_url),
            (_("Sửa"), None),
        ],
    )


@login_required
@require_POST
def version_new(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for(request.user)
    require_catalogue_admin(actor)
    procedure = access_procedure(actor, code)
    try:
        version = procedure_version_new(actor=_user(request), procedure=procedure)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("procedures:procedure_detail", code=code)
    messages.success(
        request,
        _("Đã tạo phiên bản dự thảo %(n)d từ phiên bản trước.") % {"n": version.number},
    )
    return redirect("procedures:version_edit", code=code, number=version.number)


@login_required
@require_POST
def version_publish(request: HttpRequest, code: str, number: int) -> HttpResponse:
    actor = actor_for(request.user)
    version = access_version_for_edit(actor, code, number)
    try:
        procedure_version_publish(actor=_user(request), version=version)
    except ValidationError as exc:
        messages.error(request, _("Chưa công bố được phiên bản %(n)d:") % {"n": number})
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Đã công bố phiên bản %(n)d; phiên bản trước hết áp dụng.") % {"n": number}
        )
    return redirect("procedures:version_detail", code=code, number=number)
