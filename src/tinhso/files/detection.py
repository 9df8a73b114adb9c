"""What a file is, from its bytes alone (never from its name): pure content sniffing.

`detect_content_type(stream)` answers one of the MIME types below or raises a
`DetectionError` saying why the file is refused. Office documents are zip archives: their
central directory is checked against zip bombs before anything else reads it, and nothing
inside is decompressed except ODT's 39-byte `mimetype` entry.

TT 39/2017/TT-BTTTT lists the document formats state agencies exchange (pdf, docx, odt,
xlsx…); scans arrive as PDF, PNG, JPEG or TIFF.
"""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Literal, Protocol

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"

#: The name a person knows each type by (used in messages).
LABELS: dict[str, str] = {
    PDF: "PDF",
    PNG: "PNG",
    JPEG: "JPEG",
    TIFF: "TIFF",
    DOCX: "DOCX (Word)",
    XLSX: "XLSX (Excel)",
    ODT: "ODT",
}

#: The file name extensions of each type; the first is the one given to a name without one.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: ("pdf",),
    PNG: ("png",),
    JPEG: ("jpg", "jpeg", "jpe", "jfif"),
    TIFF: ("tif", "tiff"),
    DOCX: ("docx",),
    XLSX: ("xlsx",),
    ODT: ("odt",),
}

#: Extensions of other common formats: a name ending so claims a type the content is not.
#: An extension outside both lists ("Quyết định 15.UBND") is taken as part of the name.
OTHER_EXTENSIONS = frozenset(
    {
        "7z", "apk", "avi", "bat", "bmp", "cmd", "com", "csv", "dll", "doc", "docm", "dot",
        "dotx", "eml", "exe", "gif", "gz", "heic", "htm", "html", "jar", "js", "json", "mht",
        "mov", "mp3", "mp4", "msg", "msi", "odp", "ods", "pps", "ppt", "pptx", "ps1", "rar",
        "rtf", "scr", "sh", "svg", "tar", "txt", "vbs", "wav", "webp", "xhtml", "xls", "xlsm",
        "xml", "xps", "zip",
    }
)  # fmt: skip

# Zip-bomb guards: what the archive declares, checked before any entry is read.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100

_HEAD = 1024
_TAIL = 1024
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"
_ZIP_LOCAL = b"PK\x03\x04"
_ZIP_END = b"PK\x05\x06"
_ZIP_END_SIZE = 22
_ZIP_COMMENT_MAX = 0xFFFF
_ODT_MIMETYPE = ODT.encode("ascii")


class BinaryStream(Protocol):
    """A readable, seekable byte stream (an uploaded file, an open file, BytesIO)."""

    def read(self, size: int = -1, /) -> bytes: ...

    def seek(self, offset: int, whence: int = 0, /) -> int: ...

    def tell(self) -> int: ...


class DetectionError(Exception):
    """The file is refused; subclasses say why."""


class EmptyFileError(DetectionError):
    """The file has no bytes."""


class UnknownTypeError(DetectionError):
    """The content is none of the recognised types."""


class DamagedFileError(DetectionError):
    """The content starts like `content_type` but is truncated or broken."""

    def __init__(self, content_type: str) -> None:
        super().__init__(content_type)
        self.content_type = content_type


UnsafeReason = Literal["entries", "size", "ratio", "zip64", "macro"]


class UnsafeArchiveError(DetectionError):
    """A zip that could exhaust the server when opened (`reason`), or carries macros."""

    def __init__(self, reason: UnsafeReason) -> None:
        super().__init__(reason)
        self.reason: UnsafeReason = reason


def detect_content_type(stream: BinaryStream) -> str:
    """The MIME type of the stream's content; the stream is left at its start."""
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    head = stream.read(_HEAD)
    stream.seek(max(0, size - _TAIL))
    tail = stream.read(_TAIL)
    stream.seek(0)
    if not head:
        raise EmptyFileError
    try:
        if head.startswith(_PNG_SIGNATURE):
            return _png(head, tail)
        if head.startswith(b"\xff\xd8\xff"):
            return _jpeg(tail)
        if head.startswith((b"II*\x00", b"MM\x00*")):
            return _tiff(stream, head, size)
        if head.startswith(_ZIP_LOCAL):
            return _office(stream, size)
        if b"%PDF-" in head:
            return _pdf(tail)
    finally:
        stream.seek(0)
    raise UnknownTypeError


def extension_types(extension: str) -> frozenset[str] | None:
    """The types a lower-case extension stands for: empty for a known other format, None
    when the extension is not a known one at all."""
    types = frozenset(t for t, exts in EXTENSIONS.items() if extension in exts)
    if types:
        return types
    return frozenset() if extension in OTHER_EXTENSIONS else None


# --- One function per format ----------------------------------------------------------------


def _pdf(tail: bytes) -> str:
    # ISO 32000-1 §7.5.5: the file ends with %%EOF; readers look for it in the last 1024 bytes.
    if b"%%EOF" not in tail:
        raise DamagedFileError(PDF)
    return PDF


def _png(head: bytes, tail: bytes) -> str:
    # The IHDR chunk comes first; the IEND chunk (with its fixed CRC) closes the file.
    if head[12:16] != b"IHDR" or _PNG_END not in tail:
        raise DamagedFileError(PNG)
    return PNG


def _jpeg(tail: bytes) -> str:
    # The end-of-image marker; some cameras pad after it, hence a search in the tail.
    if b"\xff\xd9" not in tail:
        raise DamagedFileError(JPEG)
    return JPEG


def _tiff(stream: BinaryStream, head: bytes, size: int) -> str:
    order = "<" if head.startswith(b"II") else ">"
    if len(head) < 8:
        raise DamagedFileError(TIFF)
    (offset,) = struct.unpack(f"{order}I", head[4:8])
    if offset < 8 or offset + 2 > size:
        raise DamagedFileError(TIFF)
    stream.seek(offset)
    (entries,) = struct.unpack(f"{order}H", stream.read(2))
    # The first image file directory: its entries (12 bytes each) and the next offset.
    if entries == 0 or offset + 2 + 12 * entries + 4 > size:
        raise DamagedFileError(TIFF)
    return TIFF


def _office(stream: BinaryStream, size: int) -> str:
    _check_zip_directory(stream, size)
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            _check_zip_entries(entries)
            names = {entry.filename for entry in entries}
            if "[Content_Types].xml" in names:
                if any(name.lower().endswith("vbaproject.bin") for name in names):
                    raise UnsafeArchiveError("macro")
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
            mimetype = next((e for e in entries if e.filename == "mimetype"), None)
            if (
                mimetype is not None
                and mimetype.file_size == len(_ODT_MIMETYPE)
                and archive.read(mimetype) == _ODT_MIMETYPE
            ):
                return ODT
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise _broken_zip(stream) from exc
    raise UnknownTypeError


def _check_zip_directory(stream: BinaryStream, size: int) -> None:
    """Read the entry count from the end record before `zipfile` builds one object per entry."""
    window = min(size, _ZIP_END_SIZE + _ZIP_COMMENT_MAX)
    stream.seek(size - window)
    tail = stream.read(window)
    at = tail.rfind(_ZIP_END)
    if at < 0 or len(tail) - at < _ZIP_END_SIZE:
        raise _broken_zip(stream)
    entries, directory_size = struct.unpack("<HI", tail[at + 10 : at + 16])
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        # ZIP64: never needed by a document this size, and its counts are unbounded.
        raise UnsafeArchiveError("zip64")
    if entries > ZIP_MAX_ENTRIES:
        raise UnsafeArchiveError("entries")


def _check_zip_entries(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > ZIP_MAX_ENTRIES:
        raise UnsafeArchiveError("entries")
    uncompressed = sum(entry.file_size for entry in entries)
    compressed = sum(entry.compress_size for entry in entries)
    if uncompressed > ZIP_MAX_UNCOMPRESSED:
        raise UnsafeArchiveError("size")
    if uncompressed > ZIP_MAX_RATIO * max(compressed, 1):
        raise UnsafeArchiveError("ratio")


def _broken_zip(stream: BinaryStream) -> DetectionError:
    """A damaged office document when the names in its first bytes say which one it was
    meant to be (a truncated upload); any other broken zip is simply not a known type."""
    stream.seek(0)
    head = stream.read(64 * 1024)
    for marker, content_type in ((b"word/", DOCX), (b"xl/", XLSX), (_ODT_MIMETYPE, ODT)):
        if marker in head:
            return DamagedFileError(content_type)
    return UnknownTypeError()
