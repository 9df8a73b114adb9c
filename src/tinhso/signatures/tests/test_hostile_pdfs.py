"""Hostile PDFs, generated here, through the sandbox: each is refused or reported within the
time and memory limits, and the caller carries on.

Malformed cross-reference sections, a /Prev loop, cyclic page trees, huge declared and real
streams, deflate bombs (a few kilobytes inflating to 4 GiB) where pyHanko decodes streams,
encrypted, truncated and garbage files, deeply nested arrays — alone and as an update after a
real signature, where the difference analysis has to read them.
"""

from __future__ import annotations

import io
import struct
import time
import zlib
from collections.abc import Callable

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from tinhso.signatures.sandbox import PdfRefused, PdfTooLarge, validate_pdf_isolated
from tinhso.signatures.tests.local_ca import LocalCA
from tinhso.signatures.tests.pdfs_multi import (
    AGENCY_CODE,
    append_update,
    blank_pdf,
    default_ca,
    encrypted_pdf,
    next_object_number,
    sign,
)

SECONDS = 10
MEMORY_MB = 512
#: Generous: the machine is shared; a hang would take the whole SECONDS (and is killed there).
DEADLINE = SECONDS + 5


def assemble(objects: list[bytes], *, trailer: bytes = b"") -> bytes:
    """A classic one-revision PDF: objects 1…n, catalog first, a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer,
        start,
    )
    return bytes(out)


def stream(data: bytes, entries: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), entries) + data + b"\nendstream"


def deflate_bomb(mebibytes: int) -> bytes:
    """zlib data of `mebibytes` MiB of zeros, built without producing them: one byte-aligned
    deflate block of 1 MiB of zeros repeated (adler32 of n zeros is (n mod 65521) << 16 | 1)."""
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = raw.compress(bytes(1 << 20)) + raw.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    size = mebibytes << 20
    return b"\x78\xda" + block * mebibytes + final + struct.pack(">I", (size % 65521) << 16 | 1)


#: 4 GiB of zeros, compressed twice: about 10 kB.
BOMB = zlib.compress(deflate_bomb(4096), 9)
BOMB_FILTERS = b"/Filter [/FlateDecode /FlateDecode]"
NESTING = 50_000

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


def minimal() -> bytes:
    return assemble([CATALOG, PAGES, PAGE])


def malformed_xref() -> bytes:
    data = minimal()
    entry = data.index(b" 00000 n \n")
    return data[: entry - 10] + b"99999999zz" + data[entry:]


def xref_prev_loop() -> bytes:
    data = minimal()
    return data.replace(b"/Root 1 0 R", b"/Root 1 0 R /Prev %d" % data.rindex(b"xref"))


def cyclic_page_tree() -> bytes:
    return assemble([CATALOG, b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", PAGE])


def huge_declared_stream() -> bytes:
    body = b"<< /Length 99999999999 >>\nstream\nshort\nendstream"
    return assemble([b"<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>", PAGES, PAGE, body])


def huge_real_stream() -> bytes:
    return assemble([CATALOG, PAGES, PAGE, stream(bytes(30 * 1024 * 1024))])


def bomb_in_object_stream() -> bytes:
    """The catalog and the page tree "live" in an object stream that inflates to 4 GiB:
    reading the catalog means inflating it. Cross-reference stream, W [1 4 2]."""
    out = bytearray(b"%PDF-1.7\n")
    object_stream_at = len(out)
    out += b"3 0 obj\n" + stream(BOMB, b"/Type /ObjStm /N 2 /First 20 " + BOMB_FILTERS)
    out += b"\nendobj\n"
    xref_at = len(out)
    rows = [(0, 0, 65535), (2, 3, 0), (2, 3, 1), (1, object_stream_at, 0), (1, xref_at, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out += b"4 0 obj\n" + stream(table, b"/Type /XRef /Size 5 /W [1 4 2] /Root 1 0 R")
    out += b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def garbage_after_header() -> bytes:
    return b"%PDF-1.7\n" + bytes(range(256)) * 400


def nested_arrays() -> bytes:
    # In the catalog itself, which every check reads.
    deep = b"[" * NESTING + b"]" * NESTING
    return assemble([b"<< /Type /Catalog /Pages 2 0 R /Deep " + deep + b" >>", PAGES, PAGE])


UNSIGNED: dict[str, Callable[[], bytes]] = {
    "malformed-xref": malformed_xref,
    "xref-prev-loop": xref_prev_loop,
    "cyclic-page-tree": cyclic_page_tree,
    "huge-declared-stream": huge_declared_stream,
    "deflate-bomb-object-stream": bomb_in_object_stream,
    "garbage-after-header": garbage_after_header,
    "deeply-nested-arrays": nested_arrays,
}


@pytest.fixture(scope="module")
def ca() -> LocalCA:
    return default_ca()


@pytest.fixture(scope="module")
def signed(ca: LocalCA) -> bytes:
    person = ca.issue("Nguyễn Văn An", agency_code=AGENCY_CODE)
    return sign(blank_pdf(), ca=ca, person=person, field_name="Signature1", level="B-T")


def run(data: bytes, ca: LocalCA) -> tuple[str, set[str], float]:
    """(verdict or "refused", reason codes of the file and its signatures, seconds)."""
    started = time.monotonic()
    try:
        result = validate_pdf_isolated(
            data, trust_roots=[ca.root.pem], at=None, seconds=SECONDS, memory_mb=MEMORY_MB
        )
    except PdfRefused as refusal:
        return "refused", {refusal.code}, time.monotonic() - started
    found = {r.code for r in result.reasons}
    found |= {r.code for s in result.signatures for r in s.reasons}
    found |= {r.code for t in result.document_timestamps for r in t.reasons}
    return result.verdict, found, time.monotonic() - started


@pytest.mark.parametrize("name", sorted(UNSIGNED))
def test_a_hostile_file_is_reported_within_the_limits(ca: LocalCA, name: str) -> None:
    # when
    verdict, found, seconds = run(UNSIGNED[name](), ca)

    # then: nothing hostile passes as validly signed, nothing crashes or hangs
    assert verdict in ("unsigned", "indeterminate", "invalid"), (verdict, found)
    assert "crashed" not in found
    assert seconds < DEADLINE


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("xref-prev-loop", "unreadable_pdf"),
        ("deflate-bomb-object-stream", "unreadable_pdf"),
        ("garbage-after-header", "unreadable_pdf"),
        ("deeply-nested-arrays", "unreadable_pdf"),
    ],
)
def test_an_unreadable_file_says_so(ca: LocalCA, name: str, code: str) -> None:
    verdict, found, _seconds = run(UNSIGNED[name](), ca)
    assert verdict == "indeterminate"
    assert code in found


def test_a_stream_larger_than_the_upload_limit_is_refused_before_reading(ca: LocalCA) -> None:
    data = huge_real_stream()
    with pytest.raises(PdfTooLarge):
        validate_pdf_isolated(data, trust_roots=[ca.root.pem], at=None, max_bytes=20 * 1024 * 1024)


def test_an_encrypted_file_is_refused(ca: LocalCA) -> None:
    verdict, found, _seconds = run(encrypted_pdf(), ca)
    assert (verdict, found) == ("refused", {"encrypted_pdf"})


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.95])
def test_a_truncated_signed_file_is_not_valid(ca: LocalCA, signed: bytes, fraction: float) -> None:
    verdict, found, seconds = run(signed[: int(len(signed) * fraction)], ca)
    assert verdict in ("indeterminate", "invalid"), (verdict, found)
    assert seconds < DEADLINE


# --- hostile updates after a real signature: the difference analysis must read them -------


def _catalog_update(signed: bytes, extra: bytes, objects: dict[int, bytes]) -> bytes:
    return append_update(signed, objects, catalog_extra=extra)


def test_a_cyclic_page_tree_added_after_signing(ca: LocalCA, signed: bytes) -> None:
    # given an update in which the page tree lists itself among its kids
    reader = PdfFileReader(io.BytesIO(signed))
    pages = reader.root.raw_get("/Pages").reference.idnum
    kids = b" ".join(b"%d 0 R" % k.reference.idnum for k in reader.root["/Pages"].raw_get("/Kids"))
    data = append_update(
        signed, {pages: b"<< /Type /Pages /Kids [%s %d 0 R] /Count 2 >>" % (kids, pages)}
    )

    # when
    verdict, found, seconds = run(data, ca)

    # then
    assert verdict == "invalid"
    assert "modified_after_signing" in found
    assert seconds < DEADLINE


def test_a_deflate_bomb_in_the_dss_after_signing(ca: LocalCA, signed: bytes) -> None:
    # given a "CRL" in the document security store that inflates to 4 GiB
    number = next_object_number(signed)
    data = _catalog_update(
        signed,
        b"/DSS %d 0 R" % (number + 1),
        {number: stream(BOMB, BOMB_FILTERS), number + 1: b"<< /CRLs [%d 0 R] >>" % number},
    )

    # when
    verdict, found, seconds = run(data, ca)

    # then the DSS is ignored with a warning, and the update is judged
    assert verdict in ("invalid", "indeterminate")
    assert "dss_unreadable" in found
    assert seconds < DEADLINE


def test_a_deflate_bomb_as_metadata_after_signing(ca: LocalCA, signed: bytes) -> None:
    number = next_object_number(signed)
    data = _catalog_update(
        signed,
        b"/Metadata %d 0 R" % number,
        {number: stream(BOMB, b"/Type /Metadata /Subtype /XML " + BOMB_FILTERS)},
    )
    verdict, found, seconds = run(data, ca)
    assert verdict == "invalid"
    assert "modified_after_signing" in found
    assert seconds < DEADLINE


def test_deeply_nested_arrays_after_signing(ca: LocalCA, signed: bytes) -> None:
    number = next_object_number(signed)
    data = _catalog_update(
        signed, b"/Deep %d 0 R" % number, {number: b"[" * NESTING + b"]" * NESTING}
    )
    verdict, found, seconds = run(data, ca)
    assert verdict in ("invalid", "indeterminate")
    assert found & {"validation_error", "modified_after_signing", "unreadable_pdf"}
    assert seconds < DEADLINE


def test_the_caller_is_unharmed_after_the_hostile_files(ca: LocalCA, signed: bytes) -> None:
    # given every hostile file checked once more
    for make in UNSIGNED.values():
        run(make(), ca)

    # when
    verdict, _found, _seconds = run(signed, ca)

    # then
    assert verdict == "valid"
