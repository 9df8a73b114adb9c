"""File names: cleaning what a browser sends, checking the extension against the content, and
the `Content-Disposition` of a download. Pure functions."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from tinhso.files.detection import EXTENSIONS, extension_types

NAME_MAX = 255
#: Characters Windows refuses in a name, and path separators.
_FORBIDDEN = frozenset('<>:"/\\|?*')
_DEFAULT_STEM = "tep-tin"


def sanitize_name(raw: str) -> str:
    """The base name of `raw`, NFC, without control, format (bidi) or reserved characters,
    spaces collapsed, at most `NAME_MAX` characters with the extension kept."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if char.isspace() else "_" if char in _FORBIDDEN else char
        for char in name
        # Cc: control characters; Cf: format characters such as U+202E (right-to-left
        # override), which make "gpj.exe" display as "exe.jpg".
        if char.isspace() or unicodedata.category(char) not in {"Cc", "Cf"}
    )
    name = " ".join(name.split()).strip(" .")
    return _shorten(name)


def split_extension(name: str) -> tuple[str, str]:
    """(stem, lower-case extension without the dot); the extension is '' when there is none."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or not extension or " " in extension:
        return name, ""
    return stem, extension.lower()


def extension_contradicts(name: str, content_type: str) -> str | None:
    """The extension of `name` when it names another format than `content_type`, else None.

    No extension, or an unknown one ("Quyết định 15.UBND"), does not contradict anything.
    """
    _stem, extension = split_extension(name)
    types = extension_types(extension) if extension else None
    if types is None or content_type in types:
        return None
    return extension


def stored_name(name: str, content_type: str) -> str:
    """The name to keep: `name` when its extension fits the content, else with the content's
    extension added, so that the downloaded file opens in the right program."""
    _stem, extension = split_extension(name)
    if extension in EXTENSIONS.get(content_type, ()):
        return name or f"{_DEFAULT_STEM}.{extension}"
    suffix = f".{EXTENSIONS[content_type][0]}" if content_type in EXTENSIONS else ""
    return _shorten(f"{name or _DEFAULT_STEM}{suffix}")


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII `filename` and the exact UTF-8 name in `filename*`
    (RFC 6266 §4.3, RFC 5987), so every browser saves it under a usable name."""
    return (
        f"attachment; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    )


def ascii_fallback(name: str) -> str:
    """The name without diacritics ("Đơn đề nghị.pdf" → "Don de nghi.pdf"), for old clients."""
    text = name.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = "".join(char if char.isprintable() and char not in '"\\;' else "_" for char in text)
    return text.strip() or _DEFAULT_STEM


def _shorten(name: str) -> str:
    if len(name) <= NAME_MAX:
        return name
    stem, extension = split_extension(name)
    if not extension or len(extension) > 16:
        return name[:NAME_MAX].rstrip(" .")
    return f"{stem[: NAME_MAX - len(extension) - 1].rstrip(' .')}.{extension}"
