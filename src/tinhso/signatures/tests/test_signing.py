"""PAdES signing: baseline levels, incremental updates, two signatures in order, visible
signatures, hostile input. Most tests sign with keys in memory and pyHanko's in-process
timestamper (fast); the last ones with keys on a SoftHSM2 token, the timestamp authority and
OCSP responder over HTTP, checked by the pyHanko command-line tool in a process of its own."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.generic import Reference, parse_pdf_date
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from tinhso.signatures import appearance, images, signing
from tinhso.signatures.tests import pdfs
from tinhso.testing.signing import LocalPki

NOW = datetime(2026, 11, 26, 7, 3, 12, tzinfo=UTC)  # 14:03:12 in Vietnam


@pytest.fixture(scope="module")
def pki() -> pdfs.SoftwarePki:
    return pdfs.software_pki()


@pytest.fixture(scope="module")
def document() -> bytes:
    return pdfs.official_document()


def reader_of(data: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(data))


def person_appearance() -> appearance.PersonSignature:
    return appearance.person_signature(
        image=images.signature_image(pdfs.LEADER_NAME),
        signer_name=pdfs.LEADER_NAME,
        title=pdfs.LEADER_TITLE,
    )


def seal_appearance() -> appearance.Seal:
    return appearance.seal(image=images.seal_image(pdfs.AGENCY_NAME))


def sign(
    data: bytes,
    pki: pdfs.SoftwarePki,
    *,
    level: signing.Level = "B-T",
    agency: bool = False,
    **kwargs: object,
) -> bytes:
    return signing.sign_pdf(
        data,
        signer=pki.agency if agency else pki.person,
        level=level,
        timestamper=pki.timestamper(NOW) if level != "B-B" else None,
        validation_context=pki.validation_context() if level in ("B-LT", "B-LTA") else None,
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )


# --- Levels ----------------------------------------------------------------------------------


def test_b_b_is_an_intact_trusted_pades_signature_without_timestamp(
    pki: pdfs.SoftwarePki, document: bytes
) -> None:
    # when
    signed = sign(document, pki, level="B-B")

    # then an incremental update: the original is untouched at the start
    assert signed.startswith(document)
    assert len(signed) > len(document)
    reader = reader_of(signed)
    (signature,) = reader.embedded_signatures
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    status = validate_pdf_signature(signature, signer_validation_context=pki.validation_context())
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.timestamp_validity is None
    assert status.md_algorithm == "sha256"
    assert status.signer_reported_dt == NOW


def test_b_t_carries_a_signature_timestamp(pki: pdfs.SoftwarePki, document: bytes) -> None:
    # when
    signed = sign(document, pki, level="B-T")

    # then
    assert signed.startswith(document)
    (signature,) = reader_of(signed).embedded_signatures
    status = validate_pdf_signature(
        signature,
        signer_validation_context=pki.validation_context(),
        ts_validation_context=pki.validation_context(),
    )
    assert status.bottom_line
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.trusted
    assert status.timestamp_validity.timestamp == NOW


def test_b_lt_embeds_the_revocation_data_in_the_dss(pki: pdfs.SoftwarePki, document: bytes) -> None:
    # when
    signed = sign(document, pki, level="B-LT")

    # then the CRL and the certificates are in the document security store
    assert signed.startswith(document)
    reader = reader_of(signed)
    dss = reader.root["/DSS"]
    assert len(dss["/CRLs"]) >= 1
    assert len(dss["/Certs"]) >= 2
    assert reader.embedded_timestamp_signatures == []
    (signature,) = reader.embedded_signatures
    # what the DSS holds is enough to check revocation, with nothing fetched
    context = context_from_dss(reader, pki)
    status = validate_pdf_signature(
        signature, signer_validation_context=context, ts_validation_context=context
    )
    assert status.bottom_line


def test_b_lta_adds_a_document_timestamp(pki: pdfs.SoftwarePki, document: bytes) -> None:
    # when
    signed = sign(document, pki, level="B-LTA")

    # then
    assert signed.startswith(document)
    reader = reader_of(signed)
    assert "/DSS" in reader.root
    assert len(reader.embedded_timestamp_signatures) == 1
    (signature,) = reader.embedded_regular_signatures
    context = context_from_dss(reader, pki)
    status = validate_pdf_signature(
        signature, signer_validation_context=context, ts_validation_context=context
    )
    assert status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    (document_timestamp,) = reader.embedded_timestamp_signatures
    timestamp = validate_pdf_timestamp(document_timestamp, validation_context=context)
    assert timestamp.intact and timestamp.valid and timestamp.trusted
    # only the timestamp authority's validation data were added after it
    assert timestamp.modification_level == ModificationLevel.LTA_UPDATES


@pytest.mark.parametrize(
    ("level", "timestamper", "context", "message"),
    [
        ("B-X", False, False, "unknown PAdES level"),
        ("B-T", False, False, "needs a timestamper"),
        ("B-LT", True, False, "needs a validation context"),
        ("B-LTA", True, False, "needs a validation context"),
    ],
)
def test_a_level_without_what_it_needs_is_a_programming_error(
    pki: pdfs.SoftwarePki,
    document: bytes,
    level: str,
    timestamper: bool,
    context: bool,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        signing.sign_pdf(
            document,
            signer=pki.person,
            level=level,  # type: ignore[arg-type]
            timestamper=pki.timestamper(NOW) if timestamper else None,
            validation_context=pki.validation_context() if context else None,
        )


# --- The signing time ------------------------------------------------------------------------


def test_the_signing_time_is_now_in_the_cms_and_the_signature_dictionary(
    pki: pdfs.SoftwarePki, document: bytes
) -> None:
    # when
    signed = sign(document, pki, level="B-B", reason="Phê duyệt", location="Thử Nghiệm")

    # then
    (signature,) = reader_of(signed).embedded_signatures
    assert signature.self_reported_timestamp == NOW
    assert parse_pdf_date(signature.sig_object["/M"]) == NOW
    assert signature.sig_object["/Reason"] == "Phê duyệt"
    assert signature.sig_object["/Location"] == "Thử Nghiệm"


def test_a_naive_now_is_refused(pki: pdfs.SoftwarePki, document: bytes) -> None:
    with pytest.raises(ValueError, match="time zone"):
        signing.sign_pdf(
            document,
            signer=pki.person,
            level="B-B",
            now=datetime(2026, 11, 26, 14, 3, 12),
        )


# --- Two signatures: the leader, then the agency (Nghị định 30/2020, Điều 14) -----------------


def test_the_agency_signs_after_the_leader_and_both_stay_valid(
    pki: pdfs.SoftwarePki, document: bytes
) -> None:
    # given the leader's signature
    by_leader = sign(document, pki, appearance=person_appearance())

    # when the agency signs last
    by_agency = sign(by_leader, pki, agency=True, appearance=seal_appearance())

    # then each signature appended a revision to the bytes before it
    assert by_leader.startswith(document)
    assert by_agency.startswith(by_leader)
    leader, agency = reader_of(by_agency).embedded_signatures
    assert leader.field_name == "Signature1"
    assert agency.field_name == "Signature2"
    context = pki.validation_context()
    first = validate_pdf_signature(
        leader, signer_validation_context=context, ts_validation_context=context
    )
    second = validate_pdf_signature(
        agency, signer_validation_context=context, ts_validation_context=context
    )
    # the leader's covers its revision; what came after is only a new signature
    assert first.bottom_line
    assert first.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert first.modification_level is not None
    assert first.modification_level <= ModificationLevel.FORM_FILLING
    assert first.docmdp_ok
    assert second.bottom_line
    assert second.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert leader.signer_cert.subject.native["common_name"] == pdfs.LEADER_NAME
    assert agency.signer_cert.subject.native["common_name"] == pdfs.AGENCY_NAME


def test_a_given_field_name_is_used(pki: pdfs.SoftwarePki, document: bytes) -> None:
    # when
    signed = sign(document, pki, level="B-B", field_name="ChuKyCaNhan_7")

    # then
    (signature,) = reader_of(signed).embedded_signatures
    assert signature.field_name == "ChuKyCaNhan_7"


def test_an_existing_field_name_is_refused(pki: pdfs.SoftwarePki, document: bytes) -> None:
    # given
    signed = sign(document, pki, level="B-B", field_name="ChuKy")

    # when / then a filled signature field is never signed over
    with pytest.raises(signing.SigningError) as refused:
        sign(signed, pki, level="B-B", field_name="ChuKy")
    assert str(refused.value) == "Tệp PDF đã có chữ ký trong ô chữ ký “ChuKy”."


# --- Visible signatures ----------------------------------------------------------------------


def test_the_persons_signature_is_a_transparent_image_in_its_widget(
    pki: pdfs.SoftwarePki, document: bytes
) -> None:
    # given
    expected = appearance.place(
        person_appearance(), data=document, reader=reader_of(document), now=NOW
    )

    # when
    signed = sign(document, pki, appearance=person_appearance())

    # then the widget is where the placement said, on the last page, showing the image
    reader = reader_of(signed)
    (signature,) = reader.embedded_signatures
    widget = signature.sig_field
    assert [float(x) for x in widget["/Rect"]] == pytest.approx(list(expected.box), abs=0.01)
    last_page, _resources = reader.find_page_for_modification(-1)  # type: ignore[no-untyped-call]
    annotations = [item.reference for item in last_page.get_object()["/Annots"]]
    assert widget.container_ref in annotations
    image = only_image(widget)
    assert "/SMask" in image
    assert (
        image["/Width"]
        == appearance._prepared_image(images.signature_image(pdfs.LEADER_NAME)).width
    )


def test_the_seal_blends_like_ink_over_the_signature(
    pki: pdfs.SoftwarePki, document: bytes
) -> None:
    # given
    by_leader = sign(document, pki, appearance=person_appearance())

    # when
    by_agency = sign(by_leader, pki, agency=True, appearance=seal_appearance())

    # then
    _leader, agency = reader_of(by_agency).embedded_signatures
    normal = agency.sig_field["/AP"]["/N"]
    states = normal["/Resources"]["/ExtGState"]
    assert any(state.get("/BM") == "/Multiply" for state in states.values())
    assert b"/Img Do" in normal.data


def test_the_attachment_box_prints_the_signing_time_in_times_10(
    pki: pdfs.SoftwarePki, document: bytes
) -> None:
    # when
    signed = sign(
        document,
        pki,
        agency=True,
        appearance=appearance.attachment_box(number_notation="15/QĐ-UBND"),
    )

    # then the text drawn says the signing time, the same as the signature's
    (signature,) = reader_of(signed).embedded_signatures
    normal = signature.sig_field["/AP"]["/N"]
    drawn = actual_texts(normal.data)
    assert drawn == ["Số, ký hiệu: 15/QĐ-UBND", "Thời gian ký: 2026-11-26T14:03:12+07:00"]
    assert signature.self_reported_timestamp == NOW
    assert b"/F1 10 Tf" in normal.data
    # in an embedded serif font with the Vietnamese letters mapped back to Unicode
    (font,) = normal["/Resources"]["/Font"].values()
    font = font.get_object()
    assert re.search(r"TimesNewRoman|LiberationSerif", str(font["/BaseFont"]))
    mapped = to_unicode_characters(font["/ToUnicode"].data)
    assert set("ốýệờĐ") <= mapped
    # with widths in thousandths of an em (a space of Times is a quarter of an em)
    descendant = font["/DescendantFonts"][0].get_object()
    assert "/FontFile2" in descendant["/FontDescriptor"]
    assert 240 <= widths_of(descendant["/W"])[space_cid(font["/ToUnicode"].data)] <= 260


def test_an_invisible_signature_has_no_appearance(pki: pdfs.SoftwarePki, document: bytes) -> None:
    # when
    signed = sign(document, pki, level="B-B")

    # then
    (signature,) = reader_of(signed).embedded_signatures
    assert [float(x) for x in signature.sig_field["/Rect"]] == [0, 0, 0, 0]


# --- Hostile input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (pdfs.encrypted, signing.EncryptedPdf, "mã hóa"),
        (pdfs.broken_xref, signing.MalformedPdf, "bị hỏng"),
        (pdfs.cyclic_page_tree, signing.MalformedPdf, "bị hỏng"),
        (lambda: b"PK\x03\x04 not a pdf", signing.MalformedPdf, "không phải là PDF"),
        (lambda: b"", signing.MalformedPdf, "không phải là PDF"),
        (lambda: b"%PDF-1.7\n" + b"\x00" * 5000, signing.MalformedPdf, "bị hỏng"),
        (lambda: pdfs.official_document()[:-3000], signing.MalformedPdf, "bị hỏng"),
    ],
    ids=["encrypted", "broken-xref", "cyclic-page-tree", "zip", "empty", "zeros", "truncated"],
)
@pytest.mark.parametrize("visible", [False, True], ids=["invisible", "visible"])
def test_a_pdf_that_cannot_be_signed_is_refused_with_a_vietnamese_message(
    pki: pdfs.SoftwarePki,
    make: object,
    error: type[signing.SigningError],
    words: str,
    visible: bool,
) -> None:
    # given
    data = make()  # type: ignore[operator]

    # when
    with pytest.raises(error) as refused:
        sign(data, pki, level="B-B", appearance=person_appearance() if visible else None)

    # then
    assert words in str(refused.value)


def test_an_unreadable_signature_image_is_reported(pki: pdfs.SoftwarePki, document: bytes) -> None:
    # given a "picture" that is not one
    broken = appearance.person_signature(image=b"\x89PNG not really", signer_name="A")

    # when
    with pytest.raises(signing.SigningError) as refused:
        sign(document, pki, level="B-B", appearance=broken)

    # then
    assert "ảnh chữ ký" in str(refused.value)


def test_a_timestamp_authority_that_does_not_answer_is_reported(
    pki: pdfs.SoftwarePki, document: bytes
) -> None:
    # given a timestamp authority address where nothing listens
    from pyhanko.sign.timestamps import HTTPTimeStamper

    timestamper = HTTPTimeStamper("http://127.0.0.1:9/tsa", timeout=2)

    # when
    with pytest.raises(signing.TimestampUnavailable) as refused:
        signing.sign_pdf(document, signer=pki.person, level="B-T", timestamper=timestamper, now=NOW)

    # then
    assert "dấu thời gian" in str(refused.value)


def test_a_signer_whose_certificate_is_not_trusted_is_refused_at_b_lt(
    pki: pdfs.SoftwarePki, document: bytes
) -> None:
    # given a validation context that trusts another root
    from pyhanko_certvalidator import ValidationContext

    other = pdfs.software_pki.__wrapped__()  # a second, unrelated CA
    context = ValidationContext(trust_roots=[other.root], allow_fetching=False)

    # when
    with pytest.raises(signing.CertificateNotValidated) as refused:
        signing.sign_pdf(
            document,
            signer=pki.person,
            level="B-LT",
            timestamper=pki.timestamper(NOW),
            validation_context=context,
            now=NOW,
        )

    # then
    assert "chứng thư số" in str(refused.value)


# --- helpers ---------------------------------------------------------------------------------


def context_from_dss(reader: PdfFileReader, pki: pdfs.SoftwarePki) -> ValidationContext:
    return DocumentSecurityStore.read_dss(reader).as_validation_context(
        {"trust_roots": [pki.root], "allow_fetching": False, "revocation_mode": "hard-fail"}
    )


def only_image(widget: Any) -> Any:
    normal = widget["/AP"]["/N"]
    (image,) = normal["/Resources"]["/XObject"].values()
    return image.get_object()


def actual_texts(content: bytes) -> list[str]:
    """The /ActualText of each marked span (UTF-16BE literal strings) of a content stream."""
    from pyhanko.pdf_utils.generic import read_object

    texts = []
    for match in re.finditer(rb"/ActualText ", content):
        value = read_object(io.BytesIO(content[match.end() :]), Reference(0, 0))
        texts.append(str(value))
    return texts


def to_unicode_characters(cmap: bytes) -> set[str]:
    characters = set()
    for hexadecimal in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4,})>", cmap):
        target = hexadecimal[1]
        characters.add(bytes.fromhex(target.decode()).decode("utf-16-be"))
    return characters


def space_cid(cmap: bytes) -> int:
    for source, target in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>", cmap):
        if target.lower() == b"0020":
            return int(source, 16)
    raise AssertionError("no space in the ToUnicode map")


def widths_of(array: object) -> dict[int, int]:
    widths: dict[int, int] = {}
    items = list(array)  # type: ignore[call-overload]
    index = 0
    while index < len(items):
        first = int(items[index])
        following = items[index + 1]
        for offset, width in enumerate(following):
            widths[first + offset] = int(width)
        index += 2
    return widths


# --- Real keys: SoftHSM2, the HTTP timestamp authority, the pyHanko CLI -----------------------


def pyhanko_validate(path: Path, trust_root: Path) -> subprocess.CompletedProcess[str]:
    """pyHanko's command-line validator, in a process of its own: an independent check."""
    command = Path(sys.executable).with_name("pyhanko")
    return subprocess.run(  # noqa: S603 - our own fixed command line
        [
            str(command),
            "sign",
            "validate",
            "--trust",
            str(trust_root),
            "--trust-replace",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ocsp_serials(reader: PdfFileReader) -> set[int]:
    from asn1crypto import ocsp

    serials = set()
    for reference in reader.root["/DSS"]["/OCSPs"]:
        response = ocsp.OCSPResponse.load(reference.get_object().data)
        for single in response.basic_ocsp_response["tbs_response_data"]["responses"]:
            serials.add(single["cert_id"]["serial_number"].native)
    return serials


def cli_lines(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """The CLI's summary, one line per signature: field:certificate hash:status."""
    lines = {}
    for line in result.stdout.splitlines():
        field, _sep, rest = line.partition(":")
        if rest:
            lines[field] = rest.partition(":")[2]
    return lines


def test_a_token_signature_at_b_t_validates_with_the_pyhanko_cli(
    test_pki: LocalPki, document: bytes, tmp_path: Path
) -> None:
    # given the leader's key on the SoftHSM2 token and the timestamp authority over HTTP
    with test_pki.signer(LocalPki.LEADER) as signer:
        # when
        signed = signing.sign_pdf(
            document,
            signer=signer,
            level="B-T",
            timestamper=test_pki.timestamper(),
            appearance=person_appearance(),
            now=datetime.now(UTC),
        )

    # then another process finds the signature intact, trusted and timestamped
    assert signed.startswith(document)
    (tmp_path / "signed.pdf").write_bytes(signed)
    (tmp_path / "root.pem").write_bytes(test_pki.trust_root_pem)
    result = pyhanko_validate(tmp_path / "signed.pdf", tmp_path / "root.pem")
    assert result.returncode == 0, result.stdout + result.stderr
    assert cli_lines(result) == {
        "Signature1": "INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>,UNTOUCHED"
    }


def test_leader_then_agency_on_tokens_at_b_lta_validate_with_the_pyhanko_cli(
    test_pki: LocalPki, document: bytes, tmp_path: Path
) -> None:
    # given the leader signs the decision at B-T with the picture of his signature
    now = datetime.now(UTC)
    with test_pki.signer(LocalPki.LEADER) as signer:
        by_leader = signing.sign_pdf(
            document,
            signer=signer,
            level="B-T",
            timestamper=test_pki.timestamper(),
            appearance=person_appearance(),
            field_name="ChuKyCaNhan",
            now=now,
        )

    # when the clerk signs last with the agency's key, for long-term keeping (B-LTA): the
    # OCSP responses and CRLs come from the local responder over HTTP
    with test_pki.signer(LocalPki.AGENCY) as signer:
        by_agency = signing.sign_pdf(
            by_leader,
            signer=signer,
            level="B-LTA",
            timestamper=test_pki.timestamper(),
            validation_context=test_pki.validation_context(),
            appearance=seal_appearance(),
            field_name="ChuKyCoQuan",
            now=now,
        )

    # then the bytes only grew, the DSS holds OCSP responses, and both signatures validate
    assert by_agency.startswith(by_leader)
    assert by_leader.startswith(document)
    reader = reader_of(by_agency)
    # OCSP responses for the leader's certificate and the agency's (and the TSA's)
    assert len(reader.root["/DSS"]["/OCSPs"]) >= 2
    leader_serial = test_pki.certificate(LocalPki.LEADER).serial_number
    assert leader_serial in ocsp_serials(reader)
    assert len(reader.embedded_timestamp_signatures) == 1
    (tmp_path / "signed.pdf").write_bytes(by_agency)
    (tmp_path / "root.pem").write_bytes(test_pki.trust_root_pem)
    result = pyhanko_validate(tmp_path / "signed.pdf", tmp_path / "root.pem")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = cli_lines(result)
    # the leader's was followed by a new signature only; the agency's by LTA data only
    assert lines["ChuKyCaNhan"] == (
        "INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>,"
        "EXTENDED_WITH_FORM_FILLING,ACCEPTABLE_MODIFICATIONS"
    )
    assert lines["ChuKyCoQuan"] == (
        "INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>,"
        "EXTENDED_WITH_LTA_UPDATES,ACCEPTABLE_MODIFICATIONS"
    )
    assert "UNTRUSTED" not in result.stdout and "INVALID" not in result.stdout


def test_a_remembered_signature_size_that_is_too_small_is_measured_again(
    pki: pdfs.SoftwarePki, document: bytes
) -> None:
    # given the space for this signer's signatures remembered far too small
    timestamper = pki.timestamper(NOW)
    signing.sign_pdf(document, signer=pki.person, level="B-T", timestamper=timestamper, now=NOW)
    remembered = signing._SIZES[timestamper]
    key = (pki.person.signing_cert.sha256, "B-T")
    measured = remembered[key]
    remembered[key] = 64

    # when
    signed = signing.sign_pdf(
        document, signer=pki.person, level="B-T", timestamper=timestamper, now=NOW
    )

    # then the signature is made all the same, and the size measured again
    (signature,) = reader_of(signed).embedded_signatures
    assert validate_pdf_signature(
        signature, signer_validation_context=pki.validation_context()
    ).intact
    assert signing._SIZES[timestamper][key] == measured
