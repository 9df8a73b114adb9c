"""Content sniffing: each accepted type, broken and spoofed files, zip bombs."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinhso.files import detection
from tinhso.files.detection import (
    DamagedFileError,
    EmptyFileError,
    UnknownTypeError,
    UnsafeArchiveError,
    detect_content_type,
)
from tinhso.files.tests import samples


def detect(data: bytes) -> str:
    return detect_content_type(io.BytesIO(data))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (samples.pdf, detection.PDF),
        (samples.png, detection.PNG),
        (samples.jpeg, detection.JPEG),
        (lambda: samples.tiff("<"), detection.TIFF),
        (lambda: samples.tiff(">"), detection.TIFF),
        (samples.docx, detection.DOCX),
        (samples.xlsx, detection.XLSX),
        (samples.odt, detection.ODT),
    ],
    ids=["pdf", "png", "jpeg", "tiff-little-endian", "tiff-big-endian", "docx", "xlsx", "odt"],
)
def test_each_accepted_type_is_recognised(make: Callable[[], bytes], expected: str) -> None:
    assert detect(make()) == expected


def test_the_stream_is_left_at_its_start() -> None:
    # given a stream read halfway
    stream = io.BytesIO(samples.docx())
    stream.read(10)

    # when detecting
    detect_content_type(stream)

    # then the caller can read the file from the start
    assert stream.tell() == 0


def test_a_pdf_header_after_some_junk_within_1024_bytes_is_still_a_pdf() -> None:
    assert detect(b"\x00" * 1000 + samples.pdf()) == detection.PDF


def test_a_pdf_header_past_1024_bytes_is_not() -> None:
    with pytest.raises(UnknownTypeError):
        detect(b"\x00" * 1100 + samples.pdf())


def test_the_name_plays_no_part_a_png_is_a_png() -> None:
    # given PNG bytes, whatever they would be called
    # then they are a PNG (the name is checked by the service, not here)
    assert detect(samples.png()) == detection.PNG


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(EmptyFileError):
        detect(b"")


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (samples.pdf, detection.PDF),
        (samples.png, detection.PNG),
        (samples.jpeg, detection.JPEG),
        (samples.docx, detection.DOCX),
        (samples.xlsx, detection.XLSX),
    ],
    ids=["pdf", "png", "jpeg", "docx", "xlsx"],
)
def test_a_truncated_file_is_damaged_and_says_what_it_was(
    make: Callable[[], bytes], expected: str
) -> None:
    # given the first half of a good file (an interrupted upload)
    data = make()
    half = data[: len(data) // 2]

    # when / then
    with pytest.raises(DamagedFileError) as caught:
        detect(half)
    assert caught.value.content_type == expected


def test_a_tiff_whose_directory_lies_past_the_end_is_damaged() -> None:
    data = b"II*\x00" + struct.pack("<I", 4096) + b"\x00" * 16
    with pytest.raises(DamagedFileError):
        detect(data)


@pytest.mark.parametrize(
    "data",
    [
        b"Hello, this is plain text.\n",
        b"<html><script>alert(1)</script></html>",
        b"GIF89a\x01\x00\x01\x00",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,  # an old .doc (OLE2)
        b"MZ\x90\x00" + b"\x00" * 100,  # a Windows executable
    ],
    ids=["text", "html", "gif", "ole2-doc", "exe"],
)
def test_other_content_is_unknown(data: bytes) -> None:
    with pytest.raises(UnknownTypeError):
        detect(data)


def test_a_zip_that_is_no_office_document_is_unknown() -> None:
    with pytest.raises(UnknownTypeError):
        detect(samples.plain_zip())


def test_a_word_document_with_macros_is_refused() -> None:
    with pytest.raises(UnsafeArchiveError) as caught:
        detect(samples.docm())
    assert caught.value.reason == "macro"


# --- Zip bombs ---------------------------------------------------------------------------------


def _docx_with(extra: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_highly_compressed_document_is_refused_before_anything_is_inflated() -> None:
    # given a DOCX with 20 MB of zeros inside (deflate squeezes them about 1000 times)
    bomb = _docx_with({"word/media/zeros.bin": bytes(20 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024

    # when / then
    with pytest.raises(UnsafeArchiveError) as caught:
        detect(bomb)
    assert caught.value.reason == "ratio"


def test_a_document_declaring_more_than_200_mb_uncompressed_is_refused() -> None:
    # given a DOCX whose central directory declares a 4 GB entry (the bytes are not there)
    data = bytearray(_docx_with({"word/media/big.bin": b"x" * 1000}))
    directory = data.rfind(b"PK\x01\x02")  # the last entry's central directory header
    struct.pack_into("<I", data, directory + 24, 0xFFFFFFF0)

    # when / then
    with pytest.raises(UnsafeArchiveError) as caught:
        detect(bytes(data))
    assert caught.value.reason == "size"


def test_a_document_with_more_than_10000_entries_is_refused() -> None:
    # given a DOCX of 10,001 tiny parts
    bomb = _docx_with({f"word/p{i}.xml": b"" for i in range(detection.ZIP_MAX_ENTRIES)})

    # when / then: refused from the end record, before zipfile lists the entries
    with pytest.raises(UnsafeArchiveError) as caught:
        detect(bomb)
    assert caught.value.reason == "entries"


def test_the_limits_are_the_documented_ones() -> None:
    assert detection.ZIP_MAX_ENTRIES == 10_000
    assert detection.ZIP_MAX_UNCOMPRESSED == 200 * 1024 * 1024
    assert detection.ZIP_MAX_RATIO == 100


# --- Any bytes at all --------------------------------------------------------------------------


def _outcome(data: bytes) -> str:
    """The detected type, or the name of the refusal; any other exception escapes."""
    try:
        return detect(data)
    except detection.DetectionError as exc:
        return type(exc).__name__


_OUTCOMES = set(detection.LABELS) | {
    "EmptyFileError",
    "UnknownTypeError",
    "DamagedFileError",
    "UnsafeArchiveError",
}


@given(st.binary(max_size=4096))
def test_any_bytes_give_a_type_or_a_detection_error(data: bytes) -> None:
    assert _outcome(data) in _OUTCOMES


_MAGIC = [b"%PDF-", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"II*\x00", b"MM\x00*"]


@given(st.sampled_from(_MAGIC), st.binary(max_size=2048))
def test_any_bytes_behind_a_magic_number_give_a_type_or_a_detection_error(
    magic: bytes, rest: bytes
) -> None:
    assert _outcome(magic + rest) in _OUTCOMES
