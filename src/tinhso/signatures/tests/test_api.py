"""/api/v1/signatures/: validate (anyone, multipart), trust roots (provincial administrator),
the caller's keys, signing a stored PDF, the report of a stored file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tinhso.accounts.models import Role, User
from tinhso.files.services import file_store
from tinhso.organizations.models import Agency
from tinhso.signatures.models import TrustRoot
from tinhso.signatures.services import file_sign, read_file_bytes
from tinhso.signatures.tests.certs import certificate_pem
from tinhso.signatures.tests.pdfs import encrypted, official_document
from tinhso.testing.factories import make_agency, official
from tinhso.testing.signing import LocalPki
from tinhso.testing.signing_db import KeySet, register_test_keys

pytestmark = pytest.mark.django_db

VALIDATE = "/api/v1/signatures/validate"
ROOTS = "/api/v1/signatures/trust-roots/"


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agency() -> Agency:
    return make_agency(code="H57.02", name="Sở Nội vụ")


@pytest.fixture
def clerk(agency: Agency) -> User:
    return official(Role.VAN_THU, agency=agency, full_name="Lê Thị Mỹ Linh")


@pytest.fixture
def leader(agency: Agency) -> User:
    return official(Role.LANH_DAO, agency=agency, full_name="Hoàng Thị Thanh Tâm")


@pytest.fixture
def keys(settings: Any, test_pki: LocalPki, agency: Agency, leader: User, clerk: User) -> KeySet:
    return register_test_keys(settings, test_pki, agency=agency, leader=leader, clerk=clerk)


def _signed_by_agency(keys: KeySet, clerk: User) -> bytes:
    stored = file_store(
        actor=clerk,
        upload=SimpleUploadedFile("ket-qua.pdf", official_document(), "application/pdf"),
    )
    return read_file_bytes(file_sign(actor=clerk, file=stored, key=keys.seal, pin="123456").result)


def _client(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _validate(data: bytes, name: str = "giay-tiep-nhan.pdf", **fields: str) -> Any:
    return _client().post(
        VALIDATE, {"file": SimpleUploadedFile(name, data), **fields}, format="multipart"
    )


def test_anyone_checks_a_signed_receipt(keys: KeySet, clerk: User) -> None:
    # given a result sealed by the agency
    signed = _signed_by_agency(keys, clerk)
    # when anyone posts it, without signing in
    response = _validate(signed, agency_code="H57.02")
    # then the answer has the contract's fields
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["verdict"] == "valid"
    (signature,) = body["signatures"]
    assert set(signature) >= {
        "field", "signer", "agency_code", "signed_at", "level", "verdict", "intact", "trusted",
        "modified_after_signing", "reasons",
    }  # fmt: skip
    assert signature["signer"] == "Sở Nội vụ"
    assert signature["agency_code"] == "H57.02"
    assert signature["level"] == "B-T" and signature["intact"] and signature["trusted"]
    assert signature["modified_after_signing"] is False


def test_another_agency_claiming_the_document_is_told_it_does_not_match(
    keys: KeySet, clerk: User
) -> None:
    body = _validate(_signed_by_agency(keys, clerk), agency_code="H57.05").json()
    assert body["verdict"] != "valid"
    codes = {r["code"] for r in body["signatures"][0]["reasons"]}
    assert any("agency" in code for code in codes), codes


def test_a_tampered_copy_is_invalid(keys: KeySet, clerk: User) -> None:
    signed = bytearray(_signed_by_agency(keys, clerk))
    position = signed.index(b"/Contents", 200) - 60  # inside the signed range, before the sig
    signed[position] = signed[position] ^ 0x01
    body = _validate(bytes(signed)).json()
    assert body["verdict"] == "invalid"
    assert body["signatures"][0]["intact"] is False


def test_validation_time_is_a_parameter(keys: KeySet, clerk: User) -> None:
    signed = _signed_by_agency(keys, clerk)
    # as of long before the certificates existed, the signature cannot be trusted
    body = _validate(signed, at="2001-01-01T00:00:00+07:00").json()
    assert body["verdict"] in {"invalid", "indeterminate"}
    assert dt.datetime.fromisoformat(body["valid_at"]) == dt.datetime(
        2001, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7))
    )


def test_a_signature_under_an_untrusted_root_is_not_valid(keys: KeySet, clerk: User) -> None:
    signed = _signed_by_agency(keys, clerk)
    TrustRoot.objects.update(enabled=False)
    body = _validate(signed).json()
    assert body["verdict"] == "indeterminate"
    assert body["signatures"][0]["trusted"] is False


def test_an_unsigned_pdf_is_reported_unsigned() -> None:
    body = _validate(official_document()).json()
    assert body == {**body, "verdict": "unsigned", "signatures": []}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "file", "PDF"),
        (b"", "file", ""),
        (encrypted(), "file", "mã hóa"),
    ],
)
def test_files_that_are_not_checkable_get_400(data: bytes, field: str, message: str) -> None:
    response = _validate(data, name="x.pdf")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and field in body["errors"]
    assert message in " ".join(body["errors"][field])


def test_a_malformed_moment_gets_400() -> None:
    response = _validate(official_document(), at="hôm qua")
    assert response.status_code == 400
    assert "ISO 8601" in response.json()["errors"]["at"][0]


def test_no_file_gets_400() -> None:
    response = _client().post(VALIDATE, {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_the_public_check_is_rate_limited(settings: Any) -> None:
    settings.TINHSO_PUBLIC_VALIDATION_PER_MINUTE = 2
    codes = [_validate(official_document()).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_provincial_administrator_adds_a_trust_root() -> None:
    admin = official(Role.QUAN_TRI_TINH)
    response = _client(admin).post(ROOTS, {"pem": certificate_pem("Gốc mới")}, format="json")
    assert response.status_code == 201, response.content
    assert "Gốc mới" in response.json()["subject"]
    listed = _client(admin).get(ROOTS).json()
    assert [r["subject"] for r in listed] == [response.json()["subject"]]
    root_id = response.json()["id"]
    patched = _client(admin).patch(f"{ROOTS}{root_id}/", {"enabled": False}, format="json")
    assert patched.status_code == 200 and patched.json()["enabled"] is False


def test_trust_roots_are_the_provincial_administrators_alone(clerk: User) -> None:
    assert _client(clerk).post(ROOTS, {"pem": certificate_pem()}, format="json").status_code == 403
    assert _client(clerk).get(ROOTS).status_code == 403
    assert _client().get(ROOTS).status_code == 401
    assert not TrustRoot.objects.exists()


def test_a_bad_pem_gets_400_with_a_message() -> None:
    admin = official(Role.QUAN_TRI_TINH)
    response = _client(admin).post(ROOTS, {"pem": "xin chào"}, format="json")
    assert response.status_code == 400
    assert "Không đọc được chứng thư số" in response.json()["errors"]["pem"][0]


def test_keys_lists_what_the_caller_may_sign_with(keys: KeySet, clerk: User, leader: User) -> None:
    clerk_keys = {k["kind"] for k in _client(clerk).get("/api/v1/signatures/keys/").json()}
    leader_keys = [k["label"] for k in _client(leader).get("/api/v1/signatures/keys/").json()]
    assert clerk_keys == {"agency", "personal"}
    assert leader_keys == ["Hoàng Thị Thanh Tâm"]


def test_sign_through_the_api_and_read_the_report(keys: KeySet, leader: User) -> None:
    client = _client(leader)
    uploaded = client.post(
        "/api/v1/files/",
        {"file": SimpleUploadedFile("to-trinh.pdf", official_document())},
        format="multipart",
    ).json()
    assert keys.leader is not None
    response = client.post(
        "/api/v1/signatures/sign/",
        {"file": uploaded["id"], "key": keys.leader.pk, "pin": "123456"},
        format="json",
    )
    assert response.status_code == 201, response.content
    signed_id = response.json()["file"]
    assert signed_id != uploaded["id"]
    report = client.get(f"/api/v1/signatures/files/{signed_id}/").json()
    assert report["verdict"] == "valid"
    assert report["signatures"][0]["signer"] == "Hoàng Thị Thanh Tâm"


def test_signing_with_a_wrong_pin_gets_400_naming_the_pin(keys: KeySet, leader: User) -> None:
    client = _client(leader)
    uploaded = client.post(
        "/api/v1/files/",
        {"file": SimpleUploadedFile("to-trinh.pdf", official_document())},
        format="multipart",
    ).json()
    assert keys.leader is not None
    response = client.post(
        "/api/v1/signatures/sign/",
        {"file": uploaded["id"], "key": keys.leader.pk, "pin": "999999"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["pin"] == ["Mã PIN không đúng."]


def test_signing_with_a_key_of_someone_else_is_404(keys: KeySet, clerk: User) -> None:
    other = official(Role.VAN_THU, agency=make_agency(code="H57.90.02"))
    client = _client(other)
    uploaded = client.post(
        "/api/v1/files/",
        {"file": SimpleUploadedFile("a.pdf", official_document())},
        format="multipart",
    ).json()
    response = client.post(
        "/api/v1/signatures/sign/",
        {"file": uploaded["id"], "key": keys.seal.pk, "pin": "123456"},
        format="json",
    )
    assert response.status_code == 404


def test_at_accepts_a_date_alone(keys: KeySet, clerk: User) -> None:
    signed = _signed_by_agency(keys, clerk)
    body = _validate(signed, at="2026-11-20").json()
    # the start of that day in Vietnam time
    assert dt.datetime.fromisoformat(body["valid_at"]) == dt.datetime(
        2026, 11, 19, 17, 0, tzinfo=dt.UTC
    )
