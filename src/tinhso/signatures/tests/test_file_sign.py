"""Signing a stored PDF through the service: a key on the SoftHSM2 token, the PIN, the OTP of
officials with two-factor, the timestamp from the local TSA, an incremental update stored as a
new file, a record and an audit row; and what is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.accounts.models import Role, User
from tinhso.audit.models import AuditEvent
from tinhso.files.models import StoredFile
from tinhso.files.services import file_store
from tinhso.organizations.models import Agency
from tinhso.signatures.models import SignatureRecord, SigningKey, ValidationReport
from tinhso.signatures.services import file_sign, pdf_check, read_file_bytes
from tinhso.signatures.tests.pdfs import official_document
from tinhso.testing.factories import make_agency, official
from tinhso.testing.signing import LocalPki
from tinhso.testing.signing_db import KeySet, register_test_keys

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def agency() -> Agency:
    return make_agency(code="H57.02", name="Sở Nội vụ")


@pytest.fixture
def leader(agency: Agency) -> User:
    return official(Role.LANH_DAO, agency=agency, full_name="Hoàng Thị Thanh Tâm")


@pytest.fixture
def clerk(agency: Agency) -> User:
    return official(Role.VAN_THU, agency=agency, full_name="Lê Thị Mỹ Linh")


@pytest.fixture
def keys(settings: Any, test_pki: LocalPki, agency: Agency, leader: User, clerk: User) -> KeySet:
    return register_test_keys(settings, test_pki, agency=agency, leader=leader, clerk=clerk)


def _leader(keys: KeySet) -> SigningKey:
    assert keys.leader is not None
    return keys.leader


def _store(user: User, data: bytes, name: str = "van-ban.pdf") -> StoredFile:
    return file_store(actor=user, upload=SimpleUploadedFile(name, data, "application/pdf"))


def test_the_leader_signs_then_the_clerk_seals_last(
    keys: KeySet, leader: User, clerk: User
) -> None:
    # given an approved document with the leader's name under the title
    original = _store(leader, official_document())
    # when the leader signs with the personal key, then the clerk with the agency key
    first = file_sign(actor=leader, file=original, key=_leader(keys), pin="123456")
    second = file_sign(actor=clerk, file=first.result, key=keys.seal, pin="123456")
    # then each signature is an incremental update of the file before it
    before = read_file_bytes(original)
    middle = read_file_bytes(first.result)
    after = read_file_bytes(second.result)
    assert middle.startswith(before) and after.startswith(middle)
    assert first.level == second.level == "B-T"
    # and both signatures validate against the trust list, the agency's last
    report = pdf_check(data=after, expected_agency_code="H57.02")
    assert report["verdict"] == "valid", report
    signatures = report["signatures"]
    assert [s["signer"] for s in signatures] == ["Hoàng Thị Thanh Tâm", "Sở Nội vụ"]
    assert all(s["level"] == "B-T" and s["agency_code"] == "H57.02" for s in signatures)
    # and each signature has its record and its audit row
    assert SignatureRecord.objects.count() == 2
    events = AuditEvent.objects.filter(action="signatures.file.sign").order_by("seq")
    assert [e.changes["source_sha256"] for e in events] == [original.sha256, first.result.sha256]


def test_a_wrong_pin_is_refused_and_nothing_is_stored(keys: KeySet, leader: User) -> None:
    original = _store(leader, official_document())
    files_before = StoredFile.objects.count()
    with pytest.raises(ValidationError) as refused:
        file_sign(actor=leader, file=original, key=_leader(keys), pin="000000")
    assert refused.value.message_dict["pin"] == ["Mã PIN không đúng."]
    assert "000000" not in str(refused.value)
    assert StoredFile.objects.count() == files_before
    assert not SignatureRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="signatures.file.sign").exists()


def test_nobody_signs_with_someone_elses_key(keys: KeySet, leader: User, clerk: User) -> None:
    original = _store(leader, official_document())
    assert keys.leader is not None
    with pytest.raises(PermissionDenied):
        file_sign(actor=clerk, file=original, key=_leader(keys), pin="123456")
    specialist = official(Role.CHUYEN_VIEN, agency=keys.seal.agency)
    with pytest.raises(PermissionDenied):
        file_sign(actor=specialist, file=original, key=keys.seal, pin="123456")
    assert not SignatureRecord.objects.exists()


def test_an_official_with_two_factor_confirms_with_the_otp(keys: KeySet, leader: User) -> None:
    # given the leader has a confirmed authenticator
    device = TOTPDevice.objects.create(user=leader, name="default", confirmed=True)
    original = _store(leader, official_document())
    # when the OTP is missing or wrong
    for otp, message in (("", "Nhập mã xác thực"), ("000000", "không đúng")):
        with pytest.raises(ValidationError) as refused:
            file_sign(actor=leader, file=original, key=_leader(keys), pin="123456", otp=otp)
        assert message in refused.value.message_dict["otp"][0]
    # then with the right code it signs (once the throttle of the wrong try has passed)
    device.refresh_from_db()
    device.throttle_reset()
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    record = file_sign(actor=leader, file=original, key=_leader(keys), pin="123456", otp=code)
    assert record.result.sha256 != original.sha256


def test_only_pdf_files_are_signed(keys: KeySet, clerk: User) -> None:
    from tinhso.files.tests.samples import png

    picture = file_store(actor=clerk, upload=SimpleUploadedFile("anh.png", png(), "image/png"))
    with pytest.raises(ValidationError, match="Chỉ ký số được tệp PDF"):
        file_sign(actor=clerk, file=picture, key=keys.seal, pin="123456")


def test_a_signed_upload_is_checked_in_the_background(
    keys: KeySet, leader: User, django_capture_on_commit_callbacks: Any
) -> None:
    # given a PDF signed elsewhere by the agency
    original = _store(leader, official_document())
    signed = read_file_bytes(
        file_sign(actor=leader, file=original, key=_leader(keys), pin="123456").result
    )
    ValidationReport.objects.all().delete()
    # when it is uploaded again (another agency receives it)
    other = official(Role.VAN_THU, agency=make_agency(code="H57.90.01"))
    with django_capture_on_commit_callbacks(execute=True):
        received = _store(other, signed + b"\n", name="nhan-duoc.pdf")
    # then its signatures were checked after the commit (Huey runs immediately in tests)
    report = ValidationReport.objects.get(file=received)
    assert report.verdict == "valid" and report.signature_count == 1


def test_an_unsigned_upload_gets_no_report_row(keys: KeySet, leader: User) -> None:
    stored = _store(leader, official_document())
    assert not ValidationReport.objects.filter(file=stored).exists()
    assert pdf_check(data=read_file_bytes(stored))["verdict"] == "unsigned"


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_records_kept_long_term_are_signed_with_revocation_data(
    keys: KeySet, clerk: User, level: str
) -> None:
    # given the agency's seal and the local OCSP responder and CRLs of the PKI
    original = _store(clerk, official_document())
    # when the clerk signs at a long-term level
    record = file_sign(actor=clerk, file=original, key=keys.seal, pin="123456", level=level)
    # then the report says the level and the signature is valid
    report = pdf_check(data=read_file_bytes(record.result))
    assert report["verdict"] == "valid", report
    assert report["signatures"][0]["level"] == level
    assert record.level == level


def test_an_explicit_timestamped_level_without_a_tsa_is_refused(
    keys: KeySet, clerk: User, settings: Any
) -> None:
    settings.TINHSO_TSA_URL = ""
    settings.TINHSO_PKI_DIR = "/nonexistent"
    original = _store(clerk, official_document())
    with pytest.raises(ValidationError, match="Chưa cấu hình dịch vụ cấp dấu thời gian"):
        file_sign(actor=clerk, file=original, key=keys.seal, pin="123456", level="B-T")
    # the default level falls back to B-B and says so in the record
    record = file_sign(actor=clerk, file=original, key=keys.seal, pin="123456")
    assert record.level == "B-B"
