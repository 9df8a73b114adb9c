"""Issue 5 in the one-stop shop: a result is signed with the agency key before it is returned,
and the forms printed by the counter are sealed when the server holds the agency key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.accounts.models import Role, User
from tinhso.audit.models import AuditEvent
from tinhso.dossiers.forms.render import render_form
from tinhso.dossiers.models import Activity, Dossier, ResultFile, Status
from tinhso.dossiers.rules import Action
from tinhso.dossiers.services import (
    ActionInput,
    dossier_act,
    dossier_receive,
    dossier_result_sign,
)
from tinhso.signatures.services import pdf_check, read_file_bytes
from tinhso.signatures.tests.pdfs import official_document
from tinhso.testing.factories import official
from tinhso.testing.onestop import OneStopWorld, local, onestop_world, upload
from tinhso.testing.signing import LocalPki
from tinhso.testing.signing_db import KeySet, register_test_keys

pytestmark = pytest.mark.django_db

SEAL_PIN_ENV = "TINHSO_TEST_SEAL_PIN"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def w() -> OneStopWorld:
    return onestop_world()


@pytest.fixture
def so_clerk(w: OneStopWorld) -> User:
    return official(Role.VAN_THU, agency=w.so, full_name="Lê Thị Mỹ Linh")


@pytest.fixture
def keys(settings: Any, test_pki: LocalPki, w: OneStopWorld, so_clerk: User) -> KeySet:
    return register_test_keys(settings, test_pki, agency=w.so)


def _with_result(w: OneStopWorld) -> tuple[Dossier, ResultFile]:
    d, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    dossier_act(
        actor=w.specialist,
        code=d.code,
        action=Action.ATTACH_RESULT,
        data=ActionInput(files=[upload(w.specialist, "quyet-dinh.pdf", official_document())]),
        now=local(2026, 12, 8, 10),
    )
    return Dossier.objects.get(pk=d.pk), ResultFile.objects.get(dossier=d)


def test_the_resolving_agencys_clerk_seals_the_result(
    w: OneStopWorld, keys: KeySet, so_clerk: User
) -> None:
    # given a dossier in processing with a result attached by the specialist
    d, result = _with_result(w)
    unsigned = result.file
    # when the clerk of the resolving agency signs it with the agency key
    row = dossier_result_sign(
        actor=so_clerk, code=d.code, result_id=result.pk, key=keys.seal, pin="123456"
    )
    # then the result is now the signed file, and the original is kept
    assert row.file_id != unsigned.pk
    signed = read_file_bytes(row.file)
    assert signed.startswith(read_file_bytes(unsigned))
    report = pdf_check(data=signed)
    assert report["verdict"] == "valid"
    assert report["signatures"][0]["signer"] == "Sở Nội vụ"
    # and the history and the audit trail say so
    assert Activity.objects.filter(dossier=d, action="sign-result").count() == 1
    event = AuditEvent.objects.get(action="dossiers.dossier.sign_result")
    assert event.changes["file"] == [unsigned.pk, row.file_id]


def test_a_wrong_pin_changes_nothing(w: OneStopWorld, keys: KeySet, so_clerk: User) -> None:
    d, result = _with_result(w)
    with pytest.raises(ValidationError):
        dossier_result_sign(
            actor=so_clerk, code=d.code, result_id=result.pk, key=keys.seal, pin="111111"
        )
    result.refresh_from_db()
    assert result.file_id == ResultFile.objects.get(pk=result.pk).file_id
    assert not Activity.objects.filter(dossier=d, action="sign-result").exists()
    assert not AuditEvent.objects.filter(action="dossiers.dossier.sign_result").exists()


def test_others_may_not_sign_the_result(w: OneStopWorld, keys: KeySet) -> None:
    d, result = _with_result(w)
    for outsider in (w.other_commune_counter, w.other_specialist, w.commune_leader):
        with pytest.raises(PermissionDenied):
            dossier_result_sign(
                actor=outsider, code=d.code, result_id=result.pk, key=keys.seal, pin="123456"
            )


def test_a_returned_result_is_not_signed_any_more(
    w: OneStopWorld, keys: KeySet, so_clerk: User
) -> None:
    d, result = _with_result(w)
    Dossier.objects.filter(pk=d.pk).update(status=Status.RETURNED)
    with pytest.raises(PermissionDenied):
        dossier_result_sign(
            actor=so_clerk, code=d.code, result_id=result.pk, key=keys.seal, pin="123456"
        )


def test_the_receipt_is_sealed_when_the_server_holds_the_key(
    settings: Any, test_pki: LocalPki, w: OneStopWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the Service Center's seal key, whose PIN the server holds in its environment
    register_test_keys(settings, test_pki, agency=w.center, seal_pin_env=SEAL_PIN_ENV)
    monkeypatch.setenv(SEAL_PIN_ENV, test_pki.pin)
    d, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    # when Mẫu 01 is printed
    pdf = render_form(d, "mau-01")
    # then it carries the agency's valid signature and the seal was audited
    report = pdf_check(data=pdf)
    assert report["verdict"] == "valid", report
    assert AuditEvent.objects.filter(action="signatures.form.seal").count() == 1


def test_without_the_pin_the_receipt_is_printed_unsigned(
    settings: Any, test_pki: LocalPki, w: OneStopWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_test_keys(settings, test_pki, agency=w.center, seal_pin_env=SEAL_PIN_ENV)
    monkeypatch.delenv(SEAL_PIN_ENV, raising=False)
    d, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    pdf = render_form(d, "mau-01")
    assert pdf.startswith(b"%PDF") and b"/ByteRange" not in pdf
    assert pdf_check(data=pdf)["verdict"] == "unsigned"
