"""build() and parse(): round trips, the layout of QCVN 102:2016 packages, document ids."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import os
import subprocess
import sys
import unicodedata
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tinhso.exchange import edxml
from tinhso.exchange.tests.edxml.support import NS, VN, document, documents, status, statuses

ENVELOPE_PREFIX = "edXML"
ROUND_TRIP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- Round trips ----------------------------------------------------------------------------


@ROUND_TRIP
@given(documents)
def test_document_round_trip(pkg: edxml.DocumentPackage) -> None:
    # when
    data = edxml.build(pkg)
    parsed = edxml.parse(data)
    # then
    assert parsed.kind == "document"
    assert parsed.package == pkg
    assert parsed.warnings == []
    assert parsed.signature_present is False
    assert edxml.build(parsed.package) == data  # deterministic


@ROUND_TRIP
@given(statuses)
def test_status_round_trip(pkg: edxml.StatusPackage) -> None:
    data = edxml.build(pkg)
    parsed = edxml.parse(data)
    assert parsed.kind == "status"
    assert parsed.package == pkg
    assert parsed.warnings == []


def test_decomposed_text_is_kept_as_given() -> None:
    # given: the same subject composed (NFC) and decomposed (NFD)
    composed = "Quyết định về việc phê duyệt kế hoạch Hoà Bình"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    for subject in (composed, decomposed):
        # when
        parsed = edxml.parse(edxml.build(document(subject=subject)))
        # then: no normalisation either way
        assert isinstance(parsed.package, edxml.DocumentPackage)
        assert parsed.package.subject == subject


def test_special_characters_survive() -> None:
    subject = 'Về "A & B" <khẩn> \r\n dòng hai\tcột'
    parsed = edxml.parse(edxml.build(document(subject=subject)))
    assert parsed.package.subject == subject  # type: ignore[union-attr]


def test_surrounding_whitespace_is_stripped_by_parse() -> None:
    parsed = edxml.parse(edxml.build(document(subject="  Trích yếu \n")))
    assert parsed.package.subject == "Trích yếu"  # type: ignore[union-attr]


def test_naive_and_foreign_times_are_written_in_vietnam_time() -> None:
    # given: 01:30 UTC is 08:30 in Vietnam; a naive 08:30 is taken as Vietnam time
    utc = dt.datetime(2025, 11, 3, 1, 30, tzinfo=dt.UTC)
    naive = dt.datetime(2025, 11, 3, 8, 30)
    for moment in (utc, naive):
        data = edxml.build(status(timestamp=moment))
        assert b"<edXML:Timestamp>2025/11/03 08:30:00</edXML:Timestamp>" in data
        parsed = edxml.parse(data).package
        assert isinstance(parsed, edxml.StatusPackage)
        assert parsed.timestamp == utc
        assert parsed.timestamp is not None and parsed.timestamp.utcoffset() == dt.timedelta(
            hours=7
        )


def test_document_id_is_computed_when_empty() -> None:
    pkg = document(document_id="")
    assert pkg.document_id == "000.00.12.H57,2025/11/03,125/SNV-VP"
    given_id = document(document_id="000.00.00.G22,2015/09/30,7816/VPCP-TTĐT")
    assert edxml.parse(edxml.build(given_id)).package.document_id == given_id.document_id  # type: ignore[union-attr]


# --- Layout ---------------------------------------------------------------------------------


def _tree(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def _local(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


def test_layout_of_a_document_package() -> None:
    data = edxml.build(document())
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="' + NS.encode())
    root = _tree(data)
    assert root.tag == f"{{{NS}}}edXML" and root.prefix is None
    envelope, attachments = root[0], root[1]
    assert envelope.tag == f"{{{NS}}}edXMLEnvelope"
    # every element of the envelope carries the edXML: prefix (VPCP's XmlSerializer needs it)
    for element in envelope.iter():
        assert element.prefix == ENVELOPE_PREFIX, element.tag
        assert etree.QName(element).namespace == NS
    header, body = envelope
    assert [_local(e) for e in header] == ["MessageHeader", "TraceHeaderList"]
    message = header[0]
    assert [_local(e) for e in message] == [
        "From",
        "To",
        "DocumentId",
        "Code",
        "PromulgationInfo",
        "DocumentType",
        "Subject",
        "Content",
        "SignerInfo",
        "DueDate",
        "ToPlaces",
        "OtherInfo",
        "SteeringType",
    ]
    assert [_local(e) for e in message[0]] == [
        "OrganId",
        "OrganizationInCharge",
        "OrganName",
        "OrganAdd",
        "Email",
        "Telephone",
        "Fax",
        "Website",
    ]
    assert [_local(e) for e in message.find(f"{{{NS}}}OtherInfo")] == [
        "Priority",
        "SphereOfPromulgation",
        "TyperNotation",
        "PromulgationAmount",
        "PageAmount",
        "Appendixes",
    ]
    assert message.findtext(f"{{{NS}}}PromulgationInfo/{{{NS}}}PromulgationDate") == "2025/11/03"
    traces = header[1]
    assert [_local(e) for e in traces] == ["TraceHeader", "Bussiness"]
    assert traces[0].findtext(f"{{{NS}}}Timestamp") == "2025/11/03 08:30:00"
    assert [_local(e) for e in traces[1]] == [
        "DocumentId",
        "BussinessDocType",
        "BussinessDocReason",
        "Paper",
        "StaffInfo",
    ]
    reference = body.find(f"{{{NS}}}edXMLManifest/{{{NS}}}Reference")
    assert reference is not None
    assert body[0].get("version") == "1.0"
    assert [(_local(e), e.text) for e in reference] == [
        ("ContentId", "cid:1"),
        ("ContentType", "application/zip"),
        ("Description", "Công văn"),
        ("AttachmentName", "cong-van-125.pdf"),
    ]
    # the attachment sits outside the envelope, zipped (one entry, its name), base64
    assert attachments.tag == f"{{{NS}}}AttachmentEncoded"
    attachment = attachments[0]
    assert [_local(e) for e in attachment] == [
        "ContentId",
        "AttachmentName",
        "Description",
        "ContentType",
        "ContentTransferEncoded",
    ]
    encoded = attachment[4]
    assert encoded.prefix == ENVELOPE_PREFIX
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(encoded.text or ""))) as archive:
        assert archive.namelist() == ["cong-van-125.pdf"]
        assert archive.read("cong-van-125.pdf") == b"%PDF-1.7 test"


def test_layout_of_a_status_package() -> None:
    data = edxml.build(status())
    root = _tree(data)
    assert len(root) == 1  # no AttachmentEncoded
    envelope = root[0]
    assert [_local(e) for e in envelope] == ["edXMLHeader"]  # no body
    header = envelope[0]
    assert [_local(e) for e in header] == ["MessageHeader"]
    assert [_local(e) for e in header[0]] == [
        "From",
        "To",
        "ResponseFor",
        "StaffInfo",
        "StatusCode",
        "Description",
        "Timestamp",
    ]
    assert [_local(e) for e in header[0][2]] == [
        "OrganId",
        "Code",
        "PromulgationDate",
        "DocumentId",
    ]
    for element in envelope.iter():
        assert element.prefix == ENVELOPE_PREFIX


def test_update_writes_its_receiver_list() -> None:
    pkg = document(
        business=edxml.Business(
            business_type=2,
            reason="Cập nhật",
            document_id="000.00.12.H57,2025/11/03,125/SNV-VP",
            receivers=(edxml.Receiver("000.00.14.H57", 1), edxml.Receiver("000.00.13.H57", 0)),
            replacements=(edxml.Replacement("000.00.12.H57,2025/10/01,99/SNV-VP", ("A", "B")),),
        )
    )
    root = _tree(edxml.build(pkg))
    business = root.find(f".//{{{NS}}}Bussiness")
    assert business is not None
    receivers = business.findall(f".//{{{NS}}}ReceiverList/{{{NS}}}Receiver")
    assert [
        (r.findtext(f"{{{NS}}}OrganId"), r.findtext(f"{{{NS}}}ReceiverType")) for r in receivers
    ] == [
        ("000.00.14.H57", "1"),
        ("000.00.13.H57", "0"),
    ]
    assert business.findtext(f"{{{NS}}}BussinessDocumentInfo/{{{NS}}}DocumentReceiver") == "1"
    assert [e.text for e in business.iterfind(f".//{{{NS}}}OrganIdList/{{{NS}}}OrganId")] == [
        "A",
        "B",
    ]
    assert edxml.parse(edxml.build(pkg)).package == pkg


def test_zip_entry_keeps_a_vietnamese_name() -> None:
    name = "Quyết định số 125.docx"
    pkg = document(
        attachments=(
            edxml.Attachment(
                name,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                b"x" * 5000,
            ),
        )
    )
    data = edxml.build(pkg)
    root = _tree(data)
    encoded = root.findtext(f".//{{{NS}}}ContentTransferEncoded") or ""
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(encoded))) as archive:
        assert archive.namelist() == [name]
    parsed = edxml.parse(data).package
    assert isinstance(parsed, edxml.DocumentPackage)
    # an empty content id is written as cid:1
    assert parsed.attachments == (dataclasses.replace(pkg.attachments[0], content_id="cid:1"),)


def _entry_of(data: bytes) -> zipfile.ZipInfo:
    encoded = _tree(data).findtext(f".//{{{NS}}}ContentTransferEncoded") or ""
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(encoded))) as archive:
        (info,) = archive.infolist()
        return info


def test_a_compressible_file_is_deflated_an_incompressible_one_stored() -> None:
    text = ("Điều 1. Bổ nhiệm ông Nguyễn Văn A giữ chức vụ Trưởng phòng. " * 800).encode()
    noise = os.urandom(60_000)
    # A compressed file with a text tail (a PDF's trailer): judged on its slices, still stored.
    pdf_like = b"%PDF-1.7\n" + os.urandom(200_000) + b"trailer << /Size 9 >>\n%%EOF\n" * 20
    for content, method in (
        (text, zipfile.ZIP_DEFLATED),
        (noise, zipfile.ZIP_STORED),
        (pdf_like, zipfile.ZIP_STORED),
        ("ngắn".encode(), zipfile.ZIP_STORED),  # deflate would make six bytes eight
    ):
        pkg = document(attachments=(edxml.Attachment("tep.bin", "application/pdf", content),))
        data = edxml.build(pkg)
        assert _entry_of(data).compress_type == method
        parsed = edxml.parse(data).package
        assert isinstance(parsed, edxml.DocumentPackage)
        assert parsed.attachments[0].data == content
        assert edxml.build(pkg) == data  # still deterministic
    assert (
        _entry_of(
            edxml.build(document(attachments=(edxml.Attachment("a.txt", "text/plain", text),)))
        ).compress_size
        < len(text) // 10
    )


def test_base64_wrapped_at_76_is_read() -> None:
    pkg = document(
        attachments=(
            edxml.Attachment("a.pdf", "application/pdf", bytes(range(256)) * 40, "", "cid:1"),
        )
    )
    data = edxml.build(pkg)
    root = _tree(data)
    element = root.find(f".//{{{NS}}}ContentTransferEncoded")
    assert element is not None
    text = element.text or ""
    element.text = "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    wrapped = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    parsed = edxml.parse(wrapped)
    assert parsed.package == pkg
    assert parsed.warnings == []


# --- Document ids ---------------------------------------------------------------------------


def test_document_id_format() -> None:
    assert (
        edxml.document_id("000.00.11.H53", dt.date(2020, 10, 30), "2491", "STC-BCTC")
        == "000.00.11.H53,2020/10/30,2491/STC-BCTC"
    )
    assert edxml.document_id("X", dt.date(999, 1, 2), "1", "A") == "X,0999/01/02,1/A"


def test_split_document_id_is_liberal() -> None:
    assert edxml.split_document_id("000.00.11.H53,2020/10/30,2491/STC-BCTC") == (
        "000.00.11.H53",
        dt.date(2020, 10, 30),
        "2491/STC-BCTC",
    )
    assert edxml.split_document_id(" A , 30/10/2020 , 1/X ") == ("A", dt.date(2020, 10, 30), "1/X")
    assert edxml.split_document_id("A,2020-10-30,1/X,Y") == ("A", dt.date(2020, 10, 30), "1/X,Y")
    # an impossible date: the rest is still there
    assert edxml.split_document_id("000.00.00.G22,2014/02/30,7806/VPCP-TTĐT") == (
        "000.00.00.G22",
        None,
        "7806/VPCP-TTĐT",
    )
    assert edxml.split_document_id("A,notadate,1/X") == ("A", None, "1/X")
    for shapeless in ("", "A", "A,2020/10/30", ",2020/10/30,1/X", "A,2020/10/30,"):
        assert edxml.split_document_id(shapeless) is None


@given(
    st.from_regex(r"[0-9A-Z.]{1,15}", fullmatch=True),
    st.dates(),
    st.from_regex(r"[0-9]{1,5}", fullmatch=True),
    st.from_regex(r"[A-ZĐ-]{1,10}", fullmatch=True),
)
def test_split_inverts_document_id(organ: str, day: dt.date, number: str, notation: str) -> None:
    assert edxml.split_document_id(edxml.document_id(organ, day, number, notation)) == (
        organ,
        day,
        f"{number}/{notation}",
    )


# --- Purity ---------------------------------------------------------------------------------


def test_import_does_not_load_django() -> None:
    code = (
        "import sys; import tinhso.exchange.edxml as e; "
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "assert not loaded, loaded; "
        "p = e.Problem('x', 'Subject', 'Trích yếu'); assert p.text == 'Trích yếu'; print('ok')"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_messages_are_vietnamese_and_translatable() -> None:
    problems = edxml.validate(document(subject=""))
    assert [(p.code, p.field) for p in problems] == [("required", "Subject")]
    assert problems[0].text == problems[0].message  # vi is the source language
    assert "bắt buộc" in problems[0].message
    assert VN.utcoffset(dt.datetime(2025, 1, 1)) == dt.timedelta(hours=7)
