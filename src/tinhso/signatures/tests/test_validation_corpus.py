"""The pyHanko signature corpus (tests/data/pyhanko, a copy of ../shared/testdata): every
verdict of data/EXPECTED_VERDICTS.md, as of 2020-11-01 (the "Alice" certificate is valid
2020-01-01 … 2022-01-01), trust root = testing-ca/root.cert.pem."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from tinhso.signatures.sandbox import validate_pdf_isolated
from tinhso.signatures.validation import SignatureReport, ValidationResult, validate_pdf

DATA = Path(__file__).parent / "data" / "pyhanko"
ROOT = (DATA / "testing-ca" / "root.cert.pem").read_bytes()
PINNED = dt.datetime(2020, 11, 1, tzinfo=dt.UTC)


def check(
    name: str, *, at: dt.datetime | None = PINNED, roots: list[bytes] | None = None
) -> ValidationResult:
    data = (DATA / name).read_bytes()
    return validate_pdf(data, trust_roots=roots or [ROOT], at=at)


def codes(report: SignatureReport) -> dict[str, str]:
    return {r.code: r.severity for r in report.reasons}


def only(result: ValidationResult) -> SignatureReport:
    (signature,) = result.signatures
    return signature


# --- valid ---------------------------------------------------------------------------------


def test_signer_identified_by_subject_key_identifier_is_valid() -> None:
    result = check("sig-with-ski-sid.pdf")
    signature = only(result)
    assert result.verdict == "valid"
    assert signature.signer == "Alice"
    assert signature.intact and signature.trusted
    assert signature.coverage == "entire_file"
    assert not signature.modified_after_signing


def test_the_same_file_checked_today_is_indeterminate() -> None:
    # Alice's certificate expired on 2022-01-01 and no timestamp proves an earlier signature.
    result = check("sig-with-ski-sid.pdf", at=None)
    assert result.verdict == "indeterminate"
    assert codes(only(result))["cert_expired"] == "indeterminate"


def test_a_signature_without_signed_attributes_is_valid_but_not_pades() -> None:
    result = check("sig-no-signed-attrs.pdf")
    signature = only(result)
    assert result.verdict == "valid"
    assert signature.level is None
    assert codes(signature)["not_pades"] == "info"


def test_an_old_style_signing_certificate_attribute_is_valid_and_trusted() -> None:
    result = check("pades-with-old-style-signing-cert-attr.pdf")
    assert result.verdict == "valid"
    assert only(result).trusted


def test_a_certification_signature_is_valid() -> None:
    result = check("certified-with-indirect-refs-in-dir.pdf")
    signature = only(result)
    assert result.verdict == "valid"
    assert signature.certification
    assert signature.signer == "Lord Testerino"


def test_a_document_timestamp_is_checked_as_a_timestamp_not_as_a_signature() -> None:
    result = check("pades-lta-dss-indirect-arrs-test.pdf")
    signature = only(result)
    (timestamp,) = result.document_timestamps
    assert result.verdict == "valid"
    assert signature.field == "Sig1"
    assert signature.level == "B-LTA"
    assert signature.revocation_checked
    assert signature.signed_at_source == "timestamp"
    assert timestamp.verdict == "valid" and timestamp.trusted
    assert timestamp.authority == "Time Stamping Authority"


def test_two_adobe_signatures_are_sound_and_trusted_once_their_certificate_is() -> None:
    # given Adobe Reader's self-signed certificate: not in the corpus' trust list
    name = "minimal-two-fields-signed-twice.pdf"
    reader = PdfFileReader(io.BytesIO((DATA / name).read_bytes()))
    self_signed = reader.embedded_signatures[0].signer_cert.dump()

    # when
    untrusted = check(name)
    trusted = check(name, roots=[ROOT, self_signed])

    # then both signatures are intact either way; trust follows the list
    first, second = untrusted.signatures
    assert untrusted.verdict == "indeterminate"
    assert all(s.intact and not s.modified_after_signing for s in (first, second))
    assert codes(first)["self_signed"] == "indeterminate"
    assert first.modification_level == "form_filling"
    assert trusted.verdict == "valid"
    assert [s.verdict for s in trusted.signatures] == ["valid", "valid"]


@pytest.mark.parametrize(
    "name", ["form-update-override-appearance-stream.pdf", "form-update-original-ap-type-wrong.pdf"]
)
def test_form_filling_after_signing_is_allowed(name: str) -> None:
    result = check(name)
    first = result.signatures[0]
    assert result.verdict == "valid"
    assert first.verdict == "valid"
    assert first.modification_level == "form_filling"
    assert not first.modified_after_signing


# --- invalid -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "form-update-ap-indirect-sneaky-trailer.pdf",
        "form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf",
        "form-update-override-appearance-stream-ap-indirect-sneaky.pdf",
        "form-update-override-appearance-stream-sneaky.pdf",
    ],
)
def test_sneaky_changes_after_signing_are_invalid(name: str) -> None:
    result = check(name)
    first = result.signatures[0]
    assert result.verdict == "invalid"
    assert first.intact
    assert first.modified_after_signing
    assert first.modification_level == "other"
    assert codes(first)["modified_after_signing"] == "invalid"


def test_an_uncovered_tail_is_invalid() -> None:
    result = check("coverage-anomalies/tail-uncovered.pdf")
    signature = only(result)
    assert result.verdict == "invalid"
    assert signature.intact
    assert signature.coverage == "contiguous_block_from_start"
    assert codes(signature)["coverage_incomplete"] == "invalid"


@pytest.mark.parametrize(
    "name",
    [
        "coverage-anomalies/signature-gap-too-big.pdf",
        "coverage-anomalies/one-byterange.pdf",
        "coverage-anomalies/weird-byterange.pdf",
    ],
)
def test_a_malformed_byte_range_is_invalid(name: str) -> None:
    result = check(name)
    signature = only(result)
    assert result.verdict == "invalid"
    assert signature.coverage == "unclear"
    assert codes(signature)["byte_range_malformed"] == "invalid"


@pytest.mark.parametrize("name", ["coverage-anomalies/base.pdf", "pdf-sig-with-econtent.pdf"])
def test_an_unparseable_or_malformed_signature_is_invalid(name: str) -> None:
    result = check(name)
    signature = only(result)
    assert result.verdict == "invalid"
    assert not signature.intact
    assert codes(signature)["malformed_signature"] == "invalid"


def test_a_disallowed_algorithm_is_refused() -> None:
    result = check("ed448-disallowed-hash.pdf")
    signature = only(result)
    assert result.verdict in ("invalid", "indeterminate")
    assert not signature.trusted
    assert "algorithm_not_allowed" in codes(signature)


def test_one_flipped_byte_breaks_the_digest() -> None:
    # given sig-with-ski-sid.pdf with the byte at offset 496 (inside the signed range) flipped
    data = bytearray((DATA / "sig-with-ski-sid.pdf").read_bytes())
    data[496] ^= 0x01

    # when
    result = validate_pdf(bytes(data), trust_roots=[ROOT], at=PINNED)

    # then
    signature = only(result)
    assert result.verdict == "invalid"
    assert not signature.intact
    assert codes(signature)["digest_mismatch"] == "invalid"


@pytest.mark.parametrize("name", ["minimal.pdf", "minimal-with-field.pdf"])
def test_no_signature_is_unsigned(name: str) -> None:
    result = check(name)
    assert result.verdict == "unsigned"
    assert result.signatures == ()


# --- every file, isolated: no crash, no hang, the same verdict -----------------------------

CORPUS = sorted(str(p.relative_to(DATA)) for p in DATA.rglob("*.pdf"))
EXPECTED: dict[str, Callable[[str], bool]] = {
    "valid": lambda verdict: verdict == "valid",
    "invalid": lambda verdict: verdict == "invalid",
    "not valid": lambda verdict: verdict in ("invalid", "indeterminate"),
    "unsigned": lambda verdict: verdict == "unsigned",
}
VERDICTS = {
    "certified-with-indirect-refs-in-dir.pdf": "valid",
    "coverage-anomalies/base.pdf": "invalid",
    "coverage-anomalies/one-byterange.pdf": "invalid",
    "coverage-anomalies/signature-gap-too-big.pdf": "invalid",
    "coverage-anomalies/tail-uncovered.pdf": "invalid",
    "coverage-anomalies/weird-byterange.pdf": "invalid",
    "ed448-disallowed-hash.pdf": "not valid",
    "form-update-ap-indirect-sneaky-trailer.pdf": "invalid",
    "form-update-no-override-appearance-stream-ap-indirect-sneaky.pdf": "invalid",
    "form-update-original-ap-type-wrong.pdf": "valid",
    "form-update-override-appearance-stream-ap-indirect-sneaky.pdf": "invalid",
    "form-update-override-appearance-stream-sneaky.pdf": "invalid",
    "form-update-override-appearance-stream.pdf": "valid",
    "minimal-two-fields-signed-twice.pdf": "not valid",  # valid once its root is trusted
    "minimal-with-field.pdf": "unsigned",
    "minimal.pdf": "unsigned",
    "pades-lta-dss-indirect-arrs-test.pdf": "valid",
    "pades-with-old-style-signing-cert-attr.pdf": "valid",
    "pdf-sig-with-econtent.pdf": "invalid",
    "sig-no-signed-attrs.pdf": "valid",
    "sig-with-ski-sid.pdf": "valid",
}


def test_every_file_of_the_corpus_has_an_expected_verdict() -> None:
    assert sorted(VERDICTS) == CORPUS


@pytest.mark.parametrize("name", CORPUS)
def test_every_file_is_checked_in_the_sandbox_within_the_limits(name: str) -> None:
    # when
    result = validate_pdf_isolated(
        (DATA / name).read_bytes(), trust_roots=[ROOT], at=PINNED, seconds=20, memory_mb=1024
    )

    # then
    assert EXPECTED[VERDICTS[name]](result.verdict), result.as_dict()
    assert not {r.code for r in result.reasons} & {"timeout", "memory_limit", "crashed"}
    assert result == check(name)
