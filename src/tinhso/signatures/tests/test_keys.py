"""Signing keys: a PKCS#11 key on SoftHSM2 signs a real PAdES signature through pyHanko,
timestamped by the local TSA and checked against the test root with OCSP and CRLs; PINs are
checked and never shown; PKCS#12 files; the agency code in a certificate."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers import Signer
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pypdf import PdfWriter

from tinhso.signatures.identifiers import agency_code_of
from tinhso.signatures.keys import (
    KeyNotFound,
    KeyRef,
    TokenUnavailable,
    WrongPin,
    open_signer,
)
from tinhso.signatures.pki import Party, pkcs12_party_issue
from tinhso.testing.signing import SNV_CODE, SNV_NAME, LocalPki

WRONG_PIN = "975310"


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _sign(signer: Signer, timestamper: TimeStamper | None = None) -> bytes:
    output = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(_blank_pdf())),
        signers.PdfSignatureMetadata(field_name="ChuKy1", subfilter=fields.SigSeedSubFilter.PADES),
        signer=signer,
        timestamper=timestamper,
    )
    data: bytes = output.getvalue()
    return data


def _revocation_policy(rule: RevocationCheckingRule) -> CertRevTrustPolicy:
    return CertRevTrustPolicy(
        RevocationCheckingPolicy(ee_certificate_rule=rule, intermediate_ca_cert_rule=rule)
    )


def _validate(
    data: bytes, context: ValidationContext, ts_context: ValidationContext | None = None
) -> PdfSignatureStatus:
    (signature,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    return validate_pdf_signature(
        signature, signer_validation_context=context, ts_validation_context=ts_context
    )


# --- PKCS#11 through pyHanko -----------------------------------------------------------------


def test_a_b_t_signature_made_on_the_token_validates_with_the_tsa_and_ocsp(
    test_pki: LocalPki,
) -> None:
    # given
    policy = _revocation_policy(RevocationCheckingRule.OCSP_REQUIRED)
    context = test_pki.validation_context(revinfo_policy=policy)
    ts_context = test_pki.validation_context(revinfo_policy=policy)
    # when
    with test_pki.signer(LocalPki.LEADER) as signer:
        data = _sign(signer, test_pki.timestamper())
    status = _validate(data, context, ts_context)
    # then
    assert status.bottom_line, status.pretty_print_details()  # type: ignore[no-untyped-call]
    assert status.intact and status.valid and status.trusted and not status.revoked
    assert status.signing_cert.dump() == test_pki.certificate(LocalPki.LEADER).dump()
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert (
        status.timestamp_validity.signing_cert.dump() == test_pki.manifest.certificate("tsa").dump()
    )
    assert context.ocsps, "the signer's status came from the local OCSP responder"


def test_a_b_t_signature_validates_with_crls_fetched_from_the_local_server(
    test_pki: LocalPki,
) -> None:
    # given
    context = test_pki.validation_context(
        revinfo_policy=_revocation_policy(RevocationCheckingRule.CRL_REQUIRED)
    )
    # when
    with test_pki.signer(LocalPki.AGENCY) as signer:
        data = _sign(signer, test_pki.timestamper())
    status = _validate(data, context)
    # then
    assert status.bottom_line, status.pretty_print_details()  # type: ignore[no-untyped-call]
    assert len(context.crls) >= 2, "the CRLs of the intermediate and of the root"


def test_a_signer_revoked_after_signing_is_reported_revoked_by_ocsp(test_pki: LocalPki) -> None:
    # given
    party = test_pki.add_party(
        Party("person:revoked-signer", "person", "Phạm Văn Bị Thu", SNV_CODE, SNV_NAME)
    )
    with test_pki.signer(party.key) as signer:
        data = _sign(signer, test_pki.timestamper())
    # when
    test_pki.revoke(party.key, reason="key_compromise")
    status = _validate(
        data,
        test_pki.validation_context(
            revinfo_policy=_revocation_policy(RevocationCheckingRule.OCSP_REQUIRED)
        ),
    )
    # then
    assert status.intact and status.revoked and not status.bottom_line


def test_the_signer_reads_its_certificate_from_the_token_when_none_is_given(
    test_pki: LocalPki,
) -> None:
    # given
    ref = test_pki.key_ref(LocalPki.CLERK)
    # when
    with open_signer(ref, pin=test_pki.pin, chain=test_pki.chain()) as signer:
        certificate = signer.signing_cert
        assert certificate is not None
        signature = asyncio.run(signer.async_sign_raw(b"ban sao dien tu", "sha256"))
    # then
    assert certificate.dump() == test_pki.certificate(LocalPki.CLERK).dump()
    assert len(signature) == 256


def test_two_threads_sign_with_the_same_token_at_once(test_pki: LocalPki) -> None:
    # given
    context = ValidationContext(trust_roots=[test_pki.root])

    def sign_one(party: str) -> bytes:
        with test_pki.signer(party) as signer:
            return _sign(signer)

    # when
    with ThreadPoolExecutor(max_workers=2) as pool:
        signed = list(pool.map(sign_one, [LocalPki.LEADER, LocalPki.CLERK] * 4))
    # then
    assert all(_validate(data, context).bottom_line for data in signed)
    # Everyone logged out: the token itself checks the PIN again.
    with pytest.raises(WrongPin), test_pki.signer(LocalPki.LEADER, pin=WRONG_PIN):
        pass


# --- PINs --------------------------------------------------------------------------------------


def test_a_wrong_pin_is_refused_and_never_shown(
    test_pki: LocalPki, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    caplog.set_level(logging.DEBUG)
    # when
    with pytest.raises(WrongPin) as raised, test_pki.signer(LocalPki.LEADER, pin=WRONG_PIN):
        pass
    # then
    error = raised.value
    assert error.code == "wrong_pin" and error.message == "Mã PIN không đúng."
    shown = " ".join([str(error), repr(error), caplog.text, repr(error.__cause__)])
    assert WRONG_PIN not in shown and test_pki.pin not in shown
    assert error.__cause__ is None and error.__suppress_context__


def test_a_wrong_pin_is_refused_while_another_signer_keeps_the_token_logged_in(
    test_pki: LocalPki,
) -> None:
    # given
    with test_pki.signer(LocalPki.AGENCY) as first:
        # when
        with pytest.raises(WrongPin), test_pki.signer(LocalPki.LEADER, pin=WRONG_PIN):
            pass
        with test_pki.signer(LocalPki.LEADER) as second:
            signature = asyncio.run(second.async_sign_raw(b"x", "sha256"))
        # then
        assert asyncio.run(first.async_sign_raw(b"y", "sha256")) != signature


def test_an_absent_token_or_module_is_token_unavailable(test_pki: LocalPki) -> None:
    # given
    ref = test_pki.key_ref(LocalPki.LEADER)
    no_token = KeyRef(**{**ref.as_dict(), "token_label": "khong-co-token"})  # type: ignore[arg-type]
    no_module = KeyRef(**{**ref.as_dict(), "module": "/khong/co/libpkcs11.so"})  # type: ignore[arg-type]
    # when / then
    for absent in (no_token, no_module):
        with pytest.raises(TokenUnavailable) as raised, open_signer(absent, pin=test_pki.pin):
            pass
        assert raised.value.code == "token_unavailable" and test_pki.pin not in str(raised.value)


def test_a_key_missing_from_the_token_is_key_not_found(test_pki: LocalPki) -> None:
    # given
    ref = test_pki.key_ref(LocalPki.LEADER)
    missing = KeyRef(**{**ref.as_dict(), "key_id": "00" * 16, "key_label": "khong-co"})  # type: ignore[arg-type]
    # when / then
    with pytest.raises(KeyNotFound), open_signer(missing, pin=test_pki.pin):
        pass


# --- PKCS#12 ------------------------------------------------------------------------------------


def test_a_pkcs12_key_signs_and_a_wrong_passphrase_is_a_wrong_pin(test_pki: LocalPki) -> None:
    # given
    record = pkcs12_party_issue(
        test_pki.manifest,
        Party("person:p12", "person", "Võ Thị Tệp", SNV_CODE, SNV_NAME),
        passphrase="mat-khau-tep",
        now=dt.datetime.now(dt.UTC),
    )
    ref = test_pki.manifest.key_ref(record.key)
    # when
    with open_signer(ref, pin="mat-khau-tep", chain=test_pki.chain()) as signer:
        data = _sign(signer, test_pki.timestamper())
    # then
    assert ref.storage == "pkcs12" and (Path(ref.path).stat().st_mode & 0o777) == 0o600
    assert _validate(data, ValidationContext(trust_roots=[test_pki.root])).bottom_line
    with pytest.raises(WrongPin), open_signer(ref, pin="sai-mat-khau"):
        pass
    absent = KeyRef(storage="pkcs12", path=ref.path + ".khong-co")
    with pytest.raises(TokenUnavailable), open_signer(absent, pin="x"):
        pass


# --- KeyRef ---------------------------------------------------------------------------------------


def test_a_key_ref_round_trips_through_json_and_refuses_incomplete_values(
    test_pki: LocalPki,
) -> None:
    # given
    ref = test_pki.key_ref(LocalPki.LEADER)
    # when
    again = KeyRef.from_dict(ref.as_dict())
    # then
    assert again == ref and ref.as_dict()["storage"] == "pkcs11"
    for bad in (
        {"storage": "pkcs11", "module": "/x.so"},
        {"storage": "pkcs12"},
        {"storage": "usb"},
        {"storage": "pkcs11", "module": "/x.so", "token_label": "t", "key_id": "zz"},
    ):
        with pytest.raises(ValueError):
            KeyRef.from_dict(bad)


# --- Agency code ------------------------------------------------------------------------------------


def _certificate(*attributes: x509.NameAttribute[str]) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([*attributes, x509.NameAttribute(NameOID.COMMON_NAME, "Người ký")])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ([x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, "H57.02")], "H57.02"),
        ([x509.NameAttribute(NameOID.USER_ID, "MDD:H57.19753")], "H57.19753"),
        ([x509.NameAttribute(NameOID.USER_ID, "MĐĐ: H57.01")], "H57.01"),
        ([x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, "NTRVN-H57.13")], "H57.13"),
        (
            [
                x509.NameAttribute(NameOID.USER_ID, "MST:0101234567"),
                x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, "H57.05"),
            ],
            "H57.05",
        ),
        ([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sở Nội vụ")], None),
    ],
)
def test_the_agency_code_comes_from_organization_identifier_then_uid(
    attributes: list[x509.NameAttribute[str]], expected: str | None
) -> None:
    # given
    certificate = _certificate(*attributes)
    as_asn1 = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    # when
    codes = (agency_code_of(certificate), agency_code_of(as_asn1))
    # then
    assert codes == (expected, expected)


def test_the_test_pkis_certificates_carry_their_agency_code(test_pki: LocalPki) -> None:
    # when
    codes = {agency_code_of(test_pki.certificate(key)) for key in [p.key for p in LocalPki.PARTIES]}
    # then
    assert codes == {SNV_CODE}
