"""The applicant's mail about a dossier goes through the outbox to a real SMTP server, only
after the receipt commits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from pytest_django.fixtures import Settings

from tinhso.dossiers.rules import Action
from tinhso.dossiers.services import ActionInput, dossier_act, dossier_receive
from tinhso.notifications.models import Notification
from tinhso.notifications.tests.smtp import SmtpServer
from tinhso.testing.onestop import OneStopWorld, onestop_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings: Settings) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


@pytest.fixture
def w() -> OneStopWorld:
    return onestop_world()


def test_receipt_and_result_mails_reach_the_applicant(
    w: OneStopWorld, smtp: SmtpServer, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        d, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    assert Notification.objects.get(kind="dossier.received").recipient == "an@example.vn"
    received = smtp.inbox.messages()
    assert len(received) == 1
    mail = received[0]
    assert mail["To"] == "an@example.vn"
    assert d.code in str(mail["Subject"]) and "Giấy tiếp nhận hồ sơ" in str(mail["Subject"])
    body = mail.get_content()
    assert d.code in body and "09:00 14/12/2026" in body  # the due time, in Vietnam time

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        dossier_act(actor=w.specialist, code=d.code, action=Action.FORWARD)
        dossier_act(actor=w.leader, code=d.code, action=Action.APPROVE)
    subjects = [str(m["Subject"]) for m in smtp.inbox.messages()]
    assert any("Hồ sơ đã có kết quả" in s for s in subjects)


def test_a_rolled_back_receipt_sends_nothing(w: OneStopWorld, smtp: SmtpServer) -> None:
    data = w.receipt()
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_receive(actor=w.counter, data=data, now=w.monday_9am)
        raise RuntimeError("the caller fails after the service")
    assert not Notification.objects.exists()
    assert smtp.inbox.messages() == []


def test_no_address_no_mail(w: OneStopWorld, smtp: SmtpServer) -> None:
    from dataclasses import replace

    data = w.receipt()
    data = replace(data, applicant=replace(data.applicant, email=""))
    d, _ = dossier_receive(actor=w.counter, data=data, now=w.monday_9am)
    assert d.applicant_email == ""
    assert not Notification.objects.exists()
    dossier_act(actor=w.specialist, code=d.code, action=Action.FORWARD, data=ActionInput())
    assert not Notification.objects.exists()


def test_mails_are_plain_text_names_and_reasons_as_written(
    w: OneStopWorld, smtp: SmtpServer, django_capture_on_commit_callbacks: object
) -> None:
    # given an enterprise whose name has an ampersand and quotes, and a stop reason with signs
    # that HTML would escape
    from dataclasses import replace

    data = w.receipt()
    data = replace(data, applicant=replace(data.applicant, name="Công ty TNHH A&B 'Sao Mai'"))
    reason = 'Thiếu văn bản <số 12> của "Sở" & UBND'

    # when the dossier is received and its processing stopped
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        d, _ = dossier_receive(actor=w.counter, data=data, now=w.monday_9am)
        dossier_act(
            actor=w.leader, code=d.code, action=Action.STOP, data=ActionInput(reason=reason)
        )

    # then both mails carry the text as written, not HTML entities
    bodies = [m.get_content() for m in smtp.inbox.messages()]
    assert len(bodies) == 2
    assert all("Kính gửi Ông/Bà Công ty TNHH A&B 'Sao Mai'," in body for body in bodies)
    assert reason in bodies[1]
    assert not any("&amp;" in body or "&#x27;" in body or "&lt;" in body for body in bodies)
