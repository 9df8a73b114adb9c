"""Two-factor authentication is required of administrators, of accounts flagged so, and of
anyone who enrolled an authenticator app."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from tinhso.accounts.two_factor import ENROLLED_SESSION_KEY, requires_two_factor
from tinhso.api.problems import PROBLEM_CONTENT_TYPE, problem_body

# Paths anyone may reach before the second factor: static assets, health checks and the
# language switch. Signing in, the second-factor page and signing out are added by URL name.
_EXEMPT_PREFIXES = ("/static/", "/healthz", "/readyz", "/i18n/")
_EXEMPT_URL_NAMES = (
    "accounts:login",
    "accounts:logout",
    "accounts:two_factor",
    # The token endpoints check the second factor themselves (the `otp` field).
    "accounts_api:token",
    "accounts_api:token_revoke",
    # The API description is public anyway.
    "api-schema",
    "api-docs",
)


class TwoFactorRequiredMiddleware:
    """Send an administrator signed in by password only to `accounts:two_factor`.

    Runs after `OTPMiddleware`, so `request.user.is_verified()` is known. A request that reaches
    the API with such a session (not with a bearer token, which needed the code to be issued)
    gets `403 application/problem+json` instead of a redirect.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._exempt_paths: frozenset[str] | None = None

    def _is_exempt(self, path: str) -> bool:
        if self._exempt_paths is None:
            self._exempt_paths = frozenset(_reversible(_EXEMPT_URL_NAMES))
        return path in self._exempt_paths or path.startswith(_EXEMPT_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not self._is_exempt(request.path)
            and not getattr(user, "is_verified", lambda: False)()  # set by OTPMiddleware
            and (request.session.get(ENROLLED_SESSION_KEY) or requires_two_factor(user))
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    problem_body(
                        403,
                        _(
                            "Tài khoản quản trị cần xác thực hai lớp: hãy hoàn tất bước nhập "
                            "mã trên trang web, hoặc dùng mã truy cập API."
                        ),
                        code="two_factor_required",
                    ),
                    status=403,
                    content_type=PROBLEM_CONTENT_TYPE,
                    json_dumps_params={"ensure_ascii": False},
                )
            target = reverse("accounts:two_factor")
            return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _reversible(names: Iterable[str]) -> Iterator[str]:
    """The paths of the routes this deployment serves (the hub serves no API tokens)."""
    for name in names:
        try:
            yield reverse(name)
        except NoReverseMatch:
            continue
