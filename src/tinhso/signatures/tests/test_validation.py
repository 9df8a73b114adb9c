"""validate_pdf on PDFs signed here with a local CA: levels, trust, time, revocation, changes
after signing, the issuing agency, and the report itself."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pypdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from tinhso.signatures.reasons import MESSAGES, reason_message, verdict_of
from tinhso.signatures.signing import sign_pdf
from tinhso.signatures.tests.local_ca import Issued, LocalCA
from tinhso.signatures.tests.pdfs_multi import (
    AGENCY_CODE,
    add_crls,
    append_update,
    blank_pdf,
    default_ca,
    encrypted_pdf,
    next_object_number,
    sign,
)
from tinhso.signatures.validation import (
    EncryptedPdf,
    NotAPdf,
    SignatureReport,
    ValidationResult,
    agency_code_of,
    document_verdict,
    validate_pdf,
)
from tinhso.testing.signing import LocalPki

HOUR = dt.timedelta(hours=1)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def ca() -> LocalCA:
    return default_ca()


@pytest.fixture(scope="module")
def official(ca: LocalCA) -> Issued:
    return ca.issue("Nguyễn Văn An", agency_code=AGENCY_CODE)


@pytest.fixture(scope="module")
def signed_bt(ca: LocalCA, official: Issued) -> bytes:
    return sign(blank_pdf(), ca=ca, person=official, field_name="Signature1", level="B-T")


def check(
    data: bytes, ca: LocalCA, *, at: dt.datetime | None = None, agency: str | None = None
) -> ValidationResult:
    return validate_pdf(data, trust_roots=[ca.root.pem], at=at, expected_agency_code=agency)


def codes(report: SignatureReport) -> dict[str, str]:
    return {r.code: r.severity for r in report.reasons}


# --- levels, revocation data, the report ---------------------------------------------------


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT", "B-LTA"])
def test_each_pades_level_is_recognised(ca: LocalCA, official: Issued, level: str) -> None:
    # given a PDF signed at that level
    data = sign(blank_pdf(), ca=ca, person=official, field_name="Signature1", level=level)  # type: ignore[arg-type]

    # when
    result = check(data, ca)

    # then
    (signature,) = result.signatures
    assert result.verdict == "valid"
    assert signature.level == level
    assert signature.signed_at_source == ("claimed" if level == "B-B" else "timestamp")
    assert len(result.document_timestamps) == (1 if level == "B-LTA" else 0)
    if level == "B-LTA":
        assert result.document_timestamps[0].verdict == "valid"
        assert result.document_timestamps[0].trusted


def test_revocation_data_carried_by_the_file_is_checked_offline(
    ca: LocalCA, official: Issued
) -> None:
    # given a B-LT signature: the CRLs of the chain are in the DSS
    data = sign(blank_pdf(), ca=ca, person=official, field_name="Signature1", level="B-LT")

    # when
    (signature,) = check(data, ca).signatures

    # then
    assert signature.revocation_checked
    assert "revocation_unchecked" not in codes(signature)


def test_without_revocation_data_offline_is_a_marked_soft_failure(
    ca: LocalCA, signed_bt: bytes
) -> None:
    # when a B-T signature is checked offline (no OCSP/CRL in the file, no fetching)
    result = check(signed_bt, ca)

    # then it stays valid, with a warning that says it is one
    (signature,) = result.signatures
    assert result.verdict == "valid"
    assert not signature.revocation_checked
    assert codes(signature)["revocation_unchecked"] == "warning"
    reason = next(r for r in signature.reasons if r.code == "revocation_unchecked")
    assert "cảnh báo" in reason.message


def test_the_report_names_signer_agency_time_and_is_json(
    ca: LocalCA, official: Issued, signed_bt: bytes
) -> None:
    # when
    result = check(signed_bt, ca)

    # then
    (signature,) = result.signatures
    assert signature.field == "Signature1"
    assert signature.signer == "Nguyễn Văn An"
    assert signature.agency_code == AGENCY_CODE
    assert signature.certificate_sha256 == official.asn1.sha256.hex()
    assert signature.signed_at is not None
    assert abs(signature.signed_at - now()) < dt.timedelta(minutes=5)
    assert signature.intact and signature.trusted and not signature.modified_after_signing
    assert signature.coverage == "entire_file"
    report = json.loads(json.dumps(result.as_dict()))
    assert report["verdict"] == "valid"
    assert report["signature_count"] == 1
    item = report["signatures"][0]
    assert item["signed_at_source"] == "timestamp"
    assert item["level"] == "B-T"
    assert {"code", "severity", "message"} <= set(item["reasons"][0])
    assert dt.datetime.fromisoformat(report["valid_at"]) == result.valid_at


def test_later_signatures_are_allowed_changes(ca: LocalCA, official: Issued) -> None:
    # given a leader's signature, then the agency seal (Nghị định 30 Điều 14: the agency last)
    seal = ca.issue("Ủy ban nhân dân tỉnh (thử nghiệm)", agency_code=AGENCY_CODE)
    data = sign(blank_pdf(), ca=ca, person=official, field_name="Leader", level="B-T")
    data = sign(data, ca=ca, person=seal, field_name="Agency", level="B-T")

    # when
    result = check(data, ca, agency=AGENCY_CODE)

    # then
    leader, agency = result.signatures
    assert result.verdict == "valid"
    assert (leader.field, agency.field) == ("Leader", "Agency")
    assert leader.coverage == "entire_revision"
    assert leader.modification_level == "form_filling"
    assert not leader.modified_after_signing
    assert codes(leader)["later_changes_allowed"] == "info"
    assert agency.coverage == "entire_file"


# --- the issuing agency --------------------------------------------------------------------


def test_a_signature_of_another_agency_is_invalid(ca: LocalCA, signed_bt: bytes) -> None:
    # when the document is said to come from agency H57.02
    result = check(signed_bt, ca, agency="H57.02")

    # then
    (signature,) = result.signatures
    assert result.verdict == "invalid"
    assert codes(signature)["agency_mismatch"] == "invalid"
    message = next(r.message for r in signature.reasons if r.code == "agency_mismatch")
    assert "H57.01" in message and "H57.02" in message


def test_the_expected_agency_is_compared_without_case_or_spaces(
    ca: LocalCA, signed_bt: bytes
) -> None:
    assert check(signed_bt, ca, agency=" h57.01 ").verdict == "valid"


def test_without_any_certificate_of_the_agency_the_document_is_indeterminate(
    ca: LocalCA,
) -> None:
    # given a signature by a person whose certificate names no agency
    person = ca.issue("Trần Thị Bình")
    data = sign(blank_pdf(), ca=ca, person=person, field_name="Signature1", level="B-T")

    # when
    result = check(data, ca, agency=AGENCY_CODE)

    # then the signature is fine, but nothing shows the agency signed
    assert result.signatures[0].verdict == "valid"
    assert result.verdict == "indeterminate"
    assert [r.code for r in result.reasons] == ["agency_signature_missing"]


@pytest.mark.parametrize(
    ("organization_identifier", "uid", "expected"),
    [
        ("H57.01", None, "H57.01"),
        ("000.00.00.H41", None, "000.00.00.H41"),
        (None, "MDD:g06.01", "G06.01"),
        (None, "CCCD:079123456789", None),
        (None, "MST:0101234567", None),
        (None, None, None),
    ],
    ids=[
        "organization-identifier",
        "legacy-qcvn-102",
        "uid-prefix",
        "citizen-id",
        "tax-code",
        "none",
    ],
)
def test_agency_code_of_a_certificate(
    ca: LocalCA, organization_identifier: str | None, uid: str | None, expected: str | None
) -> None:
    # given
    cert = ca.issue("Người ký", agency_code=organization_identifier, uid=uid)

    # when / then
    assert agency_code_of(cert.asn1) == expected


# --- trust and integrity -------------------------------------------------------------------


def test_a_root_outside_the_trust_list_is_indeterminate(signed_bt: bytes) -> None:
    # given another CA's root as the only trusted one
    stranger = LocalCA.build(start=now() - HOUR, name="other")

    # when
    result = validate_pdf(signed_bt, trust_roots=[stranger.root.pem], at=None)

    # then
    (signature,) = result.signatures
    assert result.verdict == "indeterminate"
    assert signature.intact and not signature.trusted
    assert codes(signature)["untrusted_chain"] == "indeterminate"


def test_an_empty_trust_list_trusts_nothing(signed_bt: bytes) -> None:
    # pyHanko falls back to the operating system's roots on None; an empty list must not
    assert validate_pdf(signed_bt, trust_roots=[], at=None).verdict == "indeterminate"


def test_a_changed_byte_inside_the_signed_range_breaks_the_signature(
    ca: LocalCA, signed_bt: bytes
) -> None:
    # given the page's text changed by one byte
    offset = signed_bt.index(b"Tj")
    tampered = signed_bt[:offset] + b"TJ" + signed_bt[offset + 2 :]

    # when
    result = check(tampered, ca)

    # then
    (signature,) = result.signatures
    assert result.verdict == "invalid"
    assert not signature.intact
    assert codes(signature)["digest_mismatch"] == "invalid"


def test_page_content_replaced_after_signing_is_invalid(ca: LocalCA, signed_bt: bytes) -> None:
    # given an update that replaces the page's content stream
    reader = pypdf.PdfReader(io.BytesIO(signed_bt))
    content = reader.pages[0].raw_get("/Contents").idnum
    text = b"BT /F1 14 Tf 72 770 Td (Noi dung da bi sua) Tj ET"
    body = b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream"
    changed = append_update(signed_bt, {content: body})

    # when
    result = check(changed, ca)

    # then
    (signature,) = result.signatures
    assert result.verdict == "invalid"
    assert signature.intact
    assert signature.modified_after_signing
    assert signature.modification_level == "other"
    assert codes(signature)["modified_after_signing"] == "invalid"


def test_a_comment_added_after_signing_is_a_modification(ca: LocalCA, signed_bt: bytes) -> None:
    # given a reader's note (a /Text annotation) added to the page in a new revision
    buffer = io.BytesIO(signed_bt)
    writer = IncrementalPdfFileWriter(buffer)
    page_ref = writer.root["/Pages"].raw_get("/Kids")[0]
    page = page_ref.get_object()
    note = writer.add_object(
        generic.DictionaryObject(  # type: ignore[no-untyped-call]
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Text"),
                generic.pdf_name("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (50, 50, 70, 70)]  # type: ignore[no-untyped-call]
                ),
                generic.pdf_name("/Contents"): generic.TextStringObject("Đã xem"),
            }
        )
    )
    annotations = page.get("/Annots", generic.ArrayObject())
    page[generic.pdf_name("/Annots")] = generic.ArrayObject([*annotations, note])
    writer.update_container(page)
    writer.write_in_place()  # type: ignore[no-untyped-call]

    # when
    result = check(buffer.getvalue(), ca)

    # then pyHanko's policy allows signing and form filling only: anything else is flagged
    (signature,) = result.signatures
    assert result.verdict == "invalid"
    assert signature.intact
    assert signature.modification_level == "other"
    assert signature.modified_after_signing
    assert codes(signature)["modified_after_signing"] == "invalid"


def test_data_appended_after_the_end_of_the_pdf_is_covered_by_no_signature(
    ca: LocalCA, signed_bt: bytes
) -> None:
    # given a second format glued after %%EOF (a polyglot), which no revision contains
    changed = signed_bt + b"PK\x03\x04 a zip archive follows\n"

    # when
    result = check(changed, ca)

    # then
    (signature,) = result.signatures
    assert result.verdict == "invalid"
    assert signature.modified_after_signing
    assert codes(signature)["coverage_incomplete"] == "invalid"


def test_white_space_after_the_end_of_the_pdf_is_harmless(ca: LocalCA, signed_bt: bytes) -> None:
    assert check(signed_bt + b"\r\n\x00\x00\n", ca).verdict == "valid"


# --- time ----------------------------------------------------------------------------------


def test_a_certificate_expired_at_the_timestamp_is_invalid(ca: LocalCA) -> None:
    # given a certificate that expired an hour ago, used with a timestamp now
    expired = ca.issue("Lê Văn Cũ", agency_code=AGENCY_CODE, not_after=now() - HOUR)
    data = sign(blank_pdf(), ca=ca, person=expired, field_name="Signature1", level="B-T")

    # when
    result = check(data, ca)

    # then
    (signature,) = result.signatures
    assert result.verdict == "invalid"
    assert signature.signed_at_source == "timestamp"
    assert codes(signature)["cert_expired_at_signing"] == "invalid"


def test_expired_since_a_trusted_timestamp_is_checked_as_of_the_timestamp(
    ca: LocalCA,
) -> None:
    # given a certificate valid for one more hour, signed with a timestamp now
    short = ca.issue("Phạm Thị Hạn", agency_code=AGENCY_CODE, not_after=now() + HOUR)
    data = sign(blank_pdf(), ca=ca, person=short, field_name="Signature1", level="B-T")

    # when checked two hours later
    result = check(data, ca, at=now() + 2 * HOUR)

    # then the timestamp proves it was signed while the certificate was valid
    (signature,) = result.signatures
    assert result.verdict == "valid"
    assert codes(signature)["validated_at_timestamp"] == "info"
    assert signature.validation_time == signature.signed_at


def test_expired_since_signing_without_timestamp_is_indeterminate_unless_checked_as_of_then(
    ca: LocalCA,
) -> None:
    # given the same, without a timestamp (B-B)
    short = ca.issue("Phạm Thị Hạn", agency_code=AGENCY_CODE, not_after=now() + HOUR)
    data = sign(blank_pdf(), ca=ca, person=short, field_name="Signature1", level="B-B")

    # when checked two hours later, and as of half an hour from now (an archived document)
    later = check(data, ca, at=now() + 2 * HOUR)
    archived = check(data, ca, at=now() + HOUR / 2)

    # then
    assert later.verdict == "indeterminate"
    assert codes(later.signatures[0])["cert_expired"] == "indeterminate"
    assert archived.verdict == "valid"
    assert archived.valid_at == archived.signatures[0].validation_time


def test_a_claimed_signing_time_outside_the_certificate_is_only_reported(
    ca: LocalCA,
) -> None:
    # given a signature without timestamp by a certificate that expired an hour ago
    expired = ca.issue("Lê Văn Cũ", agency_code=AGENCY_CODE, not_after=now() - HOUR)
    data = sign(blank_pdf(), ca=ca, person=expired, field_name="Signature1", level="B-B")

    # when checked as of two hours ago, when the certificate was valid
    result = check(data, ca, at=now() - 2 * HOUR)

    # then the claim is reported but proves nothing
    (signature,) = result.signatures
    assert result.verdict == "valid"
    assert codes(signature)["claimed_time_outside_validity"] == "warning"


# --- revocation ----------------------------------------------------------------------------


def test_revoked_before_the_timestamp_is_invalid(ca: LocalCA) -> None:
    # given a signature made now by a certificate revoked an hour ago; the CRL in the DSS
    person = ca.issue("Đỗ Văn Thu", agency_code=AGENCY_CODE)
    data = sign(blank_pdf(), ca=ca, person=person, field_name="Signature1", level="B-T")
    crl = ca.crl(revoked=[(person.serial, now() - HOUR)], this_update=now() - HOUR / 2)
    data = add_crls(data, [crl, ca.crl(issuer=ca.root, this_update=now() - HOUR / 2)])

    # when
    result = check(data, ca)

    # then
    (signature,) = result.signatures
    assert result.verdict == "invalid"
    assert codes(signature)["revoked"] == "invalid"


@pytest.mark.parametrize(("level", "verdict"), [("B-T", "valid"), ("B-B", "indeterminate")])
def test_revoked_after_signing(ca: LocalCA, level: str, verdict: str) -> None:
    # given a signature made now; an hour later the certificate is revoked (CRL in the DSS)
    person = ca.issue("Đỗ Văn Thu", agency_code=AGENCY_CODE)
    data = sign(blank_pdf(), ca=ca, person=person, field_name="Signature1", level=level)  # type: ignore[arg-type]
    revoked_at = now() + HOUR
    crl = ca.crl(revoked=[(person.serial, revoked_at)], this_update=revoked_at)
    data = add_crls(data, [crl, ca.crl(issuer=ca.root, this_update=revoked_at)])

    # when checked after the revocation, and as of the signing (archive)
    later = check(data, ca, at=now() + 2 * HOUR)
    as_of_signing = check(data, ca, at=now() + dt.timedelta(minutes=1))

    # then only a timestamp proves the signature came before the revocation
    assert later.verdict == verdict
    if level == "B-B":
        assert codes(later.signatures[0])["revoked_no_poe"] == "indeterminate"
    assert as_of_signing.verdict == "valid"


class _CrlServer:
    """CRLs over HTTP on 127.0.0.1 (a random port), made on each request from `revoked`."""

    def __init__(self) -> None:
        self.revoked: list[tuple[int, dt.datetime]] = []
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                issuer = {"/crl/root.crl": server.ca.root, "/crl/intermediate.crl": None}
                if self.path not in issuer:
                    self.send_error(404)
                    return
                revoked = server.revoked if self.path.endswith("intermediate.crl") else []
                crl = server.ca.crl(
                    issuer=issuer[self.path], revoked=revoked, this_update=now() - HOUR / 4
                )
                body = crl.dump()
                self.send_response(200)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.ca = LocalCA.build(
            start=now() - 24 * HOUR,
            name="online",
            crl_base=f"http://127.0.0.1:{self.http.server_address[1]}/crl",
        )
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()


@pytest.fixture(scope="module")
def crl_server() -> Iterator[_CrlServer]:
    server = _CrlServer()
    yield server
    server.http.shutdown()
    server.http.server_close()


def test_revocation_is_checked_online_when_fetching_is_allowed(crl_server: _CrlServer) -> None:
    # given a B-T signature (no revocation data in the file)
    ca = crl_server.ca
    person = ca.issue("Hoàng Văn Mạng", agency_code=AGENCY_CODE)
    data = sign(blank_pdf(), ca=ca, person=person, field_name="Signature1", level="B-T")

    # when
    result = validate_pdf(data, trust_roots=[ca.root.pem], at=None, allow_fetching=True)

    # then the CRLs were fetched and used
    (signature,) = result.signatures
    assert result.verdict == "valid"
    assert signature.revocation_checked
    assert "revocation_unchecked" not in codes(signature)
    assert {"/crl/intermediate.crl", "/crl/root.crl"} <= set(crl_server.requests)


def test_a_revocation_found_online_is_applied(crl_server: _CrlServer) -> None:
    # given a certificate revoked an hour before it was used with a timestamp
    ca = crl_server.ca
    person = ca.issue("Hoàng Văn Thu Hồi", agency_code=AGENCY_CODE)
    data = sign(blank_pdf(), ca=ca, person=person, field_name="Signature1", level="B-T")
    crl_server.revoked.append((person.serial, now() - HOUR))

    # when
    result = validate_pdf(data, trust_roots=[ca.root.pem], at=None, allow_fetching=True)

    # then
    assert result.verdict == "invalid"
    assert codes(result.signatures[0])["revoked"] == "invalid"


def test_an_unreachable_revocation_service_is_a_soft_failure(ca: LocalCA, signed_bt: bytes) -> None:
    # when the CRL's address (a closed port) cannot be reached
    result = validate_pdf(signed_bt, trust_roots=[ca.root.pem], at=None, allow_fetching=True)

    # then
    assert result.verdict == "valid"
    assert codes(result.signatures[0])["revocation_unchecked"] == "warning"


# --- signed by tinhso itself: SoftHSM2 keys, the local TSA and OCSP responder --------------


def test_a_document_signed_by_tinhso_validates(test_pki: LocalPki) -> None:
    # given the leader's B-T signature, then the agency's B-LT seal (Nghị định 30 Điều 14)
    with test_pki.signer(LocalPki.LEADER) as leader:
        data = sign_pdf(blank_pdf(), signer=leader, level="B-T", timestamper=test_pki.timestamper())
    with test_pki.signer(LocalPki.AGENCY) as agency:
        data = sign_pdf(
            data,
            signer=agency,
            level="B-LT",
            timestamper=test_pki.timestamper(),
            validation_context=test_pki.validation_context(),
        )

    # when checked offline, as the agency H57.02's document
    result = validate_pdf(
        data, trust_roots=[test_pki.trust_root_pem], at=None, expected_agency_code="H57.02"
    )

    # then
    leader_report, agency_report = result.signatures
    assert result.verdict == "valid", result.as_dict()
    assert leader_report.signer == "Hoàng Thị Thanh Tâm"
    assert (leader_report.agency_code, agency_report.agency_code) == ("H57.02", "H57.02")
    # The intermediate's CRL the seal put in the DSS covers the leader's certificate too.
    assert (leader_report.level, agency_report.level) == ("B-LT", "B-LT")
    assert leader_report.revocation_checked and agency_report.revocation_checked
    assert not leader_report.modified_after_signing


def test_a_document_signed_by_tinhso_is_checked_online_with_its_ocsp_responder(
    test_pki: LocalPki,
) -> None:
    # given a B-T signature: no revocation data in the file
    with test_pki.signer(LocalPki.CLERK) as clerk:
        data = sign_pdf(blank_pdf(), signer=clerk, level="B-T", timestamper=test_pki.timestamper())

    # when
    result = validate_pdf(data, trust_roots=[test_pki.trust_root_pem], at=None, allow_fetching=True)

    # then
    (signature,) = result.signatures
    assert result.verdict == "valid", result.as_dict()
    assert signature.revocation_checked


# --- what is not (validly) signed ----------------------------------------------------------


def test_a_pdf_without_signatures_is_unsigned(ca: LocalCA) -> None:
    result = check(blank_pdf(), ca)
    assert result.verdict == "unsigned"
    assert result.signatures == ()


def test_not_a_pdf_is_refused_with_a_message(ca: LocalCA) -> None:
    with pytest.raises(NotAPdf) as refused:
        check(b"PK\x03\x04 a zip, not a PDF", ca)
    assert str(refused.value) == "Tệp không phải là tệp PDF."


def test_an_encrypted_pdf_is_refused(ca: LocalCA) -> None:
    with pytest.raises(EncryptedPdf) as refused:
        check(encrypted_pdf(), ca)
    assert "mã hóa" in str(refused.value)


def test_a_naive_moment_is_a_programming_error(ca: LocalCA, signed_bt: bytes) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check(signed_bt, ca, at=dt.datetime(2026, 1, 1))


def test_a_new_unreferenced_object_changes_nothing(ca: LocalCA, signed_bt: bytes) -> None:
    # given an update adding an object nothing refers to
    number = next_object_number(signed_bt)
    changed = append_update(signed_bt, {number: b"<< /Note (nothing) >>"})

    # when / then
    assert check(changed, ca).verdict == "valid"


# --- verdict arithmetic and messages -------------------------------------------------------

_VERDICTS = st.sampled_from(["valid", "invalid", "indeterminate"])


def _report(verdict: str) -> SignatureReport:
    return SignatureReport(
        field="f",
        signer=None,
        agency_code=None,
        certificate_sha256=None,
        signed_at=None,
        signed_at_source=None,
        level=None,
        verdict=verdict,  # type: ignore[arg-type]
        intact=True,
        trusted=True,
        modified_after_signing=False,
        coverage=None,
        modification_level=None,
        certification=False,
        revocation_checked=False,
        validation_time=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        reasons=(),
    )


@given(st.lists(_VERDICTS, max_size=12))
def test_the_document_verdict_is_the_worst_signature_verdict(verdicts: list[str]) -> None:
    # when
    verdict = document_verdict([_report(v) for v in verdicts])

    # then
    if not verdicts:
        assert verdict == "unsigned"
    elif "invalid" in verdicts:
        assert verdict == "invalid"
    elif "indeterminate" in verdicts:
        assert verdict == "indeterminate"
    else:
        assert verdict == "valid"


def test_severities_make_verdicts() -> None:
    assert verdict_of([]) == "valid"
    assert verdict_of(["info", "warning"]) == "valid"
    assert verdict_of(["warning", "indeterminate"]) == "indeterminate"
    assert verdict_of(["indeterminate", "invalid", "info"]) == "invalid"


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_reason_has_a_message_even_without_its_values(code: str) -> None:
    message = reason_message(code)
    assert message
    assert "%(" not in message


def test_a_message_shows_its_values() -> None:
    message = reason_message("agency_mismatch", {"actual": "H57.01", "expected": "G06.01"})
    assert message == (
        "Chứng thư số thuộc cơ quan có mã định danh H57.01, không thuộc cơ quan ban hành G06.01."
    )
