"""Small but well-formed files of every accepted type, built in code (no binary fixtures)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.files import detection


def pdf(text: str = "Quyết định") -> bytes:
    body = text.encode("utf-8")
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        b"% " + body + b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 2, height: int = 2) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    # SOI, a JFIF APP0 segment, a comment, EOI: the markers detection reads.
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    comment = b"tinhso"
    return (
        b"\xff\xd8"
        + b"\xff\xe0"
        + struct.pack(">H", len(app0) + 2)
        + app0
        + b"\xff\xfe"
        + struct.pack(">H", len(comment) + 2)
        + comment
        + b"\xff\xd9"
    )


def tiff(byte_order: str = "<") -> bytes:
    magic = b"II*\x00" if byte_order == "<" else b"MM\x00*"
    # One IFD entry: ImageWidth (256), SHORT, count 1, value 1; no next IFD.
    ifd = struct.pack(f"{byte_order}H", 1) + struct.pack(f"{byte_order}HHIHH", 256, 3, 1, 1, 0)
    return magic + struct.pack(f"{byte_order}I", 8) + ifd + struct.pack(f"{byte_order}I", 0)


def _zip(entries: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    """A zip of `entries`, byte for byte the same at every call (fixed timestamps)."""
    buffer = io.BytesIO()
    names = sorted(entries, key=lambda name: name != stored_first)
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(2025, 7, 1, 8, 0, 0))
            info.compress_type = (
                zipfile.ZIP_STORED if name == stored_first else zipfile.ZIP_DEFLATED
            )
            archive.writestr(info, entries[name])
    return buffer.getvalue()


_CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def docx(text: str = "Đơn đề nghị") -> bytes:
    document = f"<w:document><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    return _zip(
        {
            "[Content_Types].xml": _CONTENT_TYPES,
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": document.encode("utf-8"),
        }
    )


def docm() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _CONTENT_TYPES,
            "word/document.xml": b"<w:document/>",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro",
        }
    )


def xlsx() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _CONTENT_TYPES,
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet/>",
        }
    )


def odt() -> bytes:
    return _zip(
        {"mimetype": detection.ODT.encode("ascii"), "content.xml": b"<office:document-content/>"},
        stored_first="mimetype",
    )


def plain_zip() -> bytes:
    return _zip({"readme.txt": b"not an office document"})


def upload(data: bytes, name: str = "tep.pdf", content_type: str = "") -> SimpleUploadedFile:
    """An upload as Django hands it to a view; the declared content type is ignored anyway."""
    return SimpleUploadedFile(name, data, content_type=content_type or "application/octet-stream")
