from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tinhso.accounts.access import actor_for
from tinhso.organizations.access import access_agency_for_edit, access_department_for_edit
from tinhso.organizations.services import department_create, department_update
from tinhso.organizations.views.inputs import DepartmentForm, add_service_errors


@login_required
@require_http_methods(["GET", "POST"])
def department_create_view(request: HttpRequest, agency_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    agency = access_agency_for_edit(actor, agency_id)
    form = DepartmentForm(request.POST or None, initial={"is_active": True})
    del form.fields["is_active"]
    if request.method == "POST" and form.is_valid():
        try:
            department = department_create(
                actor=request.user,  # type: ignore[arg-type]
                agency=agency,
                name=form.cleaned_data["name"],
                short_name=form.cleaned_data["short_name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm phòng ban %(name)s.") % {"name": department.name})
            return redirect("organizations:agency_detail", agency_id=agency.pk)
    detail_url = reverse("organizations:agency_detail", args=[agency.pk])
    return render(
        request,
        "organizations/department_form.html",
        {
            "form": form,
            "agency": agency,
            "title": _("Thêm phòng ban"),
            "cancel_url": detail_url,
            "breadcrumbs": [
                (_("Cơ quan, đơn vị"), reverse("organizations:agency_list")),
                (agency.name, detail_url),
                (_("Thêm phòng ban"), None),
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request: HttpRequest, department_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    department = access_department_for_edit(actor, department_id)
    agency = department.agency
    form = DepartmentForm(
        request.POST or None,
        initial={
            "name": department.name,
            "short_name": department.short_name,
            "is_active": department.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            department_update(
                actor=request.user,  # type: ignore[arg-type]
                department=department,
                changes=form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu phòng ban."))
            return redirect("organizations:agency_detail", agency_id=agency.pk)
    detail_url = reverse("organizations:agency_detail", args=[agency.pk])
    return render(
        request,
        "organizations/department_form.html",
        {
            "form": form,
            "agency": agency,
            "title": _("Sửa phòng ban"),
            "cancel_url": detail_url,
            "breadcrumbs": [
                (_("Cơ quan, đơn vị"), reverse("organizations:agency_list")),
                (agency.name, detail_url),
                (department.name, None),
            ],
        },
    )
