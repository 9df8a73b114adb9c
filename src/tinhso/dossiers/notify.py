"""The applicant's notifications about a dossier, written to the durable outbox.

Each function is called inside the service's transaction: the outbox row commits with the
change and is sent after commit, with retries (`tinhso.notifications`). An applicant without
an e-mail address gets nothing here (SMS comes behind a provider interface later).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Final

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from tinhso.dossiers.models import Dossier
from tinhso.notifications.models import Notification
from tinhso.workcalendar.arithmetic import to_local


def public_url(d: Dossier) -> str:
    """The public tracking page of the dossier (absolute when the site's address is known)."""
    base = getattr(settings, "TINHSO_PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{reverse('dossiers:track')}?code={d.code}"


def _render(d: Dossier, subject: str, template: str) -> tuple[str, str]:
    url = public_url(d)
    text = _TEXTS.get(template)
    if text is not None:
        return f"[{d.code}] {subject}", text(d, url)
    context = {"d": d, "tracking_url": url}
    return f"[{d.code}] {subject}", render_to_string(f"dossiers/mail/{template}.txt", context)


# --- The receipt's two mails, as text -----------------------------------------------------------
# Every receipt writes one of them: built here from the same translatable sentences instead of
# rendering a Django template (a fifth of a millisecond per receipt). Plain text, nothing
# escaped. Their templates (mail/received.txt, mail/supplement.txt) stay the reference: a test
# renders both for generated dossiers and requires the same text (tests/test_mail_text.py).


def _moment(value: dt.datetime | None) -> str:
    """A moment in Vietnam time as the forms write it (H:i d/m/Y); "" when there is none."""
    return "" if value is None else to_local(value).strftime("%H:%M %d/%m/%Y")


def _greeting(d: Dossier) -> str:
    return _("Kính gửi Ông/Bà %(name)s,") % {"name": d.applicant_name}


def _footer(url: str) -> str:
    return (
        f"\n{_('Tra cứu tình trạng hồ sơ:')} {url}\n\n"
        f"{_('Thư này được gửi tự động từ hệ thống một cửa điện tử; vui lòng không trả lời thư.')}\n"
    )


def _received_text(d: Dossier, url: str) -> str:
    """The receipt and appointment mail: the code, the time received and the due time."""
    received = _("%(agency)s đã tiếp nhận hồ sơ “%(procedure)s” của Ông/Bà.") % {
        "agency": d.receiving_agency.name,
        "procedure": d.procedure_version.name,
    }
    return (
        f"{_greeting(d)}\n\n{received}\n\n"
        f"{_('Mã hồ sơ:')} {d.code}\n"
        f"{_('Thời gian tiếp nhận:')} {_moment(d.received_at)}\n"
        f"{_('Thời gian hẹn trả kết quả:')} {_moment(d.due_at)}\n"
        f"\n{_footer(url)}\n"
    )


def _supplement_text(d: Dossier, url: str) -> str:
    """The request to complete the dossier, with what is missing (its reason)."""
    request = _(
        "Hồ sơ %(code)s (“%(procedure)s”) cần được bổ sung, hoàn thiện các nội dung sau:"
    ) % {"code": d.code, "procedure": d.procedure_version.name}
    paused = _("Thời hạn giải quyết tạm dừng cho đến khi Ông/Bà nộp đủ hồ sơ bổ sung.")
    return f"{_greeting(d)}\n\n{request}\n\n{d.reason}\n\n{paused}\n{_footer(url)}\n"


_TEXTS: Final[dict[str, Callable[[Dossier, str], str]]] = {
    "received": _received_text,
    "supplement": _supplement_text,
}


def _enqueue(d: Dossier, kind: str, subject: str, body: str) -> None:
    from tinhso.notifications.services import notification_enqueue

    notification_enqueue(
        channel="email",
        recipient=d.applicant_email,
        subject=subject,
        body_text=body,
        kind=kind,
        obj=d,
        agency=d.receiving_agency,
    )


def _send(d: Dossier, kind: str, subject: str, template: str) -> None:
    if not d.applicant_email:
        return
    _enqueue(d, kind, *_render(d, subject, template))


#: Stands for the dossier's code in a mail rendered before the code exists: letters and
#: digits (no escaping changes it), drawn at random per process (no applicant types it).
CODE_MARK: Final = f"MAHOSO{uuid.uuid4().hex.upper()}"


#: The receipt's two mails: (kind, subject, template).
_RECEIVED = (
    "dossier.received",
    gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "received",
)
_SUPPLEMENT = (
    "dossier.supplement",
    gettext_lazy("Yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "supplement",
)


def receipt_mail(d: Dossier) -> Notification | None:
    """The receipt's mail (`received`, or `supplement_requested` for a dossier received in
    status 5), rendered and checked before the dossier has its code: `CODE_MARK` stands where
    the code goes, and the caller puts it in (`put_code`, or the database's `replace` in the
    statement that takes the number). None for an applicant without an e-mail address."""
    from tinhso.dossiers.models import Status
    from tinhso.notifications.services import notification_prepare

    if not d.applicant_email:
        return None
    kind, subject, template = _SUPPLEMENT if d.status == Status.SUPPLEMENT else _RECEIVED
    code, d.code = d.code, CODE_MARK
    try:
        with override("vi"):
            marked_subject, marked_body = _render(d, str(subject), template)
    finally:
        d.code = code
    return notification_prepare(
        channel="email",
        recipient=d.applicant_email,
        subject=marked_subject,
        body_text=marked_body,
        kind=kind,
        obj=d,
        agency=d.receiving_agency,
    )


def put_code(row: Notification, code: str) -> None:
    """The receipt's mail with the dossier's code in place of `CODE_MARK`."""
    row.subject = row.subject.replace(CODE_MARK, code)
    row.body_text = row.body_text.replace(CODE_MARK, code)


def received(d: Dossier) -> None:
    kind, subject, template = _RECEIVED
    with override("vi"):
        _send(d, kind, str(subject), template)


def supplement_requested(d: Dossier) -> None:
    kind, subject, template = _SUPPLEMENT
    with override("vi"):
        _send(d, kind, str(subject), template)


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
