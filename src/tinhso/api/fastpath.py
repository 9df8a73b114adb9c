"""Bearer-token API calls without the browser's middleware: first in an installation's chain.

An integration (the counter software of the one-stop shop, a document system) calls /api/v1/
with `Authorization: Bearer …` many times a second. DRF authenticates it by its token
(`tinhso.accounts.authentication`); the browser's middleware plays no part in it and ran as
much Python as a light view:

- sessions and sign-in (`request.user` is the token's, set by DRF), messages, htmx;
- CSRF: DRF's views are exempt, and a bearer token is never sent by a browser on its own;
- OTP and the two-factor redirect: a token is only issued after the second factor;
- lockouts (django-axes) act at sign-in, which is under /api/v1/auth/ and keeps the full chain;
- static files (WhiteNoise) are never under /api/.

Such a request goes through the middleware that shapes every response — the request id and
client address (logs, audit trail), the security headers, the language of `Accept-Language`,
the host check and `Content-Length` of `CommonMiddleware`, `X-Frame-Options` — in the order
`MIDDLEWARE` gives them, each wrapped as Django wraps it (an exception becomes Django's
response for it, and is logged and signalled), and then to its view. Everything else goes down
the full chain: pages, the browser's session calls to the API, the token endpoints, a path that
does not resolve (`APPEND_SLASH`'s redirect). The hub has its own (`tinhso.hub.api.fastpath`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.module_loading import import_string

INSTALLATION_URLCONF = "tinhso.config.urls"
PREFIX = "/api/v1/"
#: Signing in (token endpoints) keeps the whole chain: django-axes answers a lockout there.
FULL_CHAIN_PREFIXES = ("/api/v1/auth/",)
#: The middleware a bearer call still goes through, when `MIDDLEWARE` has it.
KEPT = frozenset(
    {
        "tinhso.web.middleware.RequestContextMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    }
)


def is_bearer(authorization: str) -> bool:
    """Whether the header is a bearer token, as DRF's authentication reads it."""
    scheme, _, rest = authorization.strip().partition(" ")
    return scheme.lower() == "bearer" and bool(rest.strip())


class BearerApiFastPathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # Django's wrapper is typed for async views too; every handler here is synchronous.
        handler: Callable[[HttpRequest], Any] = convert_exception_to_response(self._view)
        for path in reversed([m for m in settings.MIDDLEWARE if m in KEPT]):
            handler = convert_exception_to_response(import_string(path)(handler))
        self._fast = handler

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if (
            not path.startswith(PREFIX)
            or path.startswith(FULL_CHAIN_PREFIXES)
            or not is_bearer(request.META.get("HTTP_AUTHORIZATION", ""))
            or settings.ROOT_URLCONF != INSTALLATION_URLCONF
        ):
            return self.get_response(request)
        try:
            request.resolver_match = resolve(path)
        except Resolver404:
            return self.get_response(request)
        response: HttpResponse = self._fast(request)
        return response

    @staticmethod
    def _view(request: HttpRequest) -> HttpResponse:
        match = request.resolver_match
        assert match is not None
        request.user = AnonymousUser()  # until DRF authenticates the token
        response: HttpResponse = match.func(request, *match.args, **match.kwargs)
        render = getattr(response, "render", None)
        if callable(render):  # DRF's Response is rendered as Django's handler does it
            response = render()
        return response
