"""What a locked-out client sees (django-axes, `AXES_LOCKOUT_CALLABLE`).

After `AXES_FAILURE_LIMIT` failed sign-ins for one username from one address, axes refuses
further attempts for `AXES_COOLOFF_TIME`; every failure during the lock starts the cool-off
again. Pages get a Vietnamese explanation with the time to retry; the API gets
`429 application/problem+json` with `Retry-After`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from tinhso.api.problems import PROBLEM_CONTENT_TYPE, problem_body

LOCKED_STATUS = 429


def retry_at(request: HttpRequest) -> dt.datetime:
    """When the lock ends: the cool-off counted from this (the latest) failed attempt."""
    attempt_time = getattr(request, "axes_attempt_time", None) or timezone.now()
    cool_off = get_cool_off(request) or dt.timedelta(0)
    return attempt_time + cool_off


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    until = retry_at(request)
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    minutes = max(1, math.ceil(seconds / 60))
    failure_limit = get_failure_limit(request, credentials)
    response: HttpResponse
    if request.path.startswith("/api/"):
        detail = ngettext(
            "Tài khoản tạm bị khóa vì đăng nhập sai %(limit)d lần liên tiếp. "
            "Vui lòng thử lại sau %(minutes)d phút.",
            "Tài khoản tạm bị khóa vì đăng nhập sai %(limit)d lần liên tiếp. "
            "Vui lòng thử lại sau %(minutes)d phút.",
            minutes,
        ) % {"limit": failure_limit, "minutes": minutes}
        response = JsonResponse(
            problem_body(LOCKED_STATUS, detail, code="locked_out"),
            status=LOCKED_STATUS,
            content_type=PROBLEM_CONTENT_TYPE,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Retry-After"] = str(seconds)
        return response
    context = {
        "failure_limit": failure_limit,
        "minutes": minutes,
        "retry_at": until,
        "breadcrumbs": None,
        "sidebar": None,
    }
    response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=LOCKED_STATUS)
    response["Retry-After"] = str(seconds)
    return response
