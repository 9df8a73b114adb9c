"""Officials management for administrators: list, create, memberships, lock, reset 2FA."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.accounts.access import (
    access_agency_administration,
    access_membership,
    access_official,
    access_official_account,
    actor_for,
    can_manage_account,
    can_manage_membership,
    require_official_administrator,
)
from tinhso.accounts.forms import MembershipAddForm, OfficialCreateForm, OfficialFilterForm
from tinhso.accounts.models import User
from tinhso.accounts.selectors import administered_agencies, official_list, official_memberships
from tinhso.accounts.services import (
    membership_add,
    membership_end,
    official_create,
    otp_reset,
    user_deactivate,
    user_reactivate,
)
from tinhso.organizations.models import Agency

PAGE_SIZE = 25


def _crumbs(*extra: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Cán bộ"), reverse("accounts:official_list")), *extra]


@login_required
@require_http_methods(["GET"])
def official_list_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require_official_administrator(actor)
    agencies = administered_agencies(actor=actor)
    form = OfficialFilterForm(request.GET or None, agencies=agencies)
    search, agency = "", None
    if form.is_valid():
        search = form.cleaned_data["q"] or ""
        agency = form.cleaned_data["agency"]
    officials = official_list(actor=actor, search=search, agency_id=agency.pk if agency else None)
    page = Paginator(officials, PAGE_SIZE).get_page(request.GET.get("page"))
    # Where "Thêm cán bộ" leads: the filtered agency, or the actor's only agency.
    create_agency = agency
    if create_agency is None and not actor.is_provincial_admin:
        own = list(agencies[:2])
        create_agency = own[0] if len(own) == 1 else None
    context = {
        "form": form,
        "page": page,
        "filtered": bool(search or agency),
        "create_agency": create_agency,
        "is_provincial_admin": actor.is_provincial_admin,
        # An administrator of a single agency has nothing to choose between.
        "show_agency_filter": actor.is_provincial_admin or agencies.count() > 1,
        "breadcrumbs": [(_("Cán bộ"), None)],
    }
    return render(request, "accounts/official_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def official_create_view(request: HttpRequest, agency_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    agency = access_agency_administration(actor, agency_id)
    form = OfficialCreateForm(request.POST or None, actor=actor, agency=agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            official = official_create(
                actor=_signed_in(request),
                agency=agency,
                role=data["role"],
                username=data["username"],
                full_name=data["full_name"],
                password=data["password1"],
                email=data["email"],
                phone=data["phone"],
                id_number=data["id_number"],
                department=data["department"],
                position=data["position"],
                otp_required=data["otp_required"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("Đã tạo tài khoản %(username)s cho %(name)s.")
                % {"username": official.username, "name": official.full_name},
            )
            return redirect("accounts:official_detail", user_id=official.pk)
    return render(
        request,
        "accounts/official_form.html",
        {
            "form": form,
            "agency": agency,
            "breadcrumbs": _crumbs((_("Thêm cán bộ"), None)),
        },
    )


@login_required
@require_http_methods(["GET"])
def official_detail_view(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    official = access_official(actor, user_id)
    memberships = list(official_memberships(official=official))
    rows = [(m, m.is_active and can_manage_membership(actor, m)) for m in memberships]
    context = {
        "official": official,
        "rows": rows,
        "can_manage_account": can_manage_account(actor, official),
        "has_two_factor": TOTPDevice.objects.filter(user=official, confirmed=True).exists(),
        "breadcrumbs": _crumbs((official.full_name, None)),
    }
    return render(request, "accounts/official_detail.html", context)


def _chosen_agency(request: HttpRequest, agencies: Any) -> Agency | None:
    raw = request.POST.get("agency") or request.GET.get("agency")
    if raw and str(raw).isdigit():
        chosen: Agency | None = agencies.filter(pk=int(raw)).first()
        return chosen
    only = list(agencies[:2])
    return only[0] if len(only) == 1 else None


@login_required
@require_http_methods(["GET", "POST"])
def membership_add_view(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    official = access_official(actor, user_id)
    agencies = administered_agencies(actor=actor)
    agency = _chosen_agency(request, agencies)
    form = MembershipAddForm(request.POST or None, actor=actor, agencies=agencies, agency=agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership_add(
                actor=_signed_in(request),
                user=official,
                agency=data["agency"],
                role=data["role"],
                department=data["department"],
                position=data["position"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Đã giao thêm vai trò cho cán bộ."))
            return redirect("accounts:official_detail", user_id=official.pk)
    return render(
        request,
        "accounts/membership_form.html",
        {
            "form": form,
            "official": official,
            "agency": agency,
            "breadcrumbs": _crumbs(
                (official.full_name, reverse("accounts:official_detail", args=[official.pk])),
                (_("Giao thêm vai trò"), None),
            ),
        },
    )


def _confirm(
    request: HttpRequest,
    *,
    official: User,
    title: str,
    question: str,
    button: str,
    danger: bool = True,
    error: str = "",
) -> HttpResponse:
    return render(
        request,
        "accounts/confirm.html",
        {
            "official": official,
            "title": title,
            "question": question,
            "button": button,
            "danger": danger,
            "error": error,
            "breadcrumbs": _crumbs(
                (official.full_name, reverse("accounts:official_detail", args=[official.pk])),
                (title, None),
            ),
        },
        status=400 if error else 200,
    )


def _signed_in(request: HttpRequest) -> User:
    """The acting user (the views are behind login_required)."""
    return cast(User, request.user)


@login_required
@require_http_methods(["GET", "POST"])
def membership_end_view(request: HttpRequest, membership_id: int) -> HttpResponse:
    actor = actor_for(request.user)
    membership = access_membership(actor, membership_id)
    official = membership.user
    error = ""
    if request.method == "POST":
        try:
            membership_end(actor=_signed_in(request), membership=membership)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Đã kết thúc vị trí công tác."))
            try:
                access_official(actor, official.pk)
            except Http404:
                # The last role in the actor's agencies ended: the official left their view.
                return redirect("accounts:official_list")
            return redirect("accounts:official_detail", user_id=official.pk)
    place = membership.department.name if membership.department else membership.agency.name
    return _confirm(
        request,
        official=official,
        title=_("Kết thúc vị trí công tác"),
        question=_("Kết thúc vai trò %(role)s của %(name)s tại %(place)s?")
        % {"role": membership.get_role_display(), "name": official.full_name, "place": place},
        button=_("Kết thúc vị trí công tác"),
        error=error,
    )


def _account_action(
    request: HttpRequest,
    user_id: int,
    *,
    service: Callable[..., object],
    done: Callable[[User], str],
    title: str,
    question: Callable[[User], str],
    button: str,
    danger: bool = True,
) -> HttpResponse:
    """Confirm, then run one service on an official's account (lock, unlock, reset 2FA)."""
    official = access_official_account(actor_for(request.user), user_id)
    error = ""
    if request.method == "POST":
        try:
            service(actor=_signed_in(request), user=official)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, done(official))
            return redirect("accounts:official_detail", user_id=official.pk)
    return _confirm(
        request,
        official=official,
        title=title,
        question=question(official),
        button=button,
        danger=danger,
        error=error,
    )


@login_required
@require_http_methods(["GET", "POST"])
def official_deactivate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    return _account_action(
        request,
        user_id,
        service=user_deactivate,
        done=lambda u: _("Đã khóa tài khoản %(username)s.") % {"username": u.username},
        title=_("Khóa tài khoản"),
        question=lambda u: (
            _(
                "Khóa tài khoản của %(name)s? Người này sẽ không đăng nhập được nữa và mọi mã truy "
                "cập API của họ bị thu hồi; các vị trí công tác vẫn được giữ làm lịch sử."
            )
            % {"name": u.full_name}
        ),
        button=_("Khóa tài khoản"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def official_reactivate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    return _account_action(
        request,
        user_id,
        service=user_reactivate,
        done=lambda u: _("Đã mở khóa tài khoản %(username)s.") % {"username": u.username},
        title=_("Mở khóa tài khoản"),
        question=lambda u: (
            _("Mở khóa tài khoản của %(name)s để người này đăng nhập lại được?")
            % {"name": u.full_name}
        ),
        button=_("Mở khóa tài khoản"),
        danger=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def official_otp_reset_view(request: HttpRequest, user_id: int) -> HttpResponse:
    return _account_action(
        request,
        user_id,
        service=otp_reset,
        done=lambda u: (
            _("Đã đặt lại xác thực hai lớp; lần đăng nhập sau, %(name)s sẽ đăng ký lại.")
            % {"name": u.full_name}
        ),
        title=_("Đặt lại xác thực hai lớp"),
        question=lambda u: (
            _(
                "Xóa ứng dụng xác thực đã đăng ký của %(name)s (ví dụ khi mất điện thoại)? Lần đăng "
                "nhập sau, người này sẽ phải quét mã QR mới."
            )
            % {"name": u.full_name}
        ),
        button=_("Đặt lại xác thực hai lớp"),
    )
