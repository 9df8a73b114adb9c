"""Signing in and out, the second factor and the password: thin views over the services."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import verify_token

from tinhso.accounts.forms import LoginForm, OtpTokenForm, PasswordChangeForm
from tinhso.accounts.models import User
from tinhso.accounts.services import (
    otp_device_confirm,
    otp_device_start,
    user_password_change,
)
from tinhso.accounts.two_factor import (
    ENROLLED_SESSION_KEY,
    base32_secret,
    confirmed_device,
    grouped,
    issuer,
    otpauth_url,
    qr_svg,
    requires_two_factor,
    token_error_message,
)

#: Pages of the sign-in flow have no sidebar and no breadcrumbs.
_BARE = {"breadcrumbs": None, "sidebar": None}


def safe_next(request: HttpRequest, default: str | None = None) -> str:
    """The `next` URL when it stays on this site, else the home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or reverse(settings.LOGIN_REDIRECT_URL)


class SignInView(LoginView):
    """The sign-in page; administrators continue to the second factor."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    extra_context = _BARE

    def form_valid(self, form: Any) -> HttpResponse:
        # LoginView.form_valid, with one step between signing in and choosing where to go:
        # whoever enrolled an app passes the second factor too (the middleware reads the flag).
        user = form.get_user()
        auth_login(self.request, user)
        self.request.session[ENROLLED_SESSION_KEY] = confirmed_device(user) is not None
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self) -> str:
        url = super().get_success_url()
        # After a password sign-in, login() has put a plain user (never verified) on the
        # request; an already signed-in visitor still has OTPMiddleware's `is_verified`.
        user = self.request.user
        verified = getattr(user, "is_verified", lambda: False)()
        enrolled = bool(self.request.session.get(ENROLLED_SESSION_KEY))
        if (enrolled or requires_two_factor(user)) and not verified:
            return f"{reverse('accounts:two_factor')}?{urlencode({'next': url})}"
        return url


class SignOutView(LogoutView):
    """POST only (Django 5 refuses GET with 405): a link cannot sign anyone out."""

    http_method_names = ["post", "options"]


def _count_failed_code(request: HttpRequest) -> bool:
    """Count a wrong code as a failed sign-in for django-axes; True when that locks the account.

    A locked account is signed out here; AxesMiddleware then answers with the lockout page.
    """
    user_login_failed.send(
        sender=__name__, credentials={"username": request.user.get_username()}, request=request
    )
    if getattr(request, "axes_locked_out", False):
        logout(request)
        return True
    return False


@never_cache
@login_required
@sensitive_post_parameters("otp_token")
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (QR code + secret), or enter its code; then go to `next`."""
    user: Any = request.user
    next_url = safe_next(request)
    if user.is_verified():
        return HttpResponseRedirect(next_url)
    device = confirmed_device(user)
    if device is None:
        return _enrol(request, next_url)

    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, info = device.verify_is_allowed()
        verified = allowed and verify_token(
            user, device.persistent_id, form.cleaned_data["otp_token"]
        )
        if verified:
            otp_login(request, verified)
            return HttpResponseRedirect(next_url)
        if _count_failed_code(request):
            # AxesMiddleware replaces this answer with the lockout page.
            return HttpResponseRedirect(reverse("accounts:login"))
        form.add_error("otp_token", token_error_message(None if allowed else info))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": next_url, **_BARE},
    )


def _enrol(request: HttpRequest, next_url: str) -> HttpResponse:
    user: Any = request.user
    pending = otp_device_start(actor=user)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp_device_confirm(
                actor=user, device=pending, token=form.cleaned_data["otp_token"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            otp_login(request, device)
            messages.success(request, _("Đã bật xác thực hai lớp cho tài khoản của bạn."))
            return HttpResponseRedirect(next_url)
    secret = base32_secret(pending)
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": qr_svg(
            otpauth_url(pending, user.get_username()),
            title=_("Mã QR để thêm tài khoản vào ứng dụng xác thực"),
        ),
        "secret": grouped(secret),
        "issuer": issuer(),
        "required": requires_two_factor(user),
        **_BARE,
    }
    return render(request, "accounts/two_factor_enrol.html", context)


@never_cache
@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_password_change(
                actor=cast(User, request.user),
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            # Keep this session signed in (and its second factor); other sessions end.
            update_session_auth_hash(request, user)
            messages.success(request, _("Đã đổi mật khẩu. Các mã truy cập API cũ đã bị thu hồi."))
            return redirect("web:home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "breadcrumbs": [(_("Đổi mật khẩu"), None)]},
    )
