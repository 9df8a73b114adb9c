from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tinhso.accounts.access import actor_for
from tinhso.organizations.access import (
    access_agency,
    access_agency_for_edit,
    access_agency_for_provincial_admin,
    can_administer_agency,
)
from tinhso.organizations.models import AgencyLevel
from tinhso.organizations.selectors import (
    agency_children,
    agency_departments,
    parent_choices,
)
from tinhso.organizations.selectors import (
    agency_list as select_agencies,
)
from tinhso.organizations.services import agency_close, agency_create, agency_update
from tinhso.organizations.views.inputs import (
    AgencyCloseForm,
    AgencyContactForm,
    AgencyForm,
    add_service_errors,
)

PAGE_SIZE = 50


def _list_crumb() -> tuple[str, str]:
    return (_("Cơ quan, đơn vị"), reverse("organizations:agency_list"))


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    level = request.GET.get("level", "")
    if level not in AgencyLevel.values:
        level = ""
    q = request.GET.get("q", "").strip()[:200]
    agencies = select_agencies(actor=actor, level=level or None, q=q)
    page = Paginator(agencies, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organizations/agency_list.html",
        {
            "page": page,
            "level": level,
            "q": q,
            "levels": AgencyLevel.choices,
            "can_create": actor.is_provincial_admin,
            "breadcrumbs": [(_("Cơ quan, đơn vị"), None)],
        },
    )


@login_required
def agency_detail(request: HttpRequest, agency_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    agency = access_agency(actor, agency_id)
    return render(
        request,
        "organizations/agency_detail.html",
        {
            "agency": agency,
            "departments": agency_departments(actor=actor, agency=agency),
            "children": agency_children(actor=actor, agency=agency),
            "can_edit": can_administer_agency(actor, agency.pk),
            "is_provincial_admin": actor.is_provincial_admin,
            "breadcrumbs": [_list_crumb(), (agency.name, None)],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_create_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if not actor.is_provincial_admin:
        raise PermissionDenied(_("Chức năng này dành cho quản trị cấp tỉnh."))
    form = AgencyForm(request.POST or None, parents=parent_choices(actor=actor))
    if request.method == "POST" and form.is_valid():
        try:
            agency = agency_create(actor=request.user, **form.service_values())  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm cơ quan %(name)s.") % {"name": agency.name})
            return redirect("organizations:agency_detail", agency_id=agency.pk)
    return render(
        request,
        "organizations/agency_form.html",
        {
            "form": form,
            "title": _("Thêm cơ quan, đơn vị"),
            "cancel_url": reverse("organizations:agency_list"),
            "breadcrumbs": [_list_crumb(), (_("Thêm cơ quan"), None)],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request: HttpRequest, agency_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    agency = access_agency_for_edit(actor, agency_id)
    form: AgencyForm | AgencyContactForm
    if actor.is_provincial_admin:
        form = AgencyForm(
            request.POST or None,
            initial=AgencyForm.initial_for(agency),
            parents=parent_choices(actor=actor, exclude=agency),
        )
        # Ending an agency's activity has its own page and checks (agency_close).
        del form.fields["valid_to"]
    else:
        form = AgencyContactForm(
            request.POST or None,
            initial={"address": agency.address, "email": agency.email, "phone": agency.phone},
        )
    if request.method == "POST" and form.is_valid():
        changes = form.service_values() if isinstance(form, AgencyForm) else dict(form.cleaned_data)
        try:
            agency_update(actor=request.user, agency=agency, changes=changes)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin cơ quan."))
            return redirect("organizations:agency_detail", agency_id=agency.pk)
    detail_url = reverse("organizations:agency_detail", args=[agency.pk])
    return render(
        request,
        "organizations/agency_form.html",
        {
            "form": form,
            "agency": agency,
            "title": _("Sửa thông tin cơ quan"),
            "cancel_url": detail_url,
            "breadcrumbs": [_list_crumb(), (agency.name, detail_url), (_("Sửa"), None)],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_close_view(request: HttpRequest, agency_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    agency = access_agency_for_provincial_admin(actor, agency_id)
    form = AgencyCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency_close(
                actor=request.user,  # type: ignore[arg-type]
                agency=agency,
                valid_to=form.cleaned_data["valid_to"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận cơ quan kết thúc hoạt động."))
            return redirect("organizations:agency_detail", agency_id=agency.pk)
    detail_url = reverse("organizations:agency_detail", args=[agency.pk])
    return render(
        request,
        "organizations/agency_close.html",
        {
            "form": form,
            "agency": agency,
            "cancel_url": detail_url,
            "breadcrumbs": [
                _list_crumb(),
                (agency.name, detail_url),
                (_("Kết thúc hoạt động"), None),
            ],
        },
    )
