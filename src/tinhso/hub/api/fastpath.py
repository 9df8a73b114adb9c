"""The nodes' calls without the operator's middleware: placed first in the hub's chain.

A call under /hub/v1/ is authenticated by its own signature (`tinhso.hub.auth`): sessions,
sign-in, OTP, lockouts (axes), CSRF, messages and the language of a browser play no part in it,
and running them costs as much CPU as the call itself. This middleware resolves such a path and
calls the view directly; every other request (the operator's pages, sign-in) goes down the full
chain. It is a no-op unless the hub's URL configuration is the root one, so that an
installation, which has no /hub/v1/, is never affected.

What is kept of the chain: the request id and client address of `RequestContextMiddleware`
(logs, audit trail), the ``ALLOWED_HOSTS`` check, and a JSON fault for anything uncaught
(signalled as Django does, so the error is logged and the test client re-raises it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, get_resolver
from django.utils.translation import gettext as _

from tinhso.hub.faults import HubFault
from tinhso.web.middleware import RequestContextMiddleware

HUB_URLCONF = "tinhso.config.urls_hub"
PREFIX = "/hub/v1/"

logger = logging.getLogger("django.request")


def _fault(fault: HubFault) -> JsonResponse:
    return JsonResponse(
        fault.body(), status=fault.status, json_dumps_params={"ensure_ascii": False}
    )


class HubApiFastPathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._direct = RequestContextMiddleware(self._dispatch)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(PREFIX) or settings.ROOT_URLCONF != HUB_URLCONF:
            return self.get_response(request)
        return self._direct(request)

    def _dispatch(self, request: HttpRequest) -> HttpResponse:
        try:
            request.get_host()
            match = get_resolver(HUB_URLCONF).resolve(request.path_info)
        except DisallowedHost:
            return _fault(HubFault("bad_request", _("Tên máy chủ không được phép.")))
        except Resolver404:
            return _fault(HubFault("not_found", _("Không có lời gọi này."), [request.path_info]))
        request.resolver_match = match
        try:
            response: HttpResponse = match.func(request, *match.args, **match.kwargs)
        except HubFault as fault:
            return _fault(fault)
        except Exception:
            # As Django's handler: the error is logged and signalled (the test client re-raises
            # it); the node is told in the fault's shape, without the details.
            signals.got_request_exception.send(sender=None, request=request)
            logger.exception("Internal Server Error: %s", request.path)
            return _fault(HubFault("server_error", _("Lỗi của trục liên thông; hãy thử lại sau.")))
        return response
