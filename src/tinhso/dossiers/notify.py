"""The applicant's notifications about a dossier, written to the durable outbox.

Each function is called inside the service's transaction: the outbox row commits with the
change and is sent after commit, with retries (`tinhso.notifications`). An applicant without
an e-mail address gets nothing here (SMS comes behind a provider interface later).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from tinhso.dossiers.models import Dossier


def public_url(d: Dossier) -> str:
    """The public tracking page of the dossier (absolute when the site's address is known)."""
    base = getattr(settings, "TINHSO_PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{reverse('dossiers:track')}?code={d.code}"


def _send(d: Dossier, kind: str, subject: str, template: str) -> None:
    if not d.applicant_email:
        return
    from tinhso.notifications.services import notification_enqueue

    context = {"d": d, "tracking_url": public_url(d)}
    body = render_to_string(f"dossiers/mail/{template}.txt", context)
    notification_enqueue(
        channel="email",
        recipient=d.applicant_email,
        subject=f"[{d.code}] {subject}",
        body_text=body,
        kind=kind,
        obj=d,
        agency=d.receiving_agency,
    )


def received(d: Dossier) -> None:
    with override("vi"):
        _send(d, "dossier.received", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"), "received")


def supplement_requested(d: Dossier) -> None:
    with override("vi"):
        _send(d, "dossier.supplement", _("Yêu cầu bổ sung, hoàn thiện hồ sơ"), "supplement")


def refused(d: Dossier) -> None:
    with override("vi"):
        _send(d, "dossier.refused", _("Từ chối tiếp nhận hồ sơ"), "refused")


def result_ready(d: Dossier) -> None:
    with override("vi"):
        _send(d, "dossier.result_ready", _("Hồ sơ đã có kết quả"), "result_ready")


def apologized(d: Dossier) -> None:
    with override("vi"):
        _send(d, "dossier.apology", _("Thư xin lỗi và hẹn lại ngày trả kết quả"), "apology")


def stopped(d: Dossier) -> None:
    with override("vi"):
        _send(d, "dossier.stopped", _("Thông báo dừng giải quyết hồ sơ"), "stopped")
