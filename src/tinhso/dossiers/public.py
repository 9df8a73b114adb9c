"""Public tracking of a dossier by its code: no sign-in, no personal data, rate-limited.

What the page and `GET /api/v1/public/dossiers/{code}/` show is `selectors.PublicView`: the
status, the procedure, the received / due / returned times and the agency handling it now,
and the applicant's name masked ("N. V. A***") — never the ID number, phone, e-mail, address
or files (Nghị định 13/2023 on personal data protection).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tinhso.dossiers.rules import CODE_RE
from tinhso.dossiers.selectors import PublicView, public_dossier
from tinhso.web.ratelimit import hit


def tracking_limit() -> int:
    """Requests per minute per client address on the public tracking endpoints."""
    return int(getattr(settings, "TINHSO_PUBLIC_TRACKING_PER_MINUTE", 60))


def lookup(code: str) -> PublicView | None:
    code = code.strip().upper()
    if not code or len(code) > 60 or not CODE_RE.match(code):
        return None
    return public_dossier(code)


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    context: dict[str, object] = {"code": code, "result": None, "error": ""}
    if code:
        allowed, retry_after = hit("track", request, limit=tracking_limit())
        if not allowed:
            context["error"] = _("Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau %(s)d giây.") % {
                "s": retry_after
            }
            response = render(request, "dossiers/track.html", context, status=429)
            response["Retry-After"] = str(retry_after)
            return response
        result = lookup(code)
        if result is None:
            context["error"] = _(
                "Không tìm thấy hồ sơ có mã “%(code)s”. Mã hồ sơ có dạng H57.13-261123-0001, in "
                "trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả."
            ) % {"code": code}
        context["result"] = result
    return render(request, "dossiers/track.html", context)
