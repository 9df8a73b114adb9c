"""Two-factor authentication is required of administrators (and of any account flagged so)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from tinhso.accounts.access import actor_for

# Paths an administrator may reach before the second factor: signing in, enrolling,
# signing out, the language switch, static assets, health checks and the API (which has
# its own OTP rule at token issue).
_EXEMPT_PREFIXES = (
    "/accounts/",
    "/i18n/",
    "/static/",
    "/healthz",
    "/readyz",
    "/api/",
)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and (getattr(user, "otp_required", False) or actor_for(user).needs_two_factor)
            and not user.is_verified()  # type: ignore[union-attr]
        ):
            return HttpResponseRedirect(reverse("accounts:two_factor") + f"?next={request.path}")
        return self.get_response(request)
