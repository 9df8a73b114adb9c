"""The public checking page: anyone uploads a PDF (a receipt, a result, a document) and sees
whether its signatures are authentic. No sign-in; rate-limited per client address."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tinhso.files.limits import human_size, max_upload_bytes
from tinhso.signatures import services
from tinhso.signatures.presentation import report_view
from tinhso.signatures.sandbox import PdfRefused
from tinhso.web.ratelimit import hit


def validation_limit() -> int:
    """Checks per minute per client address on the public page and API."""
    return int(getattr(settings, "TINHSO_PUBLIC_VALIDATION_PER_MINUTE", 30))


def check_rate(request: HttpRequest) -> tuple[bool, int]:
    return hit("signature-check", request, limit=validation_limit())


def parse_moment(value: object) -> dt.datetime | None:
    """An ISO 8601 moment (`2020-11-01T00:00:00+07:00`; a date alone means its start in
    Vietnam time); empty = None (now). Raises ValidationError on `at` otherwise."""
    text = str(value or "").strip()
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                {
                    "at": [
                        _(
                            "Thời điểm “%(value)s” không đúng dạng ISO 8601 "
                            "(ví dụ 2026-11-26T08:00:00+07:00)."
                        )
                        % {"value": text[:40]}
                    ]
                }
            ) from None
        moment = dt.datetime.combine(day, dt.time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


@require_http_methods(["GET", "POST"])
def check_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {
        "limit": human_size(max_upload_bytes()),
        "report": None,
        "error": "",
        "at": request.POST.get("at", ""),
        "agency_code": request.POST.get("agency_code", ""),
    }
    status = 200
    if request.method == "POST":
        allowed, retry_after = check_rate(request)
        upload = request.FILES.get("file")
        if not allowed:
            context["error"] = _("Bạn kiểm tra quá nhiều lần. Vui lòng thử lại sau %(s)d giây.") % {
                "s": retry_after
            }
            status = 429
        elif upload is None:
            context["error"] = _("Chọn tệp PDF cần kiểm tra.")
            status = 400
        elif upload.size and upload.size > max_upload_bytes():
            context["error"] = _("Tệp vượt quá dung lượng tối đa %(limit)s.") % {
                "limit": context["limit"]
            }
            status = 413
        else:
            try:
                at = parse_moment(request.POST.get("at", ""))
                code = request.POST.get("agency_code", "").strip().upper() or None
                report = services.pdf_check(data=upload.read(), at=at, expected_agency_code=code)
                context["report"] = report_view(report)
                context["file_name"] = upload.name
            except PdfRefused as exc:
                context["error"] = str(exc)
                status = 400
            except ValidationError as exc:
                context["error"] = " ".join(exc.messages)
                status = 400
    response = render(request, "signatures/check.html", context, status=status)
    return response
